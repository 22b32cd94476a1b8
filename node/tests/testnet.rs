//! Real nodes on loopback, gossiping: a revocation reaches every node without anyone contacting
//! the issuer, a node that was down catches up by itself, and bad gossip goes nowhere.
#![allow(clippy::unwrap_used)]

use std::{path::Path, time::Duration};

use badgemesh_testnet::{Net, Node};
use serde_json::{Value, json};

const CONVERGE: Duration = Duration::from_secs(60);

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_badgemesh"))
}

/// An achievement on `issuer` and `n` awards of it; the awarded credentials.
fn award(issuer: &Node, n: usize) -> Vec<Value> {
    let a = issuer
        .post(
            "/api/v1/achievements",
            &json!({"name": "Gossip", "description": "Travels.", "criteria": {"narrative": "Be revoked."}}),
        )
        .unwrap();
    (0..n)
        .map(|i| {
            issuer
                .post(
                    "/api/v1/awards",
                    &json!({"achievement": a["uuid"], "recipient": format!("p{i}@example.org")}),
                )
                .unwrap()
        })
        .collect()
}

fn list_id(record: &Value) -> String {
    record["credential"]["credentialStatus"]["statusListCredential"].as_str().unwrap().to_owned()
}

/// The signed `validFrom` of the issuer's current list `id` (from its own status tables).
fn issuer_version(issuer: &Node, id: &str) -> String {
    badgemesh_testnet::bench::issuer_version(issuer, id).unwrap()
}

/// What `node`'s verifier says about `vc` (status checked from what it holds).
fn verified(node: &Node, vc: &Value) -> bool {
    node.post("/credentials/verify", &json!({"verifiableCredential": vc})).is_ok()
}

#[test]
fn a_revocation_reaches_every_node_of_a_ten_node_net() {
    let net = Net::start(bin(), 10).unwrap();
    let issuer = &net.nodes[0];
    let records = award(issuer, 3);
    let id = list_id(&records[0]);
    let v1 = issuer_version(issuer, &id);
    net.wait_all("every node to hold the first list", CONVERGE, |n| {
        n.held(&id).as_deref() == Some(v1.as_str())
    })
    .unwrap();
    let vc = &records[1]["credential"];
    for n in &net.nodes {
        assert!(verified(n, vc), "node {} verifies the fresh award", n.index);
    }
    let uuid = records[1]["uuid"].as_str().unwrap();
    issuer
        .post(&format!("/api/v1/credentials/{uuid}/revoke"), &json!({"reason": "gossip test"}))
        .unwrap();
    let v2 = issuer_version(issuer, &id);
    assert!(v2 > v1);
    let took = net
        .wait_all("every node to hold the revoked list", CONVERGE, |n| {
            n.held(&id).as_deref() == Some(v2.as_str())
        })
        .unwrap();
    eprintln!("revocation reached 10 nodes in {took:?}");
    for n in &net.nodes {
        assert!(!verified(n, vc), "node {} still accepts the revoked badge", n.index);
        assert!(
            verified(n, &records[2]["credential"]),
            "node {} rejects an untouched badge",
            n.index
        );
    }
}

#[test]
fn a_node_that_was_down_during_three_revocations_catches_up_after_restart() {
    let mut net = Net::start(bin(), 4).unwrap();
    let records = award(&net.nodes[0], 4);
    let id = list_id(&records[0]);
    let v1 = issuer_version(&net.nodes[0], &id);
    net.wait_all("the first list everywhere", CONVERGE, |n| {
        n.held(&id).as_deref() == Some(v1.as_str())
    })
    .unwrap();
    net.stop(3);
    for r in &records[..3] {
        let uuid = r["uuid"].as_str().unwrap();
        net.nodes[0].post(&format!("/api/v1/credentials/{uuid}/revoke"), &json!({})).unwrap();
    }
    let latest = issuer_version(&net.nodes[0], &id);
    net.wait_all("the running nodes to converge", CONVERGE, |n| {
        n.held(&id).as_deref() == Some(latest.as_str())
    })
    .unwrap();
    // Nobody re-publishes: node 3 must pull what it missed.
    net.launch(3).unwrap();
    let node = &net.nodes[3];
    badgemesh_testnet::wait("node 3 to catch up", CONVERGE, || {
        (node.held(&id).as_deref() == Some(latest.as_str())).then_some(())
    })
    .unwrap();
    for r in &records[..3] {
        assert!(!verified(node, &r["credential"]));
    }
    assert!(verified(node, &records[3]["credential"]));
}

