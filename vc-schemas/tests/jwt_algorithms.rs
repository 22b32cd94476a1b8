//! VC-JWT verification with RS256, ES256 and EdDSA: tokens signed here with the `rsa`, `p256` and
//! `ed25519-dalek` crates verify, and stop verifying when a payload byte, the `alg` or the key
//! changes. Keys come from the header's `jwk`, a `kid` (did:jwk, a pinned controller's method) or
//! the verifier.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::LazyLock;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use common::{block_on, json as spec_json};
use rand::{SeedableRng, rngs::StdRng};
use rsa::{
    RsaPrivateKey,
    signature::{SignatureEncoding, Signer},
    traits::PublicKeyParts,
};
use serde_json::{Value, json};
use vc_schemas::{
    did::{ControllerDocument, OfflineResolver},
    proof::jose::PublicJwk,
    verify::{self, Options, Outcome, Report, Status},
};

/// The issuer of the OB 3.0 example credential the tokens carry.
const ISSUER: &str = "https://example.com/issuers/876543";

/// Two 2048-bit RSA keys (generating them is the slow part, so once per test binary).
static RSA_KEYS: LazyLock<[RsaPrivateKey; 2]> = LazyLock::new(|| {
    let mut rng = StdRng::seed_from_u64(2048);
    [RsaPrivateKey::new(&mut rng, 2048).unwrap(), RsaPrivateKey::new(&mut rng, 2048).unwrap()]
});

#[derive(Clone)]
enum TestKey {
    Rsa(RsaPrivateKey),
    P256(p256::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

impl TestKey {
    fn rsa(i: usize) -> Self {
        Self::Rsa(RSA_KEYS[i].clone())
    }

    fn p256(seed: u64) -> Self {
        Self::P256(p256::ecdsa::SigningKey::random(&mut StdRng::seed_from_u64(seed)))
    }

    fn ed25519(seed: u8) -> Self {
        Self::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[seed; 32]))
    }

    fn alg(&self) -> &'static str {
        match self {
            Self::Rsa(_) => "RS256",
            Self::P256(_) => "ES256",
            Self::Ed25519(_) => "EdDSA",
        }
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Self::Rsa(key) => rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(key.clone())
                .sign(message)
                .to_vec(),
            Self::P256(key) => {
                let signature: p256::ecdsa::Signature = key.sign(message);
                signature.to_bytes().to_vec()
            }
            Self::Ed25519(key) => key.sign(message).to_bytes().to_vec(),
        }
    }

    fn public_jwk(&self) -> Value {
        match self {
            Self::Rsa(key) => json!({
                "kty": "RSA",
                "n": b64(&key.n().to_bytes_be()),
                "e": b64(&key.e().to_bytes_be()),
            }),
            Self::P256(key) => {
                let point = key.verifying_key().to_encoded_point(false);
                json!({
                    "kty": "EC",
                    "crv": "P-256",
                    "x": b64(point.x().unwrap()),
                    "y": b64(point.y().unwrap()),
                })
            }
            Self::Ed25519(key) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(key.verifying_key().as_bytes())})
            }
        }
    }

    fn did_jwk(&self) -> String {
        format!("did:jwk:{}", b64(self.public_jwk().to_string().as_bytes()))
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn credential(issuer: &str) -> Value {
    let mut doc = spec_json("openbadges-3.0/examples/basic-openbadgecredential.json");
    doc["issuer"]["id"] = json!(issuer);
    doc
}

/// A compact JWS of `payload` (serialized as is) under `header`, signed by `key`.
fn token_of(header: &Value, payload: &[u8], key: &TestKey) -> String {
    let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(payload));
    format!("{input}.{}", b64(&key.sign(input.as_bytes())))
}

fn signed(header: &Value, credential: &Value, key: &TestKey) -> String {
    token_of(header, credential.to_string().as_bytes(), key)
}

/// `token` with its header replaced by `header` and the signature kept.
fn with_header(token: &str, header: &Value) -> String {
    let (_, rest) = token.split_once('.').unwrap();
    format!("{}.{rest}", b64(header.to_string().as_bytes()))
}

fn check(token: &str, resolver: &OfflineResolver) -> Report {
    let now = "2026-01-01T00:00:00Z".parse().unwrap();
    let opts = Options { now, resolver, status_lists: &[], challenge: None, domain: None };
    block_on(verify::verify_text(token, &opts))
}

fn assert_check(report: &Report, name: &str, status: Status, reason: &str) {
    let c = report.check(name).unwrap_or_else(|| panic!("no {name} check in {report:#?}"));
    assert_eq!(c.status, status, "{name}: {report:#?}");
    assert!(c.reason.contains(reason), "{name}: {:?} lacks {reason:?}", c.reason);
}

fn assert_proof_fails(report: &Report, reason: &str) {
    assert_eq!(report.outcome, Outcome::Invalid, "{report:#?}");
    assert_check(report, "proof", Status::Failed, reason);
}

