//! W3C Bitstring Status List: the bitstring codec, list credentials, and status lookup.
//!
//! Encoding (BSL §3.2): GZIP of the bitstring, then multibase base64url without padding (`u`
//! prefix). Index 0 is the most significant bit of byte 0. A list has at least 131,072 entries so
//! that one status does not stand out (herd privacy).

use std::io::{Read, Write};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, SecondsFormat, Utc};
use flate2::{Compression, read::GzDecoder, write::GzEncoder};
use serde_json::{Value, json};

use crate::{Error, Result, context};

/// Minimum number of entries of a list (BSL: 16 KiB uncompressed).
pub const MIN_ENTRIES: usize = 131_072;
/// Largest decompressed list accepted (16 MiB = 134 million entries): bounds gzip bombs.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// A bitstring of statuses (1 bit per entry).
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
}

impl std::fmt::Debug for StatusList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = self.bytes.iter().map(|b| b.count_ones() as usize).sum::<usize>();
        write!(f, "StatusList({} entries, {set} set)", self.len())
    }
}

impl StatusList {
    /// An all-zero list of `entries` entries (at least [`MIN_ENTRIES`], a multiple of 8).
    pub fn new(entries: usize) -> Result<Self> {
        if entries < MIN_ENTRIES || !entries.is_multiple_of(8) || entries / 8 > MAX_BYTES {
            return Err(Error::status_list(format!(
                "a list holds a multiple of 8 entries between {MIN_ENTRIES} and {}",
                MAX_BYTES * 8
            )));
        }
        Ok(Self { bytes: vec![0; entries / 8] })
    }

    /// A list over raw bitstring bytes (index 0 = most significant bit of byte 0), as a store
    /// keeps it; the same size rules as [`StatusList::new`].
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self> {
        Self::new(bytes.len() * 8)?;
        Ok(Self { bytes })
    }

    /// The raw bitstring bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    /// Whether the list has no entries (never true for a valid list).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The status bit at `index`.
    pub fn get(&self, index: usize) -> Result<bool> {
        let byte = self.byte(index)?;
        Ok(byte & mask(index) != 0)
    }

    /// Sets the status bit at `index`.
    pub fn set(&mut self, index: usize, value: bool) -> Result<()> {
        let len = self.len();
        let byte = self.bytes.get_mut(index / 8).ok_or_else(|| {
            Error::status_list(format!("index {index} is outside the list of {len} entries"))
        })?;
        if value {
            *byte |= mask(index)
        } else {
            *byte &= !mask(index)
        }
        Ok(())
    }

    fn byte(&self, index: usize) -> Result<u8> {
        self.bytes.get(index / 8).copied().ok_or_else(|| {
            Error::status_list(format!(
                "index {index} is outside the list of {} entries",
                self.len()
            ))
        })
    }

    /// `u` + base64url(gzip(bitstring)).
    pub fn encode(&self) -> String {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        // Writing to a Vec cannot fail.
        let _ = gz.write_all(&self.bytes);
        let compressed = gz.finish().unwrap_or_default();
        format!("u{}", URL_SAFE_NO_PAD.encode(compressed))
    }

    /// Decodes an `encodedList`. Truncated, corrupt, oversize or too-short input is an error.
    pub fn decode(encoded: &str) -> Result<Self> {
        let body = encoded.strip_prefix('u').ok_or_else(|| {
            Error::status_list("encodedList must be multibase base64url ('u' prefix)")
        })?;
        let compressed = URL_SAFE_NO_PAD
            .decode(body.trim_end_matches('='))
            .map_err(|e| Error::status_list(format!("encodedList is not base64url: {e}")))?;
        let mut bytes = Vec::new();
        GzDecoder::new(compressed.as_slice())
            .take(MAX_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::status_list(format!("encodedList is not GZIP: {e}")))?;
        if bytes.len() > MAX_BYTES {
            return Err(Error::status_list("decompressed list is larger than 16 MiB"));
        }
        if bytes.len() * 8 < MIN_ENTRIES {
            return Err(Error::status_list(format!(
                "list has {} entries, fewer than the required {MIN_ENTRIES}",
                bytes.len() * 8
            )));
        }
        Ok(Self { bytes })
    }
}

fn mask(index: usize) -> u8 {
    0x80 >> (index % 8)
}

/// A `BitstringStatusListEntry` read from a credential's `credentialStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// URL of the status list credential.
    pub list_credential: String,
    /// Position in the list.
    pub index: usize,
    /// `revocation`, `suspension`, …
    pub purpose: String,
}

