//! Hostile and ambiguous input against the router in process: each test is an attack from
//! `docs/SECURITY.md` that worked before its fix.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode, header};
use common::{App, HOLDER, TOKEN, clique};
use serde_json::{Value, json};

#[tokio::test]
async fn a_canonicalization_bomb_is_refused_with_a_clear_422() {
    let app = App::new();
    let a = app.verify(&clique(160), &["proof"]).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    assert!(a.text().contains("too complex"), "{}", a.text());
}

#[tokio::test]
async fn a_full_cpu_pool_answers_503_with_retry_after() {
    let app = App::with_cpu(badgemesh_node::cpu::CpuPool::new(1, 0));
    // Hold the only worker until the request has been answered.
    let (release, wait) = std::sync::mpsc::channel::<()>();
    let pool = app.issuer.cpu().clone();
    let held = tokio::spawn(async move { pool.try_run(move || wait.recv()).await });
    while app.issuer.cpu().room() > 0 {
        tokio::task::yield_now().await;
    }
    let body = json!({"verifiableCredential": clique(2)}).to_string().into_bytes();
    let a = app.call(Method::POST, "/credentials/verify", None, "application/json", body).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.text());
    assert_eq!(a.code(), "busy");
    assert_eq!(a.headers[header::RETRY_AFTER], "1");
    release.send(()).unwrap();
    held.await.unwrap().unwrap().unwrap();
}

#[tokio::test]
async fn ambiguous_status_changes_are_refused_and_change_nothing() {
    let app = App::new();
    let id = app.achievement("Ambiguity").await;
    let rec = app.award(&id, HOLDER).await;
    let cid = rec["credential"]["id"].as_str().unwrap().to_owned();
    let bad: Vec<Value> = vec![
        json!({}),
        json!({"status": null}),
        json!({"statusPurpose": "revocation", "status": null}),
        json!({"statusPurpose": "revocation", "status": ""}),
        json!({"statusPurpose": "revocation", "status": "valid"}),
        json!({"statusPurpose": "revocation", "status": "no"}),
        json!({"statusPurpose": "revocation", "status": "off"}),
        json!({"statusPurpose": "revocation", "status": "reinstated"}),
        json!({"statusPurpose": "revocation", "status": "False"}),
        json!({"statusPurpose": "revocation", "status": 1}),
        json!({"statusPurpose": "Revocation"}),
        json!({"statusPurpose": "revocation", "colour": "red"}),
        json!([]),
        json!(""),
    ];
    for change in bad {
        let a = app
            .post("/credentials/status", &json!({"credentialId": cid, "credentialStatus": change}))
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{change}: {}", a.text());
        assert_eq!(a.code(), "invalid_status_change", "{change}");
        let now = app.get(&format!("/api/v1/credentials/{cid}")).await.json();
        assert_eq!(now["state"], "active", "{change} changed the credential");
    }
    // A bad second entry stops the first as well.
    let mixed =
        json!([{"statusPurpose": "revocation"}, {"statusPurpose": "revocation", "status": "x"}]);
    let a = app
        .post("/credentials/status", &json!({"credentialId": cid, "credentialStatus": mixed}))
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get(&format!("/api/v1/credentials/{cid}")).await.json()["state"], "active");
    // The documented shapes work: explicit booleans, and the suite's shape without `status`.
    let set = |purpose: &str, status: Option<bool>| {
        let mut c = json!({"type": "BitstringStatusListEntry", "statusPurpose": purpose});
        if let Some(s) = status {
            c["status"] = json!(s);
        }
        json!({"credentialId": cid, "credentialStatus": [c]})
    };
    let a = app.post("/credentials/status", &set("revocation", Some(false))).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "a revocation cannot be cleared: {}", a.text());
    let a = app.post("/credentials/status", &set("revocation", None)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["state"], "revoked");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = App::new();
    let id = app.achievement("Headers").await;
    let claim = app.award(&id, "ada@example.org").await["claimUrl"].as_str().unwrap().to_owned();
    let claim_path = claim.strip_prefix("https://issuer.test").unwrap().to_owned();
    for (method, path, token) in [
        (Method::GET, "/healthz", None),
        (Method::GET, "/api/v1/node", Some(TOKEN)),
        (Method::GET, "/api/v1/node", None),
        (Method::GET, claim_path.as_str(), None),
        (Method::GET, "/no/such/route", None),
        (Method::POST, "/credentials/verify", None),
    ] {
        let a = app.call(method.clone(), path, token, "", Vec::new()).await;
        let h = &a.headers;
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{path}");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer", "{path}");
        assert_eq!(h[header::CACHE_CONTROL], "no-store", "{path} ({method})");
    }
}

const SCRIPTED_SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script><circle r="4"/></svg>"#;

#[tokio::test]
async fn an_svg_with_script_is_refused_at_upload() {
    let app = App::new();
    let id = app.achievement("Scripted").await;
    let path = format!("/api/v1/achievements/{id}/image");
    for svg in [
        SCRIPTED_SVG,
        r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a></svg>"#,
    ] {
        let a = app.call(Method::PUT, &path, Some(TOKEN), "image/svg+xml", svg.into()).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{svg}: {}", a.text());
        assert!(a.json()["message"].as_str().unwrap().contains("plain picture"), "{}", a.text());
    }
    let image = app.call(Method::GET, &format!("/achievements/{id}/image"), None, "", vec![]).await;
    assert_eq!(image.status, StatusCode::NOT_FOUND, "nothing was stored");
    let plain =
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="4"/></svg>"#;
    let a = app.call(Method::PUT, &path, Some(TOKEN), "image/svg+xml", plain.into()).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let image = app.call(Method::GET, &format!("/achievements/{id}/image"), None, "", vec![]).await;
    assert!(image.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("sandbox"));
}

