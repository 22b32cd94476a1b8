//! One-time nonces for proofs of possession (OID4VCI `c_nonce`): random, short-lived, used
//! once, held in memory (a restart only makes wallets ask again). The nonce endpoint is open to
//! anyone, so the table is bounded: when it is full of live nonces the next request is refused
//! ([`Full`]) instead of growing.

use std::{collections::HashMap, sync::Mutex};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};

/// How long a nonce can be used.
pub const LIFETIME: Duration = Duration::minutes(5);
/// Most live nonces held at once.
pub const MAX_LIVE: usize = 10_000;

/// The table is full of live nonces: try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// The nonces given out and not yet used.
#[derive(Debug, Default)]
pub struct Nonces {
    live: Mutex<HashMap<String, DateTime<Utc>>>,
}

impl Nonces {
    /// A fresh nonce, good until `now + LIFETIME`.
    pub fn issue(&self, now: DateTime<Utc>) -> Result<String, Full> {
        let mut bytes = [0u8; 24];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        let nonce = URL_SAFE_NO_PAD.encode(bytes);
        let mut live = self.live.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if live.len() >= MAX_LIVE {
            live.retain(|_, until| *until > now);
            if live.len() >= MAX_LIVE {
                return Err(Full);
            }
        }
        live.insert(nonce.clone(), now + LIFETIME);
        Ok(nonce)
    }

    /// Uses `nonce`: `true` once for a nonce given out and unexpired, `false` ever after.
    pub fn take(&self, nonce: &str, now: DateTime<Utc>) -> bool {
        let mut live = self.live.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        live.remove(nonce).is_some_and(|until| until > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_good_once_and_not_after_it_expires() {
        let nonces = Nonces::default();
        let now = Utc::now();
        let n = nonces.issue(now).unwrap();
        assert!(nonces.take(&n, now));
        assert!(!nonces.take(&n, now), "once");
        let late = nonces.issue(now).unwrap();
        assert!(!nonces.take(&late, now + LIFETIME + Duration::seconds(1)));
        assert!(!nonces.take("never-given", now));
    }

    #[test]
    fn the_table_is_bounded_and_makes_room_as_nonces_expire() {
        let nonces = Nonces::default();
        let now = Utc::now();
        for _ in 0..MAX_LIVE {
            nonces.issue(now).unwrap();
        }
        assert_eq!(nonces.issue(now), Err(Full));
        assert!(nonces.issue(now + LIFETIME + Duration::seconds(1)).is_ok());
    }
}
