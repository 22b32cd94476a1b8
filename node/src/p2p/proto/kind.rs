//! The three kinds of signed document the network carries. The protocol owns this enum (it names
//! the topics and the wire's `kind` field); the store keys held documents by it too, which is why
//! its serde names double as the store's table key prefixes and must never change.

use serde::{Deserialize, Serialize};

use super::wire::{ANNOUNCEMENT_TYPE, ENDORSEMENTS_TOPIC, ISSUERS_TOPIC, STATUS_TOPIC};

/// What a gossiped (and held) document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// A `BitstringStatusListCredential`, keyed by its id.
    StatusList,
    /// A node announcement, keyed by the announcing DID.
    Announcement,
    /// An `EndorsementCredential`, keyed by its id.
    Endorsement,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Self; 3] = [Self::StatusList, Self::Announcement, Self::Endorsement];

    /// The kind of a name as [`Kind::as_str`] writes it.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The name: the serde name on the wire, and the store's table key prefix.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StatusList => "statusList",
            Self::Announcement => "announcement",
            Self::Endorsement => "endorsement",
        }
    }

    /// The gossip topic documents of this kind travel on (one topic per kind, so a node could
    /// subscribe to only what it needs).
    pub fn topic(self) -> &'static str {
        match self {
            Self::StatusList => STATUS_TOPIC,
            Self::Announcement => ISSUERS_TOPIC,
            Self::Endorsement => ENDORSEMENTS_TOPIC,
        }
    }

    /// The credential `type` a document of this kind must carry.
    pub fn credential_type(self) -> &'static str {
        match self {
            Self::StatusList => "BitstringStatusListCredential",
            Self::Announcement => ANNOUNCEMENT_TYPE,
            Self::Endorsement => "EndorsementCredential",
        }
    }

    /// What people call one document of this kind, in reasons ("the list has no id").
    pub(super) fn noun(self) -> &'static str {
        match self {
            Self::StatusList => "list",
            Self::Announcement => "announcement",
            Self::Endorsement => "endorsement",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serde_names_and_parse_back() {
        for kind in Kind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("somethingElse"), None);
    }
}
