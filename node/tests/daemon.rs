//! Real `badgemesh run` processes on loopback ports: the CLI verbs against the running node,
//! e-mail through a real SMTP server, the claim pages, TLS, overrides and clean shutdown.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    io,
    net::{IpAddr, TcpListener},
    process::Output,
    sync::{Arc, Mutex},
    time::Duration,
};

use common::{Node, badgemesh, wait_for};
use serde_json::{Value, json};

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn create_achievement(node: &Node, name: &str) -> String {
    let out = ok(&node.cli(&[
        "achievement",
        "create",
        "--name",
        name,
        "--description",
        "Welds steel safely.",
        "--criteria",
        "Pass the practical exam.",
        "--tag",
        "trade",
    ]));
    let record: Value = serde_json::from_str(&out).unwrap();
    record["uuid"].as_str().unwrap().to_owned()
}

#[test]
fn the_cli_verbs_drive_the_running_node() {
    let node = Node::start(&[]);
    ok(&node.cli(&[
        "profile",
        "--name",
        "Example Trade School",
        "--url",
        "https://school.example",
    ]));
    let id = create_achievement(&node, "Welding");
    let list = ok(&node.cli(&["achievement", "list"]));
    assert!(list.contains(&id) && list.contains("Welding"), "{list}");

    let out = ok(&node.cli(&[
        "award",
        &id,
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "--narrative",
        "Clean beads.",
    ]));
    let awarded: Value = serde_json::from_str(&out).unwrap();
    let vc = &awarded["credential"];
    assert_eq!(vc["issuer"]["id"], node.did);
    assert_eq!(vc["issuer"]["name"], "Example Trade School");
    let uuid = awarded["uuid"].as_str().unwrap().to_owned();

    // The CLI's verify also works on saved copies of the list: valid with it, invalid with the
    // list fetched after the revocation (without any list and without a node: exit 2, cli.rs).
    let saved = node.dir.join("awarded.json");
    std::fs::write(&saved, vc.to_string()).unwrap();
    let list_url = vc["credentialStatus"]["statusListCredential"].as_str().unwrap().to_owned();
    assert!(list_url.starts_with(&node.url), "{list_url} is served by this node");
    let save_list = |name: &str| {
        let path = node.dir.join(name);
        std::fs::write(&path, Node::client().get(&list_url).send().unwrap().bytes().unwrap())
            .unwrap();
        path.to_str().unwrap().to_owned()
    };
    let verify = |list: Option<&str>| {
        let mut args = vec!["verify", saved.to_str().unwrap()];
        if let Some(l) = list {
            args.extend(["--status-list", l]);
        }
        node.cli(&args).status.code()
    };
    // With the node running, `verify` uses the lists it holds (here its own).
    assert_eq!(verify(None), Some(0));
    let before = save_list("list-before.json");
    assert_eq!(verify(Some(&before)), Some(0));

    let listed = ok(&node.cli(&["credentials", "--achievement", &id]));
    assert!(listed.contains(&uuid) && listed.contains("active"), "{listed}");
    let revoked = ok(&node.cli(&["revoke", &uuid, "--reason", "issued in error"]));
    assert!(revoked.contains("revoked"), "{revoked}");
    let listed = ok(&node.cli(&["credentials", "--status", "revoked"]));
    assert!(listed.contains(&uuid), "{listed}");

    assert_eq!(verify(None), Some(1), "the running node's list has the bit");
    let after = save_list("list-after.json");
    assert_eq!(verify(Some(&after)), Some(1));
    assert_eq!(verify(Some(&before)), Some(0), "the older list does not know yet");
    let verdict = Node::client()
        .post(format!("{}/credentials/verify", node.url))
        .json(&json!({"verifiableCredential": vc, "options": {"checks": ["proof", "credentialStatus"]}}))
        .send()
        .unwrap();
    assert_eq!(verdict.status(), 422);

    // Errors: one line, non-zero.
    let out = node.cli(&["revoke", &uuid]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("conflict") || err.contains("already"), "{err}");
    let out = node.cli(&["award", "no-such-achievement", "someone@example.org"]);
    assert!(!out.status.success());
}

