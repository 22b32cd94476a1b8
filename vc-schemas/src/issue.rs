//! Preparing and signing an issuer's credential: fill what the issuer owns (`issuer`, `id`,
//! `validFrom`, `credentialSchema`), check the official schema, then sign.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use crate::{
    Error, Result, context,
    proof::{
        data_integrity::{self, ProofOptions},
        jwt,
    },
    schema::{self, Kind, SCHEMA_VALIDATOR_TYPE},
    signer::Signer,
};

/// How a credential is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Embedded Data Integrity proof, `eddsa-rdfc-2022`.
    DataIntegrity,
    /// Compact VC-JWT, EdDSA.
    Jwt,
}

/// Fills the issuer-owned fields of an unsigned OB 3.0 credential, puts it in the 1EdTech
/// serialization (arrays for sets, no nulls or empty arrays) and checks it against its 1EdTech
/// schema. `id` is used only when the credential has none.
pub fn prepare(unsigned: &Value, issuer: &str, id: &str, now: DateTime<Utc>) -> Result<Value> {
    let mut doc = unsigned_object(unsigned)?;
    let kind = Kind::of_credential(&Value::Object(doc.clone())).ok_or_else(|| {
        Error::malformed(
            "type must include OpenBadgeCredential, AchievementCredential or EndorsementCredential",
        )
    })?;
    set_issuer(&mut doc, issuer);
    doc.entry("id").or_insert_with(|| Value::from(id));
    doc.entry("validFrom")
        .or_insert_with(|| Value::from(now.to_rfc3339_opts(SecondsFormat::Secs, true)));
    if let (Some(url), false) = (kind.schema_url(), doc.contains_key("credentialSchema")) {
        doc.insert("credentialSchema".into(), json!([{"id": url, "type": SCHEMA_VALIDATOR_TYPE}]));
        add_extensions_context(&mut doc);
    }
    let raw = Value::Object(doc);
    let doc = match crate::model::to_canonical_form(&raw) {
        Ok(doc) => doc,
        // The schema's list of violations says more than serde's first complaint.
        Err(model) => return Err(schema::validate(kind, &raw).err().unwrap_or(model)),
    };
    schema::validate(kind, &doc)?;
    Ok(doc)
}

/// The credential's members, refusing anything but an unsigned JSON object.
fn unsigned_object(unsigned: &Value) -> Result<Map<String, Value>> {
    let doc = unsigned
        .as_object()
        .cloned()
        .ok_or_else(|| Error::malformed("a credential is a JSON object"))?;
    if doc.contains_key("proof") {
        return Err(Error::malformed("credential is already signed (it has a proof)"));
    }
    Ok(doc)
}

/// Fills the issuer-owned fields of any VCDM 2.0 credential. Open Badges go through
/// [`prepare`] (1EdTech schema); other credentials get the data model's structural checks. The
/// issuer of a plain credential may be given, but only as this node's DID.
pub fn prepare_any(unsigned: &Value, issuer: &str, id: &str, now: DateTime<Utc>) -> Result<Value> {
    if Kind::of_credential(unsigned).is_some() {
        return prepare(unsigned, issuer, id, now);
    }
    let mut doc = unsigned_object(unsigned)?;
    match doc.get("issuer") {
        None => {
            doc.insert("issuer".into(), Value::from(issuer));
        }
        Some(Value::String(s)) if s == issuer => {}
        // Only `id`: a plain VCDM context may not define `Profile`.
        Some(Value::Object(p)) if p.get("id").is_none_or(|i| i == issuer) => {
            if let Some(Value::Object(profile)) = doc.get_mut("issuer") {
                profile.insert("id".into(), Value::from(issuer));
            }
        }
        Some(_) => return Err(Error::malformed(format!("issuer must be this node ({issuer})"))),
    }
    doc.entry("id").or_insert_with(|| Value::from(id));
    let stamp = Value::from(now.to_rfc3339_opts(SecondsFormat::Secs, true));
    let doc = if is_vcdm_v1(unsigned) {
        doc.entry("issuanceDate").or_insert(stamp);
        if let Some(Value::String(one)) = doc.get("@context") {
            let one = Value::from(one.as_str());
            doc.insert("@context".into(), Value::Array(vec![one]));
        }
        if let Some(Value::Array(contexts)) = doc.get_mut("@context")
            && !contexts.iter().any(|c| c.as_str() == Some(context::DATA_INTEGRITY_V2))
        {
            contexts.push(Value::from(context::DATA_INTEGRITY_V2));
        }
        let doc = Value::Object(doc);
        crate::vcdm::check_credential_v1(&doc)?;
        doc
    } else {
        doc.entry("validFrom").or_insert(stamp);
        let doc = Value::Object(doc);
        crate::vcdm::check_credential(&doc)?;
        doc
    };
    Ok(doc)
}

/// Whether `doc` is a VCDM 1.1 credential (its first context is the 2018 one). The VC-API
/// still signs these for verifiers that have not moved to 2.0; they get `issuanceDate` and no
/// status entries (the v1 context does not define `BitstringStatusListEntry`).
pub fn is_vcdm_v1(doc: &Value) -> bool {
    let first = match doc.get("@context") {
        Some(Value::Array(items)) => items.first(),
        other => other,
    };
    first.and_then(Value::as_str) == Some(context::CREDENTIALS_V1)
}

