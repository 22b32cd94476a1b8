#!/usr/bin/env bash
# Refreshes the JSON-LD contexts and JSON Schemas that `vc-schemas` embeds from the official
# files kept in vc-schemas/tests/specs (their origins: tests/specs/SOURCES.md).
# The node never fetches a context at run time: what is copied here is all it knows.
# Usage: scripts/update-specs.sh [SPECS_DIR]   (default: vc-schemas/tests/specs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
specs=${1:-"$root/vc-schemas/tests/specs"}
ctx="$root/vc-schemas/contexts"
sch="$root/vc-schemas/schemas"
mkdir -p "$ctx" "$sch"
copy() { install -m 0644 "$specs/$1" "$2"; echo "copied $1"; }
copy w3c-vcdm/contexts/credentials-v2.jsonld "$ctx/credentials-v2.jsonld"
copy w3c-vcdm/contexts/credentials-v1.jsonld "$ctx/credentials-v1.jsonld"
copy w3c-vcdm/contexts/credentials-examples-v2.jsonld "$ctx/credentials-examples-v2.jsonld"
copy w3c-vcdm/contexts/credentials-examples-v1.jsonld "$ctx/credentials-examples-v1.jsonld"
copy w3c-vcdm/contexts/credentials-undefined-terms-v2.jsonld "$ctx/credentials-undefined-terms-v2.jsonld"
for v in context.json context-3.0.1.json context-3.0.2.json context-3.0.3.json extensions.json; do
  copy "openbadges-3.0/context/$v" "$ctx/ob-v3p0-$v"
done
copy w3c-bitstring-status-list/contexts/v1.jsonld "$ctx/status-v1.jsonld"
copy w3c-bitstring-status-list/contexts/statuslist2021-v1.jsonld "$ctx/status-list-2021-v1.jsonld"
copy w3c-data-integrity/contexts/data-integrity/v1.jsonld "$ctx/data-integrity-v1.jsonld"
copy w3c-data-integrity/contexts/data-integrity/v2.jsonld "$ctx/data-integrity-v2.jsonld"
copy w3c-data-integrity/contexts/multikey/v1.jsonld "$ctx/multikey-v1.jsonld"
copy w3c-data-integrity/contexts/jwk/v1.jsonld "$ctx/jwk-v1.jsonld"
copy w3c-vc-di-eddsa/contexts/ed25519-2020-v1.jsonld "$ctx/ed25519-2020-v1.jsonld"
copy w3c-did/contexts/did-v1.jsonld "$ctx/did-v1.jsonld"
for s in achievementcredential endorsementcredential profile; do
  copy "openbadges-3.0/schema/$s.json" "$sch/$s.json"
done
