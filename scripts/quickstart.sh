#!/usr/bin/env bash
# Builds the node (release), creates one in ./.badgemesh if there is none (key, API token,
# commented config.toml), and runs it in the foreground until Ctrl-C: an issuer node with its
# embedded store on http://127.0.0.1:7676 (change `listen` in the config, or BADGEMESH_HTTP).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --bin badgemesh
bin="$PWD/target/release/badgemesh"
export BADGEMESH_DATA_DIR=${BADGEMESH_DATA_DIR:-$PWD/.badgemesh}
[ -f "$BADGEMESH_DATA_DIR/node.key" ] || "$bin" init
cat <<TXT

Node data: $BADGEMESH_DATA_DIR (config.toml, node.key, api.token, badgemesh.redb)
From another terminal, with BADGEMESH_DATA_DIR=$BADGEMESH_DATA_DIR:
  $bin profile --name "Example University" --url https://example.edu
  $bin achievement create --name "Welding" --description "Welds steel safely." --criteria "Pass the practical exam."
  $bin award ACHIEVEMENT_ID learner@example.org     # or a DID; --csv FILE for many
  $bin credentials                                  # list; revoke ID / suspend ID / unsuspend ID
API: curl -H "Authorization: Bearer \$($bin token)" http://127.0.0.1:7676/api/v1/node
     (OpenAPI at /api/v1/openapi.json; W3C VC-API at /credentials/issue, /credentials/verify)

TXT
exec "$bin" run
