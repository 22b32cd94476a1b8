//! The 1EdTech public validator's OB 3.0 samples: every valid one verifies, baked badges and
//! RS256 VC-JWTs included; every `simple-err-*` one fails on the check its name says.
#![allow(clippy::unwrap_used)]

mod common;

use common::{block_on, json, methods_of, sample_resolver, specs};
use serde_json::Value;
use vc_schemas::{
    bake,
    did::{ControllerDocument, OfflineResolver},
    proof::{jose::PublicJwk, jwt},
    verify::{self, Options, Outcome, Report, Status},
};

const DIR: &str = "openbadges-3.0/validator-samples";
/// The validator's test key (public half), which signed the samples.
const TEST_KEY: &str = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";

fn now() -> chrono::DateTime<chrono::Utc> {
    "2026-11-22T00:00:00Z".parse().unwrap()
}

fn check(doc: &Value, resolver: &OfflineResolver, lists: &[(String, Value)]) -> Report {
    let opts = Options { now: now(), resolver, status_lists: lists, challenge: None, domain: None };
    block_on(verify::verify_credential(doc, &opts))
}

fn sample(name: &str) -> (Value, OfflineResolver) {
    let doc = json(&format!("{DIR}/{name}.json"));
    let methods = methods_of(&doc);
    let refs: Vec<&str> =
        methods.iter().map(String::as_str).filter(|m| !m.starts_with("did:")).collect();
    let resolver = sample_resolver(&refs);
    (doc, resolver)
}

fn status_of(report: &Report, name: &str) -> Status {
    report.check(name).unwrap_or_else(|| panic!("no {name} check in {report:#?}")).status
}

#[test]
fn valid_samples_verify() {
    for name in [
        "simple",
        "simple-context-alias",
        "simple-context-version",
        "simple-did-key-method",
        "simple-did-web-method",
        "endorsement-valid",
    ] {
        let (doc, resolver) = sample(name);
        let report = check(&doc, &resolver, &[]);
        assert_eq!(report.outcome, Outcome::Valid, "{name}: {report:#?}");
        assert_eq!(status_of(&report, "schema"), Status::Ok, "{name}");
    }
}

#[test]
fn one_valid_proof_among_unknown_ones_suffices_and_the_other_is_reported() {
    let (doc, resolver) = sample("simple-multiple-proofs");
    let report = check(&doc, &resolver, &[]);
    assert_eq!(report.outcome, Outcome::Valid, "{report:#?}");
    assert!(report.check("proof").unwrap().reason.contains("unsupported proof type SomeProofType"));
}

#[test]
fn legacy_vcdm_1_1_eddsa_2022_sample_verifies() {
    let (doc, resolver) = sample("simple-eddsa-2022");
    let report = check(&doc, &resolver, &[]);
    assert_eq!(status_of(&report, "proof"), Status::Ok, "{report:#?}");
}

#[test]
fn err_expired_fails_validity() {
    let (doc, resolver) = sample("simple-err-expired");
    let report = check(&doc, &resolver, &[]);
    assert_eq!(report.outcome, Outcome::Invalid);
    assert_eq!(status_of(&report, "validity"), Status::Failed);
    assert_eq!(status_of(&report, "proof"), Status::Ok);
}

#[test]
fn err_type_fails_type() {
    let (doc, resolver) = sample("simple-err-type");
    let report = check(&doc, &resolver, &[]);
    assert_eq!(report.outcome, Outcome::Invalid);
    assert_eq!(status_of(&report, "type"), Status::Failed);
}

#[test]
fn err_context_fails_context() {
    let (doc, resolver) = sample("simple-err-context");
    let report = check(&doc, &resolver, &[]);
    assert_eq!(report.outcome, Outcome::Invalid);
    assert_eq!(status_of(&report, "context"), Status::Failed);
}

#[test]
fn err_proof_value_fails_proof() {
    let (doc, resolver) = sample("simple-err-proof-value");
    let report = check(&doc, &resolver, &[]);
    assert_eq!(report.outcome, Outcome::Invalid);
    assert_eq!(status_of(&report, "proof"), Status::Failed);
}

#[test]
fn err_proof_method_fails_proof() {
    // The issuer's real controller document lists the test key; the proof names a method the
    // issuer never published.
    let doc = json(&format!("{DIR}/simple-err-proof-method.json"));
    let issuer = "https://example.edu/issuers/565049";
    let vm = format!("{issuer}#{TEST_KEY}");
    let mut resolver = OfflineResolver::default();
    resolver.pin(
        issuer,
        ControllerDocument::new(serde_json::json!({
            "id": issuer,
            "verificationMethod": [{"id": vm, "type": "Multikey", "controller": issuer, "publicKeyMultibase": TEST_KEY}],
            "assertionMethod": [vm]
        })),
    );
    let report = check(&doc, &resolver, &[]);
    assert_eq!(report.outcome, Outcome::Invalid);
    assert_eq!(status_of(&report, "proof"), Status::Failed, "{report:#?}");
}

#[test]
fn err_issuer_fails_schema_and_issuer() {
    let (doc, resolver) = sample("simple-err-issuer");
    let report = check(&doc, &resolver, &[]);
    assert_eq!(report.outcome, Outcome::Invalid);
    assert_eq!(status_of(&report, "issuer"), Status::Failed);
    let schema = report.check("schema").unwrap();
    assert_eq!(schema.status, Status::Failed);
    assert!(schema.reason.contains("issuer"), "{}", schema.reason);
}

#[test]
fn no_proof_fails_proof() {
    let (doc, resolver) = sample("simple-noproof");
    let report = check(&doc, &resolver, &[]);
    assert_eq!(report.outcome, Outcome::Invalid);
    assert_eq!(report.check("proof").unwrap().reason, "no proof");
}

