//! The node's signing key: a JSON file with mode 0600 in the data directory.
//!
//! The secret is read only to sign inside this process; it is never printed, logged or served.
//! The file is written to a temporary name, fsync'd and renamed, so a crash leaves either no key
//! or a whole one.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};
use vc_schemas::key::Ed25519Key;

use crate::{Error, Result};

/// File name of the node key inside the data directory.
pub const KEY_FILE: &str = "node.key";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct KeyFile {
    /// Always `Ed25519`.
    #[serde(rename = "type")]
    key_type: String,
    /// The verification method the key signs as.
    verification_method: String,
    /// The 32-byte seed, hex.
    secret_key_hex: String,
}

/// Path of the key file in `dir`.
pub fn key_path(dir: &Path) -> PathBuf {
    dir.join(KEY_FILE)
}

/// Creates a fresh did:key key from OS randomness and stores it. Refuses to overwrite.
pub fn create(dir: &Path) -> Result<Ed25519Key> {
    let mut seed = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
    let key = Ed25519Key::did_key_from_seed(&seed);
    write(dir, &key)?;
    Ok(key)
}

/// Stores the key whose seed is `seed` (a restored holder's). Refuses to overwrite.
pub fn create_from_seed(dir: &Path, seed: &[u8; 32]) -> Result<Ed25519Key> {
    let key = Ed25519Key::did_key_from_seed(seed);
    write(dir, &key)?;
    Ok(key)
}

/// Writes `bytes` to `path` (replacing it) with mode 0600: for files that carry secrets even
/// when encrypted, such as a wallet backup.
pub fn write_owner_only(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut out = private_file(path)?;
    out.write_all(bytes).map_err(Error::io(path))?;
    out.sync_all().map_err(Error::io(path))
}

fn write(dir: &Path, key: &Ed25519Key) -> Result<()> {
    let file = KeyFile {
        key_type: "Ed25519".into(),
        verification_method: key.verification_method().to_owned(),
        secret_key_hex: hex::encode(key.to_secret_bytes()),
    };
    let text = serde_json::to_string_pretty(&file)
        .map_err(|e| Error::BadKeyFile { path: key_path(dir), reason: e.to_string() })?;
    write_private(dir, KEY_FILE, text.as_bytes())
}

/// Writes `name` in `dir` with mode 0600: to a temporary file, fsync'd, then linked into place,
/// so a crash leaves no file or a whole one. Refuses to replace an existing file.
pub fn write_private(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let path = dir.join(name);
    let tmp = dir.join(format!("{name}.tmp"));
    let mut out = private_file(&tmp)?;
    out.write_all(bytes).map_err(Error::io(&tmp))?;
    out.sync_all().map_err(Error::io(&tmp))?;
    fs::hard_link(&tmp, &path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => Error::AlreadyInitialized(dir.to_path_buf()),
        _ => Error::Io { path: path.clone(), source: e },
    })?;
    fs::remove_file(&tmp).map_err(Error::io(&tmp))?;
    Ok(())
}

#[cfg(unix)]
fn private_file(path: &Path) -> Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(Error::io(path))
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(Error::io(path))
}

/// Loads the node key from `dir`.
pub fn load(dir: &Path) -> Result<Ed25519Key> {
    let path = key_path(dir);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NotInitialized(dir.to_path_buf()));
        }
        Err(e) => return Err(Error::Io { path, source: e }),
    };
    let bad = |reason: String| Error::BadKeyFile { path: path.clone(), reason };
    let file: KeyFile = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if file.key_type != "Ed25519" {
        return Err(bad(format!("unsupported key type {}", file.key_type)));
    }
    let seed: [u8; 32] = hex::decode(&file.secret_key_hex)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| bad("secret is not 32 hex bytes".into()))?;
    Ok(Ed25519Key::with_verification_method(&seed, file.verification_method))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_round_trips_with_mode_0600_and_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let key = create(dir.path()).unwrap();
        let back = load(dir.path()).unwrap();
        assert_eq!(key.verification_method(), back.verification_method());
        assert_eq!(key.public_key(), back.public_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(key_path(dir.path())).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(create(dir.path()), Err(Error::AlreadyInitialized(_))));
        assert_eq!(load(dir.path()).unwrap().public_key(), key.public_key());
    }

    #[test]
    fn missing_and_corrupt_key_files_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(load(dir.path()), Err(Error::NotInitialized(_))));
        fs::write(key_path(dir.path()), "{not json").unwrap();
        assert!(matches!(load(dir.path()), Err(Error::BadKeyFile { .. })));
    }
}
