//! OpenID4VP 1.0 against implementations nobody on this team wrote, over loopback:
//! - the node as **verifier**: a wallet made of the OpenWallet Foundation's
//!   `@openid4vc/openid4vp` client, `dcql` and the Digital Bazaar Data Integrity stack or
//!   `jose` (`scripts/interop/oid4vp-wallet.mjs`) claims a badge by OpenID4VCI and presents it;
//!   every way it can go wrong is refused and nothing is taken as verified;
//! - the node's wallet as **holder**: `badgemesh wallet respond` answers a request made by the
//!   same library's verifier (`scripts/interop/oid4vp-verifier.mjs`), which checks the
//!   presentation with the JavaScript stacks;
//! - node to node: one node asks, another node's wallet answers.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Command, Stdio},
};

use common::Node;
use serde_json::{Value, json};

fn interop() -> PathBuf {
    common::interop("@openid4vc/openid4vp")
}

fn achievement(node: &Node) -> String {
    let body = json!({"name": "Forklift", "description": "Drives a forklift safely.",
        "criteria": {"narrative": "Passed the practical test."}});
    let a: Value = node.post("/api/v1/achievements", &body).json().unwrap();
    a["uuid"].as_str().unwrap().to_owned()
}

fn offer_url(node: &Node, achievement: &str) -> String {
    let made: Value =
        node.post("/api/v1/offers", &json!({"achievement": achievement})).json().unwrap();
    made["offerUrl"].as_str().unwrap().to_owned()
}

/// A request made from the command line, as a verifier would: its printed JSON.
fn request(node: &Node, extra: &[&str]) -> Value {
    let mut args = vec!["verifier", "request"];
    args.extend_from_slice(extra);
    let out = node.cli(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `badgemesh verifier result ID`: its exit status and report.
fn result(node: &Node, id: &str) -> (i32, Value) {
    let out = node.cli(&["verifier", "result", id]);
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), report)
}

/// Runs the independent wallet: it claims a badge at `offer` and answers `request` in `mode`.
fn js_wallet(offer: &str, request: &str, mode: &str) -> Value {
    common::script(&interop(), "oid4vp-wallet.mjs", &[offer, request, mode])
}

#[test]
fn an_independent_wallet_presents_a_badge_and_the_node_verifies_it() {
    let node = Node::start(&[]);
    let a = achievement(&node);
    for (mode, query) in [("ldp", "badge_ldp_vc"), ("jwt", "badge_jwt_vc_json")] {
        let made = request(&node, &["--issuer", &node.did]);
        let url = made["openid4vpUrl"].as_str().unwrap();
        assert!(url.starts_with("openid4vp://?client_id=redirect_uri%3A"), "{url}");
        let id = made["id"].as_str().unwrap();
        assert_eq!(result(&node, id).0, 2, "nothing received yet");
        // The request's page shows the QR code while it waits.
        let page = Node::client().get(made["pageUrl"].as_str().unwrap()).send().unwrap();
        assert_eq!(page.headers()["refresh"], "3");
        let html = page.text().unwrap();
        assert!(html.contains("<svg") && html.contains("Show your OpenBadgeCredential"), "{html}");

        let answered = js_wallet(&offer_url(&node, &a), url, mode);
        assert_eq!(answered["status"], 200, "{answered}");
        assert_eq!(answered["query"], query);
        let (code, report) = result(&node, id);
        assert_eq!(code, 0, "{report:#}");
        assert_eq!(report["status"], "verified");
        assert_eq!(report["answer"]["holder"], answered["holder"]);
        assert_eq!(report["answer"]["badges"][0]["name"], "Forklift");
        let page = Node::client().get(made["pageUrl"].as_str().unwrap()).send().unwrap();
        assert!(page.headers().get("refresh").is_none(), "an answered page stays still");
        let html = page.text().unwrap();
        assert!(html.contains(">Verified</h1>") && html.contains("Forklift"), "{html}");
    }
}

