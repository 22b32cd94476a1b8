//! The typed outcome of judging one document: accept it, ignore it, or reject it, with the
//! reason as a value. The caller branches on the variant (reject penalises the sender, ignore
//! drops, accept stores and forwards); `Display` gives the reason in words for logs.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Kind, judge::MAX_LIST_ENTRIES, wire::WireError};

/// An error from outside the protocol (the caller's store), carried in an [`Ignored`] reason
/// without the protocol knowing its type.
pub type LocalError = Box<dyn std::error::Error + Send + Sync>;

/// What to do with a document.
#[derive(Debug)]
pub enum Verdict {
    /// Store it and let gossipsub forward it.
    Accept(Box<Accepted>),
    /// Drop it, no blame (stale, duplicate, or this node could not judge it).
    Ignore(Ignored),
    /// Drop it and penalise the sender.
    Reject(Rejected),
}

/// An accepted document: the facts it is held under, and the credential itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    /// What it is.
    pub kind: Kind,
    /// Its key: list id, announcing DID, endorsement id.
    pub key: String,
    /// Its issuer: the only DID whose later versions may replace it.
    pub issuer: String,
    /// Its signed `validFrom`: the version order.
    pub valid_from: DateTime<Utc>,
    /// The signed credential.
    pub credential: Value,
}

/// Why a document is rejected: the sender sent something no honest node would.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Rejected {
    /// The bytes are not a gossip message.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The credential does not have the shape its kind requires.
    #[error(transparent)]
    Malformed(#[from] Malformed),
    /// Its `validFrom` is further ahead of this node's clock than honest skew explains.
    #[error("validFrom {valid_from} is in the future")]
    TooFarInFuture {
        /// The claimed `validFrom`.
        valid_from: DateTime<Utc>,
    },
    /// The key is held for another issuer: nobody takes over someone else's list id or DID.
    #[error("{key} belongs to {held_by}, not {claimed_by}")]
    KeyTakenByOtherIssuer {
        /// The document's key.
        key: String,
        /// The issuer of the held version.
        held_by: String,
        /// The issuer this document names.
        claimed_by: String,
    },
    /// The signature or its binding to the issuer's DID does not hold (or an endorsement does
    /// not fit its schema).
    #[error("{key} is not validly signed: {}", join(failures))]
    BadSignature {
        /// The document's key.
        key: String,
        /// The checks that failed or could not be made.
        failures: Vec<FailedCheck>,
    },
}

/// How a credential fails the shape of its kind (read before any signature work).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Malformed {
    /// Neither an `id` nor an issuer to hold it under.
    #[error("the document has no key (id or issuer)")]
    NoKey,
    /// The issuer is missing or not a DID.
    #[error("the issuer is not a DID")]
    IssuerNotDid,
    /// `validFrom` is missing or not RFC 3339.
    #[error("no valid validFrom")]
    NoValidFrom,
    /// The credential lacks the `type` of its kind.
    #[error("not {} {}", article(expected.credential_type()), expected.credential_type())]
    WrongType {
        /// The kind it was sent as.
        expected: Kind,
    },
    /// A status list without `encodedList`.
    #[error("the list has no bits")]
    NoBits,
    /// `encodedList` does not decode.
    #[error(transparent)]
    BadBits(vc_schemas::Error),
    /// A list larger than [`MAX_LIST_ENTRIES`].
    #[error("{entries} entries, over {MAX_LIST_ENTRIES}")]
    TooManyEntries {
        /// Entries the list expands to.
        entries: usize,
    },
    /// A list or endorsement without an `id`.
    #[error("the {} has no id", kind.noun())]
    NoId {
        /// Its kind.
        kind: Kind,
    },
    /// An announcement about someone other than its issuer.
    #[error("an announcement's subject must be its issuer")]
    SubjectNotIssuer,
}

/// Why a document is dropped without blame.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Ignored {
    /// The same or a newer version is held (a duplicate or a replay).
    #[error("{key} of {valid_from} is not newer than the one held")]
    SameOrOlder {
        /// The document's key.
        key: String,
        /// Its `validFrom`.
        valid_from: DateTime<Utc>,
    },
    /// It was newer when judged, but a newer one was stored in the meantime.
    #[error("a newer version arrived first")]
    LostRace,
    /// The held version could not be read, so the document could not be judged.
    #[error("store unavailable: {0}")]
    StoreUnavailable(LocalError),
    /// Accepted, but storing it failed.
    #[error("not stored: {0}")]
    NotStored(LocalError),
}

/// One verification check that did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedCheck {
    /// The check (`proof`, `issuer`, `schema`, …).
    pub name: &'static str,
    /// Why, as the verifier put it.
    pub reason: String,
}

impl std::fmt::Display for FailedCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.reason)
    }
}

fn join(failures: &[FailedCheck]) -> String {
    failures.iter().map(FailedCheck::to_string).collect::<Vec<_>>().join("; ")
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['A', 'E', 'I', 'O', 'U']) { "an" } else { "a" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_they_always_did() {
        let wrong = |expected| Malformed::WrongType { expected }.to_string();
        assert_eq!(wrong(Kind::StatusList), "not a BitstringStatusListCredential");
        assert_eq!(wrong(Kind::Announcement), "not a BadgemeshNodeAnnouncement");
        assert_eq!(wrong(Kind::Endorsement), "not an EndorsementCredential");
        assert_eq!(Malformed::NoId { kind: Kind::StatusList }.to_string(), "the list has no id");
        assert_eq!(
            Malformed::NoId { kind: Kind::Endorsement }.to_string(),
            "the endorsement has no id"
        );
        let bad = Rejected::BadSignature {
            key: "l1".into(),
            failures: vec![
                FailedCheck { name: "proof", reason: "bad".into() },
                FailedCheck { name: "issuer", reason: "unbound".into() },
            ],
        };
        assert_eq!(bad.to_string(), "l1 is not validly signed: proof: bad; issuer: unbound");
        let over = Rejected::from(WireError::Oversize { len: 70_000 });
        assert_eq!(over.to_string(), "70000 bytes, over the 65536-byte limit");
    }
}