fn header_with_jwk(key: &TestKey) -> Value {
    json!({"alg": key.alg(), "typ": "vc+jwt", "jwk": key.public_jwk()})
}

fn all_keys() -> [TestKey; 3] {
    [TestKey::rsa(0), TestKey::p256(1), TestKey::ed25519(1)]
}

#[test]
fn tokens_verify_with_the_key_in_the_header_but_do_not_bind_the_issuer() {
    for key in all_keys() {
        let token = signed(&header_with_jwk(&key), &credential(ISSUER), &key);
        let report = check(&token, &OfflineResolver::default());
        assert_eq!(report.outcome, Outcome::Valid, "{}: {report:#?}", key.alg());
        assert_check(&report, "proof", Status::Ok, &format!("VC-JWT {} signature", key.alg()));
        assert_check(&report, "proof", Status::Ok, "JWS header");
        assert_check(&report, "issuer", Status::Skipped, "no controller document binds it");
    }
}

#[test]
fn a_kid_naming_a_did_jwk_binds_the_issuer() {
    for key in all_keys() {
        let did = key.did_jwk();
        let kid = format!("{did}#0");
        let token = signed(&json!({"alg": key.alg(), "kid": kid}), &credential(&did), &key);
        let report = check(&token, &OfflineResolver::default());
        assert_eq!(report.outcome, Outcome::Valid, "{}: {report:#?}", key.alg());
        assert_check(&report, "issuer", Status::Ok, "signed by the issuer's key");
    }
}

fn pinned(controller: &str, key: &TestKey) -> OfflineResolver {
    let vm = format!("{controller}#key-1");
    let mut resolver = OfflineResolver::default();
    resolver.pin(
        controller,
        ControllerDocument::new(json!({
            "id": controller,
            "verificationMethod": [{"id": vm, "type": "JsonWebKey", "controller": controller, "publicKeyJwk": key.public_jwk()}],
            "assertionMethod": [vm]
        })),
    );
    resolver
}

#[test]
fn a_kid_naming_a_pinned_controllers_method_binds_the_issuer() {
    for key in [TestKey::rsa(0), TestKey::p256(1)] {
        let header = json!({"alg": key.alg(), "kid": format!("{ISSUER}#key-1")});
        let report = check(&signed(&header, &credential(ISSUER), &key), &pinned(ISSUER, &key));
        assert_eq!(report.outcome, Outcome::Valid, "{}: {report:#?}", key.alg());
        assert_check(&report, "issuer", Status::Ok, &format!("{ISSUER}#key-1"));
    }
}

#[test]
fn changing_one_payload_byte_invalidates_the_token() {
    for key in all_keys() {
        let payload = credential(ISSUER).to_string().into_bytes();
        let good = token_of(&header_with_jwk(&key), &payload, &key);
        assert_eq!(check(&good, &OfflineResolver::default()).outcome, Outcome::Valid);
        // "Example Corp" → "Fxample Corp": one byte, still a well-formed credential.
        let at = payload.windows(7).position(|w| w == b"Example").unwrap();
        let mut forged = payload.clone();
        forged[at] = b'F';
        let (header, _) = good.split_once('.').unwrap();
        let signature = good.rsplit('.').next().unwrap();
        let forged = format!("{header}.{}.{signature}", b64(&forged));
        let report = check(&forged, &OfflineResolver::default());
        assert_proof_fails(&report, "invalid signature");
    }
}

#[test]
fn an_alg_other_than_the_keys_is_refused() {
    let rsa = TestKey::rsa(0);
    let good = signed(&header_with_jwk(&rsa), &credential(ISSUER), &rsa);
    let resolver = OfflineResolver::default();
    for (alg, reason) in [
        ("HS256", "unsupported JWS algorithm \"HS256\""),
        ("EdDSA", "alg EdDSA does not match the RSA key"),
        ("ES256", "alg ES256 does not match the RSA key"),
        ("PS256", "unsupported JWS algorithm"),
        ("none", "alg \"none\") is refused"),
    ] {
        let header = json!({"alg": alg, "typ": "vc+jwt", "jwk": rsa.public_jwk()});
        assert_proof_fails(&check(&with_header(&good, &header), &resolver), reason);
    }
    // Unsecured, with an empty signature.
    let (input, _) = good.rsplit_once('.').unwrap();
    let none = with_header(&format!("{input}."), &json!({"alg": "none"}));
    assert_proof_fails(&check(&none, &resolver), "refused");

    let p256 = TestKey::p256(1);
    let header = json!({"alg": "RS256", "jwk": p256.public_jwk()});
    let token = signed(&header, &credential(ISSUER), &p256);
    assert_proof_fails(&check(&token, &resolver), "alg RS256 does not match the P-256 key");
    let ed = TestKey::ed25519(1);
    let header = json!({"alg": "ES256", "jwk": ed.public_jwk()});
    let token = signed(&header, &credential(ISSUER), &ed);
    assert_proof_fails(&check(&token, &resolver), "does not match the Ed25519 key");

    // A key that names its own alg holds the header to it.
    let mut jwk = rsa.public_jwk();
    jwk["alg"] = json!("PS256");
    let token = signed(&json!({"alg": "RS256", "jwk": jwk}), &credential(ISSUER), &rsa);
    assert_proof_fails(&check(&token, &resolver), "differs from the key's own alg");
}