#[test]
fn bad_answers_are_refused_and_nothing_is_verified() {
    let node = Node::start(&[]);
    let a = achievement(&node);

    // Bound to another nonce or another verifier: refused, and the request stays open.
    let made = request(&node, &[]);
    let (id, url) = (made["id"].as_str().unwrap(), made["openid4vpUrl"].as_str().unwrap());
    for mode in ["wrong-nonce", "wrong-domain"] {
        let answered = js_wallet(&offer_url(&node, &a), url, mode);
        assert_eq!(answered["status"], 400, "{mode}: {answered}");
        assert_eq!(answered["body"]["error"], "invalid_request");
    }
    let (code, report) = result(&node, id);
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(report["refused"].as_array().unwrap().len(), 2, "{report:#}");
    // The page names what was refused, so the verifier sees why nothing arrived.
    let html = Node::client().get(made["pageUrl"].as_str().unwrap()).send().unwrap().text();
    assert!(html.unwrap().contains("Answers refused so far"));
    // The right answer still gets through.
    let answered = js_wallet(&offer_url(&node, &a), url, "ldp");
    assert_eq!(answered["status"], 200, "{answered}");
    assert_eq!(result(&node, id).0, 0);
    // And a request is answered once.
    let again = js_wallet(&offer_url(&node, &a), url, "ldp");
    assert_eq!(again["status"], 400, "{again}");
    assert!(again["body"]["error_description"].as_str().unwrap().contains("answered already"));

    // Someone else's badge, presented by a holder it was not issued to: final, rejected.
    let made = request(&node, &[]);
    let answered =
        js_wallet(&offer_url(&node, &a), made["openid4vpUrl"].as_str().unwrap(), "stranger");
    assert_eq!(answered["status"], 200, "{answered}");
    let (code, report) = result(&node, made["id"].as_str().unwrap());
    assert_eq!(code, 1, "{report:#}");
    assert!(
        report["answer"]["summary"].as_str().unwrap().contains("not to the holder"),
        "{report:#}"
    );

    // A badge from another issuer than the one asked for: rejected.
    let made =
        request(&node, &["--issuer", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"]);
    let answered = js_wallet(&offer_url(&node, &a), made["openid4vpUrl"].as_str().unwrap(), "ldp");
    assert_eq!(answered["status"], 200, "{answered}");
    let (code, report) = result(&node, made["id"].as_str().unwrap());
    assert_eq!(code, 1, "{report:#}");
    assert!(report["answer"]["summary"].as_str().unwrap().starts_with("no Data Integrity"));

    // The user says no.
    let made = request(&node, &[]);
    let answered =
        js_wallet(&offer_url(&node, &a), made["openid4vpUrl"].as_str().unwrap(), "declined");
    assert_eq!(answered["status"], 200, "{answered}");
    let (code, report) = result(&node, made["id"].as_str().unwrap());
    assert_eq!((code, report["status"].as_str()), (1, Some("declined")));

    // Garbage and unknown states change nothing.
    let post = |body: &str| {
        Node::client()
            .post(format!("{}/oid4vp/response", node.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned())
            .send()
            .unwrap()
    };
    for body in ["", "state=nope&vp_token=%7B%7D", "vp_token=not-json&state=x.y"] {
        let answer = post(body);
        assert_eq!(answer.status(), 400, "{body}");
        let answer: Value = answer.json().unwrap();
        assert_eq!(answer["error"], "invalid_request", "{answer}");
    }
    let unknown = node.cli(&["verifier", "request", "--type", "Diploma"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown credential type"));
}

/// Creates a request on the JavaScript verifier; returns it running and its URL.
fn js_verifier(format: &str) -> (std::process::Child, String) {
    let mut child = Command::new("node")
        .arg(interop().join("oid4vp-verifier.mjs"))
        .arg(format)
        .stdout(Stdio::piped())
        .spawn()
        .expect("node is installed");
    let mut first = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut first).unwrap();
    (child, first.trim().to_owned())
}

#[test]
fn the_wallet_answers_an_independent_verifier_and_another_node() {
    let issuer = Node::start(&[]);
    let earner = Node::start(&[]);
    let a = achievement(&issuer);
    let made: Value = issuer
        .post("/api/v1/offers", &json!({"achievement": a, "recipient": earner.did}))
        .json()
        .unwrap();
    let claimed = earner.cli(&["wallet", "claim", made["offerUrl"].as_str().unwrap()]);
    assert!(claimed.status.success(), "{}", String::from_utf8_lossy(&claimed.stderr));
    let item = String::from_utf8_lossy(&claimed.stdout).trim().to_owned();

    // The JavaScript verifier asks for an ldp_vc badge; the wallet answers with a Data
    // Integrity presentation, which the verifier checks.
    let (child, url) = js_verifier("ldp_vc");
    let out = earner.cli(&["wallet", "respond", &url, &item]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let verdict = child.wait_with_output().unwrap();
    let line = String::from_utf8_lossy(&verdict.stdout);
    let outcome: Value = serde_json::from_str(line.lines().last().unwrap()).unwrap();
    assert_eq!(outcome["verified"], true, "{outcome}");
    assert_eq!(outcome["holder"], earner.did.as_str());

    // A verifier that wants VC-JWTs: this wallet holds the badge only with Data Integrity,
    // so it says so and sends nothing.
    let (mut child, url) = js_verifier("jwt_vc_json");
    let out = earner.cli(&["wallet", "respond", &url, &item]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("answer none of"));
    child.kill().unwrap();

    // Node to node: the issuer's node asks, the earner's wallet answers.
    let asked = request(&issuer, &["--issuer", &issuer.did]);
    let out = earner.cli(&["wallet", "respond", asked["openid4vpUrl"].as_str().unwrap(), &item]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (code, report) = result(&issuer, asked["id"].as_str().unwrap());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["answer"]["holder"], earner.did.as_str());
}
