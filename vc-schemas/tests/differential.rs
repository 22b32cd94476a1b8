//! Badgemesh's own `eddsa-rdfc-2022` path against ssi's, and against the canonical forms the
//! W3C and 1EdTech vectors publish.
//!
//! On documents without JSON-LD lists or non-integral numbers the two must agree byte for byte:
//! same canonical N-Quads, same proofValue. Where ssi departs from JSON-LD 1.1 toRdf, ours
//! follows the spec (and jsonld.js, see `scripts/interop`): ssi drops list values; writes a
//! non-integral number as `"32.25"` where the spec's canonical xsd:double form is `"3.225E1"`;
//! and types a boolean as `xsd:boolean` even where the context coerces it to another datatype
//! (OB's `hashed` names `https://www.w3.org/2001/XMLSchema#boolean`).
#![allow(clippy::unwrap_used)]

mod common;

use common::generate;
use common::{block_on, json, read};
use rand::{SeedableRng, rngs::StdRng};
use serde_json::{Value, json};
use ssi_json_ld::{CompactJsonLd, Expandable};
use ssi_rdf::AnyLdEnvironment;
use vc_schemas::{
    canon::Canonicalizer,
    did::{OfflineResolver, Purpose},
    key::Ed25519Key,
    proof::{
        data_integrity::{self, ProofOptions},
        ssi_suite,
    },
};

fn ours(doc: &Value) -> Vec<String> {
    block_on(Canonicalizer::global().nquads(doc)).unwrap()
}

fn ssi_canon(doc: &Value) -> Vec<String> {
    let v: ssi_json_ld::syntax::Value = serde_json::from_value(doc.clone()).unwrap();
    let expanded = block_on(CompactJsonLd(v).expand(vc_schemas::context::loader())).unwrap();
    ssi_rdf::LdEnvironment::default().canonical_form_of(&expanded).unwrap()
}

fn lines(text: &str) -> Vec<String> {
    text.lines().filter(|l| !l.is_empty()).map(|l| format!("{l}\n")).collect()
}

#[test]
fn w3c_vector_canonical_forms_match() {
    let dir = "w3c-vc-di-eddsa/TestVectors/eddsa-rdfc-2022";
    let unsigned = json("w3c-vc-di-eddsa/TestVectors/unsigned.json");
    assert_eq!(ours(&unsigned), lines(&read(&format!("{dir}/canonDocDataInt.txt"))));
    let config = json(&format!("{dir}/proofConfigDataInt.json"));
    assert_eq!(ours(&config), lines(&read(&format!("{dir}/proofCanonDataInt.txt"))));
}

#[test]
fn ob_vector_canonical_forms_match() {
    let dir = "openbadges-3.0/test-vectors/ldp-eddsa-rdfc-2022";
    let unsigned = json(&format!("{dir}/unsigned-credential.json"));
    assert_eq!(ours(&unsigned), lines(&read(&format!("{dir}/document-canon.txt"))));
    let mut config = json(&format!("{dir}/proof-config.json"));
    config["@context"] = unsigned["@context"].clone();
    assert_eq!(ours(&config), lines(&read(&format!("{dir}/proof-canon.txt"))));
}

#[test]
fn self_issued_badge_keeps_both_types_of_the_shared_node() {
    let mut doc = json("openbadges-3.0/examples/basic-openbadgecredential.json");
    doc["issuer"]["id"] = json!("did:example:alice");
    doc["credentialSubject"]["id"] = json!("did:example:alice");
    let canon = ours(&doc).concat();
    assert!(canon.contains("<did:example:alice> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Profile>"));
    assert!(canon.contains("<did:example:alice> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementSubject>"));
    assert_eq!(ours(&doc), ssi_canon(&doc));
}

/// Whether ssi is known to canonicalize `doc` differently from JSON-LD 1.1 (see module doc).
fn ssi_diverges(doc: &Value) -> bool {
    fn odd_literal(v: &Value) -> bool {
        match v {
            Value::Number(n) => !(n.is_i64() || n.is_u64()),
            Value::Bool(_) => true,
            Value::Array(a) => a.iter().any(odd_literal),
            Value::Object(o) => o.values().any(odd_literal),
            _ => false,
        }
    }
    doc.to_string().contains("\"allowedValue\"") || odd_literal(doc)
}

#[test]
fn own_path_matches_ssi_on_generated_credentials() {
    let mut rng = StdRng::seed_from_u64(0xBAD6E);
    let keys: Vec<Ed25519Key> = (1..=5).map(|i| Ed25519Key::did_key_from_seed(&[i; 32])).collect();
    let created = "2025-06-01T10:00:00Z".parse().unwrap();
    let resolver = OfflineResolver::default();
    let (mut identical, mut divergent) = (0, 0);
    for i in 0..60 {
        let mut doc = generate(&mut rng);
        let key = &keys[i % keys.len()];
        doc["issuer"]["id"] = json!(key.controller());
        let options = ProofOptions::assertion(created);
        let mine = block_on(data_integrity::sign(&doc, key, &options)).unwrap();
        let signed = data_integrity::attach(&doc, mine.clone());
        let outcomes =
            block_on(data_integrity::verify(&signed, Purpose::AssertionMethod, &resolver)).unwrap();
        assert!(outcomes[0].is_valid(), "#{i}: {outcomes:?}");
        if ssi_diverges(&doc) {
            divergent += 1;
            continue;
        }
        let (a, b) = (ours(&doc), ssi_canon(&doc));
        let only_ours: Vec<_> = a.iter().filter(|l| !b.contains(l)).collect();
        let only_ssi: Vec<_> = b.iter().filter(|l| !a.contains(l)).collect();
        assert_eq!(a, b, "#{i} canonical form: only ours {only_ours:?}, only ssi {only_ssi:?}");
        let theirs = block_on(ssi_suite::sign(&doc, key, &options)).unwrap();
        assert_eq!(mine, theirs, "#{i} proof");
        identical += 1;
    }
    assert!(identical >= 15 && divergent >= 5, "{identical} identical, {divergent} divergent");
}

#[test]
fn every_official_example_signs_identically_when_it_has_no_list() {
    let key = Ed25519Key::did_key_from_seed(&[9; 32]);
    let options = ProofOptions::assertion("2024-01-01T00:00:00Z".parse().unwrap());
    for entry in std::fs::read_dir(common::specs().join("openbadges-3.0/examples")).unwrap() {
        let path = entry.unwrap().path();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if doc.get("@context").is_none() || ssi_diverges(&doc) {
            continue;
        }
        let mine = block_on(data_integrity::sign(&doc, &key, &options)).unwrap();
        let theirs = block_on(ssi_suite::sign(&doc, &key, &options)).unwrap();
        assert_eq!(mine, theirs, "{}", path.display());
    }
}