#[test]
fn csv_awards_report_bad_rows_by_line_and_award_the_rest() {
    let node = Node::start(&[]);
    let id = create_achievement(&node, "Forklift");
    let mut csv = String::from("recipient,narrative\n");
    for i in 0..600 {
        if i == 17 || i == 420 {
            csv.push_str("not an address,\n");
        } else {
            csv.push_str(&format!("learner{i}@example.org,Row {i}\n"));
        }
    }
    let file = node.dir.join("awards.csv");
    std::fs::write(&file, csv).unwrap();
    let out = node.cli(&["award", "--csv", file.to_str().unwrap(), &id]);
    assert_eq!(out.status.code(), Some(1), "refused rows make the run exit 1");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 598);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("line 19:") && stderr.contains("line 422:"), "{stderr}");
    assert!(stderr.contains("awarded 598 of 600"), "{stderr}");
    let page: Value =
        node.get(&format!("/api/v1/credentials?achievement={id}&limit=500")).json().unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 500);
    assert!(page["next"].is_u64());
}

/// A real SMTP server on loopback that keeps every message it receives.
#[derive(Clone, Default)]
struct Inbox {
    messages: Arc<Mutex<Vec<String>>>,
    current: Vec<u8>,
}

impl mailin_embedded::Handler for Inbox {
    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        let text = String::from_utf8_lossy(&std::mem::take(&mut self.current)).into_owned();
        self.messages.lock().unwrap().push(text);
        mailin_embedded::response::OK
    }

    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> mailin_embedded::Response {
        mailin_embedded::response::OK
    }
}

fn smtp_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    (addr, serve_smtp(listener))
}

/// Serves SMTP on `listener` in a thread; the messages it receives.
fn serve_smtp(listener: TcpListener) -> Arc<Mutex<Vec<String>>> {
    let inbox = Inbox::default();
    let messages = inbox.messages.clone();
    let mut server = mailin_embedded::Server::new(inbox);
    server.with_name("smtp.test").with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    messages
}

/// The claim link in a message (quoted-printable soft breaks undone).
fn claim_link(message: &str) -> String {
    let text = message.replace("=\r\n", "").replace("=3D", "=");
    let start = text.find("http").unwrap();
    let link: String = text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    assert!(link.contains("/claim/"), "{link}");
    link
}

