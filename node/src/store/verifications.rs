//! OID4VP presentation requests (`exchange::oid4vp::Verification`): each answer is judged
//! and written in one transaction, so two answers racing for one request cannot both land.

use redb::{ReadTransaction, ReadableTable};

use super::{
    Batch,
    tables::{VERIFICATIONS, decode, encode},
};
use crate::{Error, Result, exchange::oid4vp::Verification};

/// Stores a request (new or updated).
pub fn put(batch: &Batch<'_>, v: &Verification) -> Result<()> {
    let mut table = batch.txn.open_table(VERIFICATIONS).map_err(Error::store)?;
    table.insert(v.id.as_str(), encode(v)?.as_slice()).map_err(Error::store)?;
    Ok(())
}

/// One request.
pub fn get(txn: &ReadTransaction, id: &str) -> Result<Option<Verification>> {
    let table = txn.open_table(VERIFICATIONS).map_err(Error::store)?;
    table.get(id).map_err(Error::store)?.map(|v| decode(v.value())).transpose()
}

/// Applies `step` to the request `id` inside the write and stores what it returns (`None`:
/// nothing to write, the step's reason stands).
pub fn update<T: Send + 'static>(
    batch: &Batch<'_>,
    id: &str,
    step: impl FnOnce(&Verification) -> std::result::Result<(Verification, T), String>,
) -> Result<std::result::Result<T, String>> {
    let current: Option<Verification> = {
        let table = batch.txn.open_table(VERIFICATIONS).map_err(Error::store)?;
        table.get(id).map_err(Error::store)?.map(|v| decode(v.value())).transpose()?
    };
    let Some(current) = current else { return Ok(Err("unknown request".into())) };
    match step(&current) {
        Ok((next, out)) => {
            put(batch, &next)?;
            Ok(Ok(out))
        }
        Err(why) => Ok(Err(why)),
    }
}
