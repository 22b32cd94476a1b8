//! VC Data Model 2.0 structural rules (the MUSTs a JSON Schema cannot say for an arbitrary
//! credential): what an issuer refuses to sign and a verifier refuses to accept, for credentials
//! that are not Open Badges (those have the 1EdTech schema).

use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::{Error, Result, context, model::types_of};

/// Checks a credential (without its proof).
pub fn check_credential(doc: &Value) -> Result<()> {
    check_context(doc)?;
    check_common(doc)?;
    let obj = doc.as_object().ok_or_else(|| bad("a credential is a JSON object"))?;
    let from = obj.get("validFrom").map(|v| date(v, "validFrom")).transpose()?;
    let until = obj.get("validUntil").map(|v| date(v, "validUntil")).transpose()?;
    if let (Some(f), Some(u)) = (from, until)
        && u < f
    {
        return Err(bad("validUntil is before validFrom"));
    }
    Ok(())
}

/// Checks a VCDM 1.1 credential: the same shape rules, the 2018 context first, and
/// `issuanceDate` (required) before any `expirationDate`.
pub fn check_credential_v1(doc: &Value) -> Result<()> {
    let first = items(doc.get("@context").unwrap_or(&Value::Null)).first().copied().cloned();
    if first.as_ref().and_then(Value::as_str) != Some(context::CREDENTIALS_V1) {
        return Err(bad(format!("the first @context must be {}", context::CREDENTIALS_V1)));
    }
    check_common(doc)?;
    let issued = date(doc.get("issuanceDate").unwrap_or(&Value::Null), "issuanceDate")?;
    if let Some(e) = doc.get("expirationDate").map(|v| date(v, "expirationDate")).transpose()?
        && e < issued
    {
        return Err(bad("expirationDate is before issuanceDate"));
    }
    Ok(())
}

/// The rules both data model versions share.
fn check_common(doc: &Value) -> Result<()> {
    let obj = doc.as_object().ok_or_else(|| bad("a credential is a JSON object"))?;
    check_types(doc, "VerifiableCredential")?;
    if let Some(id) = obj.get("id") {
        url(id, "id")?;
    }
    match obj.get("issuer") {
        Some(Value::String(s)) => url_str(s, "issuer")?,
        Some(Value::Object(p)) => {
            url(p.get("id").ok_or_else(|| bad("issuer object has no id"))?, "issuer.id")?
        }
        _ => return Err(bad("issuer must be a URL or an object with an id")),
    }
    let subjects =
        items(obj.get("credentialSubject").ok_or_else(|| bad("credentialSubject is required"))?);
    if subjects.is_empty() {
        return Err(bad("credentialSubject must not be empty"));
    }
    for s in subjects {
        let fields = s.as_object().ok_or_else(|| bad("credentialSubject must be an object"))?;
        if fields.is_empty() {
            return Err(bad("credentialSubject must make at least one claim"));
        }
        if let Some(id) = fields.get("id") {
            url(id, "credentialSubject.id")?;
        }
    }
    for name in ["name", "description"] {
        if let Some(v) = obj.get(name) {
            language_value(v, name)?;
        }
    }
    for (name, needs_id) in [
        ("credentialStatus", false),
        ("credentialSchema", true),
        ("refreshService", false),
        ("termsOfUse", false),
        ("evidence", false),
    ] {
        if let Some(v) = obj.get(name) {
            typed_objects(v, name, needs_id)?;
        }
    }
    if let Some(v) = obj.get("relatedResource") {
        related_resources(v)?;
    }
    Ok(())
}

fn bad(message: impl Into<String>) -> Error {
    Error::malformed(message.into())
}

fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        one => vec![one],
    }
}

fn check_context(doc: &Value) -> Result<()> {
    let Some(Value::Array(contexts)) = doc.get("@context") else {
        return Err(bad("@context must be an array whose first item is the VCDM 2.0 context"));
    };
    if contexts.first().and_then(Value::as_str) != Some(context::CREDENTIALS_V2) {
        return Err(bad(format!("the first @context must be {}", context::CREDENTIALS_V2)));
    }
    if contexts.iter().any(|c| !c.is_string() && !c.is_object()) {
        return Err(bad("each @context item is a URL or an object"));
    }
    Ok(())
}

