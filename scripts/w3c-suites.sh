#!/usr/bin/env bash
# Runs the W3C VC test suites (vc-data-model-2.0, vc-di-eddsa, vc-bitstring-status-list)
# offline against a temporary Badgemesh node. Recipe: docs/W3C_SUITES.md.
# The suites are cloned outside the repository; never commit their code.
#
#   scripts/w3c-suites.sh setup DIR [FETCHED]
#       Clone the five repositories from FETCHED (git directories laid out as
#       FETCHED/<owner>+<name>/repo, default /work/.mirror) into DIR, check out the
#       recipe's commits when present, switch the github: dependencies to file:../ and
#       npm-install the three suites (npm registry only, no GitHub needed).
#   scripts/w3c-suites.sh run DIR [SUITE...]
#       Init a temporary node, start it with a self-signed certificate on
#       https://127.0.0.1:8443, write localConfig.cjs (node DID, API token as a static
#       Authorization header on the issuer) into each suite, run each suite with the
#       mocha spec reporter, print one summary line per suite, stop the node.
#       SUITE: dm | eddsa | status (default: all three). Exit status 1 if a test failed.
#
# Environment: BADGEMESH_BIN (default target/debug/badgemesh), W3C_LISTEN (default
# 127.0.0.1:8443), W3C_KEEP=1 keeps the temporary data directory, MOCHA_ARGS extra
# mocha arguments (e.g. MOCHA_ARGS='--grep relatedResource').
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SUITES=(vc-data-model-2.0-test-suite vc-di-eddsa-test-suite vc-bitstring-status-list-test-suite)
# repository (owner+name as laid out by fetch) and the commit the recipe was tested with
REPOS=(
  "w3c+vc-data-model-2.0-test-suite 6e07524"
  "w3c+vc-di-eddsa-test-suite a62061b"
  "w3c+vc-bitstring-status-list-test-suite 5cdc562"
  "w3c+vc-test-suite-implementations a15c6cf"
  "w3c-ccg+data-integrity-test-suite-assertion 8d84d18"
)

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

