//! The verification pipeline for credentials, presentations and VC-JWTs (RS256, ES256, EdDSA).
//!
//! Checks run in order: parse, context, type, schema, proof, issuer, validity, status (and for
//! presentations: holder, presentation challenge/domain, every credential inside). Each yields
//! a [`Check`]; the [`Report`] keeps "invalid" apart from "could not check". Time and the status
//! list come in as arguments, so the pipeline is pure.

mod binding;
mod endorsement;
mod report;
mod status;

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use report::{Check, Outcome, Report, Status};

use binding::{binding_check, holder_check, issuer_check, proof_check};
use endorsement::endorsement_check;
use status::status_check;

use crate::{
    context,
    did::{ControllerResolver, Purpose},
    model::{id_of, types_of},
    proof::jwt::{self, KeySource},
    schema::{self, Kind},
};

/// What a verification needs besides the document.
#[derive(Debug)]
pub struct Options<'a, R> {
    /// "Now" for the validity window.
    pub now: DateTime<Utc>,
    /// Source of controller documents (did:key and did:jwk are built in).
    pub resolver: &'a R,
    /// Status list credentials the verifier holds, by the URL they were retrieved from
    /// (gossiped, cached, or given on the command line).
    pub status_lists: &'a [(String, Value)],
    /// Expected presentation challenge.
    pub challenge: Option<&'a str>,
    /// Expected presentation domain.
    pub domain: Option<&'a str>,
}

/// Verifies any input: a VC-JWT (compact JWS), a presentation or a credential (JSON).
pub async fn verify_text<R: ControllerResolver>(text: &str, opts: &Options<'_, R>) -> Report {
    if jwt::looks_like_jwt(text) {
        if jwt::decode(text).is_ok_and(|d| d.is_presentation()) {
            return verify_presentation_jwt(text, opts).await;
        }
        return verify_jwt(text, opts).await;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(doc) if types_of(&doc).iter().any(|t| t == "VerifiablePresentation") => {
            verify_presentation(&doc, opts).await
        }
        Ok(doc) => verify_credential(&doc, opts).await,
        Err(e) => {
            let mut r = Report::new("credential", None);
            r.unknown("parse", format!("not JSON: {e}"));
            r
        }
    }
}

/// Verifies a credential secured with embedded Data Integrity proofs.
pub async fn verify_credential<R: ControllerResolver>(
    doc: &Value,
    opts: &Options<'_, R>,
) -> Report {
    let mut r = Report::new("credential", doc.get("id").and_then(Value::as_str).map(str::to_owned));
    if !structure(&mut r, doc, "VerifiableCredential") {
        return r;
    }
    schema_check(&mut r, doc);
    let valid = proof_check(&mut r, doc, Purpose::AssertionMethod, opts.resolver).await;
    issuer_check(&mut r, doc, &valid, None);
    validity_check(&mut r, doc, opts.now);
    status_check(&mut r, doc, opts).await;
    endorsement_check(&mut r, doc, opts).await;
    r
}

/// Verifies a compact VC-JWT.
pub async fn verify_jwt<R: ControllerResolver>(token: &str, opts: &Options<'_, R>) -> Report {
    let mut r = Report::new("credential (VC-JWT)", None);
    let decoded = match jwt::decode(token) {
        Ok(d) => d,
        Err(e) => {
            r.unknown("parse", e.to_string());
            return r;
        }
    };
    let doc = match decoded.credential() {
        Ok(doc) => doc,
        Err(e) => {
            r.unknown("parse", e.to_string());
            return r;
        }
    };
    r.id = doc.get("id").and_then(Value::as_str).map(str::to_owned);
    if !structure(&mut r, doc, "VerifiableCredential") {
        return r;
    }
    schema_check(&mut r, doc);
    let checked = decoded.verify_signature(opts.resolver).await;
    let signed =
        jwt_proof_check(&mut r, checked, |verified| match decoded.claim_mismatches().as_slice() {
            [] => Ok(format!("VC-JWT {} signature by {}", verified.alg, verified.key)),
            bad => Err(bad.join("; ")),
        });
    match &signed {
        Some(KeySource::Method(kid)) => issuer_check(&mut r, doc, &[], Some(kid)),
        Some(unbound) => unbound_issuer_check(&mut r, doc, unbound),
        None => issuer_check(&mut r, doc, &[], None),
    }
    validity_check(&mut r, doc, opts.now);
    status_check(&mut r, doc, opts).await;
    r
}

