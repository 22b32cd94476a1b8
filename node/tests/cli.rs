//! The `badgemesh` binary, run as a user would, in temporary data directories.
#![allow(clippy::unwrap_used)]

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

use serde_json::{Value, json};

fn specs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vc-schemas/tests/specs")
}

fn example(name: &str) -> PathBuf {
    specs().join("openbadges-3.0/examples").join(name)
}

fn badgemesh(dir: &Path, args: &[&str]) -> Output {
    badgemesh_stdin(dir, args, None)
}

fn badgemesh_stdin(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_badgemesh"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("BADGEMESH_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// A one-line reason on standard error, as the CLI promises.
fn assert_one_line_reason(o: &Output) {
    let err = stderr(o);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.starts_with("badgemesh: "), "{err}");
}

fn init_node() -> (tempfile::TempDir, PathBuf, String) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("node");
    let out = badgemesh(&dir, &["init"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let did = stdout(&out).lines().next().unwrap_or_default().trim().to_owned();
    (tmp, dir, did)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn init_creates_a_private_key_and_refuses_to_run_twice() {
    let (_tmp, dir, did) = init_node();
    assert!(did.starts_with("did:key:z6Mk"), "{did}");
    let key_file = dir.join("node.key");
    let before = std::fs::read(&key_file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    }
    let again = badgemesh(&dir, &["init"]);
    assert_eq!(again.status.code(), Some(1));
    assert_one_line_reason(&again);
    assert_eq!(std::fs::read(&key_file).unwrap(), before, "init changed an existing node");
}

#[test]
fn init_refuses_a_directory_that_is_not_empty() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
    let out = badgemesh(tmp.path(), &["init"]);
    assert_eq!(out.status.code(), Some(1));
    assert_one_line_reason(&out);
    assert!(!tmp.path().join("node.key").exists());
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1, "nothing was written");
}

#[test]
fn data_dir_comes_from_the_environment_too() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("env-node");
    let out = Command::new(env!("CARGO_BIN_EXE_badgemesh"))
        .arg("init")
        .env("BADGEMESH_DATA_DIR", &dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.join("node.key").exists());
}

#[test]
fn did_prints_the_did_document() {
    let (_tmp, dir, did) = init_node();
    let out = badgemesh(&dir, &["did"]);
    assert!(out.status.success());
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["id"], did);
    assert_eq!(doc["assertionMethod"][0], doc["verificationMethod"][0]["id"]);
    let missing = badgemesh(&dir.join("nowhere"), &["did"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_one_line_reason(&missing);
    assert!(stderr(&missing).contains("badgemesh init"));
}

#[test]
fn sign_then_verify_in_both_formats() {
    let (tmp, dir, did) = init_node();
    let input = example("complete-openbadgecredential.json");
    let mut unsigned: Value =
        serde_json::from_str(&std::fs::read_to_string(&input).unwrap()).unwrap();
    unsigned.as_object_mut().unwrap().remove("credentialStatus");
    let input = write(tmp.path(), "unsigned.json", &unsigned.to_string());
    let signed = badgemesh(&dir, &["sign", input.to_str().unwrap()]);
    assert!(signed.status.success(), "{}", stderr(&signed));
    let doc: Value = serde_json::from_str(&stdout(&signed)).unwrap();
    assert_eq!(doc["issuer"]["id"], did);
    assert_eq!(doc["issuer"]["name"], unsigned["issuer"]["name"], "other Profile fields are kept");
    assert_eq!(doc["proof"][0]["cryptosuite"], "eddsa-rdfc-2022");
    let file = write(tmp.path(), "signed.json", &stdout(&signed));
    let report = badgemesh(&dir, &["verify", file.to_str().unwrap()]);
    assert_eq!(report.status.code(), Some(0), "{}", stdout(&report));
    let report: Value = serde_json::from_str(&stdout(&report)).unwrap();
    assert_eq!(report["outcome"], "valid");
    let names: Vec<&str> =
        report["checks"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "parse",
            "context",
            "type",
            "schema",
            "proof",
            "issuer",
            "validity",
            "status",
            "endorsements"
        ]
    );

    // From standard input, as a VC-JWT.
    let text = std::fs::read_to_string(&input).unwrap();
    let jwt = badgemesh_stdin(&dir, &["sign", "--format", "jwt", "-"], Some(&text));
    assert!(jwt.status.success(), "{}", stderr(&jwt));
    assert_eq!(stdout(&jwt).trim().split('.').count(), 3);
    let verified = badgemesh_stdin(&dir, &["verify", "-"], Some(&stdout(&jwt)));
    assert_eq!(verified.status.code(), Some(0), "{}", stdout(&verified));
}

