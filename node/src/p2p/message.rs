//! Gossip messages and the judgment made on each before it is stored or forwarded. No I/O:
//! the swarm task feeds bytes in and acts on the [`Verdict`].
//!
//! Every message carries one credential signed by its issuer and nothing else: anyone may relay
//! it, nobody can alter it, and its order against other versions is its signed `validFrom`.
//! Three kinds, one topic each: status lists (keyed by list id), node announcements (a DID says
//! where its node can be reached; keyed by the DID, which must be both issuer and subject) and
//! endorsements (keyed by credential id). A message is *rejected* (the sender is penalised) when
//! it is oversize, not JSON of a known kind, malformed for its kind, not validly signed by its
//! issuer's DID, or claims a key held for another issuer; it is *ignored* (dropped without
//! blame) when the same or a newer version is already held.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vc_schemas::{
    did::OfflineResolver,
    model::types_of,
    status_list::StatusList,
    verify::{self, Options, Status},
};

use crate::store::held::{Held, Kind};

/// The status list topic (versioned: a new message format gets a new topic).
pub const STATUS_TOPIC: &str = "/badgemesh/1/status";
/// The node announcement topic.
pub const ISSUERS_TOPIC: &str = "/badgemesh/1/issuers";
/// The endorsement topic.
pub const ENDORSEMENTS_TOPIC: &str = "/badgemesh/1/endorsements";

/// The credential type of a node announcement.
pub const ANNOUNCEMENT_TYPE: &str = "BadgemeshNodeAnnouncement";

/// Largest message accepted: a 131,072-entry list compresses to a few hundred bytes when sparse
/// and at most ~22 KB base64 when random; 64 KiB leaves room for bigger lists, not for abuse.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Most entries a gossiped list may expand to (16 × the spec's minimum size).
pub const MAX_LIST_ENTRIES: usize = 16 * 131_072;

/// How far in the future a list's `validFrom` may be (clock skew between honest nodes).
const MAX_SKEW: Duration = Duration::minutes(5);

/// A gossip message: a kind and a signed credential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Message {
    /// What the credential is.
    pub kind: Kind,
    /// The credential.
    pub credential: Value,
}

impl Message {
    /// A status list message.
    pub fn status_list(credential: Value) -> Self {
        Self { kind: Kind::StatusList, credential }
    }

    /// The topic this message travels on.
    pub fn topic(&self) -> &'static str {
        topic_of(self.kind)
    }

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

/// The topic of a kind.
pub fn topic_of(kind: Kind) -> &'static str {
    match kind {
        Kind::StatusList => STATUS_TOPIC,
        Kind::Announcement => ISSUERS_TOPIC,
        Kind::Endorsement => ENDORSEMENTS_TOPIC,
    }
}

/// What to do with a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Store it and let gossipsub forward it.
    Accept(Box<Held>),
    /// Drop it, no blame (stale or duplicate).
    Ignore(String),
    /// Drop it and penalise the sender.
    Reject(String),
}

/// The facts of a credential, read before any signature work.
#[derive(Debug)]
struct Facts {
    key: String,
    issuer: String,
    valid_from: DateTime<Utc>,
}

fn issuer_of(credential: &Value) -> String {
    match &credential["issuer"] {
        Value::String(s) => s.clone(),
        Value::Object(p) => p.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
        _ => String::new(),
    }
}

