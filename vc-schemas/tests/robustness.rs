//! Bad input gets an answer, never a panic: arbitrary text, arbitrary JSON, corrupted tokens and
//! corrupted signed credentials all come back as reports, and a corrupted credential is valid
//! only when the corruption did not change its JSON.
#![allow(clippy::unwrap_used)]

mod common;

use common::{block_on, json};
use proptest::prelude::*;
use serde_json::Value;
use vc_schemas::{
    did::OfflineResolver,
    issue::{self, Format},
    key::Ed25519Key,
    proof::jwt,
    status_list::StatusEntry,
    verify::{self, Options, Outcome},
};

fn check(text: &str) -> Outcome {
    let resolver = OfflineResolver::default();
    let opts = Options {
        now: chrono::Utc::now(),
        resolver: &resolver,
        status_lists: &[],
        challenge: Some("c"),
        domain: None,
    };
    block_on(verify::verify_text(text, &opts)).outcome
}

fn signed(format: Format) -> String {
    let key = Ed25519Key::did_key_from_seed(&[3; 32]);
    let doc = json("openbadges-3.0/examples/basic-openbadgecredential.json");
    let prepared =
        issue::prepare(&doc, key.controller(), "urn:uuid:r", chrono::Utc::now()).unwrap();
    match block_on(issue::sign(&prepared, &key, format, chrono::Utc::now())).unwrap() {
        Value::String(token) => token,
        doc => doc.to_string(),
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        prop_oneof![
            Just("VerifiableCredential".to_owned()),
            Just("https://www.w3.org/ns/credentials/v2".to_owned()),
            Just("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2".to_owned()),
            ".{0,12}"
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("@context".to_owned()),
                    Just("type".to_owned()),
                    Just("proof".to_owned()),
                    Just("issuer".to_owned()),
                    Just("credentialSubject".to_owned()),
                    Just("credentialStatus".to_owned()),
                    Just("verifiableCredential".to_owned()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_is_answered(text in ".{0,200}") {
        let _ = check(&text);
    }

    #[test]
    fn arbitrary_json_is_answered(doc in arb_json()) {
        let _ = check(&doc.to_string());
    }

    #[test]
    fn arbitrary_status_entries_never_panic(doc in arb_json()) {
        let _ = StatusEntry::from_json(&doc);
    }

    #[test]
    fn corrupted_tokens_are_never_valid(at in 0usize..4000, byte in 1u8..=255) {
        let token = signed(Format::Jwt);
        let mut bytes = token.into_bytes();
        let i = at % bytes.len();
        bytes[i] ^= byte;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = jwt::decode(&text);
        prop_assert_ne!(check(&text), Outcome::Valid);
    }

    #[test]
    fn corrupted_credentials_are_valid_only_if_unchanged(at in 0usize..4000, byte in 1u8..=255) {
        let original = signed(Format::DataIntegrity);
        let mut bytes = original.clone().into_bytes();
        let i = at % bytes.len();
        bytes[i] ^= byte;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let same = serde_json::from_str::<Value>(&text).ok() == serde_json::from_str::<Value>(&original).ok();
        if check(&text) == Outcome::Valid {
            prop_assert!(same, "a changed credential verified: {text}");
        }
    }
}
