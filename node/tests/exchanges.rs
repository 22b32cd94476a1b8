//! VC-API (VCALM) exchanges against a holder nobody on this team wrote: the Learner Credential
//! Wallet's exchange code replayed with the libraries LCW ships (`@digitalcredentials/vc` and
//! `ed25519-signature-2020`, in `scripts/interop/lcw-holder.mjs`) claims offers from a real
//! node over loopback, starting from the offer's interaction URL. What it gets verifies in the
//! JavaScript Data Integrity stack. Every way its presentation can be wrong is refused with a
//! stable code, nothing is issued, and the offer stays open; one offer is claimed once, by
//! this protocol or by OpenID4VCI. The same holder answers a verifier's request made as a
//! VC-API exchange (`QueryByExample`), and the node records the verdict as for OpenID4VP.
#![allow(clippy::unwrap_used)]

mod common;

use std::{path::PathBuf, process::Command};

use common::Node;
use serde_json::{Value, json};

fn interop() -> PathBuf {
    common::interop("@digitalcredentials/vc")
}

/// Runs a script of `scripts/interop` with `args`; its last JSON line.
fn script(name: &str, args: &[&str]) -> Value {
    common::script(&interop(), name, args)
}

/// The LCW-equivalent holder on an interaction URL.
fn lcw(interaction: &str, mode: &str) -> Value {
    script("lcw-holder.mjs", &[interaction, mode])
}

fn achievement(node: &Node) -> String {
    let body = json!({"name": "Welding", "description": "Welds steel safely.",
        "criteria": {"narrative": "Passed the welding practical."}});
    let a: Value = node.post("/api/v1/achievements", &body).json().unwrap();
    a["uuid"].as_str().unwrap().to_owned()
}

fn post(url: &str, body: &str) -> (u16, Value) {
    let answer = Node::client()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .unwrap();
    (answer.status().as_u16(), answer.json().unwrap())
}

