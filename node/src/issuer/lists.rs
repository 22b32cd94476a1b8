//! Re-signing status lists: once per commit for every list the commit changed.
//!
//! Each new list credential gets `validFrom` strictly later than the last one (to the
//! millisecond) and a version one higher, so holders and gossip peers can order any two
//! versions and never take an older list for a newer one.

use std::sync::Arc;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use vc_schemas::{
    issue::{self, Format},
    key::Ed25519Key,
    status_list::{StatusList, list_credential},
};

use crate::{
    Error, Result,
    store::{Batch, Finisher, status},
};

/// The store's finisher for this issuer key.
pub fn finisher(key: Arc<Ed25519Key>) -> Finisher {
    Box::new(move |batch: &mut Batch<'_>| {
        let names = std::mem::take(&mut batch.dirty_lists);
        for name in names {
            resign(batch, &key, &name, Utc::now())?;
        }
        Ok(())
    })
}

fn resign(batch: &Batch<'_>, key: &Ed25519Key, name: &str, now: DateTime<Utc>) -> Result<()> {
    let (mut record, bits) = status::get_for_write(batch, name)?
        .ok_or_else(|| Error::store(format!("status list {name} vanished")))?;
    let list = StatusList::from_bytes(bits.clone()).map_err(|e| Error::store(e.to_string()))?;
    let valid_from = next_valid_from(record.updated, now);
    let mut unsigned =
        list_credential(&record.url, key.controller(), &record.purpose, &list, valid_from);
    unsigned["validFrom"] = valid_from.to_rfc3339_opts(SecondsFormat::Millis, true).into();
    // Signing is pure computation; the writer thread is not inside a runtime.
    let signed =
        futures::executor::block_on(issue::sign(&unsigned, key, Format::DataIntegrity, now))
            .map_err(|e| Error::store(format!("cannot sign status list {name}: {e}")))?;
    record.version += 1;
    record.updated = valid_from;
    record.credential = Some(signed);
    status::put(batch, &record, &bits)
}

impl super::Issuer {
    /// Re-signs every list of this issuer whose current version is older than `max_age`, so
    /// verifiers that hold a freshness limit can tell a quiet issuer from an unreachable one.
    /// Returns how many lists were queued.
    pub async fn refresh_lists(&self, max_age: Duration) -> Result<usize> {
        let cutoff = Utc::now() - max_age;
        self.store()
            .write(move |b| {
                let stale: Vec<String> = status::all_in(b)?
                    .into_iter()
                    .filter(|l| l.updated < cutoff)
                    .map(|l| l.name)
                    .collect();
                let n = stale.len();
                b.dirty_lists.extend(stale);
                Ok(n)
            })
            .await
    }
}

/// `now` to the millisecond, or 1 ms after `last` when the clock has not moved past it.
fn next_valid_from(last: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let now = DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now);
    if now > last { now } else { last + Duration::milliseconds(1) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_from_always_moves_forward() {
        let t: DateTime<Utc> = "2026-01-01T00:00:00.500Z".parse().unwrap();
        assert_eq!(next_valid_from(t, t), t + Duration::milliseconds(1));
        assert_eq!(next_valid_from(t, t - Duration::seconds(5)), t + Duration::milliseconds(1));
        let later = t + Duration::seconds(1);
        assert_eq!(next_valid_from(t, later), later);
    }
}
