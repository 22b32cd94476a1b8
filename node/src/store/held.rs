//! Signed documents held from the network: status lists, issuer announcements and endorsements,
//! as received by gossip or catch-up (this node's own too), checked before they get here.
//!
//! Each is keyed by its kind and a key (a list's id, an announcing DID, an endorsement's id) and
//! ordered by its signed `validFrom`: a replayed older version never replaces a newer one, and a
//! key held for one issuer is never taken over by another. Both rules are applied inside the
//! write transaction that would store the document.

use chrono::{DateTime, Utc};
use redb::{ReadTransaction, ReadableTable, ReadableTableMetadata};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    Batch,
    tables::{HELD, HELD_HEADS, decode, encode},
};
// The kind is the protocol's (it names topics and the wire's `kind`); the store keys by it.
pub use crate::p2p::proto::Kind;
use crate::{
    Error, Result,
    p2p::proto::{Accepted, HeldVersion},
};

/// One held document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Held {
    /// What it is.
    pub kind: Kind,
    /// Its key: list id, announcing DID, endorsement id.
    pub id: String,
    /// Its issuer: the only DID whose later versions are accepted for this key.
    pub issuer: String,
    /// Its signed `validFrom`: the version order.
    pub valid_from: DateTime<Utc>,
    /// When this node stored it.
    pub received: DateTime<Utc>,
    /// The signed credential.
    pub credential: Value,
}

impl Held {
    /// An accepted document, as held from `received` on.
    pub fn accepted(doc: Accepted, received: DateTime<Utc>) -> Self {
        let Accepted { kind, key, issuer, valid_from, credential } = doc;
        Self { kind, id: key, issuer, valid_from, received, credential }
    }

    /// What the protocol's judgment needs of this version.
    pub fn version(&self) -> HeldVersion {
        HeldVersion { issuer: self.issuer.clone(), valid_from: self.valid_from }
    }
}

/// What storing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// It was newer (or new): stored.
    Newer,
    /// The same or an older version is already held: nothing changed.
    Stale,
    /// The key is held for another issuer: refused, nothing changed.
    OtherIssuer {
        /// The issuer of the held version.
        held_by: String,
    },
}

/// The document `id` of `kind`, if held.
pub fn get(txn: &ReadTransaction, kind: Kind, id: &str) -> Result<Option<Held>> {
    let table = txn.open_table(HELD).map_err(Error::store)?;
    table.get((kind.as_str(), id)).map_err(Error::store)?.map(|v| decode(v.value())).transpose()
}

/// Every held document of `kind`.
pub fn all(txn: &ReadTransaction, kind: Kind) -> Result<Vec<Held>> {
    let table = txn.open_table(HELD).map_err(Error::store)?;
    let mut out = Vec::new();
    for row in table.range((kind.as_str(), "")..).map_err(Error::store)? {
        let (k, v) = row.map_err(Error::store)?;
        if k.value().0 != kind.as_str() {
            break;
        }
        out.push(decode(v.value())?);
    }
    Ok(out)
}

/// The version (signed `validFrom`) of every held document, from the heads table: what a
/// catch-up exchange compares, read without decoding a single document.
pub fn heads(txn: &ReadTransaction) -> Result<Vec<(Kind, String, DateTime<Utc>)>> {
    let table = txn.open_table(HELD_HEADS).map_err(Error::store)?;
    let mut out = Vec::new();
    for row in table.iter().map_err(Error::store)? {
        let (k, v) = row.map_err(Error::store)?;
        let (kind, id) = k.value();
        let kind = Kind::parse(kind)
            .ok_or_else(|| Error::store(format!("corrupt heads table: kind {kind:?}")))?;
        let at = DateTime::from_timestamp_micros(v.value())
            .ok_or_else(|| Error::store(format!("corrupt heads table: time of {id}")))?;
        out.push((kind, id.to_owned(), at));
    }
    Ok(out)
}

/// Fills the heads table from the held documents when it is empty and they are not (a store
/// written before the table existed); a no-op otherwise.
pub(super) fn build_heads(txn: &redb::WriteTransaction) -> Result<()> {
    let held = txn.open_table(HELD).map_err(Error::store)?;
    let mut heads = txn.open_table(HELD_HEADS).map_err(Error::store)?;
    if !heads.is_empty().map_err(Error::store)? || held.is_empty().map_err(Error::store)? {
        return Ok(());
    }
    for row in held.iter().map_err(Error::store)? {
        let (k, v) = row.map_err(Error::store)?;
        let doc: Held = decode(v.value())?;
        let (kind, id) = k.value();
        heads.insert((kind, id), doc.valid_from.timestamp_micros()).map_err(Error::store)?;
    }
    Ok(())
}

