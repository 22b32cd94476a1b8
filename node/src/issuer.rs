//! The issuer: profile, achievements, awards, status changes and claim links, over the store.
//!
//! [`Issuer`] is a cheap handle the HTTP layer and the CLI share; its operations live with the
//! resource they act on ([`profile`], [`achievement`], [`award`], [`bulk`], [`credentials`]),
//! each module holding the operator's input, the pure building of the OB 3.0 object and the
//! `impl Issuer` block that orders the steps: an award is signed outside the store's writer
//! (signing runs on every core) and recorded, with its status index, claim link and mail, in
//! one durable transaction.

pub mod achievement;
pub mod announce;
pub mod award;
pub mod bulk;
pub mod credentials;
pub mod direct;
pub mod fields;
pub mod images;
pub mod lists;
pub mod profile;

use std::sync::Arc;

use chrono::Utc;
use serde_json::Value;
use vc_schemas::{
    issue::{self, Format},
    key::Ed25519Key,
};

pub use award::Awarded;
pub use bulk::{BulkAwarded, BulkReport};
pub use images::{MAX_IMAGE_SIDE, image_type};

use crate::{Result, cpu::CpuPool, mail::Mailer, store::Store};

/// The issuer service.
#[derive(Debug, Clone)]
pub struct Issuer {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    key: Arc<Ed25519Key>,
    base: String,
    mailer: Option<Mailer>,
    cpu: CpuPool,
}

/// Jobs that may wait for a CPU worker beyond those running (signing for bulk runs, verifying for
/// anyone): past it, open routes answer 503.
const CPU_QUEUE: usize = 256;

impl Issuer {
    /// An issuer over `store`, signing with `key`, publishing URLs under `base`.
    pub fn new(store: Store, key: Arc<Ed25519Key>, base: String, mailer: Option<Mailer>) -> Self {
        Self::with_cpu(store, key, base, mailer, CpuPool::for_this_machine(CPU_QUEUE))
    }

    /// The same, with CPU-heavy work on `cpu`.
    pub fn with_cpu(
        store: Store,
        key: Arc<Ed25519Key>,
        base: String,
        mailer: Option<Mailer>,
        cpu: CpuPool,
    ) -> Self {
        Self { inner: Arc::new(Inner { store, key, base, mailer, cpu }) }
    }

    /// The pool CPU-heavy work runs on.
    pub fn cpu(&self) -> &CpuPool {
        &self.inner.cpu
    }

    /// Signs `doc` as it is (Data Integrity) on the CPU pool, waiting for a worker.
    pub(crate) async fn sign_on_pool(
        &self,
        doc: Value,
        now: chrono::DateTime<Utc>,
    ) -> Result<Value> {
        let key = self.inner.key.clone();
        let job = async move { issue::sign(&doc, &*key, Format::DataIntegrity, now).await };
        Ok(self.inner.cpu.compute(job).await??)
    }

    /// Signs a presentation as its holder (this node's DID, for `authentication`) on the CPU
    /// pool, waiting for a worker. The key stays here: the wallet hands in the unsigned
    /// presentation and gets the signed one back.
    pub async fn sign_presentation(
        &self,
        vp: Value,
        binding: vc_schemas::presentation::Binding,
    ) -> Result<Value> {
        let key = self.inner.key.clone();
        let job = async move { vc_schemas::presentation::sign(&vp, &*key, &binding).await };
        Ok(self.inner.cpu.compute(job).await??)
    }

    /// The same credential secured as a VC-JWT instead of its Data Integrity proof (for a
    /// wallet that asks for `jwt_vc_json`), signed on the CPU pool.
    pub async fn as_jwt(&self, mut credential: Value) -> Result<String> {
        if let Some(obj) = credential.as_object_mut() {
            obj.remove("proof");
        }
        let key = self.inner.key.clone();
        Ok(self.inner.cpu.run(move || vc_schemas::proof::jwt::sign(&credential, &*key)).await??)
    }

    /// A proof of possession of this node's key for an OpenID4VCI issuer (`aud`) and its
    /// `nonce`: the holder's side of a claim.
    pub async fn sign_proof_of_possession(&self, aud: String, nonce: String) -> Result<String> {
        let key = self.inner.key.clone();
        let claims =
            serde_json::json!({"aud": aud, "iat": chrono::Utc::now().timestamp(), "nonce": nonce});
        let job = move || {
            vc_schemas::proof::jwt::sign_claims(crate::exchange::oid4vci::PROOF_TYP, &claims, &*key)
        };
        Ok(self.inner.cpu.run(job).await??)
    }

    /// Signs a presentation as a compact VP-JWT (its `nonce` the challenge, its `aud` the
    /// domains) on the CPU pool.
    pub async fn sign_presentation_jwt(
        &self,
        vp: Value,
        binding: vc_schemas::presentation::Binding,
    ) -> Result<String> {
        let key = self.inner.key.clone();
        let job = move || {
            vc_schemas::proof::jwt::sign_presentation(
                &vp,
                &*key,
                binding.challenge.as_deref(),
                &binding.domains,
                binding.created,
            )
        };
        Ok(self.inner.cpu.run(job).await??)
    }

    /// Prepares `unsigned` (fills, schema check) and signs it on the CPU pool, waiting for a
    /// worker: returns the prepared and the signed document.
    pub(crate) async fn prepare_and_sign(
        &self,
        unsigned: Value,
        id: String,
        now: chrono::DateTime<Utc>,
        format: Format,
        any_vcdm: bool,
    ) -> Result<(Value, Value)> {
        let (key, did) = (self.inner.key.clone(), self.did().to_owned());
        let job = async move {
            let prepared = if any_vcdm {
                issue::prepare_any(&unsigned, &did, &id, now)?
            } else {
                issue::prepare(&unsigned, &did, &id, now)?
            };
            let signed = issue::sign(&prepared, &key, format, now).await?;
            Ok::<_, vc_schemas::Error>((prepared, signed))
        };
        Ok(self.inner.cpu.compute(job).await??)
    }

    /// The node key's seed, for the wallet's encrypted backup only: the one place the secret
    /// leaves this type, sealed with the owner's passphrase before it leaves the process.
    pub(crate) fn holder_seed(&self) -> [u8; 32] {
        self.inner.key.to_secret_bytes()
    }

    /// The node's DID.
    pub fn did(&self) -> &str {
        self.inner.key.controller()
    }

    /// The public base URL.
    pub fn base(&self) -> &str {
        &self.inner.base
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// URL of the status list `name`.
    pub fn list_url(&self, name: &str) -> String {
        format!("{}/status/{name}", self.inner.base)
    }

    /// URL of a claim link.
    pub fn claim_url(&self, token: &str) -> String {
        format!("{}/claim/{token}", self.inner.base)
    }
}
