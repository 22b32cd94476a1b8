//! The earner's wallet items: credentials delivered to this node's DID, imported or
//! self-issued, with the earner's answer. The judgment (what an offer or an answer does) is the
//! wallet crate's; this module applies it inside the write that stores the result.

use badgemesh_wallet::inbox;
use redb::{ReadTransaction, ReadableTable};

use super::{
    Batch,
    tables::{INBOX, decode, encode},
};
use crate::{Error, Result};

/// One credential in the earner's wallet (the wallet crate's type, stored as JSON).
pub type InboxItem = badgemesh_wallet::Item;

/// Every item, pending first is not promised: callers sort.
pub fn all(txn: &ReadTransaction) -> Result<Vec<InboxItem>> {
    let table = txn.open_table(INBOX).map_err(Error::store)?;
    let mut out = Vec::new();
    for row in table.iter().map_err(Error::store)? {
        out.push(decode(row.map_err(Error::store)?.1.value())?);
    }
    Ok(out)
}

/// One item.
pub fn get(txn: &ReadTransaction, id: &str) -> Result<Option<InboxItem>> {
    let table = txn.open_table(INBOX).map_err(Error::store)?;
    table.get(id).map_err(Error::store)?.map(|v| decode(v.value())).transpose()
}

fn get_for_write(batch: &Batch<'_>, id: &str) -> Result<InboxItem> {
    let table = batch.txn.open_table(INBOX).map_err(Error::store)?;
    table
        .get(id)
        .map_err(Error::store)?
        .map(|v| decode(v.value()))
        .transpose()?
        .ok_or_else(|| Error::NotFound(format!("wallet item {id}")))
}

fn put(batch: &Batch<'_>, item: &InboxItem) -> Result<()> {
    let mut table = batch.txn.open_table(INBOX).map_err(Error::store)?;
    table.insert(item.id.as_str(), encode(item)?.as_slice()).map_err(Error::store)?;
    Ok(())
}

/// Stores an offer as the wallet judges it against what is held under its id, in the write
/// that stores it: `false` when the credential was held already and nothing changed.
pub fn offer(batch: &Batch<'_>, item: &InboxItem) -> Result<bool> {
    let held = {
        let table = batch.txn.open_table(INBOX).map_err(Error::store)?;
        table.get(item.id.as_str()).map_err(Error::store)?.map(|v| decode(v.value())).transpose()?
    };
    match inbox::judge_offer(held.as_ref(), item.clone()) {
        inbox::Offer::Held => Ok(false),
        inbox::Offer::Store(item) => put(batch, &item).map(|()| true),
    }
}

/// Records the earner's answer as the wallet decides it (once), returning the item and the
/// reply to send.
pub fn decide(batch: &Batch<'_>, id: &str, accept: bool) -> Result<(InboxItem, inbox::Reply)> {
    let item = get_for_write(batch, id)?;
    let (item, reply) = inbox::decide(&item, accept).map_err(wallet_error)?;
    put(batch, &item)?;
    Ok((item, reply))
}

/// Replaces an item's tags.
pub fn set_tags(batch: &Batch<'_>, id: &str, tags: Vec<String>) -> Result<InboxItem> {
    let mut item = get_for_write(batch, id)?;
    item.tags = tags;
    put(batch, &item)?;
    Ok(item)
}

/// The node's error for a wallet judgment.
pub fn wallet_error(e: badgemesh_wallet::Error) -> Error {
    match e {
        badgemesh_wallet::Error::Invalid(m) => Error::Invalid(m),
        badgemesh_wallet::Error::NotFound(m) => Error::NotFound(m),
        badgemesh_wallet::Error::Conflict(m) => Error::Conflict(m),
        badgemesh_wallet::Error::Busy(_) => Error::Busy,
        badgemesh_wallet::Error::Backend(m) => Error::Internal(m),
    }
}
