//! VC-JWT: a credential secured as a compact JWS.
//!
//! Badgemesh signs with EdDSA. The payload is the credential itself (VC-JOSE-COSE) plus the
//! registered claims the OB 3.0 JWT section asks for (`iss`, `jti`, `nbf`, `sub`, `exp`), so both
//! kinds of verifier accept it. The header carries `typ: vc+jwt` (the Recommendation's value;
//! ssi would write `vc-ld+jwt`). Legacy VCDM 1.1 tokens that wrap the credential in a `vc` claim
//! are read too. The compact serialization is three base64url parts.
//!
//! Verification takes RS256, ES256 and EdDSA ([`super::jose`]). The key comes from, in order:
//! the verifier ([`ControllerResolver::verifier_key`]), the `kid` (a DID URL or a pinned
//! controller's method), the header's `jwk`. Which one it was decides what the signature proves
//! about the issuer ([`KeySource`]).

use std::{borrow::Cow, sync::OnceLock};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::DateTime;
use serde_json::{Map, Value};

use super::jose::{Alg, PublicJwk};
use crate::{
    Error, Result,
    did::{ControllerResolver, Purpose},
    model::id_of,
    signer::Signer,
};

/// The media type in the JOSE header.
pub const TYP: &str = "vc+jwt";
/// The media type of a presentation secured as a JWT (VC-JOSE-COSE).
pub const VP_TYP: &str = "vp+jwt";

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

/// A presentation's JWT payload (VC-JOSE-COSE): the presentation's members, then the holder
/// as `iss`, the verifier's challenge as `nonce` and its domain(s) as `aud`, and `iat`.
#[derive(serde::Serialize)]
struct VpPayload<'a> {
    #[serde(flatten)]
    presentation: &'a Map<String, Value>,
    iss: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<Value>,
    iat: i64,
}

/// Signs `credential` as a compact VC-JWT with `key` (`kid` = its verification method).
pub fn sign<S: Signer + ?Sized>(credential: &Value, key: &S) -> Result<String> {
    let credential =
        credential.as_object().ok_or_else(|| Error::malformed("credential is not an object"))?;
    compact(TYP, &Payload::of(credential), key)
}

/// Signs `presentation` as a compact VP-JWT with the holder's `key`, bound to the verifier's
/// `challenge` (`nonce`) and `domains` (`aud`), issued `now`.
pub fn sign_presentation<S: Signer + ?Sized>(
    presentation: &Value,
    key: &S,
    challenge: Option<&str>,
    domains: &[String],
    now: DateTime<chrono::Utc>,
) -> Result<String> {
    let presentation = presentation
        .as_object()
        .ok_or_else(|| Error::malformed("presentation is not an object"))?;
    let vm = key.verification_method();
    let holder = presentation
        .get("holder")
        .and_then(id_of)
        .unwrap_or_else(|| vm.split('#').next().unwrap_or(vm));
    let aud = match domains {
        [] => None,
        [one] => Some(Value::from(one.as_str())),
        many => Some(Value::from(many.to_vec())),
    };
    let payload =
        VpPayload { presentation, iss: holder, nonce: challenge, aud, iat: now.timestamp() };
    compact(VP_TYP, &payload, key)
}

/// Any claims as a compact JWS signed by `key`, the header naming its method and `typ` (a
/// wallet's `openid4vci-proof+jwt`, say).
pub fn sign_claims<S: Signer + ?Sized>(typ: &str, claims: &Value, key: &S) -> Result<String> {
    compact(typ, claims, key)
}

/// `header.payload.signature`, signed by `key` with the header naming its method and `typ`.
fn compact<S: Signer + ?Sized>(
    typ: &str,
    payload: &impl serde::Serialize,
    key: &S,
) -> Result<String> {
    let alg = key.algorithm().jose();
    let header = serde_json::json!({"alg": alg, "kid": key.verification_method(), "typ": typ});
    let header = serde_json::to_vec(&header).map_err(|e| Error::malformed(e.to_string()))?;
    let payload = serde_json::to_vec(payload).map_err(|e| Error::malformed(e.to_string()))?;
    let mut token = String::with_capacity((header.len() + payload.len()) * 4 / 3 + 96);
    URL_SAFE_NO_PAD.encode_string(header, &mut token);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut token);
    let signature = key.sign(token.as_bytes())?;
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    Ok(token)
}

/// Whether `text` looks like a compact JWS (three base64url parts).
pub fn looks_like_jwt(text: &str) -> bool {
    let t = text.trim();
    t.split('.').count() == 3 && t.starts_with("ey")
}

/// Where the key that checked a VC-JWT came from, which decides what the signature proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The verification method the `kid` names, in a controller document that authorizes it for
    /// assertions: the signature can be bound to the controller (the issuer, when they match).
    Method(String),
    /// The public key in the JWS header's `jwk`: whoever made the token chose it, so the
    /// signature proves the token is intact, not who issued it.
    HeaderJwk,
    /// The key the verifier supplied ([`ControllerResolver::verifier_key`]): trusted by the
    /// verifier's own decision, not bound to the issuer by any document.
    Verifier,
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Method(kid) => f.write_str(kid),
            Self::HeaderJwk => f.write_str("the key in the JWS header (jwk)"),
            Self::Verifier => f.write_str("the key the verifier supplied"),
        }
    }
}

