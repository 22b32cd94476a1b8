//! Awards: what an operator asks for, and the unsigned OB 3.0 credential it becomes.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use vc_schemas::{context, identity, status_list::StatusEntry};

use super::{achievement::with_type, profile::looks_like_email};
use crate::{
    Error, Result,
    store::{achievements::AchievementRecord, credentials::Recipient},
};

/// An award request (API body, or one CSV row).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AwardRequest {
    /// Achievement uuid (or `urn:uuid:…`).
    pub achievement: String,
    /// A DID, or an e-mail address.
    pub recipient: String,
    /// OB `Evidence` objects.
    #[serde(default)]
    pub evidence: Vec<Value>,
    /// Why this recipient earned it.
    #[serde(default)]
    pub narrative: Option<String>,
    /// OB `Result` objects (grades, scores, …).
    #[serde(default)]
    pub results: Vec<Value>,
    /// Expiry; default: the achievement's validity period, if it has one.
    #[serde(default)]
    pub valid_until: Option<DateTime<Utc>>,
    /// Status purpose of the credential's one `credentialStatus` entry: `revocation` (default;
    /// final) or `suspension` (can be lifted; revoking sets it for good).
    #[serde(default)]
    pub status_purpose: Option<String>,
    /// Send the e-mail notice (default: yes, when the recipient is an address and a relay is set).
    #[serde(default)]
    pub notify: Option<bool>,
    /// Idempotency key (a bulk row's): an award already made under it is returned instead of
    /// a second one. Set by the node, never by the request body.
    #[serde(skip)]
    pub key: Option<String>,
}

impl AwardRequest {
    /// The recipient, checked.
    pub fn recipient(&self) -> Result<Recipient> {
        let r = self.recipient.trim();
        if r.starts_with("did:") && r.len() > 6 && r[4..].contains(':') {
            Ok(Recipient::Did(r.to_owned()))
        } else if looks_like_email(r) {
            Ok(Recipient::Email(r.to_lowercase()))
        } else {
            Err(Error::Invalid(format!("recipient {r:?} is neither a DID nor an e-mail address")))
        }
    }

    /// The achievement uuid without a `urn:uuid:` prefix.
    pub fn achievement_uuid(&self) -> &str {
        uuid_of(&self.achievement)
    }

    /// The status purpose, checked.
    pub fn purpose(&self) -> Result<&'static str> {
        match self.status_purpose.as_deref() {
            None | Some("revocation") => Ok("revocation"),
            Some("suspension") => Ok("suspension"),
            Some(other) => Err(Error::Invalid(format!(
                "statusPurpose {other:?}: use \"revocation\" or \"suspension\""
            ))),
        }
    }
}

/// `urn:uuid:X` → `X`; anything else unchanged.
pub fn uuid_of(id: &str) -> &str {
    id.strip_prefix("urn:uuid:").unwrap_or(id)
}

/// Everything an award credential is made of.
#[derive(Debug)]
pub struct Parts<'a> {
    /// The request.
    pub request: &'a AwardRequest,
    /// The achievement version awarded.
    pub achievement: &'a AchievementRecord,
    /// The issuer's OB Profile.
    pub issuer: Value,
    /// The credential's uuid.
    pub uuid: &'a str,
    /// Its status entry.
    pub status: StatusEntry,
    /// Issue time.
    pub now: DateTime<Utc>,
    /// Salt for a hashed e-mail identity.
    pub salt: &'a str,
}

/// The unsigned credential (`issue::prepare` still fills and checks it).
pub fn unsigned(parts: &Parts<'_>) -> Result<Value> {
    let Parts { request, achievement, issuer, uuid, status, now, salt } = parts;
    let mut subject = Map::new();
    subject.insert("type".into(), json!(["AchievementSubject"]));
    match request.recipient()? {
        Recipient::Did(did) => {
            subject.insert("id".into(), json!(did));
        }
        Recipient::Email(address) => {
            let object = identity::hashed("emailAddress", &address, salt);
            let object = serde_json::to_value(object).map_err(|e| Error::Invalid(e.to_string()))?;
            subject.insert("identifier".into(), json!([object]));
        }
        Recipient::Unnamed => return Err(Error::Invalid("an award needs a recipient".into())),
    }
    subject.insert("achievement".into(), achievement.achievement.clone());
    if let Some(n) = &request.narrative {
        subject.insert("narrative".into(), json!(n));
    }
    if !request.results.is_empty() {
        subject.insert("result".into(), with_type(&request.results, "Result"));
    }
    let mut doc = Map::new();
    doc.insert("@context".into(), json!([context::CREDENTIALS_V2, context::OB_V3P0]));
    doc.insert("id".into(), json!(format!("urn:uuid:{uuid}")));
    doc.insert("type".into(), json!(["VerifiableCredential", "OpenBadgeCredential"]));
    let name = achievement.achievement["name"].clone();
    doc.insert("name".into(), name);
    doc.insert("issuer".into(), issuer.clone());
    doc.insert("validFrom".into(), json!(stamp(*now)));
    let valid_until = request
        .valid_until
        .or_else(|| achievement.validity_days.map(|d| *now + Duration::days(i64::from(d))));
    if let Some(until) = valid_until {
        if until <= *now {
            return Err(Error::Invalid("validUntil is not in the future".into()));
        }
        doc.insert("validUntil".into(), json!(stamp(until)));
    }
    doc.insert("credentialSubject".into(), Value::Object(subject));
    if !request.evidence.is_empty() {
        doc.insert("evidence".into(), with_type(&request.evidence, "Evidence"));
    }
    doc.insert("credentialStatus".into(), status.to_json());
    Ok(Value::Object(doc))
}

/// RFC 3339 with seconds, UTC.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_dids_or_addresses() {
        let req = |r: &str| AwardRequest {
            achievement: "a".into(),
            recipient: r.into(),
            evidence: vec![],
            narrative: None,
            results: vec![],
            valid_until: None,
            status_purpose: None,
            notify: None,
            key: None,
        };
        assert_eq!(req("did:key:z6Mk").recipient().unwrap(), Recipient::Did("did:key:z6Mk".into()));
        assert_eq!(
            req(" Ada@Uni.EDU ").recipient().unwrap(),
            Recipient::Email("ada@uni.edu".into())
        );
        assert!(req("ada").recipient().is_err());
        assert!(req("did:").recipient().is_err());
        assert!(req("did:x").recipient().is_err());
        assert_eq!(uuid_of("urn:uuid:abc"), "abc");
        assert!(
            AwardRequest { status_purpose: Some("fun".into()), ..req("did:a:b") }
                .purpose()
                .is_err()
        );
    }
}
