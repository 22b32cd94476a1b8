//! JSON-LD contexts embedded in the binary, and the loader that serves them.
//!
//! A verifier that fetches contexts can be steered by whoever controls the network, so this
//! crate knows exactly the contexts below and nothing else: an unknown URL fails expansion with
//! "Unknown context", which the verifier reports as "could not check". The files are copies of
//! `vc-schemas/tests/specs` made by `scripts/update-specs.sh`.

use std::{collections::HashMap, sync::LazyLock};

use ssi_json_ld::ContextLoader;

/// VCDM 2.0 base context.
pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// VCDM 1.1 base context (accepted on input for legacy OB 3.0 credentials).
pub const CREDENTIALS_V1: &str = "https://www.w3.org/2018/credentials/v1";
/// The Data Integrity context: VCDM 2.0 includes its terms; a VCDM 1.1 credential carrying a
/// `DataIntegrityProof` must name it.
pub const DATA_INTEGRITY_V2: &str = "https://w3id.org/security/data-integrity/v2";
/// The OB 3.0 context Badgemesh emits.
pub const OB_V3P0: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The 1EdTech extensions context (schema validator, revocation list, refresh types).
pub const OB_EXTENSIONS: &str = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json";

/// `(url, document)` for every embedded context.
pub const EMBEDDED: &[(&str, &str)] = &[
    (CREDENTIALS_V2, include_str!("../contexts/credentials-v2.jsonld")),
    (CREDENTIALS_V1, include_str!("../contexts/credentials-v1.jsonld")),
    (
        "https://www.w3.org/ns/credentials/examples/v2",
        include_str!("../contexts/credentials-examples-v2.jsonld"),
    ),
    (
        "https://www.w3.org/2018/credentials/examples/v1",
        include_str!("../contexts/credentials-examples-v1.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/undefined-terms/v2",
        include_str!("../contexts/credentials-undefined-terms-v2.jsonld"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        include_str!("../contexts/ob-v3p0-context.json"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        include_str!("../contexts/ob-v3p0-context-3.0.1.json"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        include_str!("../contexts/ob-v3p0-context-3.0.2.json"),
    ),
    (OB_V3P0, include_str!("../contexts/ob-v3p0-context-3.0.3.json")),
    (OB_EXTENSIONS, include_str!("../contexts/ob-v3p0-extensions.json")),
    ("https://www.w3.org/ns/credentials/status/v1", include_str!("../contexts/status-v1.jsonld")),
    (
        "https://w3id.org/vc/status-list/2021/v1",
        include_str!("../contexts/status-list-2021-v1.jsonld"),
    ),
    (
        "https://w3id.org/security/data-integrity/v1",
        include_str!("../contexts/data-integrity-v1.jsonld"),
    ),
    (DATA_INTEGRITY_V2, include_str!("../contexts/data-integrity-v2.jsonld")),
    ("https://w3id.org/security/multikey/v1", include_str!("../contexts/multikey-v1.jsonld")),
    ("https://w3id.org/security/jwk/v1", include_str!("../contexts/jwk-v1.jsonld")),
    (
        "https://w3id.org/security/suites/ed25519-2020/v1",
        include_str!("../contexts/ed25519-2020-v1.jsonld"),
    ),
    ("https://www.w3.org/ns/did/v1", include_str!("../contexts/did-v1.jsonld")),
];

/// Whether `url` names an embedded context.
pub fn is_known(url: &str) -> bool {
    EMBEDDED.iter().any(|(u, _)| *u == url)
}

/// The loader over [`EMBEDDED`] only (ssi's own static map is left out on purpose: it maps the
/// unversioned OB URL to a 2022 draft). Parsed once per process.
pub fn loader() -> &'static ContextLoader {
    static LOADER: LazyLock<ContextLoader> = LazyLock::new(|| {
        let map: HashMap<String, String> =
            EMBEDDED.iter().map(|(u, d)| ((*u).to_owned(), (*d).to_owned())).collect();
        #[allow(clippy::expect_used)] // the embedded files are tested to parse
        ContextLoader::empty().with_context_map_from(map).expect("embedded JSON-LD contexts parse")
    });
    &LOADER
}

/// The context URLs a document lists that are not embedded (inline context objects are
/// allowed and skipped here; expansion judges them).
pub fn unknown_contexts(doc: &serde_json::Value) -> Vec<String> {
    let urls: Vec<&serde_json::Value> = match doc.get("@context") {
        Some(serde_json::Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    urls.into_iter()
        .filter_map(serde_json::Value::as_str)
        .filter(|u| !is_known(u))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_context_is_json_with_a_context() {
        for (url, doc) in EMBEDDED {
            let v: serde_json::Value = serde_json::from_str(doc).unwrap();
            assert!(v.get("@context").is_some(), "{url}");
        }
        let _ = loader();
    }

    #[test]
    fn unknown_contexts_are_listed() {
        let doc = serde_json::json!({"@context": [CREDENTIALS_V2, "https://evil.example/ctx", {"x": "y"}]});
        assert_eq!(unknown_contexts(&doc), vec!["https://evil.example/ctx".to_owned()]);
    }
}
