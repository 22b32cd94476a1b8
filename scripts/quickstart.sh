#!/usr/bin/env bash
# Builds the node (release), creates a node in ./.badgemesh if there is none, then signs the
# 1EdTech sample badge with it and verifies the result: the whole credential core, end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --bin badgemesh
bin=target/release/badgemesh
export BADGEMESH_DATA_DIR=${BADGEMESH_DATA_DIR:-$PWD/.badgemesh}
[ -f "$BADGEMESH_DATA_DIR/node.key" ] || "$bin" init
echo "node DID: $("$bin" did | sed -n 's/^  "id": "\(.*\)",$/\1/p')"
example=../shared/specs/openbadges-3.0/examples/basic-openbadgecredential.json
"$bin" sign "$example" > "$BADGEMESH_DATA_DIR/example-signed.json"
echo "signed: $BADGEMESH_DATA_DIR/example-signed.json"
"$bin" verify "$BADGEMESH_DATA_DIR/example-signed.json"
