//! Proof costs on a ~2 KB OB 3.0 credential (the 1EdTech `skill-assertion-ctdl` example), one
//! thread, next to raw Ed25519 on the same bytes as the in-process baseline.
//!
//! `cargo bench -p vc-schemas --bench proofs` (the numbers and their ratios go to
//! docs/PERFORMANCE.md; `scripts/bench.sh` prints the ratios).
#![allow(missing_docs, clippy::unwrap_used)]

use std::{hint::black_box, path::PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use ed25519_dalek::{Signer, SigningKey, Verifier};
use futures::executor::block_on;
use serde_json::Value;
use vc_schemas::{
    did::{OfflineResolver, Purpose},
    key::Ed25519Key,
    proof::{
        data_integrity::{self, ProofOptions},
        eddsa_rdfc, jwt, ssi_suite,
    },
};

fn credential(key: &Ed25519Key) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/specs/openbadges-3.0/examples/skill-assertion-ctdl.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["issuer"]["id"] = Value::from(key.controller());
    doc
}

fn bench(c: &mut Criterion) {
    let key = Ed25519Key::did_key_from_seed(&[7; 32]);
    let doc = credential(&key);
    let bytes = serde_json::to_vec(&doc).unwrap();
    let options = ProofOptions::assertion("2025-01-01T00:00:00Z".parse().unwrap());
    let dalek = SigningKey::from_bytes(&[7; 32]);
    let raw_sig = dalek.sign(&bytes);

    let mut g = c.benchmark_group("baseline");
    g.bench_function("ed25519 sign (credential bytes)", |b| {
        b.iter(|| dalek.sign(black_box(&bytes)))
    });
    g.bench_function("ed25519 verify (credential bytes)", |b| {
        b.iter(|| dalek.verifying_key().verify(black_box(&bytes), &raw_sig).unwrap())
    });
    g.finish();

    let proof = block_on(data_integrity::sign(&doc, &key, &options)).unwrap();
    let signed = data_integrity::attach(&doc, proof.clone());
    let method = vc_schemas::did::did_key_document(key.controller())
        .unwrap()
        .method(key.verification_method())
        .unwrap();
    let resolver = OfflineResolver::default();
    let canon = vc_schemas::canon::Canonicalizer::global();
    let mut g = c.benchmark_group("rdfc-1.0 (document)");
    g.bench_function("general path", |b| {
        b.iter(|| block_on(canon.nquads_general(black_box(&doc))).unwrap())
    });
    g.bench_function("fast path", |b| b.iter(|| canon.nquads_fast(black_box(&doc)).unwrap()));
    g.finish();

    let mut g = c.benchmark_group("eddsa-rdfc-2022");
    g.bench_function("sign ssi", |b| {
        b.iter(|| block_on(ssi_suite::sign(black_box(&doc), &key, &options)).unwrap())
    });
    g.bench_function("sign badgemesh", |b| {
        b.iter(|| block_on(data_integrity::sign(black_box(&doc), &key, &options)).unwrap())
    });
    g.bench_function("verify ssi", |b| {
        b.iter(|| {
            block_on(ssi_suite::verify(black_box(&doc), &proof, method.clone())).unwrap().unwrap()
        })
    });
    g.bench_function("verify badgemesh (proof only)", |b| {
        b.iter(|| {
            block_on(eddsa_rdfc::verify(black_box(&doc), &proof, &key.public_key()))
                .unwrap()
                .unwrap()
        })
    });
    g.bench_function("verify badgemesh (resolve + proof)", |b| {
        b.iter(|| {
            let o = block_on(data_integrity::verify(
                black_box(&signed),
                Purpose::AssertionMethod,
                &resolver,
            ))
            .unwrap();
            assert!(o[0].is_valid());
        })
    });
    g.finish();

    let token = jwt::sign(&doc, &key).unwrap();
    let (signing_input, _) = token.rsplit_once('.').unwrap();
    let input_sig = dalek.sign(signing_input.as_bytes());
    let mut g = c.benchmark_group("vc-jwt");
    g.bench_function("raw ed25519 sign (JWS signing input)", |b| {
        b.iter(|| dalek.sign(black_box(signing_input.as_bytes())))
    });
    g.bench_function("raw ed25519 verify (JWS signing input)", |b| {
        b.iter(|| {
            dalek.verifying_key().verify(black_box(signing_input.as_bytes()), &input_sig).unwrap()
        })
    });
    g.bench_function("sign", |b| b.iter(|| jwt::sign(black_box(&doc), &key).unwrap()));
    g.bench_function("verify signature (decode header, resolve did:key, EdDSA)", |b| {
        b.iter(|| {
            let d = jwt::decode(black_box(&token)).unwrap();
            block_on(d.verify_signature(&resolver)).unwrap().unwrap();
        })
    });
    g.bench_function("verify signature + parse payload", |b| {
        b.iter(|| {
            let d = jwt::decode(black_box(&token)).unwrap();
            block_on(d.verify_signature(&resolver)).unwrap().unwrap();
            black_box(d.credential().unwrap());
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
