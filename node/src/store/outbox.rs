//! Mail waiting for the SMTP relay. A notice is queued in the transaction of the award it
//! announces, so a crash between the two cannot lose the mail or send one for a lost award.

use redb::{ReadTransaction, ReadableTable};
use serde::{Deserialize, Serialize};

use super::{
    Batch,
    tables::{OUTBOX, decode, encode, next_counter},
};
use crate::{Error, Result};

/// A plain-text message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// Queues `mail`.
pub fn push(batch: &Batch<'_>, mail: &Mail) -> Result<u64> {
    let seq = next_counter(batch.txn, "outbox_seq")?;
    let mut table = batch.txn.open_table(OUTBOX).map_err(Error::store)?;
    table.insert(seq, encode(mail)?.as_slice()).map_err(Error::store)?;
    Ok(seq)
}

/// Up to `limit` queued messages, oldest first.
pub fn pending(txn: &ReadTransaction, limit: usize) -> Result<Vec<(u64, Mail)>> {
    let table = txn.open_table(OUTBOX).map_err(Error::store)?;
    let mut out = Vec::new();
    for row in table.iter().map_err(Error::store)?.take(limit) {
        let (k, v) = row.map_err(Error::store)?;
        out.push((k.value(), decode(v.value())?));
    }
    Ok(out)
}

/// Removes a sent message.
pub fn remove(batch: &Batch<'_>, seq: u64) -> Result<()> {
    let mut table = batch.txn.open_table(OUTBOX).map_err(Error::store)?;
    table.remove(seq).map_err(Error::store)?;
    Ok(())
}
