//! The wallet's pages on a real node (in process, real store, real keys): sign-in, import,
//! accept and refuse, presentations, baked downloads, and bad input that changes nothing.

#![allow(clippy::unwrap_used)]

mod common;

use axum::{
    body::{Body, to_bytes},
    http::{Method, Request, StatusCode, header},
};
use common::{App, TOKEN};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A browser of one wallet: its session cookie and the page's CSRF token.
struct Browser<'a> {
    app: &'a App,
    cookie: String,
    csrf: String,
}

struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Page {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn location(&self) -> String {
        self.headers[header::LOCATION].to_str().unwrap().to_owned()
    }
}

async fn send(app: &App, req: Request<Body>) -> Page {
    let response = app.router.clone().oneshot(req).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec();
    Page { status, headers, body }
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

async fn sign_in(app: &App) -> Browser<'_> {
    let req = Request::post("/wallet/signin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(&[("token", TOKEN)])))
        .unwrap();
    let page = send(app, req).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let set = page.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    let cookie = set.split(';').next().unwrap().to_owned();
    let mut b = Browser { app, cookie, csrf: String::new() };
    let home = b.get("/wallet").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text());
    b.csrf = csrf_of(&home.text());
    b
}

fn csrf_of(html: &str) -> String {
    let at = html.find(r#"name="csrf" value=""#).expect("a form with a CSRF token") + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

impl Browser<'_> {
    async fn get(&self, path: &str) -> Page {
        let req = Request::get(path)
            .header(header::COOKIE, &self.cookie)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap();
        send(self.app, req).await
    }

    async fn post(&self, path: &str, pairs: &[(&str, &str)], with_csrf: bool) -> Page {
        let mut all: Vec<(&str, &str)> = pairs.to_vec();
        if with_csrf {
            all.push(("csrf", &self.csrf));
        }
        let req = Request::post(path)
            .header(header::COOKIE, &self.cookie)
            .header(header::ACCEPT, "text/html")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form(&all)))
            .unwrap();
        send(self.app, req).await
    }

    /// The import form with `files` (name, bytes) and the CSRF token when `with_csrf`.
    async fn import(&self, files: &[(&str, Vec<u8>)], with_csrf: bool) -> Page {
        let boundary = "XbadgemeshX";
        let mut body = Vec::new();
        if with_csrf {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
                    self.csrf
                )
                .bytes(),
            );
        }
        for (name, bytes) in files {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").bytes());
            body.extend(bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").bytes());
        let req = Request::post("/wallet/import")
            .header(header::COOKIE, &self.cookie)
            .header(header::ACCEPT, "text/html")
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        send(self.app, req).await
    }
}

/// A credential issued by another node to `holder`.
async fn issued_to(holder: &str, name: &str) -> Value {
    let issuer = App::new();
    let a = issuer.achievement(name).await;
    issuer.award(&a, holder).await["credential"].clone()
}

fn holder_of(app: &App) -> String {
    app.issuer.did().to_owned()
}

