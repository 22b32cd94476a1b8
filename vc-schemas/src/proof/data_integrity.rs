//! Data Integrity proofs over JSON-LD documents, through ssi's `eddsa-rdfc-2022` suite.
//!
//! Documents are handled as plain JSON (ssi's `CompactJsonLd`), not as ssi's VC structs, so one
//! path signs and verifies credentials, presentations and status lists alike, and proof sets
//! and chains (`previousProof`) work. The checks ssi leaves to its caller are done here: the
//! proof purpose, and that the controller document authorizes the verification method for it.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use ssi::{
    claims::{
        SignatureEnvironment, ValidateProof, VerificationParameters,
        data_integrity::{AnySuite, CryptographicSuite, Proof, suites::EdDsaRdfc2022},
    },
    json_ld::iref::IriBuf,
    verification_methods::{
        AnyMethod, GenericVerificationMethod, Multikey, ProofPurpose, ReferenceOrOwned,
        SingleSecretSigner,
    },
};

use super::document::LdDocument;
use crate::{
    Error, Result, context,
    did::{ControllerResolver, Purpose},
    key::{Ed25519Key, public_key_multibase},
};

/// The proof options a signer chooses.
#[derive(Debug, Clone)]
pub struct ProofOptions {
    /// `created` (also makes signing deterministic for tests and vectors).
    pub created: DateTime<Utc>,
    /// `assertionMethod` for credentials, `authentication` for presentations.
    pub purpose: Purpose,
    /// Presentation challenge (nonce).
    pub challenge: Option<String>,
    /// Presentation domains.
    pub domains: Vec<String>,
}

impl ProofOptions {
    /// Options for issuing a credential at `created`.
    pub fn assertion(created: DateTime<Utc>) -> Self {
        Self { created, purpose: Purpose::AssertionMethod, challenge: None, domains: Vec::new() }
    }
}

/// Signs `doc` (without its `proof`) with `eddsa-rdfc-2022` and returns the new proof object.
pub async fn sign(doc: &Value, key: &Ed25519Key, options: &ProofOptions) -> Result<Value> {
    let unsecured = ld_document(&without_proof(doc))?;
    let vm = iri(key.verification_method())?;
    let mut opts = ssi::claims::data_integrity::ProofOptions::from_method(
        ReferenceOrOwned::Reference(vm.clone()),
    );
    opts.created = Some(
        options
            .created
            .to_rfc3339_opts(SecondsFormat::Secs, true)
            .parse()
            .map_err(|_| Error::Signing { reason: "bad created time".into() })?,
    );
    opts.proof_purpose = ssi_purpose(options.purpose);
    opts.challenge.clone_from(&options.challenge);
    opts.domains.clone_from(&options.domains);
    let mut methods = HashMap::new();
    methods.insert(vm, signing_method(key)?);
    let env = SignatureEnvironment { json_ld_loader: context::loader().clone(), eip712_loader: () };
    let signer = SingleSecretSigner::new(key.to_jwk());
    let signed = EdDsaRdfc2022
        .sign_with(env, unsecured, &methods, &signer, opts, ())
        .await
        .map_err(|e| signing_error(&e.to_string()))?;
    let proof = signed
        .proofs
        .first()
        .ok_or_else(|| Error::Signing { reason: "no proof produced".into() })?;
    serde_json::to_value(proof).map_err(|e| Error::Signing { reason: e.to_string() })
}

/// `doc` with `proof` appended to its proof set (always emitted as an array).
pub fn attach(doc: &Value, proof: Value) -> Value {
    let mut out = doc.clone();
    if let Some(obj) = out.as_object_mut() {
        let mut proofs = match obj.remove("proof") {
            Some(Value::Array(items)) => items,
            Some(one) => vec![one],
            None => Vec::new(),
        };
        proofs.push(proof);
        obj.insert("proof".into(), Value::Array(proofs));
    }
    out
}

/// The outcome of checking one proof of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct ProofOutcome {
    /// `DataIntegrityProof/eddsa-rdfc-2022`, `Ed25519Signature2020`, …
    pub suite: String,
    /// The verification method the proof names.
    pub verification_method: Option<String>,
    /// `Ok` when valid; `Err(reason)` when checked and invalid.
    pub verdict: std::result::Result<(), String>,
    /// The proof object (challenge/domain are read from it by presentation checks).
    pub proof: Value,
}

