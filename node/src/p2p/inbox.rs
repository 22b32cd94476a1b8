//! Handling delivery messages: offers into the inbox (judged first), decisions onto the issued
//! credential's record (only from the recipient's announced node).

use chrono::Utc;
use libp2p::{Multiaddr, PeerId};
use serde_json::Value;
use tokio::sync::mpsc;
use vc_schemas::{
    did::OfflineResolver,
    verify::{self, Options, Status},
};

use super::deliver::Request;
use crate::{
    Error, Result,
    issuer::award::uuid_of,
    store::{
        Store,
        credentials::{self, ClaimState, Recipient},
        held::{self, Kind},
        inbox,
    },
};
use badgemesh_wallet::Origin;

/// Where `did`'s node is, from its held announcement.
pub fn reach(store: &Store, did: &str) -> Result<(PeerId, Vec<Multiaddr>)> {
    let r = store.read()?;
    let a = held::get(&r, Kind::Announcement, did)?
        .ok_or_else(|| Error::NotFound(format!("an announced node for {did}")))?;
    let subject = &a.credential["credentialSubject"];
    let peer: PeerId = subject["peerId"]
        .as_str()
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| Error::P2p(format!("the announcement of {did} has no valid peerId")))?;
    let addresses = subject["addresses"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str()?.parse().ok()).collect())
        .unwrap_or_default();
    Ok((peer, addresses))
}

/// Delivery messages waiting to be judged. Judging verifies a signature, so a peer must not be
/// able to start that work without bound: past this many, messages are dropped at the door and
/// their sender disconnected ([`admit`]).
pub const QUEUE: usize = 64;

/// A delivery message waiting for the worker.
pub type Job = (PeerId, Request);

/// Whether a message got into the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Queued: acknowledge it.
    Queued,
    /// The queue is full (or the worker stopped): drop it and penalise the sender.
    Dropped,
}

/// Puts a message in the worker's queue without waiting.
pub fn admit(queue: &mpsc::Sender<Job>, peer: PeerId, request: Request) -> Admission {
    match queue.try_send((peer, request)) {
        Ok(()) => Admission::Queued,
        Err(_) => Admission::Dropped,
    }
}

/// Starts the worker that judges delivery messages one at a time, in arrival order; returns
/// its queue ([`QUEUE`] long).
pub fn spawn_worker(store: Store, did: String) -> mpsc::Sender<Job> {
    let (tx, mut rx) = mpsc::channel::<Job>(QUEUE);
    tokio::spawn(async move {
        while let Some((peer, request)) = rx.recv().await {
            received(store.clone(), did.clone(), peer, request).await;
        }
    });
    tx
}

/// Handles one delivery message from `peer` (its receipt is already acknowledged).
pub async fn received(store: Store, did: String, peer: PeerId, request: Request) {
    let outcome = match request {
        Request::Offer { credential } => offer(&store, &did, peer, credential).await,
        Request::Decision { credential_id, accepted } => {
            decision(&store, peer, &credential_id, accepted).await
        }
    };
    if let Err(e) = outcome {
        tracing::warn!(%peer, error = %e, "delivery message refused");
    }
}

async fn offer(store: &Store, did: &str, peer: PeerId, credential: Value) -> Result<()> {
    if credential["credentialSubject"]["id"].as_str() != Some(did) {
        return Err(Error::Invalid(
            "the offered credential is not addressed to this node's DID".into(),
        ));
    }
    let resolver = OfflineResolver::default();
    let opts = Options {
        now: Utc::now(),
        resolver: &resolver,
        status_lists: &[],
        challenge: None,
        domain: None,
    };
    let report = verify::verify_credential(&credential, &opts).await;
    let ok = |n: &str| report.check(n).is_some_and(|c| c.status == Status::Ok);
    if !(ok("proof") && ok("issuer")) {
        return Err(Error::Invalid(
            "the offered credential is not validly signed by its issuer".into(),
        ));
    }
    let mut item = badgemesh_wallet::import::item(credential, Origin::Delivered, Utc::now())
        .map_err(crate::store::inbox::wallet_error)?;
    item.from_peer = peer.to_string();
    let id = item.id.clone();
    if store.write(move |b| inbox::offer(b, &item)).await? {
        tracing::info!(credential = %id, "a credential arrived in the inbox");
    }
    Ok(())
}

/// The earner's answer, accepted only from the node the recipient DID announced.
async fn decision(store: &Store, peer: PeerId, credential_id: &str, accepted: bool) -> Result<()> {
    let uuid = uuid_of(credential_id).to_owned();
    let record = credentials::get(&store.read()?, &uuid)?
        .ok_or_else(|| Error::NotFound(format!("credential {uuid}")))?;
    let Recipient::Did(did) = &record.recipient else {
        return Err(Error::Invalid("that credential was not delivered to a DID".into()));
    };
    let (announced, _) = reach(store, did)?;
    if announced != peer {
        return Err(Error::Invalid(format!("{peer} is not the node {did} announced")));
    }
    let claim = if accepted { ClaimState::Accepted } else { ClaimState::Refused };
    store.write(move |b| credentials::set_claim(b, &uuid, claim)).await?;
    tracing::info!(credential = %credential_id, accepted, "the recipient answered");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_drops_instead_of_growing() {
        let (tx, _rx) = mpsc::channel::<Job>(2);
        let peer = PeerId::random();
        let offer = || Request::Decision { credential_id: "urn:uuid:x".into(), accepted: true };
        assert_eq!(admit(&tx, peer, offer()), Admission::Queued);
        assert_eq!(admit(&tx, peer, offer()), Admission::Queued);
        assert_eq!(admit(&tx, peer, offer()), Admission::Dropped);
        drop(_rx);
        let (tx, rx) = mpsc::channel::<Job>(2);
        drop(rx);
        assert_eq!(admit(&tx, peer, offer()), Admission::Dropped, "a stopped worker drops too");
    }
}