setup() {
  local dir="$1" fetched="${2:-/work/.mirror}"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  case "$dir/" in "$ROOT"/*) echo "refusing to clone inside the repository: $dir" >&2; exit 1;; esac
  local entry r c name
  for entry in "${REPOS[@]}"; do
    read -r r c <<<"$entry"
    name="${r#*+}"
    if [ ! -d "$dir/$name/.git" ]; then
      git clone -q "$fetched/$r/repo" "$dir/$name"
    fi
    if git -C "$dir/$name" cat-file -e "$c^{commit}" 2>/dev/null; then
      git -C "$dir/$name" -c advice.detachedHead=false checkout -q "$c"
    else
      echo "note: $name has no commit $c; using $(git -C "$dir/$name" rev-parse --short HEAD)" >&2
    fi
    echo "$name @ $(git -C "$dir/$name" log -1 --format='%h %cs')"
  done
  local s
  for s in "${SUITES[@]}"; do
    (cd "$dir/$s" && node -e '
      const fs = require("fs"); const p = JSON.parse(fs.readFileSync("package.json"));
      for (const k of ["dependencies", "devDependencies"])
        for (const [n, v] of Object.entries(p[k] || {}))
          if (v.startsWith("github:")) p[k][n] = "file:../" + v.slice(7).split("/")[1].split("#")[0];
      fs.writeFileSync("package.json", JSON.stringify(p, null, 2) + "\n");' &&
     npm install --install-links --no-audit --no-fund)
  done
}

write_config() { # $1 suite dir; uses BASE_URL ISSUER_DID API_TOKEN
  cat >"$1/localConfig.cjs" <<'EOF'
// Written by badgemesh scripts/w3c-suites.sh: the local Badgemesh node under test.
const baseUrl = process.env.BASE_URL || 'https://127.0.0.1:8443';
const issuerId = process.env.ISSUER_DID;          // the node's did:key
const token = process.env.BADGEMESH_API_TOKEN;    // /credentials/issue needs it
const tags = ['vc2.0', 'eddsa-rdfc-2022', 'BitstringStatusList', 'Revocation', 'Suspension'];
module.exports = {
  settings: {enableInteropTests: false, testAllImplementations: false},
  implementations: [{
    name: 'Badgemesh', implementation: 'Badgemesh node (local VC-API under test)',
    issuers: [{id: issuerId, endpoint: `${baseUrl}/credentials/issue`,
      headers: {Authorization: `Bearer ${token}`}, supports: {vc: ['2.0']}, tags}],
    verifiers: [{id: issuerId, endpoint: `${baseUrl}/credentials/verify`,
      supports: {vc: ['2.0']}, tags}],
    vpVerifiers: [{id: issuerId, endpoint: `${baseUrl}/presentations/verify`, tags}]
  }]
};
EOF
}

cleanup() { # stop the node this script started (by its pid) and drop its data
  if [ -n "${node_pid:-}" ]; then kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; fi
  if [ -n "${data:-}" ]; then
    if [ "${W3C_KEEP:-0}" = 1 ]; then echo "node data kept in $data"; else rm -rf "$data"; fi
  fi
}

run() {
  local dir; dir="$(cd "$1" && pwd)"; shift
  local bin="${BADGEMESH_BIN:-$ROOT/target/debug/badgemesh}"
  local listen="${W3C_LISTEN:-127.0.0.1:8443}"
  local want=("$@"); [ ${#want[@]} -eq 0 ] && want=(dm eddsa status)
  # globals (not local): the EXIT trap runs after this function has returned
  data="$(mktemp -d /tmp/badgemesh-w3c.XXXXXX)"
  node_pid=""
  trap cleanup EXIT

  local did
  did="$("$bin" init --data-dir "$data/node" 2>/dev/null | head -n1)"
  case "$did" in did:key:*) ;; *) echo "badgemesh init did not print a did:key: $did" >&2; exit 1;; esac
  export ISSUER_DID="$did"
  export BADGEMESH_API_TOKEN; BADGEMESH_API_TOKEN="$(tr -d '\n' <"$data/node/api.token")"

  "$bin" run --data-dir "$data/node" --tls-self-signed --http "$listen" >"$data/node.log" 2>&1 &
  node_pid=$!
  local i
  for i in $(seq 1 100); do
    # ready once node.url exists and the server answers anything over HTTPS
    if [ -s "$data/node/node.url" ] &&
       [ "$(curl -sk -o /dev/null -w '%{http_code}' "$(cat "$data/node/node.url")/" || true)" != 000 ]; then
      break
    fi
    kill -0 "$node_pid" 2>/dev/null || { cat "$data/node.log" >&2; exit 1; }
    sleep 0.1
  done
  export BASE_URL; BASE_URL="$(cat "$data/node/node.url")"
  echo "node $ISSUER_DID at $BASE_URL (log: $data/node.log)"

  local summary=() s key out status=0
  for key in "${want[@]}"; do
    case "$key" in
      dm) s=vc-data-model-2.0-test-suite;;
      eddsa) s=vc-di-eddsa-test-suite;;
      status) s=vc-bitstring-status-list-test-suite;;
      *) echo "unknown suite $key (dm, eddsa, status)" >&2; exit 2;;
    esac
    write_config "$dir/$s"
    out="$data/$s.out"
    echo "===== $s"
    # shellcheck disable=SC2086
    (cd "$dir/$s" && npx mocha tests/ --reporter spec --timeout 15000 --preserve-symlinks \
       ${MOCHA_ARGS:-}) 2>&1 | tee "$out" || true
    local p f n t h
    p=$(sed -n 's/^ *\([0-9][0-9]*\) passing.*/\1/p' "$out" | tail -n1)
    f=$(sed -n 's/^ *\([0-9][0-9]*\) failing.*/\1/p' "$out" | tail -n1)
    n=$(sed -n 's/^ *\([0-9][0-9]*\) pending.*/\1/p' "$out" | tail -n1)
    # mocha counts a failed before-all hook as one failure and skips its tests: report the
    # number of tests the suite defines (a --dry-run) and the failed hooks
    t=$(cd "$dir/$s" && npx mocha tests/ --dry-run --reporter dot --preserve-symlinks ${MOCHA_ARGS:-} 2>/dev/null |
        awk '/^ *[0-9]+ (passing|pending|failing)/ {n += $1} END {print n + 0}')
    h=$(grep -cE '^ *[0-9]+\) .*"before (all|each)" hook' "$out" || true)
    [ "${f:-0}" -gt 0 ] && status=1
    summary+=("$(printf '%-38s passed %3s  failed %3s  pending %3s  (tests defined %s; failed hooks %s)' \
      "$s" "${p:-0}" "${f:-0}" "${n:-0}" "${t:-?}" "$h")")
  done
  echo "===== summary"
  printf '%s\n' "${summary[@]}"
  return "$status"
}

case "${1:-}" in
  setup) [ $# -ge 2 ] || usage; shift; setup "$@";;
  run) [ $# -ge 2 ] || usage; shift; run "$@";;
  *) usage;;
esac
