//! Status list credentials held for verification: this node's own lists are in [`super::status`];
//! these are everyone's, as received by gossip or catch-up, checked before they get here.
//!
//! The order of two versions of one list is their signed `validFrom` (issuers move it strictly
//! forward with every change), so a replayed older list can never replace a newer one: the
//! comparison is made inside the write transaction that would store it.

use chrono::{DateTime, Utc};
use redb::{ReadTransaction, ReadableTable};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    Batch,
    tables::{HELD_LISTS, decode, encode},
};
use crate::{Error, Result};

/// One held list credential.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct HeldList {
    /// The list credential's `id` (the URL credentials name in `statusListCredential`).
    pub id: String,
    /// Its issuer: the only DID whose later versions are accepted for this id.
    pub issuer: String,
    /// Its signed `validFrom`: the version order.
    pub valid_from: DateTime<Utc>,
    /// When this node stored it.
    pub received: DateTime<Utc>,
    /// The signed list credential.
    pub credential: Value,
}

/// What storing a list did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// It was newer (or new): stored.
    Newer,
    /// The same or an older version is already held: nothing changed.
    Stale,
}

/// The list `id`, if held.
pub fn get(txn: &ReadTransaction, id: &str) -> Result<Option<HeldList>> {
    let table = txn.open_table(HELD_LISTS).map_err(Error::store)?;
    table.get(id).map_err(Error::store)?.map(|v| decode(v.value())).transpose()
}

/// Every held list.
pub fn all(txn: &ReadTransaction) -> Result<Vec<HeldList>> {
    let table = txn.open_table(HELD_LISTS).map_err(Error::store)?;
    let mut out = Vec::new();
    for row in table.iter().map_err(Error::store)? {
        out.push(decode(row.map_err(Error::store)?.1.value())?);
    }
    Ok(out)
}

/// Stores `list` if it is newer than the held version of its id. A different issuer for a held
/// id is refused (checked by the caller before, and again here, where it is atomic).
pub fn put_if_newer(batch: &Batch<'_>, list: &HeldList) -> Result<Stored> {
    let mut table = batch.txn.open_table(HELD_LISTS).map_err(Error::store)?;
    let held: Option<HeldList> = table
        .get(list.id.as_str())
        .map_err(Error::store)?
        .map(|v| decode(v.value()))
        .transpose()?;
    if let Some(h) = held {
        if h.issuer != list.issuer {
            return Err(Error::Invalid(format!(
                "list {} belongs to {}, not {}",
                list.id, h.issuer, list.issuer
            )));
        }
        if h.valid_from >= list.valid_from {
            return Ok(Stored::Stale);
        }
    }
    table.insert(list.id.as_str(), encode(list)?.as_slice()).map_err(Error::store)?;
    Ok(Stored::Newer)
}
