//! The validator task: judges each received document ([`super::message`]) against what the store
//! holds, stores the accepted ones, and tells the swarm task the verdict (gossipsub then
//! forwards or drops the message and scores its sender). One task, in arrival order; a bounded
//! queue in front, so a flood is dropped at the door rather than queued without end.

use chrono::Utc;
use libp2p::{PeerId, gossipsub::MessageId};
use tokio::sync::mpsc;

use super::message::{Message, Verdict, judge, key_of};
use crate::store::{
    Store,
    held::{self, Stored},
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
                        Err(why) => Verdict::Reject(why),
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
            if let Verdict::Accept(list) = &verdict {
                tracing::debug!(kind = list.kind.as_str(), key = %list.id, valid_from = %list.valid_from, "stored");
            }
            if done_tx.send(Done { source, message_id, verdict }).await.is_err() {
                break;
            }
        }
    });
    (jobs, done_rx)
}

/// Judges `message` against the held version and stores it when accepted; a version that lost
/// a race to a newer one in the store becomes `Ignore`.
async fn judge_and_store(store: &Store, message: &Message) -> Verdict {
    let Some(key) = key_of(message) else {
        return Verdict::Reject("the document has no key (id or issuer)".into());
    };
    let held = match store.read().and_then(|r| held::get(&r, message.kind, &key)) {
        Ok(h) => h,
        Err(e) => return Verdict::Ignore(format!("store unavailable: {e}")),
    };
    let verdict = judge(message, held.as_ref(), Utc::now()).await;
    let Verdict::Accept(doc) = verdict else { return verdict };
    let to_store = (*doc).clone();
    match store.write(move |b| held::put_if_newer(b, &to_store)).await {
        Ok(Stored::Newer) => Verdict::Accept(doc),
        Ok(Stored::Stale) => Verdict::Ignore("a newer version arrived first".into()),
        Err(crate::Error::Invalid(why)) => Verdict::Reject(why),
        Err(e) => Verdict::Ignore(format!("not stored: {e}")),
    }
}
