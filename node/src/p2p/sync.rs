//! Catch-up (`/badgemesh/sync/1`): peers trade the heads they hold (list id → signed
//! `validFrom`) and pull the lists that are newer than their own. Runs on every new connection
//! and on a timer, so a node that was away converges without anyone re-publishing. Lists pulled
//! this way are judged exactly like gossip ([`super::message::judge_list`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    /// "Send me these lists."
    Get {
        /// List ids.
        ids: Vec<String>,
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
    /// The lists asked for that are held.
    Lists {
        /// Signed list credentials.
        credentials: Vec<Value>,
    },
}

/// One list's version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Head {
    /// List id.
    pub id: String,
    /// Its signed `validFrom`.
    pub valid_from: DateTime<Utc>,
}

/// The ids among `theirs` that are newer than what `ours` holds (or unknown), at most
/// [`MAX_GET`].
pub fn wanted(theirs: &[Head], ours: &HashMap<String, DateTime<Utc>>) -> Vec<String> {
    theirs
        .iter()
        .filter(|h| ours.get(&h.id).is_none_or(|mine| h.valid_from > *mine))
        .take(MAX_GET)
        .map(|h| h.id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[test]
    fn only_newer_or_unknown_lists_are_wanted() {
        let t = Utc::now();
        let theirs = vec![
            Head { id: "a".into(), valid_from: t },
            Head { id: "b".into(), valid_from: t },
            Head { id: "c".into(), valid_from: t + Duration::seconds(1) },
        ];
        let ours = HashMap::from([("a".to_owned(), t), ("c".to_owned(), t)]);
        assert_eq!(wanted(&theirs, &ours), vec!["b".to_owned(), "c".to_owned()]);
        let many: Vec<Head> =
            (0..200).map(|i| Head { id: format!("l{i}"), valid_from: t }).collect();
        assert_eq!(wanted(&many, &HashMap::new()).len(), MAX_GET);
    }

    #[test]
    fn requests_and_answers_round_trip_as_json() {
        let r = Request::Get { ids: vec!["x".into()] };
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(text, r#"{"kind":"get","ids":["x"]}"#);
        assert_eq!(serde_json::from_str::<Request>(&text).unwrap(), r);
    }
}
