//! Interoperability with the JavaScript Data Integrity stack most implementations use
//! (`scripts/interop`): credentials Badgemesh signs verify there, credentials it signs verify
//! here, and both compute the same canonical N-Quads. Needs `node` and
//! `npm ci --prefix scripts/interop` (`scripts/test.sh` runs it).
#![allow(clippy::unwrap_used)]

mod common;

use std::{path::PathBuf, process::Command};

use common::{OB_EXAMPLES, block_on, generate, json, specs};
use rand::{SeedableRng, rngs::StdRng};
use serde_json::Value;
use vc_schemas::{
    canon::Canonicalizer,
    did::OfflineResolver,
    issue::{self, Format},
    key::Ed25519Key,
    verify::{self, Options, Outcome},
};

fn interop_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/interop");
    assert!(
        dir.join("node_modules").exists(),
        "JavaScript interop harness not installed: run `npm ci --prefix scripts/interop` (scripts/test.sh does)"
    );
    dir
}

/// Runs `node SCRIPT ARGS...` in the harness; returns its JSON output lines.
fn node(script: &str, args: &[String]) -> (bool, Vec<Value>) {
    let dir = interop_dir();
    let out =
        Command::new("node").arg(dir.join(script)).args(args).output().expect("node is installed");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines = stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    (out.status.success(), lines)
}

/// The examples (status entries removed: nothing here serves those lists) and generated
/// credentials with lists, booleans, unicode and escapes.
fn unsigned_credentials() -> Vec<(String, Value)> {
    let mut docs: Vec<(String, Value)> = OB_EXAMPLES
        .iter()
        .chain(["endorsementcredential"].iter())
        .map(|name| {
            let mut doc = json(&format!("openbadges-3.0/examples/{name}.json"));
            doc.as_object_mut().unwrap().remove("credentialStatus");
            ((*name).to_owned(), doc)
        })
        .collect();
    let mut rng = StdRng::seed_from_u64(0x1D);
    for i in 0..12 {
        let mut doc = generate(&mut rng);
        doc.as_object_mut().unwrap().remove("credentialStatus");
        docs.push((format!("generated-{i}"), doc));
    }
    docs
}

#[test]
fn javascript_verifies_what_badgemesh_signs() {
    let tmp = tempfile::tempdir().unwrap();
    let key = Ed25519Key::did_key_from_seed(&[21; 32]);
    let now = chrono::Utc::now();
    let mut files = Vec::new();
    for (name, doc) in unsigned_credentials() {
        let prepared =
            issue::prepare(&doc, key.controller(), &format!("urn:uuid:{name}"), now).unwrap();
        let signed = block_on(issue::sign(&prepared, &key, Format::DataIntegrity, now)).unwrap();
        let path = tmp.path().join(format!("{name}.json"));
        std::fs::write(&path, signed.to_string()).unwrap();
        files.push(path.display().to_string());
    }
    let (ok, lines) = node("verify.mjs", &files);
    assert_eq!(lines.len(), files.len());
    for line in &lines {
        assert_eq!(line["verified"], true, "{line}");
    }
    assert!(ok);
}

#[test]
fn badgemesh_verifies_what_javascript_signs() {
    let tmp = tempfile::tempdir().unwrap();
    let mut inputs = Vec::new();
    for (name, doc) in unsigned_credentials() {
        let path = tmp.path().join(format!("{name}.json"));
        std::fs::write(&path, doc.to_string()).unwrap();
        inputs.push(path.display().to_string());
    }
    let out_dir = tempfile::tempdir().unwrap();
    let mut args = vec![out_dir.path().display().to_string()];
    args.extend(inputs.iter().cloned());
    let status =
        Command::new("node").arg(interop_dir().join("sign.mjs")).args(&args).output().unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let resolver = OfflineResolver::default();
    let opts = Options {
        now: chrono::Utc::now(),
        resolver: &resolver,
        status_lists: &[],
        challenge: None,
        domain: None,
    };
    for input in &inputs {
        let name = PathBuf::from(input).file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(out_dir.path().join(format!("js-{name}"))).unwrap();
        let report = block_on(verify::verify_text(&text, &opts));
        assert_eq!(
            report.check("proof").map(|c| c.status),
            Some(verify::Status::Ok),
            "{name}: {report:#?}"
        );
        assert_ne!(report.outcome, Outcome::Invalid, "{name}: {report:#?}");
    }
}

