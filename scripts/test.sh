#!/usr/bin/env bash
# The test command (README, .ci/run): installs the JavaScript interop harness's and the browser
# tests' pinned npm packages if missing, runs every Rust test of the workspace, then the wallet's
# end-to-end tests in headless Chromium (scripts/browser/wallet.mjs; needs /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f scripts/interop/package-lock.json ] && [ ! -d scripts/interop/node_modules ]; then
  npm ci --prefix scripts/interop --no-audit --no-fund
fi
if [ -f scripts/browser/package-lock.json ] && [ ! -d scripts/browser/node_modules ]; then
  npm ci --prefix scripts/browser --no-audit --no-fund
fi
cargo test --workspace --locked
# The browser tests run the node binary itself: make sure it is the one just tested.
cargo build -p badgemesh-node --bin badgemesh --locked
node scripts/browser/wallet.mjs
