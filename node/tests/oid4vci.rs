//! OpenID4VCI 1.0 against a wallet nobody on this team wrote: the OpenWallet Foundation's
//! `@openid4vc/openid4vci` client (`scripts/interop/oid4vci-wallet.mjs`, installed by
//! `npm ci --prefix scripts/interop`, which `scripts/test.sh` runs) claims offers from a real
//! node over loopback; the credential it gets verifies at the node and in the JavaScript Data
//! Integrity stack. Each failure the wallet can cause is refused with the OAuth error the
//! spec names, and nothing is issued.
#![allow(clippy::unwrap_used)]

mod common;

use std::{path::PathBuf, process::Command};

use common::Node;
use serde_json::{Value, json};

fn interop() -> PathBuf {
    common::interop("@openid4vc/openid4vci")
}

/// Runs the independent wallet on `offer_url`; its one JSON line.
fn wallet(offer_url: &str, mode: &str) -> Value {
    common::script(&interop(), "oid4vci-wallet.mjs", &[offer_url, mode])
}

/// The same wallet sending the transaction code `tx_code`.
fn wallet_with_code(offer_url: &str, mode: &str, tx_code: &str) -> Value {
    common::script(&interop(), "oid4vci-wallet.mjs", &[offer_url, mode, tx_code])
}

/// What a JSON `GET` of an interaction URL names: `{"protocols": {…}}`.
fn protocols_of(interaction: &str) -> Value {
    Node::client()
        .get(interaction)
        .header("accept", "application/json")
        .send()
        .unwrap()
        .json()
        .unwrap()
}

fn achievement(node: &Node) -> String {
    let body = json!({"name": "Rigging", "description": "Rigs loads safely.",
        "criteria": {"narrative": "Passed the rigging course."}});
    let a: Value = node.post("/api/v1/achievements", &body).json().unwrap();
    a["uuid"].as_str().unwrap().to_owned()
}

#[test]
fn an_independent_wallet_claims_an_offer_and_what_it_gets_verifies() {
    let node = Node::start(&[]);
    let a = achievement(&node);
    // Made from the command line, as an issuer would.
    let out = node.cli(&["offer", &a]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let made: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        made["offerUrl"]
            .as_str()
            .unwrap()
            .starts_with("openid-credential-offer://?credential_offer_uri=")
    );
    // The one link for every wallet: JSON names the protocols, a browser gets the QR code.
    let interaction = made["interactionUrl"].as_str().unwrap();
    let protocols = protocols_of(interaction);
    assert_eq!(protocols["protocols"]["oid4vci-1.0"], made["offerUrl"], "{protocols}");
    let page = Node::client().get(interaction).header("accept", "text/html").send().unwrap();
    let html = page.text().unwrap();
    assert!(html.contains("<h1>Rigging</h1>") && html.contains("<svg"), "{html}");
    let got = wallet(made["offerUrl"].as_str().unwrap(), "ok");
    assert_eq!(got["ok"], true, "{got}");
    let spent =
        Node::client().get(interaction).header("accept", "application/json").send().unwrap();
    assert_eq!(spent.status(), 404, "a claimed offer's page is gone");
    let credential = &got["credential"];
    assert_eq!(credential["credentialSubject"]["id"], got["holder"], "bound to the proof's key");
    assert_eq!(credential["issuer"]["id"], node.did.as_str());
    let verdict = Node::client()
        .post(format!("{}/credentials/verify", node.url))
        .json(&json!({"verifiableCredential": credential}))
        .send()
        .unwrap();
    assert_eq!(verdict.status(), 200, "{}", verdict.text().unwrap());
    // The JavaScript Data Integrity stack verifies it too.
    let file = node.dir.join("claimed.json");
    std::fs::write(&file, credential.to_string()).unwrap();
    let js = Command::new("node").arg(interop().join("verify.mjs")).arg(&file).output().unwrap();
    assert!(js.status.success(), "{}", String::from_utf8_lossy(&js.stdout));

    // The same offer flow for jwt_vc_json: a VC-JWT bound to the wallet's DID.
    let jwt_offer = node.offer(&a, None);
    let got = wallet(jwt_offer["offerUrl"].as_str().unwrap(), "jwt");
    assert_eq!(got["ok"], true, "{got}");
    let token = got["credential"].as_str().expect("a compact VC-JWT");
    let decoded = vc_schemas::proof::jwt::decode(token).unwrap();
    assert_eq!(decoded.payload().unwrap()["credentialSubject"]["id"], got["holder"]);
    let verdict = Node::client()
        .post(format!("{}/credentials/verify", node.url))
        .json(&json!({"verifiableCredential": token}))
        .send()
        .unwrap();
    assert_eq!(verdict.status(), 200, "{}", verdict.text().unwrap());

    // The first offer is spent: claiming it again fails, and no further credential is made.
    let again = wallet(made["offerUrl"].as_str().unwrap(), "ok");
    assert_eq!(again["ok"], false, "{again}");
    assert_eq!(node.issued(), 2);
}

