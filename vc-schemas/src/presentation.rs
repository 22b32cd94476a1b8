//! Verifiable presentations (VCDM 2.0): the holder wraps credentials and proves control with an
//! `authentication` proof bound to a verifier's `challenge` and `domain`.

use serde_json::{Value, json};

use crate::{
    Result, context,
    did::Purpose,
    proof::data_integrity::{self, ProofOptions},
    signer::Signer,
};

/// What the holder binds the presentation to.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The verifier's nonce.
    pub challenge: Option<String>,
    /// The verifier's domain(s).
    pub domains: Vec<String>,
    /// Proof creation time.
    pub created: chrono::DateTime<chrono::Utc>,
}

/// An unsigned presentation of `credentials` (signed credentials as JSON, or VC-JWT strings,
/// which are wrapped as `EnvelopedVerifiableCredential`s) by `holder`.
pub fn build(id: Option<&str>, holder: &str, credentials: &[Value]) -> Value {
    let vcs: Vec<Value> = credentials
        .iter()
        .map(|c| match c {
            Value::String(jwt) => json!({
                "@context": [context::CREDENTIALS_V2],
                "id": format!("data:application/vc+jwt,{jwt}"),
                "type": "EnvelopedVerifiableCredential",
            }),
            other => other.clone(),
        })
        .collect();
    let mut vp = json!({
        "@context": [context::CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": vcs,
    });
    if let (Some(id), Some(obj)) = (id, vp.as_object_mut()) {
        obj.insert("id".into(), Value::from(id));
    }
    vp
}

/// Signs a presentation with the holder's key for `authentication`.
pub async fn sign<S: Signer + ?Sized>(vp: &Value, key: &S, binding: &Binding) -> Result<Value> {
    let options = ProofOptions {
        created: binding.created,
        purpose: Purpose::Authentication,
        challenge: binding.challenge.clone(),
        domains: binding.domains.clone(),
    };
    let proof = data_integrity::sign(vp, key, &options).await?;
    Ok(data_integrity::attach(vp, proof))
}