fn facts(kind: Kind, credential: &Value, now: DateTime<Utc>) -> Result<Facts, String> {
    let issuer = issuer_of(credential);
    if !issuer.starts_with("did:") {
        return Err("the issuer is not a DID".into());
    }
    let valid_from: DateTime<Utc> = credential["validFrom"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .ok_or("no valid validFrom")?
        .with_timezone(&Utc);
    if valid_from > now + MAX_SKEW {
        return Err(format!("validFrom {valid_from} is in the future"));
    }
    let types = types_of(credential);
    let has = |t: &str| types.iter().any(|x| x == t);
    let key = match kind {
        Kind::StatusList => {
            if !has("BitstringStatusListCredential") {
                return Err("not a BitstringStatusListCredential".into());
            }
            let encoded = credential["credentialSubject"]["encodedList"]
                .as_str()
                .ok_or("the list has no bits")?;
            let bits = StatusList::decode(encoded).map_err(|e| e.to_string())?;
            if bits.len() > MAX_LIST_ENTRIES {
                return Err(format!("{} entries, over {MAX_LIST_ENTRIES}", bits.len()));
            }
            credential["id"].as_str().ok_or("the list has no id")?.to_owned()
        }
        Kind::Announcement => {
            if !has(ANNOUNCEMENT_TYPE) {
                return Err(format!("not a {ANNOUNCEMENT_TYPE}"));
            }
            if credential["credentialSubject"]["id"].as_str() != Some(issuer.as_str()) {
                return Err("an announcement's subject must be its issuer".into());
            }
            issuer.clone()
        }
        Kind::Endorsement => {
            if !has("EndorsementCredential") {
                return Err("not an EndorsementCredential".into());
            }
            credential["id"].as_str().ok_or("the endorsement has no id")?.to_owned()
        }
    };
    Ok(Facts { key, issuer, valid_from })
}

/// The key a message is held under, if it has one (read without judging it).
pub fn key_of(message: &Message) -> Option<String> {
    let c = &message.credential;
    match message.kind {
        Kind::StatusList | Kind::Endorsement => c["id"].as_str().map(str::to_owned),
        Kind::Announcement => Some(issuer_of(c)).filter(|i| !i.is_empty()),
    }
}

/// Judges a message against the version held for its key (`None`: none held).
pub async fn judge(message: &Message, held: Option<&Held>, now: DateTime<Utc>) -> Verdict {
    let credential = &message.credential;
    let f = match facts(message.kind, credential, now) {
        Ok(f) => f,
        Err(why) => return Verdict::Reject(why),
    };
    if let Some(h) = held {
        if h.issuer != f.issuer {
            return Verdict::Reject(format!("{} belongs to {}, not {}", f.key, h.issuer, f.issuer));
        }
        if h.valid_from >= f.valid_from {
            return Verdict::Ignore(format!(
                "{} of {} is not newer than the one held",
                f.key, f.valid_from
            ));
        }
    }
    let resolver = OfflineResolver::default();
    let opts =
        Options { now, resolver: &resolver, status_lists: &[], challenge: None, domain: None };
    let report = verify::verify_credential(credential, &opts).await;
    // Signature and issuer binding decide; an endorsement must also fit its 1EdTech schema. Its
    // own status and validity window are judged when it is used, not when it travels.
    let ok = |n: &str| report.check(n).is_some_and(|c| c.status == Status::Ok);
    let schema_failed = report.check("schema").is_some_and(|c| c.status == Status::Failed);
    if !(ok("proof") && ok("issuer")) || schema_failed {
        let why: Vec<String> = report
            .checks
            .iter()
            .filter(|c| c.status == Status::Failed || c.unknown)
            .map(|c| format!("{}: {}", c.name, c.reason))
            .collect();
        return Verdict::Reject(format!("{} is not validly signed: {}", f.key, why.join("; ")));
    }
    Verdict::Accept(Box::new(Held {
        kind: message.kind,
        id: f.key,
        issuer: f.issuer,
        valid_from: f.valid_from,
        received: now,
        credential: credential.clone(),
    }))
}

/// Judges a status list credential (see [`judge`]).
pub async fn judge_list(credential: &Value, held: Option<&Held>, now: DateTime<Utc>) -> Verdict {
    judge(&Message::status_list(credential.clone()), held, now).await
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

    fn accept(v: Verdict) -> Held {
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
        assert!(Message::from_bytes(br#"{"kind":"somethingElse","credential":{}}"#).is_err());
        let m = Message::status_list(json!({"id": "x"}));
        assert_eq!(
            String::from_utf8(m.to_bytes()).unwrap(),
            r#"{"kind":"statusList","credential":{"id":"x"}}"#
        );
        assert_eq!(Message::from_bytes(&m.to_bytes()).unwrap(), m);
    }
}
