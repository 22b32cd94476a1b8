#!/usr/bin/env bash
# API throughput and memory, against a release build, next to the in-process figures.
#
# 1. `cargo bench -p badgemesh-node --bench inprocess`: raw Ed25519 (baseline), Issuer::award,
#    bulk CSV and verify_credential in one process, no HTTP.
# 2. A fresh node (`badgemesh run`, release), loaded with wrk (2 threads, 16 connections):
#    POST /api/v1/awards, POST /api/v1/awards/bulk (250 rows per request), POST
#    /credentials/verify. wrk shares the 2 cores with the node, so the API figures are a floor.
# 3. RSS of the node every 10,000 awards while 100,000 are awarded in 250-row chunks.
# Usage: scripts/api-bench.sh [seconds per wrk run, default 15]
#   MEMORY_ONLY=1: step 3 alone; PROFILE=debug: use target/debug/badgemesh as built
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-15}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
PROFILE="${PROFILE:-release}"   # PROFILE=debug: reuse the debug binary (memory only)
[ "$PROFILE" = release ] && cargo build --release -p badgemesh-node --quiet
if [ -z "${MEMORY_ONLY:-}" ]; then
  echo "== in process"
  cargo bench -p badgemesh-node --bench inprocess --quiet 2>/dev/null | grep -v '^$'
fi

B="$PWD/target/$PROFILE/badgemesh"
WORK="$(mktemp -d)"
N="$WORK/node"
"$B" --data-dir "$N" init >/dev/null 2>&1
RUST_LOG=warn "$B" --data-dir "$N" run --http 127.0.0.1:0 --no-p2p 2>"$WORK/node.log" &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [ -f "$N/node.url" ] && break; sleep 0.1; done
URL="$(cat "$N/node.url")"
TOKEN="$(cat "$N/api.token")"
AUTH="Authorization: Bearer $TOKEN"
ACH="$(curl -sf -H "$AUTH" -H 'content-type: application/json' "$URL/api/v1/achievements" \
  -d '{"name":"Benchmark","description":"Awarded by the benchmark.","criteria":{"narrative":"Be measured."},"achievementType":"Badge"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["uuid"])')"
RECIPIENT=did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK
SAMPLE="$(curl -sf -H "$AUTH" -H 'content-type: application/json' "$URL/api/v1/awards" \
  -d "{\"achievement\":\"$ACH\",\"recipient\":\"$RECIPIENT\"}" \
  | python3 -c 'import json,sys; print(json.dumps({"verifiableCredential": json.load(sys.stdin)["credential"]}))')"

python3 - "$WORK" "$ACH" "$RECIPIENT" "$SAMPLE" <<'PY'
import sys, json
work, ach, recipient, sample = sys.argv[1:]
csv = "recipient\n" + "".join(f"learner{i}@example.org\n" for i in range(250))
open(f"{work}/award.json", "w").write(json.dumps({"achievement": ach, "recipient": recipient}))
open(f"{work}/bulk.csv", "w").write(csv)
open(f"{work}/verify.json", "w").write(sample)
PY
cat > "$WORK/post.lua" <<'LUA'
local f = io.open(os.getenv("BODY"), "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("CTYPE")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
function response(status, headers, body)
  if status >= 300 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
    os.exit(1)
  end
end
LUA
load() { # name path body content-type units-per-request
  local out rps
  out="$(BODY="$3" CTYPE="$4" TOKEN="$TOKEN" wrk -t2 -c16 -d"${SECS}s" --latency -s "$WORK/post.lua" "$URL$2")"
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  printf '%-40s %10.0f req/s  %10.0f units/s   p50 %s  p99 %s\n' "$1" "$rps" \
    "$(python3 -c "print($rps * $5)")" "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"
}
if [ -z "${MEMORY_ONLY:-}" ]; then
  echo "== over HTTP (wrk -t2 -c16 -d${SECS}s)"
  load "POST /api/v1/awards" /api/v1/awards "$WORK/award.json" application/json 1
  load "POST /api/v1/awards/bulk (250 rows)" "/api/v1/awards/bulk?achievement=$ACH" "$WORK/bulk.csv" text/csv 250
  load "POST /credentials/verify" /credentials/verify "$WORK/verify.json" application/json 1
fi

echo "== memory while 100,000 credentials are awarded (250-row chunks)"
rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$PID/status"; }
echo "start: $(rss)"
for i in $(seq 1 400); do
  curl -sf -o /dev/null -H "$AUTH" -H 'content-type: text/csv' --data-binary @"$WORK/bulk.csv" \
    "$URL/api/v1/awards/bulk?achievement=$ACH"
  if (( i % 40 == 0 )); then echo "$((i * 250)) awarded: $(rss)"; fi
done
echo "store: $(du -h "$N/badgemesh.redb" | cut -f1)"
