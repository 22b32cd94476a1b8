//! What the wallet holds: one item per credential, how it arrived, the earner's answer, and
//! the readable summary the pages show.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How a credential reached the wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    /// Delivered by the issuer's node over the network.
    #[default]
    Delivered,
    /// Imported by the earner (a file, a pasted credential, a claim link's download).
    Imported,
    /// Issued by the earner to themself.
    SelfIssued,
    /// Claimed from the issuer's claim link pasted into the wallet: claiming it was the
    /// earner's acceptance, and the issuer's node was told.
    Claimed,
}

/// The earner's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Not answered yet: in the inbox.
    Pending,
    /// Accepted: in the gallery.
    Accepted,
    /// Refused: kept (so a second delivery is not offered again) but shown nowhere else.
    Refused,
}

impl State {
    /// The name used in URLs, JSON and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Refused => "refused",
        }
    }
}

/// One credential in the wallet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// The credential's `id` (or, for one without, a digest of it).
    pub id: String,
    /// Its issuer's id (a DID or URL).
    pub issuer: String,
    /// The peer that delivered it, where the answer goes back (empty when not delivered).
    #[serde(default)]
    pub from_peer: String,
    /// How it arrived.
    #[serde(default)]
    pub origin: Origin,
    /// When it arrived.
    pub received: DateTime<Utc>,
    /// The earner's answer.
    pub state: State,
    /// The earner's own tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The id of the badge's public page, given the first time it is made public and kept
    /// after, so that a printed card's link works again when it is made public again.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub share: String,
    /// Whether the badge's public page is served.
    #[serde(default)]
    pub public: bool,
    /// The signed credential: a JSON object, or a VC-JWT as a string.
    pub credential: Value,
}

/// What a page shows of a credential, read without judging it (the verification report says
/// whether to believe it). Missing fields are empty, never an error: the wallet shows what
/// other issuers send.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The achievement's name (or the credential's, or "Untitled badge").
    pub name: String,
    /// The achievement's description.
    pub description: String,
    /// The criteria narrative or URL.
    pub criteria: String,
    /// The issuer's name, else its id.
    pub issuer_name: String,
    /// The issuer's id.
    pub issuer_id: String,
    /// The image URL (achievement's, else the credential's), when it is `https:` or `data:`.
    pub image: String,
    /// The earner as named in the credential (DID, or "hashed e-mail").
    pub earner: String,
    /// `validFrom`.
    pub valid_from: String,
    /// `validUntil`, when there is one.
    pub valid_until: String,
    /// Evidence narratives and URLs.
    pub evidence: Vec<String>,
    /// Alignment names and URLs.
    pub alignments: Vec<String>,
    /// Results, as "value (status)".
    pub results: Vec<String>,
    /// How many endorsements the credential carries.
    pub endorsements: usize,
    /// Whether issuer and earner are the same.
    pub self_issued: bool,
    /// `JSON (Data Integrity)` or `VC-JWT`.
    pub format: &'static str,
}

impl Item {
    /// The credential as a JSON document: itself, or a VC-JWT's payload (its `vc` claim for
    /// VCDM 1.1 tokens). `None` when a token's payload does not decode.
    pub fn document(&self) -> Option<Value> {
        document(&self.credential)
    }

    /// The readable summary.
    pub fn summary(&self) -> Summary {
        summary_of(&self.credential)
    }
}

#[cfg(test)]
impl Item {
    /// An imported item in `state` whose credential is `{"id": id}`, for tests.
    pub(crate) fn sample(id: &str, state: State) -> Self {
        Self {
            id: id.into(),
            issuer: "did:key:zIssuer".into(),
            from_peer: String::new(),
            origin: Origin::Imported,
            received: Utc::now(),
            state,
            tags: vec![],
            share: String::new(),
            public: false,
            credential: serde_json::json!({"id": id}),
        }
    }
}

/// The readable summary of a credential (a JSON object or a VC-JWT string).
pub fn summary_of(credential: &Value) -> Summary {
    let mut s = document(credential).map(|d| summarize(&d)).unwrap_or_default();
    s.format = if credential.is_string() { "VC-JWT" } else { "JSON (Data Integrity)" };
    if s.name.is_empty() {
        s.name = "Untitled badge".into();
    }
    s
}

/// A credential as a JSON document (see [`Item::document`]).
pub fn document(credential: &Value) -> Option<Value> {
    match credential {
        Value::String(token) => {
            let decoded = vc_schemas::proof::jwt::decode(token).ok()?;
            let payload = decoded.payload().ok()?;
            Some(payload.get("vc").unwrap_or(payload).clone())
        }
        Value::Object(_) => Some(credential.clone()),
        _ => None,
    }
}

