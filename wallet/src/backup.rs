//! The wallet's backup: every item, every portfolio page and the holder's key in one file,
//! encrypted with a passphrase by `age` (scrypt), so that another node can restore the wallet
//! and, from a fresh start (`badgemesh init --restore`), be the same holder.
//!
//! The plaintext is JSON (`format`, `version`, …) so that a later version can read an older
//! backup. The passphrase is stretched by scrypt at age's default cost (about a second of one
//! core), which is the point: a stolen backup costs an attacker that second per guess.

use std::io::{Read, Write};

use age::secrecy::SecretString;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Error, Item, Result, share::Portfolio};

/// What the plaintext says it is.
pub const FORMAT: &str = "badgemesh-wallet-backup";
/// The plaintext layout this version writes and reads.
pub const VERSION: u32 = 1;
/// The HTTP header a restore's passphrase travels in (percent-encoded UTF-8), never the URL,
/// which may be logged.
pub const PASSPHRASE_HEADER: &str = "badgemesh-passphrase";
/// The environment variable the CLI reads a passphrase from instead of the terminal.
pub const PASSPHRASE_ENV: &str = "BADGEMESH_PASSPHRASE";
/// Largest backup file read (its plaintext is held in memory).
pub const MAX_BACKUP_BYTES: usize = 256 << 20;

/// A wallet's contents.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Backup {
    /// Always [`FORMAT`].
    pub format: String,
    /// The layout's version.
    pub version: u32,
    /// When it was made.
    pub created: DateTime<Utc>,
    /// The holder: the DID presentations are signed for, and its key.
    pub holder: Holder,
    /// Every item.
    pub items: Vec<Item>,
    /// Every portfolio page.
    pub pages: Vec<Portfolio>,
}

/// The holder's identity.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    /// The DID.
    pub did: String,
    /// Its Ed25519 seed, hex: the secret the backup exists to carry.
    pub secret_key_hex: String,
}

/// The secret is never printed, even in a debug log.
impl std::fmt::Debug for Backup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backup")
            .field("created", &self.created)
            .field("holder", &self.holder.did)
            .field("items", &self.items.len())
            .field("pages", &self.pages.len())
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Holder").field("did", &self.did).finish_non_exhaustive()
    }
}

impl Backup {
    /// A backup of `items` and `pages` held by `holder`, made `now`.
    pub fn new(
        holder: Holder,
        items: Vec<Item>,
        pages: Vec<Portfolio>,
        now: DateTime<Utc>,
    ) -> Self {
        Self { format: FORMAT.into(), version: VERSION, created: now, holder, items, pages }
    }
}

/// What a restore did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Restored {
    /// Items new to this wallet.
    pub items_added: usize,
    /// Items held already (left as they were).
    pub items_held: usize,
    /// Portfolio pages new to this wallet.
    pub pages_added: usize,
    /// The backup's holder DID.
    pub holder: String,
    /// Whether this node is that holder. When not, its badges are kept but presentations are
    /// signed by this node's DID; `badgemesh init --restore` makes a node that is the holder.
    pub same_holder: bool,
}

/// A passphrase worth using: 8 characters at least.
fn passphrase(text: &str) -> Result<SecretString> {
    if text.chars().count() < 8 {
        return Err(Error::Invalid("the passphrase is 8 characters at least".into()));
    }
    Ok(SecretString::from(text.to_owned()))
}

/// `backup` encrypted with `pass`. `log_n` sets scrypt's cost (2^log_n); `None` is age's
/// default of about a second (tests pass less).
pub fn seal(backup: &Backup, pass: &str, log_n: Option<u8>) -> Result<Vec<u8>> {
    let mut recipient = age::scrypt::Recipient::new(passphrase(pass)?);
    if let Some(log_n) = log_n {
        recipient.set_work_factor(log_n);
    }
    let plain = serde_json::to_vec(backup)
        .map_err(|e| Error::Backend(format!("cannot write the backup: {e}")))?;
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as _))
        .map_err(|e| Error::Backend(format!("cannot encrypt the backup: {e}")))?;
    let mut out = Vec::with_capacity(plain.len() + 256);
    let fail = |e: std::io::Error| Error::Backend(format!("cannot encrypt the backup: {e}"));
    let mut writer = encryptor.wrap_output(&mut out).map_err(fail)?;
    writer.write_all(&plain).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}

