//! Shared helpers: the official files under `tests/specs` (copied byte for byte with their
//! origin in `tests/specs/SOURCES.md`; never hand-written JSON).
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::PathBuf;

use rand::{Rng, rngs::StdRng, seq::SliceRandom};
use serde_json::{Value, json};
use vc_schemas::did::{ControllerDocument, OfflineResolver};

/// The OB 3.0 specification's example credentials (`openbadges-3.0/examples`), by file stem.
pub const OB_EXAMPLES: &[&str] = &[
    "achievement-alignment-case",
    "achievement-alignment-credential-engine",
    "basic-openbadgecredential",
    "complete-openbadgecredential",
    "docformat-sample-openbadgecredential",
    "skill-assertion-case",
    "skill-assertion-ctdl",
];

/// The official files kept in the repository (`vc-schemas/tests/specs`), or `BADGEMESH_SPECS`.
pub fn specs() -> PathBuf {
    std::env::var_os("BADGEMESH_SPECS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/specs"),
        PathBuf::from,
    )
}

pub fn read(rel: &str) -> String {
    let path = specs().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn json(rel: &str) -> Value {
    serde_json::from_str(&read(rel)).unwrap()
}

/// A resolver that knows the controller documents the 1EdTech samples' https issuers publish:
/// each names one Multikey, the key in the method's fragment, for assertions. The samples were
/// signed by the validator's test key, whose public half is in that fragment.
pub fn sample_resolver(methods: &[&str]) -> OfflineResolver {
    let mut r = OfflineResolver::default();
    for vm in methods {
        let (controller, fragment) = vm.split_once('#').unwrap();
        r.pin(
            controller,
            ControllerDocument::new(json!({
                "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
                "id": controller,
                "verificationMethod": [{"id": vm, "type": "Multikey", "controller": controller, "publicKeyMultibase": fragment}],
                "assertionMethod": [vm],
                "authentication": [vm]
            })),
        );
    }
    r
}

/// Verification methods of every proof in a document.
pub fn methods_of(doc: &Value) -> Vec<String> {
    vc_schemas::proof::data_integrity::proofs_of(doc)
        .iter()
        .filter_map(|p| p["verificationMethod"].as_str().map(str::to_owned))
        .collect()
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

/// A varied OB 3.0 credential: optional members in and out, unicode and escapes, floats,
/// duplicate array values, subjects with and without ids, status entries, evidence.
pub fn generate(rng: &mut StdRng) -> Value {
    let bases = [
        "complete-openbadgecredential",
        "basic-openbadgecredential",
        "skill-assertion-case",
        "achievement-alignment-credential-engine",
    ];
    let mut doc = json(&format!("openbadges-3.0/examples/{}.json", bases.choose(rng).unwrap()));
    let words = [
        "Teamwork",
        "Bäckerei ✓",
        "line\nbreak",
        "quote \" and \\ slash",
        "日本語",
        "emoji 🎓",
        "",
    ];
    let word = |rng: &mut StdRng| (*words.choose(rng).unwrap()).to_owned();
    doc["name"] = json!(word(rng));
    doc["credentialSubject"]["achievement"]["name"] = json!(word(rng));
    doc["credentialSubject"]["achievement"]["tag"] = json!([word(rng), word(rng), "dup", "dup"]);
    if rng.gen_bool(0.5) {
        let credits = rng.gen_range(0..400);
        doc["credentialSubject"]["creditsEarned"] =
            if rng.gen_bool(0.5) { json!(credits) } else { json!(f64::from(credits) / 8.0) };
    }
    if rng.gen_bool(0.3) {
        let subject = doc["credentialSubject"].as_object_mut().unwrap();
        subject.remove("id");
        subject.insert("identifier".into(), json!([{"type": "IdentityObject", "hashed": true, "identityHash": "sha256$00", "identityType": "emailAddress", "salt": word(rng)}]));
    }
    if rng.gen_bool(0.4) {
        doc["credentialStatus"] = json!({"id": "https://issuer.example/status/1#7", "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": rng.gen_range(0..131072).to_string(), "statusListCredential": "https://issuer.example/status/1"});
    }
    if rng.gen_bool(0.4) {
        doc["evidence"] = json!([{"id": "https://evidence.example/1", "type": ["Evidence"], "narrative": word(rng), "name": word(rng)}]);
    }
    if rng.gen_bool(0.3) {
        doc.as_object_mut().unwrap().remove("description");
    }
    doc
}
