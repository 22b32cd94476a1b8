//! The HTTP API in process: auth on every guarded route, bad input, the award and status
//! workflows, the VC-API and the public pages.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{App, TOKEN, achievement_body};
use serde_json::{Value, json};

/// Every (method, path) the OpenAPI document lists, with `{…}` parameters filled in.
fn documented() -> Vec<(Method, String, bool)> {
    let doc: Value = serde_json::from_str(badgemesh_node::api::OPENAPI).unwrap();
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let guarded = !op["security"].as_array().unwrap().is_empty();
            let filled = path
                .replace("{id}", "00000000-0000-4000-8000-000000000000")
                .replace("{name}", "revocation-0")
                .replace("{token}", "no-such-token");
            out.push((method.to_uppercase().parse().unwrap(), filled, guarded));
        }
    }
    out
}

#[tokio::test]
async fn every_guarded_route_refuses_a_missing_or_wrong_token() {
    let app = App::new();
    let routes = documented();
    let guarded = routes.iter().filter(|r| r.2).count();
    assert!(guarded >= 20, "the OpenAPI document lists only {guarded} guarded routes");
    for (method, path, is_guarded) in &routes {
        if !is_guarded {
            continue;
        }
        for token in [None, Some("wrong"), Some("")] {
            let a = app.call(method.clone(), path, token, "application/json", b"{}".to_vec()).await;
            assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{method} {path} with {token:?}");
            assert_eq!(a.code(), "unauthorized");
            assert_eq!(a.headers["www-authenticate"], "Bearer");
        }
        // A token that merely starts like the right one is no better.
        let prefix = &TOKEN[..TOKEN.len() - 1];
        let a = app.call(method.clone(), path, Some(prefix), "application/json", vec![]).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{method} {path} with a prefix");
    }
}

