#!/usr/bin/env bash
# Award, search and list latency as the store grows: a release node in a temporary directory
# is filled by bulk CSV awards to each size in SIZES, and at each size the script times
# single awards, a bulk chunk, the first page of the list, filters on one recipient, on a
# small achievement and on the revoked ones, a free-text search for one learner and one that
# matches nothing (each the worst case of a scan, were it one). Numbers go in
# docs/PERFORMANCE.md ("Scale"). Loopback only; bounded by SIZES.
#
# Usage: scripts/scale-bench.sh [SIZES]   (default "10000 100000 1000000")
#        BIN=path/to/badgemesh to use a binary already built.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-"10000 100000 1000000"}
bin=${BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --locked --bin badgemesh
  bin="$PWD/target/release/badgemesh"
fi
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
export BADGEMESH_DATA_DIR="$dir/node"
"$bin" init >/dev/null
"$bin" run --http 127.0.0.1:0 --no-p2p 2>/dev/null &
pid=$!
for _ in $(seq 100); do [ -f "$BADGEMESH_DATA_DIR/node.url" ] && break; sleep 0.1; done
url=$(cat "$BADGEMESH_DATA_DIR/node.url")
token=$("$bin" token)
api() { curl -sS -H "Authorization: Bearer $token" "$@"; }
ach=$(api -H 'content-type: application/json' -d '{"name":"Scale","description":"Scale test.","criteria":{"narrative":"Be counted."}}' \
  "$url/api/v1/achievements" | sed -n 's/.*"uuid":"\([^"]*\)".*/\1/p')

# Median of N timings (ms) of a curl command.
median() {
  local n=$1; shift
  for _ in $(seq "$n"); do api -o /dev/null -w '%{time_total}\n' "$@"; done |
    sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}'
}

rare=$(api -H 'content-type: application/json' -d '{"name":"Rare","description":"Seldom awarded.","criteria":{"narrative":"Be rare."}}' \
  "$url/api/v1/achievements" | sed -n 's/.*"uuid":"\([^"]*\)".*/\1/p')
for i in 1 2 3; do
  id=$(api -H 'content-type: application/json' -d "{\"achievement\":\"$rare\",\"recipient\":\"rare$i@example.org\"}" \
    "$url/api/v1/awards" | sed -n 's/.*"uuid":"\([^"]*\)".*/\1/p')
  api -o /dev/null -X POST "$url/api/v1/credentials/$id/revoke"
done
have=3
chunk=5000
printf '%-10s %8s %10s %8s %10s %12s %9s %8s %10s\n' stored "award" "bulk (/s)" "list" "recipient" "achievement" "revoked" "q one" "q none"
for size in $sizes; do
  while [ "$have" -lt "$size" ]; do
    n=$(( size - have < chunk ? size - have : chunk ))
    { echo recipient; seq "$have" $(( have + n - 1 )) | sed 's/.*/learner&@example.org/'; } > "$dir/chunk.csv"
    api -o /dev/null -H 'content-type: text/csv' --data-binary @"$dir/chunk.csv" "$url/api/v1/awards/bulk?achievement=$ach"
    have=$(( have + n ))
  done
  award=$(median 21 -H 'content-type: application/json' -d "{\"achievement\":\"$ach\",\"recipient\":\"single@example.org\"}" "$url/api/v1/awards")
  { echo recipient; seq 1000 | sed 's/.*/bulk-'"$size"'-&@example.org/'; } > "$dir/bulk.csv"
  start=$(date +%s.%N)
  api -o /dev/null -H 'content-type: text/csv' --data-binary @"$dir/bulk.csv" "$url/api/v1/awards/bulk?achievement=$ach"
  bulk=$(echo "1000 / ($(date +%s.%N) - $start)" | bc -l | xargs printf '%.0f')
  have=$(( have + 1021 ))
  list=$(median 11 "$url/api/v1/credentials?limit=50")
  one=$(median 5 "$url/api/v1/credentials?recipient=learner$(( size / 2 ))@example.org")
  small=$(median 5 "$url/api/v1/credentials?achievement=$rare")
  revoked=$(median 5 "$url/api/v1/credentials?status=revoked")
  qone=$(median 5 "$url/api/v1/credentials?q=learner$(( size / 3 ))")
  none=$(median 5 "$url/api/v1/credentials?q=nobody-has-this-name")
  printf '%-10s %8s %10s %8s %10s %12s %9s %8s %10s\n' "$size" "$award" "$bulk" "$list" "$one" "$small" "$revoked" "$qone" "$none"
done