/// A peer that speaks the gossip protocol but not the rules: connects to one node, publishes
/// `payloads` in order, and returns once they are sent.
fn publish_raw(target: &str, payloads: Vec<Vec<u8>>) {
    use futures::StreamExt;
    use libp2p::{gossipsub, noise, swarm::SwarmEvent, tcp, yamux};
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async move {
        let mut swarm = libp2p::SwarmBuilder::with_new_identity()
            .with_tokio()
            .with_tcp(tcp::Config::default(), noise::Config::new, yamux::Config::default)
            .unwrap()
            .with_behaviour(|key| {
                let config = gossipsub::ConfigBuilder::default()
                    .max_transmit_size(256 * 1024)
                    .build()
                    .unwrap();
                gossipsub::Behaviour::<
                    gossipsub::IdentityTransform,
                    gossipsub::AllowAllSubscriptionFilter,
                >::new(gossipsub::MessageAuthenticity::Signed(key.clone()), config)
                .unwrap()
            })
            .unwrap()
            .build();
        let topic = gossipsub::IdentTopic::new(badgemesh_node::p2p::proto::wire::STATUS_TOPIC);
        swarm.behaviour_mut().subscribe(&topic).unwrap();
        swarm.dial(target.parse::<libp2p::Multiaddr>().unwrap()).unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let event = tokio::time::timeout_at(deadline, swarm.select_next_some())
                .await
                .expect("the node subscribed");
            if let SwarmEvent::Behaviour(gossipsub::Event::Subscribed { .. }) = event {
                break;
            }
        }
        for p in payloads {
            swarm.behaviour_mut().publish(topic.clone(), p).unwrap();
        }
        // Drive the swarm until the last message is on the wire.
        let flush = tokio::time::Instant::now() + Duration::from_secs(2);
        while tokio::time::timeout_at(flush, swarm.select_next_some()).await.is_ok() {}
    });
}

