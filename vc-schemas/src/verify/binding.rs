//! Who signed, and for what: the proof check, the binding of valid proofs to the issuer or
//! holder, and a presentation's challenge and domain.
//!
//! The binding checks look only at proofs that verified: a challenge carried by a proof that
//! does not verify, or a key the holder does not control, proves nothing.

use serde_json::Value;

use super::{Options, Report};
use crate::{
    Error,
    did::{ControllerResolver, Purpose},
    model::id_of,
    proof::data_integrity::{self, ProofOutcome},
};

/// Runs the proof check; returns the proofs that verified.
pub(super) async fn proof_check(
    r: &mut Report,
    doc: &Value,
    purpose: Purpose,
    resolver: &impl ControllerResolver,
) -> Vec<ProofOutcome> {
    let outcomes = match data_integrity::verify(doc, purpose, resolver).await {
        Ok(o) => o,
        Err(e @ (Error::UnknownContext { .. } | Error::Resolution { .. })) => {
            r.unknown("proof", e.to_string());
            return Vec::new();
        }
        Err(e) => {
            r.failed("proof", e.to_string());
            return Vec::new();
        }
    };
    if outcomes.is_empty() {
        r.failed("proof", "no proof");
        return Vec::new();
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
    let valid: Vec<ProofOutcome> = outcomes.into_iter().filter(ProofOutcome::is_valid).collect();
    // OB 3.0 §8.2: one valid proof suffices; the others are reported.
    if valid.is_empty() {
        r.failed("proof", notes.join("; "));
    } else {
        r.ok("proof", notes.join("; "));
    }
    valid
}

/// The controller of a verification method (`did:key:z…#z…` → `did:key:z…`).
pub(crate) fn controller_of(vm: &str) -> &str {
    vm.split('#').next().unwrap_or(vm)
}

/// The first valid proof made with a key `controller` controls.
fn signed_by<'a>(valid: &'a [ProofOutcome], controller: &str) -> Option<&'a ProofOutcome> {
    valid.iter().find(|o| {
        o.verification_method.as_deref().is_some_and(|vm| controller_of(vm) == controller)
    })
}

/// Binds the credential's issuer to a valid proof (`signer`: a VC-JWT's `kid` instead).
pub(super) fn issuer_check(
    r: &mut Report,
    doc: &Value,
    valid: &[ProofOutcome],
    signer: Option<&str>,
) {
    let Some(issuer) = doc.get("issuer").and_then(id_of) else {
        r.failed("issuer", "credential has no issuer id");
        return;
    };
    let signers: Vec<&str> = signer
        .into_iter()
        .chain(valid.iter().filter_map(|o| o.verification_method.as_deref()))
        .collect();
    if signers.is_empty() {
        r.skipped("issuer", "no valid proof to bind the issuer to");
    } else if let Some(vm) = signers.iter().find(|vm| controller_of(vm) == issuer) {
        r.ok("issuer", format!("signed by the issuer's key {vm}"));
    } else if issuer.starts_with("urn:") {
        // A urn: issuer cannot be dereferenced, so no key can be bound to it; the 1EdTech
        // validator accepts such credentials. Trust rests on the signing key alone.
        r.skipped(
            "issuer",
            format!("issuer {issuer} is not resolvable; signed by {}", signers.join(", ")),
        );
    } else {
        r.failed(
            "issuer",
            format!("signed by {}, which the issuer {issuer} does not control", signers.join(", ")),
        );
    }
}

/// Binds the presentation's holder to a valid authentication proof.
pub(super) fn holder_check(r: &mut Report, doc: &Value, valid: &[ProofOutcome]) {
    match doc.get("holder").and_then(id_of) {
        None => r.skipped("holder", "presentation names no holder"),
        Some(_) if valid.is_empty() => r.skipped("holder", "no valid holder proof"),
        Some(holder) => match signed_by(valid, holder) {
            Some(o) => r.ok(
                "holder",
                format!(
                    "signed by the holder's key {}",
                    o.verification_method.as_deref().unwrap_or("?")
                ),
            ),
            None => {
                r.failed("holder", format!("no valid proof by a key the holder {holder} controls"))
            }
        },
    }
}

/// The expected challenge and domain must be in a valid authentication proof (made by the
/// holder, when the presentation names one).
pub(super) fn binding_check<R>(
    r: &mut Report,
    doc: &Value,
    valid: &[ProofOutcome],
    opts: &Options<'_, R>,
) {
    if opts.challenge.is_none() && opts.domain.is_none() {
        r.skipped("presentation", "no challenge or domain expected (replay protection off)");
        return;
    }
    let holder = doc.get("holder").and_then(id_of);
    let candidates = valid.iter().filter(|o| {
        holder.is_none_or(|h| {
            o.verification_method.as_deref().is_some_and(|vm| controller_of(vm) == h)
        })
    });
    let mut problems = Vec::new();
    for outcome in candidates {
        match bound_to(&outcome.proof, opts) {
            Ok(()) => return r.ok("presentation", "challenge and domain match"),
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() {
        problems.push("no valid authentication proof to carry them".into());
    }
    r.failed("presentation", problems.join("; "));
}

fn bound_to<R>(proof: &Value, opts: &Options<'_, R>) -> Result<(), String> {
    if let Some(expected) = opts.challenge
        && proof.get("challenge").and_then(Value::as_str) != Some(expected)
    {
        return Err(format!("challenge does not match {expected:?}"));
    }
    if let Some(expected) = opts.domain {
        let domains: Vec<&str> = match proof.get("domain") {
            Some(Value::String(d)) => vec![d.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !domains.contains(&expected) {
            return Err(format!("domain does not include {expected:?}"));
        }
    }
    Ok(())
}
