//! Shared test rigs: the router in process (no socket) and real `badgemesh` processes.
#![allow(dead_code, unreachable_pub, missing_debug_implementations, clippy::unwrap_used)]

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Method, Request, StatusCode, header},
};
use badgemesh_node::{
    api::{self, AppState, Limits},
    config::Http,
    cpu::CpuPool,
    issuer::{Issuer, lists},
    keys,
    node::{NodeHandle, VerifyPolicy},
    store::{STORE_FILE, Store},
};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A did:key used as a holder and subject.
pub const HOLDER: &str = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";

/// A credential whose `evidence` is a clique of `n` blank nodes linked by an inline
/// `@id`-typed term, with a proof so that verification canonicalizes it.
pub fn clique(n: usize) -> Value {
    let evidence: Vec<Value> = (0..n)
        .map(|i| {
            let others: Vec<String> =
                (0..n).filter(|&j| j != i).map(|j| format!("_:b{j}")).collect();
            json!({"id": format!("_:b{i}"), "rel": others})
        })
        .collect();
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            {"rel": {"@id": "https://example.org/rel", "@type": "@id"}}
        ],
        "type": ["VerifiableCredential"],
        "issuer": HOLDER,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": HOLDER},
        "evidence": evidence,
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2024-01-01T00:00:00Z",
            "verificationMethod": format!("{HOLDER}#{}", &HOLDER["did:key:".len()..]),
            "proofPurpose": "assertionMethod",
            "proofValue": "z5C5b6pCTYGRsRXT3Ae1nsnBwrbxCbwqbHATGSWhvzg2ffjkZpqh5QPxmrGTSYTGnqFMPBdFFEYGP4Mm7UEBoHHhM"
        }
    })
}

/// The token of every in-process app.
pub const TOKEN: &str = "test-token-0123456789";

/// A node's router in process, over a store in a temporary directory.
pub struct App {
    pub router: Router,
    pub issuer: Issuer,
    pub dir: tempfile::TempDir,
}

/// An answer: status, headers and body.
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.bytes)))
    }

    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_owned()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

impl App {
    /// A fresh node with the default limits.
    pub fn new() -> Self {
        Self::with_limits(Limits::from(&Http::default()))
    }

    pub fn with_limits(limits: Limits) -> Self {
        Self::build(limits, None)
    }

    /// A node whose verifier refuses status lists older than `max_age`.
    pub fn with_max_list_age(max_age: chrono::Duration) -> Self {
        Self::build(Limits::from(&Http::default()), Some(max_age))
    }

    /// A node whose CPU work runs on `cpu` (tests fill a small pool).
    pub fn with_cpu(cpu: CpuPool) -> Self {
        Self::build_on(Limits::from(&Http::default()), None, cpu)
    }

    fn build(limits: Limits, max_list_age: Option<chrono::Duration>) -> Self {
        Self::build_on(limits, max_list_age, CpuPool::for_this_machine(64))
    }

    fn build_on(limits: Limits, max_list_age: Option<chrono::Duration>, cpu: CpuPool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let key = Arc::new(keys::create(dir.path()).unwrap());
        let store =
            Store::open(&dir.path().join(STORE_FILE), lists::finisher(key.clone())).unwrap();
        let issuer = Issuer::with_cpu(store, key, "https://issuer.test".into(), None, cpu);
        let node = NodeHandle::new(issuer.clone(), None, VerifyPolicy { max_list_age });
        let state = AppState {
            node,
            token: TOKEN.into(),
            metrics: Arc::default(),
            limits,
            sessions: badgemesh_node::api::session::Sessions::new(false),
            nonces: Default::default(),
        };
        Self { router: api::router(state), issuer, dir }
    }

    /// One request; `token` None sends no Authorization header.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if !body.is_empty() {
            req = req.header(header::CONTENT_TYPE, content_type);
        }
        let response =
            self.router.clone().oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec();
        Answer { status, headers, bytes }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, Some(TOKEN), "", Vec::new()).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, body).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::PUT, path, body).await
    }

    pub async fn send(&self, method: Method, path: &str, body: &Value) -> Answer {
        self.call(method, path, Some(TOKEN), "application/json", body.to_string().into_bytes())
            .await
    }

    /// `POST /credentials/verify` (open: no token) asking for `checks`.
    pub async fn verify(&self, vc: &Value, checks: &[&str]) -> Answer {
        let body = json!({"verifiableCredential": vc, "options": {"checks": checks}});
        let bytes = body.to_string().into_bytes();
        self.call(Method::POST, "/credentials/verify", None, "application/json", bytes).await
    }

    /// `POST /api/v1/awards/bulk?achievement=…` with a CSV body.
    pub async fn bulk(&self, achievement: &str, csv: impl Into<Vec<u8>>) -> Answer {
        let path = format!("/api/v1/awards/bulk?achievement={achievement}");
        self.call(Method::POST, &path, Some(TOKEN), "text/csv", csv.into()).await
    }

    /// Creates an achievement and returns its uuid.
    pub async fn achievement(&self, name: &str) -> String {
        let a = self.post("/api/v1/achievements", &achievement_body(name)).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
        a.json()["uuid"].as_str().unwrap().to_owned()
    }

    /// Awards `achievement` to `recipient`; the stored record.
    pub async fn award(&self, achievement: &str, recipient: &str) -> Value {
        let a = self
            .post("/api/v1/awards", &json!({"achievement": achievement, "recipient": recipient}))
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
        a.json()
    }
}

pub fn achievement_body(name: &str) -> Value {
    json!({
        "name": name,
        "description": format!("Awarded for {name}."),
        "criteria": {"narrative": "Complete the course and pass the final assessment."},
        "tags": ["test"],
        "achievementType": "Badge",
    })
}

