//! The fast canonicalization path against the general one: wherever the fast path answers, its
//! canonical N-Quads are the general path's, line for line; and it does answer for ordinary
//! credentials (otherwise it would be dead weight). Likewise the blank-node labelling shortcut
//! against `rdf-canon`.
#![allow(clippy::unwrap_used)]

mod common;

use common::{block_on, generate, specs};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use serde_json::{Map, Value, json};
use vc_schemas::{canon::Canonicalizer, proof::data_integrity::without_proof};

/// Compares the two paths on `doc`, and the labelling shortcut with `rdf-canon`; returns
/// whether the fast path covered it.
fn compare(canon: &Canonicalizer, doc: &Value, label: &str) -> bool {
    if let Ok(labelled) = block_on(canon.nquads(doc)) {
        let reference = block_on(canon.nquads_reference_labelling(doc)).unwrap();
        assert_eq!(labelled, reference, "{label}: labelling shortcut differs from rdf-canon");
    }
    let Some(fast) = canon.nquads_fast(doc) else { return false };
    match block_on(canon.nquads_general(doc)) {
        Ok(general) => {
            let only_fast: Vec<_> = fast.iter().filter(|l| !general.contains(l)).collect();
            let only_general: Vec<_> = general.iter().filter(|l| !fast.contains(l)).collect();
            assert_eq!(
                fast, general,
                "{label}: only fast {only_fast:#?}\nonly general {only_general:#?}"
            );
        }
        Err(e) => panic!("{label}: fast path accepted what the general path rejects: {e}"),
    }
    true
}

fn corpus() -> Vec<(String, Value)> {
    let mut docs = Vec::new();
    let mut add_dir = |dir: &str| {
        let mut entries: Vec<_> =
            std::fs::read_dir(specs().join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries.into_iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
            let doc: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            if doc.get("@context").is_some() {
                docs.push((path.display().to_string(), without_proof(&doc)));
                for proof in vc_schemas::proof::data_integrity::proofs_of(&doc) {
                    let mut config = proof.clone();
                    config.as_object_mut().unwrap().remove("proofValue");
                    config["@context"] = doc["@context"].clone();
                    docs.push((format!("{} proof config", path.display()), config));
                }
            }
        }
    };
    add_dir("openbadges-3.0/examples");
    add_dir("openbadges-3.0/validator-samples");
    add_dir("openbadges-3.0/validator-samples/bit-string-list");
    add_dir("openbadges-3.0/test-vectors/ldp-eddsa-rdfc-2022");
    add_dir("w3c-vc-di-eddsa/TestVectors");
    add_dir("w3c-vc-di-eddsa/TestVectors/eddsa-rdfc-2022");
    add_dir("w3c-vc-di-eddsa/TestVectors/proof-set-chain");
    add_dir("w3c-bitstring-status-list/examples");
    add_dir("w3c-vcdm/schema/verifiable-credential");
    add_dir("w3c-vcdm/schema/verifiable-presentation");
    docs
}

#[test]
fn fast_path_equals_general_path_on_every_official_document() {
    let canon = Canonicalizer::default();
    let docs = corpus();
    let covered = docs.iter().filter(|(label, doc)| compare(&canon, doc, label)).count();
    for (label, doc) in &docs {
        if let Err(gap) = canon.fast_path_gap(doc) {
            println!("GAP {label}: {gap}");
        }
    }
    // Every OB example without a non-integral number, every W3C vector credential.
    assert!(covered * 2 > docs.len(), "fast path covered only {covered} of {}", docs.len());
    for must in [
        "basic-openbadgecredential.json",
        "skill-assertion-ctdl.json",
        "unsigned.json",
        "simple.json",
    ] {
        let (label, doc) = docs.iter().find(|(l, _)| l.ends_with(must)).unwrap();
        assert!(canon.nquads_fast(doc).is_some(), "{label} not covered");
    }
}

/// One random change: drop, duplicate into an array, null, rename to an unknown or a known
/// key, change a scalar's JSON type, add a blank node id, nest an object, add a type.
fn mutate(v: &mut Value, rng: &mut StdRng) {
    let mut paths = Vec::new();
    collect(v, String::new(), &mut paths);
    let Some(path) = paths.choose(rng).cloned() else { return };
    let (parent_path, key) = path.rsplit_once('/').unwrap();
    let parent = v.pointer_mut(parent_path).unwrap();
    let replacement = match rng.gen_range(0..10) {
        0 => None,
        1 => Some(json!(null)),
        2 => Some(json!([parent_value(parent, key), parent_value(parent, key)])),
        3 => Some(json!(42)),
        4 => Some(json!(true)),
        5 => Some(json!("_:b0")),
        6 => Some(json!({"id": "urn:uuid:n", "type": "Image"})),
        7 => Some(json!(["Achievement", "Profile"])),
        8 => Some(json!("did:example:x")),
        _ => Some(json!({"name": "nested", "description": "d"})),
    };
    match parent {
        Value::Object(o) => match replacement {
            None => {
                o.remove(key);
            }
            Some(r) if rng.gen_bool(0.2) => {
                let names = [
                    "madeUpTerm",
                    "name",
                    "type",
                    "id",
                    "achievement",
                    "narrative",
                    "allowedValue",
                    "https://example.com/p",
                    "schema:name",
                ];
                o.insert((*names.choose(rng).unwrap()).to_owned(), r);
            }
            Some(r) => {
                o.insert(key.to_owned(), r);
            }
        },
        Value::Array(a) => {
            let i: usize = key.parse().unwrap();
            match replacement {
                None => {
                    a.remove(i);
                }
                Some(r) => a[i] = r,
            }
        }
        _ => {}
    }
}

