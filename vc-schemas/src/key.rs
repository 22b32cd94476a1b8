//! Ed25519 keys as Badgemesh holds them, and their `did:key` identity.
//!
//! The secret never leaves this type except through [`Ed25519Key::to_secret_bytes`], which the
//! node's keystore uses to write its 0600 key file.

use std::{
    collections::HashMap,
    sync::{LazyLock, Mutex},
};

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};

use crate::{Error, Result};

/// Multicodec prefix of an Ed25519 public key (`0xed` varint-encoded).
const ED25519_PUB: [u8; 2] = [0xed, 0x01];
/// Multicodec prefix of an Ed25519 private key (`0x1300` varint-encoded).
const ED25519_PRIV: [u8; 2] = [0x80, 0x26];

/// An Ed25519 signing key bound to a verification method id.
pub struct Ed25519Key {
    signing: SigningKey,
    verification_method: String,
}

impl std::fmt::Debug for Ed25519Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ed25519Key")
            .field("verification_method", &self.verification_method)
            .finish_non_exhaustive()
    }
}

impl Ed25519Key {
    /// A `did:key` key from a 32-byte secret seed (the caller supplies the randomness).
    pub fn did_key_from_seed(seed: &[u8; 32]) -> Self {
        let signing = SigningKey::from_bytes(seed);
        let did = did_key_of(&signing.verifying_key());
        let fragment = public_key_multibase(&signing.verifying_key());
        Self { signing, verification_method: format!("{did}#{fragment}") }
    }

    /// A key from a seed, used under any verification method id (did:web, https controller).
    pub fn with_verification_method(seed: &[u8; 32], verification_method: String) -> Self {
        Self { signing: SigningKey::from_bytes(seed), verification_method }
    }

    /// A key from a multibase secret (`z…`, multicodec `0x1300`), as in the W3C and 1EdTech test
    /// vectors, bound to its did:key method.
    pub fn did_key_from_secret_multibase(secret: &str) -> Result<Self> {
        let (_, bytes) = multibase::decode(secret).map_err(|e| Error::key(e.to_string()))?;
        let seed = bytes
            .strip_prefix(&ED25519_PRIV)
            .and_then(|s| <[u8; 32]>::try_from(s).ok())
            .ok_or_else(|| Error::key("not a multibase Ed25519 secret key"))?;
        Ok(Self::did_key_from_seed(&seed))
    }

    /// The verification method id proofs name (`did:key:z6Mk…#z6Mk…`).
    pub fn verification_method(&self) -> &str {
        &self.verification_method
    }

    /// The controller: the verification method id without its fragment.
    pub fn controller(&self) -> &str {
        self.verification_method.split('#').next().unwrap_or_default()
    }

    /// The public key.
    pub fn public_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// Raw Ed25519 signature over `msg`.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.signing.sign(msg).to_bytes()
    }

    /// The 32-byte secret seed, for the keystore file only.
    pub fn to_secret_bytes(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    /// The key as an ssi JWK (private part included), for ssi's signers; `kid` is the
    /// verification method.
    pub(crate) fn to_jwk(&self) -> ssi_jwk::JWK {
        use ssi_jwk::{Base64urlUInt, OctetParams, Params};
        let params = OctetParams {
            curve: "Ed25519".to_owned(),
            public_key: Base64urlUInt(self.public_key().as_bytes().to_vec()),
            private_key: Some(Base64urlUInt(self.signing.to_bytes().to_vec())),
        };
        let mut jwk = ssi_jwk::JWK::from(Params::OKP(params));
        jwk.key_id = Some(self.verification_method.clone());
        jwk
    }
}

/// `z6Mk…`: base58btc multibase of the multicodec Ed25519 public key.
pub fn public_key_multibase(key: &VerifyingKey) -> String {
    let mut bytes = ED25519_PUB.to_vec();
    bytes.extend_from_slice(key.as_bytes());
    multibase::encode(multibase::Base::Base58Btc, bytes)
}

/// Decodes a `z6Mk…` Ed25519 multikey.
///
/// Decoding decompresses a curve point (~10 µs), and a verifier meets the same few issuer keys
/// again and again, so decoded keys are memoized (bounded; the function is pure).
pub fn decode_public_key_multibase(s: &str) -> Result<VerifyingKey> {
    const MAX_CACHED_KEYS: usize = 4096;
    static CACHE: LazyLock<Mutex<HashMap<String, VerifyingKey>>> = LazyLock::new(Mutex::default);
    if let Some(key) = CACHE.lock().ok().and_then(|c| c.get(s).copied()) {
        return Ok(key);
    }
    let (_, bytes) = multibase::decode(s).map_err(|e| Error::key(e.to_string()))?;
    let raw = bytes
        .strip_prefix(&ED25519_PUB)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| Error::key("not a multicodec Ed25519 public key"))?;
    let key = VerifyingKey::from_bytes(&raw).map_err(|e| Error::key(e.to_string()))?;
    if let Ok(mut cache) = CACHE.lock() {
        if cache.len() >= MAX_CACHED_KEYS {
            cache.clear();
        }
        cache.insert(s.to_owned(), key);
    }
    Ok(key)
}

/// The `did:key` of an Ed25519 public key.
pub fn did_key_of(key: &VerifyingKey) -> String {
    format!("did:key:{}", public_key_multibase(key))
}

/// The Ed25519 key of a Multikey, Ed25519VerificationKey2020 or OKP JsonWebKey method.
pub fn method_public_key(method: &serde_json::Value) -> Result<VerifyingKey> {
    if let Some(mb) = method.get("publicKeyMultibase").and_then(serde_json::Value::as_str) {
        return decode_public_key_multibase(mb);
    }
    let jwk = method.get("publicKeyJwk").ok_or_else(|| Error::key("method has no public key"))?;
    if jwk.get("crv").and_then(serde_json::Value::as_str) != Some("Ed25519") {
        return Err(Error::key("JWK is not an Ed25519 key"));
    }
    let x = jwk
        .get("x")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| Error::key("JWK has no x"))?;
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let raw: [u8; 32] = URL_SAFE_NO_PAD
        .decode(x)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Error::key("JWK x is not 32 bytes"))?;
    VerifyingKey::from_bytes(&raw).map_err(|e| Error::key(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w3c_vector_key_gives_its_did() {
        let key = Ed25519Key::did_key_from_secret_multibase(
            "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
        )
        .unwrap();
        assert_eq!(
            key.verification_method(),
            "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
        );
        let pk = decode_public_key_multibase("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
            .unwrap();
        assert_eq!(pk, key.public_key());
    }

    #[test]
    fn garbage_keys_are_errors() {
        assert!(decode_public_key_multibase("z123").is_err());
        assert!(decode_public_key_multibase("").is_err());
        assert!(Ed25519Key::did_key_from_secret_multibase("zzzz").is_err());
    }
}
