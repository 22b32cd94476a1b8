//! Claim links of e-mailed awards. Only the SHA-256 of a token is stored, so a copy of the
//! store does not hand out the links.

use chrono::{DateTime, Utc};
use redb::{ReadTransaction, ReadableTable};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{
    Batch,
    credentials::{self, ClaimState},
    tables::{CLAIMS, decode, encode},
};
use crate::{Error, Result};

/// A claim link.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimRecord {
    /// Credential uuid.
    pub credential: String,
    /// The recipient's answer.
    pub state: ClaimState,
    /// When the link was made.
    pub created: DateTime<Utc>,
    /// When it was answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<DateTime<Utc>>,
}

/// The stored key of a token.
pub fn key(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The claim behind `token`.
pub fn get(txn: &ReadTransaction, token: &str) -> Result<Option<ClaimRecord>> {
    let table = txn.open_table(CLAIMS).map_err(Error::store)?;
    table.get(key(token).as_str()).map_err(Error::store)?.map(|v| decode(v.value())).transpose()
}

/// Records a new claim link for `credential`.
pub fn insert(batch: &Batch<'_>, token: &str, credential: &str, now: DateTime<Utc>) -> Result<()> {
    let record = ClaimRecord {
        credential: credential.to_owned(),
        state: ClaimState::Pending,
        created: now,
        decided: None,
    };
    let mut table = batch.txn.open_table(CLAIMS).map_err(Error::store)?;
    table.insert(key(token).as_str(), encode(&record)?.as_slice()).map_err(Error::store)?;
    Ok(())
}

/// Answers the claim once: refused when the link is unknown or already used.
pub fn decide(
    batch: &Batch<'_>,
    token: &str,
    accept: bool,
    now: DateTime<Utc>,
) -> Result<ClaimRecord> {
    let k = key(token);
    let mut record: ClaimRecord = {
        let table = batch.txn.open_table(CLAIMS).map_err(Error::store)?;
        let found = table.get(k.as_str()).map_err(Error::store)?.map(|v| decode(v.value()));
        found.transpose()?.ok_or_else(|| Error::NotFound("claim link".into()))?
    };
    if record.state != ClaimState::Pending {
        return Err(Error::Conflict("this claim link has already been used".into()));
    }
    let mut credential = credentials::get_for_write(batch, &record.credential)?
        .ok_or_else(|| Error::NotFound(format!("credential {}", record.credential)))?;
    record.state = if accept { ClaimState::Accepted } else { ClaimState::Refused };
    record.decided = Some(now);
    credential.claim = Some(record.state);
    credentials::put(batch, &credential)?;
    let mut table = batch.txn.open_table(CLAIMS).map_err(Error::store)?;
    table.insert(k.as_str(), encode(&record)?.as_slice()).map_err(Error::store)?;
    Ok(record)
}
