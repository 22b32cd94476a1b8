//! JOSE for VC-JWT verification: the `alg` values Badgemesh accepts, public JWKs, and the
//! signature check that ties the two together.
//!
//! Three algorithms, each bound to one key type, so a header cannot steer the verifier into
//! using a key with another algorithm (the classic "alg confusion": an RSA public key used as
//! an HMAC secret, or `alg: none`):
//!
//! | `alg`   | key (`kty`, `crv`)  | crate                          |
//! |---------|---------------------|--------------------------------|
//! | `RS256` | `RSA`, ≥ 2048 bits  | `rsa` (PKCS#1 v1.5, SHA-256)   |
//! | `ES256` | `EC`, `P-256`       | `p256` (ECDSA, SHA-256, `r‖s`) |
//! | `EdDSA` | `OKP`, `Ed25519`    | `ed25519-dalek` (strict)       |
//!
//! RS256 is the minimum OB 3.0 requires ("JSON Web Token Proof Format"), ES256 is common in
//! wallets, EdDSA is what Badgemesh signs with. Nothing here is hand-written cryptography: the
//! crates above do the arithmetic.

use std::fmt;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use p256::ecdsa::signature::Verifier as _;
use rsa::{BigUint, pkcs1v15, sha2::Sha256};
use serde_json::Value;

use crate::{Error, Result, key::decode_public_key_multibase};

/// Smallest RSA modulus accepted, in bits: NIST SP 800-57 retired 1024-bit RSA; RFC 7518 §3.3
/// requires 2048 for RS256.
pub const MIN_RSA_BITS: usize = 2048;

/// A JWS algorithm Badgemesh verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// Ed25519.
    EdDsa,
}

impl Alg {
    /// The header's `alg`; `Err` is the reason the token is refused (`none`, HMAC, anything
    /// unknown or absent).
    pub fn from_header(alg: Option<&Value>) -> std::result::Result<Self, String> {
        match alg.and_then(Value::as_str) {
            Some("RS256") => Ok(Self::Rs256),
            Some("ES256") => Ok(Self::Es256),
            Some("EdDSA") => Ok(Self::EdDsa),
            Some(none) if none.eq_ignore_ascii_case("none") => {
                Err("unsecured JWS (alg \"none\") is refused".into())
            }
            Some(other) => Err(format!(
                "unsupported JWS algorithm {other:?} (Badgemesh verifies RS256, ES256 and EdDSA)"
            )),
            None => Err("JWS header has no alg".into()),
        }
    }

    /// The registered name (`RS256`, `ES256`, `EdDSA`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
        }
    }
}

impl fmt::Display for Alg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A public key that can check a JWS, with the one algorithm it admits.
#[derive(Debug, Clone)]
pub struct PublicJwk {
    key: Key,
    /// The JWK's own `alg`, when it names one: the header must then say the same.
    declared_alg: Option<String>,
}

#[derive(Debug, Clone)]
enum Key {
    Rsa(rsa::RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

fn member<'a>(jwk: &'a Value, name: &str) -> Result<&'a str> {
    jwk.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::key(format!("JWK has no {name:?} member")))
}

fn base64url_member(jwk: &Value, name: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(member(jwk, name)?)
        .map_err(|e| Error::key(format!("JWK {name:?} is not base64url: {e}")))
}

impl PublicJwk {
    /// Reads a public JWK (RFC 7517): `RSA` (`n`, `e`), `EC` on `P-256` (`x`, `y`) or `OKP`
    /// `Ed25519` (`x`). Refused: symmetric keys, other curves, RSA keys under
    /// [`MIN_RSA_BITS`], keys whose `use`/`key_ops` exclude verification, and JWKs carrying
    /// private members (OB 3.0 forbids them in a header; a private key anyone can read lets
    /// anyone sign, and a verifier never needs one).
    pub fn from_json(jwk: &Value) -> Result<Self> {
        let Some(members) = jwk.as_object() else {
            return Err(Error::key("a JWK is a JSON object"));
        };
        if let Some(private) = PRIVATE_MEMBERS.iter().find(|m| members.contains_key(**m)) {
            return Err(Error::key(format!(
                "JWK holds private key material ({private:?}); give the public key only"
            )));
        }
        if let Some(usage) = jwk.get("use")
            && usage != "sig"
        {
            return Err(Error::key(format!("JWK use {usage} is not \"sig\"")));
        }
        if let Some(ops) = jwk.get("key_ops")
            && !ops.as_array().is_some_and(|ops| ops.iter().any(|op| op == "verify"))
        {
            return Err(Error::key("JWK key_ops does not include \"verify\""));
        }
        let key = match member(jwk, "kty")? {
            "RSA" => Key::Rsa(rsa_key(jwk)?),
            "EC" => Key::P256(p256_key(jwk)?),
            "OKP" => Key::Ed25519(ed25519_key(jwk)?),
            "oct" => return Err(Error::key("symmetric JWKs (kty \"oct\") are refused")),
            other => return Err(Error::key(format!("unsupported JWK kty {other:?}"))),
        };
        let declared_alg = jwk.get("alg").and_then(Value::as_str).map(str::to_owned);
        Ok(Self { key, declared_alg })
    }

