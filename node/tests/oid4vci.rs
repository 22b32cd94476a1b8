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
    let out = Command::new("node")
        .arg(interop().join("oid4vci-wallet.mjs"))
        .args([offer_url, mode])
        .output()
        .expect("node is installed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}: {stdout} {}", String::from_utf8_lossy(&out.stderr)))
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
    let protocols: Value = Node::client()
        .get(interaction)
        .header("accept", "application/json")
        .send()
        .unwrap()
        .json()
        .unwrap();
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
