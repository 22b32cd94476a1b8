//! Awards: what an operator asks for, and the unsigned OB 3.0 credential it becomes.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::{Value, json};
use vc_schemas::{
    context, identity,
    issue::Format,
    model::{AchievementCredential, AchievementSubject, Extra, OneOrMany},
    status_list::StatusEntry,
};

use super::{
    Issuer,
    achievement::with_type,
    fields::{Link, require_link},
    profile::looks_like_email,
};
use crate::{
    Error, Result,
    store::{
        achievements::AchievementRecord,
        claims,
        credentials::{self, ClaimState, CredentialRecord, Inserted, Recipient, State, StatusRef},
        outbox::{self, Mail},
    },
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
    /// An award of `achievement` to `recipient` with nothing else (no evidence, results or
    /// expiry of its own) and no e-mail notice: the node's own awards (self-issued badges,
    /// wallet offers) whose recipient is already there.
    pub fn plain(achievement: String, recipient: String) -> Self {
        Self {
            achievement,
            recipient,
            evidence: Vec::new(),
            narrative: None,
            results: Vec::new(),
            valid_until: None,
            status_purpose: None,
            notify: Some(false),
            key: None,
        }
    }

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

/// The unsigned credential (`issue::prepare` still fills and checks it), built through the
/// typed OB 3.0 model: a malformed evidence, result or achievement record is refused here with
/// the field it is in, before anything is signed.
pub fn unsigned(parts: &Parts<'_>) -> Result<Value> {
    let Parts { request, achievement, issuer, uuid, status, now, salt } = parts;
    // Evidence links are shown to whoever looks at the badge: web pages only, never a script.
    for item in &request.evidence {
        if let Some(id) = item.get("id").and_then(Value::as_str) {
            require_link("evidence id", id, Link::Page)?;
        }
    }
    let mut subject = AchievementSubject {
        types: vec!["AchievementSubject".to_owned()].into(),
        achievement: typed("the achievement", achievement.achievement.clone())?,
        narrative: request.narrative.clone(),
        result: typed_list("result", &request.results, "Result")?,
        ..AchievementSubject::default()
    };
    match request.recipient()? {
        Recipient::Did(did) => subject.id = Some(did),
        Recipient::Email(address) => {
            let identity = identity::hashed("emailAddress", &address, salt);
            subject.identifier = Some(vec![identity].into());
        }
        Recipient::Unnamed => return Err(Error::Invalid("an award needs a recipient".into())),
    }
    let valid_until = request
        .valid_until
        .or_else(|| achievement.validity_days.map(|d| *now + Duration::days(i64::from(d))));
    if valid_until.is_some_and(|until| until <= *now) {
        return Err(Error::Invalid("validUntil is not in the future".into()));
    }
    let credential = AchievementCredential {
        context: vec![json!(context::CREDENTIALS_V2), json!(context::OB_V3P0)].into(),
        id: format!("urn:uuid:{uuid}"),
        types: vec!["VerifiableCredential".to_owned(), "OpenBadgeCredential".to_owned()].into(),
        name: Some(subject.achievement.name.clone()),
        issuer: typed("the issuer profile", issuer.clone())?,
        valid_from: stamp(*now),
        valid_until: valid_until.map(stamp),
        credential_subject: subject,
        evidence: typed_list("evidence", &request.evidence, "Evidence")?,
        credential_status: Some(typed("the status entry", status.to_json())?),
        awarded_date: None,
        description: None,
        image: None,
        endorsement: None,
        endorsement_jwt: None,
        credential_schema: None,
        refresh_service: None,
        terms_of_use: None,
        proof: None,
        extra: Extra::default(),
    };
    serde_json::to_value(credential).map_err(|e| Error::Internal(format!("an award: {e}")))
}

/// `value` read as the OB class `T`; `what` names it in the error.
fn typed<T: DeserializeOwned>(what: &str, value: Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| Error::Invalid(format!("{what}: {e}")))
}

/// Request items read as the OB class `T`, with `type` set to `class` where they give none;
/// `None` when there are none (the field is left out).
fn typed_list<T: DeserializeOwned>(
    what: &str,
    items: &[Value],
    class: &str,
) -> Result<Option<OneOrMany<T>>> {
    if items.is_empty() {
        return Ok(None);
    }
    let items: Vec<T> = typed(what, with_type(items, class))?;
    Ok(Some(items.into()))
}

