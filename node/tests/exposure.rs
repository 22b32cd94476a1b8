//! What a running node exposes beyond its API: where it listens, what URL it signs, who can
//! read its files and what its logs say. Real processes in temporary data directories.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    os::unix::fs::PermissionsExt,
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

use common::{Node, badgemesh, wait_for};
use serde_json::{Value, json};

fn init(tmp: &tempfile::TempDir) -> std::path::PathBuf {
    let dir = tmp.path().join("node");
    assert!(badgemesh(&dir, &["init"]).status.success());
    dir
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn listening_on_every_interface_needs_the_setting_and_a_public_url() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init(&tmp);
    let out = badgemesh(&dir, &["run", "--http", "0.0.0.0:0", "--no-p2p"]);
    assert!(!out.status.success());
    let err = stderr_of(&out);
    assert!(err.contains("listen_beyond_loopback"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");

    let out =
        badgemesh(&dir, &["run", "--http", "0.0.0.0:0", "--listen-beyond-loopback", "--no-p2p"]);
    assert!(!out.status.success());
    let err = stderr_of(&out);
    assert!(err.contains("--public-url") && err.contains("0.0.0.0"), "{err}");

    let out = badgemesh(
        &dir,
        &["run", "--http", "127.0.0.1:0", "--public-url", "javascript:alert(1)", "--no-p2p"],
    );
    assert!(!out.status.success());
    assert!(stderr_of(&out).contains("--public-url"), "{}", stderr_of(&out));
    assert!(!dir.join("node.url").exists(), "nothing started");
}

#[test]
fn a_node_beyond_loopback_warns_and_signs_its_public_url() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init(&tmp);
    let child = Command::new(env!("CARGO_BIN_EXE_badgemesh"))
        .args(["--data-dir", dir.to_str().unwrap(), "run", "--no-p2p", "--listen-beyond-loopback"])
        .args(["--http", "0.0.0.0:0", "--public-url", "https://badges.example.edu"])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = wait_for("node.url", Duration::from_secs(30), || {
        std::fs::read_to_string(dir.join("node.url")).ok()
    });
    assert!(url.starts_with("http://127.0.0.1:"), "local clients use loopback: {url}");
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("admin API is reachable"), "{err}");
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every file and directory under `dir`, with its mode.
fn modes(dir: &Path) -> Vec<(String, u32)> {
    let mut out = vec![(dir.display().to_string(), mode(dir))];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(modes(&path));
        } else {
            out.push((path.display().to_string(), mode(&path)));
        }
    }
    out
}

#[test]
fn the_data_directory_is_owner_only_whatever_the_umask_or_its_old_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("node");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = env!("CARGO_BIN_EXE_badgemesh");
    let sh = |args: &str| {
        Command::new("sh")
            .arg("-c")
            .arg(format!("umask 000 && exec '{bin}' --data-dir '{}' {args}", dir.display()))
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    assert!(sh("init").wait().unwrap().success());
    for (path, m) in modes(&dir) {
        let want = if Path::new(&path).is_dir() { 0o700 } else { 0o600 };
        assert_eq!(m, want, "{path} after init: {m:o}");
    }
    // Loosen what an operator might have loosened, then run under umask 000 with TLS (more files).
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.join("config.toml"), std::fs::Permissions::from_mode(0o666))
        .unwrap();
    let mut child =
        sh("run --http 127.0.0.1:0 --tls-self-signed --p2p /ip4/127.0.0.1/tcp/0 --mdns false");
    wait_for("node.url", Duration::from_secs(30), || {
        std::fs::read_to_string(dir.join("node.url")).ok()
    });
    for (path, m) in modes(&dir) {
        let want = if Path::new(&path).is_dir() { 0o700 } else { 0o600 };
        assert_eq!(m, want, "{path} while running: {m:o}");
    }
    assert!(dir.join("badgemesh.redb").exists() && dir.join("tls/cert.pem").exists());
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn tokens_never_reach_the_logs_even_at_debug_level() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init(&tmp);
    let log = tmp.path().join("node.log");
    let child = Command::new(env!("CARGO_BIN_EXE_badgemesh"))
        .args(["--data-dir", dir.to_str().unwrap(), "run", "--http", "127.0.0.1:0", "--no-p2p"])
        .env("BADGEMESH_LOG", "debug,badgemesh_node=trace")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let url = wait_for("node.url", Duration::from_secs(30), || {
        std::fs::read_to_string(dir.join("node.url")).ok()
    });
    let token = std::fs::read_to_string(dir.join("api.token")).unwrap().trim().to_owned();
    let http = Node::client();
    let achievement: Value = http
        .post(format!("{url}/api/v1/achievements"))
        .bearer_auth(&token)
        .json(&common::achievement_body("Logged"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let awarded: Value = http
        .post(format!("{url}/api/v1/awards"))
        .bearer_auth(&token)
        .json(&json!({"achievement": achievement["uuid"], "recipient": "ada@example.org"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let claim = awarded["claimUrl"].as_str().unwrap().to_owned();
    let secret = claim.rsplit('/').next().unwrap().to_owned();
    let claim_path = claim.split_once("/claim/").map(|(_, p)| format!("/claim/{p}")).unwrap();
    assert_eq!(http.get(format!("{url}{claim_path}")).send().unwrap().status(), 200);
    assert_eq!(http.post(format!("{url}{claim_path}/accept")).send().unwrap().status(), 200);
    let _ = http.get(format!("{url}/api/v1/node?token={token}")).send();
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait_with_output();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("/claim/…"), "the requests were logged, masked:\n{text}");
    assert!(!text.contains(&secret), "the claim token is in the log");
    assert!(!text.contains(&token), "the API token is in the log");
}