#[tokio::test]
async fn every_documented_route_exists_and_errors_are_json() {
    let app = App::new();
    for (method, path, _) in documented() {
        let a =
            app.call(method.clone(), &path, Some(TOKEN), "application/json", b"{}".to_vec()).await;
        assert_ne!(a.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        if a.status.is_client_error() {
            assert_ne!(a.code(), "no_route", "{method} {path} is documented but not served");
            assert!(!a.json()["message"].as_str().unwrap().is_empty());
        }
    }
    let a = app.get("/api/v1/nothing-here").await;
    assert_eq!((a.status, a.code().as_str()), (StatusCode::NOT_FOUND, "no_route"));
    let a = app.call(Method::DELETE, "/api/v1/profile", Some(TOKEN), "", vec![]).await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
}

#[tokio::test]
async fn malformed_and_mistyped_bodies_get_clear_errors_and_write_nothing() {
    let app = App::new();
    let cases: [(&[u8], StatusCode, &str); 5] = [
        (b"{\"name\": ", StatusCode::BAD_REQUEST, "malformed_json"),
        (b"not json at all", StatusCode::BAD_REQUEST, "malformed_json"),
        (
            b"{\"name\": 7, \"description\": \"d\", \"criteria\": {}}",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            b"{\"name\": \"n\", \"description\": \"d\", \"criteria\": {}, \"colour\": 1}",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            b"{\"name\": \"n\", \"description\": \"d\", \"criteria\": {}}",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
    ];
    for (body, status, code) in cases {
        let a = app
            .call(
                Method::POST,
                "/api/v1/achievements",
                Some(TOKEN),
                "application/json",
                body.to_vec(),
            )
            .await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (status, code),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    assert_eq!(app.get("/api/v1/achievements").await.json()["items"], json!([]));

    let a = app.post("/api/v1/awards", &json!({"achievement": "no-such", "recipient": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"})).await;
    assert_eq!((a.status, a.code().as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let id = app.achievement("Welding").await;
    for bad in [
        json!({"achievement": id, "recipient": "someone"}),
        json!({"achievement": id, "recipient": "did:key:z6Mk", "statusPurpose": "maybe"}),
        json!({"achievement": id, "recipient": "a@b.example", "validUntil": "yesterday"}),
        json!({"achievement": id, "recipient": "a@b.example", "evidence": "not a list"}),
        json!({"achievement": id, "recipient": "a@b.example", "results": [{"type": ["Result"], "value": 3}]}),
    ] {
        let a = app.post("/api/v1/awards", &bad).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", a.text());
    }
    let listed = app.get("/api/v1/credentials").await.json();
    assert_eq!(listed["items"], json!([]), "a refused award left a record");
    assert_eq!(app.get("/api/v1/status-lists").await.json()["items"], json!([]));
}

#[tokio::test]
async fn oversize_bodies_and_images_are_refused_with_413() {
    let app = App::with_limits(badgemesh_node::api::Limits { json: 2048, image: 1024, csv: 4096 });
    let id = app.achievement("Rigging").await;
    let big = json!({"name": "x".repeat(4096), "description": "d", "criteria": {"narrative": "n"}});
    let a = app.post("/api/v1/achievements", &big).await;
    assert_eq!((a.status, a.code().as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"));

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(2048, 0);
    let a = app
        .call(
            Method::PUT,
            &format!("/api/v1/achievements/{id}/image"),
            Some(TOKEN),
            "image/png",
            png,
        )
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    let csv = format!("recipient,achievement\n{}", format!("a@b.example,{id}\n").repeat(200));
    let a = app
        .call(Method::POST, "/api/v1/awards/bulk", Some(TOKEN), "text/csv", csv.into_bytes())
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.get("/api/v1/credentials").await.json()["items"], json!([]));
}

#[tokio::test]
async fn images_must_be_png_or_svg_and_are_served_with_a_strict_policy() {
    let app = App::new();
    let id = app.achievement("Painting").await;
    let path = format!("/api/v1/achievements/{id}/image");
    for bad in
        [&b"GIF89a......"[..], b"\x89PNG\r\n\x1a\ntruncated", b"<html><script>x</script></html>"]
    {
        let a = app.call(Method::PUT, &path, Some(TOKEN), "image/png", bad.to_vec()).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"));
    }
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;
    let a = app.call(Method::PUT, &path, Some(TOKEN), "image/svg+xml", svg.into()).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let image_url = a.json()["achievement"]["image"]["id"].as_str().unwrap().to_owned();
    assert_eq!(image_url, format!("https://issuer.test/achievements/{id}/image"));
    let served =
        app.call(Method::GET, &format!("/achievements/{id}/image"), None, "", vec![]).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers["content-type"], "image/svg+xml");
    assert!(
        served.headers["content-security-policy"].to_str().unwrap().contains("default-src 'none'")
    );
    assert_eq!(served.bytes, svg.as_bytes());
}

#[tokio::test]
async fn achievements_have_versions_and_archived_ones_take_no_awards() {
    let app = App::new();
    let id = app.achievement("Carpentry").await;
    let first = app.award(&id, "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK").await;
    let mut body = achievement_body("Carpentry II");
    body["validityDays"] = json!(30);
    let a = app.put(&format!("/api/v1/achievements/{id}"), &body).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["version"], 2);
    let second = app.award(&id, "learner@example.org").await;
    assert_eq!(first["credential"]["credentialSubject"]["achievement"]["name"], "Carpentry");
    assert_eq!(second["credential"]["credentialSubject"]["achievement"]["name"], "Carpentry II");
    assert!(second["credential"]["validUntil"].is_string(), "the default validity applies");
    assert!(first["credential"].get("validUntil").is_none());

    let a = app.post(&format!("/api/v1/achievements/{id}/archive"), &json!({})).await;
    assert_eq!(a.status, StatusCode::OK);
    let a =
        app.post("/api/v1/awards", &json!({"achievement": id, "recipient": "x@example.org"})).await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert_eq!(app.get("/api/v1/achievements").await.json()["items"], json!([]));
    assert_eq!(app.get("/api/v1/achievements?archived=true").await.json()["items"][0]["uuid"], id);
}

#[tokio::test]
async fn an_email_award_hides_the_address_and_validates_against_the_1edtech_schema() {
    let app = App::new();
    app.put("/api/v1/profile", &json!({"name": "Example University", "url": "https://example.edu", "email": "badges@example.edu"})).await;
    let id = app.achievement("Chemistry").await;
    let rec = app.award(&id, "Learner@Example.org").await;
    let vc = &rec["credential"];
    let text = vc.to_string();
    assert!(!text.to_lowercase().contains("learner@example.org"), "plain address in {text}");
    let identifier = &vc["credentialSubject"]["identifier"][0];
    assert_eq!(identifier["identityType"], "emailAddress");
    assert_eq!(identifier["hashed"], true);
    let object: vc_schemas::model::IdentityObject =
        serde_json::from_value(identifier.clone()).unwrap();
    assert!(vc_schemas::identity::matches(&object, "emailAddress", "learner@example.org"));
    assert_eq!(vc["issuer"]["name"], "Example University");
    assert_eq!(vc["issuer"]["email"], "badges@example.edu");
    assert!(rec["claimUrl"].as_str().unwrap().starts_with("https://issuer.test/claim/"));
    let checked = vc_schemas::schema::validate(vc_schemas::schema::Kind::AchievementCredential, vc);
    assert!(checked.is_ok(), "{checked:?}");
}

/// POST /credentials/verify asking for `checks`; the status code and the answer.
async fn verify_with(app: &App, vc: &Value, checks: &[&str]) -> (StatusCode, Value) {
    let a = app.verify(vc, checks).await;
    (a.status, a.json())
}

/// POST /credentials/verify with the status check.
async fn verified(app: &App, vc: &Value) -> (StatusCode, Value) {
    verify_with(app, vc, &["proof", "credentialStatus"]).await
}

#[tokio::test]
async fn revocation_flips_the_bit_re_signs_the_list_and_is_final() {
    let app = App::new();
    let id = app.achievement("Plumbing").await;
    let rec = app.award(&id, "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK").await;
    let vc = rec["credential"].clone();
    let uuid = rec["uuid"].as_str().unwrap();
    let list_url = vc["credentialStatus"]["statusListCredential"].as_str().unwrap().to_owned();
    let list_path = list_url.strip_prefix("https://issuer.test").unwrap();
    let before = app.call(Method::GET, list_path, None, "", vec![]).await;
    assert_eq!(before.status, StatusCode::OK);
    let v1: u64 = before.headers["x-badgemesh-list-version"].to_str().unwrap().parse().unwrap();
    let etag = before.headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(before.json()["id"], list_url);

    let (status, body) = verified(&app, &vc).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let a = app
        .post(&format!("/api/v1/credentials/{uuid}/revoke"), &json!({"reason": "plagiarism"}))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["state"], "revoked");
    assert_eq!(a.json()["reason"], "plagiarism");

    let after = app.call(Method::GET, list_path, None, "", vec![]).await;
    let v2: u64 = after.headers["x-badgemesh-list-version"].to_str().unwrap().parse().unwrap();
    assert!(v2 > v1, "list version {v1} → {v2}");
    assert_ne!(after.headers["etag"].to_str().unwrap(), etag);
    let (status, body) = verified(&app, &vc).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["verified"], false);

    // The proof alone still holds: a verifier that does not ask for status gets 200.
    let (status, body) = verify_with(&app, &vc, &["proof"]).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    for again in ["revoke", "unsuspend", "suspend"] {
        let a = app.post(&format!("/api/v1/credentials/{uuid}/{again}"), &json!({})).await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{again} after revoke: {}", a.text());
    }
    let revoked = app.get("/api/v1/credentials?status=revoked").await.json();
    assert_eq!(revoked["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn suspension_can_be_lifted() {
    let app = App::new();
    let id = app.achievement("First aid").await;
    let rec = app
        .post("/api/v1/awards", &json!({"achievement": id, "recipient": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "statusPurpose": "suspension"}))
        .await
        .json();
    let uuid = rec["uuid"].as_str().unwrap();
    let vc = rec["credential"].clone();
    assert_eq!(vc["credentialStatus"]["statusPurpose"], "suspension");
    assert_eq!(verified(&app, &vc).await.0, StatusCode::OK);
    assert_eq!(
        app.post(&format!("/api/v1/credentials/{uuid}/suspend"), &json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(verified(&app, &vc).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.post(&format!("/api/v1/credentials/{uuid}/unsuspend"), &json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(verified(&app, &vc).await.0, StatusCode::OK);
    // A revocation-only award cannot be suspended.
    let plain = app.award(&id, "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK").await;
    let a = app
        .post(
            &format!("/api/v1/credentials/{}/suspend", plain["uuid"].as_str().unwrap()),
            &json!({}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text());
}

#[tokio::test]
async fn status_indexes_are_distinct_and_lists_answer_conditional_gets() {
    let app = App::new();
    let id = app.achievement("Masonry").await;
    let mut seen = std::collections::HashSet::new();
    for i in 0..40 {
        let rec = app.award(&id, &format!("p{i}@example.org")).await;
        let entry = &rec["credential"]["credentialStatus"];
        let key = (
            entry["statusListCredential"].as_str().unwrap().to_owned(),
            entry["statusListIndex"].as_str().unwrap().to_owned(),
        );
        assert!(seen.insert(key.clone()), "index handed out twice: {key:?}");
    }
    let lists = app.get("/api/v1/status-lists").await.json();
    let url = lists["items"][0]["url"].as_str().unwrap().to_owned();
    let path = url.strip_prefix("https://issuer.test").unwrap();
    let first = app.call(Method::GET, path, None, "", vec![]).await;
    let etag = first.headers["etag"].to_str().unwrap().to_owned();
    let req = axum::http::Request::builder()
        .uri(path)
        .header("if-none-match", &etag)
        .body(axum::body::Body::empty())
        .unwrap();
    let again = tower::ServiceExt::oneshot(app.router.clone(), req).await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn bulk_csv_reports_bad_rows_by_line_and_awards_the_rest() {
    let app = App::new();
    let id = app.achievement("Surveying").await;
    let csv = format!(
        "recipient,achievement,narrative,evidence_url,valid_until\n\
         ann@example.org,{id},Top marks,https://example.org/ann,\n\
         not-a-recipient,{id},,,\n\
         bob@example.org,no-such-achievement,,,\n\
         did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK,,,,2030-01-01T00:00:00Z\n\
         cy@example.org,{id},\"quoted, with comma\",,not-a-date\n\
         dee@example.org,{id},,,\n"
    );
    let a = app.bulk(&id, csv).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let report = a.json();
    let lines = |k: &str| -> Vec<u64> {
        report[k].as_array().unwrap().iter().map(|r| r["line"].as_u64().unwrap()).collect()
    };
    assert_eq!(lines("awarded"), vec![2, 5, 7]);
    assert_eq!(lines("errors"), vec![3, 4, 6]);
    for e in report["errors"].as_array().unwrap() {
        assert!(!e["message"].as_str().unwrap().is_empty());
    }
    let listed = app.get(&format!("/api/v1/credentials?achievement={id}")).await.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 3);

    let a = app
        .call(
            Method::POST,
            "/api/v1/awards/bulk",
            Some(TOKEN),
            "text/csv",
            b"who,what\nx,y\n".to_vec(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    let a = app
        .call(Method::POST, "/api/v1/awards/bulk", Some(TOKEN), "text/csv", b"\xff\xfe".to_vec())
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn credentials_are_searchable_and_paginated() {
    let app = App::new();
    let a = app.achievement("Alpha").await;
    let b = app.achievement("Beta").await;
    for i in 0..7 {
        app.award(&a, &format!("a{i}@example.org")).await;
    }
    for i in 0..3 {
        app.award(&b, &format!("b{i}@example.org")).await;
    }
    let mut seen = Vec::new();
    let mut next: Option<u64> = None;
    loop {
        let path = match next {
            Some(c) => format!("/api/v1/credentials?limit=4&cursor={c}"),
            None => "/api/v1/credentials?limit=4".into(),
        };
        let page = app.get(&path).await.json();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 4);
        seen.extend(items.iter().map(|i| i["uuid"].as_str().unwrap().to_owned()));
        match page["next"].as_u64() {
            Some(c) => next = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 10);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 10, "a page repeated a credential");
    let by_b = app.get(&format!("/api/v1/credentials?achievement={b}")).await.json();
    assert_eq!(by_b["items"].as_array().unwrap().len(), 3);
    let by_name = app.get("/api/v1/credentials?q=beta").await.json();
    assert_eq!(by_name["items"].as_array().unwrap().len(), 3);
    let by_recipient = app.get("/api/v1/credentials?recipient=A3@Example.org").await.json();
    assert_eq!(by_recipient["items"].as_array().unwrap().len(), 1);
    // One recipient's pages come from their index, in issue order, without repeats.
    for _ in 0..3 {
        app.award(&b, "a3@example.org").await;
    }
    let mut theirs = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get(&format!("/api/v1/credentials?recipient=a3@example.org&limit=2{cursor}"))
            .await
            .json();
        theirs.extend(page["items"].as_array().unwrap().iter().map(|i| i["seq"].as_u64().unwrap()));
        match page["next"].as_u64() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(theirs.len(), 4, "{theirs:?}");
    assert!(theirs.windows(2).all(|w| w[0] < w[1]), "issue order: {theirs:?}");
    let theirs_b = app
        .get(&format!("/api/v1/credentials?recipient=a3@example.org&achievement={b}"))
        .await
        .json();
    assert_eq!(
        theirs_b["items"].as_array().unwrap().len(),
        3 + usize::from(by_recipient["items"][0]["achievement"] == b.as_str())
    );
    let future = app.get("/api/v1/credentials?since=2999-01-01T00:00:00Z").await.json();
    assert_eq!(future["items"], json!([]));
    let bad = app.get("/api/v1/credentials?status=sideways").await;
    assert_eq!((bad.status, bad.code().as_str()), (StatusCode::BAD_REQUEST, "bad_query"));
}

#[tokio::test]
async fn vc_api_issues_with_status_and_verifies_both_formats() {
    let app = App::new();
    let did = app.issuer.did().to_owned();
    let credential = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "ExampleCredential"],
        "issuer": {"id": did, "name": "Example issuer"},
        "credentialSubject": {"id": "did:example:subject", "name": "Subject"},
    });
    let a = app.post("/credentials/issue", &json!({"credential": credential})).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let vc = a.json()["verifiableCredential"].clone();
    assert_eq!(vc["issuer"]["name"], "Example issuer");
    assert!(vc["id"].as_str().unwrap().starts_with("urn:uuid:"));
    assert!(vc["validFrom"].is_string());
    let entries = vc["credentialStatus"].as_array().unwrap();
    let purposes: Vec<&str> =
        entries.iter().map(|e| e["statusPurpose"].as_str().unwrap()).collect();
    assert_eq!(purposes, ["revocation", "suspension"]);
    assert_eq!(verified(&app, &vc).await.0, StatusCode::OK);

    let a = app
        .post("/credentials/status", &json!({"credentialId": vc["id"], "credentialStatus": [{"type": "BitstringStatusListEntry", "statusPurpose": "suspension"}]}))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(verified(&app, &vc).await.0, StatusCode::UNPROCESSABLE_ENTITY);

    let a = app
        .post(
            "/credentials/issue",
            &json!({"credential": credential, "options": {"format": "jwt"}}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let envelope = a.json()["verifiableCredential"].clone();
    assert_eq!(envelope["type"], "EnvelopedVerifiableCredential");
    let (status, body) = verified(&app, &envelope).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Another issuer, a tampered credential, and no credential at all.
    let mut other = credential.clone();
    other["issuer"] = json!("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK");
    assert_eq!(
        app.post("/credentials/issue", &json!({"credential": other})).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut tampered = vc.clone();
    tampered["credentialSubject"]["name"] = json!("Mallory");
    assert_eq!(verified(&app, &tampered).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.post("/credentials/issue", &json!({})).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// A credential signed by another implementation (the W3C eddsa-rdfc-2022 vector) is judged
/// over the endpoint; one changed value breaks its proof.
#[tokio::test]
async fn the_w3c_vector_verifies_over_the_endpoint_and_a_tampered_copy_does_not() {
    let app = App::new();
    let path =
        common::specs().join("w3c-vc-di-eddsa/TestVectors/eddsa-rdfc-2022/signedDataInt.json");
    let vc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    // The proof holds; the issuer check fails, since the vector's issuer is a URL that does not
    // control the did:key that signed it, and this verifier binds the two.
    let (status, body) = verified(&app, &vc).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let check = |body: &Value, name: &str| -> String {
        body["report"]["checks"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()["status"].as_str().unwrap().to_owned()
    };
    assert_eq!(check(&body, "proof"), "ok", "{body}");
    assert_eq!(check(&body, "issuer"), "failed", "{body}");
    let mut tampered = vc.clone();
    tampered["credentialSubject"]["alumniOf"] = json!("The School of Forgeries");
    let (status, body) = verified(&app, &tampered).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["verified"], false);
    assert!(body["errors"].as_array().unwrap().iter().any(|e| e["check"] == "proof"), "{body}");
    assert_eq!(check(&body, "proof"), "failed");
}

#[tokio::test]
async fn health_is_public_and_metrics_need_the_token() {
    let app = App::new();
    let h = app.call(Method::GET, "/healthz", None, "", vec![]).await;
    assert_eq!(h.status, StatusCode::OK);
    assert_eq!(h.json()["did"], app.issuer.did());
    let id = app.achievement("Metrics").await;
    app.award(&id, "m@example.org").await;
    app.call(Method::GET, "/api/v1/node", None, "", vec![]).await;
    // Issuance volume is the operator's business.
    let anonymous = app.call(Method::GET, "/metrics", None, "", vec![]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.code(), "unauthorized");
    let m = app.get("/metrics").await;
    let text = m.text();
    assert!(text.contains("badgemesh_awards_total 1"), "{text}");
    assert!(text.contains("unauthorized"), "errors are counted by code: {text}");
    assert!(text.contains("badgemesh_http_request_duration_seconds"), "{text}");
}

#[tokio::test]
async fn a_list_older_than_the_freshness_limit_makes_status_unknown_never_a_pass() {
    let app = App::with_max_list_age(chrono::Duration::zero());
    let id = app.achievement("Freshness").await;
    let rec = app.award(&id, "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK").await;
    let (status, body) = verified(&app, &rec["credential"]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["warnings"][0].as_str().unwrap().contains("over the 0s limit"), "{body}");
    assert!(body["errors"].as_array().unwrap().iter().any(|e| e["check"] == "status"), "{body}");
    // Without a limit the same list is used, and the answer names it with its age.
    let fresh = App::new();
    let id = fresh.achievement("Freshness").await;
    let rec = fresh.award(&id, "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK").await;
    let (status, body) = verified(&fresh, &rec["credential"]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["statusLists"][0]["id"],
        rec["credential"]["credentialStatus"]["statusListCredential"]
    );
    assert!(body["statusLists"][0]["ageSeconds"].is_i64());
}

#[tokio::test]
async fn quiet_lists_are_re_signed_by_the_refresh() {
    let app = App::new();
    let id = app.achievement("Refresh").await;
    app.award(&id, "r@example.org").await;
    let before = app.get("/api/v1/status-lists").await.json()["items"][0].clone();
    assert_eq!(app.issuer.refresh_lists(chrono::Duration::hours(1)).await.unwrap(), 0);
    let n = app.issuer.refresh_lists(chrono::Duration::zero()).await.unwrap();
    assert_eq!(n, 1);
    let after = app.get("/api/v1/status-lists").await.json()["items"][0].clone();
    assert_eq!(after["version"].as_u64().unwrap(), before["version"].as_u64().unwrap() + 1);
    assert!(after["updated"].as_str().unwrap() > before["updated"].as_str().unwrap());
}

#[tokio::test]
async fn an_endorsement_is_signed_and_held_without_the_network() {
    let app = App::new();
    let unsigned = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Community endorsement",
        "credentialSubject": {"id": "https://example.edu/achievements/1", "type": ["EndorsementSubject"], "endorsementComment": "Rigorous."},
    });
    let a = app.post("/api/v1/endorsements", &json!({"credential": unsigned})).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let signed = a.json();
    assert_eq!(signed["issuer"]["id"], app.issuer.did());
    let held = app
        .get("/api/v1/endorsements?subject=https%3A%2F%2Fexample.edu%2Fachievements%2F1")
        .await
        .json();
    assert_eq!(held["items"][0]["id"], signed["id"]);
    let mut wrong = unsigned.clone();
    wrong["type"] = json!(["VerifiableCredential"]);
    assert_eq!(
        app.post("/api/v1/endorsements", &json!({"credential": wrong})).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// `POST /credentials/verify` with an image body.
async fn verify_image(app: &App, content_type: &str, image: Vec<u8>) -> common::Answer {
    app.call(Method::POST, "/credentials/verify", None, content_type, image).await
}

#[tokio::test]
async fn verify_takes_a_baked_badge_as_it_was_downloaded() {
    let app = App::new();
    let a = app.achievement("Baked").await;
    let signed = app.award(&a, "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK").await;
    let credential = signed["credential"].to_string();
    let png = tiny_png();
    let baked = vc_schemas::bake::bake_png(&png, &credential).unwrap();
    let ours = verify_image(&app, "image/png", baked.clone()).await;
    assert_eq!(ours.status, StatusCode::OK, "{}", ours.text());
    assert_eq!(ours.json()["verified"], true);
    let svg = vc_schemas::bake::bake_svg(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect width="1" height="1"/></svg>"#,
        &credential,
    )
    .unwrap();
    let ours = verify_image(&app, "image/svg+xml; charset=utf-8", svg.into_bytes()).await;
    assert_eq!(ours.status, StatusCode::OK, "{}", ours.text());
    // The 1EdTech sample: an RS256 VC-JWT with its key in the header.
    let sample = common::specs().join("openbadges-3.0/validator-samples/simple-jwt.png");
    let theirs = verify_image(&app, "image/png", std::fs::read(sample).unwrap()).await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.text());

    // Bad images: a clear 422 each, nothing verified.
    let mut cut = baked.clone();
    cut.truncate(baked.len() / 2);
    let twice = chunk_twice(&baked, b"iTXtopenbadgecredential");
    for (what, kind, body) in [
        ("cut in half", "image/png", cut),
        ("no credential", "image/png", png.clone()),
        ("two credentials", "image/png", twice),
        ("not an image", "image/png", b"{\"a\":1}".to_vec()),
        (
            "svg without one",
            "image/svg+xml",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec(),
        ),
    ] {
        let answer = verify_image(&app, kind, body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {}", answer.text());
        assert_eq!(answer.code(), "invalid", "{what}");
        assert!(!answer.json()["message"].as_str().unwrap().is_empty(), "{what}");
    }
}

/// `png` with its chunk whose type and start are `marker` repeated: two credentials.
fn chunk_twice(png: &[u8], marker: &[u8]) -> Vec<u8> {
    let at = png.windows(marker.len()).position(|w| w == marker).unwrap() - 4;
    let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
    let chunk = &png[at..at + 12 + len];
    [&png[..at], chunk, &png[at..]].concat()
}

/// A valid 1×1 PNG, made with the `png` crate.
fn tiny_png() -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, 1, 1);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.write_header().unwrap().write_image_data(&[0]).unwrap();
    out
}

#[tokio::test]
async fn an_award_with_a_malformed_evidence_or_result_names_the_field_and_stores_nothing() {
    let app = App::new();
    let a = app.achievement("Typed").await;
    for (field, bad) in [
        ("evidence", json!([{"narrative": 5}])),
        ("result", json!([{"value": ["not", "a", "string"]}])),
    ] {
        let key = if field == "result" { "results" } else { field };
        let body = json!({"achievement": a, "recipient": "ada@example.org", key: bad});
        let answer = app.post("/api/v1/awards", &body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", answer.text());
        assert!(answer.json()["message"].as_str().unwrap().starts_with(field), "{}", answer.text());
    }
    let list = app.get("/api/v1/credentials").await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}
