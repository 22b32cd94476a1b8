//! Round trips through the typed model, tampering, presentations and status lists, on the
//! official OB 3.0 examples.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, Utc};
use common::{OB_EXAMPLES, block_on, json};
use serde_json::{Value, json};
use vc_schemas::{
    did::OfflineResolver,
    issue::{self, Format},
    key::Ed25519Key,
    model::{AchievementCredential, EndorsementCredential},
    presentation::{self, Binding},
    proof::data_integrity::{self, ProofOptions},
    status_list::{self, StatusEntry, StatusList},
    verify::{self, Options, Outcome, Report, Status},
};

fn now() -> DateTime<Utc> {
    "2026-11-22T12:00:00Z".parse().unwrap()
}

fn key(n: u8) -> Ed25519Key {
    Ed25519Key::did_key_from_seed(&[n; 32])
}

fn example(name: &str) -> Value {
    json(&format!("openbadges-3.0/examples/{name}.json"))
}

/// An example with its 1EdTech revocation list removed (it cannot be checked offline) and
/// signed by `key`.
fn signed_example(name: &str, key: &Ed25519Key) -> Value {
    let mut doc = example(name);
    doc.as_object_mut().unwrap().remove("credentialStatus");
    let prepared = issue::prepare(&doc, key.controller(), "urn:uuid:x", now()).unwrap();
    block_on(issue::sign(&prepared, key, Format::DataIntegrity, now())).unwrap()
}

fn verify_at(
    doc: &Value,
    lists: &[(String, Value)],
    challenge: Option<&str>,
    domain: Option<&str>,
) -> Report {
    let resolver = OfflineResolver::default();
    let opts = Options { now: now(), resolver: &resolver, status_lists: lists, challenge, domain };
    block_on(verify::verify_text(&doc.to_string(), &opts))
}

#[test]
fn examples_round_trip_through_the_typed_model() {
    for name in OB_EXAMPLES {
        let doc = example(name);
        let typed: AchievementCredential = serde_json::from_value(doc.clone()).unwrap();
        assert_eq!(serde_json::to_value(&typed).unwrap(), doc, "{name}");
    }
    let doc = example("endorsementcredential");
    let typed: EndorsementCredential = serde_json::from_value(doc.clone()).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), doc);
}

#[test]
fn compacted_input_is_emitted_in_array_form_and_extras_survive() {
    let mut doc = example("basic-openbadgecredential");
    doc["type"] = json!("OpenBadgeCredential");
    doc["credentialSubject"]["achievement"]["type"] = json!("Achievement");
    doc["credentialSubject"]["achievement"]["image"] = json!("https://example.com/badge.png");
    doc["validUntil"] = Value::Null;
    doc["credentialSubject"]["narrative"] = Value::Null;
    doc["myExtension"] = json!({"kept": [1, 2]});
    let typed: AchievementCredential = serde_json::from_value(doc).unwrap();
    let out = serde_json::to_value(&typed).unwrap();
    assert_eq!(out["type"], json!(["OpenBadgeCredential"]));
    assert_eq!(out["credentialSubject"]["achievement"]["type"], json!(["Achievement"]));
    assert_eq!(out["credentialSubject"]["achievement"]["image"], "https://example.com/badge.png");
    assert_eq!(out["myExtension"], json!({"kept": [1, 2]}));
    assert!(out.get("validUntil").is_none(), "null is omitted");
    assert!(out["credentialSubject"].get("narrative").is_none(), "null is omitted");
}

#[test]
fn every_example_signs_and_verifies_in_both_formats() {
    let k = key(1);
    for name in OB_EXAMPLES {
        let signed = signed_example(name, &k);
        let report = verify_at(&signed, &[], None, None);
        assert_eq!(report.outcome, Outcome::Valid, "{name}: {report:#?}");
        assert_eq!(report.check("issuer").unwrap().status, Status::Ok);
        let mut doc = example(name);
        doc.as_object_mut().unwrap().remove("credentialStatus");
        let prepared = issue::prepare(&doc, k.controller(), "urn:uuid:x", now()).unwrap();
        let token = block_on(issue::sign(&prepared, &k, Format::Jwt, now())).unwrap();
        let resolver = OfflineResolver::default();
        let opts = Options {
            now: now(),
            resolver: &resolver,
            status_lists: &[],
            challenge: None,
            domain: None,
        };
        let report = block_on(verify::verify_text(token.as_str().unwrap(), &opts));
        assert_eq!(report.outcome, Outcome::Valid, "{name} jwt: {report:#?}");
    }
}

