//! What travels between nodes, and the decoders that turn a peer's bytes into it: gossip
//! [`Message`]s on the three topics, and the catch-up [`Request`]/[`Response`] pair. Decoding
//! checks shape and size only; whether a decoded document may be held is [`super::judge`]'s call.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Kind;

/// The status list topic (versioned: a new message format gets a new topic).
pub const STATUS_TOPIC: &str = "/badgemesh/1/status";
/// The node announcement topic.
pub const ISSUERS_TOPIC: &str = "/badgemesh/1/issuers";
/// The endorsement topic.
pub const ENDORSEMENTS_TOPIC: &str = "/badgemesh/1/endorsements";

/// The catch-up request-response protocol name.
pub const SYNC_PROTOCOL: &str = "/badgemesh/sync/1";

/// The credential type of a node announcement.
pub const ANNOUNCEMENT_TYPE: &str = "BadgemeshNodeAnnouncement";

/// Largest message accepted: a 131,072-entry list compresses to a few hundred bytes when sparse
/// and at most ~22 KB base64 when random; 64 KiB leaves room for bigger lists, not for abuse.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Why bytes from a peer are not a gossip message. Both are the sender's fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// Longer than [`MAX_MESSAGE_BYTES`]; refused before parsing.
    #[error("{len} bytes, over the {MAX_MESSAGE_BYTES}-byte limit")]
    Oversize {
        /// The length received.
        len: usize,
    },
    /// Not JSON, or not a message of a known kind. The parser's error is part of the text (not
    /// a `source`) because logs show only the verdict's text.
    #[error("not a gossip message: {0}")]
    NotJson(serde_json::Error),
}

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
        self.kind.topic()
    }

    /// Wire bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses wire bytes, refusing oversize input before reading it.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, WireError> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return Err(WireError::Oversize { len: bytes.len() });
        }
        serde_json::from_slice(bytes).map_err(WireError::NotJson)
    }

    /// The key this message is held under, if it has one, read without judging it: what the
    /// caller looks up to give [`super::judge::screen`] the held version.
    pub fn key(&self) -> Option<String> {
        let c = &self.credential;
        match self.kind {
            Kind::StatusList | Kind::Endorsement => c["id"].as_str().map(str::to_owned),
            Kind::Announcement => Some(issuer_of(c)).filter(|i| !i.is_empty()),
        }
    }
}

/// The issuer's id of a credential (a string or an object's `id`), empty when it has none.
pub(super) fn issuer_of(credential: &Value) -> String {
    match &credential["issuer"] {
        Value::String(s) => s.clone(),
        Value::Object(p) => p.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
        _ => String::new(),
    }
}

/// A catch-up request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Request {
    /// "Which documents do you hold, at which version?"
    Heads,
    /// "Send me these."
    Get {
        /// Kinds and keys.
        items: Vec<(Kind, String)>,
    },
}

/// A catch-up answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Response {
    /// The heads held.
    Heads {
        /// One per document.
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn messages_are_bounded_and_typed() {
        let over = Message::from_bytes(&vec![b' '; MAX_MESSAGE_BYTES + 1]);
        assert!(matches!(over, Err(WireError::Oversize { len }) if len == MAX_MESSAGE_BYTES + 1));
        assert!(matches!(Message::from_bytes(b"\x00\xffgarbage"), Err(WireError::NotJson(_))));
        assert!(matches!(
            Message::from_bytes(br#"{"kind":"somethingElse","credential":{}}"#),
            Err(WireError::NotJson(_))
        ));
        let m = Message::status_list(json!({"id": "x"}));
        assert_eq!(
            String::from_utf8(m.to_bytes()).unwrap(),
            r#"{"kind":"statusList","credential":{"id":"x"}}"#
        );
        assert_eq!(Message::from_bytes(&m.to_bytes()).unwrap(), m);
    }

    #[test]
    fn the_key_is_the_id_or_the_announcing_issuer() {
        let list = Message::status_list(json!({"id": "https://a.example/status/1"}));
        assert_eq!(list.key().as_deref(), Some("https://a.example/status/1"));
        let ann = Message {
            kind: Kind::Announcement,
            credential: json!({"issuer": {"id": "did:key:z6Mkx"}}),
        };
        assert_eq!(ann.key().as_deref(), Some("did:key:z6Mkx"));
        assert_eq!(Message { kind: Kind::Announcement, credential: json!({}) }.key(), None);
    }

    #[test]
    fn requests_and_answers_round_trip_as_json() {
        let r = Request::Get { items: vec![(Kind::Announcement, "did:key:x".into())] };
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(text, r#"{"kind":"get","items":[["announcement","did:key:x"]]}"#);
        assert_eq!(serde_json::from_str::<Request>(&text).unwrap(), r);
        assert_eq!(serde_json::to_string(&Request::Heads).unwrap(), r#"{"kind":"heads"}"#);
    }
}