#[test]
fn an_emailed_award_is_claimed_once_and_downloads_verify() {
    let (relay, messages) = smtp_server();
    let node = Node::start(&["--smtp-relay", &relay]);
    let id = create_achievement(&node, "Soldering");
    let awarded: Value = node
        .post("/api/v1/awards", &json!({"achievement": id, "recipient": "ada@example.org"}))
        .json()
        .unwrap();
    let mail = wait_for("the award notice", Duration::from_secs(30), || {
        messages.lock().unwrap().first().cloned()
    });
    assert!(mail.contains("ada@example.org"), "{mail}");
    assert!(mail.contains("Soldering"), "{mail}");
    let link = claim_link(&mail);
    assert_eq!(link, awarded["claimUrl"].as_str().unwrap());

    let client = Node::client();
    let page = client.get(&link).send().unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().unwrap();
    assert!(html.contains("Soldering") && html.contains("accept"), "{html}");
    // Nothing to download before accepting.
    assert_eq!(client.get(format!("{link}/credential.json")).send().unwrap().status(), 409);
    assert_eq!(client.post(format!("{link}/accept")).send().unwrap().status(), 200);
    // A decision is final.
    assert_eq!(client.post(format!("{link}/refuse")).send().unwrap().status(), 409);
    assert_eq!(client.post(format!("{link}/accept")).send().unwrap().status(), 409);

    let json_copy: Value =
        client.get(format!("{link}/credential.json")).send().unwrap().json().unwrap();
    assert_eq!(json_copy, awarded["credential"]);
    let png = client.get(format!("{link}/badge.png")).send().unwrap().bytes().unwrap();
    let baked = vc_schemas::bake::unbake_png(&png).unwrap().unwrap();
    let svg = client.get(format!("{link}/badge.svg")).send().unwrap().text().unwrap();
    let baked_svg = vc_schemas::bake::unbake_svg(&svg).unwrap().unwrap();
    for text in [baked, baked_svg] {
        let vc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(vc, awarded["credential"]);
        let verdict = client
            .post(format!("{}/credentials/verify", node.url))
            .json(&json!({"verifiableCredential": vc}))
            .send()
            .unwrap();
        assert_eq!(verdict.status(), 200);
    }
    let record: Value = node
        .get(&format!("/api/v1/credentials/{}", awarded["uuid"].as_str().unwrap()))
        .json()
        .unwrap();
    assert_eq!(record["claim"], "accepted");

    // A second award, refused.
    let second: Value = node
        .post("/api/v1/awards", &json!({"achievement": id, "recipient": "bob@example.org"}))
        .json()
        .unwrap();
    let link = second["claimUrl"].as_str().unwrap();
    assert_eq!(client.post(format!("{link}/refuse")).send().unwrap().status(), 200);
    assert_eq!(client.get(format!("{link}/badge.png")).send().unwrap().status(), 409);
    wait_for("the second notice", Duration::from_secs(30), || {
        (messages.lock().unwrap().len() == 2).then_some(())
    });
    assert_eq!(
        client.get(format!("{}/claim/forged-token", node.url)).send().unwrap().status(),
        404
    );
}

#[test]
fn notices_wait_for_a_relay_that_is_down_and_go_out_when_it_returns() {
    // Reserve a port, then leave it closed while the node starts.
    let spare = TcpListener::bind("127.0.0.1:0").unwrap();
    let relay = spare.local_addr().unwrap().to_string();
    drop(spare);
    let node = Node::start(&["--smtp-relay", &relay]);
    let id = create_achievement(&node, "Patience");
    let status = node
        .post("/api/v1/awards", &json!({"achievement": id, "recipient": "eve@example.org"}))
        .status();
    assert_eq!(status, 201, "the award does not wait for mail");
    let messages = serve_smtp(TcpListener::bind(&relay).unwrap());
    wait_for("the queued notice", Duration::from_secs(60), || {
        messages.lock().unwrap().first().cloned()
    });
}

#[test]
fn sigterm_stops_the_node_cleanly_and_everything_is_there_after_a_restart() {
    let mut node = Node::start(&[]);
    let id = create_achievement(&node, "Persistence");
    let awarded: Value = node
        .post("/api/v1/awards", &json!({"achievement": id, "recipient": "p@example.org"}))
        .json()
        .unwrap();
    let status = node.terminate();
    assert!(status.success(), "exit status {status:?}");
    assert!(!node.dir.join("node.url").exists(), "node.url is removed on shutdown");
    let out = node.cli(&["credentials"]);
    assert!(!out.status.success(), "the CLI says the node is not running");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("badgemesh run"), "{err}");

    let dir = node.dir.clone();
    let again = Node::run_in(&dir, &[]);
    // A second node on the same directory is refused, and the first one keeps its URL file.
    let url_before = std::fs::read_to_string(dir.join("node.url")).unwrap();
    let second = badgemesh(&dir, &["run", "--http", "127.0.0.1:0", "--no-p2p"]);
    assert!(!second.status.success());
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("another badgemesh node is running"), "{err}");
    assert_eq!(std::fs::read_to_string(dir.join("node.url")).unwrap(), url_before);
    let record: Value = again
        .get(&format!("/api/v1/credentials/{}", awarded["uuid"].as_str().unwrap()))
        .json()
        .unwrap();
    assert_eq!(record["credential"], awarded["credential"]);
    drop(node);
}