#[test]
fn canonical_forms_match_rdf_canonize() {
    let tmp = tempfile::tempdir().unwrap();
    let mut docs = unsigned_credentials();
    for extra in [
        "w3c-vc-di-eddsa/TestVectors/unsigned.json",
        "openbadges-3.0/validator-samples/complete.json",
        "openbadges-3.0/validator-samples/bit-string-list/testlist.json",
        "w3c-vcdm/schema/verifiable-presentation/example-2.json",
    ] {
        docs.push((extra.replace('/', "_"), json(extra)));
    }
    let mut files = Vec::new();
    for (name, doc) in &docs {
        let path = tmp.path().join(format!("{name}.json"));
        std::fs::write(&path, doc.to_string()).unwrap();
        files.push(path.display().to_string());
    }
    let (_, lines) = node("canon.mjs", &files);
    assert_eq!(lines.len(), docs.len());
    let canon = Canonicalizer::default();
    for ((name, doc), line) in docs.iter().zip(&lines) {
        let theirs = line["nquads"].as_str().unwrap_or_else(|| panic!("{name}: {line}"));
        let ours = block_on(canon.nquads(doc)).unwrap().concat();
        assert_eq!(ours, theirs, "{name}");
    }
    assert!(specs().exists());
}

#[test]
fn javascript_verifies_the_presentations_badgemesh_signs() {
    use base64::Engine;
    use vc_schemas::{presentation, proof::jwt};
    let tmp = tempfile::tempdir().unwrap();
    let issuer = Ed25519Key::did_key_from_seed(&[31; 32]);
    let holder = Ed25519Key::did_key_from_seed(&[32; 32]);
    let now = chrono::Utc::now();
    let (_, doc) = unsigned_credentials().remove(0);
    let prepared = issue::prepare(&doc, issuer.controller(), "urn:uuid:vp-1", now).unwrap();
    let vc = block_on(issue::sign(&prepared, &issuer, Format::DataIntegrity, now)).unwrap();
    let vp = presentation::build(None, holder.controller(), &[vc]);
    let binding = presentation::Binding {
        challenge: Some("c-123".into()),
        domains: vec!["verifier.example".into()],
        created: now,
    };
    let di = block_on(presentation::sign(&vp, &holder, &binding)).unwrap();
    let di_file = tmp.path().join("vp.json");
    std::fs::write(&di_file, di.to_string()).unwrap();
    let token = jwt::sign_presentation(&vp, &holder, Some("c-123"), &binding.domains, now).unwrap();
    let jwt_file = tmp.path().join("vp.jwt");
    std::fs::write(&jwt_file, &token).unwrap();
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(holder.public_key().to_bytes());
    let jwk = serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": x}).to_string();
    let file = |p: &std::path::Path| p.display().to_string();

    let run = |kind: &str, challenge: &str, extra: &[String]| {
        let mut args = vec![kind.to_owned(), challenge.to_owned(), "verifier.example".to_owned()];
        args.extend_from_slice(extra);
        node("present.mjs", &args)
    };
    let (ok, lines) = run("di", "c-123", &[file(&di_file)]);
    assert!(ok, "{lines:?}");
    let (ok, lines) = run("jwt", "c-123", &[jwk.clone(), file(&jwt_file)]);
    assert!(ok, "{lines:?}");
    assert_eq!(lines[0]["holder"], holder.controller());
    // And neither with another challenge.
    assert!(!run("di", "c-999", &[file(&di_file)]).0);
    assert!(!run("jwt", "c-999", &[jwk, file(&jwt_file)]).0);
}