#[test]
fn the_lcw_holder_claims_an_offer_by_its_interaction_url_and_the_badge_verifies() {
    let node = Node::start(&[]);
    let a = achievement(&node);
    let out = node.cli(&["offer", &a]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let made: Value = serde_json::from_slice(&out.stdout).unwrap();
    let vcapi = made["vcapi"].as_str().unwrap();
    assert!(vcapi.starts_with(&format!("{}/workflows/claim/exchanges/", node.url)), "{made}");
    assert!(made["lcwUrl"].as_str().unwrap().starts_with("https://lcw.app/request?request="));
    // The interaction URL names every protocol the offer can be claimed by.
    let interaction = made["interactionUrl"].as_str().unwrap();
    let listed: Value = Node::client()
        .get(interaction)
        .header("accept", "application/json")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(listed["protocols"]["vcapi"], vcapi);
    assert_eq!(listed["protocols"]["lcw"], made["lcwUrl"]);
    assert_eq!(listed["protocols"]["oid4vci-1.0"], made["offerUrl"]);
    let html = Node::client().get(interaction).send().unwrap().text().unwrap();
    assert!(html.contains("Learner Credential Wallet") && html.contains("lcw.app"), "{html}");

    let got = lcw(interaction, "ok");
    assert_eq!(got["status"], 200, "{got}");
    let request = &got["vpr"];
    assert_eq!(request["query"][0]["type"], "DIDAuthentication");
    assert_eq!(request["domain"], node.url.as_str());
    let credential = &got["credential"];
    assert_eq!(credential["credentialSubject"]["id"], got["holder"], "bound to the signer");
    assert_eq!(credential["issuer"]["id"], node.did.as_str());
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), credential.to_string()).unwrap();
    let js =
        Command::new("node").arg(interop().join("verify.mjs")).arg(file.path()).output().unwrap();
    assert!(js.status.success(), "{}", String::from_utf8_lossy(&js.stdout));
    let verdict: Value = Node::client()
        .post(format!("{}/credentials/verify", node.url))
        .json(&json!({"verifiableCredential": credential}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(verdict["verified"], true, "{verdict}");
    // The offer is spent: its page is gone, and another wallet that kept the exchange's
    // address gets nothing.
    let spent = Node::client().get(interaction).send().unwrap();
    assert_eq!(spent.status(), 404);
    let other = lcw(vcapi, "ok");
    assert_eq!(
        (other["status"].as_u64(), other["body"]["code"].as_str()),
        (Some(404), Some("not_found"))
    );
    assert!(other["body"]["message"].as_str().unwrap().contains("someone else"), "{other}");

    // A presentation sent bare, as some wallets do, is taken too.
    let bare = lcw(node.offer(&a, None)["interactionUrl"].as_str().unwrap(), "bare");
    assert_eq!(bare["status"], 200, "{bare}");
    // A wallet whose answer was lost runs the exchange again and gets the same badge.
    let again = lcw(node.offer(&a, None)["interactionUrl"].as_str().unwrap(), "again");
    assert_eq!(
        (again["status"].as_u64(), again["again"]["status"].as_u64()),
        (Some(200), Some(200))
    );
    assert_eq!(again["again"]["credential"]["id"], again["credential"]["id"]);
    assert_eq!(node.issued(), 3, "one credential per offer");
}

#[test]
fn bad_presentations_are_refused_nothing_is_issued_and_the_offer_stays_open() {
    let node = Node::start(&[]);
    let a = achievement(&node);
    let made = node.offer(&a, None);
    let interaction = made["interactionUrl"].as_str().unwrap();
    for (mode, code) in [
        ("wrong-challenge", "invalid_challenge"),
        ("wrong-domain", "invalid_presentation"),
        ("forged", "invalid_presentation"),
        ("unsigned", "invalid_presentation"),
    ] {
        let got = lcw(interaction, mode);
        assert_eq!(got["status"], 400, "{mode}: {got}");
        assert_eq!(got["body"]["code"], code, "{mode}: {got}");
        assert!(got["body"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(node.issued(), 0);
    // A challenge is good once: the same signed presentation again is refused.
    let replayed = lcw(interaction, "replay");
    assert_eq!(replayed["status"], 200, "the offer was still open: {replayed}");
    assert_eq!(replayed["replayed"]["status"], 400);
    assert_eq!(replayed["replayed"]["body"]["code"], "invalid_challenge");
    assert_eq!(node.issued(), 1);

    // An offer made to a DID is claimed only by that DID's key.
    let theirs = node.offer(&a, Some("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"));
    let got = lcw(theirs["interactionUrl"].as_str().unwrap(), "ok");
    assert_eq!(
        (got["status"].as_u64(), got["body"]["code"].as_str()),
        (Some(403), Some("wrong_holder"))
    );
    assert_eq!(node.issued(), 1);

    // Garbage, and codes that open nothing.
    let vcapi = node.offer(&a, None)["vcapi"].as_str().unwrap().to_owned();
    for body in ["[]", "not json", r#"{"zcap": []}"#, r#"{"verifiablePresentation": 1}"#] {
        let (status, answer) = post(&vcapi, body);
        assert_eq!((status, answer["code"].as_str()), (400, Some("invalid_request")), "{body}");
    }
    let base = format!("{}/workflows/claim/exchanges", node.url);
    for code in ["nothing", "nope.nope", &format!("{}x", vcapi.rsplit('/').next().unwrap())] {
        let (status, answer) = post(&format!("{base}/{code}"), "{}");
        assert_eq!((status, answer["code"].as_str()), (404, Some("not_found")), "{code}");
    }
    assert_eq!(node.issued(), 1);
}

#[test]
fn one_offer_is_claimed_once_by_either_protocol() {
    let node = Node::start(&[]);
    let a = achievement(&node);
    // OpenID4VCI first: the exchange is closed.
    let made = node.offer(&a, None);
    let got = script("oid4vci-wallet.mjs", &[made["offerUrl"].as_str().unwrap(), "ok"]);
    assert_eq!(got["ok"], true, "{got}");
    let other = lcw(made["vcapi"].as_str().unwrap(), "ok");
    assert_eq!(other["status"], 404, "{other}");
    // The exchange first: the OpenID4VCI code is used.
    let made = node.offer(&a, None);
    let exchanged = lcw(made["interactionUrl"].as_str().unwrap(), "ok");
    assert_eq!(exchanged["status"], 200, "{exchanged}");
    let late = script("oid4vci-wallet.mjs", &[made["offerUrl"].as_str().unwrap(), "ok"]);
    assert_eq!(late["ok"], false, "{late}");
    assert_eq!(node.issued(), 2);
}

#[test]
fn the_lcw_holder_answers_a_verifiers_request_over_vc_api() {
    let node = Node::start(&[]);
    let a = achievement(&node);
    let out = node.cli(&["verifier", "request", "--issuer", &node.did]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let made: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (id, vcapi) = (made["id"].as_str().unwrap(), made["vcapi"].as_str().unwrap());
    assert!(vcapi.starts_with(&format!("{}/workflows/verify/exchanges/{id}.", node.url)), "{made}");
    let page = Node::client().get(made["pageUrl"].as_str().unwrap()).send().unwrap();
    assert!(page.text().unwrap().contains("id=\"lcw-link\""), "the page offers the LCW code");
    let result = |id: &str| {
        let out = node.cli(&["verifier", "result", id]);
        (out.status.code().unwrap(), serde_json::from_slice::<Value>(&out.stdout).unwrap())
    };

    // Signed for another verifier: refused, and the request stays open.
    let claim = node.offer(&a, None);
    let interaction = claim["interactionUrl"].as_str().unwrap();
    let got = script("lcw-holder.mjs", &[interaction, "present-wrong-domain", vcapi]);
    assert_eq!(got["status"], 200, "{got}");
    let presented = &got["presented"];
    assert_eq!(presented["vpr"]["query"][0]["type"], "QueryByExample");
    assert_eq!(
        (presented["status"].as_u64(), presented["body"]["code"].as_str()),
        (Some(400), Some("invalid_presentation")),
        "{got}"
    );
    let (code, report) = result(id);
    assert_eq!((code, report["refused"].as_array().map(Vec::len)), (2, Some(1)), "{report:#}");

    // The badge it matched, presented by its holder: verified.
    let claim = node.offer(&a, None);
    let interaction = claim["interactionUrl"].as_str().unwrap();
    let got = script("lcw-holder.mjs", &[interaction, "present", vcapi]);
    assert_eq!(
        (got["presented"]["status"].as_u64(), got["presented"]["presented"].as_u64()),
        (Some(200), Some(1)),
        "{got}"
    );
    let (code, report) = result(id);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["answer"]["holder"], got["holder"]);
    assert_eq!(report["answer"]["badges"][0]["name"], "Welding");
    // A request is answered once.
    let (status, answer) = post(vcapi, "{}");
    assert_eq!((status, answer["code"].as_str()), (404, Some("not_found")), "{answer}");
}
