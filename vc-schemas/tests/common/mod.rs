//! Shared helpers: the official files under `../shared/specs` (never hand-copied JSON).
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::PathBuf;

use serde_json::{Value, json};
use vc_schemas::did::{ControllerDocument, OfflineResolver};

/// `../shared/specs` beside the repository (or `BADGEMESH_SPECS`).
pub fn specs() -> PathBuf {
    std::env::var_os("BADGEMESH_SPECS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs"),
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
            ControllerDocument(json!({
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
