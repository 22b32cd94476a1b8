//! Crash safety: SIGKILL the node at random moments while it awards 10,000 credentials from CSV
//! chunks with revocations in flight, restart it, send the chunks that got no answer again,
//! and check what it acknowledged.
//!
//! After every restart and at the end:
//! - every award and revocation the API acknowledged is present (and revoked, for revocations);
//! - no row was awarded twice, although chunks cut short by a crash (some of their rows stored,
//!   none reported) were sent again: bulk rows are idempotent;
//! - every stored credential verifies (proof, issuer, validity) with the node's own code path;
//! - no (list, index) was handed out twice, and each list's bits are exactly the revoked or
//!   suspended credentials that point at them;
//! - no status list version went backwards across a crash.
#![allow(clippy::unwrap_used)]
// Sleeps here pick the random kill moment and pace the pollers; no assertion waits on one.
#![allow(clippy::disallowed_methods)]

mod common;

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use common::Node;
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};
use vc_schemas::{
    did::OfflineResolver,
    status_list::StatusList,
    verify::{self, Options},
};

const TARGET: u64 = 10_000;
const CHUNK: u64 = 250;
const PUBLIC: &str = "https://durable.test";

/// What the API acknowledged, across every run.
#[derive(Default)]
struct Acked {
    awards: HashSet<String>,
    /// First rows of the chunks answered.
    chunks: HashSet<u64>,
    revoked: HashSet<String>,
    /// Highest version of each list seen served.
    versions: HashMap<String, u64>,
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

/// Rows awarded in all, `CHUNK` at a time.
const CHUNKS: u64 = TARGET / CHUNK;

/// The next chunk to send: one a crash cut short, else a new one; `None` when every chunk has
/// been handed out.
fn next_chunk(next_row: &AtomicU64, retry: &Mutex<Vec<u64>>) -> Option<u64> {
    if let Some(first) = retry.lock().unwrap().pop() {
        return Some(first);
    }
    let first = next_row.fetch_add(CHUNK, Ordering::SeqCst);
    (first < TARGET).then_some(first)
}

/// Sends CSV chunks until every chunk is acknowledged or the node dies; a chunk without an
/// answer goes back to `retry`, to be sent again, whole, to the restarted node.
fn award_until_dead(
    url: &str,
    token: &str,
    achievement: &str,
    (next_row, retry): (&AtomicU64, &Mutex<Vec<u64>>),
    acked: &Mutex<Acked>,
) {
    let http = client();
    loop {
        if acked.lock().unwrap().chunks.len() as u64 >= CHUNKS {
            return;
        }
        let Some(first) = next_chunk(next_row, retry) else {
            // The other worker holds the last chunks; it answers for them.
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        let mut csv = String::from("recipient,status_purpose\n");
        for r in first..first + CHUNK {
            let purpose = if r % 5 == 0 { "suspension" } else { "revocation" };
            csv.push_str(&format!("learner{r}@example.org,{purpose}\n"));
        }
        let answer = http
            .post(format!("{url}/api/v1/awards/bulk?achievement={achievement}"))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .and_then(reqwest::blocking::Response::error_for_status)
            .and_then(|r| r.json::<Value>());
        let Ok(report) = answer else {
            retry.lock().unwrap().push(first);
            return;
        };
        assert_eq!(report["errors"], json!([]), "{report}");
        let mut a = acked.lock().unwrap();
        a.chunks.insert(first);
        let rows = report["awarded"].as_array().unwrap().iter();
        for item in rows.chain(report["alreadyAwarded"].as_array().unwrap()) {
            a.awards.insert(uuid(item["id"].as_str().unwrap()));
        }
    }
}

/// Revokes random acknowledged awards until told to stop or the node dies.
fn revoke_until_dead(url: &str, token: &str, acked: &Mutex<Acked>, stop: &AtomicBool, seed: u64) {
    let http = client();
    let mut rng = StdRng::seed_from_u64(seed);
    while !stop.load(Ordering::SeqCst) {
        let pick = {
            let a = acked.lock().unwrap();
            if a.awards.is_empty() {
                None
            } else {
                let i = rng.gen_range(0..a.awards.len());
                a.awards.iter().nth(i).cloned()
            }
        };
        let Some(id) = pick else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        let answer = http
            .post(format!("{url}/api/v1/credentials/{id}/revoke"))
            .bearer_auth(token)
            .json(&json!({"reason": "durability test"}))
            .send();
        match answer {
            Ok(r) if r.status().is_success() => {
                acked.lock().unwrap().revoked.insert(id);
            }
            Ok(r) if r.status() == 409 => {}
            Ok(r) => panic!("revoke {id}: {}", r.status()),
            Err(_) => return,
        }
    }
}

/// Polls the list versions being served, remembering the highest of each.
fn watch_lists(url: &str, token: &str, acked: &Mutex<Acked>, stop: &AtomicBool) {
    let http = client();
    while !stop.load(Ordering::SeqCst) {
        let Ok(page) = http
            .get(format!("{url}/api/v1/status-lists"))
            .bearer_auth(token)
            .send()
            .and_then(|r| r.json::<Value>())
        else {
            return;
        };
        let mut a = acked.lock().unwrap();
        for l in page["items"].as_array().unwrap() {
            let v = a.versions.entry(l["name"].as_str().unwrap().to_owned()).or_default();
            *v = (*v).max(l["version"].as_u64().unwrap());
        }
        drop(a);
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn uuid(id: &str) -> String {
    id.trim_start_matches("urn:uuid:").to_owned()
}

/// Every credential record, through the paginated API.
fn all_records(node: &Node) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<u64> = None;
    loop {
        let path = match cursor {
            Some(c) => format!("/api/v1/credentials?limit=500&cursor={c}"),
            None => "/api/v1/credentials?limit=500".to_owned(),
        };
        let page: Value = node.get(&path).json().unwrap();
        out.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next"].as_u64() {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

/// The checks of the module comment, on a freshly restarted node.
fn check(node: &Node, acked: &Acked, verify_all: bool) -> usize {
    let records = all_records(node);
    let by_id: HashMap<String, &Value> =
        records.iter().map(|r| (r["uuid"].as_str().unwrap().to_owned(), r)).collect();
    assert_eq!(by_id.len(), records.len(), "a record is listed twice");
    let mut recipients = HashSet::new();
    for r in &records {
        let to = r["recipient"]["value"].as_str().unwrap();
        assert!(recipients.insert(to.to_owned()), "the row for {to} was awarded twice");
    }
    for id in &acked.awards {
        assert!(by_id.contains_key(id), "acknowledged award {id} is missing after a crash");
    }
    for id in &acked.revoked {
        assert_eq!(by_id[id]["state"], "revoked", "acknowledged revocation of {id} was lost");
    }

    // Lists: versions never backwards; bits exactly the non-active credentials.
    let lists: Value = node.get("/api/v1/status-lists").json().unwrap();
    let mut served: BTreeMap<String, (u64, StatusList, Value)> = BTreeMap::new();
    for l in lists["items"].as_array().unwrap() {
        let name = l["name"].as_str().unwrap().to_owned();
        let version = l["version"].as_u64().unwrap();
        if let Some(seen) = acked.versions.get(&name) {
            assert!(version >= *seen, "list {name} went back from v{seen} to v{version}");
        }
        let doc: Value = node.get(&format!("/status/{name}")).json().unwrap();
        let bits =
            StatusList::decode(doc["credentialSubject"]["encodedList"].as_str().unwrap()).unwrap();
        served.insert(name, (version, bits, doc));
    }
    let mut handed_out = HashSet::new();
    let mut expected_set: HashMap<String, HashSet<u64>> = HashMap::new();
    for r in &records {
        for s in r["status"].as_array().unwrap() {
            let key = (s["list"].as_str().unwrap().to_owned(), s["index"].as_u64().unwrap());
            assert!(handed_out.insert(key.clone()), "status index {key:?} handed out twice");
            if r["state"] != "active" {
                expected_set.entry(key.0).or_default().insert(key.1);
            }
        }
    }
    for (name, (_, bits, _)) in &served {
        let set: HashSet<u64> =
            (0..bits.len()).filter(|&i| bits.get(i).unwrap()).map(|i| i as u64).collect();
        let empty = HashSet::new();
        let expected = expected_set.get(name).unwrap_or(&empty);
        assert_eq!(&set, expected, "list {name}: bits and records disagree");
    }

    // Signatures: every credential on the last check, a sample on the intermediate ones.
    let resolver = OfflineResolver::default();
    let held: Vec<(String, Value)> = served
        .values()
        .map(|(_, _, doc)| (doc["id"].as_str().unwrap().to_owned(), doc.clone()))
        .collect();
    let opts = Options {
        now: chrono::Utc::now(),
        resolver: &resolver,
        status_lists: &held,
        challenge: None,
        domain: None,
    };
    let step = if verify_all { 1 } else { 97 };
    for r in records.iter().step_by(step) {
        let report =
            futures::executor::block_on(verify::verify_credential(&r["credential"], &opts));
        for c in &report.checks {
            if c.name == "status" {
                let revoked = r["state"] != "active";
                assert_eq!(c.status == verify::Status::Failed, revoked, "{}: {c:?}", r["uuid"]);
            } else {
                assert_ne!(c.status, verify::Status::Failed, "{}: {c:?}", r["uuid"]);
            }
        }
    }
    records.len()
}

#[test]
fn acknowledged_work_survives_sigkill_at_random_moments() {
    let seed: u64 = std::env::var("BADGEMESH_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("durability seed {seed} (BADGEMESH_TEST_SEED={seed} replays the kill times)");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut node = Node::start(&["--public-url", PUBLIC]);
    let achievement: Value =
        node.post("/api/v1/achievements", &common::achievement_body("Endurance")).json().unwrap();
    let achievement = achievement["uuid"].as_str().unwrap().to_owned();
    let acked = Arc::new(Mutex::new(Acked::default()));
    let next_row = Arc::new(AtomicU64::new(0));
    let retry = Arc::new(Mutex::new(Vec::new()));
    let mut kills = 0;
    loop {
        let stop = Arc::new(AtomicBool::new(false));
        let mut workers = Vec::new();
        for w in 0..2 {
            let (url, token, a, n, retry, acked) = (
                node.url.clone(),
                node.token.clone(),
                achievement.clone(),
                next_row.clone(),
                retry.clone(),
                acked.clone(),
            );
            workers.push(std::thread::spawn(move || {
                let _ = w;
                award_until_dead(&url, &token, &a, (&n, &retry), &acked);
            }));
        }
        let side = {
            let (url, token, acked, stop) =
                (node.url.clone(), node.token.clone(), acked.clone(), stop.clone());
            let s = rng.r#gen();
            std::thread::spawn(move || revoke_until_dead(&url, &token, &acked, &stop, s))
        };
        let watch = {
            let (url, token, acked, stop) =
                (node.url.clone(), node.token.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || watch_lists(&url, &token, &acked, &stop))
        };
        let done = acked.lock().unwrap().chunks.len() as u64 >= CHUNKS;
        if !done && kills < 6 {
            std::thread::sleep(Duration::from_millis(rng.gen_range(200..1500)));
            node.kill();
            kills += 1;
        }
        for w in workers {
            w.join().unwrap();
        }
        stop.store(true, Ordering::SeqCst);
        side.join().unwrap();
        watch.join().unwrap();
        if acked.lock().unwrap().chunks.len() as u64 >= CHUNKS {
            break;
        }
        let dir = node.dir.clone();
        let tmp = std::mem::replace(&mut node, Node::run_in(&dir, &["--public-url", PUBLIC]));
        node.adopt(tmp);
        let n = check(&node, &acked.lock().unwrap(), false);
        eprintln!(
            "after kill {kills}: {n} credentials stored, {} acknowledged",
            acked.lock().unwrap().awards.len()
        );
    }
    assert!(kills >= 1, "the node was never killed");
    node.kill();
    let dir = node.dir.clone();
    let tmp = std::mem::replace(&mut node, Node::run_in(&dir, &["--public-url", PUBLIC]));
    node.adopt(tmp);
    let acked = acked.lock().unwrap();
    let n = check(&node, &acked, true);
    assert_eq!(n as u64, TARGET, "every row awarded exactly once");
    eprintln!(
        "{kills} kills; {n} credentials, {} revocations acknowledged; all verified",
        acked.revoked.len()
    );
}
