//! DIDs and controller documents: `did:key` (Ed25519) and `did:jwk` resolve offline; any other
//! controller (did:web, an https issuer URL) comes from a [`ControllerResolver`] the caller
//! supplies, so the node can add did:web with its own cache and fetch policy.

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, Mutex},
};

use did_jwk::DIDJWK;
use serde_json::{Value, json};
use ssi_dids_core::{DID, DIDResolver};

use crate::{
    Error, Result,
    key::{decode_public_key_multibase, public_key_multibase},
    proof::jose::PublicJwk,
};

/// A controller document (DID document or VC-DI controller document), as JSON; cheap to clone,
/// so resolvers can cache them.
#[derive(Debug, Clone, PartialEq)]
pub struct ControllerDocument(Arc<Value>);

/// What a verification method may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Issuing credentials.
    AssertionMethod,
    /// Proving control (presentations).
    Authentication,
}

impl Purpose {
    /// The JSON name (`assertionMethod`, `authentication`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AssertionMethod => "assertionMethod",
            Self::Authentication => "authentication",
        }
    }
}

impl ControllerDocument {
    /// Wraps a controller document.
    pub fn new(doc: Value) -> Self {
        Self(Arc::new(doc))
    }

    /// The document as JSON.
    pub fn json(&self) -> &Value {
        &self.0
    }

    /// The document's `id`.
    pub fn id(&self) -> Option<&str> {
        self.0.get("id").and_then(Value::as_str)
    }

    fn absolute(&self, reference: &str) -> String {
        match (reference.strip_prefix('#'), self.id()) {
            (Some(_), Some(id)) => format!("{id}{reference}"),
            _ => reference.to_owned(),
        }
    }

    /// The verification method object with id `vm` (relative `#frag` ids are resolved), with its
    /// `controller` filled in when the document leaves it implicit.
    pub fn method(&self, vm: &str) -> Option<Value> {
        let candidates = self.0.get("verificationMethod").and_then(Value::as_array);
        let embedded = ["assertionMethod", "authentication"]
            .iter()
            .filter_map(|rel| self.0.get(*rel).and_then(Value::as_array))
            .flatten()
            .filter(|v| v.is_object());
        let mut found = candidates
            .into_iter()
            .flatten()
            .chain(embedded)
            .find(|m| {
                m.get("id").and_then(Value::as_str).is_some_and(|id| self.absolute(id) == vm)
            })?
            .clone();
        if let Some(obj) = found.as_object_mut() {
            obj.insert("id".into(), Value::String(vm.to_owned()));
            if !obj.contains_key("controller")
                && let Some(id) = self.id()
            {
                obj.insert("controller".into(), Value::String(id.to_owned()));
            }
        }
        Some(found)
    }

    /// Whether the document authorizes `vm` for `purpose`.
    pub fn allows(&self, vm: &str, purpose: Purpose) -> bool {
        self.0
            .get(purpose.as_str())
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().or_else(|| r.get("id").and_then(Value::as_str)))
            .any(|r| self.absolute(r) == vm)
    }
}

/// Source of controller documents for ids this crate cannot resolve by itself.
pub trait ControllerResolver {
    /// The controller document for `id` (a DID or an https URL), `Ok(None)` when unknown.
    #[allow(async_fn_in_trait)] // used single-threaded inside one verification
    async fn resolve_controller(&self, id: &str) -> Result<Option<ControllerDocument>>;

    /// A public key the verifier itself vouches for (`badgemesh verify --jwk`). When there is
    /// one, a VC-JWT's signature is checked against it instead of any key the token names: a
    /// token that names no key (no `kid`, no `jwk`) can be checked only this way, and a key the
    /// verifier chose must not be overridden by one the token chose. Data Integrity proofs never
    /// use it. None by default.
    fn verifier_key(&self) -> Option<&PublicJwk> {
        None
    }
}

/// Resolves did:key and did:jwk offline and serves pinned documents for everything else.
/// Never touches the network.
#[derive(Debug, Clone, Default)]
pub struct OfflineResolver {
    pinned: HashMap<String, ControllerDocument>,
    /// See [`ControllerResolver::verifier_key`].
    verifier_key: Option<PublicJwk>,
}

