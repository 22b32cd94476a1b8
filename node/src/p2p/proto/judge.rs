//! The judgment on one document, in two pure steps around the one expensive check:
//! [`screen`] decides everything that can be decided from the document and the held version
//! (shape, clock skew, owner, order), and [`Candidate::decide`] reads the signature
//! verification's report. The caller runs the verification in between, on whatever executor
//! suits CPU work, so this module never awaits.

use chrono::{DateTime, Duration, Utc};
use vc_schemas::{
    model::types_of,
    status_list::StatusList,
    verify::{Report, Status},
};

use super::{
    Kind,
    verdict::{Accepted, FailedCheck, Ignored, Malformed, Rejected, Verdict},
    wire::{Message, issuer_of},
};

/// Most entries a gossiped list may expand to (16 × the spec's minimum size).
pub const MAX_LIST_ENTRIES: usize = 16 * 131_072;

/// How far in the future a document's `validFrom` may be (clock skew between honest nodes).
pub const MAX_SKEW: Duration = Duration::minutes(5);

/// What the judgment needs of the version held for a key: who owns the key, and how new the
/// held version is. Plain values, so the protocol does not depend on how the store keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldVersion {
    /// The issuer of the held version.
    pub issuer: String,
    /// Its signed `validFrom`.
    pub valid_from: DateTime<Utc>,
}

/// The facts of a credential, read before any signature work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The key it is held under.
    pub key: String,
    /// Its issuer's DID.
    pub issuer: String,
    /// Its signed `validFrom`.
    pub valid_from: DateTime<Utc>,
}

/// What [`screen`] found.
#[derive(Debug)]
pub enum Screening<'a> {
    /// Decided without looking at the signature.
    Decided(Verdict),
    /// Well-formed and newer than what is held: the signature decides.
    CheckSignature(Candidate<'a>),
}

/// A document that passed [`screen`], waiting for its signature check.
#[derive(Debug)]
pub struct Candidate<'a> {
    message: &'a Message,
    facts: Facts,
}

/// Reads the facts of `credential` sent as `kind`; rejects what no honest node sends.
pub fn facts(
    kind: Kind,
    credential: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Facts, Rejected> {
    let issuer = issuer_of(credential);
    if !issuer.starts_with("did:") {
        return Err(Malformed::IssuerNotDid.into());
    }
    let valid_from: DateTime<Utc> = credential["validFrom"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .ok_or(Malformed::NoValidFrom)?
        .with_timezone(&Utc);
    if valid_from > now + MAX_SKEW {
        return Err(Rejected::TooFarInFuture { valid_from });
    }
    if !types_of(credential).iter().any(|t| t == kind.credential_type()) {
        return Err(Malformed::WrongType { expected: kind }.into());
    }
    let id = || credential["id"].as_str().map(str::to_owned).ok_or(Malformed::NoId { kind });
    let key = match kind {
        Kind::StatusList => {
            let encoded =
                credential["credentialSubject"]["encodedList"].as_str().ok_or(Malformed::NoBits)?;
            let bits = StatusList::decode(encoded).map_err(Malformed::BadBits)?;
            if bits.len() > MAX_LIST_ENTRIES {
                return Err(Malformed::TooManyEntries { entries: bits.len() }.into());
            }
            id()?
        }
        Kind::Announcement => {
            if credential["credentialSubject"]["id"].as_str() != Some(issuer.as_str()) {
                return Err(Malformed::SubjectNotIssuer.into());
            }
            issuer.clone()
        }
        Kind::Endorsement => id()?,
    };
    Ok(Facts { key, issuer, valid_from })
}

/// Judges `message` against the version held for its key (`None`: none held) as far as that
/// is possible without the signature: a malformed, future or foreign document is rejected, one
/// not newer than the held version ignored. Ordering comes before the signature check so a
/// flood of replays costs no signature work.
pub fn screen<'a>(
    message: &'a Message,
    held: Option<&HeldVersion>,
    now: DateTime<Utc>,
) -> Screening<'a> {
    let facts = match facts(message.kind, &message.credential, now) {
        Ok(f) => f,
        Err(why) => return Screening::Decided(Verdict::Reject(why)),
    };
    if let Some(h) = held {
        if h.issuer != facts.issuer {
            return Screening::Decided(Verdict::Reject(Rejected::KeyTakenByOtherIssuer {
                key: facts.key,
                held_by: h.issuer.clone(),
                claimed_by: facts.issuer,
            }));
        }
        if h.valid_from >= facts.valid_from {
            return Screening::Decided(Verdict::Ignore(Ignored::SameOrOlder {
                key: facts.key,
                valid_from: facts.valid_from,
            }));
        }
    }
    Screening::CheckSignature(Candidate { message, facts })
}

