//! The validator task: judges each received document ([`super::proto::judge`]) against what the
//! store holds, stores the accepted ones, and tells the swarm task the verdict (gossipsub then
//! forwards or drops the message and scores its sender). One task, in arrival order; a bounded
//! queue in front, so a flood is dropped at the door rather than queued without end.
//!
//! This is the I/O side of the judgment: the protocol decides from plain values, and this
//! module reads the held version, runs the signature check and writes the store.

use chrono::{DateTime, Utc};
use libp2p::{PeerId, gossipsub::MessageId};
use tokio::sync::mpsc;
use vc_schemas::{
    did::OfflineResolver,
    verify::{self, Options},
};

use super::proto::{
    HeldVersion, Ignored, Malformed, Message, Rejected, Screening, Verdict, screen,
};
use crate::store::{
    Store,
    held::{self, Held, Stored},
};

/// Queue length in front of the validator.
const QUEUE: usize = 1024;

/// A list to judge.
#[derive(Debug)]
pub enum Job {
    /// A gossip message, as received.
    Gossip {
        /// Peer that forwarded it.
        source: PeerId,
        /// Its id, for the validation report.
        message_id: MessageId,
        /// Raw bytes.
        bytes: Vec<u8>,
    },
    /// A document pulled by catch-up.
    Pulled {
        /// Peer that sent it.
        from: PeerId,
        /// The document.
        message: Message,
    },
    /// One of this node's own documents, to hold beside everyone's.
    Own(Message),
}

/// A verdict, for the swarm task (only gossip has a message to report on).
#[derive(Debug)]
pub struct Done {
    /// The forwarding peer, for gossip.
    pub source: Option<PeerId>,
    /// The message id, for gossip.
    pub message_id: Option<MessageId>,
    /// The verdict.
    pub verdict: Verdict,
}

/// Starts the task; returns its queue and the verdicts.
pub fn spawn(store: Store) -> (mpsc::Sender<Job>, mpsc::Receiver<Done>) {
    let (jobs, mut rx) = mpsc::channel::<Job>(QUEUE);
    let (done_tx, done_rx) = mpsc::channel(QUEUE);
    tokio::spawn(async move {
        while let Some(job) = rx.recv().await {
            let (source, message_id, verdict) = match job {
                Job::Gossip { source, message_id, bytes } => {
                    let verdict = match Message::from_bytes(&bytes) {
                        Ok(message) => judge_and_store(&store, &message).await,
                        Err(why) => Verdict::Reject(why.into()),
                    };
                    (Some(source), Some(message_id), verdict)
                }
                Job::Pulled { from, message } => {
                    let verdict = judge_and_store(&store, &message).await;
                    if let Verdict::Reject(why) = &verdict {
                        tracing::warn!(peer = %from, reason = %why, "catch-up document rejected");
                    }
                    (None, None, verdict)
                }
                Job::Own(message) => (None, None, judge_and_store(&store, &message).await),
            };
            if let Verdict::Accept(doc) = &verdict {
                tracing::debug!(kind = doc.kind.as_str(), key = %doc.key, valid_from = %doc.valid_from, "stored");
            }
            if done_tx.send(Done { source, message_id, verdict }).await.is_err() {
                break;
            }
        }
    });
    (jobs, done_rx)
}

/// Judges `message` against `held` (`None`: no version held) at `now`: the protocol's screening,
/// then the signature check it asks for, then its decision on the report.
pub async fn judge(message: &Message, held: Option<&HeldVersion>, now: DateTime<Utc>) -> Verdict {
    let candidate = match screen(message, held, now) {
        Screening::Decided(verdict) => return verdict,
        Screening::CheckSignature(candidate) => candidate,
    };
    let resolver = OfflineResolver::default();
    let opts =
        Options { now, resolver: &resolver, status_lists: &[], challenge: None, domain: None };
    let report = verify::verify_credential(candidate.credential(), &opts).await;
    candidate.decide(&report)
}

