//! Status lists: bits, version and the signed list credential of each.

use chrono::{DateTime, Utc};
use redb::{ReadTransaction, ReadableTable};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    Batch,
    allocator::LIST_SIZE,
    tables::{STATUS_BITS, STATUS_LISTS, decode, encode},
};
use crate::{Error, Result};

/// One Bitstring Status List of this issuer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusListRecord {
    /// `revocation-1`, …
    pub name: String,
    /// `revocation` or `suspension`.
    pub purpose: String,
    /// The list credential's `id`, fixed when the list is created.
    pub url: String,
    /// Goes up by one with every commit that changes the list; never down.
    pub version: u64,
    /// `validFrom` of the current list credential; strictly increasing.
    pub updated: DateTime<Utc>,
    /// The signed list credential (absent only inside the transaction that created the list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<Value>,
}

fn read<T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
    name: &str,
) -> Result<Option<StatusListRecord>> {
    table.get(name).map_err(Error::store)?.map(|v| decode(v.value())).transpose()
}

/// The list `name`.
pub fn get(txn: &ReadTransaction, name: &str) -> Result<Option<StatusListRecord>> {
    read(&txn.open_table(STATUS_LISTS).map_err(Error::store)?, name)
}

/// Every list.
pub fn all(txn: &ReadTransaction) -> Result<Vec<StatusListRecord>> {
    let table = txn.open_table(STATUS_LISTS).map_err(Error::store)?;
    let mut out = Vec::new();
    for row in table.iter().map_err(Error::store)? {
        out.push(decode(row.map_err(Error::store)?.1.value())?);
    }
    Ok(out)
}

/// Every list, inside a write.
pub fn all_in(batch: &Batch<'_>) -> Result<Vec<StatusListRecord>> {
    let table = batch.txn.open_table(STATUS_LISTS).map_err(Error::store)?;
    let mut out = Vec::new();
    for row in table.iter().map_err(Error::store)? {
        out.push(decode(row.map_err(Error::store)?.1.value())?);
    }
    Ok(out)
}

/// The list `name` and its bits, inside a write.
pub fn get_for_write(batch: &Batch<'_>, name: &str) -> Result<Option<(StatusListRecord, Vec<u8>)>> {
    let Some(record) = read(&batch.txn.open_table(STATUS_LISTS).map_err(Error::store)?, name)?
    else {
        return Ok(None);
    };
    let bits = batch.txn.open_table(STATUS_BITS).map_err(Error::store)?;
    let bits = bits.get(name).map_err(Error::store)?.map(|v| v.value().to_vec());
    Ok(Some((record, bits.unwrap_or_else(|| vec![0; LIST_SIZE / 8]))))
}

/// Creates the list `name` (all bits clear) unless it exists; a new list is signed at commit.
pub fn ensure(batch: &mut Batch<'_>, name: &str, purpose: &str, url: &str) -> Result<()> {
    let exists = {
        let table = batch.txn.open_table(STATUS_LISTS).map_err(Error::store)?;
        table.get(name).map_err(Error::store)?.is_some()
    };
    if exists {
        return Ok(());
    }
    let record = StatusListRecord {
        name: name.to_owned(),
        purpose: purpose.to_owned(),
        url: url.to_owned(),
        version: 0,
        updated: DateTime::<Utc>::UNIX_EPOCH,
        credential: None,
    };
    put(batch, &record, &vec![0; LIST_SIZE / 8])?;
    batch.dirty_lists.insert(name.to_owned());
    Ok(())
}

/// Sets or clears one status bit; marks the list for re-signing when it changed.
pub fn set_bit(batch: &mut Batch<'_>, name: &str, index: usize, value: bool) -> Result<bool> {
    let (record, mut bits) = get_for_write(batch, name)?
        .ok_or_else(|| Error::store(format!("status list {name} is missing")))?;
    let (byte, mask) = (index / 8, 0x80u8 >> (index % 8));
    let slot = bits.get_mut(byte).ok_or_else(|| Error::store("status index out of range"))?;
    if (*slot & mask != 0) == value {
        return Ok(false);
    }
    if value {
        *slot |= mask;
    } else {
        *slot &= !mask;
    }
    put(batch, &record, &bits)?;
    batch.dirty_lists.insert(name.to_owned());
    Ok(true)
}

/// Stores a list record and its bits.
pub fn put(batch: &Batch<'_>, record: &StatusListRecord, bits: &[u8]) -> Result<()> {
    let mut lists = batch.txn.open_table(STATUS_LISTS).map_err(Error::store)?;
    lists.insert(record.name.as_str(), encode(record)?.as_slice()).map_err(Error::store)?;
    let mut table = batch.txn.open_table(STATUS_BITS).map_err(Error::store)?;
    table.insert(record.name.as_str(), bits).map_err(Error::store)?;
    Ok(())
}
