//! The wallet's server time, in process (the router, no socket), as the wallet issue asks:
//! the gallery and its search with 10,000 badges held, a presentation of 20 badges built,
//! signed and verified, and one upload of 1,000 credential files.
//!
//! Each figure comes with its baseline from the same run: the gallery of a wallet holding one
//! page of badges (48), and one credential's verification. Release build:
//! `cargo bench -p badgemesh-node --bench wallet` (numbers in docs/PERFORMANCE.md, "Wallet").
#![allow(clippy::unwrap_used, missing_docs)]

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Request, StatusCode, header},
};
use badgemesh_node::{
    api::{self, AppState, Limits},
    config::Http,
    issuer::{Issuer, achievement::AchievementInput, award::AwardRequest, lists},
    keys,
    node::{NodeHandle, VerifyPolicy},
    store::{STORE_FILE, Store},
};
use badgemesh_wallet::{Origin, import};
use serde_json::{Value, json};
use tower::ServiceExt;

const TOKEN: &str = "bench-token";
const TOPICS: [&str; 10] = [
    "Welding",
    "Rigging",
    "Carpentry",
    "Plumbing",
    "Masonry",
    "Roofing",
    "Glazing",
    "Painting",
    "Tiling",
    "Surveying",
];

/// A node in a temporary directory with its router.
struct Bench {
    router: Router,
    issuer: Issuer,
    node: NodeHandle,
    cookie: String,
    _dir: tempfile::TempDir,
}

impl Bench {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let key = Arc::new(keys::create(dir.path()).unwrap());
        let store =
            Store::open(&dir.path().join(STORE_FILE), lists::finisher(key.clone())).unwrap();
        let issuer = Issuer::new(store, key, "https://bench.test".into(), None);
        let node = NodeHandle::new(issuer.clone(), None, VerifyPolicy { max_list_age: None });
        let state = AppState {
            node: node.clone(),
            token: TOKEN.into(),
            metrics: Arc::default(),
            limits: Limits::from(&Http::default()),
            sessions: api::session::Sessions::new(false),
            nonces: Default::default(),
        };
        let mut bench =
            Self { router: api::router(state), issuer, node, cookie: String::new(), _dir: dir };
        let signin = Request::post("/wallet/signin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("token={TOKEN}")))
            .unwrap();
        let response = bench.router.clone().oneshot(signin).await.unwrap();
        let set = response.headers()[header::SET_COOKIE].to_str().unwrap();
        bench.cookie = set.split(';').next().unwrap().to_owned();
        bench
    }

    /// `n` credentials to this node's DID, of 10 achievements (one per topic), awarded 16 at a
    /// time.
    async fn credentials(&self, n: usize, tag: &str) -> Vec<Value> {
        self.credentials_of(n, TOPICS.len(), tag).await
    }

    /// `n` credentials of `kinds` achievements (named after the topics, numbered).
    async fn credentials_of(&self, n: usize, kinds: usize, tag: &str) -> Vec<Value> {
        let mut achievements = Vec::new();
        for k in 0..kinds {
            let topic = TOPICS[k % TOPICS.len()];
            let input: AchievementInput = serde_json::from_value(json!({
                "name": format!("{topic} {tag} {k}"), "description": format!("Practical {topic}, part {k}."),
                "criteria": {"narrative": "Pass the practical test."},
            }))
            .unwrap();
            achievements.push(self.issuer.create_achievement(input).await.unwrap().uuid);
        }
        let mut out = Vec::with_capacity(n);
        for chunk in (0..n).collect::<Vec<_>>().chunks(16) {
            let awards = chunk.iter().map(|i| {
                let issuer = self.issuer.clone();
                let request =
                    AwardRequest::plain(achievements[i % kinds].clone(), issuer.did().to_owned());
                async move { issuer.award(request).await.unwrap().record.credential }
            });
            out.extend(futures::future::join_all(awards).await);
        }
        out
    }

    /// Keeps `credentials` in the wallet: offered, then accepted.
    async fn hold(&self, credentials: Vec<Value>) {
        for chunk in credentials.chunks(64) {
            let offers = chunk.iter().map(|c| {
                let item = import::item(c.clone(), Origin::Imported, chrono::Utc::now()).unwrap();
                let node = self.node.clone();
                async move {
                    let id = item.id.clone();
                    assert!(node.offer(item).await.unwrap());
                    node.decide(id, true).await.unwrap();
                }
            });
            futures::future::join_all(offers).await;
        }
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, Vec<u8>) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        (status, to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec())
    }

    async fn page(&self, path: &str) -> Duration {
        let request = Request::get(path)
            .header(header::COOKIE, &self.cookie)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap();
        let t = Instant::now();
        let (status, body) = self.send(request).await;
        let took = t.elapsed();
        assert_eq!(status, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&body));
        took
    }

    async fn post(&self, path: &str, body: &Value) -> (Duration, Value) {
        let request = Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let t = Instant::now();
        let (_, bytes) = self.send(request).await;
        (t.elapsed(), serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }
}

