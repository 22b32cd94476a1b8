//! VC-JWT: a credential secured as a compact JWS with EdDSA.
//!
//! The payload is the credential itself (VC-JOSE-COSE) plus the registered claims the OB 3.0
//! JWT section asks for (`iss`, `jti`, `nbf`, `sub`, `exp`), so both kinds of verifier accept it.
//! The header carries `typ: vc+jwt` (the Recommendation's value; ssi would write `vc-ld+jwt`).
//! Legacy VCDM 1.1 tokens that wrap the credential in a `vc` claim are read too.

use std::borrow::Cow;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::DateTime;
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{Map, Value};
use ssi::claims::jws::JwsPayload;

use crate::{
    Error, Result,
    did::{ControllerResolver, Purpose},
    key::{Ed25519Key, decode_public_key_multibase},
    model::id_of,
};

/// The media type in the JOSE header.
pub const TYP: &str = "vc+jwt";

struct Payload(Vec<u8>);

impl JwsPayload for Payload {
    fn typ(&self) -> Option<&str> {
        Some(TYP)
    }

    fn payload_bytes(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.0)
    }
}

/// The JWT claims derived from a credential.
fn registered_claims(credential: &Value) -> Map<String, Value> {
    let mut claims = Map::new();
    let mut put = |name: &str, v: Option<Value>| {
        if let Some(v) = v {
            claims.insert(name.to_owned(), v);
        }
    };
    put("iss", credential.get("issuer").and_then(id_of).map(Value::from));
    put("jti", credential.get("id").cloned());
    put("sub", credential.get("credentialSubject").and_then(|s| s.get("id")).cloned());
    put("nbf", epoch(credential.get("validFrom")));
    put("exp", epoch(credential.get("validUntil")));
    claims
}

fn epoch(v: Option<&Value>) -> Option<Value> {
    DateTime::parse_from_rfc3339(v?.as_str()?).ok().map(|t| Value::from(t.timestamp()))
}

/// Signs `credential` as a compact VC-JWT with `key` (`kid` = its verification method).
pub async fn sign(credential: &Value, key: &Ed25519Key) -> Result<String> {
    let mut payload = credential
        .as_object()
        .cloned()
        .ok_or_else(|| Error::malformed("credential is not an object"))?;
    payload.extend(registered_claims(credential));
    let bytes = serde_json::to_vec(&payload).map_err(|e| Error::malformed(e.to_string()))?;
    let jws = Payload(bytes)
        .sign(key.to_jwk())
        .await
        .map_err(|e| Error::Signing { reason: e.to_string() })?;
    Ok(jws.as_str().to_owned())
}

/// Whether `text` looks like a compact JWS (three base64url parts).
pub fn looks_like_jwt(text: &str) -> bool {
    let t = text.trim();
    t.split('.').count() == 3 && t.starts_with("ey")
}

/// A decoded VC-JWT.
#[derive(Debug, Clone)]
pub struct DecodedJwt {
    /// JOSE header.
    pub header: Value,
    /// Full JWT payload.
    pub payload: Value,
    /// The credential inside (the payload itself, or its `vc` claim for VCDM 1.1 tokens).
    pub credential: Value,
    signing_input: String,
    signature: Vec<u8>,
}

/// Decodes a compact VC-JWT without checking it.
pub fn decode(token: &str) -> Result<DecodedJwt> {
    let token = token.trim();
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::malformed("a compact JWS has three parts"));
    };
    let part = |x: &str, what: &str| {
        URL_SAFE_NO_PAD
            .decode(x)
            .map_err(|e| Error::malformed(format!("JWS {what} is not base64url: {e}")))
    };
    let json = |bytes: Vec<u8>, what: &str| -> Result<Value> {
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::malformed(format!("JWS {what} is not JSON: {e}")))
    };
    let header = json(part(h, "header")?, "header")?;
    let payload = json(part(p, "payload")?, "payload")?;
    let credential = payload.get("vc").cloned().unwrap_or_else(|| payload.clone());
    Ok(DecodedJwt {
        header,
        payload,
        credential,
        signing_input: format!("{h}.{p}"),
        signature: part(s, "signature")?,
    })
}

impl DecodedJwt {
    /// The `kid` header.
    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// Checks the EdDSA signature against the key `kid` names. `Ok(Err(reason))` is an invalid
    /// token; `Err` means it could not be checked.
    pub async fn verify_signature(
        &self,
        resolver: &impl ControllerResolver,
    ) -> Result<std::result::Result<(), String>> {
        let alg = self.header.get("alg").and_then(Value::as_str).unwrap_or_default();
        if alg != "EdDSA" {
            return Ok(Err(format!(
                "unsupported JWS algorithm {alg:?} (Badgemesh verifies EdDSA)"
            )));
        }
        let Some(kid) = self.kid() else {
            return Ok(Err("JWS header has no kid".into()));
        };
        let controller = kid.split('#').next().unwrap_or(kid);
        let Some(doc) = resolver.resolve_controller(controller).await? else {
            return Err(Error::Resolution {
                id: controller.to_owned(),
                reason: "no controller document known".into(),
            });
        };
        let Some(method) = doc.method(kid) else {
            return Ok(Err(format!("{controller} has no verification method {kid}")));
        };
        if !doc.allows(kid, Purpose::AssertionMethod) {
            return Ok(Err(format!("{controller} does not authorize {kid} for assertionMethod")));
        }
        let key = match method_key(&method) {
            Ok(k) => k,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let Ok(signature) = Signature::from_slice(&self.signature) else {
            return Ok(Err("signature is not 64 bytes".into()));
        };
        Ok(key
            .verify_strict(self.signing_input.as_bytes(), &signature)
            .map_err(|_| "invalid signature".to_owned()))
    }

    /// Checks that the registered claims present agree with the credential (OB 3.0 §8.2.4).
    pub fn claim_mismatches(&self) -> Vec<String> {
        let expected = registered_claims(&self.credential);
        ["iss", "jti", "sub", "nbf", "exp"]
            .iter()
            .filter_map(|name| {
                let got = self.payload.get(*name)?;
                let want = expected.get(*name);
                (Some(got) != want)
                    .then(|| format!("claim {name} = {got} does not match the credential"))
            })
            .collect()
    }
}

/// The Ed25519 key of a Multikey, Ed25519VerificationKey2020 or OKP JsonWebKey method.
fn method_key(method: &Value) -> Result<VerifyingKey> {
    if let Some(mb) = method.get("publicKeyMultibase").and_then(Value::as_str) {
        return decode_public_key_multibase(mb);
    }
    let jwk = method.get("publicKeyJwk").ok_or_else(|| Error::key("method has no public key"))?;
    if jwk.get("crv").and_then(Value::as_str) != Some("Ed25519") {
        return Err(Error::key("JWK is not an Ed25519 key"));
    }
    let x = jwk.get("x").and_then(Value::as_str).ok_or_else(|| Error::key("JWK has no x"))?;
    let raw: [u8; 32] = URL_SAFE_NO_PAD
        .decode(x)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Error::key("JWK x is not 32 bytes"))?;
    VerifyingKey::from_bytes(&raw).map_err(|e| Error::key(e.to_string()))
}