/// Every leaf of the document, as a JSON pointer.
fn leaves(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => o.iter().for_each(|(k, v)| {
            leaves(v, format!("{path}/{}", k.replace('~', "~0").replace('/', "~1")), out)
        }),
        Value::Array(a) => {
            a.iter().enumerate().for_each(|(i, v)| leaves(v, format!("{path}/{i}"), out))
        }
        _ => out.push(path),
    }
}

#[test]
fn tampering_with_any_field_invalidates_the_credential() {
    let signed = signed_example("complete-openbadgecredential", &key(2));
    let mut paths = Vec::new();
    leaves(&signed, String::new(), &mut paths);
    let mut checked = 0;
    for path in paths.iter().filter(|p| !p.starts_with("/proof")) {
        let mut t = signed.clone();
        let leaf = t.pointer_mut(path).unwrap();
        *leaf = match leaf {
            Value::String(s) => Value::String(format!("{s}x")),
            Value::Number(n) => json!(n.as_f64().unwrap() + 1.0),
            Value::Bool(b) => Value::Bool(!*b),
            Value::Null => json!("x"),
            _ => unreachable!(),
        };
        let report = verify_at(&t, &[], None, None);
        assert_ne!(report.outcome, Outcome::Valid, "tampered {path} still valid");
        checked += 1;
    }
    assert!(checked > 50, "only {checked} leaves");
    // Adding a property or dropping one is tampering too.
    let mut added = signed.clone();
    added["credentialSubject"]["achievement"]["name"] = json!("Forged");
    assert_eq!(verify_at(&added, &[], None, None).outcome, Outcome::Invalid);
    let mut removed = signed.clone();
    removed.as_object_mut().unwrap().remove("description");
    assert_eq!(verify_at(&removed, &[], None, None).outcome, Outcome::Invalid);
    // A proof by another key over the same content names a key the issuer does not control.
    let mut stolen = signed.clone();
    stolen.as_object_mut().unwrap().remove("proof");
    let other =
        block_on(data_integrity::sign(&stolen, &key(3), &ProofOptions::assertion(now()))).unwrap();
    let forged = data_integrity::attach(&stolen, other);
    let report = verify_at(&forged, &[], None, None);
    assert_eq!(report.check("issuer").unwrap().status, Status::Failed);
    assert_eq!(report.outcome, Outcome::Invalid);
}

#[test]
fn unknown_context_is_could_not_check() {
    let mut doc = example("basic-openbadgecredential");
    doc["@context"].as_array_mut().unwrap().push(json!("https://evil.example/context.json"));
    let report = verify_at(&doc, &[], None, None);
    assert_eq!(report.outcome, Outcome::Indeterminate);
    let err = issue::prepare(&doc, "did:key:z", "urn:uuid:1", now())
        .and_then(|p| block_on(issue::sign(&p, &key(1), Format::DataIntegrity, now())));
    assert!(matches!(err, Err(vc_schemas::Error::UnknownContext { .. })), "{err:?}");
}

