//! Gossip messages and the judgment made on each before it is stored or forwarded. No I/O:
//! the swarm task feeds bytes in and acts on the [`Verdict`].
//!
//! A status list message carries the issuer-signed list credential and nothing else: anyone may
//! relay it, nobody can alter it, and its order against other versions is its signed
//! `validFrom`. A message is *rejected* (the sender is penalised) when it is oversize, not JSON of
//! a known kind, not a well-formed list, not validly signed by its issuer's DID, or claims a list
//! id held for another issuer; it is *ignored* (dropped without blame) when the same or a newer
//! version is already held.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vc_schemas::{
    did::OfflineResolver,
    model::types_of,
    status_list::StatusList,
    verify::{self, Options, Outcome, Status},
};

use crate::store::held::HeldList;

/// The status list topic (versioned: a new message format gets a new topic).
pub const STATUS_TOPIC: &str = "/badgemesh/1/status";

/// Largest message accepted: a 131,072-entry list compresses to a few hundred bytes when sparse
/// and at most ~22 KB base64 when random; 64 KiB leaves room for bigger lists, not for abuse.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Most entries a gossiped list may expand to (16 × the spec's minimum size).
pub const MAX_LIST_ENTRIES: usize = 16 * 131_072;

/// How far in the future a list's `validFrom` may be (clock skew between honest nodes).
const MAX_SKEW: Duration = Duration::minutes(5);

/// A gossip message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum Message {
    /// A signed `BitstringStatusListCredential`.
    StatusList {
        /// The list credential.
        credential: Value,
    },
}

impl Message {
    /// Wire bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses wire bytes, refusing oversize input before reading it.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return Err(format!("{} bytes, over the {MAX_MESSAGE_BYTES}-byte limit", bytes.len()));
        }
        serde_json::from_slice(bytes).map_err(|e| format!("not a gossip message: {e}"))
    }
}

/// What to do with a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Store it and let gossipsub forward it.
    Accept(Box<HeldList>),
    /// Drop it, no blame (stale or duplicate).
    Ignore(String),
    /// Drop it and penalise the sender.
    Reject(String),
}

/// The facts of a list credential, read before any signature work.
#[derive(Debug)]
struct Facts {
    id: String,
    issuer: String,
    valid_from: DateTime<Utc>,
}

