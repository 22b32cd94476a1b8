//! A local testnet: N real `badgemesh` processes on 127.0.0.1, each bootstrapped to the first,
//! driven through their HTTP APIs. Checks wait on named conditions with a timeout, never on
//! fixed sleeps.
//!
//! The rig is given the path of the `badgemesh` binary (tests pass `CARGO_BIN_EXE_badgemesh`;
//! the `badgemesh-testnet` binary looks beside itself).

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use serde_json::Value;

pub mod bench;

/// What can go wrong while running a testnet.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A process could not be started or a file read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A node answered with an error or not at all.
    #[error("node {node}: {message}")]
    Node {
        /// Index of the node.
        node: usize,
        /// What happened.
        message: String,
    },
    /// A condition did not hold in time.
    #[error("timed out after {0:?} waiting for {1}")]
    Timeout(Duration, String),
}

/// Results of the rig.
pub type Result<T> = std::result::Result<T, Error>;

/// One node of the net.
#[derive(Debug)]
pub struct Node {
    /// Index in the net.
    pub index: usize,
    /// Data directory.
    pub dir: PathBuf,
    /// HTTP base URL while running.
    pub url: String,
    /// API token.
    pub token: String,
    /// The node's DID.
    pub did: String,
    /// A p2p address others can dial (`/ip4/127.0.0.1/tcp/…/p2p/…`).
    pub p2p: String,
    child: Option<Child>,
}

impl Node {
    fn http() -> reqwest::blocking::Client {
        reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default()
    }

    fn fail(&self, message: impl Into<String>) -> Error {
        Error::Node { node: self.index, message: message.into() }
    }

    /// `GET path` with the token; the JSON answer.
    pub fn get(&self, path: &str) -> Result<Value> {
        let r = Self::http()
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .map_err(|e| self.fail(e.to_string()))?;
        self.json(r)
    }

    /// `POST path` with a JSON body and the token; the JSON answer.
    pub fn post(&self, path: &str, body: &Value) -> Result<Value> {
        let r = Self::http()
            .post(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .map_err(|e| self.fail(e.to_string()))?;
        self.json(r)
    }

    fn json(&self, r: reqwest::blocking::Response) -> Result<Value> {
        let status = r.status();
        let body: Value = r.json().map_err(|e| self.fail(e.to_string()))?;
        if status.is_success() { Ok(body) } else { Err(self.fail(format!("{status}: {body}"))) }
    }

    /// The signed `validFrom` of the list `id` this node holds, if any.
    pub fn held(&self, id: &str) -> Option<String> {
        let lists = self.get("/api/v1/held-lists").ok()?;
        lists["items"]
            .as_array()?
            .iter()
            .find(|l| l["id"] == id)
            .and_then(|l| l["validFrom"].as_str())
            .map(str::to_owned)
    }

    /// When the held list `id` was signed (`validFrom`) and when this node stored it.
    pub fn held_times(&self, id: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let lists = self.get("/api/v1/held-lists").ok()?;
        let l = lists["items"].as_array()?.iter().find(|l| l["id"] == id)?;
        let t = |k: &str| l[k].as_str()?.parse::<DateTime<Utc>>().ok();
        Some((t("validFrom")?, t("received")?))
    }

    /// The process id, while running.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Resident memory of the process (Linux), in bytes.
    pub fn rss(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        let kb: u64 = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        Some(kb * 1024)
    }

    /// Whether the process is running.
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A running net.
#[derive(Debug)]
pub struct Net {
    /// The nodes; node 0 is everyone's bootstrap peer.
    pub nodes: Vec<Node>,
    bin: PathBuf,
    root: tempfile::TempDir,
}

impl Net {
    /// Initialises and starts `n` nodes.
    pub fn start(bin: &Path, n: usize) -> Result<Self> {
        let root = tempfile::tempdir()?;
        let mut net = Self { nodes: Vec::new(), bin: bin.to_owned(), root };
        for i in 0..n {
            let dir = net.root.path().join(format!("node{i}"));
            let out = Command::new(&net.bin).arg("--data-dir").arg(&dir).arg("init").output()?;
            if !out.status.success() {
                return Err(Error::Node {
                    node: i,
                    message: String::from_utf8_lossy(&out.stderr).into(),
                });
            }
            let did = String::from_utf8_lossy(&out.stdout)
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned();
            let token = std::fs::read_to_string(dir.join("api.token"))?.trim().to_owned();
            net.nodes.push(Node {
                index: i,
                dir,
                url: String::new(),
                token,
                did,
                p2p: String::new(),
                child: None,
            });
            net.launch(i)?;
        }
        Ok(net)
    }

    /// Where the nodes' data directories are.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Starts node `i` (again), bootstrapped to node 0 unless it is node 0.
    pub fn launch(&mut self, i: usize) -> Result<()> {
        let bootstrap = if i == 0 { None } else { Some(self.nodes[0].p2p.clone()) };
        let node = &mut self.nodes[i];
        let _ = std::fs::remove_file(node.dir.join("node.url"));
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--data-dir")
            .arg(&node.dir)
            .args([
                "run",
                "--http",
                "127.0.0.1:0",
                "--p2p",
                "/ip4/127.0.0.1/tcp/0",
                "--mdns",
                "false",
            ])
            .env("RUST_LOG", std::env::var("TESTNET_LOG").unwrap_or_else(|_| "warn".into()))
            .env_remove("BADGEMESH_DATA_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if let Some(b) = bootstrap {
            cmd.args(["--bootstrap", &b]);
        }
        node.child = Some(cmd.spawn()?);
        let dir = node.dir.clone();
        node.url = wait(&format!("node {i} to serve HTTP"), Duration::from_secs(60), || {
            std::fs::read_to_string(dir.join("node.url")).ok()
        })?;
        let node = &self.nodes[i];
        let p2p = wait(&format!("node {i} to listen for peers"), Duration::from_secs(30), || {
            let info = node.get("/api/v1/peers").ok()?;
            info["listen"]
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .find(|a| a.contains("/tcp/"))
                .map(str::to_owned)
        })?;
        self.nodes[i].p2p = p2p;
        Ok(())
    }

    /// Stops node `i` (SIGKILL: what a crash or a pulled cable looks like to its peers).
    pub fn stop(&mut self, i: usize) {
        self.nodes[i].kill();
    }

    /// Waits until `check` holds for every running node; returns how long it took.
    pub fn wait_all(
        &self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut(&Node) -> bool,
    ) -> Result<Duration> {
        let start = Instant::now();
        wait(what, timeout, || {
            self.nodes.iter().filter(|n| n.is_running()).all(&mut check).then_some(())
        })?;
        Ok(start.elapsed())
    }
}

/// Polls `f` every 10 ms until it returns something, for at most `timeout`.
pub fn wait<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Result<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return Ok(v);
        }
        if start.elapsed() > timeout {
            return Err(Error::Timeout(timeout, what.to_owned()));
        }
        #[allow(clippy::disallowed_methods)] // the poll interval of a condition wait
        std::thread::sleep(Duration::from_millis(10));
    }
}
