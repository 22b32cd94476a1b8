//! Table definitions and the schema version.
//!
//! Names carry a version suffix: a layout change adds a new table and a migration step, and an
//! older binary refuses a store written by a newer one instead of misreading it. Values are JSON
//! (records change shape more often than they are read in a hot loop) except bitstrings.

use redb::{Database, ReadableTable, TableDefinition};

use crate::{Error, Result};

/// The layout this binary reads and writes.
pub const SCHEMA_VERSION: u64 = 1;

/// `schema_version`, counters and singletons (the issuer profile): name → bytes.
pub const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("meta-1");
/// Achievements, current version: uuid → JSON record.
pub const ACHIEVEMENTS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("achievements-1");
/// Every version of every achievement: (uuid, version) → JSON record.
pub const ACHIEVEMENT_VERSIONS: TableDefinition<'_, (&str, u32), &[u8]> =
    TableDefinition::new("achievement-versions-1");
/// Achievement images: uuid → bytes (content type in the achievement record).
pub const IMAGES: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("images-1");
/// Issued credentials: uuid → JSON record (the signed credential and its state).
pub const CREDENTIALS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("credentials-1");
/// Issue order: sequence number → credential uuid (pagination, newest last).
pub const CREDENTIAL_ORDER: TableDefinition<'_, u64, &str> =
    TableDefinition::new("credential-order-1");
/// The credential index: (term, sequence number) → credential uuid, where a term is a
/// recipient, an achievement, a non-active state or a word (`store::credentials::index`), so
/// that a filtered listing reads the records it returns, whatever the store's size.
pub const CREDENTIAL_TERMS: TableDefinition<'_, (&str, u64), &str> =
    TableDefinition::new("credential-terms-1");
/// Status lists: name → JSON record (purpose, version, signed list credential).
pub const STATUS_LISTS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("status-lists-1");
/// Status bits of each list: name → bitstring.
pub const STATUS_BITS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("status-bits-1");
/// Allocated status indexes: (list name, index) → credential uuid. Never deleted: an index is
/// never handed out twice.
pub const STATUS_ALLOCATED: TableDefinition<'_, (&str, u64), &str> =
    TableDefinition::new("status-allocated-1");
/// Claim links: SHA-256 of the token (hex) → JSON claim record.
pub const CLAIMS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("claims-1");
/// Mail waiting for the relay: sequence number → JSON message. Written in the award's
/// transaction, deleted once the relay accepted it.
pub const OUTBOX: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("outbox-1");

/// Signed documents held from the network (status lists, announcements, endorsements; ours
/// too): (kind, key) → JSON record.
pub const HELD: TableDefinition<'_, (&str, &str), &[u8]> = TableDefinition::new("held-1");

/// The version of every held document: (kind, key) → its signed `validFrom` in microseconds
/// since the epoch. Catch-up lists heads on every connect and sync tick; this table answers
/// without reading or decoding the documents themselves.
pub const HELD_HEADS: TableDefinition<'_, (&str, &str), i64> = TableDefinition::new("held-heads-1");

/// The earner's inbox: credential id → JSON item.
pub const INBOX: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("inbox-1");

/// The wallet's list entries: item id → JSON entry (`badgemesh_wallet::listing::Entry`),
/// written with each item, so that a list of ten thousand badges reads no credential.
pub const WALLET_ENTRIES: TableDefinition<'_, &str, &[u8]> =
    TableDefinition::new("wallet-entries-1");

/// Public badge addresses: share id → wallet item id (public or not: the item says).
pub const WALLET_SHARES: TableDefinition<'_, &str, &str> = TableDefinition::new("wallet-shares-1");

/// The earner's portfolio pages: page id → JSON page (`badgemesh_wallet::share::Portfolio`).
pub const WALLET_PAGES: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("wallet-pages-1");

/// OID4VCI offers: offer id → JSON offer (`exchange::oid4vci::Offer`): the award to make,
/// the hashes of its code and token, where the flow is.
pub const OFFERS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("offers-1");

/// OID4VP presentation requests: request id → JSON (`exchange::oid4vp::Verification`): what
/// was asked, the hashes of its state and page key, the answer once there is one.
pub const VERIFICATIONS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("verifications-1");

/// Idempotency keys: a bulk row's key or a VC-API request's digest → the credential uuid it
/// produced, so that the same request again returns the same credential instead of a second.
pub const REQUEST_KEYS: TableDefinition<'_, &str, &str> = TableDefinition::new("request-keys-1");