fn parent_value(parent: &Value, key: &str) -> Value {
    match parent {
        Value::Object(o) => o.get(key).cloned().unwrap_or_default(),
        Value::Array(a) => a.get(key.parse::<usize>().unwrap_or(0)).cloned().unwrap_or_default(),
        _ => Value::Null,
    }
}

fn collect(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                if k == "@context" {
                    continue;
                }
                let p = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                collect(child, p, out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                let p = format!("{path}/{i}");
                out.push(p.clone());
                collect(child, p, out);
            }
        }
        _ => {}
    }
}

#[test]
fn fast_path_equals_general_path_on_mutated_credentials() {
    let canon = Canonicalizer::default();
    let mut rng = StdRng::seed_from_u64(0xFA57);
    let bases: Vec<Value> =
        corpus().into_iter().map(|(_, d)| d).filter(|d| canon.nquads_fast(d).is_some()).collect();
    let (mut covered, mut total) = (0, 0);
    for i in 0..1500 {
        let mut doc =
            if i % 3 == 0 { generate(&mut rng) } else { bases.choose(&mut rng).unwrap().clone() };
        for _ in 0..rng.gen_range(1..4) {
            mutate(&mut doc, &mut rng);
        }
        total += 1;
        if compare(&canon, &doc, &format!("mutation #{i}: {doc}")) {
            covered += 1;
        }
    }
    assert!(covered * 4 > total, "fast path covered only {covered} of {total} mutations");
}

#[test]
fn inline_and_unknown_contexts_are_left_to_the_general_path() {
    let canon = Canonicalizer::default();
    let inline = json!({"@context": [{"name": "https://schema.org/name"}], "name": "x"});
    assert!(canon.nquads_fast(&inline).is_none());
    let unknown = json!({"@context": ["https://evil.example/ctx"], "id": "urn:x"});
    assert!(canon.nquads_fast(&unknown).is_none());
    let mut m = Map::new();
    m.insert("@context".into(), json!(["https://www.w3.org/ns/credentials/v2"]));
    m.insert("type".into(), json!(["VerifiableCredential"]));
    m.insert("madeUpTerm".into(), json!(1));
    assert!(
        canon.nquads_fast(&Value::Object(m)).is_none(),
        "undefined terms are the general path's to reject"
    );
}

/// Presentations of signed credentials (each with its own `@context` and a proof, inside the
/// presentation's `@graph` containers): the fast path covers them and agrees with the general
/// path, as it does for credentials.
#[test]
fn fast_path_covers_presentations_of_signed_credentials() {
    use vc_schemas::{issue, key::Ed25519Key, presentation};
    let canon = Canonicalizer::default();
    let key = Ed25519Key::did_key_from_seed(&[41; 32]);
    let now = chrono::Utc::now();
    let mut signed = Vec::new();
    for name in common::OB_EXAMPLES {
        let mut doc = common::json(&format!("openbadges-3.0/examples/{name}.json"));
        doc.as_object_mut().unwrap().remove("credentialStatus");
        let prepared = issue::prepare(&doc, key.controller(), &format!("urn:uuid:{name}"), now);
        let vc = block_on(issue::sign(&prepared.unwrap(), &key, issue::Format::DataIntegrity, now));
        signed.push(vc.unwrap());
    }
    let token = block_on(issue::sign(&signed[0], &key, issue::Format::Jwt, now)).unwrap();
    let mut covered = 0;
    for n in 1..=signed.len() {
        let mut vcs: Vec<Value> = signed[..n].to_vec();
        if n == 2 {
            vcs.push(token.clone());
        }
        let vp = presentation::build(Some("urn:uuid:vp"), key.controller(), &vcs);
        if compare(&canon, &vp, &format!("presentation of {n}")) {
            covered += 1;
        } else {
            println!("GAP presentation of {n}: {:?}", canon.fast_path_gap(&vp));
        }
    }
    // The fourth example carries a non-integral number, which the fast path leaves to the
    // general one: so does every presentation holding it.
    assert!(covered >= 3, "the fast path covered {covered} presentations");
    let one = presentation::build(None, key.controller(), &signed[..1]);
    assert!(canon.nquads_fast(&one).is_some(), "{:?}", canon.fast_path_gap(&one));
}

/// A blank node that names itself (`_:b0 a _:b0`) and another blank node: the labelling
/// shortcut once counted the self-naming quad once in its first-degree hash where RDFC-1.0,
/// rdf-canon and rdf-canonize count it per component, and labelled the two the other way.
#[test]
fn a_self_naming_blank_node_is_labelled_as_rdf_canon_labels_it() {
    let canon = Canonicalizer::default();
    // Found by the mutation test: one of the OB examples with its issuer's id and type set
    // to the same blank node.
    let doc: Value = serde_json::from_str(r#"{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"id":"http://example.com/credentials/3527","type":["VerifiableCredential","OpenBadgeCredential"],"issuer":{"id":"_:b0","type":"_:b0","url":"https://www.imsglobal.org","name":"Example Corp"},"validFrom":"2010-01-01T00:00:00Z","awardedDate":"2010-01-01T00:00:00Z","name":"Teamwork Badge","credentialSubject":{"id":"did:web:dc.1edtech.org:wellspring2022:wellspring-portal:learner:e42a88f4-7e1d-429b-bcea-0f3b31ee4e5d","name":"Xavi Aracil's Teamwork Badge","type":["AchievementSubject"],"achievement":{"id":"https://example.com/achievements/21st-century-skills/teamwork","type":["Achievement"],"criteria":{"narrative":"Team members are nominated for this badge by their peers and recognized upon review by Example Corp management."},"description":"This badge recognizes the development of the capacity to collaborate within a group environment.","name":"Teamwork"}}}"#).unwrap();
    compare(&canon, &doc, "self-naming blank node");
}