/// Stores `doc` if it is newer than the held version of its key. A different issuer for a held
/// key is refused ([`Stored::OtherIssuer`]): the judgment checked it too, but against a version
/// read before this transaction.
pub fn put_if_newer(batch: &Batch<'_>, doc: &Held) -> Result<Stored> {
    let mut table = batch.txn.open_table(HELD).map_err(Error::store)?;
    let key = (doc.kind.as_str(), doc.id.as_str());
    let held: Option<Held> =
        table.get(key).map_err(Error::store)?.map(|v| decode(v.value())).transpose()?;
    if let Some(h) = held {
        if h.issuer != doc.issuer {
            return Ok(Stored::OtherIssuer { held_by: h.issuer });
        }
        if h.valid_from >= doc.valid_from {
            return Ok(Stored::Stale);
        }
    }
    table.insert(key, encode(doc)?.as_slice()).map_err(Error::store)?;
    let mut heads = batch.txn.open_table(HELD_HEADS).map_err(Error::store)?;
    heads.insert(key, doc.valid_from.timestamp_micros()).map_err(Error::store)?;
    Ok(Stored::Newer)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::store::{STORE_FILE, Store};

    fn doc(id: &str, at: i64, bulk: usize) -> Held {
        Held {
            kind: Kind::StatusList,
            id: id.to_owned(),
            issuer: "did:key:z6Mkissuer".into(),
            valid_from: DateTime::from_timestamp(at, 0).unwrap(),
            received: Utc::now(),
            credential: serde_json::json!({"id": id, "encodedList": "u".repeat(bulk)}),
        }
    }

    async fn hold(store: &Store, docs: Vec<Held>) -> Vec<Stored> {
        store
            .write(move |b| docs.iter().map(|d| put_if_newer(b, d)).collect::<Result<Vec<_>>>())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn heads_follow_every_newer_version_and_ignore_stale_ones() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(STORE_FILE), Box::new(|_| Ok(()))).unwrap();
        let stored = hold(
            &store,
            vec![doc("l1", 100, 8), doc("l2", 100, 8), doc("l1", 200, 8), doc("l2", 50, 8)],
        )
        .await;
        assert_eq!(stored, [Stored::Newer, Stored::Newer, Stored::Newer, Stored::Stale]);
        let mut taken = doc("l1", 300, 8);
        taken.issuer = "did:key:z6Mkother".into();
        assert_eq!(
            hold(&store, vec![taken]).await,
            [Stored::OtherIssuer { held_by: "did:key:z6Mkissuer".into() }]
        );
        let mut heads = heads(&store.read().unwrap()).unwrap();
        heads.sort();
        let at = |s| DateTime::from_timestamp(s, 0).unwrap();
        assert_eq!(
            heads,
            vec![
                (Kind::StatusList, "l1".into(), at(200)),
                (Kind::StatusList, "l2".into(), at(100))
            ]
        );
    }

    /// The field's size (`docs/SCALING.md`): 60,000 held lists. Prints what listing heads
    /// costs from the heads table and by decoding every document as catch-up used to.
    /// `cargo test -p badgemesh-node --release --lib heads_exchange -- --ignored --nocapture`
    #[tokio::test]
    #[ignore = "a measurement (60,000 documents): run it by name"]
    async fn heads_exchange_with_60000_held_lists() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(STORE_FILE), Box::new(|_| Ok(()))).unwrap();
        for chunk in 0..60 {
            let docs = (0..1000)
                .map(|i| doc(&format!("https://i{chunk}.example/status/{i}"), 1_000, 1_400))
                .collect();
            hold(&store, docs).await;
        }
        let r = store.read().unwrap();
        let started = Instant::now();
        let n = heads(&r).unwrap().len();
        let from_table = started.elapsed();
        let started = Instant::now();
        let mut decoded = 0;
        for kind in Kind::ALL {
            decoded += all(&r, kind).unwrap().len();
        }
        let by_decoding = started.elapsed();
        assert_eq!((n, decoded), (60_000, 60_000));
        println!(
            "60,000 heads: {from_table:?} from the heads table, {by_decoding:?} decoding every document"
        );
    }
}
