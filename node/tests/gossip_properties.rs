//! Properties of the gossip and catch-up decoders, on any input a peer can send: an error or a
//! value, never a panic; nothing unsigned is ever accepted; catch-up asks only for what is
//! newer, and never for more than one round may carry.
#![allow(clippy::unwrap_used)]

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use badgemesh_node::p2p::{
    proto::{
        Head, Kind, Message, Rejected, Request, Response, Verdict, WireError,
        sync::{self, SyncPolicy},
    },
    validator,
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

fn arb_head() -> impl Strategy<Value = Head> {
    (arb_kind(), ".{0,12}", 0i64..4_000_000_000).prop_map(|(kind, id, t)| Head {
        kind,
        id,
        valid_from: at(t),
    })
}

fn arb_request() -> impl Strategy<Value = Request> {
    prop_oneof![
        Just(Request::Heads),
        prop::collection::vec((arb_kind(), ".{0,12}"), 0..8)
            .prop_map(|items| Request::Get { items }),
    ]
}

fn arb_response() -> impl Strategy<Value = Response> {
    prop_oneof![
        prop::collection::vec(arb_head(), 0..8).prop_map(|heads| Response::Heads { heads }),
        prop::collection::vec((arb_kind(), arb_json()), 0..4).prop_map(|m| Response::Docs {
            messages: m
                .into_iter()
                .map(|(kind, credential)| Message { kind, credential })
                .collect()
        }),
    ]
}

/// Bytes as a faulty or hostile peer might send them: flipped bits, truncated, or spliced.
fn perturb(bytes: Vec<u8>, how: (u8, usize, u8)) -> Vec<u8> {
    let (op, at, bit) = how;
    let mut b = bytes;
    if b.is_empty() {
        return b;
    }
    let i = at % b.len();
    match op % 3 {
        0 => b[i] ^= 1 << (bit % 8),
        1 => b.truncate(i),
        _ => b.insert(i, bit),
    }
    b
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
        let verdict = futures::executor::block_on(validator::judge(&message, None, Utc::now()));
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn catch_up_requests_and_answers_round_trip_and_perturbed_bytes_never_panic(
        request in arb_request(),
        response in arb_response(),
        how in (any::<u8>(), any::<usize>(), any::<u8>()),
    ) {
        let req = serde_json::to_vec(&request).unwrap();
        prop_assert_eq!(serde_json::from_slice::<Request>(&req).unwrap(), request);
        let resp = serde_json::to_vec(&response).unwrap();
        prop_assert_eq!(serde_json::from_slice::<Response>(&resp).unwrap(), response);
        // What survives perturbation decodes to a value that round-trips; the rest is an error.
        if let Ok(r) = serde_json::from_slice::<Request>(&perturb(req, how)) {
            let again = serde_json::to_vec(&r).unwrap();
            prop_assert_eq!(serde_json::from_slice::<Request>(&again).unwrap(), r);
        }
        if let Ok(r) = serde_json::from_slice::<Response>(&perturb(resp, how)) {
            let again = serde_json::to_vec(&r).unwrap();
            prop_assert_eq!(serde_json::from_slice::<Response>(&again).unwrap(), r);
        }
    }

    #[test]
    fn a_peer_is_asked_back_at_most_once_per_window(
        asks in prop::collection::vec((0u8..4, 0u64..3_000), 0..64),
    ) {
        let start = Instant::now();
        let mut policy = SyncPolicy::new();
        let mut last: HashMap<u8, u64> = HashMap::new();
        let mut times: Vec<(u8, u64)> = asks;
        times.sort_by_key(|&(_, t)| t);
        for (peer, ms) in times {
            let back = policy.on_heads_request(peer, start + Duration::from_millis(ms));
            let expected = last.get(&peer).is_none_or(|&t| ms - t > 1_000);
            prop_assert_eq!(back, expected);
            if back {
                last.insert(peer, ms);
            }
        }
    }
}

#[test]
fn an_oversize_message_is_refused_before_it_is_parsed() {
    let huge = json!({"kind": "statusList", "credential": {"pad": "x".repeat(2 << 20)}});
    let err = Message::from_bytes(&serde_json::to_vec(&huge).unwrap()).unwrap_err();
    assert!(matches!(err, WireError::Oversize { .. }), "{err}");
    assert!(err.to_string().contains("limit"), "{err}");
    assert!(matches!(Rejected::from(err), Rejected::Wire(WireError::Oversize { .. })));
}