fn check_types(doc: &Value, required: &str) -> Result<()> {
    match doc.get("type") {
        Some(Value::String(_)) => {}
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => {}
        _ => return Err(bad("type must be a string or an array of strings")),
    }
    if !types_of(doc).iter().any(|t| t == required) {
        return Err(bad(format!("type must include {required}")));
    }
    Ok(())
}

fn url(v: &Value, field: &str) -> Result<()> {
    url_str(v.as_str().ok_or_else(|| bad(format!("{field} must be a URL string")))?, field)
}

fn url_str(s: &str, field: &str) -> Result<()> {
    let ok = s.split_once(':').is_some_and(|(scheme, rest)| {
        !rest.is_empty()
            && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && !s.contains(char::is_whitespace)
    });
    if ok { Ok(()) } else { Err(bad(format!("{field} must be a URL, not {s:?}"))) }
}

fn language_value(v: &Value, field: &str) -> Result<()> {
    let ok = match v {
        Value::String(_) => true,
        Value::Object(m) => m.get("@value").is_some_and(Value::is_string),
        Value::Array(a) => a.iter().all(
            |i| matches!(i, Value::Object(m) if m.get("@value").is_some_and(Value::is_string)),
        ),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(bad(format!("{field} must be a string or language value objects")))
    }
}

/// XML Schema `dateTimeStamp`: RFC 3339 with a time zone.
fn date(v: &Value, field: &str) -> Result<chrono::DateTime<chrono::FixedOffset>> {
    v.as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .ok_or_else(|| bad(format!("{field} must be a dateTimeStamp (e.g. 2026-01-01T00:00:00Z)")))
}

fn typed_objects(v: &Value, field: &str, needs_id: bool) -> Result<()> {
    for item in items(v) {
        let m = item.as_object().ok_or_else(|| bad(format!("{field} entries are objects")))?;
        match m.get("type") {
            Some(Value::String(_)) => {}
            Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => {}
            _ => return Err(bad(format!("each {field} entry needs a type"))),
        }
        match m.get("id") {
            Some(id) => url(id, &format!("{field}.id"))?,
            None if needs_id => return Err(bad(format!("each {field} entry needs an id"))),
            None => {}
        }
    }
    Ok(())
}

/// `relatedResource`: objects with a unique URL `id` and a digest; a digest of a resource this
/// library holds (an embedded context) must match it.
fn related_resources(v: &Value) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for item in items(v) {
        let m = item.as_object().ok_or_else(|| bad("relatedResource entries are objects"))?;
        let id = m
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("each relatedResource needs an id"))?;
        url_str(id, "relatedResource.id")?;
        if !seen.insert(id) {
            return Err(bad(format!("relatedResource {id} is listed twice")));
        }
        let sri = m.get("digestSRI").and_then(Value::as_str);
        let multibase = m.get("digestMultibase").and_then(Value::as_str);
        if sri.is_none() && multibase.is_none() {
            return Err(bad(format!("relatedResource {id} needs digestSRI or digestMultibase")));
        }
        if let Some(body) =
            context::EMBEDDED.iter().find(|(url, _)| *url == id).map(|(_, b)| b.as_bytes())
        {
            if let Some(sri) = sri
                && !sri_matches(id, sri, body)
            {
                return Err(bad(format!("relatedResource {id}: digestSRI does not match")));
            }
            if let Some(mb) = multibase
                && !multibase_matches(id, mb, body)
            {
                return Err(bad(format!("relatedResource {id}: digestMultibase does not match")));
            }
        }
    }
    Ok(())
}

/// Earlier bytes served at an embedded context's URL, by SHA-256/384/512 (hex). A credential
/// signed while they were current names their digest in `relatedResource` and is right to.
/// The VCDM v2 context of the Candidate Recommendation (w3c/vc-data-model 8d0ee10,
/// 2024-07-03), replaced by the Recommendation's on 2025-02-24; the W3C VCDM 2.0 test suite
/// still uses its digest.
const EARLIER_VERSIONS: &[(&str, [&str; 3])] = &[(
    context::CREDENTIALS_V2,
    [
        "24a18c90e9856d526111f29376e302d970b2bd10182e33959995b0207d7043b9",
        "35239c36999d2155312091af194a1edb61634d6ad789a5e5b19f2aebdd762dd9d1dcaada40eda7ef921c6b8c0ae107a0",
        "cb1336dfa8670d80d03344b3b0cc25faf4d45201823c35f39bb1afe5a9f911f615ff4ec80ec5f2f89e33d14e96bec8be78e38df35b918c9cd5f3b3449bd6c88f",
    ],
)];