    /// The key of a verification method: its `publicKeyJwk`, or its `publicKeyMultibase` (a
    /// Multikey: Ed25519, P-256 compressed, or RSA as PKCS#1 DER; ssi's did:jwk documents use
    /// this form for every key type).
    pub fn from_method(method: &Value) -> Result<Self> {
        if let Some(jwk) = method.get("publicKeyJwk") {
            return Self::from_json(jwk);
        }
        if let Some(multibase) = method.get("publicKeyMultibase").and_then(Value::as_str) {
            return Ok(Self { key: multikey(multibase)?, declared_alg: None });
        }
        Err(Error::key("method has no publicKeyJwk or publicKeyMultibase"))
    }

    /// The one algorithm this key admits.
    pub fn alg(&self) -> Alg {
        match self.key {
            Key::Rsa(_) => Alg::Rs256,
            Key::P256(_) => Alg::Es256,
            Key::Ed25519(_) => Alg::EdDsa,
        }
    }

    fn kind(&self) -> &'static str {
        match self.key {
            Key::Rsa(_) => "RSA",
            Key::P256(_) => "P-256",
            Key::Ed25519(_) => "Ed25519",
        }
    }

    /// Checks `signature` over `message` with `alg` (the header's). `Err` is the reason the
    /// token is invalid: an `alg` this key does not admit, a malformed or wrong signature.
    pub fn verify(
        &self,
        alg: Alg,
        message: &[u8],
        signature: &[u8],
    ) -> std::result::Result<(), String> {
        if alg != self.alg() {
            return Err(format!(
                "alg {alg} does not match the {} key, which verifies {} only",
                self.kind(),
                self.alg()
            ));
        }
        if let Some(declared) = &self.declared_alg
            && declared != alg.as_str()
        {
            return Err(format!("alg {alg} differs from the key's own alg {declared:?}"));
        }
        let invalid = |_| "invalid signature".to_owned();
        match &self.key {
            Key::Rsa(key) => {
                let signature = pkcs1v15::Signature::try_from(signature).map_err(invalid)?;
                pkcs1v15::VerifyingKey::<Sha256>::new(key.clone())
                    .verify(message, &signature)
                    .map_err(invalid)
            }
            Key::P256(key) => {
                let signature = p256::ecdsa::Signature::from_slice(signature)
                    .map_err(|_| "ES256 signature is not 64 bytes r‖s".to_owned())?;
                key.verify(message, &signature).map_err(invalid)
            }
            Key::Ed25519(key) => {
                let signature = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| "EdDSA signature is not 64 bytes".to_owned())?;
                key.verify_strict(message, &signature).map_err(invalid)
            }
        }
    }
}

/// JWK members of private keys (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Multicodec prefix (varint) of a P-256 public key, `0x1200`.
const P256_PUB: [u8; 2] = [0x80, 0x24];
/// Multicodec prefix (varint) of an RSA public key, `0x1205`.
const RSA_PUB: [u8; 2] = [0x85, 0x24];
/// Multicodec prefix (varint) of an Ed25519 public key, `0xed`.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];

fn multikey(multibase: &str) -> Result<Key> {
    let (_, bytes) = multibase::decode(multibase).map_err(|e| Error::key(e.to_string()))?;
    if bytes.starts_with(&ED25519_PUB) {
        // The crate's decoder, with its cache of issuer keys.
        return decode_public_key_multibase(multibase).map(Key::Ed25519);
    }
    if let Some(sec1) = bytes.strip_prefix(&P256_PUB) {
        return p256::ecdsa::VerifyingKey::from_sec1_bytes(sec1)
            .map(Key::P256)
            .map_err(|_| Error::key("P-256 multikey is not a point on the curve"));
    }
    if let Some(der) = bytes.strip_prefix(&RSA_PUB) {
        use rsa::pkcs1::DecodeRsaPublicKey as _;
        let key = rsa::RsaPublicKey::from_pkcs1_der(der)
            .map_err(|e| Error::key(format!("RSA multikey: {e}")))?;
        return strong_enough(key).map(Key::Rsa);
    }
    Err(Error::key("multikey is not an Ed25519, P-256 or RSA public key"))
}