fn sign_list(key: &vc_schemas::key::Ed25519Key, id: &str, issuer: &str, set: &[usize]) -> Value {
    use vc_schemas::{issue, status_list};
    let mut bits = status_list::StatusList::new(131_072).unwrap();
    for &i in set {
        bits.set(i, true).unwrap();
    }
    let now = chrono::Utc::now();
    let mut unsigned = status_list::list_credential(id, issuer, "revocation", &bits, now);
    unsigned["validFrom"] = json!(now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    futures::executor::block_on(issue::sign(&unsigned, key, issue::Format::DataIntegrity, now))
        .unwrap()
}

fn message(credential: Value) -> Vec<u8> {
    badgemesh_node::p2p::proto::Message::status_list(credential).to_bytes()
}

#[test]
fn forged_rolled_back_oversize_and_garbage_gossip_reaches_no_other_node() {
    let net = Net::start(bin(), 3).unwrap();
    let issuer = &net.nodes[0];
    let records = award(issuer, 2);
    let id = list_id(&records[0]);
    let name = id.rsplit('/').next().unwrap().to_owned();
    let old_list: Value = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(&id)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let uuid = records[0]["uuid"].as_str().unwrap();
    issuer.post(&format!("/api/v1/credentials/{uuid}/revoke"), &json!({})).unwrap();
    let latest = issuer_version(issuer, &id);
    net.wait_all("the revoked list everywhere", CONVERGE, |n| {
        n.held(&id).as_deref() == Some(latest.as_str())
    })
    .unwrap();
    assert!(old_list["id"] == id.as_str() && !name.is_empty());

    let mallory = vc_schemas::key::Ed25519Key::did_key_from_seed(&[66; 32]);
    // Newer than the held list, all bits clear, "issued" by the issuer but signed by Mallory.
    let forged = sign_list(&mallory, &id, &issuer.did, &[]);
    let mut oversize = message(old_list.clone());
    oversize.resize(70 * 1024, b' ');
    // The older list, re-serialized (same signed content, new bytes): past gossipsub's duplicate
    // cache, so the rollback rule itself must stop it.
    let mut replay = message(old_list);
    replay.push(b' ');
    let counts = |n: &Node| n.get("/api/v1/peers").unwrap()["gossip"].clone();
    let target = &net.nodes[1];
    // Each from a fresh peer (a rejected sender is penalised and then not listened to).
    let attacks: [(&str, Vec<u8>); 4] = [
        ("rejected", b"\x00\x01garbage that is not JSON".to_vec()),
        (
            "rejected",
            br#"{"kind":"statusList","credential":{"type":"VerifiableCredential"}}"#.to_vec(),
        ),
        ("rejected", message(forged)),
        ("ignored", replay),
    ];
    for (verdict, payload) in attacks {
        let before = counts(target)[verdict].as_u64().unwrap();
        publish_raw(&target.p2p, vec![payload]);
        badgemesh_testnet::wait(
            &format!("node 1 to count the message as {verdict}"),
            CONVERGE,
            || (counts(target)[verdict].as_u64().unwrap() > before).then_some(()),
        )
        .unwrap();
    }
    // Oversize: refused by gossipsub's framing before it is even judged.
    publish_raw(&target.p2p, vec![oversize]);
    // A real revocation afterwards still travels, so the net is alive and has judged the above.
    let uuid = records[1]["uuid"].as_str().unwrap();
    issuer.post(&format!("/api/v1/credentials/{uuid}/revoke"), &json!({})).unwrap();
    let newest = issuer_version(issuer, &id);
    net.wait_all("the second revocation everywhere", CONVERGE, |n| {
        n.held(&id).as_deref() == Some(newest.as_str())
    })
    .unwrap();
    for n in &net.nodes {
        assert!(
            !verified(n, &records[0]["credential"]),
            "node {} accepts the revoked badge again",
            n.index
        );
        if n.index != 1 {
            let c = counts(n);
            assert_eq!(
                (c["rejected"].as_u64(), c["ignored"].as_u64()),
                (Some(0), Some(0)),
                "node {} received bad gossip: {c}",
                n.index
            );
        }
    }
}

#[test]
fn announcements_and_endorsements_reach_every_node_and_a_late_node_catches_up() {
    let mut net = Net::start(bin(), 4).unwrap();
    let dids: Vec<String> = net.nodes.iter().map(|n| n.did.clone()).collect();
    let announced = |n: &Node| -> Vec<Value> {
        n.get("/api/v1/announcements").unwrap()["items"].as_array().unwrap().clone()
    };
    net.wait_all("every node to hear every announcement", CONVERGE, |n| {
        let items = announced(n);
        dids.iter().all(|d| items.iter().any(|a| a["did"] == d.as_str()))
    })
    .unwrap();
    // An announcement names the node's peer id, signed by its DID.
    let peer_id = net.nodes[2].get("/api/v1/peers").unwrap()["peerId"].clone();
    let about_2 =
        announced(&net.nodes[0]).into_iter().find(|a| a["did"] == dids[2].as_str()).unwrap();
    assert_eq!(about_2["credential"]["credentialSubject"]["peerId"], peer_id);
    assert!(verified(&net.nodes[0], &about_2["credential"]), "the announcement verifies");

    net.stop(3);
    let achievement = net.nodes[0]
        .post("/api/v1/achievements", &json!({"name": "Endorsed", "description": "Worth it.", "criteria": {"narrative": "Do it."}}))
        .unwrap();
    let subject = achievement["achievement"]["id"].as_str().unwrap().to_owned();
    let unsigned = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Community endorsement",
        "credentialSubject": {"id": subject, "type": ["EndorsementSubject"], "endorsementComment": "Rigorous and fair."},
    });
    let signed =
        net.nodes[1].post("/api/v1/endorsements", &json!({"credential": unsigned})).unwrap();
    assert_eq!(signed["issuer"]["id"], dids[1].as_str());
    let path = format!("/api/v1/endorsements?subject={}", subject.replace(':', "%3A"));
    let has_it = |n: &Node| {
        n.get(&path).unwrap()["items"].as_array().unwrap().iter().any(|e| e["id"] == signed["id"])
    };
    net.wait_all("the endorsement everywhere", CONVERGE, has_it).unwrap();
    assert!(verified(&net.nodes[2], &signed), "node 2 verifies node 1's endorsement");
    net.launch(3).unwrap();
    let node = &net.nodes[3];
    badgemesh_testnet::wait("node 3 to catch up on the endorsement", CONVERGE, || {
        has_it(node).then_some(())
    })
    .unwrap();
    // Forged endorsement text under the same id is refused by the API's verifier.
    let mut forged = signed.clone();
    forged["credentialSubject"]["endorsementComment"] = json!("Terrible.");
    assert!(!verified(node, &forged));
}