/// The backup in `bytes`, decrypted with `pass`. A wrong passphrase, a file that is no age
/// file or no Badgemesh backup, and a newer layout each say so.
pub fn open(bytes: &[u8], pass: &str) -> Result<Backup> {
    if bytes.len() > MAX_BACKUP_BYTES {
        return Err(Error::Invalid(format!(
            "the backup is larger than {} MiB",
            MAX_BACKUP_BYTES >> 20
        )));
    }
    let decryptor = age::Decryptor::new(bytes)
        .map_err(|e| Error::Invalid(format!("not a Badgemesh backup (an age file): {e}")))?;
    if !decryptor.is_scrypt() {
        return Err(Error::Invalid(
            "not a Badgemesh backup: not encrypted with a passphrase".into(),
        ));
    }
    let identity = age::scrypt::Identity::new(SecretString::from(pass.to_owned()));
    let mut reader = decryptor.decrypt(std::iter::once(&identity as _)).map_err(|e| match e {
        age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
            Error::Invalid("wrong passphrase: the backup did not decrypt".into())
        }
        e => Error::Invalid(format!("the backup did not decrypt: {e}")),
    })?;
    let mut plain = Vec::new();
    reader
        .by_ref()
        .take(MAX_BACKUP_BYTES as u64 * 2)
        .read_to_end(&mut plain)
        .map_err(|e| Error::Invalid(format!("the backup is damaged: {e}")))?;
    let backup: Backup = serde_json::from_slice(&plain)
        .map_err(|e| Error::Invalid(format!("not a Badgemesh backup: {e}")))?;
    if backup.format != FORMAT {
        return Err(Error::Invalid(format!("not a Badgemesh backup: format {:?}", backup.format)));
    }
    if backup.version > VERSION {
        return Err(Error::Invalid(format!(
            "the backup has layout {}; this badgemesh reads up to {VERSION}: upgrade badgemesh",
            backup.version
        )));
    }
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{Origin, State};

    fn backup() -> Backup {
        let item = Item {
            id: "urn:uuid:1".into(),
            issuer: "did:key:zIssuer".into(),
            from_peer: String::new(),
            origin: Origin::Imported,
            received: Utc::now(),
            state: State::Accepted,
            tags: vec!["metal".into()],
            share: "s1".into(),
            public: true,
            credential: json!({"id": "urn:uuid:1"}),
        };
        let holder = Holder { did: "did:key:zHolder".into(), secret_key_hex: "11".repeat(32) };
        Backup::new(holder, vec![item], Vec::new(), Utc::now())
    }

    #[test]
    fn a_backup_opens_with_its_passphrase_only() {
        let b = backup();
        let sealed = seal(&b, "correct horse battery", Some(4)).unwrap();
        assert!(sealed.starts_with(b"age-encryption.org/v1"));
        assert!(!sealed.windows(6).any(|w| w == b"111111"), "the key is not in the clear");
        assert_eq!(open(&sealed, "correct horse battery").unwrap(), b);
        let wrong = open(&sealed, "wrong horse battery").unwrap_err();
        assert!(wrong.to_string().contains("wrong passphrase"), "{wrong}");
    }

    #[test]
    fn bad_files_and_weak_passphrases_say_why() {
        assert!(
            seal(&backup(), "short", Some(4)).unwrap_err().to_string().contains("8 characters")
        );
        let junk = open(b"{\"not\": \"age\"}", "whatever1").unwrap_err();
        assert!(junk.to_string().contains("not a Badgemesh backup"), "{junk}");
        let mut sealed = seal(&backup(), "correct horse battery", Some(4)).unwrap();
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(open(&sealed, "correct horse battery").is_err(), "a damaged file is refused");
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let text = format!("{:?}", backup());
        assert!(!text.contains("1111") && text.contains("did:key:zHolder"), "{text}");
    }
}
