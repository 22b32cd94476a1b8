//! The earner's inbox: credentials other nodes delivered to this node's DID, waiting for an
//! answer. A decision is made once.

use chrono::{DateTime, Utc};
use redb::{ReadTransaction, ReadableTable};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    Batch,
    credentials::ClaimState,
    tables::{INBOX, decode, encode},
};
use crate::{Error, Result};

/// One delivered credential.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxItem {
    /// The credential's id.
    pub id: String,
    /// Its issuer's DID.
    pub issuer: String,
    /// The peer that delivered it (the answer goes back there).
    pub from_peer: String,
    /// When it arrived.
    pub received: DateTime<Utc>,
    /// Pending, accepted or refused.
    pub state: ClaimState,
    /// The signed credential.
    pub credential: Value,
}

/// Every item, pending first is not promised: callers sort.
pub fn all(txn: &ReadTransaction) -> Result<Vec<InboxItem>> {
    let table = txn.open_table(INBOX).map_err(Error::store)?;
    let mut out = Vec::new();
    for row in table.iter().map_err(Error::store)? {
        out.push(decode(row.map_err(Error::store)?.1.value())?);
    }
    Ok(out)
}

/// Stores a new offer; a credential already in the inbox is left as it is.
pub fn offer(batch: &Batch<'_>, item: &InboxItem) -> Result<bool> {
    let mut table = batch.txn.open_table(INBOX).map_err(Error::store)?;
    if table.get(item.id.as_str()).map_err(Error::store)?.is_some() {
        return Ok(false);
    }
    table.insert(item.id.as_str(), encode(item)?.as_slice()).map_err(Error::store)?;
    Ok(true)
}

/// Records the earner's answer, once.
pub fn decide(batch: &Batch<'_>, id: &str, accept: bool) -> Result<InboxItem> {
    let mut table = batch.txn.open_table(INBOX).map_err(Error::store)?;
    let mut item: InboxItem = table
        .get(id)
        .map_err(Error::store)?
        .map(|v| decode(v.value()))
        .transpose()?
        .ok_or_else(|| Error::NotFound(format!("inbox item {id}")))?;
    if item.state != ClaimState::Pending {
        return Err(Error::Conflict(format!("inbox item {id} was already answered")));
    }
    item.state = if accept { ClaimState::Accepted } else { ClaimState::Refused };
    table.insert(id, encode(&item)?.as_slice()).map_err(Error::store)?;
    Ok(item)
}