fn facts(credential: &Value, now: DateTime<Utc>) -> Result<Facts, String> {
    if !types_of(credential).iter().any(|t| t == "BitstringStatusListCredential") {
        return Err("not a BitstringStatusListCredential".into());
    }
    let id = credential["id"].as_str().ok_or("the list has no id")?.to_owned();
    let issuer = match &credential["issuer"] {
        Value::String(s) => s.clone(),
        Value::Object(p) => p.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
        _ => String::new(),
    };
    if !issuer.starts_with("did:") {
        return Err("the list's issuer is not a DID".into());
    }
    let valid_from: DateTime<Utc> = credential["validFrom"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .ok_or("the list has no valid validFrom")?
        .with_timezone(&Utc);
    if valid_from > now + MAX_SKEW {
        return Err(format!("validFrom {valid_from} is in the future"));
    }
    let encoded =
        credential["credentialSubject"]["encodedList"].as_str().ok_or("the list has no bits")?;
    let bits = StatusList::decode(encoded).map_err(|e| e.to_string())?;
    if bits.len() > MAX_LIST_ENTRIES {
        return Err(format!("{} entries, over {MAX_LIST_ENTRIES}", bits.len()));
    }
    Ok(Facts { id, issuer, valid_from })
}

/// Judges a list credential against the version held for its id (`None`: none held).
pub async fn judge_list(
    credential: &Value,
    held: Option<&HeldList>,
    now: DateTime<Utc>,
) -> Verdict {
    let f = match facts(credential, now) {
        Ok(f) => f,
        Err(why) => return Verdict::Reject(why),
    };
    if let Some(h) = held {
        if h.issuer != f.issuer {
            return Verdict::Reject(format!(
                "list {} belongs to {}, not {}",
                f.id, h.issuer, f.issuer
            ));
        }
        if h.valid_from >= f.valid_from {
            return Verdict::Ignore(format!(
                "list {} of {} is not newer than the one held",
                f.id, f.valid_from
            ));
        }
    }
    let resolver = OfflineResolver::default();
    let opts =
        Options { now, resolver: &resolver, status_lists: &[], challenge: None, domain: None };
    let report = verify::verify_credential(credential, &opts).await;
    // The list's own status (it has none) and validity window (judged at use) do not count here.
    let signed = report.outcome != Outcome::Invalid
        && ["proof", "issuer"]
            .iter()
            .all(|n| report.check(n).is_some_and(|c| c.status == Status::Ok));
    if !signed {
        let why: Vec<String> = report
            .checks
            .iter()
            .filter(|c| c.status == Status::Failed || c.unknown)
            .map(|c| format!("{}: {}", c.name, c.reason))
            .collect();
        return Verdict::Reject(format!("list {} is not validly signed: {}", f.id, why.join("; ")));
    }
    Verdict::Accept(Box::new(HeldList {
        id: f.id,
        issuer: f.issuer,
        valid_from: f.valid_from,
        received: now,
        credential: credential.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use futures::executor::block_on;
    use serde_json::json;
    use vc_schemas::{
        issue::{self, Format},
        key::Ed25519Key,
        status_list::list_credential,
    };

    use super::*;

    fn signed(key: &Ed25519Key, id: &str, valid_from: DateTime<Utc>, set: &[usize]) -> Value {
        let mut bits = StatusList::new(131_072).unwrap();
        for &i in set {
            bits.set(i, true).unwrap();
        }
        let unsigned = list_credential(id, key.controller(), "revocation", &bits, valid_from);
        block_on(issue::sign(&unsigned, key, Format::DataIntegrity, valid_from)).unwrap()
    }

    fn accept(v: Verdict) -> HeldList {
        match v {
            Verdict::Accept(h) => *h,
            other => panic!("expected Accept, got {other:?}"),
        }
    }

    #[test]
    fn a_newer_signed_list_is_accepted_and_an_older_or_equal_one_ignored() {
        let key = Ed25519Key::did_key_from_seed(&[7; 32]);
        let now = Utc::now();
        let t1 = now - Duration::seconds(10);
        let v1 = signed(&key, "https://a.example/status/r1", t1, &[3]);
        let held = accept(block_on(judge_list(&v1, None, now)));
        assert_eq!(held.issuer, key.controller());
        let v2 = signed(&key, "https://a.example/status/r1", t1 + Duration::seconds(1), &[3, 9]);
        accept(block_on(judge_list(&v2, Some(&held), now)));
        assert!(matches!(block_on(judge_list(&v1, Some(&held), now)), Verdict::Ignore(_)));
        let held2 = accept(block_on(judge_list(&v2, None, now)));
        assert!(
            matches!(block_on(judge_list(&v1, Some(&held2), now)), Verdict::Ignore(_)),
            "no rollback"
        );
    }

    #[test]
    fn forged_foreign_and_malformed_lists_are_rejected() {
        let key = Ed25519Key::did_key_from_seed(&[7; 32]);
        let mallory = Ed25519Key::did_key_from_seed(&[9; 32]);
        let now = Utc::now();
        let t = now - Duration::seconds(10);
        let good = signed(&key, "https://a.example/status/r1", t, &[]);
        let held = accept(block_on(judge_list(&good, None, now)));

        let mut tampered =
            signed(&key, "https://a.example/status/r1", t + Duration::seconds(1), &[]);
        tampered["credentialSubject"]["encodedList"] =
            json!(StatusList::new(131_072).unwrap().encode().replace('A', "B"));
        assert!(matches!(block_on(judge_list(&tampered, Some(&held), now)), Verdict::Reject(_)));

        // Mallory signs her own list under the same id: another owner.
        let theirs =
            signed(&mallory, "https://a.example/status/r1", t + Duration::seconds(2), &[1]);
        assert!(matches!(block_on(judge_list(&theirs, Some(&held), now)), Verdict::Reject(_)));

        // Claims to be the issuer's, signed by Mallory.
        let mut forged = signed(&mallory, "https://a.example/status/r2", t, &[1]);
        forged["issuer"] = json!(key.controller());
        assert!(matches!(block_on(judge_list(&forged, None, now)), Verdict::Reject(_)));

        let future = signed(&key, "https://a.example/status/r3", now + Duration::hours(1), &[]);
        assert!(matches!(block_on(judge_list(&future, None, now)), Verdict::Reject(_)));
        assert!(matches!(
            block_on(judge_list(&json!({"type": "VerifiableCredential"}), None, now)),
            Verdict::Reject(_)
        ));
    }

    #[test]
    fn messages_are_bounded_and_typed() {
        assert!(Message::from_bytes(&vec![b' '; MAX_MESSAGE_BYTES + 1]).is_err());
        assert!(Message::from_bytes(b"\x00\xffgarbage").is_err());
        assert!(Message::from_bytes(br#"{"kind":"somethingElse"}"#).is_err());
        let m = Message::StatusList { credential: json!({"id": "x"}) };
        assert_eq!(Message::from_bytes(&m.to_bytes()).unwrap(), m);
    }
}