/// Judges `message` against the held version and stores it when accepted; a version that lost
/// a race to a newer one in the store becomes `Ignore`.
async fn judge_and_store(store: &Store, message: &Message) -> Verdict {
    let Some(key) = message.key() else {
        return Verdict::Reject(Malformed::NoKey.into());
    };
    let held = match store.read().and_then(|r| held::get(&r, message.kind, &key)) {
        Ok(h) => h,
        Err(e) => return Verdict::Ignore(Ignored::StoreUnavailable(Box::new(e))),
    };
    let now = Utc::now();
    let verdict = judge(message, held.as_ref().map(Held::version).as_ref(), now).await;
    let Verdict::Accept(doc) = verdict else { return verdict };
    let to_store = Held::accepted((*doc).clone(), now);
    match store.write(move |b| held::put_if_newer(b, &to_store)).await {
        Ok(Stored::Newer) => Verdict::Accept(doc),
        Ok(Stored::Stale) => Verdict::Ignore(Ignored::LostRace),
        Ok(Stored::OtherIssuer { held_by }) => Verdict::Reject(Rejected::KeyTakenByOtherIssuer {
            key: doc.key,
            held_by,
            claimed_by: doc.issuer,
        }),
        Err(e) => Verdict::Ignore(Ignored::NotStored(Box::new(e))),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use futures::executor::block_on;
    use serde_json::{Value, json};
    use vc_schemas::{
        issue::{self, Format},
        key::Ed25519Key,
        status_list::{StatusList, list_credential},
    };

    use super::*;
    use crate::p2p::proto::Accepted;

    fn signed(key: &Ed25519Key, id: &str, valid_from: DateTime<Utc>, set: &[usize]) -> Value {
        let mut bits = StatusList::new(131_072).unwrap();
        for &i in set {
            bits.set(i, true).unwrap();
        }
        let unsigned = list_credential(id, key.controller(), "revocation", &bits, valid_from);
        block_on(issue::sign(&unsigned, key, Format::DataIntegrity, valid_from)).unwrap()
    }

    fn judge_list(credential: &Value, held: Option<&HeldVersion>, now: DateTime<Utc>) -> Verdict {
        block_on(judge(&Message::status_list(credential.clone()), held, now))
    }

    fn accept(v: Verdict) -> HeldVersion {
        match v {
            Verdict::Accept(doc) => {
                let Accepted { issuer, valid_from, .. } = *doc;
                HeldVersion { issuer, valid_from }
            }
            other => panic!("expected Accept, got {other:?}"),
        }
    }

    #[test]
    fn a_newer_signed_list_is_accepted_and_an_older_or_equal_one_ignored() {
        let key = Ed25519Key::did_key_from_seed(&[7; 32]);
        let now = Utc::now();
        let t1 = now - Duration::seconds(10);
        let v1 = signed(&key, "https://a.example/status/r1", t1, &[3]);
        let held = accept(judge_list(&v1, None, now));
        assert_eq!(held.issuer, key.controller());
        let v2 = signed(&key, "https://a.example/status/r1", t1 + Duration::seconds(1), &[3, 9]);
        accept(judge_list(&v2, Some(&held), now));
        assert!(matches!(
            judge_list(&v1, Some(&held), now),
            Verdict::Ignore(Ignored::SameOrOlder { .. })
        ));
        let held2 = accept(judge_list(&v2, None, now));
        assert!(matches!(judge_list(&v1, Some(&held2), now), Verdict::Ignore(_)), "no rollback");
    }

    #[test]
    fn forged_foreign_and_malformed_lists_are_rejected() {
        let key = Ed25519Key::did_key_from_seed(&[7; 32]);
        let mallory = Ed25519Key::did_key_from_seed(&[9; 32]);
        let now = Utc::now();
        let t = now - Duration::seconds(10);
        let good = signed(&key, "https://a.example/status/r1", t, &[]);
        let held = accept(judge_list(&good, None, now));

        let mut tampered =
            signed(&key, "https://a.example/status/r1", t + Duration::seconds(1), &[]);
        tampered["credentialSubject"]["encodedList"] =
            json!(StatusList::new(131_072).unwrap().encode().replace('A', "B"));
        assert!(matches!(judge_list(&tampered, Some(&held), now), Verdict::Reject(_)));

        // Mallory signs her own list under the same id: another owner.
        let theirs =
            signed(&mallory, "https://a.example/status/r1", t + Duration::seconds(2), &[1]);
        assert!(matches!(
            judge_list(&theirs, Some(&held), now),
            Verdict::Reject(Rejected::KeyTakenByOtherIssuer { .. })
        ));

        // Claims to be the issuer's, signed by Mallory.
        let mut forged = signed(&mallory, "https://a.example/status/r2", t, &[1]);
        forged["issuer"] = json!(key.controller());
        assert!(matches!(
            judge_list(&forged, None, now),
            Verdict::Reject(Rejected::BadSignature { .. })
        ));

        let future = signed(&key, "https://a.example/status/r3", now + Duration::hours(1), &[]);
        assert!(matches!(
            judge_list(&future, None, now),
            Verdict::Reject(Rejected::TooFarInFuture { .. })
        ));
        assert!(matches!(
            judge_list(&json!({"type": "VerifiableCredential"}), None, now),
            Verdict::Reject(Rejected::Malformed(_))
        ));
    }
}