#[test]
fn environment_and_flags_override_the_config_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("node");
    ok(&badgemesh(&dir, &["init"]));
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_badgemesh"))
        .args(["--data-dir", dir.to_str().unwrap(), "run", "--no-p2p"])
        .env("BADGEMESH_HTTP", format!("127.0.0.1:{port}"))
        .env("BADGEMESH_PUBLIC_URL", "https://badges.example.edu")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = wait_for("node.url", Duration::from_secs(30), || {
        std::fs::read_to_string(dir.join("node.url")).ok()
    });
    assert_eq!(url, format!("http://127.0.0.1:{port}"));
    let token = std::fs::read_to_string(dir.join("api.token")).unwrap();
    let node: Value = Node::client()
        .get(format!("{url}/api/v1/node"))
        .bearer_auth(token.trim())
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(node["publicUrl"], "https://badges.example.edu");
    child.kill().unwrap();
    child.wait().unwrap();

    // A broken config file stops the node with the line of the mistake.
    std::fs::write(dir.join("config.toml"), "[http]\nlisten = \"127.0.0.1:1\"\nlisten_typo = 3\n")
        .unwrap();
    let out = badgemesh(&dir, &["run"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn tls_self_signed_serves_https_and_the_cli_follows() {
    let node = Node::start(&["--tls-self-signed"]);
    assert!(node.url.starts_with("https://127.0.0.1:"), "{}", node.url);
    let id = create_achievement(&node, "Encryption");
    assert!(ok(&node.cli(&["achievement", "show", &id])).contains("Encryption"));
    let cert = std::fs::read(node.dir.join("tls/cert.pem")).unwrap();
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .tls_certs_only([reqwest::Certificate::from_pem(&cert).unwrap()])
        .build()
        .unwrap();
    let health: Value = client.get(format!("{}/healthz", node.url)).send().unwrap().json().unwrap();
    assert_eq!(health["status"], "ok");
    let key_mode = std::fs::metadata(node.dir.join("tls/key.pem")).unwrap();
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&key_mode.permissions()) & 0o777, 0o600);
    // Plain HTTP on the TLS port is not served.
    let plain = node.url.replace("https://", "http://");
    let answer = Node::client().get(format!("{plain}/healthz")).send();
    assert!(answer.is_err() || !answer.unwrap().status().is_success());
}

