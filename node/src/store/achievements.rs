//! Achievements (badge classes): the current version of each, every past version, and images.

use chrono::{DateTime, Utc};
use redb::{ReadTransaction, ReadableTable};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    Batch,
    tables::{ACHIEVEMENT_VERSIONS, ACHIEVEMENTS, IMAGES, decode, encode},
};
use crate::{Error, Result};

/// One version of an achievement.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementRecord {
    /// Stable key; the achievement's `id` is `urn:uuid:{uuid}`.
    pub uuid: String,
    /// 1 for the first version; each update adds one. Credentials record the version they were
    /// awarded with.
    pub version: u32,
    /// Archived achievements are kept (their credentials still reference them) but cannot be
    /// awarded.
    pub archived: bool,
    /// The OB 3.0 `Achievement` object published in credentials.
    pub achievement: Value,
    /// Content type of the uploaded image, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_type: Option<String>,
    /// Default validity of awards, in days (sets `validUntil`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_days: Option<u32>,
    /// When the first version was created.
    pub created: DateTime<Utc>,
    /// When this version was made.
    pub updated: DateTime<Utc>,
}

fn read<T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
    uuid: &str,
) -> Result<Option<AchievementRecord>> {
    table.get(uuid).map_err(Error::store)?.map(|v| decode(v.value())).transpose()
}

/// The current version of `uuid`.
pub fn get(txn: &ReadTransaction, uuid: &str) -> Result<Option<AchievementRecord>> {
    read(&txn.open_table(ACHIEVEMENTS).map_err(Error::store)?, uuid)
}

/// The current version of `uuid`, inside a write.
pub fn get_for_write(batch: &Batch<'_>, uuid: &str) -> Result<Option<AchievementRecord>> {
    read(&batch.txn.open_table(ACHIEVEMENTS).map_err(Error::store)?, uuid)
}

/// A given version of `uuid`.
pub fn get_version(
    txn: &ReadTransaction,
    uuid: &str,
    version: u32,
) -> Result<Option<AchievementRecord>> {
    let table = txn.open_table(ACHIEVEMENT_VERSIONS).map_err(Error::store)?;
    table.get((uuid, version)).map_err(Error::store)?.map(|v| decode(v.value())).transpose()
}

/// Every achievement, current versions, oldest first.
pub fn list(txn: &ReadTransaction) -> Result<Vec<AchievementRecord>> {
    let table = txn.open_table(ACHIEVEMENTS).map_err(Error::store)?;
    let mut out = Vec::new();
    for row in table.iter().map_err(Error::store)? {
        let (_, v) = row.map_err(Error::store)?;
        out.push(decode::<AchievementRecord>(v.value())?);
    }
    out.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.uuid.cmp(&b.uuid)));
    Ok(out)
}

/// Stores `record` as the current version and in the version history.
pub fn put(batch: &Batch<'_>, record: &AchievementRecord) -> Result<()> {
    let bytes = encode(record)?;
    let mut current = batch.txn.open_table(ACHIEVEMENTS).map_err(Error::store)?;
    current.insert(record.uuid.as_str(), bytes.as_slice()).map_err(Error::store)?;
    let mut versions = batch.txn.open_table(ACHIEVEMENT_VERSIONS).map_err(Error::store)?;
    versions
        .insert((record.uuid.as_str(), record.version), bytes.as_slice())
        .map_err(Error::store)?;
    Ok(())
}

/// The image of `uuid`.
pub fn image(txn: &ReadTransaction, uuid: &str) -> Result<Option<Vec<u8>>> {
    let table = txn.open_table(IMAGES).map_err(Error::store)?;
    Ok(table.get(uuid).map_err(Error::store)?.map(|v| v.value().to_vec()))
}

/// Replaces the image of `uuid`.
pub fn put_image(batch: &Batch<'_>, uuid: &str, bytes: &[u8]) -> Result<()> {
    let mut table = batch.txn.open_table(IMAGES).map_err(Error::store)?;
    table.insert(uuid, bytes).map_err(Error::store)?;
    Ok(())
}
