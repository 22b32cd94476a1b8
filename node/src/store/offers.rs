//! OID4VCI offers: each step of the flow reads the offer, lets the protocol judge
//! (`exchange::oid4vci`) and writes the result in the same transaction, so a code is exchanged
//! once even when two token requests race.

use redb::{ReadTransaction, ReadableTable};

use super::{
    Batch,
    tables::{OFFERS, decode, encode},
};
use crate::{
    Error, Result,
    exchange::oid4vci::{OAuthError, Offer},
};

/// Stores a new offer.
pub fn insert(batch: &Batch<'_>, offer: &Offer) -> Result<()> {
    let mut table = batch.txn.open_table(OFFERS).map_err(Error::store)?;
    table.insert(offer.id.as_str(), encode(offer)?.as_slice()).map_err(Error::store)?;
    Ok(())
}

/// One offer.
pub fn get(txn: &ReadTransaction, id: &str) -> Result<Option<Offer>> {
    let table = txn.open_table(OFFERS).map_err(Error::store)?;
    table.get(id).map_err(Error::store)?.map(|v| decode(v.value())).transpose()
}

fn get_for_write(batch: &Batch<'_>, id: &str) -> Result<Option<Offer>> {
    let table = batch.txn.open_table(OFFERS).map_err(Error::store)?;
    table.get(id).map_err(Error::store)?.map(|v| decode(v.value())).transpose()
}

/// Applies `step` to the offer `id` and stores what it returns; an unknown offer or the step's
/// refusal is the OAuth error (nothing is written).
pub fn update(
    batch: &Batch<'_>,
    id: &str,
    unknown: OAuthError,
    step: impl FnOnce(&Offer) -> std::result::Result<Offer, OAuthError>,
) -> Result<std::result::Result<Offer, OAuthError>> {
    let Some(offer) = get_for_write(batch, id)? else { return Ok(Err(unknown)) };
    match step(&offer) {
        Ok(next) => {
            insert(batch, &next)?;
            Ok(Ok(next))
        }
        Err(e) => Ok(Err(e)),
    }
}

/// Records that the offer's credential was issued.
pub fn issued(batch: &Batch<'_>, id: &str, holder: String, credential: String) -> Result<()> {
    let Some(offer) = get_for_write(batch, id)? else {
        return Err(Error::NotFound(format!("offer {id}")));
    };
    insert(batch, &offer.issued(holder, credential))
}
