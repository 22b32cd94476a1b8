//! Reading what an earner brings in: credential files as people have them (JSON, a VC-JWT,
//! a baked PNG or SVG, a presentation or a list of credentials), told apart by content.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};
use vc_schemas::{bake, model::types_of, proof::jwt::looks_like_jwt};

use crate::{
    Error, Result,
    item::{Item, Origin, State, document, id_of},
};

/// Largest file read (a baked PNG of a credential with its image fits many times over).
pub const MAX_FILE_BYTES: usize = 2 << 20;

/// Most credentials one file may hold (a presentation or a JSON array).
pub const MAX_PER_FILE: usize = 100;

/// The credentials in one file: each a JSON object or a VC-JWT string. A file that is none of
/// the known shapes, an image with no credential or with two, and a JSON document that is not a
/// credential are errors saying which.
pub fn credentials(bytes: &[u8]) -> Result<Vec<Value>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Error::Invalid(format!(
            "the file is {} bytes; the limit is {MAX_FILE_BYTES}",
            bytes.len()
        )));
    }
    let text = match bake::unbake(bytes) {
        Ok(Some(baked)) => baked,
        Ok(None) => String::from_utf8(bytes.to_vec())
            .map_err(|_| Error::Invalid("neither text nor a PNG or SVG badge".into()))?,
        Err(e) => return Err(Error::Invalid(e.to_string())),
    };
    let text = text.trim().trim_start_matches('\u{feff}');
    if looks_like_jwt(text) {
        return Ok(vec![Value::String(text.to_owned())]);
    }
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| Error::Invalid(format!("not JSON, a VC-JWT or a badge image: {e}")))?;
    let found = match doc {
        Value::Array(items) => items,
        doc if types_of(&doc).iter().any(|t| t == "VerifiablePresentation") => {
            match doc.get("verifiableCredential") {
                Some(Value::Array(items)) => items.clone(),
                Some(one) => vec![one.clone()],
                None => Vec::new(),
            }
        }
        doc => vec![doc],
    };
    if found.is_empty() {
        return Err(Error::Invalid("the file holds no credential".into()));
    }
    if found.len() > MAX_PER_FILE {
        return Err(Error::Invalid(format!(
            "the file holds {} credentials; the limit is {MAX_PER_FILE}",
            found.len()
        )));
    }
    found.into_iter().map(unwrap_envelope).collect()
}

/// A credential as held: an `EnvelopedVerifiableCredential` becomes its VC-JWT, and anything
/// that is not a credential is refused.
fn unwrap_envelope(doc: Value) -> Result<Value> {
    if let Some(token) = vc_schemas::verify::enveloped_jwt(&doc) {
        return Ok(Value::String(token.to_owned()));
    }
    match &doc {
        Value::String(token) if looks_like_jwt(token) => Ok(doc),
        Value::Object(_) if types_of(&doc).iter().any(|t| t == "VerifiableCredential") => Ok(doc),
        Value::Object(_) => Err(Error::Invalid("a JSON document that is not a credential".into())),
        _ => Err(Error::Invalid("an entry that is neither a credential nor a VC-JWT".into())),
    }
}

/// The wallet item of a credential arriving now by `origin`, pending the earner's answer.
pub fn item(credential: Value, origin: Origin, now: DateTime<Utc>) -> Result<Item> {
    let doc = document(&credential)
        .ok_or_else(|| Error::Invalid("the VC-JWT's payload does not decode".into()))?;
    let issuer = id_of(&doc["issuer"]);
    if issuer.is_empty() {
        return Err(Error::Invalid("the credential names no issuer".into()));
    }
    let id = match doc["id"].as_str() {
        Some(id) if !id.is_empty() => id.to_owned(),
        // Credentials need not have an id; the same credential must still get the same key.
        _ => format!("urn:sha256:{}", hex(&Sha256::digest(credential.to_string()))),
    };
    Ok(Item {
        id,
        issuer,
        from_peer: String::new(),
        origin,
        received: now,
        state: State::Pending,
        tags: Vec::new(),
        share: String::new(),
        public: false,
        credential,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vc(id: &str) -> Value {
        json!({"type": ["VerifiableCredential"], "id": id, "issuer": "did:key:z"})
    }

    #[test]
    fn json_arrays_and_presentations_hold_many() {
        let one = credentials(vc("urn:1").to_string().as_bytes()).unwrap();
        assert_eq!(one.len(), 1);
        let many = json!([vc("urn:1"), vc("urn:2")]).to_string();
        assert_eq!(credentials(many.as_bytes()).unwrap().len(), 2);
        let vp = json!({"type": "VerifiablePresentation", "verifiableCredential": [vc("urn:3")]});
        assert_eq!(credentials(vp.to_string().as_bytes()).unwrap()[0]["id"], "urn:3");
    }

    #[test]
    fn what_is_not_a_credential_is_refused_with_a_reason() {
        for bad in [&b"{}"[..], b"[]", b"hello", b"\x89PNG\r\n\x1a\nxx", b"{\"type\":\"Person\"}"] {
            let e = credentials(bad).unwrap_err().to_string();
            assert!(!e.is_empty());
        }
        assert!(credentials(&vec![b' '; MAX_FILE_BYTES + 1]).is_err());
    }

    #[test]
    fn a_credential_without_an_id_keeps_one_key() {
        let c = json!({"type": ["VerifiableCredential"], "issuer": {"id": "did:key:z"}});
        let a = item(c.clone(), Origin::Imported, Utc::now()).unwrap();
        let b = item(c, Origin::Imported, Utc::now()).unwrap();
        assert_eq!(a.id, b.id);
        assert!(a.id.starts_with("urn:sha256:"));
        assert!(
            item(json!({"type": ["VerifiableCredential"]}), Origin::Imported, Utc::now()).is_err()
        );
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_give_an_answer_never_a_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = credentials(&bytes);
        }

        #[test]
        fn any_text_gives_an_answer(text in ".{0,300}") {
            let _ = credentials(text.as_bytes());
        }
    }
}
