//! Measurements on a running net: how long a revocation takes to reach every node, how long a
//! restarted node takes to catch up, and what an idle node holds in memory.
//!
//! Times come from the nodes themselves: each held list records when it was stored, and the
//! issuer's list carries the moment it was re-signed (`validFrom`), all on one machine's clock.
//! So the figures do not include the rig's polling.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::{Net, Node, Result, wait};

const CONVERGE: Duration = Duration::from_secs(120);

/// An achievement on node 0 and `n` awards; their credential uuids and the list they share.
pub fn awards(issuer: &Node, n: usize) -> Result<(Vec<String>, String)> {
    let a = issuer.post(
        "/api/v1/achievements",
        &json!({"name": "Bench", "description": "Measured.", "criteria": {"narrative": "Be revoked."}}),
    )?;
    let mut uuids = Vec::new();
    let mut list = String::new();
    for i in 0..n {
        let r = issuer.post(
            "/api/v1/awards",
            &json!({"achievement": a["uuid"], "recipient": format!("b{i}@example.org")}),
        )?;
        list = r["credential"]["credentialStatus"]["statusListCredential"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        uuids.push(r["uuid"].as_str().unwrap_or_default().to_owned());
    }
    Ok((uuids, list))
}

/// The issuer's current `validFrom` of list `id`, from its own tables.
pub fn issuer_version(issuer: &Node, id: &str) -> Result<String> {
    let lists = issuer.get("/api/v1/status-lists")?;
    Ok(lists["items"]
        .as_array()
        .and_then(|a| a.iter().find(|l| l["url"] == id))
        .and_then(|l| l["updated"].as_str())
        .unwrap_or_default()
        .to_owned())
}

/// Revokes each of `uuids` in turn and waits for every node to hold the new list; returns, per
/// revocation and node (other than the issuer), the time from signing to storing.
pub fn propagation(net: &Net, uuids: &[String], list: &str) -> Result<Vec<Duration>> {
    let issuer = &net.nodes[0];
    let mut out = Vec::new();
    for uuid in uuids {
        issuer.post(&format!("/api/v1/credentials/{uuid}/revoke"), &json!({}))?;
        let v = issuer_version(issuer, list)?;
        net.wait_all("the revocation to reach every node", CONVERGE, |n| {
            n.held(list).as_deref() == Some(v.as_str())
        })?;
        for n in net.nodes.iter().skip(1).filter(|n| n.is_running()) {
            if let Some((signed, stored)) = n.held_times(list) {
                out.push((stored - signed).to_std().unwrap_or_default());
            }
        }
    }
    Ok(out)
}

/// Stops the last node, revokes `uuids` while it is away, restarts it and returns the time from
/// starting its process to it holding the latest list (start-up, connection and catch-up).
pub fn catch_up(net: &mut Net, uuids: &[String], list: &str) -> Result<Duration> {
    let last = net.nodes.len() - 1;
    net.stop(last);
    for uuid in uuids {
        net.nodes[0].post(&format!("/api/v1/credentials/{uuid}/revoke"), &json!({}))?;
    }
    let v = issuer_version(&net.nodes[0], list)?;
    let start = Instant::now();
    net.launch(last)?;
    let node = &net.nodes[last];
    wait("the restarted node to catch up", CONVERGE, || {
        (node.held(list).as_deref() == Some(v.as_str())).then_some(())
    })?;
    Ok(start.elapsed())
}

/// The `q` quantile (0..=1) of `samples`.
pub fn quantile(samples: &mut [Duration], q: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort();
    let i = ((samples.len() - 1) as f64 * q).round() as usize;
    samples[i]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_pick_the_nearest_rank() {
        let ms = Duration::from_millis;
        let mut samples: Vec<Duration> = (1..=100).rev().map(ms).collect();
        assert_eq!(quantile(&mut samples, 0.5), ms(51));
        assert_eq!(quantile(&mut samples, 0.95), ms(95));
        assert_eq!(quantile(&mut samples, 1.0), ms(100));
        assert_eq!(quantile(&mut [], 0.5), Duration::ZERO);
    }
}