/// Creates every table and checks the schema version.
pub fn migrate(db: &Database) -> Result<()> {
    let txn = db.begin_write().map_err(Error::store)?;
    {
        let mut meta = txn.open_table(META).map_err(Error::store)?;
        let found = meta
            .get("schema_version")
            .map_err(Error::store)?
            .map(|v| counter_value("schema_version", v.value()))
            .transpose()?;
        match found {
            Some(v) if v > SCHEMA_VERSION => {
                return Err(Error::store(format!(
                    "the store has schema version {v}; this badgemesh reads up to {SCHEMA_VERSION}: upgrade badgemesh"
                )));
            }
            Some(_) => {}
            None => {
                meta.insert("schema_version", SCHEMA_VERSION.to_be_bytes().as_slice())
                    .map_err(Error::store)?;
            }
        }
    }
    txn.open_table(ACHIEVEMENTS).map_err(Error::store)?;
    txn.open_table(ACHIEVEMENT_VERSIONS).map_err(Error::store)?;
    txn.open_table(IMAGES).map_err(Error::store)?;
    txn.open_table(CREDENTIALS).map_err(Error::store)?;
    txn.open_table(CREDENTIAL_ORDER).map_err(Error::store)?;
    super::credentials::index::build(&txn)?;
    txn.open_table(STATUS_LISTS).map_err(Error::store)?;
    txn.open_table(STATUS_BITS).map_err(Error::store)?;
    txn.open_table(STATUS_ALLOCATED).map_err(Error::store)?;
    txn.open_table(CLAIMS).map_err(Error::store)?;
    txn.open_table(OUTBOX).map_err(Error::store)?;
    txn.open_table(HELD).map_err(Error::store)?;
    super::held::build_heads(&txn)?;
    txn.open_table(INBOX).map_err(Error::store)?;
    txn.open_table(WALLET_SHARES).map_err(Error::store)?;
    txn.open_table(WALLET_PAGES).map_err(Error::store)?;
    super::inbox::build_entries(&txn)?;
    txn.open_table(OFFERS).map_err(Error::store)?;
    txn.open_table(VERIFICATIONS).map_err(Error::store)?;
    txn.open_table(REQUEST_KEYS).map_err(Error::store)?;
    txn.commit().map_err(Error::store)?;
    Ok(())
}

/// Reads a JSON record.
pub fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| Error::store(format!("corrupt record: {e}")))
}

/// Writes a JSON record.
pub fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Error::store(format!("cannot encode a record: {e}")))
}

/// A counter's stored bytes: exactly eight, big-endian. Anything else is corruption, and must
/// stop the write: restarting at 0 would hand out keys that are already in use.
fn counter_value(name: &str, bytes: &[u8]) -> Result<u64> {
    let bytes: [u8; 8] = bytes.try_into().map_err(|_| {
        Error::store(format!("corrupt counter {name:?}: {} bytes, not 8", bytes.len()))
    })?;
    Ok(u64::from_be_bytes(bytes))
}

/// Next value of the counter `name` in `META` (starts at 1).
pub fn next_counter(txn: &redb::WriteTransaction, name: &str) -> Result<u64> {
    let mut meta = txn.open_table(META).map_err(Error::store)?;
    let current = meta
        .get(name)
        .map_err(Error::store)?
        .map(|v| counter_value(name, v.value()))
        .transpose()?
        .unwrap_or(0);
    let next = current
        .checked_add(1)
        .ok_or_else(|| Error::store(format!("counter {name:?} is exhausted")))?;
    meta.insert(name, next.to_be_bytes().as_slice()).map_err(Error::store)?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_counter_is_an_error_not_a_restart_at_zero() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::create(dir.path().join("t.redb")).unwrap();
        migrate(&db).unwrap();
        let txn = db.begin_write().unwrap();
        assert_eq!(next_counter(&txn, "c").unwrap(), 1);
        assert_eq!(next_counter(&txn, "c").unwrap(), 2);
        txn.open_table(META).unwrap().insert("c", [1u8, 2, 3].as_slice()).unwrap();
        let err = next_counter(&txn, "c").unwrap_err();
        assert!(
            matches!(err, Error::Store(_)) && err.to_string().contains("corrupt counter"),
            "{err}"
        );
    }
}
