//! In-process throughput of the issuer, with no HTTP: the figures the API is compared with
//! (`scripts/api-bench.sh` runs this, then the same operations over HTTP with wrk).
//!
//! Prints, for this process: raw Ed25519 signatures/s on the credential's bytes (baseline),
//! single awards/s through `Issuer::award` with 16 concurrent callers, bulk awards/s (250-row
//! CSV chunks, 4 concurrent callers) and `verify_credential`/s on 2 threads, each as a rate and
//! as a ratio to the baseline. Release build: `cargo bench -p badgemesh-node --bench inprocess`.
#![allow(clippy::unwrap_used, missing_docs)]

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use badgemesh_node::{
    issuer::{Issuer, achievement::AchievementInput, award::AwardRequest, lists},
    keys,
    store::{STORE_FILE, Store},
};
use serde_json::{Value, json};
use vc_schemas::{
    did::OfflineResolver,
    verify::{self, Options},
};

const RUN: Duration = Duration::from_secs(8);
const RECIPIENT: &str = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";

fn main() {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = Arc::new(keys::create(dir.path()).unwrap());
    let store = Store::open(&dir.path().join(STORE_FILE), lists::finisher(key.clone())).unwrap();
    let issuer = Issuer::new(store, key.clone(), "https://bench.test".into(), None);
    let achievement: AchievementInput = serde_json::from_value(json!({
        "name": "Benchmark", "description": "Awarded by the benchmark.",
        "criteria": {"narrative": "Be measured."}, "achievementType": "Badge",
    }))
    .unwrap();
    let achievement = runtime.block_on(issuer.create_achievement(achievement)).unwrap().uuid;
    let sample = runtime.block_on(issuer.award(request(&achievement))).unwrap().record.credential;
    let bytes = serde_json::to_vec(&sample).unwrap();

    let baseline = rate(|| {
        std::hint::black_box(key.sign(&bytes));
        1
    });
    report("raw Ed25519 sign of the credential bytes (1 thread)", baseline, baseline);

    let single = runtime.block_on(concurrent(16, {
        let (issuer, a) = (issuer.clone(), achievement.clone());
        move || {
            let (issuer, a) = (issuer.clone(), a.clone());
            async move {
                issuer.award(request(&a)).await.unwrap();
                1
            }
        }
    }));
    report("award, single (Issuer::award, 16 concurrent, 2 workers)", single, baseline);

    let csv: String = std::iter::once("recipient\n".to_owned())
        .chain((0..250).map(|i| format!("learner{i}@example.org\n")))
        .collect();
    let bulk = runtime.block_on(concurrent(4, {
        let (issuer, a) = (issuer.clone(), achievement);
        move || {
            let (issuer, a, csv) = (issuer.clone(), a.clone(), csv.clone());
            async move { issuer.bulk(&csv, Some(&a)).await.unwrap().awarded.len() as u64 }
        }
    }));
    report("award, bulk (250-row CSV, 4 concurrent, 2 workers)", bulk, baseline);

    let lists: Vec<(String, Value)> = issuer
        .status_lists()
        .unwrap()
        .into_iter()
        .map(|l| (l.url, l.credential.unwrap()))
        .collect();
    let verified = parallel(2, || {
        let resolver = OfflineResolver::default();
        let opts = Options {
            now: chrono::Utc::now(),
            resolver: &resolver,
            status_lists: &lists,
            challenge: None,
            domain: None,
        };
        let r = futures::executor::block_on(verify::verify_credential(&sample, &opts));
        assert!(r.is_valid());
        1
    });
    report("verify_credential with status (2 threads)", verified, baseline);
}

fn request(achievement: &str) -> AwardRequest {
    serde_json::from_value(json!({"achievement": achievement, "recipient": RECIPIENT})).unwrap()
}

fn report(what: &str, per_s: f64, baseline: f64) {
    println!("{what:<60} {per_s:>10.0}/s  {:>6.3} × baseline", per_s / baseline);
}

/// Units per second of `f` on this thread.
fn rate(mut f: impl FnMut() -> u64) -> f64 {
    let start = Instant::now();
    let mut n = 0;
    while start.elapsed() < RUN {
        n += f();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// Units per second of `f` on `threads` threads.
fn parallel(threads: usize, f: impl Fn() -> u64 + Sync) -> f64 {
    let start = Instant::now();
    let total: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(|| rate_count(&f))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    total as f64 / start.elapsed().as_secs_f64()
}

fn rate_count(f: &(impl Fn() -> u64 + Sync)) -> u64 {
    let start = Instant::now();
    let mut n = 0;
    while start.elapsed() < RUN {
        n += f();
    }
    n
}

/// Units per second of `callers` tasks each running `make()` in a loop.
async fn concurrent<F, Fut>(callers: usize, make: F) -> f64
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = u64> + Send,
{
    let start = Instant::now();
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let make = make.clone();
            tokio::spawn(async move {
                let mut n = 0;
                while start.elapsed() < RUN {
                    n += make().await;
                }
                n
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / start.elapsed().as_secs_f64()
}