/// A VC-JWT signature that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The header's algorithm.
    pub alg: Alg,
    /// The key that checked it.
    pub key: KeySource,
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

    /// The presentation inside: the payload itself, or its `vp` claim (VCDM 1.1 tokens).
    pub fn presentation(&self) -> Result<&Value> {
        let payload = self.payload()?;
        Ok(payload.get("vp").unwrap_or(payload))
    }

    /// Whether the token secures a presentation: `typ` says so, or its payload is one.
    pub fn is_presentation(&self) -> bool {
        let typ = self.header.get("typ").and_then(Value::as_str).unwrap_or_default();
        typ.eq_ignore_ascii_case(VP_TYP)
            || self.payload().is_ok_and(|p| {
                p.get("vp").is_some()
                    || crate::model::types_of(p).iter().any(|t| t == "VerifiablePresentation")
            })
    }

    /// The `kid` header.
    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// Checks the signature (RS256, ES256 or EdDSA) with the key the verifier supplies, else the
    /// key `kid` names, else the header's `jwk`. `Ok(Err(reason))` is an invalid token (a
    /// refused or mismatched `alg`, a bad key, a wrong signature); `Err` means it could not be
    /// checked (the key is unknown, or the token names none).
    pub async fn verify_signature(
        &self,
        resolver: &impl ControllerResolver,
    ) -> Result<std::result::Result<Verified, String>> {
        self.verify_signature_for(resolver, Purpose::AssertionMethod).await
    }

    /// [`Self::verify_signature`] for a key the controller authorizes for `purpose`
    /// (`authentication` for a holder's presentation).
    pub async fn verify_signature_for(
        &self,
        resolver: &impl ControllerResolver,
        purpose: Purpose,
    ) -> Result<std::result::Result<Verified, String>> {
        let alg = match Alg::from_header(self.header.get("alg")) {
            Ok(alg) => alg,
            Err(reason) => return Ok(Err(reason)),
        };
        // RFC 7515 §4.1.11: a verifier must refuse extensions it does not understand (`b64`
        // among them, which would change what the signature covers). Badgemesh knows none.
        if let Some(crit) = self.header.get("crit") {
            return Ok(Err(format!("JWS header has critical extensions {crit} (none supported)")));
        }
        let (key, source) = match self.signing_key(resolver, purpose).await? {
            Ok(found) => found,
            Err(reason) => return Ok(Err(reason)),
        };
        Ok(key
            .verify(alg, &self.token.as_bytes()[..self.signed_len], &self.signature)
            .map(|()| Verified { alg, key: source }))
    }

    /// The key to check the signature with, and where it came from.
    async fn signing_key<'r>(
        &self,
        resolver: &'r impl ControllerResolver,
        purpose: Purpose,
    ) -> Result<std::result::Result<(Cow<'r, PublicJwk>, KeySource), String>> {
        if let Some(key) = resolver.verifier_key() {
            return Ok(Ok((Cow::Borrowed(key), KeySource::Verifier)));
        }
        let header_jwk = self.header.get("jwk");
        let Some(kid) = self.kid() else {
            let Some(jwk) = header_jwk else {
                return Err(Error::Resolution {
                    id: "the VC-JWT's signing key".into(),
                    reason:
                        "the JWS header names none (no kid, no jwk); the verifier must supply it"
                            .into(),
                });
            };
            return Ok(Self::header_key(jwk));
        };
        let controller = kid.split('#').next().unwrap_or(kid);
        let Some(doc) = resolver.resolve_controller(controller).await? else {
            // A `kid` is only a hint (RFC 7515 §4.1.4): with an unknown controller the header's
            // own key can still be checked, but proves nothing about the issuer.
            if let Some(jwk) = header_jwk {
                return Ok(Self::header_key(jwk));
            }
            return Err(Error::Resolution {
                id: controller.to_owned(),
                reason: "no controller document known".into(),
            });
        };
        let Some(method) = doc.method(kid) else {
            return Ok(Err(format!("{controller} has no verification method {kid}")));
        };
        if !doc.allows(kid, purpose) {
            return Ok(Err(format!(
                "{controller} does not authorize {kid} for {}",
                purpose.as_str()
            )));
        }
        Ok(PublicJwk::from_method(&method)
            .map(|key| (Cow::Owned(key), KeySource::Method(kid.to_owned())))
            .map_err(|e| e.to_string()))
    }

    fn header_key<'r>(jwk: &Value) -> std::result::Result<(Cow<'r, PublicJwk>, KeySource), String> {
        PublicJwk::from_json(jwk)
            .map(|key| (Cow::Owned(key), KeySource::HeaderJwk))
            .map_err(|e| format!("JWS header jwk: {e}"))
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