#[test]
fn presentations_check_holder_challenge_domain_and_every_credential() {
    let issuer = key(4);
    let holder = key(5);
    let vc = signed_example("basic-openbadgecredential", &issuer);
    let binding = Binding {
        challenge: Some("nonce-1".into()),
        domains: vec!["verifier.example".into()],
        created: now(),
    };
    let vp =
        presentation::build(Some("urn:uuid:vp"), holder.controller(), std::slice::from_ref(&vc));
    let signed = block_on(presentation::sign(&vp, &holder, &binding)).unwrap();
    let ok = verify_at(&signed, &[], Some("nonce-1"), Some("verifier.example"));
    assert_eq!(ok.outcome, Outcome::Valid, "{ok:#?}");
    assert_eq!(ok.credentials.len(), 1);
    assert_eq!(
        verify_at(&signed, &[], Some("nonce-2"), Some("verifier.example")).outcome,
        Outcome::Invalid
    );
    assert_eq!(
        verify_at(&signed, &[], Some("nonce-1"), Some("evil.example")).outcome,
        Outcome::Invalid
    );

    // A holder-signed presentation around a forged credential is invalid (ssi alone says valid).
    let mut forged = vc.clone();
    forged["name"] = json!("Forged Badge");
    let vp = presentation::build(None, holder.controller(), &[forged]);
    let signed = block_on(presentation::sign(&vp, &holder, &binding)).unwrap();
    let report = verify_at(&signed, &[], Some("nonce-1"), Some("verifier.example"));
    assert_eq!(report.check("proof").unwrap().status, Status::Ok);
    assert_eq!(report.outcome, Outcome::Invalid);

    // Signed by someone who is not the holder.
    let vp = presentation::build(None, holder.controller(), std::slice::from_ref(&vc));
    let signed = block_on(presentation::sign(&vp, &key(6), &binding)).unwrap();
    assert_eq!(
        verify_at(&signed, &[], Some("nonce-1"), None).check("holder").unwrap().status,
        Status::Failed
    );

    // A VC-JWT travels as an EnvelopedVerifiableCredential.
    let prepared = issue::prepare(
        &example("basic-openbadgecredential"),
        issuer.controller(),
        "urn:uuid:j",
        now(),
    )
    .unwrap();
    let token = block_on(issue::sign(&prepared, &issuer, Format::Jwt, now())).unwrap();
    let vp = presentation::build(None, holder.controller(), &[token]);
    let signed = block_on(presentation::sign(&vp, &holder, &binding)).unwrap();
    let report = verify_at(&signed, &[], Some("nonce-1"), Some("verifier.example"));
    assert_eq!(report.outcome, Outcome::Valid, "{report:#?}");
    assert_eq!(report.credentials[0].kind, "credential (VC-JWT)");
}

fn verify_token(token: &str, challenge: Option<&str>, domain: Option<&str>) -> Report {
    let resolver = OfflineResolver::default();
    let opts = Options { now: now(), resolver: &resolver, status_lists: &[], challenge, domain };
    block_on(verify::verify_text(token, &opts))
}

#[test]
fn vp_jwts_check_signature_holder_nonce_audience_and_every_credential() {
    use vc_schemas::proof::jwt;
    let issuer = key(4);
    let holder = key(5);
    let vc = signed_example("basic-openbadgecredential", &issuer);
    let vp = presentation::build(None, holder.controller(), std::slice::from_ref(&vc));
    let domains = vec!["verifier.example".to_owned()];
    let token = jwt::sign_presentation(&vp, &holder, Some("nonce-1"), &domains, now()).unwrap();
    let decoded = jwt::decode(&token).unwrap();
    assert_eq!(decoded.header()["typ"], "vp+jwt");
    assert_eq!(decoded.payload().unwrap()["nonce"], "nonce-1");
    assert_eq!(decoded.payload().unwrap()["aud"], "verifier.example");
    assert_eq!(decoded.payload().unwrap()["iss"], holder.controller());

    let ok = verify_token(&token, Some("nonce-1"), Some("verifier.example"));
    assert_eq!(ok.outcome, Outcome::Valid, "{ok:#?}");
    assert_eq!(ok.kind, "presentation (VP-JWT)");
    assert_eq!(ok.credentials.len(), 1);
    for (challenge, domain) in [("nonce-2", "verifier.example"), ("nonce-1", "evil.example")] {
        let r = verify_token(&token, Some(challenge), Some(domain));
        assert_eq!(r.check("presentation").unwrap().status, Status::Failed, "{r:#?}");
    }

    // Another key signing for the holder, a changed payload, a forged credential inside.
    let stranger = jwt::sign_presentation(&vp, &key(6), Some("nonce-1"), &domains, now()).unwrap();
    let r = verify_token(&stranger, Some("nonce-1"), None);
    assert_eq!(r.check("holder").unwrap().status, Status::Failed, "{r:#?}");
    let (h, rest) = token.split_once('.').unwrap();
    let (_, sig) = rest.split_once('.').unwrap();
    let mut payload = decoded.payload().unwrap().clone();
    payload["nonce"] = json!("nonce-2");
    use base64::Engine;
    let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload.to_string());
    let altered = verify_token(&format!("{h}.{body}.{sig}"), Some("nonce-2"), None);
    assert_eq!(altered.check("proof").unwrap().status, Status::Failed, "{altered:#?}");
    assert_eq!(altered.outcome, Outcome::Invalid);
    let mut forged = vc;
    forged["name"] = json!("Forged Badge");
    let vp = presentation::build(None, holder.controller(), &[forged]);
    let token = jwt::sign_presentation(&vp, &holder, Some("nonce-1"), &domains, now()).unwrap();
    let r = verify_token(&token, Some("nonce-1"), Some("verifier.example"));
    assert_eq!(r.check("proof").unwrap().status, Status::Ok);
    assert_eq!(r.outcome, Outcome::Invalid, "the forged credential inside fails it");

    // Enveloped, as VC-API carries it, it reads the same.
    let enveloped = json!({"@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiablePresentation", "id": format!("data:application/vp+jwt,{token}")});
    let doc = verify::presentation_document(&enveloped).unwrap();
    assert_eq!(doc["holder"], holder.controller());
}