#[test]
fn bad_proofs_and_codes_get_the_oauth_error_and_nothing_is_issued() {
    let node = Node::start(&[]);
    let a = achievement(&node);
    for (mode, error) in [("wrong-aud", "invalid_proof"), ("bad-nonce", "invalid_nonce")] {
        let got = wallet(node.offer(&a, None)["offerUrl"].as_str().unwrap(), mode);
        assert_eq!(got["ok"], false, "{mode}: {got}");
        assert!(got["error"].as_str().unwrap().contains(error), "{mode}: {got}");
    }
    // An offer to a DID: a wallet with another key is refused.
    let theirs = node.offer(&a, Some("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"));
    let got = wallet(theirs["offerUrl"].as_str().unwrap(), "ok");
    assert!(got["error"].as_str().unwrap().contains("invalid_proof"), "{got}");
    assert!(got["error"].as_str().unwrap().contains("this offer is for"), "{got}");

    // Codes: a wrong one, a used one, a missing grant.
    let client = Node::client();
    let token = |form: &[(&str, &str)]| {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let r = client
            .post(format!("{}/oid4vci/token", node.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().unwrap())
    };
    let grant = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
    let made = node.offer(&a, None);
    let code = made["credentialOffer"]["grants"][grant]["pre-authorized_code"].as_str().unwrap();
    let (status, body) =
        token(&[("grant_type", grant), ("pre-authorized_code", &format!("{code}x"))]);
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
    let (status, body) = token(&[("grant_type", grant), ("pre-authorized_code", code)]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    let (_, body) = token(&[("grant_type", grant), ("pre-authorized_code", code)]);
    assert_eq!(body["error"], "invalid_grant", "a code is used once");
    let (_, body) = token(&[("grant_type", "authorization_code"), ("code", "x")]);
    assert_eq!(body["error"], "unsupported_grant_type");
    let r = client
        .post(format!("{}/oid4vci/credential", node.url))
        .json(&json!({"credential_configuration_id": "OpenBadgeCredential_ldp_vc"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
    assert_eq!(node.issued(), 0, "nothing was issued");
}

/// A compact proof JWT signed with `key`, as a wallet makes it.
fn proof_jwt(key: &vc_schemas::key::Ed25519Key, aud: &str, nonce: &str) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let header =
        json!({"typ": "openid4vci-proof+jwt", "alg": "EdDSA", "kid": key.verification_method()});
    let payload = json!({"aud": aud, "iat": chrono::Utc::now().timestamp(), "nonce": nonce});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let signature = key.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// Draft 13's shapes, as walt.id and other deployed wallets send them: the nonce from the
/// token response, a singular `proof`, and a singular `credential` back.
#[test]
fn a_draft_13_wallet_gets_its_credential_in_its_own_shape() {
    let node = Node::start(&[]);
    let a = achievement(&node);
    let holder = vc_schemas::key::Ed25519Key::did_key_from_seed(&[77; 32]);
    let made = node.offer(&a, Some(holder.controller()));
    let grant = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
    let code = made["credentialOffer"]["grants"][grant]["pre-authorized_code"].as_str().unwrap();
    let client = Node::client();
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("grant_type", grant), ("pre-authorized_code", code)])
        .finish();
    let token: Value = client
        .post(format!("{}/oid4vci/token", node.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let nonce = token["c_nonce"].as_str().expect("draft 13's c_nonce in the token response");
    let issuer = made["credentialOffer"]["credential_issuer"].as_str().unwrap();
    let request = |jwt: String| {
        client
            .post(format!("{}/oid4vci/credential", node.url))
            .bearer_auth(token["access_token"].as_str().unwrap())
            .json(&json!({"format": "ldp_vc", "proof": {"proof_type": "jwt", "jwt": jwt}}))
            .send()
            .unwrap()
    };
    // Another key's proof first: refused. Its signature checked out, so its nonce was used;
    // the next attempt takes a fresh one from the nonce endpoint.
    let stranger = vc_schemas::key::Ed25519Key::did_key_from_seed(&[78; 32]);
    let refused = request(proof_jwt(&stranger, issuer, nonce));
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().unwrap();
    assert_eq!(body["error"], "invalid_proof", "{body}");
    let fresh: Value =
        client.post(format!("{}/oid4vci/nonce", node.url)).send().unwrap().json().unwrap();
    let answer = request(proof_jwt(&holder, issuer, fresh["c_nonce"].as_str().unwrap()));
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().unwrap();
    assert_eq!(body["format"], "ldp_vc");
    assert_eq!(body["credential"]["credentialSubject"]["id"], holder.controller());
}

/// This node's wallet as an OpenID4VCI client: it claims another issuer's offer made to its
/// DID, from the command line, and keeps the badge; a spent offer is a clear error.
#[test]
fn a_badgemesh_wallet_claims_an_openid4vci_offer_from_another_node() {
    let issuer = Node::start(&[]);
    let earner = Node::start(&[]);
    let a = achievement(&issuer);
    let made = issuer.offer(&a, Some(&earner.did));
    let url = made["offerUrl"].as_str().unwrap();
    let out = earner.cli(&["wallet", "claim", url]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let shown: Value =
        serde_json::from_slice(&earner.cli(&["wallet", "show", &id]).stdout).unwrap();
    assert_eq!(shown["item"]["state"], "accepted");
    assert_eq!(shown["item"]["origin"], "claimed");
    assert_eq!(shown["summary"]["name"], "Rigging");
    assert_eq!(shown["item"]["credential"]["credentialSubject"]["id"], earner.did.as_str());
    let again = earner.cli(&["wallet", "claim", url]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("refused"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    // An offer to someone else's DID: the issuer refuses this wallet's proof.
    let theirs = issuer.offer(&a, Some("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"));
    let refused = earner.cli(&["wallet", "claim", theirs["offerUrl"].as_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("this offer is for"));
}

/// The award's answer as the issuer records it (`accepted`, `refused`, or null).
fn answer_of(node: &Node, credential: &Value) -> Value {
    let id = credential["id"].as_str().unwrap();
    let record: Value = node.get(&format!("/api/v1/credentials/{id}")).json().unwrap();
    record["claim"].clone()
}

/// An offer made with a transaction code (as for an e-mail award, the code sent apart): the
/// independent wallet is told to ask for it, a missing or wrong code is refused, a few wrong
/// ones close the offer, and VC-API (which has no place for the code) is not offered.
#[test]
fn an_offer_with_a_transaction_code_needs_the_right_code() {
    let node = Node::start(&[]);
    let a = achievement(&node);
    let out = node.cli(&["offer", &a, "--tx-code"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let made: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tx_code = made["txCode"].as_str().expect("the code to send apart").to_owned();
    assert_eq!(tx_code.len(), 6);
    assert!(made["vcapi"].is_null() && made["lcwUrl"].is_null(), "{made}");
    let interaction = made["interactionUrl"].as_str().unwrap();
    let protocols = protocols_of(interaction);
    assert!(protocols["protocols"]["vcapi"].is_null(), "{protocols}");
    let html = Node::client().get(interaction).send().unwrap().text().unwrap();
    assert!(html.contains("tx-code-note") && !html.contains("lcw-link"), "{html}");
    let grant = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
    let code = made["credentialOffer"]["grants"][grant]["pre-authorized_code"].as_str().unwrap();
    let exchange = Node::client()
        .post(format!("{}/workflows/claim/exchanges/{code}", node.url))
        .json(&json!({}))
        .send()
        .unwrap();
    assert!(exchange.status().is_client_error(), "no VC-API exchange for this offer");

    let url = made["offerUrl"].as_str().unwrap();
    let missing = wallet(url, "ok");
    assert_eq!(missing["ok"], false, "{missing}");
    let wrong_code = if tx_code == "000000" { "111111" } else { "000000" };
    let wrong = wallet_with_code(url, "ok", wrong_code);
    assert!(wrong["error"].as_str().unwrap().contains("invalid_grant"), "{wrong}");
    let got = wallet_with_code(url, "ok", &tx_code);
    assert_eq!(got["ok"], true, "{got}");
    assert_eq!(got["txCodeAsked"]["length"], 6, "{got}");
    assert_eq!(node.issued(), 1);

    // Guessing: after five wrong codes the offer is closed, even to the right one.
    let made = node.offer(&a, None);
    let body = json!({"achievement": a, "txCode": true});
    let made_tx: Value = node.post("/api/v1/offers", &body).json().unwrap();
    let guessed = made_tx["offerUrl"].as_str().unwrap();
    for _ in 0..5 {
        let r = wallet_with_code(guessed, "ok", wrong_code);
        assert_eq!(r["ok"], false, "{r}");
    }
    let late = wallet_with_code(guessed, "ok", made_tx["txCode"].as_str().unwrap());
    assert_eq!(late["ok"], false, "closed: {late}");
    // A code sent to an offer that asks for none is refused too.
    let unasked = wallet_with_code(made["offerUrl"].as_str().unwrap(), "ok", "123456");
    assert!(unasked["error"].as_str().unwrap().contains("invalid_request"), "{unasked}");
    assert_eq!(node.issued(), 1, "nothing more was issued");
}

/// Notifications (§11): the independent wallet says it kept or deleted the credential, and the
/// issuer records the award as accepted or refused; a notification for another id, or a
/// failure, changes nothing.
#[test]
fn wallet_notifications_become_the_awards_answer() {
    let node = Node::start(&[]);
    let a = achievement(&node);
    let metadata: Value = node.get("/.well-known/openid-credential-issuer").json().unwrap();
    assert!(metadata["notification_endpoint"].as_str().unwrap().ends_with("/oid4vci/notification"));
    for (mode, answer) in [("accepted", json!("accepted")), ("deleted", json!("refused"))] {
        let got = wallet(node.offer(&a, None)["offerUrl"].as_str().unwrap(), mode);
        assert_eq!(got["notified"], true, "{mode}: {got}");
        assert_eq!(answer_of(&node, &got["credential"]), answer, "{mode}");
    }
    for mode in ["failure", "notify-wrong-id"] {
        let got = wallet(node.offer(&a, None)["offerUrl"].as_str().unwrap(), mode);
        assert_eq!(got["ok"], true, "{mode}: {got}");
        assert_eq!(answer_of(&node, &got["credential"]), Value::Null, "{mode}: {got}");
        if mode == "notify-wrong-id" {
            let why = got["notifyError"].as_str().unwrap();
            assert!(why.contains("invalid_notification_id"), "{got}");
        }
    }
    // Without the access token: 401, as for the credential endpoint.
    let r = Node::client()
        .post(format!("{}/oid4vci/notification", node.url))
        .json(&json!({"notification_id": "x", "event": "credential_accepted"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
}

/// This node's wallet claims an offer that needs a transaction code: without it, a clear
/// error; with it (`--tx-code`), the badge.
#[test]
fn a_badgemesh_wallet_claims_with_the_transaction_code() {
    let issuer = Node::start(&[]);
    let earner = Node::start(&[]);
    let a = achievement(&issuer);
    let body = json!({"achievement": a, "recipient": earner.did, "txCode": true});
    let made: Value = issuer.post("/api/v1/offers", &body).json().unwrap();
    let url = made["offerUrl"].as_str().unwrap();
    let without = earner.cli(&["wallet", "claim", url]);
    assert_eq!(without.status.code(), Some(1));
    let why = String::from_utf8_lossy(&without.stderr);
    assert!(why.contains("transaction code"), "{why}");
    let out = earner.cli(&["wallet", "claim", url, "--tx-code", made["txCode"].as_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(issuer.issued(), 1);
}
