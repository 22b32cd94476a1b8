//! The verification pipeline for credentials, presentations and VC-JWTs.
//!
//! Checks run in order: parse, context, type, schema, proof, issuer, validity, status (and for
//! presentations: holder, presentation challenge/domain, every credential inside). Each yields
//! a [`Check`]; the [`Report`] keeps "invalid" apart from "could not check". Time and the status
//! list come in as arguments, so the pipeline is pure.

mod report;

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use report::{Check, Outcome, Report, Status};

use crate::{
    Error, context,
    did::{ControllerResolver, Purpose},
    model::{id_of, types_of},
    proof::{data_integrity, jwt},
    schema::{self, Kind},
    status_list::{self, StatusEntry},
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
    let signer = proof_check(&mut r, doc, Purpose::AssertionMethod, opts.resolver).await;
    issuer_check(&mut r, doc, signer.as_deref());
    validity_check(&mut r, doc, opts.now);
    status_check(&mut r, doc, opts).await;
    endorsement_check(&mut r, doc, opts).await;
    r
}

/// Verifies the EndorsementCredentials embedded in a credential, its achievement and its
/// issuer (OB 3.0 verification step 6). Each gets its own report. Endorsements are third-party
/// claims: one that does not verify, or that endorses something other than what it is attached
/// to, is ignored (`skipped`, with the reason), never held against the credential.
async fn endorsement_check<R: ControllerResolver>(
    r: &mut Report,
    doc: &Value,
    opts: &Options<'_, R>,
) {
    let holders = [
        Some(doc),
        doc.get("credentialSubject").and_then(|s| s.get("achievement")),
        doc.get("issuer").filter(|i| i.is_object()),
    ];
    let mut attached = Vec::new();
    for holder in holders.into_iter().flatten() {
        let list = match holder.get("endorsement") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(one) => vec![one],
            None => Vec::new(),
        };
        attached.extend(list.into_iter().map(|e| (holder.get("id").and_then(Value::as_str), e)));
    }
    if attached.is_empty() {
        return;
    }
    let mut ignored = Vec::new();
    for (holder, endorsement) in attached {
        let report = Box::pin(verify_credential(endorsement, opts)).await;
        let subject =
            endorsement.get("credentialSubject").and_then(|s| s.get("id")).and_then(Value::as_str);
        let name = report.id.clone().unwrap_or_else(|| "(no id)".into());
        if !report.is_valid() {
            ignored.push(format!("{name} does not verify"));
        } else if subject != holder {
            ignored.push(format!(
                "{name} endorses {} but is attached to {}",
                subject.unwrap_or("?"),
                holder.unwrap_or("?")
            ));
        }
        r.endorsements.push(report);
    }
    let total = r.endorsements.len();
    if ignored.is_empty() {
        r.ok("endorsements", format!("{total} embedded endorsements verify"));
    } else {
        r.skipped(
            "endorsements",
            format!("{} of {total} ignored: {}", ignored.len(), ignored.join("; ")),
        );
    }
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
    match decoded.verify_signature(opts.resolver).await {
        Ok(Ok(())) => match decoded.claim_mismatches().as_slice() {
            [] => r.ok(
                "proof",
                format!("VC-JWT EdDSA signature by {}", decoded.kid().unwrap_or_default()),
            ),
            bad => r.failed("proof", bad.join("; ")),
        },
        Ok(Err(reason)) => r.failed("proof", reason),
        Err(e) => r.unknown("proof", e.to_string()),
    }
    issuer_check(&mut r, doc, decoded.kid());
    validity_check(&mut r, doc, opts.now);
    status_check(&mut r, doc, opts).await;
    r
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
    let signer = proof_check(&mut r, doc, Purpose::Authentication, opts.resolver).await;
    holder_check(&mut r, doc, signer.as_deref());
    binding_check(&mut r, doc, opts);
    let credentials = match doc.get("verifiableCredential") {
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
    r
}