/// p50 and p95 of `samples` runs of `f`, in ms.
async fn percentiles<F, Fut>(samples: usize, mut f: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Duration>,
{
    let mut times: Vec<f64> = Vec::with_capacity(samples);
    for _ in 0..samples {
        times.push(f().await.as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (times[samples / 2], times[samples * 95 / 100])
}

fn row(what: &str, (p50, p95): (f64, f64), baseline: f64) {
    println!(
        "{what:<58} p50 {p50:>7.2} ms  p95 {p95:>7.2} ms  ({:>5.1}× baseline)",
        p95 / baseline
    );
}

fn multipart(files: &[Value], csrf: &str) -> (String, Vec<u8>) {
    let boundary = "XbenchX".to_owned();
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .into_bytes();
    for (i, c) in files.iter().enumerate() {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{i}.json\"\r\n\r\n").bytes());
        body.extend(c.to_string().bytes());
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    (boundary, body)
}

fn main() {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let small = Bench::new().await;
        small.hold(small.credentials(48, "small").await).await;
        let large = Bench::new().await;
        let t = Instant::now();
        large.hold(large.credentials(10_000, "large").await).await;
        println!("filled a wallet with 10,000 badges in {:.1} s", t.elapsed().as_secs_f64());

        let (_, base_p95) = percentiles(200, || small.page("/wallet")).await;
        row("gallery, 48 badges held (baseline)", percentiles(200, || small.page("/wallet")).await, base_p95);
        row("gallery, 10,000 held, first page", percentiles(200, || large.page("/wallet")).await, base_p95);
        row("gallery, 10,000 held, page 100", percentiles(200, || large.page("/wallet?page=100")).await, base_p95);
        row("search q=weld (1,000 match), 10,000 held", percentiles(200, || large.page("/wallet?q=weld")).await, base_p95);
        row("search q=nothing (none match), 10,000 held", percentiles(200, || large.page("/wallet?q=nothing")).await, base_p95);
        row("inbox (empty), 10,000 held", percentiles(200, || large.page("/wallet/inbox")).await, base_p95);

        // Presentations: 20 badges signed by the holder, then verified with their challenge.
        // An earner's 20 badges are 20 achievements; 20 badges of only 10 achievements (two
        // of each, alike but for their ids) tie blank nodes, which RDFC labels the slow way.
        let twenty = large.credentials_of(20, 20, "present").await;
        let paired = large.credentials_of(20, 10, "paired").await;
        large.hold(twenty.clone()).await;
        large.hold(paired.clone()).await;
        let one = twenty[0].clone();
        let (_, verify_p95) = percentiles(50, || async {
            large.post("/credentials/verify", &json!({"verifiableCredential": one})).await.0
        })
        .await;
        row("verify 1 credential (baseline)", (verify_p95, verify_p95), verify_p95);
        let ids = |set: &[Value]| set.iter().map(|c| c["id"].clone()).collect::<Vec<Value>>();
        for (set, what, format) in [
            (&twenty, "20 badges", "di"),
            (&twenty, "20 badges", "jwt"),
            (&paired, "20 badges of 10 achievements", "di"),
        ] {
            let body = json!({"ids": ids(set), "challenge": "c-1", "domain": "v.example", "format": format});
            let built =
                percentiles(50, || async { large.post("/api/v1/wallet/present", &body).await.0 }).await;
            let vp = large.post("/api/v1/wallet/present", &body).await.1;
            row(&format!("present {what} ({format}): build and sign"), built, verify_p95);
            let check = json!({"verifiablePresentation": vp, "options": {"challenge": "c-1", "domain": "v.example"}});
            let (_, answer) = large.post("/presentations/verify", &check).await;
            assert_eq!(answer["verified"], true, "{answer}");
            let verified = percentiles(50, || async { large.post("/presentations/verify", &check).await.0 }).await;
            row(&format!("present {what} ({format}): verify"), verified, verify_p95);
        }

        // One upload of 1,000 files, the import form's way.
        let files = large.credentials(1000, "import").await;
        let page = large.send(
            Request::get("/wallet/import").header(header::COOKIE, &large.cookie).body(Body::empty()).unwrap(),
        ).await.1;
        let page = String::from_utf8(page).unwrap();
        let at = page.find(r#"name="csrf" value=""#).unwrap() + 19;
        let csrf = page[at..].split('"').next().unwrap().to_owned();
        let (boundary, body) = multipart(&files, &csrf);
        let request = Request::post("/wallet/import")
            .header(header::COOKIE, &large.cookie)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        let t = Instant::now();
        let (status, _) = large.send(request).await;
        let took = t.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(status, StatusCode::OK);
        println!(
            "{:<58} {took:>7.0} ms total, {:.2} ms a file ({:.1}× one verification)",
            "import 1,000 files in one upload",
            took / 1000.0,
            took / 1000.0 / verify_p95
        );
    });
}