impl Candidate<'_> {
    /// The credential whose signature is to be checked.
    pub fn credential(&self) -> &serde_json::Value {
        &self.message.credential
    }

    /// The facts read from it.
    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// Decides on the verification `report` of [`Candidate::credential`]. Signature and issuer
    /// binding decide; an endorsement must also fit its 1EdTech schema. A document's own status
    /// and validity window are judged when it is used, not when it travels.
    pub fn decide(self, report: &Report) -> Verdict {
        let ok = |n: &str| report.check(n).is_some_and(|c| c.status == Status::Ok);
        let schema_failed = report.check("schema").is_some_and(|c| c.status == Status::Failed);
        let Facts { key, issuer, valid_from } = self.facts;
        if !(ok("proof") && ok("issuer")) || schema_failed {
            let failures = report
                .checks
                .iter()
                .filter(|c| c.status == Status::Failed || c.unknown)
                .map(|c| FailedCheck { name: c.name, reason: c.reason.clone() })
                .collect();
            return Verdict::Reject(Rejected::BadSignature { key, failures });
        }
        Verdict::Accept(Box::new(Accepted {
            kind: self.message.kind,
            key,
            issuer,
            valid_from,
            credential: self.message.credential.clone(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use vc_schemas::verify::{Check, Outcome};

    use super::*;

    const DID: &str = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    fn list(valid_from: DateTime<Utc>) -> Message {
        Message::status_list(json!({
            "id": "https://a.example/status/1",
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": DID,
            "validFrom": valid_from.to_rfc3339(),
            "credentialSubject": {"encodedList": StatusList::new(131_072).unwrap().encode()},
        }))
    }

    fn report(checks: &[(&'static str, Status)]) -> Report {
        let checks = checks
            .iter()
            .map(|&(name, status)| Check {
                name,
                status,
                reason: format!("{name} said so"),
                unknown: false,
            })
            .collect();
        Report {
            kind: "credential".into(),
            id: None,
            outcome: Outcome::Valid,
            checks,
            credentials: Vec::new(),
            endorsements: Vec::new(),
        }
    }

    #[test]
    fn a_well_formed_newer_document_waits_for_its_signature() {
        let m = list(at(100));
        let held = HeldVersion { issuer: DID.into(), valid_from: at(99) };
        let Screening::CheckSignature(c) = screen(&m, Some(&held), at(200)) else {
            panic!("expected a signature check")
        };
        assert_eq!(c.facts().key, "https://a.example/status/1");
        let ok =
            report(&[("proof", Status::Ok), ("issuer", Status::Ok), ("schema", Status::Skipped)]);
        let Verdict::Accept(a) = c.decide(&ok) else { panic!("expected Accept") };
        assert_eq!((a.kind, a.issuer.as_str(), a.valid_from), (Kind::StatusList, DID, at(100)));
        assert_eq!(a.credential, m.credential);
    }

    #[test]
    fn order_and_owner_are_decided_before_the_signature() {
        let m = list(at(100));
        for held_at in [100, 101] {
            let held = HeldVersion { issuer: DID.into(), valid_from: at(held_at) };
            assert!(matches!(
                screen(&m, Some(&held), at(200)),
                Screening::Decided(Verdict::Ignore(Ignored::SameOrOlder { .. }))
            ));
        }
        let theirs = HeldVersion { issuer: "did:key:other".into(), valid_from: at(1) };
        assert!(matches!(
            screen(&m, Some(&theirs), at(200)),
            Screening::Decided(Verdict::Reject(Rejected::KeyTakenByOtherIssuer { .. }))
        ));
    }

    #[test]
    fn a_failed_proof_or_schema_rejects() {
        let m = list(at(100));
        for checks in [
            vec![("proof", Status::Failed), ("issuer", Status::Ok)],
            vec![("proof", Status::Ok)],
            vec![("proof", Status::Ok), ("issuer", Status::Ok), ("schema", Status::Failed)],
        ] {
            let Screening::CheckSignature(c) = screen(&m, None, at(200)) else { panic!() };
            let v = c.decide(&report(&checks));
            assert!(matches!(v, Verdict::Reject(Rejected::BadSignature { .. })), "{checks:?}");
        }
    }

    #[test]
    fn malformed_documents_are_rejected_by_their_facts() {
        let now = at(1_000_000);
        let rejects = |kind, c: Value| facts(kind, &c, now).unwrap_err();
        let base = list(at(100)).credential;
        let with = |k: &str, v: Value| {
            let mut c = base.clone();
            c[k] = v;
            c
        };
        assert!(matches!(
            rejects(Kind::StatusList, with("issuer", json!("https://x"))),
            Rejected::Malformed(Malformed::IssuerNotDid)
        ));
        assert!(matches!(
            rejects(Kind::StatusList, with("validFrom", json!("yesterday"))),
            Rejected::Malformed(Malformed::NoValidFrom)
        ));
        let future = (now + MAX_SKEW + Duration::seconds(1)).to_rfc3339();
        assert!(matches!(
            rejects(Kind::StatusList, with("validFrom", json!(future))),
            Rejected::TooFarInFuture { .. }
        ));
        assert!(matches!(
            rejects(Kind::Endorsement, base.clone()),
            Rejected::Malformed(Malformed::WrongType { expected: Kind::Endorsement })
        ));
        assert!(matches!(
            rejects(Kind::StatusList, with("credentialSubject", json!({}))),
            Rejected::Malformed(Malformed::NoBits)
        ));
        assert!(matches!(
            rejects(Kind::StatusList, with("credentialSubject", json!({"encodedList": "uAAAA"}))),
            Rejected::Malformed(Malformed::BadBits(_))
        ));
        assert!(matches!(
            rejects(Kind::StatusList, with("id", Value::Null)),
            Rejected::Malformed(Malformed::NoId { kind: Kind::StatusList })
        ));
        let ann = json!({
            "type": ["VerifiableCredential", "BadgemeshNodeAnnouncement"],
            "issuer": DID, "validFrom": at(100).to_rfc3339(),
            "credentialSubject": {"id": "did:key:someoneElse"},
        });
        assert!(matches!(
            rejects(Kind::Announcement, ann),
            Rejected::Malformed(Malformed::SubjectNotIssuer)
        ));
    }
}