#[test]
fn another_key_does_not_verify() {
    for (signer, other) in [
        (TestKey::rsa(0), TestKey::rsa(1)),
        (TestKey::p256(1), TestKey::p256(2)),
        (TestKey::ed25519(1), TestKey::ed25519(2)),
    ] {
        // The header names another key than the one that signed.
        let token = signed(&header_with_jwk(&other), &credential(ISSUER), &signer);
        assert_proof_fails(&check(&token, &OfflineResolver::default()), "invalid signature");
        // The verifier supplies another key.
        let token = signed(&json!({"alg": signer.alg()}), &credential(ISSUER), &signer);
        let mut resolver = OfflineResolver::default();
        resolver.trust_key(PublicJwk::from_json(&other.public_jwk()).unwrap());
        assert_proof_fails(&check(&token, &resolver), "invalid signature");
        // The issuer's controller document publishes another key.
        let header = json!({"alg": signer.alg(), "kid": format!("{ISSUER}#key-1")});
        let token = signed(&header, &credential(ISSUER), &signer);
        assert_proof_fails(&check(&token, &pinned(ISSUER, &other)), "invalid signature");
    }
}

#[test]
fn rsa_keys_under_2048_bits_are_refused() {
    let small = TestKey::Rsa(RsaPrivateKey::new(&mut StdRng::seed_from_u64(1024), 1024).unwrap());
    let token = signed(&header_with_jwk(&small), &credential(ISSUER), &small);
    assert_proof_fails(&check(&token, &OfflineResolver::default()), "at least 2048");
    let refused = PublicJwk::from_json(&small.public_jwk()).unwrap_err().to_string();
    assert!(refused.contains("1024 bits"), "{refused}");
}

#[test]
fn a_token_naming_no_key_is_checked_only_with_the_verifiers_key() {
    for key in all_keys() {
        let token = signed(&json!({"alg": key.alg(), "typ": "JWT"}), &credential(ISSUER), &key);
        let report = check(&token, &OfflineResolver::default());
        assert_eq!(report.outcome, Outcome::Indeterminate, "{report:#?}");
        assert!(report.check("proof").unwrap().reason.contains("names none"));

        let mut resolver = OfflineResolver::default();
        resolver.trust_key(PublicJwk::from_json(&key.public_jwk()).unwrap());
        let report = check(&token, &resolver);
        assert_eq!(report.outcome, Outcome::Valid, "{}: {report:#?}", key.alg());
        assert_check(&report, "proof", Status::Ok, "the key the verifier supplied");
        assert_check(&report, "issuer", Status::Skipped, "no controller document binds it");
    }
}

#[test]
fn the_verifiers_key_wins_over_the_tokens() {
    let (signer, other) = (TestKey::p256(1), TestKey::p256(2));
    let token = signed(&header_with_jwk(&signer), &credential(ISSUER), &signer);
    let mut resolver = OfflineResolver::default();
    resolver.trust_key(PublicJwk::from_json(&other.public_jwk()).unwrap());
    assert_proof_fails(&check(&token, &resolver), "invalid signature");
}

#[test]
fn a_kid_cannot_lend_the_issuers_name_to_the_headers_key() {
    let (attacker, issuer_key) = (TestKey::rsa(0), TestKey::rsa(1));
    let header =
        json!({"alg": "RS256", "kid": format!("{ISSUER}#key-1"), "jwk": attacker.public_jwk()});
    let token = signed(&header, &credential(ISSUER), &attacker);
    // The issuer's controller is unknown: the header's key checks the token, nothing more.
    let report = check(&token, &OfflineResolver::default());
    assert_check(&report, "proof", Status::Ok, "JWS header");
    assert_check(&report, "issuer", Status::Skipped, "no controller document binds it");
    // The issuer's controller is known: its key, not the header's, must have signed.
    assert_proof_fails(&check(&token, &pinned(ISSUER, &issuer_key)), "invalid signature");
}

#[test]
fn critical_header_extensions_are_refused() {
    let key = TestKey::ed25519(1);
    let mut header = header_with_jwk(&key);
    header["crit"] = json!(["b64"]);
    header["b64"] = json!(false);
    let token = signed(&header, &credential(ISSUER), &key);
    assert_proof_fails(&check(&token, &OfflineResolver::default()), "critical extensions");
}