fn rsa_key(jwk: &Value) -> Result<rsa::RsaPublicKey> {
    let n = BigUint::from_bytes_be(&base64url_member(jwk, "n")?);
    let e = BigUint::from_bytes_be(&base64url_member(jwk, "e")?);
    // Refused before `RsaPublicKey::new`, whose own checks would report a small key otherwise.
    if n.bits() < MIN_RSA_BITS {
        return Err(too_small(n.bits()));
    }
    rsa::RsaPublicKey::new(n, e)
        .map_err(|e| Error::key(format!("RSA key: {e}")))
        .and_then(strong_enough)
}

fn strong_enough(key: rsa::RsaPublicKey) -> Result<rsa::RsaPublicKey> {
    use rsa::traits::PublicKeyParts as _;
    match key.n().bits() {
        bits if bits < MIN_RSA_BITS => Err(too_small(bits)),
        _ => Ok(key),
    }
}

fn too_small(bits: usize) -> Error {
    Error::key(format!("RSA key of {bits} bits is refused (at least {MIN_RSA_BITS})"))
}

fn p256_key(jwk: &Value) -> Result<p256::ecdsa::VerifyingKey> {
    let crv = member(jwk, "crv")?;
    if crv != "P-256" {
        return Err(Error::key(format!("unsupported EC curve {crv:?} (Badgemesh verifies P-256)")));
    }
    let (x, y) = (base64url_member(jwk, "x")?, base64url_member(jwk, "y")?);
    if x.len() != 32 || y.len() != 32 {
        return Err(Error::key("P-256 JWK x and y are 32 bytes each"));
    }
    // SEC1 uncompressed point: 0x04 ‖ x ‖ y; the crate rejects points off the curve.
    let mut sec1 = Vec::with_capacity(65);
    sec1.push(0x04);
    sec1.extend_from_slice(&x);
    sec1.extend_from_slice(&y);
    p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
        .map_err(|_| Error::key("P-256 JWK is not a point on the curve"))
}

fn ed25519_key(jwk: &Value) -> Result<ed25519_dalek::VerifyingKey> {
    let crv = member(jwk, "crv")?;
    if crv != "Ed25519" {
        return Err(Error::key(format!(
            "unsupported OKP curve {crv:?} (Badgemesh verifies Ed25519)"
        )));
    }
    let x: [u8; 32] = base64url_member(jwk, "x")?
        .try_into()
        .map_err(|_| Error::key("Ed25519 JWK x is not 32 bytes"))?;
    ed25519_dalek::VerifyingKey::from_bytes(&x).map_err(|e| Error::key(e.to_string()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn none_hmac_and_missing_alg_are_refused() {
        for alg in [json!("none"), json!("NONE"), json!("HS256"), json!("PS256"), json!(1)] {
            assert!(Alg::from_header(Some(&alg)).is_err(), "{alg}");
        }
        assert!(Alg::from_header(None).is_err());
        assert_eq!(Alg::from_header(Some(&json!("RS256"))), Ok(Alg::Rs256));
    }

    #[test]
    fn symmetric_unknown_and_unusable_keys_are_refused() {
        let x = URL_SAFE_NO_PAD.encode([7u8; 32]);
        // A real Ed25519 key, so only `use`/`key_ops` can refuse it.
        let ed = URL_SAFE_NO_PAD
            .encode(ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key().as_bytes());
        assert!(PublicJwk::from_json(&json!({"kty": "OKP", "crv": "Ed25519", "x": ed})).is_ok());
        for jwk in [
            json!({"kty": "oct", "k": "c2VjcmV0"}),
            json!({"kty": "EC", "crv": "P-384", "x": x, "y": x}),
            json!({"kty": "EC", "crv": "P-256", "x": x, "y": x}),
            json!({"kty": "OKP", "crv": "X25519", "x": x}),
            json!({"kty": "OKP", "crv": "Ed25519", "x": ed, "use": "enc"}),
            json!({"kty": "OKP", "crv": "Ed25519", "x": ed, "key_ops": ["encrypt"]}),
            json!({"kty": "OKP", "crv": "Ed25519", "x": ed, "d": URL_SAFE_NO_PAD.encode([7u8; 32])}),
            json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode([0xffu8; 128]), "e": "AQAB"}),
            json!("not an object"),
        ] {
            assert!(PublicJwk::from_json(&jwk).is_err(), "{jwk}");
        }
    }
}
