//! Issued credentials: the signed document, its recipient, its status entries and its state.

use chrono::{DateTime, Utc};
use redb::{ReadTransaction, ReadableTable};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    Batch,
    allocator::Slot,
    status,
    tables::{
        CREDENTIAL_ORDER, CREDENTIALS, REQUEST_KEYS, STATUS_ALLOCATED, decode, encode, next_counter,
    },
};
use crate::{Error, Result};

pub(crate) mod index;
mod listing;

pub use listing::{Filter, list};

/// Who a credential was awarded to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum Recipient {
    /// A DID: `credentialSubject.id`.
    Did(String),
    /// An e-mail address, published only as a salted hash.
    Email(String),
    /// Not known to the node (a credential issued through the VC-API without a subject id).
    Unnamed,
}

impl Recipient {
    /// The DID or address.
    pub fn value(&self) -> &str {
        match self {
            Self::Did(v) | Self::Email(v) => v,
            Self::Unnamed => "",
        }
    }
}

/// Where a credential stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Valid as issued.
    Active,
    /// Suspended; may be unsuspended.
    Suspended,
    /// Revoked; final.
    Revoked,
}

impl State {
    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Revoked => "revoked",
        }
    }
}

/// A credential's status entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRef {
    /// List name.
    pub list: String,
    /// `revocation` or `suspension`.
    pub purpose: String,
    /// Index in the list.
    pub index: u64,
}

impl From<&Slot> for StatusRef {
    fn from(s: &Slot) -> Self {
        Self { list: s.list.clone(), purpose: s.purpose.clone(), index: s.index as u64 }
    }
}

/// The recipient's answer to an e-mailed award.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimState {
    /// Not answered yet.
    Pending,
    /// Accepted.
    Accepted,
    /// Refused.
    Refused,
}

/// One issued credential.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialRecord {
    /// Key; the credential's `id` is `urn:uuid:{uuid}`.
    pub uuid: String,
    /// Issue order (set when stored).
    pub seq: u64,
    /// Achievement uuid (empty for credentials issued through the VC-API).
    pub achievement: String,
    /// Achievement version awarded.
    pub achievement_version: u32,
    /// Recipient.
    pub recipient: Recipient,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// Current state.
    pub state: State,
    /// Reason given with the last state change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the state last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_changed: Option<DateTime<Utc>>,
    /// Status list entries.
    pub status: Vec<StatusRef>,
    /// Answer to the claim link, for e-mailed awards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<ClaimState>,
    /// Whether `GET /credentials/{id}` serves it without a token.
    #[serde(default)]
    pub public: bool,
    /// The signed credential (JSON object, or a VC-JWT string).
    pub credential: Value,
}

pub(super) fn read<T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
    uuid: &str,
) -> Result<Option<CredentialRecord>> {
    table.get(uuid).map_err(Error::store)?.map(|v| decode(v.value())).transpose()
}

/// The credential `uuid`.
pub fn get(txn: &ReadTransaction, uuid: &str) -> Result<Option<CredentialRecord>> {
    read(&txn.open_table(CREDENTIALS).map_err(Error::store)?, uuid)
}

/// The credential `uuid`, inside a write.
pub fn get_for_write(batch: &Batch<'_>, uuid: &str) -> Result<Option<CredentialRecord>> {
    read(&batch.txn.open_table(CREDENTIALS).map_err(Error::store)?, uuid)
}