/// The JavaScript interop harness (`scripts/interop`), with `package` installed in it.
pub fn interop(package: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/interop");
    assert!(
        dir.join("node_modules").join(package).exists(),
        "run `npm ci --prefix scripts/interop` (scripts/test.sh does)"
    );
    dir
}

/// Runs the harness script `name` (in `dir`, from [`interop`]) with `args`: its last line, which
/// the scripts print as their one JSON answer.
pub fn script(dir: &Path, name: &str, args: &[&str]) -> Value {
    let out = std::process::Command::new("node")
        .arg(dir.join(name))
        .args(args)
        .output()
        .expect("node is installed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}: {stdout} {}", String::from_utf8_lossy(&out.stderr)))
}

/// The official files kept in the repository (`vc-schemas/tests/specs`).
pub fn specs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vc-schemas/tests/specs")
}

/// Runs the CLI against `dir` and waits.
pub fn badgemesh(dir: &Path, args: &[&str]) -> Output {
    badgemesh_with(dir, args, &[])
}

/// Runs the CLI against `dir` with more environment, and waits.
pub fn badgemesh_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_badgemesh"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("BADGEMESH_DATA_DIR")
        .env_remove("BADGEMESH_HTTP")
        .env_remove("BADGEMESH_PASSPHRASE")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// A running `badgemesh run` process on a loopback port the OS picked.
pub struct Node {
    pub dir: PathBuf,
    pub url: String,
    pub token: String,
    pub did: String,
    child: Option<Child>,
    _tmp: Option<tempfile::TempDir>,
}

impl Node {
    /// `badgemesh init` in a fresh directory, then `run`.
    pub fn start(extra: &[&str]) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("node");
        let out = badgemesh(&dir, &["init"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut node = Self::run_in(&dir, extra);
        node._tmp = Some(tmp);
        node
    }

    /// `badgemesh run` on an initialised directory.
    pub fn run_in(dir: &Path, extra: &[&str]) -> Self {
        let _ = std::fs::remove_file(dir.join("node.url"));
        let child = Command::new(env!("CARGO_BIN_EXE_badgemesh"))
            .arg("--data-dir")
            .arg(dir)
            .args(["run", "--http", "127.0.0.1:0"])
            .args(p2p_defaults(extra))
            .args(extra)
            .env_remove("BADGEMESH_DATA_DIR")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let url = wait_for("node.url", Duration::from_secs(30), || {
            std::fs::read_to_string(dir.join("node.url")).ok()
        });
        let token = std::fs::read_to_string(dir.join("api.token")).unwrap().trim().to_owned();
        let document: Value = serde_json::from_slice(&badgemesh(dir, &["did"]).stdout).unwrap();
        let did = document["id"].as_str().unwrap().to_owned();
        Self { dir: dir.to_owned(), url, token, did, child: Some(child), _tmp: None }
    }

    pub fn client() -> reqwest::blocking::Client {
        reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap()
    }

    pub fn get(&self, path: &str) -> reqwest::blocking::Response {
        Self::client().get(format!("{}{path}", self.url)).bearer_auth(&self.token).send().unwrap()
    }

    pub fn post(&self, path: &str, body: &Value) -> reqwest::blocking::Response {
        Self::client()
            .post(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .unwrap()
    }

    /// An offer of `achievement` (to `recipient`, a DID, when given): the API's answer.
    pub fn offer(&self, achievement: &str, recipient: Option<&str>) -> Value {
        let mut body = json!({"achievement": achievement});
        if let Some(r) = recipient {
            body["recipient"] = json!(r);
        }
        let answer = self.post("/api/v1/offers", &body);
        assert_eq!(answer.status(), 201);
        answer.json().unwrap()
    }

    /// How many credentials the node has issued (the listing must answer).
    pub fn issued(&self) -> usize {
        let listed = self.get("/api/v1/credentials");
        assert_eq!(listed.status(), 200);
        let listed: Value = listed.json().unwrap();
        listed["items"].as_array().expect("the listing's items").len()
    }

    /// The CLI against this node's directory.
    pub fn cli(&self, args: &[&str]) -> Output {
        badgemesh(&self.dir, args)
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// SIGKILL, no goodbye.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM and wait for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let mut c = self.child.take().unwrap();
        let _ = Command::new("kill").args(["-TERM", &c.id().to_string()]).status();
        c.wait().unwrap()
    }

    /// Takes over the temporary directory of `old` (the same data directory, restarted), so it
    /// lives as long as this node.
    pub fn adopt(&mut self, mut old: Node) {
        old.kill();
        if self._tmp.is_none() {
            self._tmp = old._tmp.take();
        }
    }

    /// Keeps `tmp` (the data directory's parent) as long as this node.
    pub fn keep(&mut self, tmp: tempfile::TempDir) {
        self._tmp = Some(tmp);
    }

    /// The exit status, once the process has ended.
    pub fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child.as_mut()?.try_wait().ok().flatten()
    }

    /// Takes the directory (and its temporary parent) for a later restart.
    pub fn into_parts(mut self) -> (PathBuf, Option<tempfile::TempDir>) {
        self.kill();
        (self.dir.clone(), self._tmp.take())
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Loopback, OS-chosen port and no mDNS, unless the test chose its own p2p settings.
fn p2p_defaults(extra: &[&str]) -> Vec<&'static str> {
    if extra.iter().any(|a| a.starts_with("--p2p") || *a == "--no-p2p") {
        Vec::new()
    } else {
        vec!["--p2p", "/ip4/127.0.0.1/tcp/0", "--mdns", "false"]
    }
}

/// Polls `f` until it returns something, or panics naming `what` after `timeout`.
#[allow(clippy::disallowed_methods)] // the poll interval of a condition wait, not a fixed delay
pub fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
