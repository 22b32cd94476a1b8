//! The `eddsa-jcs-2022` cryptosuite (W3C vc-di-eddsa §3.4): the same signature as
//! `eddsa-rdfc-2022` over JSON Canonicalization Scheme (RFC 8785) bytes instead of RDF.
//! Verified for interoperability; Badgemesh signs with `eddsa-rdfc-2022`, which 1EdTech
//! requires.

use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::{Error, Result, key::Ed25519Key};

/// The cryptosuite name.
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";

fn jcs(v: &Value) -> Result<Vec<u8>> {
    serde_jcs::to_vec(v).map_err(|e| Error::malformed(format!("JCS: {e}")))
}

/// SHA-256(JCS(proof configuration)) ‖ SHA-256(JCS(document)); the configuration carries the
/// document's `@context` unless the proof has its own.
fn hash_data(doc: &Value, proof: &Map<String, Value>) -> Result<[u8; 64]> {
    let mut config = proof.clone();
    config.remove("proofValue");
    if !config.contains_key("@context")
        && let Some(ctx) = doc.get("@context")
    {
        config.insert("@context".into(), ctx.clone());
    }
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&Sha256::digest(jcs(&Value::Object(config))?));
    out[32..].copy_from_slice(&Sha256::digest(jcs(doc)?));
    Ok(out)
}

/// Adds `proofValue` to the proof options `proof` by signing `doc` (which has no `proof`).
pub fn create(doc: &Value, mut proof: Map<String, Value>, key: &Ed25519Key) -> Result<Value> {
    let signature = key.sign(&hash_data(doc, &proof)?);
    proof.insert(
        "proofValue".into(),
        Value::from(multibase::encode(multibase::Base::Base58Btc, signature)),
    );
    Ok(Value::Object(proof))
}

/// Checks `proof` over `doc` (the document as it was signed). `Ok(Err)` is an invalid proof.
pub fn verify(
    doc: &Value,
    proof: &Value,
    key: &VerifyingKey,
) -> Result<std::result::Result<(), String>> {
    let Some(proof) = proof.as_object() else { return Ok(Err("proof is not an object".into())) };
    let signature = match proof.get("proofValue").and_then(Value::as_str).map(multibase::decode) {
        Some(Ok((multibase::Base::Base58Btc, bytes))) => match Signature::from_slice(&bytes) {
            Ok(s) => s,
            Err(_) => return Ok(Err("proofValue is not a 64-byte signature".into())),
        },
        _ => return Ok(Err("proofValue is missing or not base58btc multibase".into())),
    };
    let doc = match proof.get("@context") {
        Some(ctx) => {
            if !super::eddsa_rdfc::context_is_prefix(ctx, doc.get("@context")) {
                return Ok(Err("proof @context is not a prefix of the document's".into()));
            }
            let mut d = doc.clone();
            d["@context"] = ctx.clone();
            d
        }
        None => doc.clone(),
    };
    Ok(key
        .verify_strict(&hash_data(&doc, proof)?, &signature)
        .map_err(|_| "invalid signature".to_owned()))
}