/// `1EdTechJsonSchemaValidator2019` is defined by the 1EdTech extensions context, not by the OB
/// context; without it the term does not expand and signing fails.
fn add_extensions_context(doc: &mut Map<String, Value>) {
    if let Some(Value::Array(contexts)) = doc.get_mut("@context")
        && !contexts.iter().any(|c| c.as_str() == Some(context::OB_EXTENSIONS))
    {
        contexts.push(Value::from(context::OB_EXTENSIONS));
    }
}

/// Sets `issuer` to `did`, keeping the other Profile fields of an embedded profile.
fn set_issuer(doc: &mut Map<String, Value>, did: &str) {
    match doc.get_mut("issuer") {
        Some(Value::Object(profile)) => {
            profile.insert("id".into(), Value::from(did));
            profile.entry("type").or_insert_with(|| json!(["Profile"]));
        }
        _ => {
            doc.insert("issuer".into(), json!({"id": did, "type": ["Profile"]}));
        }
    }
}

/// Signs a prepared credential. Data Integrity returns the credential JSON with its proof;
/// VC-JWT returns the compact token as a JSON string.
pub async fn sign<S: Signer + ?Sized>(
    prepared: &Value,
    key: &S,
    format: Format,
    now: DateTime<Utc>,
) -> Result<Value> {
    match format {
        Format::DataIntegrity => {
            let proof = data_integrity::sign(prepared, key, &ProofOptions::assertion(now)).await?;
            Ok(data_integrity::attach(prepared, proof))
        }
        Format::Jwt => jwt::sign(prepared, key).map(Value::String),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "https://old.example", "type": ["Profile"], "name": "Kept"},
            "credentialSubject": {"id": "did:example:alice", "type": ["AchievementSubject"], "achievement": {
                "id": "urn:uuid:a", "type": ["Achievement"], "name": "N", "description": "D", "criteria": {"narrative": "C"}}}
        })
    }

    #[test]
    fn prepare_fills_issuer_id_and_valid_from() {
        let now = "2025-01-02T03:04:05Z".parse().unwrap();
        let doc = prepare(&basic(), "did:key:z6Mk", "urn:uuid:1", now).unwrap();
        assert_eq!(doc["issuer"]["id"], "did:key:z6Mk");
        assert_eq!(doc["issuer"]["name"], "Kept");
        assert_eq!(doc["id"], "urn:uuid:1");
        assert_eq!(doc["validFrom"], "2025-01-02T03:04:05Z");
        assert_eq!(doc["credentialSchema"][0]["type"], SCHEMA_VALIDATOR_TYPE);
        assert_eq!(doc["@context"][2], context::OB_EXTENSIONS);
    }

    #[test]
    fn prepare_emits_the_1edtech_serialization() {
        let mut doc = basic();
        doc["type"] = json!(["VerifiableCredential", "OpenBadgeCredential"]);
        doc["credentialSubject"]["type"] = json!("AchievementSubject");
        doc["credentialSubject"]["narrative"] = Value::Null;
        doc["credentialSubject"]["achievement"]["tag"] = json!([]);
        doc["evidence"] = json!({"type": "Evidence", "narrative": "did it", "custom": null});
        let out = prepare(&doc, "did:key:z6Mk", "urn:uuid:1", Utc::now()).unwrap();
        assert_eq!(out["credentialSubject"]["type"], json!(["AchievementSubject"]));
        assert!(out["credentialSubject"].get("narrative").is_none());
        assert!(out["credentialSubject"]["achievement"].get("tag").is_none());
        assert_eq!(out["evidence"], json!([{"type": ["Evidence"], "narrative": "did it"}]));
    }

    #[test]
    fn prepare_refuses_what_is_not_a_credential() {
        let now = Utc::now();
        assert!(prepare(&json!([1]), "did:key:z", "urn:uuid:1", now).is_err());
        let mut wrong = basic();
        wrong["type"] = json!(["VerifiableCredential"]);
        assert!(prepare(&wrong, "did:key:z", "urn:uuid:1", now).is_err());
        let mut no_subject = basic();
        no_subject.as_object_mut().unwrap().remove("credentialSubject");
        assert!(matches!(
            prepare(&no_subject, "did:key:z", "urn:uuid:1", now),
            Err(Error::Schema { .. })
        ));
    }

    #[test]
    fn plain_credentials_keep_their_issuer_object_untyped_and_v1_gets_an_issuance_date() {
        let now = Utc::now();
        let did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
        let v2 = json!({
            "@context": [context::CREDENTIALS_V2],
            "type": ["VerifiableCredential"],
            "issuer": {"name": "Example"},
            "credentialSubject": {"id": "did:example:s"},
        });
        let p = prepare_any(&v2, did, "urn:uuid:1", now).unwrap();
        assert_eq!(p["issuer"], json!({"id": did, "name": "Example"}));
        assert!(p["validFrom"].is_string() && p.get("issuanceDate").is_none());
        let mut v1 = v2;
        v1["@context"] = json!([context::CREDENTIALS_V1]);
        let p = prepare_any(&v1, did, "urn:uuid:2", now).unwrap();
        assert!(is_vcdm_v1(&p));
        assert!(p["issuanceDate"].is_string() && p.get("validFrom").is_none());
        assert_eq!(p["@context"][1], context::DATA_INTEGRITY_V2);
        v1["issuanceDate"] = json!("not a date");
        assert!(prepare_any(&v1, did, "urn:uuid:3", now).is_err());
    }
}