#[test]
fn an_award_to_a_did_with_a_node_is_delivered_to_its_inbox_and_the_answer_returns() {
    let net = Net::start(bin(), 3).unwrap();
    let (issuer, earner) = (&net.nodes[0], &net.nodes[1]);
    badgemesh_testnet::wait("the earner's announcement at the issuer", CONVERGE, || {
        let items = issuer.get("/api/v1/announcements").ok()?;
        items["items"].as_array()?.iter().any(|a| a["did"] == earner.did.as_str()).then_some(())
    })
    .unwrap();
    let achievement = issuer
        .post("/api/v1/achievements", &json!({"name": "Delivered", "description": "Arrives.", "criteria": {"narrative": "Be online."}}))
        .unwrap();
    let give = || {
        issuer
            .post(
                "/api/v1/awards",
                &json!({"achievement": achievement["uuid"], "recipient": earner.did}),
            )
            .unwrap()
    };
    let (first, second) = (give(), give());
    assert_eq!(first["delivery"], "offered");
    let id = |r: &Value| r["credential"]["id"].as_str().unwrap().to_owned();
    let inbox_state = |cid: &str| -> Option<String> {
        let items = earner.get("/api/v1/inbox").ok()?;
        items["items"]
            .as_array()?
            .iter()
            .find(|i| i["id"] == cid)
            .map(|i| i["state"].as_str().unwrap_or("").to_owned())
    };
    for r in [&first, &second] {
        let cid = id(r);
        badgemesh_testnet::wait("the offer in the earner's inbox", CONVERGE, || {
            (inbox_state(&cid).as_deref() == Some("pending")).then_some(())
        })
        .unwrap();
    }
    // The earner answers with the CLI, which talks to its running node.
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(bin())
            .arg("--data-dir")
            .arg(&earner.dir)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let listed = cli(&["inbox", "list"]);
    assert!(listed.contains(&id(&first)) && listed.contains("pending"), "{listed}");
    assert!(cli(&["inbox", "refuse", &id(&first)]).contains("refused"));
    earner.post("/api/v1/inbox/accept", &json!({"id": id(&second)})).unwrap();
    assert!(
        earner.post("/api/v1/inbox/accept", &json!({"id": id(&first)})).is_err(),
        "a decision is final"
    );
    let claim = |r: &Value| -> Option<String> {
        let rec =
            issuer.get(&format!("/api/v1/credentials/{}", r["uuid"].as_str().unwrap())).ok()?;
        rec["claim"].as_str().map(str::to_owned)
    };
    badgemesh_testnet::wait("the refusal at the issuer", CONVERGE, || {
        (claim(&first).as_deref() == Some("refused")).then_some(())
    })
    .unwrap();
    badgemesh_testnet::wait("the acceptance at the issuer", CONVERGE, || {
        (claim(&second).as_deref() == Some("accepted")).then_some(())
    })
    .unwrap();
    // Only the recipient's own node may answer: node 2 has nothing in its inbox.
    assert_eq!(net.nodes[2].get("/api/v1/inbox").unwrap()["items"], json!([]));
}