/// Stores a new credential with its status slots, creating the lists it is the first entry of
/// (`list_url` gives a new list its URL). Refused, before any write, when the uuid exists or
/// a slot was already committed.
pub fn insert(
    batch: &mut Batch<'_>,
    mut record: CredentialRecord,
    list_url: &dyn Fn(&str) -> String,
) -> Result<CredentialRecord> {
    if get_for_write(batch, &record.uuid)?.is_some() {
        return Err(Error::Conflict(format!("credential {} exists", record.uuid)));
    }
    {
        let allocated = batch.txn.open_table(STATUS_ALLOCATED).map_err(Error::store)?;
        for s in &record.status {
            if allocated.get((s.list.as_str(), s.index)).map_err(Error::store)?.is_some() {
                return Err(Error::Conflict(format!(
                    "status index {}#{} is taken",
                    s.list, s.index
                )));
            }
        }
    }
    record.seq = next_counter(batch.txn, "credential_seq")?;
    for s in &record.status {
        status::ensure(batch, &s.list, &s.purpose, &list_url(&s.list))?;
        let mut allocated = batch.txn.open_table(STATUS_ALLOCATED).map_err(Error::store)?;
        allocated.insert((s.list.as_str(), s.index), record.uuid.as_str()).map_err(Error::store)?;
    }
    put(batch, &record)?;
    let mut order = batch.txn.open_table(CREDENTIAL_ORDER).map_err(Error::store)?;
    order.insert(record.seq, record.uuid.as_str()).map_err(Error::store)?;
    index::update(batch.txn, None, &record)?;
    Ok(record)
}

/// The credential an idempotency key produced, if any.
pub fn by_key(txn: &ReadTransaction, key: &str) -> Result<Option<CredentialRecord>> {
    let keys = txn.open_table(REQUEST_KEYS).map_err(Error::store)?;
    let Some(uuid) = keys.get(key).map_err(Error::store)?.map(|v| v.value().to_owned()) else {
        return Ok(None);
    };
    get(txn, &uuid)?.map(Some).ok_or_else(|| dangling(key, &uuid))
}

fn by_key_for_write(batch: &Batch<'_>, key: &str) -> Result<Option<CredentialRecord>> {
    let keys = batch.txn.open_table(REQUEST_KEYS).map_err(Error::store)?;
    let Some(uuid) = keys.get(key).map_err(Error::store)?.map(|v| v.value().to_owned()) else {
        return Ok(None);
    };
    get_for_write(batch, &uuid)?.map(Some).ok_or_else(|| dangling(key, &uuid))
}

fn dangling(key: &str, uuid: &str) -> Error {
    Error::store(format!("request key {key} names credential {uuid}, which is not stored"))
}

/// What [`insert_keyed`] did.
#[derive(Debug, Clone)]
pub enum Inserted {
    /// The record was stored.
    New(CredentialRecord),
    /// The key had produced this record already; nothing was written.
    Existing(CredentialRecord),
}

/// [`insert`], once per idempotency key: when `key` already produced a credential, that one
/// is returned and nothing is written, so a request repeated after a crash or a timeout never
/// issues twice. The key is recorded in the same transaction as the credential.
pub fn insert_keyed(
    batch: &mut Batch<'_>,
    record: CredentialRecord,
    key: Option<&str>,
    list_url: &dyn Fn(&str) -> String,
) -> Result<Inserted> {
    let Some(key) = key else { return insert(batch, record, list_url).map(Inserted::New) };
    if let Some(existing) = by_key_for_write(batch, key)? {
        return Ok(Inserted::Existing(existing));
    }
    let record = insert(batch, record, list_url)?;
    let mut keys = batch.txn.open_table(REQUEST_KEYS).map_err(Error::store)?;
    keys.insert(key, record.uuid.as_str()).map_err(Error::store)?;
    Ok(Inserted::New(record))
}

/// Stores a record: a new one from [`insert`], or a changed one (state, claim, public flag),
/// keeping the index in step.
pub fn put(batch: &Batch<'_>, record: &CredentialRecord) -> Result<()> {
    let old = get_for_write(batch, &record.uuid)?;
    let mut table = batch.txn.open_table(CREDENTIALS).map_err(Error::store)?;
    table.insert(record.uuid.as_str(), encode(record)?.as_slice()).map_err(Error::store)?;
    drop(table);
    if old.is_some() {
        index::update(batch.txn, old.as_ref(), record)?;
    }
    Ok(())
}

