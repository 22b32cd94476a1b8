//! VC-JWT: a credential secured as a compact JWS with EdDSA.
//!
//! The payload is the credential itself (VC-JOSE-COSE) plus the registered claims the OB 3.0
//! JWT section asks for (`iss`, `jti`, `nbf`, `sub`, `exp`), so both kinds of verifier accept it.
//! The header carries `typ: vc+jwt` (the Recommendation's value; ssi would write `vc-ld+jwt`).
//! Legacy VCDM 1.1 tokens that wrap the credential in a `vc` claim are read too. The compact
//! serialization is three base64url parts; the signature is `ed25519-dalek`'s.

use std::sync::OnceLock;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::DateTime;
use ed25519_dalek::Signature;
use serde_json::{Map, Value};

use crate::{
    Error, Result,
    did::{ControllerResolver, Purpose},
    key::{Ed25519Key, method_public_key},
    model::id_of,
};

/// The media type in the JOSE header.
pub const TYP: &str = "vc+jwt";

/// The JWT payload: the credential's members, then the registered claims derived from it
/// (unless the credential already has a member of that name). Serialized without copying the
/// credential.
#[derive(serde::Serialize)]
struct Payload<'a> {
    #[serde(flatten)]
    credential: &'a Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jti: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nbf: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exp: Option<i64>,
}

impl<'a> Payload<'a> {
    fn of(credential: &'a Map<String, Value>) -> Self {
        let absent = |name: &str| !credential.contains_key(name);
        let epoch = |name: &str| {
            let text = credential.get(name)?.as_str()?;
            DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp())
        };
        Self {
            credential,
            iss: credential.get("issuer").and_then(id_of).filter(|_| absent("iss")),
            jti: credential.get("id").filter(|_| absent("jti")),
            sub: credential
                .get("credentialSubject")
                .and_then(|s| s.get("id"))
                .filter(|_| absent("sub")),
            nbf: epoch("validFrom").filter(|_| absent("nbf")),
            exp: epoch("validUntil").filter(|_| absent("exp")),
        }
    }
}

/// Signs `credential` as a compact VC-JWT with `key` (`kid` = its verification method).
pub fn sign(credential: &Value, key: &Ed25519Key) -> Result<String> {
    let credential =
        credential.as_object().ok_or_else(|| Error::malformed("credential is not an object"))?;
    let header = serde_json::json!({"alg": "EdDSA", "kid": key.verification_method(), "typ": TYP});
    let header = serde_json::to_vec(&header).map_err(|e| Error::malformed(e.to_string()))?;
    let payload = serde_json::to_vec(&Payload::of(credential))
        .map_err(|e| Error::malformed(e.to_string()))?;
    let mut token = String::with_capacity((header.len() + payload.len()) * 4 / 3 + 96);
    URL_SAFE_NO_PAD.encode_string(header, &mut token);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut token);
    let signature = key.sign(token.as_bytes());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    Ok(token)
}

/// Whether `text` looks like a compact JWS (three base64url parts).
pub fn looks_like_jwt(text: &str) -> bool {
    let t = text.trim();
    t.split('.').count() == 3 && t.starts_with("ey")
}

/// A VC-JWT split into its parts. The header and signature are decoded at once; the payload
/// only when asked for, so a signature check does not pay for parsing the credential.
#[derive(Debug)]
pub struct DecodedJwt {
    token: String,
    /// End of the signing input (`header.payload`) in `token`.
    signed_len: usize,
    header: Value,
    signature: Vec<u8>,
    payload: OnceLock<std::result::Result<Value, String>>,
}

fn base64url(x: &str, what: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(x)
        .map_err(|e| Error::malformed(format!("JWS {what} is not base64url: {e}")))
}

/// Splits a compact VC-JWT and decodes its header; nothing is checked yet.
pub fn decode(token: &str) -> Result<DecodedJwt> {
    let token = token.trim();
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::malformed("a compact JWS has three parts"));
    };
    let header = serde_json::from_slice(&base64url(h, "header")?)
        .map_err(|e| Error::malformed(format!("JWS header is not JSON: {e}")))?;
    Ok(DecodedJwt {
        token: token.to_owned(),
        signed_len: h.len() + 1 + p.len(),
        header,
        signature: base64url(s, "signature")?,
        payload: OnceLock::new(),
    })
}

impl DecodedJwt {
    /// The JOSE header.
    pub fn header(&self) -> &Value {
        &self.header
    }

    /// The JWT payload: the credential itself, or (VCDM 1.1 tokens) claims with a `vc` member.
    pub fn payload(&self) -> Result<&Value> {
        self.payload
            .get_or_init(|| {
                let encoded =
                    &self.token[self.token.find('.').map_or(0, |i| i + 1)..self.signed_len];
                let bytes = base64url(encoded, "payload").map_err(|e| e.to_string())?;
                serde_json::from_slice(&bytes)
                    .map_err(|e| format!("malformed input: JWS payload is not JSON: {e}"))
            })
            .as_ref()
            .map_err(|reason| Error::malformed(reason.trim_start_matches("malformed input: ")))
    }

    /// The credential inside: the payload itself, or its `vc` claim for VCDM 1.1 tokens.
    pub fn credential(&self) -> Result<&Value> {
        let payload = self.payload()?;
        Ok(payload.get("vc").unwrap_or(payload))
    }

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
        let key = match method_public_key(&method) {
            Ok(k) => k,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let Ok(signature) = Signature::from_slice(&self.signature) else {
            return Ok(Err("signature is not 64 bytes".into()));
        };
        Ok(key
            .verify_strict(&self.token.as_bytes()[..self.signed_len], &signature)
            .map_err(|_| "invalid signature".to_owned()))
    }

    /// Checks that the registered claims present agree with the credential (OB 3.0 §8.2.4).
    pub fn claim_mismatches(&self) -> Vec<String> {
        let (Ok(payload), Some(credential)) =
            (self.payload(), self.credential().ok().and_then(Value::as_object))
        else {
            return vec!["credential is not an object".into()];
        };
        let derived = Payload::of(credential);
        let expected: [(&str, Option<Value>); 5] = [
            ("iss", derived.iss.map(Value::from)),
            ("jti", derived.jti.cloned()),
            ("sub", derived.sub.cloned()),
            ("nbf", derived.nbf.map(Value::from)),
            ("exp", derived.exp.map(Value::from)),
        ];
        let in_vc = payload.get("vc").is_some();
        expected
            .into_iter()
            .filter_map(|(name, want)| {
                let got = payload.get(name)?;
                // A payload that is the credential checks its own members against themselves
                // only when they were derived (the credential has no member of that name).
                if !in_vc && credential.contains_key(name) {
                    return None;
                }
                (Some(got) != want.as_ref())
                    .then(|| format!("claim {name} = {got} does not match the credential"))
            })
            .collect()
    }
}