/// RFC 3339 with seconds, UTC.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A stored award and, for an e-mail recipient, its claim link.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Awarded {
    /// The stored record (with the signed credential).
    #[serde(flatten)]
    pub record: CredentialRecord,
    /// The single-use claim link sent to the recipient (only when this call made the award:
    /// the link's secret is kept only as a hash).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_url: Option<String>,
    /// The request's key had produced this award before; nothing new was issued or sent.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub existing: bool,
}

impl Issuer {
    /// Awards an achievement: builds, signs and stores the credential; queues the notice.
    pub async fn award(&self, request: AwardRequest) -> Result<Awarded> {
        if let Some(key) = &request.key
            && let Some(record) = credentials::by_key(&self.inner.store.read()?, key)?
        {
            return Ok(Awarded { record, claim_url: None, existing: true });
        }
        let recipient = request.recipient()?;
        let purpose = request.purpose()?;
        let achievement = self.achievement(request.achievement_uuid())?;
        if achievement.archived {
            return Err(Error::Conflict(format!("achievement {} is archived", achievement.uuid)));
        }
        let issuer = self.profile()?.to_ob(self.did());
        let slot = self.inner.store.allocator.reserve(purpose);
        // Time-ordered (v7): the store's key order follows issue order, so an award appends to
        // the credential table's last pages instead of writing into pages all over a store of
        // millions. The time it tells is the `validFrom` signed into the credential anyway.
        let uuid = uuid::Uuid::now_v7().to_string();
        let now = Utc::now();
        let salt = fresh_salt();
        let status = StatusEntry {
            list_credential: self.list_url(&slot.list),
            index: slot.index,
            purpose: purpose.to_owned(),
        };
        let parts = Parts {
            request: &request,
            achievement: &achievement,
            issuer,
            uuid: &uuid,
            status,
            now,
            salt: &salt,
        };
        let unsigned = unsigned(&parts)?;
        let id = format!("urn:uuid:{uuid}");
        let (_, signed) =
            self.prepare_and_sign(unsigned, id, now, Format::DataIntegrity, false).await?;
        let token = matches!(recipient, Recipient::Email(_)).then(crate::token::random_token);
        let mail = match (&recipient, &token, &self.inner.mailer, request.notify) {
            (Recipient::Email(to), Some(token), Some(_), None | Some(true)) => {
                Some(self.notice(to, &achievement, token)?)
            }
            _ => None,
        };
        let record = CredentialRecord {
            uuid: uuid.clone(),
            seq: 0,
            achievement: achievement.uuid.clone(),
            achievement_version: achievement.version,
            recipient,
            issued_at: now,
            state: State::Active,
            reason: None,
            state_changed: None,
            status: vec![StatusRef::from(&slot)],
            claim: token.as_ref().map(|_| ClaimState::Pending),
            public: false,
            credential: signed,
        };
        let this = self.clone();
        let claim_token = token.clone();
        let key = request.key.clone();
        let inserted = self
            .inner
            .store
            .write(move |b| {
                let list_url = |name: &str| this.list_url(name);
                let record = match credentials::insert_keyed(b, record, key.as_deref(), &list_url)?
                {
                    // Another request with the same key was committed first.
                    Inserted::Existing(record) => return Ok(Inserted::Existing(record)),
                    Inserted::New(record) => record,
                };
                if let Some(t) = &claim_token {
                    claims::insert(b, t, &record.uuid, now)?;
                }
                if let Some(m) = &mail {
                    outbox::push(b, m)?;
                }
                Ok(Inserted::New(record))
            })
            .await?;
        let record = match inserted {
            Inserted::Existing(record) => {
                return Ok(Awarded { record, claim_url: None, existing: true });
            }
            Inserted::New(record) => record,
        };
        if let (Some(mailer), Some(_)) = (&self.inner.mailer, &token) {
            mailer.wake();
        }
        Ok(Awarded { record, claim_url: token.map(|t| self.claim_url(&t)), existing: false })
    }

    fn notice(&self, to: &str, achievement: &AchievementRecord, token: &str) -> Result<Mail> {
        let profile = self.profile()?;
        let name = achievement.achievement["name"].as_str().unwrap_or("a badge");
        Ok(Mail {
            to: to.to_owned(),
            subject: format!("{} awarded you \"{name}\"", profile.name),
            body: format!(
                "{} has awarded you the badge \"{name}\".\n\n\
                 Accept or refuse it here (the link works once):\n{}\n\n\
                 If you accept, you can download it as a verifiable credential or as a baked image.\n",
                profile.name,
                self.claim_url(token)
            ),
        })
    }
}

/// A fresh salt for a hashed identity: 16 random bytes, hex.
fn fresh_salt() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    hex::encode(bytes)
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