#[test]
fn a_net_cut_in_two_halves_converges_after_it_heals() {
    let net = Net::start(bin(), 4).unwrap();
    let (a, b) = ([0usize, 1], [2usize, 3]);
    // Two issuers, one in each half, each with a list everyone holds.
    let in_a = award(&net.nodes[0], 2);
    let in_b = award(&net.nodes[2], 2);
    let (list_a, list_b) = (list_id(&in_a[0]), list_id(&in_b[0]));
    let (va, vb) = (issuer_version(&net.nodes[0], &list_a), issuer_version(&net.nodes[2], &list_b));
    net.wait_all("both lists everywhere", CONVERGE, |n| {
        n.held(&list_a).as_deref() == Some(va.as_str())
            && n.held(&list_b).as_deref() == Some(vb.as_str())
    })
    .unwrap();

    // Cut: every node of one half blocks every node of the other; each half stays connected.
    let peer_id = |i: usize| {
        net.nodes[i].get("/api/v1/peers").unwrap()["peerId"].as_str().unwrap().to_owned()
    };
    for &x in &a {
        for &y in &b {
            net.nodes[x].post("/api/v1/peers/block", &json!({"peerId": peer_id(y)})).unwrap();
            net.nodes[y].post("/api/v1/peers/block", &json!({"peerId": peer_id(x)})).unwrap();
        }
    }
    net.nodes[3].post("/api/v1/peers/dial", &json!({"address": net.nodes[2].p2p})).unwrap();
    badgemesh_testnet::wait("the halves to separate", CONVERGE, || {
        let connected = |i: usize| -> Vec<String> {
            let info = net.nodes[i].get("/api/v1/peers").ok().unwrap_or_default();
            info["peers"]
                .as_array()
                .map(|p| p.iter().filter_map(|x| x["peerId"].as_str().map(str::to_owned)).collect())
                .unwrap_or_default()
        };
        let crossing = a.iter().any(|&x| b.iter().any(|&y| connected(x).contains(&peer_id(y))));
        (!crossing && connected(3).contains(&peer_id(2))).then_some(())
    })
    .unwrap();

    // Each half revokes on its own side of the cut.
    net.nodes[0]
        .post(
            &format!("/api/v1/credentials/{}/revoke", in_a[0]["uuid"].as_str().unwrap()),
            &json!({}),
        )
        .unwrap();
    net.nodes[2]
        .post(
            &format!("/api/v1/credentials/{}/revoke", in_b[0]["uuid"].as_str().unwrap()),
            &json!({}),
        )
        .unwrap();
    let (va2, vb2) =
        (issuer_version(&net.nodes[0], &list_a), issuer_version(&net.nodes[2], &list_b));
    let holds = |i: usize, list: &str, v: &str| net.nodes[i].held(list).as_deref() == Some(v);
    badgemesh_testnet::wait("each half to converge on its own revocation", CONVERGE, || {
        (a.iter().all(|&i| holds(i, &list_a, &va2)) && b.iter().all(|&i| holds(i, &list_b, &vb2)))
            .then_some(())
    })
    .unwrap();
    for &i in &a {
        assert!(holds(i, &list_b, &vb), "node {i} saw across the cut");
    }
    for &i in &b {
        assert!(holds(i, &list_a, &va), "node {i} saw across the cut");
    }

    // Heal: lift the blocks and reconnect; catch-up carries each half's news to the other.
    for &x in &a {
        for &y in &b {
            net.nodes[x].post("/api/v1/peers/unblock", &json!({"peerId": peer_id(y)})).unwrap();
            net.nodes[y].post("/api/v1/peers/unblock", &json!({"peerId": peer_id(x)})).unwrap();
        }
    }
    for &y in &b {
        net.nodes[y].post("/api/v1/peers/dial", &json!({"address": net.nodes[0].p2p})).unwrap();
    }
    net.wait_all("both revocations everywhere after the heal", CONVERGE, |n| {
        n.held(&list_a).as_deref() == Some(va2.as_str())
            && n.held(&list_b).as_deref() == Some(vb2.as_str())
    })
    .unwrap();
    for n in &net.nodes {
        assert!(!verified(n, &in_a[0]["credential"]) && !verified(n, &in_b[0]["credential"]));
        assert!(verified(n, &in_a[1]["credential"]) && verified(n, &in_b[1]["credential"]));
    }
}
