//! 100 nodes in one process on libp2p's memory transport, each with its own store and the real
//! swarm task, wired at random (each dials 3 earlier nodes): a revocation on one issuer reaches
//! every node's store. What 2 cores cannot run as 100 processes.
#![allow(clippy::unwrap_used)]

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use badgemesh_node::{
    config::P2p as P2pConfig,
    issuer::{Issuer, achievement::AchievementInput, award::AwardRequest, lists},
    p2p::P2p,
    store::{
        STORE_FILE, Store,
        held::{self, Kind},
    },
};
use libp2p::{Multiaddr, identity::Keypair};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use serde_json::json;

const NODES: usize = 100;

/// Waits (polling every 20 ms) until `f` holds, or fails after `timeout`.
async fn until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    start.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_reaches_100_in_process_nodes_on_the_memory_transport() {
    let seed: u64 = rand::random();
    eprintln!("sim seed {seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let base: u64 = rng.gen_range(1_000_000..u64::MAX / 2);
    let config = P2pConfig { heartbeat_ms: 200, ..P2pConfig::default() };
    let root = tempfile::tempdir().unwrap();
    let mut stores = Vec::new();
    let mut nets = Vec::new();
    let mut issuer = None;
    for i in 0..NODES {
        let dir = root.path().join(format!("n{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let key = Arc::new(badgemesh_node::keys::create(&dir).unwrap());
        let store = Store::open(&dir.join(STORE_FILE), lists::finisher(key.clone())).unwrap();
        let addr: Multiaddr = format!("/memory/{}", base + i as u64).parse().unwrap();
        let mut earlier: Vec<usize> = (0..i).collect();
        earlier.shuffle(&mut rng);
        let bootstrap: Vec<Multiaddr> = earlier
            .iter()
            .take(3)
            .map(|j| format!("/memory/{}", base + *j as u64).parse().unwrap())
            .collect();
        let (net, task) = P2p::start_in_memory(
            Keypair::generate_ed25519(),
            &config,
            store.clone(),
            key.controller(),
            addr,
            bootstrap,
        )
        .unwrap();
        tokio::spawn(task);
        // Listening happens in the node's task: wait for it, so later nodes can dial this one.
        let started = Instant::now();
        while net.info().await.unwrap().listen.is_empty() {
            assert!(started.elapsed() < Duration::from_secs(10), "node {i} does not listen");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if i == 0 {
            issuer = Some(Issuer::new(store.clone(), key.clone(), "https://sim.test".into(), None));
        }
        stores.push(store);
        nets.push(net);
    }
    let issuer = issuer.unwrap();
    let achievement: AchievementInput = serde_json::from_value(json!({
        "name": "Simulated", "description": "In memory.", "criteria": {"narrative": "Be revoked."}
    }))
    .unwrap();
    let achievement = issuer.create_achievement(achievement).await.unwrap().uuid;
    let request: AwardRequest = serde_json::from_value(json!({
        "achievement": achievement, "recipient": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    }))
    .unwrap();
    let awarded = issuer.award(request).await.unwrap().record;
    let list =
        awarded.credential["credentialStatus"]["statusListCredential"].as_str().unwrap().to_owned();
    let version_at = |s: &Store| {
        held::get(&s.read().unwrap(), Kind::StatusList, &list).unwrap().map(|h| h.valid_from)
    };
    let first = issuer.status_lists().unwrap()[0].updated;
    let took = until("the first list on 100 nodes", Duration::from_secs(120), || {
        stores.iter().all(|s| version_at(s) == Some(first))
    })
    .await;
    eprintln!("first list on {NODES} nodes after {took:?}");

    issuer
        .change(&awarded.uuid, badgemesh_node::store::credentials::Change::Revoke, None)
        .await
        .unwrap();
    let revoked = issuer.status_lists().unwrap()[0].updated;
    let took = until("the revocation on 100 nodes", Duration::from_secs(120), || {
        stores.iter().all(|s| version_at(s) == Some(revoked))
    })
    .await;
    let mut delays: Vec<Duration> = stores
        .iter()
        .skip(1)
        .filter_map(|s| held::get(&s.read().unwrap(), Kind::StatusList, &list).unwrap())
        .map(|h| (h.received - h.valid_from).to_std().unwrap_or_default())
        .collect();
    delays.sort();
    eprintln!(
        "revocation on {NODES} in-process nodes: all after {took:?}; p50 {:?} p95 {:?} max {:?}",
        delays[delays.len() / 2],
        delays[delays.len() * 95 / 100],
        delays[delays.len() - 1]
    );
    let peers = nets[0].info().await.unwrap().peers.len();
    assert!(peers >= 1, "the issuer is connected");
}
