//! Canonicalization has a work budget: graphs built to make RDFC-1.0's Hash N-Degree Quads
//! exponential end with `TooComplex`, at once, while credentials with look-alike blank nodes
//! (the 1EdTech complete example has two identical alignments) still canonicalize.
//!
//! Timings are printed for `docs/SECURITY.md`, never asserted.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Instant;

use common::{block_on, json};
use serde_json::{Value, json};
use vc_schemas::{Error, canon::Canonicalizer};

/// A VCDM 2.0 credential whose `evidence` is a clique of `n` blank nodes, each naming all the
/// others through an inline `@id`-typed term: every node has the same first-degree hash, and
/// HNDQ would walk (n-1)! permutations per node.
fn clique(n: usize) -> Value {
    let evidence: Vec<Value> = (0..n)
        .map(|i| {
            let others: Vec<String> =
                (0..n).filter(|&j| j != i).map(|j| format!("_:b{j}")).collect();
            json!({"id": format!("_:b{i}"), "rel": others})
        })
        .collect();
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            {"rel": {"@id": "https://example.org/rel", "@type": "@id"}}
        ],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
        "evidence": evidence,
    })
}

/// Two look-alike rings of `n` blank nodes each (a cycle): ties that HNDQ resolves with small
/// groups, as legitimate graphs with repeated structure do.
fn rings(n: usize) -> Value {
    let ring = |name: &str| -> Vec<Value> {
        (0..n)
            .map(|i| json!({"id": format!("_:{name}{i}"), "rel": format!("_:{name}{}", (i + 1) % n)}))
            .collect()
    };
    let mut evidence = ring("a");
    evidence.extend(ring("b"));
    let mut doc = clique(0);
    doc["evidence"] = Value::Array(evidence);
    doc
}

#[test]
fn hostile_cliques_are_refused_within_the_budget() {
    let canon = Canonicalizer::default();
    for n in [8, 32, 96, 160] {
        let doc = clique(n);
        let started = Instant::now();
        let out = block_on(canon.nquads(&doc));
        let took = started.elapsed();
        println!("clique of {n} blank nodes ({} bytes): {took:?}", doc.to_string().len());
        match out {
            Err(Error::TooComplex { reason }) => {
                assert!(reason.contains("steps") || reason.contains("JSON values"), "{reason}");
            }
            other => panic!("clique of {n}: {other:?}"),
        }
    }
}

#[test]
fn ordinary_ties_still_canonicalize() {
    let canon = Canonicalizer::default();
    // The official example with two identical Alignment nodes under different parents.
    let complete = json("openbadges-3.0/examples/complete-openbadgecredential.json");
    assert!(!block_on(canon.nquads(&complete)).unwrap().is_empty());
    // Small cliques and look-alike rings are within the budget and give the reference result.
    for doc in [clique(3), clique(4), rings(6)] {
        let ours = block_on(canon.nquads(&doc)).unwrap();
        let reference = block_on(canon.nquads_reference_labelling(&doc)).unwrap();
        assert_eq!(ours, reference);
        assert!(ours.iter().any(|l| l.contains("_:c14n")));
    }
}

#[test]
fn too_many_values_are_refused_before_expansion() {
    // 60,000 evidence links from one node: linear, but over the size limit.
    let mut doc = clique(0);
    let targets: Vec<String> = (0..60_000).map(|i| format!("urn:x:{i}")).collect();
    doc["evidence"] = json!([{"id": "_:e", "rel": targets}]);
    let started = Instant::now();
    let out = block_on(Canonicalizer::default().nquads(&doc));
    println!("60,000 values: {:?}", started.elapsed());
    assert!(matches!(out, Err(Error::TooComplex { .. })), "{out:?}");
}