#[test]
fn status_lists_revoke_and_suspend() {
    let issuer = key(7);
    let url = "https://issuer.example/status/1";
    let mut list = StatusList::new(status_list::MIN_ENTRIES).unwrap();
    let entry =
        StatusEntry { list_credential: url.into(), index: 4242, purpose: "revocation".into() };
    let mut doc = example("basic-openbadgecredential");
    doc["credentialStatus"] = entry.to_json();
    let prepared = issue::prepare(&doc, issuer.controller(), "urn:uuid:s", now()).unwrap();
    let vc = block_on(issue::sign(&prepared, &issuer, Format::DataIntegrity, now())).unwrap();
    let sign_list = |list: &StatusList, by: &Ed25519Key| {
        let unsigned =
            status_list::list_credential(url, by.controller(), "revocation", list, now());
        let proof =
            block_on(data_integrity::sign(&unsigned, by, &ProofOptions::assertion(now()))).unwrap();
        vec![(url.to_owned(), data_integrity::attach(&unsigned, proof))]
    };
    let report = verify_at(&vc, &sign_list(&list, &issuer), None, None);
    assert_eq!(report.outcome, Outcome::Valid, "{report:#?}");
    list.set(4242, true).unwrap();
    let report = verify_at(&vc, &sign_list(&list, &issuer), None, None);
    assert_eq!(report.outcome, Outcome::Invalid);
    assert!(report.check("status").unwrap().reason.starts_with("revoked"));
    // A list signed by someone else cannot clear (or set) the issuer's statuses.
    list.set(4242, false).unwrap();
    let report = verify_at(&vc, &sign_list(&list, &key(8)), None, None);
    assert_eq!(report.check("status").unwrap().status, Status::Failed);
    // A tampered list fails its own proof.
    let mut lists = sign_list(&list, &issuer);
    lists[0].1["credentialSubject"]["encodedList"] =
        json!(StatusList::new(status_list::MIN_ENTRIES * 2).unwrap().encode());
    assert_eq!(verify_at(&vc, &lists, None, None).check("status").unwrap().status, Status::Failed);
}

#[test]
fn did_jwk_issuers_resolve_offline_and_verify() {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let seed = [11u8; 32];
    let public = Ed25519Key::did_key_from_seed(&seed).public_key();
    let jwk: ssi_jwk::JWK = serde_json::from_value(
        json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(public.as_bytes())}),
    )
    .unwrap();
    let did = did_jwk::DIDJWK::generate(&jwk).to_string();
    let key = Ed25519Key::with_verification_method(&seed, format!("{did}#0"));
    let prepared =
        issue::prepare(&example("basic-openbadgecredential"), &did, "urn:uuid:jwk", now()).unwrap();
    let signed = block_on(issue::sign(&prepared, &key, Format::DataIntegrity, now())).unwrap();
    let report = verify_at(&signed, &[], None, None);
    assert_eq!(report.outcome, Outcome::Valid, "{report:#?}");
    let token = block_on(issue::sign(&prepared, &key, Format::Jwt, now())).unwrap();
    let resolver = OfflineResolver::default();
    let opts = Options {
        now: now(),
        resolver: &resolver,
        status_lists: &[],
        challenge: None,
        domain: None,
    };
    assert_eq!(
        block_on(verify::verify_text(token.as_str().unwrap(), &opts)).outcome,
        Outcome::Valid
    );
}