impl OfflineResolver {
    /// Pins `doc` as the controller document of `id` (a did:web the node fetched, an issuer URL a
    /// verifier trusts).
    pub fn pin(&mut self, id: impl Into<String>, doc: ControllerDocument) {
        self.pinned.insert(id.into(), doc);
    }

    /// Checks VC-JWT signatures against `key`, whatever key the tokens name (see
    /// [`ControllerResolver::verifier_key`]).
    pub fn trust_key(&mut self, key: PublicJwk) {
        self.verifier_key = Some(key);
    }
}

impl ControllerResolver for OfflineResolver {
    fn verifier_key(&self) -> Option<&PublicJwk> {
        self.verifier_key.as_ref()
    }

    async fn resolve_controller(&self, id: &str) -> Result<Option<ControllerDocument>> {
        if let Some(doc) = self.pinned.get(id) {
            return Ok(Some(doc.clone()));
        }
        if id.starts_with("did:key:") {
            return did_key_document(id).map(Some);
        }
        if id.starts_with("did:jwk:") {
            return did_jwk_document(id).await.map(Some);
        }
        Ok(None)
    }
}

/// The DID document of an Ed25519 `did:key`, with a Multikey verification method. Documents
/// are memoized (bounded): the function is pure and verifiers meet the same issuers repeatedly.
pub fn did_key_document(did: &str) -> Result<ControllerDocument> {
    const MAX_CACHED: usize = 4096;
    static CACHE: LazyLock<Mutex<HashMap<String, ControllerDocument>>> =
        LazyLock::new(Mutex::default);
    if let Some(doc) = CACHE.lock().ok().and_then(|c| c.get(did).cloned()) {
        return Ok(doc);
    }
    let doc = build_did_key_document(did)?;
    if let Ok(mut cache) = CACHE.lock() {
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(did.to_owned(), doc.clone());
    }
    Ok(doc)
}

fn build_did_key_document(did: &str) -> Result<ControllerDocument> {
    let multibase = did
        .strip_prefix("did:key:")
        .ok_or_else(|| Error::Resolution { id: did.to_owned(), reason: "not a did:key".into() })?;
    let key = decode_public_key_multibase(multibase)
        .map_err(|e| Error::Resolution { id: did.to_owned(), reason: e.to_string() })?;
    let vm = format!("{did}#{multibase}");
    Ok(ControllerDocument::new(json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{
            "id": vm,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_key_multibase(&key),
        }],
        "authentication": [vm],
        "assertionMethod": [vm],
        "capabilityInvocation": [vm],
        "capabilityDelegation": [vm],
    })))
}

async fn did_jwk_document(did: &str) -> Result<ControllerDocument> {
    let resolution = |reason: String| Error::Resolution { id: did.to_owned(), reason };
    let parsed = DID::new(did).map_err(|e| resolution(e.to_string()))?;
    let output = DIDJWK.resolve(parsed).await.map_err(|e| resolution(e.to_string()))?;
    let doc =
        serde_json::to_value(output.document.document()).map_err(|e| resolution(e.to_string()))?;
    Ok(ControllerDocument::new(doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_key_document_authorizes_its_key() {
        let did = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        let doc = did_key_document(did).unwrap();
        let vm = format!("{did}#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2");
        assert!(doc.allows(&vm, Purpose::AssertionMethod));
        assert!(doc.method(&vm).is_some());
        assert!(did_key_document("did:key:zBAD").is_err());
    }

    #[test]
    fn relative_ids_resolve() {
        let doc = ControllerDocument::new(json!({
            "id": "https://example.com/issuers/1",
            "verificationMethod": [{"id": "#k1", "type": "Multikey", "publicKeyMultibase": "z6Mk"}],
            "assertionMethod": ["#k1"]
        }));
        let m = doc.method("https://example.com/issuers/1#k1").unwrap();
        assert_eq!(m["controller"], "https://example.com/issuers/1");
        assert!(doc.allows("https://example.com/issuers/1#k1", Purpose::AssertionMethod));
        assert!(!doc.allows("https://example.com/issuers/1#k1", Purpose::Authentication));
    }
}
