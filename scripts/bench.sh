#!/usr/bin/env bash
# Runs the credential-core benchmarks (release build, one thread) and prints each operation's
# median time, its rate per core, and its ratio to raw Ed25519 on the same bytes measured in
# the same run. The numbers go to docs/PERFORMANCE.md.
# Usage: scripts/bench.sh [criterion filter]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p vc-schemas --bench proofs -- "${1:-}" >/dev/null
python3 - <<'PY'
import json, pathlib
root = pathlib.Path("target/criterion")
def median(group, name):
    for d in root.glob(f"{group}/*"):
        bench = json.loads((d / "new/benchmark.json").read_text())
        if bench["function_id"] == name:
            return json.loads((d / "new/estimates.json").read_text())["median"]["point_estimate"] / 1000
    return None
rows = [
    ("baseline", "ed25519 sign (credential bytes)", None),
    ("baseline", "ed25519 verify (credential bytes)", None),
    ("rdfc-1.0 (document)", "general path", None),
    ("rdfc-1.0 (document)", "fast path", None),
    ("eddsa-rdfc-2022", "sign ssi", ("baseline", "ed25519 sign (credential bytes)")),
    ("eddsa-rdfc-2022", "sign badgemesh", ("baseline", "ed25519 sign (credential bytes)")),
    ("eddsa-rdfc-2022", "verify ssi", ("baseline", "ed25519 verify (credential bytes)")),
    ("eddsa-rdfc-2022", "verify badgemesh (proof only)", ("baseline", "ed25519 verify (credential bytes)")),
    ("eddsa-rdfc-2022", "verify badgemesh (resolve + proof)", ("baseline", "ed25519 verify (credential bytes)")),
    ("vc-jwt", "raw ed25519 sign (JWS signing input)", None),
    ("vc-jwt", "raw ed25519 verify (JWS signing input)", None),
    ("vc-jwt", "sign", ("vc-jwt", "raw ed25519 sign (JWS signing input)")),
    ("vc-jwt", "verify signature (decode header, resolve did:key, EdDSA)", ("vc-jwt", "raw ed25519 verify (JWS signing input)")),
    ("vc-jwt", "verify signature + parse payload", ("vc-jwt", "raw ed25519 verify (JWS signing input)")),
]
print(f"{'operation':<75} {'µs':>9} {'per s':>8}  vs raw Ed25519")
for group, name, base in rows:
    t = median(group, name)
    if t is None:
        continue
    ratio = ""
    if base and (b := median(*base)):
        ratio = f"{b / t:.0%} of raw speed" if t < 3 * b else f"{t / b:.0f}x raw time"
    if "badgemesh" in name and (s := median(group, name.split(" ")[0] + " ssi")):
        ratio += f"; {s / t:.0f}x ssi's speed"
    print(f"{group + ' / ' + name:<75} {t:9.1f} {1e6 / t:8.0f}  {ratio}")
PY