impl ProofOutcome {
    /// Whether this proof verified.
    pub fn is_valid(&self) -> bool {
        self.verdict.is_ok()
    }
}

/// Checks every embedded proof of `doc` for `purpose`. Errors mean "could not check" (an
/// unknown context, an unresolvable key); invalid proofs are outcomes.
pub async fn verify(
    doc: &Value,
    purpose: Purpose,
    resolver: &impl ControllerResolver,
) -> Result<Vec<ProofOutcome>> {
    let proofs = proofs_of(doc);
    let mut outcomes = Vec::with_capacity(proofs.len());
    for proof in &proofs {
        outcomes.push(verify_one(doc, proof, &proofs, purpose, resolver).await?);
    }
    Ok(outcomes)
}

/// The proof objects of a document (a single proof object counts as a set of one).
pub fn proofs_of(doc: &Value) -> Vec<Value> {
    match doc.get("proof") {
        Some(Value::Array(items)) => items.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// Suites this module verifies, by `type` and `cryptosuite`.
fn suite_name(proof: &Value) -> Option<String> {
    let ty = proof.get("type")?.as_str()?;
    match (ty, proof.get("cryptosuite").and_then(Value::as_str)) {
        ("DataIntegrityProof", Some(cs @ ("eddsa-rdfc-2022" | "eddsa-2022"))) => {
            Some(format!("DataIntegrityProof/{cs}"))
        }
        ("Ed25519Signature2020", None) => Some(ty.to_owned()),
        _ => None,
    }
}

async fn verify_one(
    doc: &Value,
    proof: &Value,
    all: &[Value],
    purpose: Purpose,
    resolver: &impl ControllerResolver,
) -> Result<ProofOutcome> {
    let vm = proof.get("verificationMethod").and_then(Value::as_str).map(str::to_owned);
    let mut outcome = ProofOutcome {
        suite: describe(proof),
        verification_method: vm.clone(),
        verdict: Ok(()),
        proof: proof.clone(),
    };
    let Some(_) = suite_name(proof) else {
        outcome.verdict = Err(format!("unsupported proof type {}", outcome.suite));
        return Ok(outcome);
    };
    let declared = proof.get("proofPurpose").and_then(Value::as_str).unwrap_or_default();
    if declared != purpose.as_str() {
        outcome.verdict =
            Err(format!("proof purpose is {declared:?}, expected {}", purpose.as_str()));
        return Ok(outcome);
    }
    let Some(vm) = vm else {
        outcome.verdict = Err("proof names no verificationMethod".into());
        return Ok(outcome);
    };
    let method = match resolve_method(&vm, purpose, resolver, &outcome.suite).await? {
        Ok(m) => m,
        Err(reason) => {
            outcome.verdict = Err(reason);
            return Ok(outcome);
        }
    };
    outcome.verdict = check_signature(doc, proof, all, &vm, method).await?;
    Ok(outcome)
}

/// A did:key used without a fragment (as some issuers do) means its one key.
fn bare_did_key_method(vm: &str) -> String {
    match vm.strip_prefix("did:key:") {
        Some(key) if !vm.contains('#') => format!("{vm}#{key}"),
        _ => vm.to_owned(),
    }
}

fn describe(proof: &Value) -> String {
    let ty = proof.get("type").and_then(Value::as_str).unwrap_or("(no type)");
    match proof.get("cryptosuite").and_then(Value::as_str) {
        Some(cs) => format!("{ty}/{cs}"),
        None => ty.to_owned(),
    }
}

/// Finds the verification method through its controller document and checks that the document
/// authorizes it for `purpose`. The inner `Err` is an invalid-proof reason.
async fn resolve_method(
    vm: &str,
    purpose: Purpose,
    resolver: &impl ControllerResolver,
    suite: &str,
) -> Result<std::result::Result<AnyMethod, String>> {
    let controller = vm.split('#').next().unwrap_or(vm);
    let Some(doc) = resolver.resolve_controller(controller).await? else {
        return Err(Error::Resolution {
            id: controller.to_owned(),
            reason: "no controller document known".into(),
        });
    };
    let vm = &bare_did_key_method(vm);
    let Some(mut method) = doc.method(vm) else {
        return Ok(Err(format!("{controller} has no verification method {vm}")));
    };
    if !doc.allows(vm, purpose) {
        return Ok(Err(format!("{controller} does not authorize {vm} for {}", purpose.as_str())));
    }
    // Ed25519Signature2020 names its key type differently; the key encoding is the same.
    if suite == "Ed25519Signature2020" && method["type"] == "Multikey" {
        method["type"] = Value::from("Ed25519VerificationKey2020");
    }
    let generic: GenericVerificationMethod = serde_json::from_value(method)
        .map_err(|e| Error::Resolution { id: vm.to_owned(), reason: e.to_string() })?;
    Ok(AnyMethod::try_from(generic).map_err(|e| format!("unusable verification method: {e}")))
}

async fn check_signature(
    doc: &Value,
    proof: &Value,
    all: &[Value],
    vm: &str,
    method: AnyMethod,
) -> Result<std::result::Result<(), String>> {
    let parsed: Proof<AnySuite> = match serde_json::from_value(proof.clone()) {
        Ok(p) => p,
        Err(e) => return Ok(Err(format!("malformed proof: {e}"))),
    };
    let claims = ld_document(&chain_input(doc, proof, all))?;
    let mut methods = HashMap::new();
    methods.insert(iri(vm)?, method);
    let params = VerificationParameters::from_resolver(&methods)
        .with_json_ld_loader(context::loader().clone());
    match parsed.validate_proof(&params, &claims).await {
        Ok(Ok(())) => Ok(Ok(())),
        Ok(Err(invalid)) => Ok(Err(invalid.to_string())),
        Err(e) => could_not_check(&e.to_string()),
    }
}

/// The document a proof was made over: without proofs, or, for a chained proof, with the
/// proofs its `previousProof` names (Data Integrity §4.4).
fn chain_input(doc: &Value, proof: &Value, all: &[Value]) -> Value {
    let previous: Vec<&str> = match proof.get("previousProof") {
        Some(Value::String(id)) => vec![id.as_str()],
        Some(Value::Array(ids)) => ids.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut out = without_proof(doc);
    if !previous.is_empty() {
        let matching: Vec<Value> = all
            .iter()
            .filter(|p| {
                p.get("id").and_then(Value::as_str).is_some_and(|id| previous.contains(&id))
            })
            .cloned()
            .collect();
        if let Some(obj) = out.as_object_mut() {
            obj.insert("proof".into(), Value::Array(matching));
        }
    }
    out
}

/// Sorts ssi's "could not check" errors: an unknown context is our typed error; a JSON-LD
/// expansion failure (undefined term, bad @type) means the document is malformed, which for a
/// verifier is an invalid proof, not an outage.
fn could_not_check(message: &str) -> Result<std::result::Result<(), String>> {
    if let Some(url) = unknown_context_in(message) {
        return Err(Error::UnknownContext { url });
    }
    Ok(Err(message.to_owned()))
}

fn signing_error(message: &str) -> Error {
    match unknown_context_in(message) {
        Some(url) => Error::UnknownContext { url },
        None => Error::Signing { reason: message.to_owned() },
    }
}

fn unknown_context_in(message: &str) -> Option<String> {
    if !message.contains("Unknown context") {
        return None;
    }
    let start = message.find("loading document `")? + "loading document `".len();
    let end = message[start..].find('`')? + start;
    Some(message[start..end].to_owned())
}

fn ssi_purpose(purpose: Purpose) -> ProofPurpose {
    match purpose {
        Purpose::AssertionMethod => ProofPurpose::Assertion,
        Purpose::Authentication => ProofPurpose::Authentication,
    }
}

fn signing_method(key: &Ed25519Key) -> Result<Multikey> {
    serde_json::from_value(serde_json::json!({
        "id": key.verification_method(),
        "type": "Multikey",
        "controller": key.controller(),
        "publicKeyMultibase": public_key_multibase(&key.public_key()),
    }))
    .map_err(|e| Error::key(e.to_string()))
}

fn iri(s: &str) -> Result<IriBuf> {
    IriBuf::new(s.to_owned()).map_err(|_| Error::malformed(format!("{s:?} is not an IRI")))
}

/// `doc` without its `proof` member.
pub(crate) fn without_proof(doc: &Value) -> Value {
    let mut out = doc.clone();
    if let Some(obj) = out.as_object_mut() {
        obj.remove("proof");
    }
    out
}

fn ld_document(v: &Value) -> Result<LdDocument> {
    let value = serde_json::from_value(v.clone()).map_err(|e| Error::malformed(e.to_string()))?;
    Ok(LdDocument::new(value, crate::model::types_of(v)))
}