/// Whether `digest` (by algorithm 0 = SHA-256, 1 = SHA-384, 2 = SHA-512) is that of the bytes
/// we hold for `id` or of an earlier version of them.
fn digest_of(id: &str, body: &[u8], alg: usize, digest: &[u8]) -> bool {
    let current = match alg {
        0 => Sha256::digest(body).to_vec(),
        1 => Sha384::digest(body).to_vec(),
        _ => Sha512::digest(body).to_vec(),
    };
    current == digest
        || EARLIER_VERSIONS.iter().any(|(url, d)| *url == id && d[alg] == hex::encode(digest))
}

/// `digestSRI`: `sha256-`, `sha384-` or `sha512-` and the base64 digest.
fn sri_matches(id: &str, sri: &str, body: &[u8]) -> bool {
    let Some((alg, digest)) = sri.split_once('-') else { return false };
    let alg = match alg {
        "sha256" => 0,
        "sha384" => 1,
        "sha512" => 2,
        _ => return false,
    };
    base64::engine::general_purpose::STANDARD
        .decode(digest)
        .is_ok_and(|d| digest_of(id, body, alg, &d))
}

/// `digestMultibase`: multibase of the SHA-256 digest (raw or as a multihash).
fn multibase_matches(id: &str, mb: &str, body: &[u8]) -> bool {
    let Ok((_, bytes)) = multibase::decode(mb) else { return false };
    let raw = bytes.strip_prefix(&[0x12, 0x20][..]).unwrap_or(&bytes);
    digest_of(id, body, 0, raw)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn vc() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": "did:key:z6Mk",
            "credentialSubject": {"id": "did:example:a", "name": "A"}
        })
    }

    #[test]
    fn a_minimal_credential_passes_and_each_rule_bites() {
        check_credential(&vc()).unwrap();
        let cases: Vec<(&str, Value)> = vec![
            ("@context", json!("https://www.w3.org/ns/credentials/v2")),
            ("type", json!(["Other"])),
            ("issuer", json!("not a url")),
            ("credentialSubject", json!({})),
            ("validFrom", json!("2026-01-01")),
            ("credentialSchema", json!({"id": "https://x.example/s"})),
            ("credentialStatus", json!({"id": "https://x.example/s#1"})),
            ("refreshService", json!({"id": "https://x.example/r"})),
            ("relatedResource", json!([{"id": "https://x.example/r"}])),
            ("id", json!("nope")),
            ("name", json!(3)),
        ];
        for (field, value) in cases {
            let mut doc = vc();
            doc[field] = value;
            assert!(check_credential(&doc).is_err(), "{field}");
        }
        let mut doc = vc();
        doc["validFrom"] = json!("2026-02-01T00:00:00Z");
        doc["validUntil"] = json!("2026-01-01T00:00:00Z");
        assert!(check_credential(&doc).is_err());
    }

    #[test]
    fn related_resource_digests_of_embedded_contexts_are_checked() {
        let body = context::EMBEDDED.iter().find(|(u, _)| *u == context::CREDENTIALS_V2).unwrap().1;
        let good = format!(
            "sha256-{}",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body.as_bytes()))
        );
        let mut doc = vc();
        doc["relatedResource"] = json!([{"id": context::CREDENTIALS_V2, "digestSRI": good}]);
        check_credential(&doc).unwrap();
        doc["relatedResource"][0]["digestSRI"] = json!("sha256-AAAA");
        assert!(check_credential(&doc).is_err());
        // The Candidate Recommendation's v2 context, as the W3C suite names it.
        doc["relatedResource"][0]["digestSRI"] =
            json!("sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg");
        assert!(check_credential(&doc).is_ok());
        doc["relatedResource"][0]["digestSRI"] =
            json!("sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeh");
        assert!(check_credential(&doc).is_err());
        doc["relatedResource"] = json!([{"id": "https://a.example", "digestSRI": "sha256-x"}, {"id": "https://a.example", "digestSRI": "sha256-x"}]);
        assert!(check_credential(&doc).is_err());
    }
}
