//! The API bearer token: 32 random bytes, base64url, in a 0600 file created by `init`.
//!
//! The token guards the admin API and the state-changing VC-API endpoints. It is compared in
//! constant time so response timing does not leak a prefix.

use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::{Error, Result, keys};

/// File name of the token inside the data directory.
pub const TOKEN_FILE: &str = "api.token";

/// Path of the token file in `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(TOKEN_FILE)
}

/// Creates a fresh token in `dir`; refuses to replace one.
pub fn create(dir: &Path) -> Result<String> {
    let token = random_token();
    keys::write_private(dir, TOKEN_FILE, token.as_bytes())?;
    Ok(token)
}

/// Reads the token of the node in `dir`.
pub fn load(dir: &Path) -> Result<String> {
    let path = path(dir);
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => Ok(text.trim().to_owned()),
        Ok(_) => Err(Error::BadKeyFile { path, reason: "the API token file is empty".into() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(Error::NotInitialized(dir.to_path_buf()))
        }
        Err(e) => Err(Error::Io { path, source: e }),
    }
}

/// 32 bytes of OS randomness, base64url without padding: also used for claim links.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `presented` is `expected`, in time independent of where they differ. Both are hashed
/// first so the comparison also does not depend on their lengths.
pub fn matches(expected: &str, presented: &str) -> bool {
    let (a, b) = (Sha256::digest(expected.as_bytes()), Sha256::digest(presented.as_bytes()));
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_private_stable_and_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let token = create(dir.path()).unwrap();
        assert_eq!(token.len(), 43);
        assert_eq!(load(dir.path()).unwrap(), token);
        assert!(create(dir.path()).is_err());
        assert_eq!(load(dir.path()).unwrap(), token);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path(dir.path())).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn comparison_accepts_only_the_token() {
        assert!(matches("abc", "abc"));
        assert!(!matches("abc", "abd"));
        assert!(!matches("abc", "ab"));
        assert!(!matches("abc", ""));
    }
}