#[test]
fn embedded_endorsements_are_verified_and_reported() {
    let endorser = key(12);
    let issuer = key(13);
    let base = example("basic-openbadgecredential");
    let achievement_id =
        base["credentialSubject"]["achievement"]["id"].as_str().unwrap().to_owned();
    let mut endorsement = example("endorsementcredential");
    endorsement["credentialSubject"]["id"] = json!(achievement_id);
    endorsement.as_object_mut().unwrap().remove("credentialStatus");
    let prepared =
        issue::prepare(&endorsement, endorser.controller(), "urn:uuid:e", now()).unwrap();
    let signed_endorsement =
        block_on(issue::sign(&prepared, &endorser, Format::DataIntegrity, now())).unwrap();

    let sign_with = |base: &Value, endorsements: Value| {
        let mut doc = base.clone();
        doc["credentialSubject"]["achievement"]["endorsement"] = endorsements;
        let prepared = issue::prepare(&doc, issuer.controller(), "urn:uuid:c", now()).unwrap();
        block_on(issue::sign(&prepared, &issuer, Format::DataIntegrity, now())).unwrap()
    };
    let report = verify_at(&sign_with(&base, json!([&signed_endorsement])), &[], None, None);
    assert_eq!(report.outcome, Outcome::Valid, "{report:#?}");
    assert_eq!(report.check("endorsements").unwrap().status, Status::Ok);
    assert_eq!(report.endorsements.len(), 1);

    // A forged endorsement is ignored, not held against the credential.
    let mut forged = signed_endorsement.clone();
    forged["credentialSubject"]["endorsementComment"] = json!("forged praise");
    let report = verify_at(&sign_with(&base, json!([forged])), &[], None, None);
    assert_eq!(report.outcome, Outcome::Valid);
    assert_eq!(report.check("endorsements").unwrap().status, Status::Skipped);
    assert_eq!(report.endorsements[0].outcome, Outcome::Invalid);

    // An endorsement of something else, attached here, does not count.
    let mut other = base;
    other["credentialSubject"]["achievement"]["id"] = json!("urn:uuid:another-achievement");
    let report = verify_at(&sign_with(&other, json!([signed_endorsement])), &[], None, None);
    assert_eq!(report.outcome, Outcome::Valid);
    let check = report.check("endorsements").unwrap();
    assert_eq!(check.status, Status::Skipped);
    assert!(
        check.reason.contains("but is attached to urn:uuid:another-achievement"),
        "{}",
        check.reason
    );
}

#[test]
fn a_challenge_counts_only_in_a_valid_proof_by_the_holder() {
    let issuer = key(14);
    let holder = key(15);
    let vc = signed_example("basic-openbadgecredential", &issuer);
    let vp = presentation::build(None, holder.controller(), &[vc]);
    let bind = |challenge: &str| Binding {
        challenge: Some(challenge.into()),
        domains: vec![],
        created: now(),
    };
    // Replayed presentation: the holder's valid proof is for an old challenge...
    let replayed = block_on(presentation::sign(&vp, &holder, &bind("old"))).unwrap();
    // ...and a forged proof claims the new one (its signature does not verify).
    let mut forged = block_on(data_integrity::sign(
        &vp,
        &holder,
        &ProofOptions {
            created: now(),
            purpose: vc_schemas::did::Purpose::Authentication,
            challenge: Some("new".into()),
            domains: vec![],
        },
    ))
    .unwrap();
    forged["proofValue"] = json!(
        "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKvT6rs2MZjQeuGkqu"
    );
    // The forged proof comes first, where a naive check would read the challenge from.
    let mut attack = replayed.clone();
    attack["proof"] = json!([forged, replayed["proof"][0]]);
    let report = verify_at(&attack, &[], Some("new"), None);
    assert_eq!(report.check("presentation").unwrap().status, Status::Failed, "{report:#?}");
    assert_eq!(report.outcome, Outcome::Invalid);
    // A valid proof with the right challenge by someone who is not the holder does not count.
    let other = block_on(data_integrity::sign(
        &vp,
        &key(16),
        &ProofOptions {
            created: now(),
            purpose: vc_schemas::did::Purpose::Authentication,
            challenge: Some("new".into()),
            domains: vec![],
        },
    ))
    .unwrap();
    let report = verify_at(&data_integrity::attach(&replayed, other), &[], Some("new"), None);
    assert_eq!(report.check("presentation").unwrap().status, Status::Failed, "{report:#?}");
}
