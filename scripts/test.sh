#!/usr/bin/env bash
# The test command (README, .ci/run): installs the JavaScript interop harness's pinned npm
# packages if missing, then runs every Rust test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f scripts/interop/package-lock.json ] && [ ! -d scripts/interop/node_modules ]; then
  npm ci --prefix scripts/interop --no-audit --no-fund
fi
cargo test --workspace --locked
