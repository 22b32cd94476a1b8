//! The `eddsa-rdfc-2022` cryptosuite (W3C vc-di-eddsa §3.3), on [`crate::canon`].
//!
//! hashData = SHA-256(canonical proof configuration) ‖ SHA-256(canonical document); the
//! signature is Ed25519 over those 64 bytes; `proofValue` is base58btc multibase. The legacy
//! name `eddsa-2022` (the same algorithm) is verified too.

use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::{
    Error, Result,
    canon::Canonicalizer,
    signer::{Algorithm, Signer},
};

/// The cryptosuite name Badgemesh signs with.
pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";

/// The proof configuration (proof options without `proofValue`) with the `@context` it is
/// canonicalized under: the proof's own, else the document's (vc-di-eddsa §3.3.5).
fn configuration(doc: &Value, proof: &Map<String, Value>) -> Value {
    let mut config = proof.clone();
    config.remove("proofValue");
    if !config.contains_key("@context")
        && let Some(ctx) = doc.get("@context")
    {
        config.insert("@context".into(), ctx.clone());
    }
    Value::Object(config)
}

/// The 64 bytes that are signed.
pub async fn hash_data(doc: &Value, proof: &Map<String, Value>) -> Result<[u8; 64]> {
    let canon = Canonicalizer::global();
    let config = canon.nquads(&configuration(doc, proof)).await?;
    let document = canon.nquads(doc).await?;
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&Sha256::digest(config.concat().as_bytes()));
    out[32..].copy_from_slice(&Sha256::digest(document.concat().as_bytes()));
    Ok(out)
}

/// Adds `proofValue` to the proof options `proof` by signing `doc` (which has no `proof`).
pub async fn create<S: Signer + ?Sized>(
    doc: &Value,
    mut proof: Map<String, Value>,
    key: &S,
) -> Result<Value> {
    if key.algorithm() != Algorithm::Ed25519 {
        return Err(Error::Signing { reason: format!("{CRYPTOSUITE} needs an Ed25519 key") });
    }
    let data = hash_data(doc, &proof).await?;
    let signature = key.sign(&data)?;
    proof.insert(
        "proofValue".into(),
        Value::from(multibase::encode(multibase::Base::Base58Btc, signature)),
    );
    Ok(Value::Object(proof))
}

/// Checks `proof` over `doc` (the document as it was signed) with `key`. `Ok(Err)` is an invalid
/// proof; `Err` means it could not be checked (unknown context).
pub async fn verify(
    doc: &Value,
    proof: &Value,
    key: &VerifyingKey,
) -> Result<std::result::Result<(), String>> {
    let Some(proof) = proof.as_object() else { return Ok(Err("proof is not an object".into())) };
    let Some(value) = proof.get("proofValue").and_then(Value::as_str) else {
        return Ok(Err("proof has no proofValue".into()));
    };
    let signature = match multibase::decode(value) {
        Ok((multibase::Base::Base58Btc, bytes)) => match Signature::from_slice(&bytes) {
            Ok(s) => s,
            Err(_) => return Ok(Err("proofValue is not a 64-byte signature".into())),
        },
        _ => return Ok(Err("proofValue is not base58btc multibase".into())),
    };
    // vc-di-eddsa §3.3.2: a proof with its own @context was made over the document under that
    // context, which must be a prefix of the document's.
    let replaced;
    let doc = match proof.get("@context") {
        Some(ctx) if !context_is_prefix(ctx, doc.get("@context")) => {
            return Ok(Err("proof @context is not a prefix of the document's".into()));
        }
        Some(ctx) => {
            let mut d = doc.clone();
            d["@context"] = ctx.clone();
            replaced = d;
            &replaced
        }
        None => doc,
    };
    let data = match hash_data(doc, proof).await {
        Ok(d) => d,
        Err(e @ Error::UnknownContext { .. }) => return Err(e),
        Err(e) => return Ok(Err(e.to_string())),
    };
    Ok(key.verify_strict(&data, &signature).map_err(|_| "invalid signature".to_owned()))
}

pub(crate) fn context_is_prefix(proof_ctx: &Value, doc_ctx: Option<&Value>) -> bool {
    let as_list = |v: &Value| match v {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    let (p, d) = (as_list(proof_ctx), doc_ctx.map(as_list).unwrap_or_default());
    d.len() >= p.len() && d[..p.len()] == p[..]
}