/// A state change an operator asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Revoke (final).
    Revoke,
    /// Suspend.
    Suspend,
    /// Lift a suspension.
    Unsuspend,
}

/// Records the recipient's answer to a delivered or claimed credential.
pub fn set_claim(batch: &Batch<'_>, uuid: &str, claim: ClaimState) -> Result<CredentialRecord> {
    let mut record =
        get_for_write(batch, uuid)?.ok_or_else(|| Error::NotFound(format!("credential {uuid}")))?;
    record.claim = Some(claim);
    put(batch, &record)?;
    Ok(record)
}

/// Applies `change` to credential `uuid`: the state, then its status bits. Refused (before any
/// write) for an unknown credential or a change its state does not allow.
pub fn change_state(
    batch: &mut Batch<'_>,
    uuid: &str,
    change: Change,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<CredentialRecord> {
    let mut record =
        get_for_write(batch, uuid)?.ok_or_else(|| Error::NotFound(format!("credential {uuid}")))?;
    let (next, purpose, bit) = match (record.state, change) {
        (State::Revoked, _) => {
            return Err(Error::Conflict(format!("credential {uuid} is revoked; that is final")));
        }
        (State::Active | State::Suspended, Change::Revoke) => (State::Revoked, "revocation", true),
        (State::Active, Change::Suspend) => (State::Suspended, "suspension", true),
        (State::Suspended, Change::Unsuspend) => (State::Active, "suspension", false),
        (State::Suspended, Change::Suspend) => {
            return Err(Error::Conflict(format!("credential {uuid} is already suspended")));
        }
        (State::Active, Change::Unsuspend) => {
            return Err(Error::Conflict(format!("credential {uuid} is not suspended")));
        }
    };
    // A credential whose one entry is a suspension entry is revoked by setting it for good.
    let entry = record
        .status
        .iter()
        .find(|s| s.purpose == purpose)
        .or_else(|| {
            record.status.iter().find(|s| change == Change::Revoke && s.purpose == "suspension")
        })
        .cloned()
        .ok_or_else(|| {
            Error::Conflict(format!("credential {uuid} has no {purpose} status entry"))
        })?;
    status::set_bit(batch, &entry.list, entry.index as usize, bit)?;
    record.state = next;
    record.reason = reason;
    record.state_changed = Some(now);
    put(batch, &record)?;
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{STORE_FILE, Store, tables::CREDENTIAL_TERMS};

    fn record(uuid: &str, to: &str) -> CredentialRecord {
        CredentialRecord {
            uuid: uuid.into(),
            seq: 0,
            achievement: "a".into(),
            achievement_version: 1,
            recipient: Recipient::Email(to.into()),
            issued_at: Utc::now(),
            state: State::Active,
            reason: None,
            state_changed: None,
            status: Vec::new(),
            claim: None,
            public: false,
            credential: serde_json::json!({}),
        }
    }

    #[tokio::test]
    async fn a_store_written_before_the_index_gets_one_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(STORE_FILE);
        let store = Store::open(&path, Box::new(|_| Ok(()))).unwrap();
        store
            .write(|b| {
                for (i, to) in ["ada@x.org", "bob@x.org", "ada@x.org"].iter().enumerate() {
                    insert(b, record(&format!("u{i}"), to), &|n| n.to_owned())?;
                }
                // As an older binary left it: credentials, no index.
                let mut index = b.txn.open_table(CREDENTIAL_TERMS).map_err(Error::store)?;
                index.retain(|_, _| false).map_err(Error::store)?;
                Ok(())
            })
            .await
            .unwrap();
        store.close();
        let store = Store::open(&path, Box::new(|_| Ok(()))).unwrap();
        let filter = Filter { recipient: Some("ADA@x.org".into()), ..Filter::default() };
        let (page, next) = list(&store.read().unwrap(), &filter).unwrap();
        let uuids: Vec<&str> = page.iter().map(|r| r.uuid.as_str()).collect();
        assert_eq!((uuids, next), (vec!["u0", "u2"], None));
    }
}
