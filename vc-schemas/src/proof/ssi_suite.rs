//! The `ssi` path: its `eddsa-rdfc-2022` signer and its verifier for every suite it knows.
//!
//! Badgemesh signs and verifies `eddsa-rdfc-2022` with [`super::eddsa_rdfc`]; this module is the
//! reference those are tested and benchmarked against, and the verifier for the legacy suites
//! (`Ed25519Signature2020`). Documents are passed as plain JSON.

use std::collections::HashMap;

use serde_json::Value;
use ssi_claims_core::{SignatureEnvironment, ValidateProof, VerificationParameters};
use ssi_data_integrity::{AnySuite, CryptographicSuite, Proof, suites::EdDsaRdfc2022};
use ssi_json_ld::iref::IriBuf;
use ssi_verification_methods::{
    AnyMethod, GenericVerificationMethod, Multikey, ProofPurpose, ReferenceOrOwned,
    SingleSecretSigner,
};

use super::{data_integrity::ProofOptions, document::LdDocument};
use crate::{
    Error, Result, context,
    did::Purpose,
    key::{Ed25519Key, public_key_multibase},
};

/// Signs `doc` (without its proof) with ssi's `EdDsaRdfc2022` suite; returns the proof object.
pub async fn sign(doc: &Value, key: &Ed25519Key, options: &ProofOptions) -> Result<Value> {
    let unsecured = ld_document(doc)?;
    let vm = iri(key.verification_method())?;
    let mut opts =
        ssi_data_integrity::ProofOptions::from_method(ReferenceOrOwned::Reference(vm.clone()));
    opts.created = Some(
        options
            .created_text()
            .parse()
            .map_err(|_| Error::Signing { reason: "bad created time".into() })?,
    );
    opts.proof_purpose = match options.purpose {
        Purpose::AssertionMethod => ProofPurpose::Assertion,
        Purpose::Authentication => ProofPurpose::Authentication,
    };
    opts.challenge.clone_from(&options.challenge);
    opts.domains.clone_from(&options.domains);
    let mut methods = HashMap::new();
    methods.insert(vm, signing_method(key)?);
    let env = SignatureEnvironment { json_ld_loader: context::loader().clone(), eip712_loader: () };
    let signer = SingleSecretSigner::new(key.to_jwk());
    let signed = EdDsaRdfc2022
        .sign_with(env, unsecured, &methods, &signer, opts, ())
        .await
        .map_err(|e| Error::Signing { reason: e.to_string() })?;
    let proof = signed
        .proofs
        .first()
        .ok_or_else(|| Error::Signing { reason: "no proof produced".into() })?;
    serde_json::to_value(proof).map_err(|e| Error::Signing { reason: e.to_string() })
}

/// Verifies `proof` over `doc` (the document as signed: without proofs, or with the previous
/// proofs of a chain) with `method` (the resolved verification method, JSON). `Ok(Err)` is an
/// invalid proof.
pub async fn verify(
    doc: &Value,
    proof: &Value,
    method: Value,
) -> Result<std::result::Result<(), String>> {
    let vm = method.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let generic: GenericVerificationMethod = serde_json::from_value(method)
        .map_err(|e| Error::Resolution { id: vm.clone(), reason: e.to_string() })?;
    let method = match AnyMethod::try_from(generic) {
        Ok(m) => m,
        Err(e) => return Ok(Err(format!("unusable verification method: {e}"))),
    };
    let parsed: Proof<AnySuite> = match serde_json::from_value(proof.clone()) {
        Ok(p) => p,
        Err(e) => return Ok(Err(format!("malformed proof: {e}"))),
    };
    let proof_vm = proof.get("verificationMethod").and_then(Value::as_str).unwrap_or(&vm);
    let mut methods = HashMap::new();
    methods.insert(iri(proof_vm)?, method);
    let params = VerificationParameters::from_resolver(&methods)
        .with_json_ld_loader(context::loader().clone());
    match parsed.validate_proof(&params, &ld_document(doc)?).await {
        Ok(Ok(())) => Ok(Ok(())),
        Ok(Err(invalid)) => Ok(Err(invalid.to_string())),
        Err(e) => match crate::canon::expansion_error(&e.to_string()) {
            unknown @ Error::UnknownContext { .. } => Err(unknown),
            _ => Ok(Err(e.to_string())),
        },
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

fn ld_document(v: &Value) -> Result<LdDocument> {
    let value = serde_json::from_value(v.clone()).map_err(|e| Error::malformed(e.to_string()))?;
    Ok(LdDocument::new(value, crate::model::types_of(v)))
}
