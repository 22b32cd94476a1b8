//! Properties of the gossip and catch-up decoders, on any input a peer can send: an error or a
//! value, never a panic; nothing unsigned is ever accepted; catch-up asks only for what is
//! newer, and never for more than one round may carry.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use badgemesh_node::{
    p2p::{
        message::{self, Message, Verdict},
        sync::{self, Head, Request, Response},
    },
    store::held::Kind,
};
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just("BitstringStatusListCredential".to_owned()),
            Just("VerifiableCredential".to_owned()),
            Just("2026-01-01T00:00:00Z".to_owned()),
            Just("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK".to_owned()),
            ".{0,10}"
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("type".to_owned()),
                    Just("issuer".to_owned()),
                    Just("validFrom".to_owned()),
                    Just("credentialSubject".to_owned()),
                    Just("proof".to_owned()),
                    Just("id".to_owned()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_kind() -> impl Strategy<Value = Kind> {
    prop_oneof![Just(Kind::StatusList), Just(Kind::Announcement), Just(Kind::Endorsement)]
}

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_decode_to_a_message_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(m) = Message::from_bytes(&bytes) {
            prop_assert_eq!(Message::from_bytes(&m.to_bytes()).unwrap(), m);
        }
        let _ = serde_json::from_slice::<Request>(&bytes);
        let _ = serde_json::from_slice::<Response>(&bytes);
    }

    #[test]
    fn unsigned_documents_are_never_accepted(kind in arb_kind(), credential in arb_json()) {
        let message = Message { kind, credential };
        let verdict = futures::executor::block_on(message::judge(&message, None, Utc::now()));
        prop_assert!(!matches!(verdict, Verdict::Accept(_)), "{:?}", message);
        // And the message survives the wire unchanged, so peers judge what was sent.
        prop_assert_eq!(Message::from_bytes(&message.to_bytes()).unwrap(), message);
    }

    #[test]
    fn catch_up_wants_only_newer_or_unknown_documents_and_at_most_one_round(
        theirs in prop::collection::vec((arb_kind(), 0u8..40, 0i64..5), 0..200),
        ours in prop::collection::vec((arb_kind(), 0u8..40, 0i64..5), 0..100),
    ) {
        let ours: sync::Heads =
            ours.into_iter().map(|(k, id, t)| ((k, id.to_string()), at(t))).collect();
        let theirs: Vec<Head> = theirs
            .into_iter()
            .map(|(kind, id, t)| Head { kind, id: id.to_string(), valid_from: at(t) })
            .collect();
        let wanted = sync::wanted(&theirs, &ours);
        prop_assert!(wanted.len() <= sync::MAX_GET);
        let newest: HashMap<(Kind, String), DateTime<Utc>> =
            theirs.iter().fold(HashMap::new(), |mut m, h| {
                let e = m.entry((h.kind, h.id.clone())).or_insert(h.valid_from);
                *e = (*e).max(h.valid_from);
                m
            });
        for key in &wanted {
            let theirs_at = newest[key];
            prop_assert!(ours.get(key).is_none_or(|o| *o < theirs_at), "{:?} is not newer", key);
        }
    }
}

#[test]
fn an_oversize_message_is_refused_before_it_is_parsed() {
    let huge = json!({"kind": "statusList", "credential": {"pad": "x".repeat(2 << 20)}});
    let err = Message::from_bytes(&serde_json::to_vec(&huge).unwrap()).unwrap_err();
    assert!(err.contains("limit"), "{err}");
}