async fn items(app: &App) -> Vec<Value> {
    app.get("/api/v1/inbox").await.json()["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn signing_in_takes_the_token_and_gives_a_strict_http_only_cookie() {
    let app = App::new();
    let wrong = Request::post("/wallet/signin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(&[("token", "guess")])))
        .unwrap();
    let page = send(&app, wrong).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.headers.get(header::SET_COOKIE).is_none());
    assert!(page.text().contains("badgemesh token"));

    let anonymous = send(&app, Request::get("/wallet").body(Body::empty()).unwrap()).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.location(), "/wallet/signin");
    let signin = send(&app, Request::get("/wallet/signin").body(Body::empty()).unwrap()).await;
    assert!(signin.text().contains(r#"<label for="token">"#));
    assert!(
        signin.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );

    let b = sign_in(&app).await;
    let home = b.get("/wallet").await;
    assert!(home.text().contains("Your badges"));
    assert!(home.text().contains("<main"), "landmarks");
    // Sign-out needs the form's token; after it the cookie opens nothing.
    assert_eq!(b.post("/wallet/signout", &[], false).await.status, StatusCode::FORBIDDEN);
    assert_eq!(b.post("/wallet/signout", &[], true).await.status, StatusCode::SEE_OTHER);
    assert_eq!(b.get("/wallet").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_imported_badge_is_accepted_presented_and_downloaded() {
    let app = App::new();
    let b = sign_in(&app).await;
    let credential = issued_to(&holder_of(&app), "Welding").await;
    let id = credential["id"].as_str().unwrap().to_owned();
    let png = vc_schemas::bake::bake_png(
        &badgemesh_wallet::bake::default_png().unwrap(),
        &credential.to_string(),
    )
    .unwrap();

    // Without the form's token nothing is stored.
    let refused = b.import(&[("welding.png", png.clone())], false).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    assert!(refused.text().contains("Nothing was changed"), "a page, not JSON, for a browser");
    assert!(items(&app).await.is_empty());

    let imported = b.import(&[("welding.png", png)], true).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text());
    assert!(imported.text().contains(&format!("added {id}")), "{}", imported.text());
    let inbox = b.get("/wallet/inbox").await;
    assert!(inbox.text().contains("Welding"), "{}", inbox.text());

    // Accept: a form without the token changes nothing; with it the badge moves to the gallery.
    assert_eq!(
        b.post("/wallet/badge/accept", &[("id", &id)], false).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(items(&app).await[0]["state"], "pending");
    let accepted = b.post("/wallet/badge/accept", &[("id", &id)], true).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert!(accepted.location().contains("done=accepted"));
    let again = b.post("/wallet/badge/accept", &[("id", &id)], true).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "an answer is given once");
    let gallery = b.get("/wallet?q=weld").await;
    assert!(gallery.text().contains("Welding"), "{}", gallery.text());
    assert!(!b.get("/wallet?q=plumbing").await.text().contains("Welding"));
    let page = b.get(&format!("/wallet/badge?id={}", urlencode(&id))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("Checks") && page.text().contains("proof"));

    // A presentation for a challenge verifies with that challenge only.
    let shown = b
        .post(
            "/wallet/present",
            &[("id", &id), ("challenge", "nonce-1"), ("domain", "verifier.example")],
            true,
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text());
    assert!(shown.text().contains("VerifiablePresentation"));
    let download = b
        .post(
            "/wallet/present/download",
            &[("id", &id), ("challenge", "nonce-1"), ("domain", "verifier.example")],
            true,
        )
        .await;
    assert_eq!(download.status, StatusCode::OK);
    let vp: Value = serde_json::from_slice(&download.body).unwrap();
    assert_eq!(vp["holder"], holder_of(&app));
    let check = |challenge: &'static str| {
        let vp = vp.clone();
        let app = &app;
        async move {
            let body = json!({"verifiablePresentation": vp, "options": {"challenge": challenge, "domain": "verifier.example"}});
            let answer = app.post("/presentations/verify", &body).await.json();
            let checks = answer["report"]["checks"].as_array().unwrap().clone();
            checks.iter().filter(|c| c["status"] == "failed").count()
        }
    };
    assert_eq!(check("nonce-1").await, 0, "the presentation verifies with its challenge");
    assert!(check("nonce-2").await > 0, "and not with another");
    let no_challenge = b.post("/wallet/present", &[("id", &id), ("challenge", "")], true).await;
    assert_eq!(no_challenge.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_challenge.text().contains("challenge"));

    // The baked download gives back the same credential.
    let baked = b.get(&format!("/wallet/badge/download?id={}&format=png", urlencode(&id))).await;
    assert_eq!(baked.headers[header::CONTENT_TYPE], "image/png");
    let back = vc_schemas::bake::unbake(&baked.body).unwrap().unwrap();
    assert_eq!(serde_json::from_str::<Value>(&back).unwrap(), credential);
    let svg = b.get(&format!("/wallet/badge/download?id={}&format=svg", urlencode(&id))).await;
    let back = vc_schemas::bake::unbake(&svg.body).unwrap().unwrap();
    assert_eq!(serde_json::from_str::<Value>(&back).unwrap(), credential);
}

#[tokio::test]
async fn bad_imports_say_why_and_store_nothing() {
    let app = App::new();
    let b = sign_in(&app).await;
    let credential = issued_to(&holder_of(&app), "Forgery").await;
    let mut forged = credential.clone();
    forged["credentialSubject"]["achievement"]["name"] = json!("Something else");
    let png = badgemesh_wallet::bake::default_png().unwrap();
    let mut cut = vc_schemas::bake::bake_png(&png, &credential.to_string()).unwrap();
    cut.truncate(cut.len() / 2);
    for (what, bytes, says) in [
        ("forged.json", forged.to_string().into_bytes(), "proof check failed"),
        ("plain.png", png.clone(), "no credential"),
        ("cut.png", cut, ""),
        ("notes.txt", b"hello".to_vec(), "not JSON"),
        ("person.json", br#"{"type":"Person"}"#.to_vec(), "not a credential"),
    ] {
        let page = b.import(&[(what, bytes)], true).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {}", page.text());
        assert!(page.text().contains(says), "{what}: {}", page.text());
    }
    assert!(items(&app).await.is_empty(), "nothing stored");
    // Refusing keeps the badge out of the gallery and a second import changes nothing.
    let ok = b.import(&[("ok.json", credential.to_string().into_bytes())], true).await;
    assert_eq!(ok.status, StatusCode::OK);
    let id = credential["id"].as_str().unwrap();
    assert_eq!(
        b.post("/wallet/badge/refuse", &[("id", id)], true).await.status,
        StatusCode::SEE_OTHER
    );
    let again = b.import(&[("ok.json", credential.to_string().into_bytes())], true).await;
    assert!(again.text().contains("in your wallet already"), "{}", again.text());
    assert_eq!(items(&app).await[0]["state"], "refused");
    assert!(!b.get("/wallet").await.text().contains("Forgery"));
}

#[tokio::test]
async fn the_validators_baked_jwt_badge_imports() {
    let app = App::new();
    let b = sign_in(&app).await;
    let sample =
        std::fs::read(common::specs().join("openbadges-3.0/validator-samples/simple-jwt.png"))
            .unwrap();
    let page = b.import(&[("simple-jwt.png", sample)], true).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let held = items(&app).await;
    assert_eq!(held.len(), 1);
    assert!(held[0]["credential"].is_string(), "kept as the VC-JWT it is");
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// `POST /verify` (public) with a file or pasted text, as a browser sends the form.
async fn verify_page(
    app: &App,
    file: Option<(&str, Vec<u8>)>,
    text: &str,
    challenge: &str,
) -> Page {
    let boundary = "XverifyX";
    let mut body = Vec::new();
    if let Some((name, bytes)) = file {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n").bytes());
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    for (field, value) in [("text", text), ("challenge", challenge), ("domain", "")] {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n").bytes());
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    let req = Request::post("/verify")
        .header(header::ACCEPT, "text/html")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap();
    send(app, req).await
}

#[tokio::test]
async fn anyone_can_verify_a_badge_in_plain_words() {
    let app = App::new();
    let form = send(&app, Request::get("/verify").body(Body::empty()).unwrap()).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains(r#"<label for="file">"#), "{}", form.text());
    // The node's own award: every check passes (its own list is held).
    let a = app.achievement("Masonry").await;
    let credential = app
        .award(&a, "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
        .await["credential"]
        .clone();
    let ok = verify_page(&app, None, &credential.to_string(), "").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert!(ok.text().contains("Valid: every check passed."), "{}", ok.text());
    assert!(ok.text().contains("Masonry"));
    // As a baked image, uploaded.
    let png = vc_schemas::bake::bake_png(
        &badgemesh_wallet::bake::default_png().unwrap(),
        &credential.to_string(),
    )
    .unwrap();
    let baked = verify_page(&app, Some(("masonry.png", png)), "", "").await;
    assert!(baked.text().contains("Valid: every check passed."), "{}", baked.text());
    // Altered: not valid, and why.
    let mut forged = credential.clone();
    forged["credentialSubject"]["achievement"]["name"] = json!("Brain surgery");
    let bad = verify_page(&app, None, &forged.to_string(), "").await;
    assert!(bad.text().contains("Not valid.") && bad.text().contains("proof"), "{}", bad.text());
    // Revoked: not valid, naming the status.
    let uuid = credential["id"].as_str().unwrap().trim_start_matches("urn:uuid:").to_owned();
    app.post(&format!("/api/v1/credentials/{uuid}/revoke"), &json!({})).await;
    let revoked = verify_page(&app, None, &credential.to_string(), "").await;
    assert!(
        revoked.text().contains("Not valid.") && revoked.text().contains("status"),
        "{}",
        revoked.text()
    );
    // A presentation: valid with its challenge, not with another.
    let b = app.achievement("Tiling").await;
    let tiling = app.award(&b, &holder_of(&app)).await["credential"].clone();
    let id = tiling["id"].as_str().unwrap().to_owned();
    let bytes = tiling.to_string().into_bytes();
    let import = app
        .call(Method::POST, "/api/v1/wallet/import", Some(TOKEN), "application/json", bytes)
        .await;
    assert_eq!(import.status, StatusCode::OK, "{}", import.text());
    app.post("/api/v1/inbox/accept", &json!({ "id": id })).await;
    let vp =
        app.post("/api/v1/wallet/present", &json!({"ids": [id], "challenge": "c-1"})).await.json();
    let right = verify_page(&app, None, &vp.to_string(), "c-1").await;
    assert!(right.text().contains("Valid: every check passed."), "{}", right.text());
    assert!(right.text().contains("A presentation by") && right.text().contains("Tiling"));
    let wrong = verify_page(&app, None, &vp.to_string(), "c-2").await;
    assert!(wrong.text().contains("Not valid."), "{}", wrong.text());
    // Garbage: a clear message, as a page.
    let garbage = verify_page(&app, None, "hello", "").await;
    assert_eq!(garbage.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(garbage.text().contains("not JSON"), "{}", garbage.text());
    let empty = verify_page(&app, None, "", "").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_self_issued_badge_verifies_and_says_so() {
    let app = App::new();
    let b = sign_in(&app).await;
    let form = b.get("/wallet/selfie").await;
    assert!(form.text().contains(r#"<label for="criteria">"#));
    let empty = b
        .post(
            "/wallet/selfie",
            &[("name", "Kites"), ("description", ""), ("criteria", "Flew one.")],
            true,
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.text().contains("needs a description") && empty.text().contains("Kites"),
        "the form keeps what was typed"
    );
    let script = b
        .post(
            "/wallet/selfie",
            &[
                ("name", "Kites"),
                ("description", "Builds kites."),
                ("criteria", "Flew one."),
                ("evidence", "javascript:alert(1)"),
            ],
            true,
        )
        .await;
    assert_eq!(script.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", script.text());
    assert_eq!(
        b.post(
            "/wallet/selfie",
            &[("name", "Kites"), ("description", "d"), ("criteria", "c")],
            false
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let made = b
        .post(
            "/wallet/selfie",
            &[
                ("name", "Kites"),
                ("description", "Builds kites."),
                ("criteria", "Flew one."),
                ("evidence", "https://example.org/kite"),
            ],
            true,
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let page = b.get(&made.location()).await;
    assert!(page.text().contains("self-issued"), "{}", page.text());
    assert!(page.text().contains("valid: every check passed"), "{}", page.text());
    assert!(b.get("/wallet").await.text().contains("Kites"), "kept, accepted");
}

/// HTML text with the entities the templates write turned back into characters.
fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// An anonymous GET (no cookie) asking for a page.
async fn visit(app: &App, path: &str) -> Page {
    let req = Request::get(path).header(header::ACCEPT, "text/html").body(Body::empty()).unwrap();
    send(app, req).await
}

/// The path of a public address on the test node.
fn path_of(url: &str) -> String {
    let at = url.find("/b/").or_else(|| url.find("/p/")).expect("a public address");
    url[at..].to_owned()
}

#[tokio::test]
async fn a_public_badge_and_page_are_shown_to_anyone_until_made_private() {
    let app = App::new();
    let b = sign_in(&app).await;
    let credential = issued_to(&holder_of(&app), "Arc & Gas Welding").await;
    let id = credential["id"].as_str().unwrap().to_owned();
    let imported = b.import(&[("welding.json", credential.to_string().into_bytes())], true).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text());

    // Only an accepted badge can be public, and a private badge has no card.
    let early = app.post("/api/v1/wallet/publish", &json!({"id": id, "public": true})).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    b.post("/wallet/badge/accept", &[("id", &id)], true).await;
    let card = app.get(&format!("/api/v1/wallet/card?id={}&format=pdf", urlencode(&id))).await;
    assert_eq!(card.status, StatusCode::CONFLICT, "{}", card.json());
    assert!(card.json()["message"].as_str().unwrap().contains("make it public first"));

    // One click makes it public: its page, baked picture and credential are open to anyone.
    let made = b.post("/wallet/badge/publish", &[("id", &id), ("public", "true")], true).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let mine = unescape(&b.get(&format!("/wallet/badge?id={}", urlencode(&id))).await.text());
    let url = mine.split("id=\"public-url\">").nth(1).unwrap().split('<').next().unwrap();
    let public = visit(&app, &path_of(url)).await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.text());
    let html = unescape(&public.text());
    assert!(html.contains("<meta property=\"og:title\" content=\"Arc & Gas Welding\">"), "{html}");
    assert!(html.contains(&format!("<meta property=\"og:image\" content=\"{url}/badge.png\">")));
    assert!(html.contains("<td>proof</td><td class=\"check-ok\">"), "verified on view: {html}");
    assert!(html.contains("Verified on this page's node just now"), "{html}");
    assert!(!html.contains("csrf"), "a public page has no wallet forms");
    assert!(mine.contains(
        "linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=Arc+%26+Gas+Welding"
    ));
    assert!(mine.contains(&format!("<a href=\"{url}\"")), "the embed snippet");
    let png = visit(&app, &format!("{}/badge.png", path_of(url))).await;
    assert_eq!(png.headers[header::CONTENT_TYPE], "image/png");
    let back = vc_schemas::bake::unbake(&png.body).unwrap().unwrap();
    assert_eq!(serde_json::from_str::<Value>(&back).unwrap(), credential);
    let file = visit(&app, &format!("{}/credential", path_of(url))).await;
    assert_eq!(serde_json::from_slice::<Value>(&file.body).unwrap(), credential);

    // Its cards carry the address in their QR code (decoded in the browser test).
    let pdf = b.get(&format!("/wallet/badge/card?id={}&format=pdf", urlencode(&id))).await;
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.body.starts_with(b"%PDF-"));
    let svg = app.get(&format!("/api/v1/wallet/card?id={}&format=svg", urlencode(&id))).await;
    assert!(svg.text().contains("Arc &amp; Gas Welding") && svg.text().contains(url));

    // A portfolio page shows it to anyone; made private, the page is gone, the badge stays.
    let page = app
        .post("/api/v1/wallet/pages", &json!({"title": "My welding", "text": "Two years.\n\nAt sea.", "badges": [id], "public": true}))
        .await;
    assert_eq!(page.status, StatusCode::CREATED, "{}", page.json());
    let page = page.json();
    let shown = visit(&app, &path_of(page["url"].as_str().unwrap())).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text());
    let shown = unescape(&shown.text());
    assert!(shown.contains("<h1>My welding</h1>") && shown.contains("<p>At sea.</p>"));
    assert!(shown.contains(url), "it links each badge's page");
    let pages = b.get("/wallet/pages").await;
    assert!(pages.text().contains("My welding"));
    let hidden = b
        .post(
            "/wallet/pages/publish",
            &[("id", page["id"].as_str().unwrap()), ("public", "false")],
            true,
        )
        .await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER, "{}", hidden.text());
    assert_eq!(
        visit(&app, &path_of(page["url"].as_str().unwrap())).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(visit(&app, &path_of(url)).await.status, StatusCode::OK);

    // Private again: 404 for everyone, like an address that never was.
    let private = app.post("/api/v1/wallet/publish", &json!({"id": id, "public": false})).await;
    assert_eq!(private.status, StatusCode::OK);
    let gone = visit(&app, &path_of(url)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(visit(&app, "/b/never-was").await.status, StatusCode::NOT_FOUND);
    assert_eq!(visit(&app, "/b/%3Cscript%3E").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        visit(&app, &format!("{}/badge.png", path_of(url))).await.status,
        StatusCode::NOT_FOUND
    );

    // Public again: the same address, so printed cards work again.
    let again = app.post("/api/v1/wallet/publish", &json!({"id": id, "public": true})).await;
    assert_eq!(again.json()["url"], url);

    // A page of a badge not held, or of none, is refused and nothing is stored.
    let bad =
        app.post("/api/v1/wallet/pages", &json!({"title": "X", "badges": ["urn:nope"]})).await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
    let none = b.post("/wallet/pages", &[("title", "Empty")], true).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.text().contains("at least one badge"));
    assert_eq!(app.get("/api/v1/wallet/pages").await.json()["pages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_vp_jwt_is_bound_to_its_nonce_and_audience_wherever_it_is_checked() {
    let app = App::new();
    let credential = issued_to(&holder_of(&app), "Rigging").await;
    let id = credential["id"].as_str().unwrap().to_owned();
    let imported = app.post("/api/v1/wallet/import?file=r.json", &credential).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.json());
    app.post("/api/v1/inbox/accept", &json!({"id": id})).await;
    let answer = app
        .post(
            "/api/v1/wallet/present",
            &json!({"ids": [id], "challenge": "n-7", "domain": "v.example", "format": "jwt"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    let token = answer.json().as_str().unwrap().to_owned();
    let header = vc_schemas::proof::jwt::decode(&token).unwrap().header().clone();
    assert_eq!(header["typ"], "vp+jwt");

    let check = |vp: Value, challenge: &'static str| {
        let app = &app;
        async move {
            let body = json!({"verifiablePresentation": vp, "options": {"challenge": challenge, "domain": "v.example"}});
            app.post("/presentations/verify", &body).await.json()
        }
    };
    let enveloped = json!({"@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiablePresentation", "id": format!("data:application/vp+jwt,{token}")});
    for vp in [Value::String(token.clone()), enveloped] {
        let good = check(vp.clone(), "n-7").await;
        let failed: Vec<&Value> = good["report"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] == "failed")
            .collect();
        assert!(failed.is_empty(), "{good}");
        assert_eq!(good["report"]["kind"], "presentation (VP-JWT)");
        let replayed = check(vp, "n-8").await;
        assert_eq!(replayed["verified"], false, "{replayed}");
    }

    // Pasted into the public verification page, it reads as a presentation.
    let page = verify_page(&app, None, &token, "n-7").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("Rigging"), "{}", page.text());
    let wrong = verify_page(&app, None, &token, "n-8").await;
    assert!(wrong.text().contains("nonce does not match"), "{}", wrong.text());
}