#[tokio::test]
async fn an_oversize_png_is_refused_before_it_is_decoded() {
    let app = App::new();
    let id = app.achievement("Huge").await;
    // A small PNG whose header claims 60,000 × 60,000 pixels (3.6 GB decoded), with the start
    // of its image data: enough to be read as a PNG, far too much to decode.
    let mut png = Vec::new();
    {
        let mut e = png::Encoder::new(&mut png, 60_000, 60_000);
        e.set_color(png::ColorType::Grayscale);
        let mut w = e.write_header().unwrap();
        w.write_chunk(png::chunk::IDAT, &[0x78, 0x9c, 0x03, 0x00]).unwrap();
        drop(w);
    }
    let path = format!("/api/v1/achievements/{id}/image");
    let a = app.call(Method::PUT, &path, Some(TOKEN), "image/png", png).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    assert!(a.text().contains("60000 × 60000"), "{}", a.text());
}

#[tokio::test]
async fn script_links_are_never_signed_into_credentials() {
    let app = App::new();
    for profile in [
        json!({"name": "Uni", "url": "javascript:alert(1)"}),
        json!({"name": "Uni", "image": "javascript:alert(1)"}),
        json!({"name": "\u{200B}\u{200D}"}),
    ] {
        let a = app.put("/api/v1/profile", &profile).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{profile}: {}", a.text());
    }
    let mut body = common::achievement_body("Links");
    body["criteria"]["id"] = json!("javascript:alert(1)");
    assert_eq!(
        app.post("/api/v1/achievements", &body).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut body = common::achievement_body("Links");
    body["alignments"] =
        json!([{"targetName": "x", "targetUrl": "javascript:alert(1)", "targetType": "CFItem"}]);
    assert_eq!(
        app.post("/api/v1/achievements", &body).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut body = common::achievement_body("Links");
    body["name"] = json!("\u{200B}\u{FEFF}");
    assert_eq!(
        app.post("/api/v1/achievements", &body).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = App::new();
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let req = axum::http::Request::builder()
            .uri("/api/v1/node")
            .header(header::AUTHORIZATION, format!("{scheme} {TOKEN}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let r = tower::ServiceExt::oneshot(app.router.clone(), req).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{scheme}");
    }
}

#[tokio::test]
async fn oversize_targets_and_headers_get_json_errors() {
    let app = App::new();
    let long = format!("/healthz?{}", "a".repeat(9000));
    let a = app.call(Method::GET, &long, None, "", vec![]).await;
    assert_eq!(a.status, StatusCode::URI_TOO_LONG);
    assert_eq!(a.code(), "uri_too_long");
    let req = axum::http::Request::builder()
        .uri("/healthz")
        .header("x-padding", "b".repeat(20_000))
        .body(axum::body::Body::empty())
        .unwrap();
    let r = tower::ServiceExt::oneshot(app.router.clone(), req).await.unwrap();
    assert_eq!(r.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let bytes = axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["code"], "headers_too_large");
}

#[tokio::test]
async fn error_messages_do_not_echo_unbounded_input() {
    let header_line = format!("{}\nada@example.org\n", "x".repeat(10 << 20));
    let mut limits = badgemesh_node::api::Limits::from(&badgemesh_node::config::Http::default());
    limits.csv = 32 << 20;
    let app = App::with_limits(limits);
    let id = app.achievement("Echo").await;
    let a = app.bulk(&id, header_line).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = a.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.len() <= badgemesh_node::api::error::MAX_MESSAGE + 4,
        "{} bytes",
        message.len()
    );
}

#[tokio::test]
async fn a_repeated_bulk_file_awards_only_the_missing_rows() {
    let app = App::new();
    let id = app.achievement("Again").await;
    let send = |csv: &'static str| {
        let (app, id) = (&app, id.clone());
        async move { app.bulk(&id, csv).await.json() }
    };
    let first = send("recipient\nada@example.org\nbob@example.org\n").await;
    assert_eq!(first["awarded"].as_array().unwrap().len(), 2, "{first}");
    let again = send("recipient\nada@example.org\nbob@example.org\ncarol@example.org\n").await;
    assert_eq!(again["awarded"].as_array().unwrap().len(), 1, "{again}");
    assert_eq!(again["alreadyAwarded"].as_array().unwrap().len(), 2, "{again}");
    assert_eq!(again["alreadyAwarded"][0]["id"], first["awarded"][0]["id"]);
    let all = app.get("/api/v1/credentials").await.json();
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    // With an id column the id decides: the same person twice is two awards.
    let ids = send("id,recipient\nr1,dan@example.org\nr2,dan@example.org\n").await;
    assert_eq!(ids["awarded"].as_array().unwrap().len(), 2, "{ids}");
}

#[tokio::test]
async fn the_same_vc_api_issue_request_returns_the_same_credential() {
    let app = App::new();
    let credential = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:6a1f5b39-88a2-4b7e-9c1e-4c8e8d1d2a11",
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": HOLDER}
    });
    let first = app.post("/credentials/issue", &json!({"credential": credential})).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let second = app.post("/credentials/issue", &json!({"credential": credential})).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.text());
    assert_eq!(first.json(), second.json(), "the same stored credential");
    let mut changed = credential.clone();
    changed["credentialSubject"]["id"] = json!("did:example:someone-else");
    let third = app.post("/credentials/issue", &json!({"credential": changed})).await;
    assert_eq!(third.status, StatusCode::CONFLICT, "{}", third.text());
}