#[test]
fn revocation_list_1edtech_is_status_unknown_never_a_pass() {
    let (doc, mut resolver) = sample("credential-status-revoked");
    // did:web documents are never fetched; pin the one the validator resolved.
    let vm = methods_of(&doc)[0].clone();
    let did = vm.split('#').next().unwrap().to_owned();
    resolver.pin(
        did.clone(),
        ControllerDocument::new(serde_json::json!({
            "id": did,
            "verificationMethod": [{"id": vm, "type": "Ed25519VerificationKey2020", "controller": did, "publicKeyMultibase": TEST_KEY}],
            "assertionMethod": [vm]
        })),
    );
    let report = check(&doc, &resolver, &[]);
    assert_eq!(report.outcome, Outcome::Indeterminate, "{report:#?}");
    assert!(report.check("status").unwrap().reason.contains("1EdTechRevocationList"));
}

#[test]
fn bitstring_status_list_sample_is_revoked() {
    let list = json(&format!("{DIR}/bit-string-list/testlist.json"));
    for name in ["credential-status-revoked", "credential-status-revoked-blank-nodes"] {
        let doc = json(&format!("{DIR}/bit-string-list/{name}.json"));
        let url = doc["credentialStatus"]["statusListCredential"].as_str().unwrap().to_owned();
        let mut methods = methods_of(&doc);
        methods.extend(methods_of(&list));
        let refs: Vec<&str> = methods.iter().map(String::as_str).collect();
        let resolver = sample_resolver(&refs);
        let report = check(&doc, &resolver, &[(url.clone(), list.clone())]);
        assert_eq!(report.outcome, Outcome::Invalid, "{name}: {report:#?}");
        let status = report.check("status").unwrap();
        assert_eq!(status.status, Status::Failed);
        assert!(status.reason.starts_with("revoked: bit 23 set"), "{}", status.reason);
        // Without the list the status is unknown, never a silent pass.
        let report = check(&doc, &resolver, &[]);
        assert_eq!(report.outcome, Outcome::Indeterminate, "{name}");
    }
}

/// The credential baked into a sample badge.
fn unbaked(name: &str) -> String {
    let bytes = std::fs::read(specs().join(DIR).join(name)).unwrap();
    bake::unbake(&bytes).unwrap().unwrap_or_else(|| panic!("{name} is not an image"))
}

fn check_text(text: &str, resolver: &OfflineResolver) -> Report {
    let opts = Options { now: now(), resolver, status_lists: &[], challenge: None, domain: None };
    block_on(verify::verify_text(text, &opts))
}

#[test]
fn baked_json_badges_verify() {
    for name in ["simple-json.png", "simple-json.svg"] {
        let text = unbaked(name);
        let doc: Value = serde_json::from_str(&text).unwrap();
        let methods = methods_of(&doc);
        let resolver = sample_resolver(&methods.iter().map(String::as_str).collect::<Vec<_>>());
        let report = check_text(&text, &resolver);
        assert_eq!(report.outcome, Outcome::Valid, "{name}: {report:#?}");
        assert_eq!(status_of(&report, "schema"), Status::Ok, "{name}");
    }
}

#[test]
fn baked_rs256_jwt_badges_verify_with_the_key_in_their_header() {
    for name in ["simple-jwt.png", "simple-jwt.svg"] {
        let token = unbaked(name);
        assert!(jwt::looks_like_jwt(&token), "{name}");
        let report = check_text(&token, &OfflineResolver::default());
        assert_eq!(report.outcome, Outcome::Valid, "{name}: {report:#?}");
        let proof = report.check("proof").unwrap();
        assert!(proof.reason.contains("VC-JWT RS256 signature"), "{name}: {}", proof.reason);
        // The header's key is the token's own choice: nothing binds it to the https issuer.
        assert_eq!(status_of(&report, "issuer"), Status::Skipped, "{name}");
    }
}

/// The public RSA keys the samples carry (in the `jwk` header of the baked VC-JWTs).
fn sample_rsa_keys() -> Vec<PublicJwk> {
    ["simple-jwt.png", "simple-jwt.svg"]
        .into_iter()
        .map(|name| {
            let decoded = jwt::decode(&unbaked(name)).unwrap();
            PublicJwk::from_json(&decoded.header()["jwk"]).unwrap()
        })
        .collect()
}

#[test]
fn simple_jwt_txt_names_no_key_and_none_of_the_samples_keys_signed_it() {
    let token = common::read(&format!("{DIR}/simple.jwt.txt"));
    let decoded = jwt::decode(&token).unwrap();
    assert_eq!(decoded.header()["alg"], "RS256");
    assert!(decoded.kid().is_none() && decoded.header().get("jwk").is_none());
    // No key named: could not check, never a pass.
    let unchecked = block_on(decoded.verify_signature(&OfflineResolver::default()));
    assert!(unchecked.unwrap_err().to_string().contains("names none"));
    // The samples' only RSA keys are the two in the baked badges; the validator's test key is
    // Ed25519, which cannot make an RS256 signature. Neither RSA key signed this token.
    for key in sample_rsa_keys() {
        let mut resolver = OfflineResolver::default();
        resolver.trust_key(key);
        let verdict = block_on(decoded.verify_signature(&resolver)).unwrap();
        assert_eq!(verdict, Err("invalid signature".to_owned()));
    }
    // And its credential names a draft context URL that is not embedded: could not check,
    // whatever key is given (contexts are never aliased or fetched).
    let report = check_text(&token, &OfflineResolver::default());
    assert_eq!(report.outcome, Outcome::Indeterminate, "{report:#?}");
    let context = report.check("context").unwrap();
    assert!(context.reason.contains("imsglobal.github.io"), "{}", context.reason);
}