fn enveloped_jwt(vc: &Value) -> Option<&str> {
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

/// Runs the proof check; returns the verification method of a valid proof.
async fn proof_check(
    r: &mut Report,
    doc: &Value,
    purpose: Purpose,
    resolver: &impl ControllerResolver,
) -> Option<String> {
    let outcomes = match data_integrity::verify(doc, purpose, resolver).await {
        Ok(o) => o,
        Err(e @ (Error::UnknownContext { .. } | Error::Resolution { .. })) => {
            r.unknown("proof", e.to_string());
            return None;
        }
        Err(e) => {
            r.failed("proof", e.to_string());
            return None;
        }
    };
    if outcomes.is_empty() {
        r.failed("proof", "no proof");
        return None;
    }
    let notes: Vec<String> = outcomes
        .iter()
        .map(|o| match &o.verdict {
            Ok(()) => {
                format!("{} by {} valid", o.suite, o.verification_method.as_deref().unwrap_or("?"))
            }
            Err(e) => format!("{}: {e}", o.suite),
        })
        .collect();
    // OB 3.0 §8.2: one valid proof suffices; the others are reported.
    match outcomes.iter().find(|o| o.is_valid()) {
        Some(valid) => {
            r.ok("proof", notes.join("; "));
            valid.verification_method.clone()
        }
        None => {
            r.failed("proof", notes.join("; "));
            None
        }
    }
}

/// The controller of a verification method (`did:key:z…#z…` → `did:key:z…`).
fn controller_of(vm: &str) -> &str {
    vm.split('#').next().unwrap_or(vm)
}

fn issuer_check(r: &mut Report, doc: &Value, signer: Option<&str>) {
    let Some(issuer) = doc.get("issuer").and_then(id_of) else {
        r.failed("issuer", "credential has no issuer id");
        return;
    };
    let Some(vm) = signer else {
        r.skipped("issuer", "no valid proof to bind the issuer to");
        return;
    };
    if controller_of(vm) == issuer {
        r.ok("issuer", format!("signed by the issuer's key {vm}"));
    } else if issuer.starts_with("urn:") {
        // A urn: issuer cannot be dereferenced, so no key can be bound to it; the 1EdTech
        // validator accepts such credentials. Trust rests on the signing key alone.
        r.skipped("issuer", format!("issuer {issuer} is not resolvable; the signing key is {vm}"));
    } else {
        r.failed("issuer", format!("signed by {vm}, which the issuer {issuer} does not control"));
    }
}

fn holder_check(r: &mut Report, doc: &Value, signer: Option<&str>) {
    match (doc.get("holder").and_then(id_of), signer) {
        (None, _) => r.skipped("holder", "presentation names no holder"),
        (Some(_), None) => r.skipped("holder", "no valid holder proof"),
        (Some(h), Some(vm)) if controller_of(vm) == h => {
            r.ok("holder", format!("signed by the holder's key {vm}"))
        }
        (Some(h), Some(vm)) => {
            r.failed("holder", format!("signed by {vm}, which the holder {h} does not control"))
        }
    }
}

fn binding_check<R>(r: &mut Report, doc: &Value, opts: &Options<'_, R>) {
    let proofs = data_integrity::proofs_of(doc);
    let proof = proofs
        .iter()
        .find(|p| p.get("proofPurpose").and_then(Value::as_str) == Some("authentication"));
    let Some(proof) = proof else {
        r.failed("presentation", "no authentication proof");
        return;
    };
    let mut problems = Vec::new();
    if let Some(expected) = opts.challenge
        && proof.get("challenge").and_then(Value::as_str) != Some(expected)
    {
        problems.push(format!("challenge does not match {expected:?}"));
    }
    if let Some(expected) = opts.domain {
        let domains: Vec<&str> = match proof.get("domain") {
            Some(Value::String(d)) => vec![d.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !domains.contains(&expected) {
            problems.push(format!("domain does not include {expected:?}"));
        }
    }
    match (problems.is_empty(), opts.challenge.is_some() || opts.domain.is_some()) {
        (false, _) => r.failed("presentation", problems.join("; ")),
        (true, true) => r.ok("presentation", "challenge and domain match"),
        (true, false) => {
            r.skipped("presentation", "no challenge or domain expected (replay protection off)")
        }
    }
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

async fn status_check<R: ControllerResolver>(r: &mut Report, doc: &Value, opts: &Options<'_, R>) {
    let entries: Vec<Value> = match doc.get("credentialStatus") {
        None => return r.skipped("status", "no credentialStatus"),
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
    };
    for entry in &entries {
        let kind = entry.get("type").and_then(Value::as_str).unwrap_or("(no type)");
        if kind != "BitstringStatusListEntry" {
            r.unknown("status", format!("status type {kind} cannot be checked offline"));
            continue;
        }
        match StatusEntry::from_json(entry) {
            Ok(e) => check_entry(r, doc, &e, opts).await,
            Err(err) => r.failed("status", err.to_string()),
        }
    }
}

async fn check_entry<R: ControllerResolver>(
    r: &mut Report,
    doc: &Value,
    entry: &StatusEntry,
    opts: &Options<'_, R>,
) {
    let Some((_, list)) = opts.status_lists.iter().find(|(url, _)| *url == entry.list_credential)
    else {
        return r.unknown(
            "status",
            format!("status list {} is not held locally", entry.list_credential),
        );
    };
    let list_report =
        Box::pin(verify_credential(list, &Options { status_lists: &[], ..*opts })).await;
    if list_report.outcome != Outcome::Valid {
        let why: Vec<String> = list_report
            .checks
            .iter()
            .filter(|c| c.status != Status::Ok)
            .map(|c| format!("{}: {}", c.name, c.reason))
            .collect();
        return r.failed(
            "status",
            format!("status list {} does not verify: {}", entry.list_credential, why.join("; ")),
        );
    }
    let issuer = doc.get("issuer").and_then(id_of);
    if list.get("issuer").and_then(id_of) != issuer {
        return r.failed("status", "status list was not issued by the credential's issuer");
    }
    let version = list.get("validFrom").and_then(Value::as_str).unwrap_or("(no validFrom)");
    match status_list::lookup(entry, list) {
        Ok(false) => r.ok(
            "status",
            format!("{} bit {} clear (list of {version})", entry.purpose, entry.index),
        ),
        Ok(true) => r.failed(
            "status",
            format!("{}: bit {} set (list of {version})", status_word(&entry.purpose), entry.index),
        ),
        Err(e) => r.failed("status", e.to_string()),
    }
}

fn status_word(purpose: &str) -> &str {
    match purpose {
        "revocation" => "revoked",
        "suspension" => "suspended",
        other => other,
    }
}
