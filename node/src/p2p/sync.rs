//! Catch-up (`/badgemesh/sync/1`): peers trade the heads they hold (kind and key → signed
//! `validFrom`, for status lists, announcements and endorsements) and pull what is newer than
//! their own. Runs on every new connection
//! and on a timer, so a node that was away converges without anyone re-publishing. Lists pulled
//! this way are judged exactly like gossip ([`super::message::judge`]).

use std::collections::HashMap;

use super::message::Message;
use crate::store::held::Kind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The protocol name.
pub const PROTOCOL: &str = "/badgemesh/sync/1";

/// Most lists asked for in one request (the rest come with the next round).
pub const MAX_GET: usize = 64;

/// Most heads one answer carries.
pub const MAX_HEADS: usize = 10_000;

/// A request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Request {
    /// "Which lists do you hold, at which version?"
    Heads,
    /// "Send me these."
    Get {
        /// Kinds and keys.
        items: Vec<(Kind, String)>,
    },
}

/// An answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Response {
    /// The heads held.
    Heads {
        /// One per list.
        heads: Vec<Head>,
    },
    /// The documents asked for that are held.
    Docs {
        /// As gossip messages.
        messages: Vec<Message>,
    },
}

/// One document's version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Head {
    /// What it is.
    pub kind: Kind,
    /// Its key.
    pub id: String,
    /// Its signed `validFrom`.
    pub valid_from: DateTime<Utc>,
}

/// What we hold: (kind, key) → signed `validFrom`.
pub type Heads = HashMap<(Kind, String), DateTime<Utc>>;

/// The keys among `theirs` that are newer than what `ours` holds (or unknown), at most
/// [`MAX_GET`].
pub fn wanted(theirs: &[Head], ours: &Heads) -> Vec<(Kind, String)> {
    theirs
        .iter()
        .filter(|h| ours.get(&(h.kind, h.id.clone())).is_none_or(|mine| h.valid_from > *mine))
        .take(MAX_GET)
        .map(|h| (h.kind, h.id.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[test]
    fn only_newer_or_unknown_lists_are_wanted() {
        let t = Utc::now();
        let head =
            |id: &str, valid_from| Head { kind: Kind::StatusList, id: id.into(), valid_from };
        let theirs = vec![head("a", t), head("b", t), head("c", t + Duration::seconds(1))];
        let l = |id: &str| (Kind::StatusList, id.to_owned());
        let ours = HashMap::from([(l("a"), t), (l("c"), t)]);
        assert_eq!(wanted(&theirs, &ours), vec![l("b"), l("c")]);
        // The same key of another kind is another document.
        let other = Head { kind: Kind::Endorsement, id: "a".into(), valid_from: t };
        assert_eq!(wanted(&[other], &ours), vec![(Kind::Endorsement, "a".to_owned())]);
        let many: Vec<Head> = (0..200).map(|i| head(&format!("l{i}"), t)).collect();
        assert_eq!(wanted(&many, &HashMap::new()).len(), MAX_GET);
    }

    #[test]
    fn requests_and_answers_round_trip_as_json() {
        let r = Request::Get { items: vec![(Kind::Announcement, "did:key:x".into())] };
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(text, r#"{"kind":"get","items":[["announcement","did:key:x"]]}"#);
        assert_eq!(serde_json::from_str::<Request>(&text).unwrap(), r);
    }
}
