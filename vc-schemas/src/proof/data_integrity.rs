//! Data Integrity proofs over JSON-LD documents: create, attach, verify.
//!
//! Documents are plain JSON, so one path serves credentials, presentations and status lists,
//! and proof sets and chains (`previousProof`) work. `eddsa-rdfc-2022` (and its legacy name
//! `eddsa-2022`) run on Badgemesh's own suite ([`super::eddsa_rdfc`]); `Ed25519Signature2020`
//! is verified by ssi ([`super::ssi_suite`]). The checks ssi leaves to its caller are made here:
//! the proof purpose, and that the controller document authorizes the key for that purpose.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

use super::{eddsa_jcs, eddsa_rdfc, ssi_suite};
use crate::{
    Error, Result,
    did::{ControllerResolver, Purpose},
    key::method_public_key,
    signer::Signer,
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

    /// `created` as an XML Schema dateTimeStamp, to the second.
    pub fn created_text(&self) -> String {
        self.created.to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// The proof object before signing, members in the order ssi and the W3C vectors use.
    fn to_json<S: Signer + ?Sized>(&self, key: &S) -> Map<String, Value> {
        let mut p = Map::new();
        p.insert("type".into(), Value::from("DataIntegrityProof"));
        p.insert("cryptosuite".into(), Value::from(eddsa_rdfc::CRYPTOSUITE));
        p.insert("created".into(), Value::from(self.created_text()));
        p.insert("verificationMethod".into(), Value::from(key.verification_method()));
        p.insert("proofPurpose".into(), Value::from(self.purpose.as_str()));
        match self.domains.as_slice() {
            [] => {}
            [one] => {
                p.insert("domain".into(), Value::from(one.as_str()));
            }
            many => {
                p.insert("domain".into(), Value::from(many.to_vec()));
            }
        }
        if let Some(challenge) = &self.challenge {
            p.insert("challenge".into(), Value::from(challenge.as_str()));
        }
        p
    }
}

/// Signs `doc` (any existing proofs are ignored: this adds a proof to a set) with
/// `eddsa-rdfc-2022`, and returns the new proof object.
pub async fn sign<S: Signer + ?Sized>(
    doc: &Value,
    key: &S,
    options: &ProofOptions,
) -> Result<Value> {
    eddsa_rdfc::create(&without_proof(doc), options.to_json(key), key).await
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

/// The suites this module verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Suite {
    /// `DataIntegrityProof` with `eddsa-rdfc-2022` or `eddsa-2022`.
    EddsaRdfc,
    /// `DataIntegrityProof` with `eddsa-jcs-2022`.
    EddsaJcs,
    /// Legacy `Ed25519Signature2020`, through ssi.
    Ed25519Signature2020,
}

fn suite_of(proof: &Value) -> Option<Suite> {
    let ty = proof.get("type")?.as_str()?;
    match (ty, proof.get("cryptosuite").and_then(Value::as_str)) {
        ("DataIntegrityProof", Some("eddsa-rdfc-2022" | "eddsa-2022")) => Some(Suite::EddsaRdfc),
        ("DataIntegrityProof", Some("eddsa-jcs-2022")) => Some(Suite::EddsaJcs),
        ("Ed25519Signature2020", None) => Some(Suite::Ed25519Signature2020),
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
    outcome.verdict = match (suite_of(proof), vm) {
        (None, _) => Err(format!("unsupported proof type {}", outcome.suite)),
        (Some(_), None) => Err("proof names no verificationMethod".into()),
        (Some(suite), Some(vm)) => check(doc, proof, all, purpose, resolver, suite, &vm).await?,
    };
    Ok(outcome)
}

async fn check(
    doc: &Value,
    proof: &Value,
    all: &[Value],
    purpose: Purpose,
    resolver: &impl ControllerResolver,
    suite: Suite,
    vm: &str,
) -> Result<std::result::Result<(), String>> {
    let declared = proof.get("proofPurpose").and_then(Value::as_str).unwrap_or_default();
    if declared != purpose.as_str() {
        return Ok(Err(format!("proof purpose is {declared:?}, expected {}", purpose.as_str())));
    }
    let mut method = match resolve_method(vm, purpose, resolver).await? {
        Ok(m) => m,
        Err(reason) => return Ok(Err(reason)),
    };
    let signed = chain_input(doc, proof, all);
    match suite {
        Suite::EddsaRdfc => match method_public_key(&method) {
            Ok(key) => eddsa_rdfc::verify(&signed, proof, &key).await,
            Err(e) => Ok(Err(format!("{vm}: {e}"))),
        },
        Suite::EddsaJcs => match method_public_key(&method) {
            Ok(key) => eddsa_jcs::verify(&signed, proof, &key),
            Err(e) => Ok(Err(format!("{vm}: {e}"))),
        },
        Suite::Ed25519Signature2020 => {
            // The suite names its key type differently; the key encoding is the same.
            if method["type"] == "Multikey" {
                method["type"] = Value::from("Ed25519VerificationKey2020");
            }
            ssi_suite::verify(&signed, proof, method).await
        }
    }
}

/// Finds the verification method through its controller document and checks that the document
/// authorizes it for `purpose`. The inner `Err` is an invalid-proof reason.
async fn resolve_method(
    vm: &str,
    purpose: Purpose,
    resolver: &impl ControllerResolver,
) -> Result<std::result::Result<Value, String>> {
    let controller = vm.split('#').next().unwrap_or(vm);
    let Some(doc) = resolver.resolve_controller(controller).await? else {
        return Err(Error::Resolution {
            id: controller.to_owned(),
            reason: "no controller document known".into(),
        });
    };
    let vm = &bare_did_key_method(vm);
    let Some(method) = doc.method(vm) else {
        return Ok(Err(format!("{controller} has no verification method {vm}")));
    };
    if !doc.allows(vm, purpose) {
        return Ok(Err(format!("{controller} does not authorize {vm} for {}", purpose.as_str())));
    }
    Ok(Ok(method))
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

/// `doc` without its `proof` member.
pub fn without_proof(doc: &Value) -> Value {
    let mut out = doc.clone();
    if let Some(obj) = out.as_object_mut() {
        obj.remove("proof");
    }
    out
}