/// `badgemesh wallet …` against a running node: import, accept, list, present, bake.
#[test]
fn the_wallet_from_the_command_line() {
    let node = Node::start(&[]);
    let a = node.post("/api/v1/achievements", &common::achievement_body("Carpentry"));
    let a: Value = a.json().unwrap();
    let award =
        node.post("/api/v1/awards", &json!({"achievement": a["uuid"], "recipient": node.did}));
    let credential = award.json::<Value>().unwrap()["credential"].clone();
    let id = credential["id"].as_str().unwrap().to_owned();
    let file = node.dir.join("carpentry.json");
    std::fs::write(&file, credential.to_string()).unwrap();
    let garbage = node.dir.join("notes.txt");
    std::fs::write(&garbage, "hello").unwrap();

    let imported = node.cli(&["wallet", "import", file.to_str().unwrap()]);
    assert_eq!(ok(&imported).trim(), id);
    let bad = node.cli(&["wallet", "import", garbage.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("notes.txt"));
    let pending = ok(&node.cli(&["wallet", "list", "--state", "pending"]));
    assert!(pending.contains(&id) && pending.contains("Carpentry"), "{pending}");
    assert!(ok(&node.cli(&["wallet", "accept", &id])).contains("accepted"));
    assert_eq!(node.cli(&["wallet", "accept", &id]).status.code(), Some(1), "once");
    let listed: Value =
        serde_json::from_str(&ok(&node.cli(&["wallet", "list", "--json", "--search", "carp"])))
            .unwrap();
    assert_eq!(listed["items"][0]["id"], id.as_str());
    let shown: Value = serde_json::from_str(&ok(&node.cli(&["wallet", "show", &id]))).unwrap();
    assert_eq!(shown["summary"]["name"], "Carpentry");

    let vp: Value = serde_json::from_str(&ok(&node.cli(&[
        "wallet",
        "present",
        "--challenge",
        "c-1",
        "--domain",
        "v.example",
        &id,
    ])))
    .unwrap();
    assert_eq!(vp["holder"], node.did.as_str());
    assert!(vp["proof"].to_string().contains(r#""challenge":"c-1""#), "{vp}");

    let selfie = ok(&node.cli(&[
        "wallet",
        "selfie",
        "--name",
        "Sourdough",
        "--description",
        "Bakes bread.",
        "--criteria",
        "Baked twelve loaves.",
        "--evidence",
        "https://example.org/loaves",
    ]));
    let selfie_id = selfie.trim().to_owned();
    let shown: Value =
        serde_json::from_str(&ok(&node.cli(&["wallet", "show", &selfie_id]))).unwrap();
    assert_eq!(shown["item"]["origin"], "selfIssued");
    assert_eq!(shown["item"]["state"], "accepted");
    assert_eq!(shown["summary"]["selfIssued"], true);
    assert_eq!(shown["verification"]["report"]["outcome"], "valid", "{shown}");
    let refused =
        node.cli(&["wallet", "selfie", "--name", " ", "--description", "d", "--criteria", "c"]);
    assert_eq!(refused.status.code(), Some(1), "refused by the node");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("needs a name"));

    let out = node.dir.join("carpentry.png");
    ok(&node.cli(&["wallet", "bake", &id, "--format", "png", "--out", out.to_str().unwrap()]));
    let baked = vc_schemas::bake::unbake(&std::fs::read(&out).unwrap()).unwrap().unwrap();
    assert_eq!(serde_json::from_str::<Value>(&baked).unwrap(), credential);
}

#[test]
fn a_wallet_backup_makes_another_node_the_same_holder() {
    use common::badgemesh_with;
    let node = Node::start(&[]);
    let id = ok(&node.cli(&[
        "wallet",
        "selfie",
        "--name",
        "Beekeeping",
        "--description",
        "Keeps bees.",
        "--criteria",
        "Two summers of hives.",
    ]))
    .trim()
    .to_owned();
    let url = ok(&node.cli(&["wallet", "publish", &id])).trim().to_owned();
    assert!(url.contains("/b/"), "{url}");
    let page = ok(&node.cli(&["wallet", "page", "create", "--title", "Outdoors", &id]));
    assert!(page.contains("/p/"), "{page}");

    let pass = [("BADGEMESH_PASSPHRASE", "correct horse battery")];
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("wallet.age");
    let file_arg = file.to_str().unwrap();
    ok(&badgemesh_with(&node.dir, &["wallet", "backup", "--out", file_arg], &pass));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the backup is owner-only");
    }
    let no_pass = node.cli(&["wallet", "backup", "--out", file_arg]);
    assert_ne!(no_pass.status.code(), Some(0), "no terminal and no BADGEMESH_PASSPHRASE");
    assert!(String::from_utf8_lossy(&no_pass.stderr).contains("BADGEMESH_PASSPHRASE"));

    // A wrong passphrase is a clear error and leaves no node behind.
    let copy = tmp.path().join("copy");
    let wrong = badgemesh_with(
        &copy,
        &["init", "--restore", file_arg],
        &[("BADGEMESH_PASSPHRASE", "wrong horse battery")],
    );
    assert_ne!(wrong.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("wrong passphrase"));
    assert!(!copy.exists(), "nothing was created");

    // The right one makes a node that is the same holder, with the badge and the page.
    let made = badgemesh_with(&copy, &["init", "--restore", file_arg], &pass);
    assert!(ok(&made).starts_with(&node.did), "the same DID");
    assert!(String::from_utf8_lossy(&made.stderr).contains("restored 1 badges and 1 pages"));
    drop(node);
    let restored = Node::run_in(&copy, &[]);
    assert_eq!(restored.did.as_str(), url_did(&restored));
    let listed = ok(&restored.cli(&["wallet", "list"]));
    assert!(listed.contains(&id) && listed.contains("Beekeeping"), "{listed}");
    let share = &url[url.find("/b/").unwrap()..];
    let public = Node::client().get(format!("{}{share}", restored.url)).send().unwrap();
    assert_eq!(public.status(), 200, "the public page moved with it");
    let vp: Value =
        serde_json::from_str(&ok(&restored.cli(&["wallet", "present", "--challenge", "c-9", &id])))
            .unwrap();
    assert_eq!(vp["holder"], restored.did.as_str());

    // Restored into a running node of another holder: the badges are added, the key is not.
    let other = Node::start(&[]);
    let merged = badgemesh_with(&other.dir, &["wallet", "restore", file_arg], &pass);
    assert!(ok(&merged).contains("restored 1 badges (0 held already) and 1 pages"));
    assert!(String::from_utf8_lossy(&merged.stderr).contains("not this node"));
    let again = badgemesh_with(&other.dir, &["wallet", "restore", file_arg], &pass);
    assert!(ok(&again).contains("restored 0 badges (1 held already) and 0 pages"));
}

/// The DID the node's API reports.
fn url_did(node: &Node) -> String {
    let info: Value = node.get("/api/v1/node").json().unwrap();
    info["did"].as_str().unwrap().to_owned()
}

#[test]
fn a_claim_link_pasted_into_another_nodes_wallet_claims_the_badge() {
    let issuer = Node::start(&[]);
    let earner = Node::start(&[]);
    let id = create_achievement(&issuer, "Scaffolding");
    let award = |email: &str| -> Value {
        issuer
            .post("/api/v1/awards", &json!({"achievement": id, "recipient": email}))
            .json()
            .unwrap()
    };
    let first = award("ada@example.org");
    let link = first["claimUrl"].as_str().unwrap();
    let claimed = ok(&earner.cli(&["wallet", "claim", link]));
    assert_eq!(claimed.trim(), first["credential"]["id"].as_str().unwrap());
    let listed = ok(&earner.cli(&["wallet", "list"]));
    assert!(listed.contains("Scaffolding") && listed.contains("accepted"), "{listed}");
    let record: Value = issuer
        .get(&format!("/api/v1/credentials/{}", first["uuid"].as_str().unwrap()))
        .json()
        .unwrap();
    assert_eq!(record["claim"], "accepted", "the issuer was told");
    let again = ok(&earner.cli(&["wallet", "claim", link]));
    assert!(again.contains("in the wallet already"), "{again}");

    // A refused award, a forged link and a link of another shape are clear errors.
    let second = award("bob@example.org");
    let refused_link = second["claimUrl"].as_str().unwrap();
    Node::client().post(format!("{refused_link}/refuse")).send().unwrap();
    let refused = earner.cli(&["wallet", "claim", refused_link]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("refused"));
    let forged = earner.cli(&["wallet", "claim", &format!("{}/claim/forged", issuer.url)]);
    assert_eq!(forged.status.code(), Some(1));
    let other = earner.cli(&["wallet", "claim", "file:///etc/passwd"]);
    assert_eq!(other.status.code(), Some(1));
    let items: Value = earner.get("/api/v1/inbox").json().unwrap();
    assert_eq!(items["items"].as_array().unwrap().len(), 1, "nothing else was stored");
}