/// The proof check of a JWS: a signature that verified and passes `judge` is `ok` with the
/// note `judge` gives (and its key is returned); a bad one `failed`; one that could not be
/// checked (an unknown key) `unknown`.
fn jwt_proof_check(
    r: &mut Report,
    checked: crate::Result<std::result::Result<jwt::Verified, String>>,
    judge: impl FnOnce(&jwt::Verified) -> std::result::Result<String, String>,
) -> Option<KeySource> {
    match checked {
        Ok(Ok(verified)) => match judge(&verified) {
            Ok(note) => {
                r.ok("proof", note);
                Some(verified.key)
            }
            Err(reason) => {
                r.failed("proof", reason);
                None
            }
        },
        Ok(Err(reason)) => {
            r.failed("proof", reason);
            None
        }
        Err(e) => {
            r.unknown("proof", e.to_string());
            None
        }
    }
}

/// The issuer check for a VC-JWT checked with a key no controller document names (the header's
/// `jwk`, or the verifier's own): the key is not the issuer's by any document, so the binding is
/// not made, and the report says so. A `kid` in such a token is never taken as the signer: it
/// would let the token name the issuer's method while carrying its own key.
fn unbound_issuer_check(r: &mut Report, doc: &Value, key: &KeySource) {
    match doc.get("issuer").and_then(id_of) {
        None => r.failed("issuer", "credential has no issuer id"),
        Some(issuer) => r.skipped(
            "issuer",
            format!("signed with {key}; no controller document binds it to the issuer {issuer}"),
        ),
    }
}

/// Verifies a presentation: the holder's proof, the expected challenge and domain, and every
/// credential inside it (ssi checks neither of the last two by itself).
pub async fn verify_presentation<R: ControllerResolver>(
    doc: &Value,
    opts: &Options<'_, R>,
) -> Report {
    let mut r =
        Report::new("presentation", doc.get("id").and_then(Value::as_str).map(str::to_owned));
    if !structure(&mut r, doc, "VerifiablePresentation") {
        return r;
    }
    let valid = proof_check(&mut r, doc, Purpose::Authentication, opts.resolver).await;
    holder_check(&mut r, doc, &valid);
    binding_check(&mut r, doc, &valid, opts);
    verify_inner(&mut r, doc, opts).await;
    r
}