impl StatusEntry {
    /// Reads an entry; `statusListIndex` may be a base-10 string (as the spec says) or a number
    /// (as some issuers write it).
    pub fn from_json(entry: &Value) -> Result<Self> {
        let field = |name: &str| {
            entry.get(name).ok_or_else(|| Error::status_list(format!("entry has no {name}")))
        };
        if entry.get("type").and_then(Value::as_str) != Some("BitstringStatusListEntry") {
            return Err(Error::status_list("entry type is not BitstringStatusListEntry"));
        }
        let index = match field("statusListIndex")? {
            Value::String(s) => s.parse::<usize>().ok(),
            Value::Number(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
            _ => None,
        }
        .ok_or_else(|| Error::status_list("statusListIndex is not a non-negative integer"))?;
        let text = |name: &str| -> Result<String> {
            field(name)?
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| Error::status_list(format!("{name} is not a string")))
        };
        Ok(Self {
            list_credential: text("statusListCredential")?,
            index,
            purpose: text("statusPurpose")?,
        })
    }

    /// The entry as JSON (index as a base-10 string).
    pub fn to_json(&self) -> Value {
        json!({
            "id": format!("{}#{}", self.list_credential, self.index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": self.purpose,
            "statusListIndex": self.index.to_string(),
            "statusListCredential": self.list_credential,
        })
    }
}

/// An unsigned `BitstringStatusListCredential` for `list`.
pub fn list_credential(
    id: &str,
    issuer: &str,
    purpose: &str,
    list: &StatusList,
    valid_from: DateTime<Utc>,
) -> Value {
    json!({
        "@context": [context::CREDENTIALS_V2],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from.to_rfc3339_opts(SecondsFormat::Secs, true),
        "credentialSubject": {
            "id": format!("{id}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": list.encode(),
        }
    })
}

/// Looks up `entry` in the list credential retrieved from its `statusListCredential` URL (the
/// caller verifies the list's proof and issuer): `Ok(true)` when the status bit is set.
pub fn lookup(entry: &StatusEntry, list_credential: &Value) -> Result<bool> {
    if !crate::model::types_of(list_credential).iter().any(|t| t == "BitstringStatusListCredential")
    {
        return Err(Error::status_list("not a BitstringStatusListCredential"));
    }
    let subject = &list_credential["credentialSubject"];
    let purposes: Vec<&str> = match &subject["statusPurpose"] {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !purposes.contains(&entry.purpose.as_str()) {
        return Err(Error::status_list(format!("list does not serve purpose {:?}", entry.purpose)));
    }
    let encoded = subject["encodedList"]
        .as_str()
        .ok_or_else(|| Error::status_list("list has no encodedList"))?;
    StatusList::decode(encoded)?.get(entry.index)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn index_zero_is_the_most_significant_bit() {
        let mut l = StatusList::new(MIN_ENTRIES).unwrap();
        l.set(0, true).unwrap();
        assert_eq!(l.bytes[0], 0x80);
        l.set(9, true).unwrap();
        assert_eq!(l.bytes[1], 0x40);
        assert!(l.set(MIN_ENTRIES, true).is_err());
        assert!(StatusList::new(8).is_err());
    }

    #[test]
    fn gzip_bomb_is_refused() {
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&vec![0u8; MAX_BYTES + 1]).unwrap();
        let enc = format!("u{}", URL_SAFE_NO_PAD.encode(gz.finish().unwrap()));
        assert!(StatusList::decode(&enc).is_err());
    }

    proptest! {
        #[test]
        fn round_trip(indexes in proptest::collection::vec(0usize..MIN_ENTRIES, 0..64)) {
            let mut l = StatusList::new(MIN_ENTRIES).unwrap();
            for &i in &indexes { l.set(i, true).unwrap(); }
            let back = StatusList::decode(&l.encode()).unwrap();
            prop_assert_eq!(&back, &l);
            for &i in &indexes { prop_assert!(back.get(i).unwrap()); }
        }

        #[test]
        fn truncated_or_corrupted_input_is_an_error_never_a_panic(cut in 0usize..200, flip in 1usize..200, byte in any::<u8>()) {
            let mut l = StatusList::new(MIN_ENTRIES).unwrap();
            l.set(23, true).unwrap();
            let enc = l.encode();
            let truncated = &enc[..cut.min(enc.len() - 1)];
            prop_assert!(StatusList::decode(truncated).is_err());
            let mut raw = URL_SAFE_NO_PAD.decode(&enc[1..]).unwrap();
            let at = flip % raw.len();
            raw[at] ^= byte.max(1);
            // A flipped byte breaks the gzip CRC or header: an error, or (for a flip inside the
            // stored length of an all-zero run) a different list; never a panic.
            let _ = StatusList::decode(&format!("u{}", URL_SAFE_NO_PAD.encode(raw)));
        }

        #[test]
        fn arbitrary_strings_never_panic(s in ".{0,300}") {
            let _ = StatusList::decode(&s);
        }
    }
}
