//! The earner's wallet: items (credentials delivered to this node's DID, imported or
//! self-issued, with the earner's answer), their list entries, public addresses and portfolio
//! pages. The judgment (what an offer, an answer or a publication does) is the wallet crate's;
//! this module applies it inside the write that stores the result.

use badgemesh_wallet::{
    inbox,
    listing::Entry,
    share::{self, Portfolio, PortfolioInput},
};
use redb::{ReadTransaction, ReadableTable, ReadableTableMetadata};

use super::{
    Batch,
    tables::{INBOX, WALLET_ENTRIES, WALLET_PAGES, WALLET_SHARES, decode, encode},
};
use crate::{Error, Result};

/// One credential in the earner's wallet (the wallet crate's type, stored as JSON).
pub type InboxItem = badgemesh_wallet::Item;

/// Every item, pending first is not promised: callers sort.
pub fn all(txn: &ReadTransaction) -> Result<Vec<InboxItem>> {
    every(txn, INBOX)
}

/// Every JSON record of `table`, in key order.
fn every<T: serde::de::DeserializeOwned>(
    txn: &ReadTransaction,
    table: redb::TableDefinition<'_, &str, &[u8]>,
) -> Result<Vec<T>> {
    let table = txn.open_table(table).map_err(Error::store)?;
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

/// Stores `item` with its list entry and, once it has one, its public address.
fn put(batch: &Batch<'_>, item: &InboxItem) -> Result<()> {
    let mut table = batch.txn.open_table(INBOX).map_err(Error::store)?;
    table.insert(item.id.as_str(), encode(item)?.as_slice()).map_err(Error::store)?;
    let mut entries = batch.txn.open_table(WALLET_ENTRIES).map_err(Error::store)?;
    entries.insert(item.id.as_str(), encode(&Entry::of(item))?.as_slice()).map_err(Error::store)?;
    if !item.share.is_empty() {
        let mut shares = batch.txn.open_table(WALLET_SHARES).map_err(Error::store)?;
        shares.insert(item.share.as_str(), item.id.as_str()).map_err(Error::store)?;
    }
    Ok(())
}

/// Every item's list entry.
pub fn entries(txn: &ReadTransaction) -> Result<Vec<Entry>> {
    every(txn, WALLET_ENTRIES)
}

/// Writes the list entries of a store from before they were kept.
pub(super) fn build_entries(txn: &redb::WriteTransaction) -> Result<()> {
    let items = txn.open_table(INBOX).map_err(Error::store)?;
    let mut entries = txn.open_table(WALLET_ENTRIES).map_err(Error::store)?;
    if entries.len().map_err(Error::store)? == items.len().map_err(Error::store)? {
        return Ok(());
    }
    for row in items.iter().map_err(Error::store)? {
        let (id, bytes) = row.map_err(Error::store)?;
        let item: InboxItem = decode(bytes.value())?;
        entries.insert(id.value(), encode(&Entry::of(&item))?.as_slice()).map_err(Error::store)?;
    }
    Ok(())
}

/// A fresh random id for a public address: 128 bits, base64url (22 characters), so that
/// addresses cannot be guessed or counted.
fn fresh_id() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Makes an item public or private, as the wallet decides.
pub fn publish(batch: &Batch<'_>, id: &str, public: bool) -> Result<InboxItem> {
    let item = get_for_write(batch, id)?;
    let item = share::publish(&item, public, fresh_id).map_err(wallet_error)?;
    put(batch, &item)?;
    Ok(item)
}

/// The public, accepted item at share id `share`.
pub fn shared(txn: &ReadTransaction, share: &str) -> Result<Option<InboxItem>> {
    let shares = txn.open_table(WALLET_SHARES).map_err(Error::store)?;
    let Some(id) = shares.get(share).map_err(Error::store)?.map(|v| v.value().to_owned()) else {
        return Ok(None);
    };
    Ok(get(txn, &id)?
        .filter(|i| i.public && i.state == badgemesh_wallet::State::Accepted && i.share == share))
}

/// Every portfolio page.
pub fn portfolios(txn: &ReadTransaction) -> Result<Vec<Portfolio>> {
    every(txn, WALLET_PAGES)
}

/// One portfolio page.
pub fn portfolio(txn: &ReadTransaction, id: &str) -> Result<Option<Portfolio>> {
    let table = txn.open_table(WALLET_PAGES).map_err(Error::store)?;
    table.get(id).map_err(Error::store)?.map(|v| decode(v.value())).transpose()
}

/// Stores a portfolio page as the wallet checks it (new when `id` is `None`); a public page
/// makes its badges public in the same write.
pub fn save_portfolio(
    batch: &Batch<'_>,
    id: Option<String>,
    input: PortfolioInput,
) -> Result<Portfolio> {
    let mut held = Vec::with_capacity(input.badges.len());
    {
        let table = batch.txn.open_table(INBOX).map_err(Error::store)?;
        for badge in &input.badges {
            if let Some(v) = table.get(badge.as_str()).map_err(Error::store)? {
                held.push(decode::<InboxItem>(v.value())?);
            }
        }
    }
    let mut pages = batch.txn.open_table(WALLET_PAGES).map_err(Error::store)?;
    let id = match id {
        Some(id) if pages.get(id.as_str()).map_err(Error::store)?.is_some() => id,
        Some(id) => return Err(Error::NotFound(format!("page {id}"))),
        None if pages.len().map_err(Error::store)? >= share::MAX_PAGES as u64 => {
            return Err(Error::Conflict(format!(
                "{} pages at most: delete one first",
                share::MAX_PAGES
            )));
        }
        None => fresh_id(),
    };
    let page = input.into_page(id, &held, chrono::Utc::now()).map_err(wallet_error)?;
    if page.public {
        for item in &held {
            put(batch, &share::publish(item, true, fresh_id).map_err(wallet_error)?)?;
        }
    }
    pages.insert(page.id.as_str(), encode(&page)?.as_slice()).map_err(Error::store)?;
    Ok(page)
}

/// Deletes a portfolio page.
pub fn delete_portfolio(batch: &Batch<'_>, id: &str) -> Result<()> {
    let mut pages = batch.txn.open_table(WALLET_PAGES).map_err(Error::store)?;
    match pages.remove(id).map_err(Error::store)? {
        Some(_) => Ok(()),
        None => Err(Error::NotFound(format!("page {id}"))),
    }
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

/// Adds the items and pages of a backup that this wallet does not hold (by id), in this write;
/// returns (items added, items held, pages added).
pub fn restore(
    batch: &Batch<'_>,
    items: &[InboxItem],
    pages: &[Portfolio],
) -> Result<(usize, usize, usize)> {
    let (mut added, mut held, mut pages_added) = (0, 0, 0);
    for item in items {
        let exists = {
            let table = batch.txn.open_table(INBOX).map_err(Error::store)?;
            table.get(item.id.as_str()).map_err(Error::store)?.is_some()
        };
        if exists {
            held += 1;
        } else {
            put(batch, item)?;
            added += 1;
        }
    }
    let mut table = batch.txn.open_table(WALLET_PAGES).map_err(Error::store)?;
    for page in pages {
        if table.get(page.id.as_str()).map_err(Error::store)?.is_none() {
            table.insert(page.id.as_str(), encode(page)?.as_slice()).map_err(Error::store)?;
            pages_added += 1;
        }
    }
    Ok((added, held, pages_added))
}