/// Verifies every credential inside a presentation into its report.
async fn verify_inner<R: ControllerResolver>(r: &mut Report, vp: &Value, opts: &Options<'_, R>) {
    let credentials = match vp.get("verifiableCredential") {
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    for vc in &credentials {
        let inner = match enveloped_jwt(vc) {
            Some(token) => Box::pin(verify_jwt(token, opts)).await,
            None => Box::pin(verify_credential(vc, opts)).await,
        };
        r.add_credential(inner);
    }
}

/// Verifies a presentation secured as a compact VP-JWT: the holder's signature (a key
/// authorized for `authentication`), the holder, `nonce` and `aud` against the expected
/// challenge and domain, and every credential inside.
pub async fn verify_presentation_jwt<R: ControllerResolver>(
    token: &str,
    opts: &Options<'_, R>,
) -> Report {
    let mut r = Report::new("presentation (VP-JWT)", None);
    let decoded = match jwt::decode(token) {
        Ok(d) => d,
        Err(e) => {
            r.unknown("parse", e.to_string());
            return r;
        }
    };
    let (Ok(payload), Ok(vp)) = (decoded.payload(), decoded.presentation()) else {
        r.unknown("parse", "the JWT payload is not JSON");
        return r;
    };
    r.id = vp.get("id").and_then(Value::as_str).map(str::to_owned);
    if !structure(&mut r, vp, "VerifiablePresentation") {
        return r;
    }
    let checked = decoded.verify_signature_for(opts.resolver, Purpose::Authentication).await;
    let signer = jwt_proof_check(&mut r, checked, |verified| {
        Ok(format!("VP-JWT {} signature by {}", verified.alg, verified.key))
    });
    jwt_holder_check(&mut r, vp, payload, signer.as_ref());
    jwt_binding_check(&mut r, payload, signer.is_some(), opts);
    verify_inner(&mut r, vp, opts).await;
    r
}

/// The holder (the presentation's, else `iss`) must control the key that signed, and `iss`,
/// when given, must be that holder.
fn jwt_holder_check(r: &mut Report, vp: &Value, payload: &Value, signer: Option<&KeySource>) {
    let iss = payload.get("iss").and_then(Value::as_str);
    let Some(holder) = vp.get("holder").and_then(id_of).or(iss) else {
        return r.skipped("holder", "presentation names no holder");
    };
    if iss.is_some_and(|iss| iss != holder) {
        return r.failed("holder", format!("iss {iss:?} is not the holder {holder}"));
    }
    match signer {
        None => r.skipped("holder", "no valid holder signature"),
        Some(KeySource::Method(kid)) if binding::controller_of(kid) == holder => {
            r.ok("holder", format!("signed by the holder's key {kid}"));
        }
        Some(KeySource::Method(kid)) => {
            r.failed(
                "holder",
                format!("signed by {kid}, which the holder {holder} does not control"),
            );
        }
        Some(other) => {
            r.skipped("holder", format!("signed with {other}; no document binds it to {holder}"));
        }
    }
}

/// The expected challenge and domain must be the token's `nonce` and among its `aud`.
fn jwt_binding_check<R>(r: &mut Report, payload: &Value, signed: bool, opts: &Options<'_, R>) {
    if opts.challenge.is_none() && opts.domain.is_none() {
        return r
            .skipped("presentation", "no challenge or domain expected (replay protection off)");
    }
    if !signed {
        return r.failed("presentation", "no valid holder signature to carry them");
    }
    if let Some(expected) = opts.challenge
        && payload.get("nonce").and_then(Value::as_str) != Some(expected)
    {
        return r.failed("presentation", format!("nonce does not match {expected:?}"));
    }
    if let Some(expected) = opts.domain {
        let audience: Vec<&str> = match payload.get("aud") {
            Some(Value::String(a)) => vec![a.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !audience.contains(&expected) {
            return r.failed("presentation", format!("aud does not include {expected:?}"));
        }
    }
    r.ok("presentation", "nonce and aud match");
}

/// The presentation a verifier was handed: a JSON presentation, a compact VP-JWT, or one
/// enveloped (`EnvelopedVerifiablePresentation`, `id` = `data:application/vp+jwt,…`); `None`
/// for anything else. A token's payload is decoded, not verified.
pub fn presentation_document(given: &Value) -> Option<Value> {
    let token = match given {
        Value::String(token) => Some(token.as_str()),
        doc => enveloped_presentation(doc),
    };
    match token {
        Some(token) => jwt::decode(token).ok()?.presentation().ok().cloned(),
        None => given.is_object().then(|| given.clone()),
    }
}

/// The VP-JWT inside an `EnvelopedVerifiablePresentation`.
pub fn enveloped_presentation(vp: &Value) -> Option<&str> {
    if !types_of(vp).iter().any(|t| t == "EnvelopedVerifiablePresentation") {
        return None;
    }
    vp.get("id")?.as_str()?.split_once(',').map(|(_, token)| token)
}

/// The VC-JWT inside an `EnvelopedVerifiableCredential` (`id` = `data:application/vc+jwt,…`).
pub fn enveloped_jwt(vc: &Value) -> Option<&str> {
    if !types_of(vc).iter().any(|t| t == "EnvelopedVerifiableCredential") {
        return None;
    }
    let id = vc.get("id")?.as_str()?;
    id.split_once(',').map(|(_, token)| token)
}

/// parse, context and type checks; `false` stops the pipeline (nothing else is meaningful).
fn structure(r: &mut Report, doc: &Value, base_type: &str) -> bool {
    if !doc.is_object() {
        r.unknown("parse", "document is not a JSON object");
        return false;
    }
    r.ok("parse", "");
    context_check(r, doc) && type_check(r, doc, base_type)
}

fn context_check(r: &mut Report, doc: &Value) -> bool {
    let first = match doc.get("@context") {
        Some(Value::Array(items)) => items.first().and_then(Value::as_str),
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    if first != Some(context::CREDENTIALS_V2) && first != Some(context::CREDENTIALS_V1) {
        r.failed("context", format!("first @context must be {}", context::CREDENTIALS_V2));
        return false;
    }
    let unknown = context::unknown_contexts(doc);
    if !unknown.is_empty() {
        r.unknown(
            "context",
            format!("unknown JSON-LD context {} (contexts are never fetched)", unknown.join(", ")),
        );
        return false;
    }
    let legacy = if first == Some(context::CREDENTIALS_V1) { " (VCDM 1.1)" } else { "" };
    r.ok("context", format!("all contexts known{legacy}"));
    true
}

fn type_check(r: &mut Report, doc: &Value, base_type: &str) -> bool {
    let types = types_of(doc);
    if !types.iter().any(|t| t == base_type) {
        r.failed("type", format!("type must include {base_type}"));
        return false;
    }
    if base_type == "VerifiableCredential"
        && Kind::of_credential(doc).is_none()
        && is_ob_document(doc)
    {
        r.failed("type", "an Open Badges credential must be an OpenBadgeCredential, AchievementCredential or EndorsementCredential");
        return false;
    }
    r.ok("type", types.join(", "));
    true
}

fn is_ob_document(doc: &Value) -> bool {
    match doc.get("@context") {
        Some(Value::Array(items)) => {
            items.iter().filter_map(Value::as_str).any(|u| u.contains("/spec/ob/v3p0/"))
        }
        _ => false,
    }
}

fn schema_check(r: &mut Report, doc: &Value) {
    let Some(kind) = Kind::of_credential(doc) else {
        r.skipped("schema", "not an Open Badges credential; no 1EdTech schema applies");
        return;
    };
    if doc.get("@context").and_then(|c| c.get(0)).and_then(Value::as_str)
        == Some(context::CREDENTIALS_V1)
    {
        r.skipped("schema", "VCDM 1.1 credential; the OB 3.0 schemas describe VCDM 2.0");
        return;
    }
    match schema::validate(kind, &expand_compacted(doc)) {
        Ok(()) => r.ok("schema", kind.schema_url().unwrap_or_default()),
        Err(e) => r.failed("schema", e.to_string()),
    }
}

/// Wraps the single values JSON-LD compaction allows (`type`, `proof`, `credentialSchema`,
/// `termsOfUse`) in arrays before schema validation, as the 1EdTech validator's JSON-LD schema
/// pass does; our own output is always in the array form.
fn expand_compacted(doc: &Value) -> Value {
    let mut out = doc.clone();
    if let Some(obj) = out.as_object_mut() {
        for key in ["proof", "credentialSchema", "termsOfUse"] {
            if let Some(v @ Value::Object(_)) = obj.get_mut(key) {
                *v = Value::Array(vec![v.take()]);
            }
        }
    }
    out
}

fn validity_check(r: &mut Report, doc: &Value, now: DateTime<Utc>) {
    let time = |names: [&str; 2]| -> Result<Option<DateTime<Utc>>, String> {
        let Some((name, v)) = names.iter().find_map(|n| doc.get(*n).map(|v| (*n, v))) else {
            return Ok(None);
        };
        let text = v.as_str().ok_or_else(|| format!("{name} is not a string"))?;
        DateTime::parse_from_rfc3339(text)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| format!("{name} {text:?} is not an RFC 3339 date-time with a time zone"))
    };
    let (from, until) =
        match (time(["validFrom", "issuanceDate"]), time(["validUntil", "expirationDate"])) {
            (Ok(f), Ok(u)) => (f, u),
            (Err(e), _) | (_, Err(e)) => return r.failed("validity", e),
        };
    match (from, until) {
        (Some(f), _) if now < f => r.failed("validity", format!("not valid before {f}")),
        (_, Some(u)) if now > u => r.failed("validity", format!("expired at {u}")),
        (f, u) => r.ok(
            "validity",
            format!(
                "valid from {} until {}",
                f.map_or("(unset)".into(), |t| t.to_rfc3339()),
                u.map_or("(no end)".into(), |t| t.to_rfc3339())
            ),
        ),
    }
}
