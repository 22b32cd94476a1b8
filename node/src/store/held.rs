//! Signed documents held from the network: status lists, issuer announcements and endorsements,
//! as received by gossip or catch-up (this node's own too), checked before they get here.
//!
//! Each is keyed by its kind and a key (a list's id, an announcing DID, an endorsement's id) and
//! ordered by its signed `validFrom`: a replayed older version never replaces a newer one, and a
//! key held for one issuer is never taken over by another. Both rules are applied inside the
//! write transaction that would store the document.

use chrono::{DateTime, Utc};
use redb::{ReadTransaction, ReadableTable};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    Batch,
    tables::{HELD, decode, encode},
};
use crate::{Error, Result};

/// What a held document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// A `BitstringStatusListCredential`, keyed by its id.
    StatusList,
    /// A node announcement, keyed by the announcing DID.
    Announcement,
    /// An `EndorsementCredential`, keyed by its id.
    Endorsement,
}

impl Kind {
    /// The table key prefix.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StatusList => "statusList",
            Self::Announcement => "announcement",
            Self::Endorsement => "endorsement",
        }
    }
}

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

/// What storing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// It was newer (or new): stored.
    Newer,
    /// The same or an older version is already held: nothing changed.
    Stale,
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

/// Every held document.
pub fn everything(txn: &ReadTransaction) -> Result<Vec<Held>> {
    let mut out = Vec::new();
    for kind in [Kind::StatusList, Kind::Announcement, Kind::Endorsement] {
        out.extend(all(txn, kind)?);
    }
    Ok(out)
}

/// Stores `doc` if it is newer than the held version of its key. A different issuer for a held
/// key is refused.
pub fn put_if_newer(batch: &Batch<'_>, doc: &Held) -> Result<Stored> {
    let mut table = batch.txn.open_table(HELD).map_err(Error::store)?;
    let key = (doc.kind.as_str(), doc.id.as_str());
    let held: Option<Held> =
        table.get(key).map_err(Error::store)?.map(|v| decode(v.value())).transpose()?;
    if let Some(h) = held {
        if h.issuer != doc.issuer {
            return Err(Error::Invalid(format!(
                "{} {} belongs to {}, not {}",
                doc.kind.as_str(),
                doc.id,
                h.issuer,
                doc.issuer
            )));
        }
        if h.valid_from >= doc.valid_from {
            return Ok(Stored::Stale);
        }
    }
    table.insert(key, encode(doc)?.as_slice()).map_err(Error::store)?;
    Ok(Stored::Newer)
}
