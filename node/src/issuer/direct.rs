//! Issuing what a caller hands in, for the VC-API: any VCDM 2.0 credential (Open Badges are
//! held to the 1EdTech schema), signed with the node key and given status entries.

use chrono::Utc;
use serde_json::Value;
use sha2::{Digest, Sha256};
use vc_schemas::{
    issue::{self, Format},
    model::types_of,
    schema::Kind,
    status_list::StatusEntry,
};

use super::{Issuer, award::uuid_of};
use crate::{
    Error, Result,
    store::{
        allocator::{PURPOSES, Slot},
        credentials::{self, Change, CredentialRecord, Inserted, Recipient, State, StatusRef},
    },
};

impl Issuer {
    /// Prepares, signs and stores `credential`. Unless the caller gave its own
    /// `credentialStatus` (which must be well formed), the node adds entries: one `revocation`
    /// entry for an Open Badge (its schema allows one), `revocation` and `suspension` for other
    /// VCDM 2.0 credentials, none for VCDM 1.1 ones.
    ///
    /// Idempotent: the same input (same JSON, whatever its member order) in the same format
    /// returns the credential it produced the first time; different content under an `id` that
    /// is already stored is a conflict.
    pub async fn issue_direct(&self, credential: &Value, format: Format) -> Result<Value> {
        let key = request_key(credential, format)?;
        if let Some(existing) = credentials::by_key(&self.store().read()?, &key)? {
            return Ok(existing.credential);
        }
        let now = Utc::now();
        let mut doc = credential.clone();
        let own_status = doc.get("credentialStatus").is_some();
        let slots = if own_status || issue::is_vcdm_v1(&doc) {
            if own_status {
                check_status(&doc["credentialStatus"])?;
            }
            Vec::new()
        } else {
            let is_ob = Kind::of_credential(&doc).is_some();
            let purposes: &[&str] = if is_ob { &PURPOSES[..1] } else { &PURPOSES };
            let slots = self.store().allocator.reserve_all(purposes);
            let entries: Vec<Value> = slots.iter().map(|s| self.entry(s).to_json()).collect();
            if let Some(obj) = doc.as_object_mut() {
                let status = if is_ob { entries[0].clone() } else { Value::Array(entries) };
                obj.insert("credentialStatus".into(), status);
            }
            slots
        };
        let fresh = format!("urn:uuid:{}", uuid::Uuid::now_v7());
        let (prepared, signed) =
            self.prepare_and_sign(doc, fresh.clone(), now, format, true).await?;
        let id = prepared["id"].as_str().unwrap_or(&fresh).to_owned();
        let subject_id = prepared["credentialSubject"]["id"].as_str().map(str::to_owned);
        let achievement = prepared["credentialSubject"]["achievement"]["id"].as_str().unwrap_or("");
        let record = CredentialRecord {
            uuid: uuid_of(&id).to_owned(),
            seq: 0,
            achievement: uuid_of(achievement).to_owned(),
            achievement_version: 0,
            recipient: subject_id.map_or(Recipient::Unnamed, Recipient::Did),
            issued_at: now,
            state: State::Active,
            reason: None,
            state_changed: None,
            status: slots.iter().map(StatusRef::from).collect(),
            claim: None,
            public: false,
            credential: signed.clone(),
        };
        let this = self.clone();
        let inserted = self
            .store()
            .write(move |b| credentials::insert_keyed(b, record, Some(&key), &|n| this.list_url(n)))
            .await?;
        Ok(match inserted {
            Inserted::New(_) => signed,
            Inserted::Existing(record) => record.credential,
        })
    }

    fn entry(&self, slot: &Slot) -> StatusEntry {
        StatusEntry {
            list_credential: self.list_url(&slot.list),
            index: slot.index,
            purpose: slot.purpose.clone(),
        }
    }

    /// VC-API `/credentials/status`: sets the status of `purpose` (`revocation`,
    /// `suspension`) to `value` for the credential `id`.
    pub async fn set_status(
        &self,
        id: &str,
        purpose: &str,
        value: bool,
    ) -> Result<CredentialRecord> {
        let change = match (purpose, value) {
            ("revocation", true) => Change::Revoke,
            ("suspension", true) => Change::Suspend,
            ("suspension", false) => Change::Unsuspend,
            ("revocation", false) => {
                return Err(Error::Conflict("revocation cannot be undone".into()));
            }
            (other, _) => return Err(Error::Invalid(format!("unknown statusPurpose {other:?}"))),
        };
        let current = self.credential(id)?;
        let wanted = match change {
            Change::Revoke => State::Revoked,
            Change::Suspend => State::Suspended,
            Change::Unsuspend => State::Active,
        };
        if current.state == wanted {
            return Ok(current);
        }
        self.change(id, change, None).await
    }
}

/// A caller's own status entries must at least say what they are.
fn check_status(status: &Value) -> Result<()> {
    let entries = match status {
        Value::Array(a) => a.iter().collect(),
        one => vec![one],
    };
    for e in entries {
        if !e.is_object() || types_of(e).is_empty() {
            return Err(Error::Invalid("each credentialStatus entry needs a type".into()));
        }
        if types_of(e).iter().any(|t| t == "BitstringStatusListEntry") {
            StatusEntry::from_json(e)
                .map_err(|err| Error::Invalid(format!("credentialStatus: {err}")))?;
            let purpose = e["statusPurpose"].as_str().unwrap_or_default();
            if purpose.is_empty() {
                return Err(Error::Invalid("credentialStatus: statusPurpose is empty".into()));
            }
        }
    }
    Ok(())
}

/// The idempotency key of a VC-API issue request: a digest of the input in JSON
/// Canonicalization Scheme form (member order does not matter) and the format asked for.
fn request_key(credential: &Value, format: Format) -> Result<String> {
    let canonical = serde_jcs::to_vec(credential)
        .map_err(|e| Error::Invalid(format!("the credential is not serializable JSON: {e}")))?;
    let mut h = Sha256::new();
    h.update(match format {
        Format::DataIntegrity => b"di\n".as_slice(),
        Format::Jwt => b"jwt\n".as_slice(),
    });
    h.update(&canonical);
    Ok(format!("vcapi:{}", hex::encode(h.finalize())))
}