/// The id of a profile reference (a string, or an object's `id`).
pub fn id_of(profile: &Value) -> String {
    match profile {
        Value::String(id) => id.clone(),
        other => text(&other["id"]),
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// Items of a field that may be one object or an array.
fn each(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        one => vec![one],
    }
}

fn image_url(v: &Value) -> String {
    let url = match v {
        Value::String(s) => s.clone(),
        other => text(&other["id"]),
    };
    // Shown in an <img>: only what cannot run or track beyond a plain fetch of a picture.
    if url.starts_with("https:") || url.starts_with("data:image/") { url } else { String::new() }
}

fn summarize(doc: &Value) -> Summary {
    let subject = each(&doc["credentialSubject"]).first().copied().cloned().unwrap_or_default();
    let achievement = &subject["achievement"];
    let issuer = &doc["issuer"];
    let issuer_id = id_of(issuer);
    let earner = match subject["id"].as_str() {
        Some(id) => id.to_owned(),
        None if subject.get("identifier").is_some() => "an identity given as a hash".into(),
        None => String::new(),
    };
    let criteria = &achievement["criteria"];
    let first_nonempty = |a: String, b: String| if a.is_empty() { b } else { a };
    Summary {
        name: first_nonempty(text(&achievement["name"]), text(&doc["name"])),
        description: first_nonempty(text(&achievement["description"]), text(&doc["description"])),
        criteria: first_nonempty(text(&criteria["narrative"]), text(&criteria["id"])),
        issuer_name: first_nonempty(text(&issuer["name"]), issuer_id.clone()),
        self_issued: !issuer_id.is_empty() && issuer_id == earner,
        issuer_id,
        image: first_nonempty(image_url(&achievement["image"]), image_url(&doc["image"])),
        earner,
        valid_from: first_nonempty(text(&doc["validFrom"]), text(&doc["issuanceDate"])),
        valid_until: first_nonempty(text(&doc["validUntil"]), text(&doc["expirationDate"])),
        evidence: each(&doc["evidence"])
            .into_iter()
            .map(|e| first_nonempty(text(&e["narrative"]), text(&e["id"])))
            .filter(|e| !e.is_empty())
            .collect(),
        alignments: each(&achievement["alignment"])
            .into_iter()
            .map(|a| format!("{} <{}>", text(&a["targetName"]), text(&a["targetUrl"])))
            .collect(),
        results: each(&subject["result"])
            .into_iter()
            .map(|r| match (text(&r["value"]), text(&r["status"])) {
                (v, s) if s.is_empty() => v,
                (v, s) if v.is_empty() => s,
                (v, s) => format!("{v} ({s})"),
            })
            .filter(|r| !r.is_empty())
            .collect(),
        endorsements: each(&doc["endorsement"]).len() + each(&doc["endorsementJwt"]).len(),
        format: "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(credential: Value) -> Item {
        Item {
            id: "urn:uuid:1".into(),
            issuer: "did:key:z6Mk".into(),
            from_peer: String::new(),
            origin: Origin::Imported,
            received: Utc::now(),
            state: State::Pending,
            tags: vec!["metal".into()],
            share: String::new(),
            public: false,
            credential,
        }
    }

    #[test]
    fn a_summary_reads_what_issuers_send_and_leaves_the_rest_empty() {
        let s = item(json!({
            "issuer": {"id": "did:key:z6Mk", "name": "Example University"},
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:key:z6Mk", "achievement": {
                "name": "Welding", "description": "Welds.", "criteria": {"narrative": "Weld."},
                "image": {"id": "javascript:alert(1)", "type": "Image"}}},
            "evidence": {"narrative": "A seam."}
        }))
        .summary();
        assert_eq!(s.name, "Welding");
        assert_eq!(s.issuer_name, "Example University");
        assert_eq!(s.evidence, ["A seam."]);
        assert!(s.self_issued);
        assert_eq!(s.image, "", "a javascript: image is not shown");
        let s = item(json!("not.a.jwt")).summary();
        assert_eq!((s.name.as_str(), s.format), ("Untitled badge", "VC-JWT"));
    }

    #[test]
    fn old_inbox_records_still_read() {
        let old = json!({"id": "urn:uuid:1", "issuer": "did:key:z", "fromPeer": "12D3",
            "received": "2026-01-01T00:00:00Z", "state": "pending", "credential": {}});
        let item: Item = serde_json::from_value(old).unwrap();
        assert_eq!(item.origin, Origin::Delivered);
        assert!(item.tags.is_empty());
    }
}