#[test]
fn sign_refuses_what_is_not_a_valid_credential() {
    let (tmp, dir, _) = init_node();
    let cases = [
        ("not-json.json", "{not json".to_owned()),
        ("array.json", "[1, 2]".to_owned()),
        ("wrong-type.json", json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}).to_string()),
        ("no-subject.json", {
            let mut d: Value = serde_json::from_str(&std::fs::read_to_string(example("basic-openbadgecredential.json")).unwrap()).unwrap();
            d.as_object_mut().unwrap().remove("credentialSubject");
            d.to_string()
        }),
    ];
    for (name, text) in cases {
        let file = write(tmp.path(), name, &text);
        let out = badgemesh(&dir, &["sign", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        assert_one_line_reason(&out);
        assert!(stdout(&out).is_empty(), "{name}: nothing is printed on failure");
    }
    let missing = badgemesh(&dir, &["sign", "/nonexistent/file.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert_one_line_reason(&missing);
}

#[test]
fn verify_exit_codes_tell_invalid_from_unknown() {
    let (tmp, dir, _) = init_node();
    let signed =
        badgemesh(&dir, &["sign", example("basic-openbadgecredential.json").to_str().unwrap()]);
    let mut doc: Value = serde_json::from_str(&stdout(&signed)).unwrap();
    doc["name"] = json!("Forged");
    let tampered = write(tmp.path(), "tampered.json", &doc.to_string());
    let out = badgemesh(&dir, &["verify", tampered.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["outcome"], "invalid");

    doc["@context"].as_array_mut().unwrap().push(json!("https://unknown.example/ctx.json"));
    let unknown = write(tmp.path(), "unknown.json", &doc.to_string());
    assert_eq!(badgemesh(&dir, &["verify", unknown.to_str().unwrap()]).status.code(), Some(2));
    let garbage = write(tmp.path(), "garbage.json", "\u{1}\u{2}garbage");
    assert_eq!(badgemesh(&dir, &["verify", garbage.to_str().unwrap()]).status.code(), Some(2));
    let missing = badgemesh(&dir, &["verify", "/nonexistent.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert_one_line_reason(&missing);
}

#[test]
fn verify_uses_a_given_status_list_and_reports_skipped_without_one() {
    let list_dir = specs().join("openbadges-3.0/validator-samples/bit-string-list");
    let credential = list_dir.join("credential-status-revoked.json");
    let list = list_dir.join("testlist.json");
    let tmp = tempfile::tempdir().unwrap();
    // The samples' https issuer publishes the validator's test key; pin that document.
    let key = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";
    let issuer = "https://1edtech.edu/issuers/565049";
    let vm = format!("{issuer}#{key}");
    let controller = write(
        tmp.path(),
        "issuer.json",
        &json!({"id": issuer, "verificationMethod": [{"id": vm, "type": "Multikey", "controller": issuer, "publicKeyMultibase": key}], "assertionMethod": [vm]}).to_string(),
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&credential).unwrap()).unwrap();
    let url = doc["credentialStatus"]["statusListCredential"].as_str().unwrap();
    let base = ["verify", "--controller", controller.to_str().unwrap()];
    let with_list = format!("{url}={}", list.display());
    let mut args = base.to_vec();
    args.extend(["--status-list", &with_list, credential.to_str().unwrap()]);
    let out = badgemesh(tmp.path(), &args);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("revoked: bit 23 set"));

    let mut args = base.to_vec();
    args.push(credential.to_str().unwrap());
    let out = badgemesh(tmp.path(), &args);
    assert_eq!(out.status.code(), Some(2), "no list held: status unknown");
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let status =
        report["checks"].as_array().unwrap().iter().find(|c| c["name"] == "status").unwrap();
    assert_eq!(status["status"], "skipped");
}

#[test]
fn verify_checks_presentation_challenge_and_domain() {
    let (tmp, dir, _) = init_node();
    let signed =
        badgemesh(&dir, &["sign", example("basic-openbadgecredential.json").to_str().unwrap()]);
    let vc: Value = serde_json::from_str(&stdout(&signed)).unwrap();
    let key = badgemesh_node::keys::load(&dir).unwrap();
    let vp = vc_schemas::presentation::build(None, key.controller(), &[vc]);
    let binding = vc_schemas::presentation::Binding {
        challenge: Some("c-123".into()),
        domains: vec!["verifier.example".into()],
        created: chrono::Utc::now(),
    };
    let vp =
        futures::executor::block_on(vc_schemas::presentation::sign(&vp, &key, &binding)).unwrap();
    let file = write(tmp.path(), "vp.json", &vp.to_string());
    let path = file.to_str().unwrap();
    let ok =
        badgemesh(&dir, &["verify", "--challenge", "c-123", "--domain", "verifier.example", path]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    let wrong =
        badgemesh(&dir, &["verify", "--challenge", "other", "--domain", "verifier.example", path]);
    assert_eq!(wrong.status.code(), Some(1));
}

fn validator_sample(name: &str) -> PathBuf {
    specs().join("openbadges-3.0/validator-samples").join(name)
}

fn report_of(o: &Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn check_reason(report: &Value, name: &str) -> String {
    let checks = report["checks"].as_array().unwrap();
    let check = checks.iter().find(|c| c["name"] == name).unwrap();
    check["reason"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn verify_reads_the_validators_baked_badges() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["simple-json.png", "simple-json.svg"] {
        // The https issuer's key is not fetched: pin the controller document it publishes, a
        // Multikey whose key is the proof's verification method fragment.
        let baked = std::fs::read(validator_sample(name)).unwrap();
        let text = vc_schemas::bake::unbake(&baked).unwrap().unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let vm = doc["proof"][0]["verificationMethod"].as_str().unwrap();
        let (issuer, key) = vm.split_once('#').unwrap();
        let controller = write(
            tmp.path(),
            &format!("{name}.issuer.json"),
            &json!({"id": issuer, "verificationMethod": [{"id": vm, "type": "Multikey", "controller": issuer, "publicKeyMultibase": key}], "assertionMethod": [vm]}).to_string(),
        );
        let path = validator_sample(name);
        let out = badgemesh(
            tmp.path(),
            &["verify", "--controller", controller.to_str().unwrap(), path.to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(0), "{name}: {}{}", stdout(&out), stderr(&out));
    }
    // The VC-JWT badges carry their RSA key in the JWS header: no extra input.
    for name in ["simple-jwt.png", "simple-jwt.svg"] {
        let out = badgemesh(tmp.path(), &["verify", validator_sample(name).to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}{}", stdout(&out), stderr(&out));
        assert!(check_reason(&report_of(&out), "proof").contains("RS256"), "{name}");
    }
    // Told by content, not by name, from a file or standard input.
    let renamed = tmp.path().join("badge.json");
    std::fs::copy(validator_sample("simple-jwt.png"), &renamed).unwrap();
    let out = badgemesh(tmp.path(), &["verify", renamed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let svg = std::fs::read_to_string(validator_sample("simple-jwt.svg")).unwrap();
    let out = badgemesh_stdin(tmp.path(), &["verify", "-"], Some(&svg));
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn verify_refuses_an_image_with_no_credential_or_two() {
    let tmp = tempfile::tempdir().unwrap();
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, 1, 1);
        encoder.set_color(png::ColorType::Grayscale);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[0]).unwrap();
    }
    let plain = tmp.path().join("plain.png");
    std::fs::write(&plain, &png).unwrap();
    let out = badgemesh(tmp.path(), &["verify", plain.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_one_line_reason(&out);
    assert!(stderr(&out).contains("no credential baked in"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());

    let token = std::fs::read_to_string(validator_sample("simple.jwt.txt")).unwrap();
    let token = token.trim();
    let two = write(
        tmp.path(),
        "two.svg",
        &format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential verify="{token}"/><openbadges:credential><![CDATA[{token}]]></openbadges:credential></svg>"#
        ),
    );
    let out = badgemesh(tmp.path(), &["verify", two.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_one_line_reason(&out);
    assert!(stderr(&out).contains("2 credentials baked in"), "{}", stderr(&out));
}

/// The public RSA key in the JWS header of the `simple-jwt.png` sample, as a JWK file.
fn sample_rsa_jwk(dir: &Path) -> PathBuf {
    let baked = std::fs::read(validator_sample("simple-jwt.png")).unwrap();
    let token = vc_schemas::bake::unbake(&baked).unwrap().unwrap();
    let decoded = vc_schemas::proof::jwt::decode(&token).unwrap();
    write(dir, "sample-rsa.jwk", &decoded.header()["jwk"].to_string())
}

#[test]
fn verify_simple_jwt_txt_cannot_be_checked() {
    // It names no key, no file of the samples holds the key that signed it, and its credential
    // names a draft context that is not embedded: could not check, never valid.
    let tmp = tempfile::tempdir().unwrap();
    let sample = validator_sample("simple.jwt.txt");
    let out = badgemesh(tmp.path(), &["verify", sample.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(check_reason(&report_of(&out), "context").contains("unknown JSON-LD context"));
    let jwk = sample_rsa_jwk(tmp.path());
    let out = badgemesh(
        tmp.path(),
        &["verify", "--jwk", jwk.to_str().unwrap(), sample.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
}

#[test]
fn verify_jwk_checks_a_token_that_names_no_key() {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let tmp = tempfile::tempdir().unwrap();
    let credential = std::fs::read_to_string(example("basic-openbadgecredential.json")).unwrap();
    let credential: Value = serde_json::from_str(&credential).unwrap();
    let key = vc_schemas::key::Ed25519Key::did_key_from_seed(&[5; 32]);
    let header = json!({"alg": "EdDSA", "typ": "JWT"});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(credential.to_string())
    );
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(key.sign(input.as_bytes())));
    let file = write(tmp.path(), "keyless.jwt", &token);
    let file = file.to_str().unwrap();
    let jwk = |name: &str, x: &[u8]| {
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(x)});
        write(tmp.path(), name, &jwk.to_string())
    };
    let right = jwk("right.jwk", key.public_key().as_bytes());
    let other = vc_schemas::key::Ed25519Key::did_key_from_seed(&[6; 32]);
    let wrong = jwk("wrong.jwk", other.public_key().as_bytes());

    let out = badgemesh(tmp.path(), &["verify", file]);
    assert_eq!(out.status.code(), Some(2), "no key: {}", stdout(&out));
    assert!(check_reason(&report_of(&out), "proof").contains("names none"));
    let out = badgemesh(tmp.path(), &["verify", "--jwk", right.to_str().unwrap(), file]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(check_reason(&report_of(&out), "proof").contains("the key the verifier supplied"));
    let out = badgemesh(tmp.path(), &["verify", "--jwk", wrong.to_str().unwrap(), file]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    // An RSA key for an EdDSA token: alg confusion is refused, not tried.
    let rsa = sample_rsa_jwk(tmp.path());
    let out = badgemesh(tmp.path(), &["verify", "--jwk", rsa.to_str().unwrap(), file]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(check_reason(&report_of(&out), "proof").contains("does not match the RSA key"));
    // A symmetric key is not a verifier's key.
    let oct = write(tmp.path(), "oct.jwk", &json!({"kty": "oct", "k": "c2VjcmV0"}).to_string());
    let out = badgemesh(tmp.path(), &["verify", "--jwk", oct.to_str().unwrap(), file]);
    assert_eq!(out.status.code(), Some(2));
    assert_one_line_reason(&out);
}
