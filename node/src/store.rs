//! The node's durable store: one redb file, one writer thread, readers anywhere.
//!
//! # Why this shape
//! - redb allows one write transaction at a time and makes each commit durable with an fsync
//!   (~0.25 ms here). The writer thread therefore takes every operation queued while the last
//!   commit ran and applies them in **one** transaction (group commit); each caller is answered
//!   only after that commit returned, so an acknowledged operation is on disk.
//! - Readers open their own read transactions ([`Store::read`]) and never wait for the writer.
//! - An operation must do its checks before its first write: a *refusal* (unknown id, conflict)
//!   is returned to its caller alone and the group goes on, so a refused operation must not have
//!   written anything. A storage failure aborts the whole group and every caller in it gets it.
//!
//! Table layouts live in [`tables`]; each domain has a module of read and write functions.

pub mod achievements;
pub mod allocator;
pub mod claims;
pub mod credentials;
pub mod held;
pub mod inbox;
pub mod offers;
pub mod outbox;
pub mod status;
pub mod tables;
pub mod verifications;

use std::{collections::BTreeSet, path::Path, sync::Arc};

use redb::{Database, ReadTransaction, ReadableDatabase, WriteTransaction};
use tokio::sync::{mpsc, oneshot, watch};

use crate::{Error, Result};

/// File name of the store inside the data directory.
pub const STORE_FILE: &str = "badgemesh.redb";

/// redb's page cache. Its default (1 GiB) grows with every page written until it is reached, so
/// a node that awards 100,000 credentials would hold ~0.5 GB it never reads again; 32 MiB keeps
/// the hot pages (recent credentials, status lists, indexes) and memory flat.
const CACHE_BYTES: usize = 32 << 20;

/// Most operations one commit takes: bounds the latency a caller waits for the group.
const MAX_GROUP: usize = 512;

/// Queue length in front of the writer: callers wait (backpressure) when it is full.
const QUEUE: usize = 4096;

/// The write transaction of a group, and what the group changed that needs work at commit.
#[allow(missing_debug_implementations)]
pub struct Batch<'a> {
    /// The open transaction.
    pub txn: &'a WriteTransaction,
    /// Status lists whose bits changed: re-signed once per commit by the [`Finisher`].
    pub dirty_lists: BTreeSet<String>,
}

/// Work done once per group, after its operations and before the commit (re-signing status
/// lists). An error aborts the group.
pub type Finisher = Box<dyn FnMut(&mut Batch<'_>) -> Result<()> + Send>;

type Reply = Box<dyn FnOnce(Option<&Error>) + Send>;
type Job = Box<dyn FnOnce(&mut Batch<'_>) -> (bool, Reply) + Send>;

/// A cloneable handle on the store.
#[derive(Clone)]
pub struct Store {
    db: Arc<Database>,
    jobs: mpsc::Sender<Job>,
    /// Status-list index allocation, shared by every handle.
    pub allocator: Arc<allocator::Allocator>,
    /// The writer thread, joined by [`Store::close`].
    thread: Arc<std::sync::Mutex<Option<std::thread::JoinHandle<()>>>>,
    /// Counts the commits that re-signed status lists (the gossip task publishes them). A
    /// watch channel, not a `Notify`: a change committed while its consumer is busy elsewhere
    /// is still there when it next looks, where `notify_waiters` would have told no one.
    lists_changed: Arc<watch::Sender<u64>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (or creates) the store at `path` and starts its writer thread. The thread ends when
    /// the last handle is dropped.
    pub fn open(path: &Path, finisher: Finisher) -> Result<Self> {
        let db =
            redb::Builder::new().set_cache_size(CACHE_BYTES).create(path).map_err(|e| match e {
                redb::DatabaseError::DatabaseAlreadyOpen => Error::store(format!(
                    "{} is in use: another badgemesh node is running on this data directory",
                    path.display()
                )),
                e => Error::store(format!("{}: {e}", path.display())),
            })?;
        tables::migrate(&db)?;
        let allocator = Arc::new(allocator::Allocator::load(&db)?);
        let db = Arc::new(db);
        let (jobs, rx) = mpsc::channel(QUEUE);
        let writer_db = db.clone();
        let lists_changed = Arc::new(watch::Sender::new(0));
        let notify = lists_changed.clone();
        let thread = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || writer(&writer_db, rx, finisher, &notify))
            .map_err(|e| Error::store(format!("cannot start the writer thread: {e}")))?;
        let thread = Arc::new(std::sync::Mutex::new(Some(thread)));
        Ok(Self { db, jobs, allocator, thread, lists_changed })
    }

    /// A receiver that sees every commit that re-signed status lists, including those made
    /// before it next waits.
    pub fn lists_changed(&self) -> watch::Receiver<u64> {
        self.lists_changed.subscribe()
    }

    /// Lets the writer finish what is queued and waits for it to release the file. Call it on
    /// the last handle; with other handles alive the writer keeps running and this returns at
    /// once.
    pub fn close(self) {
        let Self { db, jobs, thread, .. } = self;
        drop(jobs);
        drop(db);
        if Arc::strong_count(&thread) > 1 {
            return;
        }
        let handle = thread.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }

    /// A read transaction on the last committed state.
    pub fn read(&self) -> Result<ReadTransaction> {
        self.db.begin_read().map_err(Error::store)
    }

    /// Runs `op` in the writer's next group and returns its result once the group is durable.
    pub async fn write<R, F>(&self, op: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Batch<'_>) -> Result<R> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |batch| {
            let out = op(batch);
            let fatal = matches!(out, Err(Error::Store(_)));
            let reply: Reply = Box::new(move |commit_error| {
                let _ = tx.send(match commit_error {
                    Some(e) => Err(Error::Store(e.to_string())),
                    None => out,
                });
            });
            (fatal, reply)
        });
        self.jobs.send(job).await.map_err(|_| Error::store("the store writer has stopped"))?;
        rx.await.map_err(|_| Error::store("the store writer stopped before answering"))?
    }
}

/// The writer loop: take a group, apply it, finish it, commit, answer.
fn writer(
    db: &Database,
    mut rx: mpsc::Receiver<Job>,
    mut finisher: Finisher,
    lists_changed: &watch::Sender<u64>,
) {
    while let Some(first) = rx.blocking_recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let (replies, outcome, resigned) = run_group(db, group, &mut finisher);
        match &outcome {
            Err(e) => {
                tracing::error!(error = %e, operations = replies.len(), "store commit failed")
            }
            Ok(()) if resigned => lists_changed.send_modify(|n| *n += 1),
            Ok(()) => {}
        }
        for reply in replies {
            reply(outcome.as_ref().err());
        }
    }
    tracing::debug!("store writer stopped");
}

/// Applies a group; the flag says whether the finisher had lists to re-sign.
fn run_group(
    db: &Database,
    group: Vec<Job>,
    finisher: &mut Finisher,
) -> (Vec<Reply>, Result<()>, bool) {
    let txn = match db.begin_write() {
        Ok(txn) => txn,
        Err(e) => {
            // Dropping the jobs answers their callers with "writer stopped before answering".
            tracing::error!(error = %e, "cannot begin a write transaction");
            drop(group);
            return (Vec::new(), Err(Error::store(e)), false);
        }
    };
    let mut batch = Batch { txn: &txn, dirty_lists: BTreeSet::new() };
    let mut replies = Vec::with_capacity(group.len());
    let mut fatal = false;
    for job in group {
        let (failed, reply) = job(&mut batch);
        fatal |= failed;
        replies.push(reply);
    }
    if fatal {
        let _ = txn.abort();
        return (replies, Err(Error::store("a storage error aborted this group of writes")), false);
    }
    let resigned = !batch.dirty_lists.is_empty();
    if let Err(e) = finisher(&mut batch) {
        let _ = txn.abort();
        return (replies, Err(e), false);
    }
    (replies, txn.commit().map_err(Error::store), resigned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tables::META;

    fn store(dir: &Path) -> Store {
        Store::open(&dir.join(STORE_FILE), Box::new(|_| Ok(()))).unwrap()
    }

    #[tokio::test]
    async fn a_list_change_committed_while_nobody_waits_is_still_seen() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        let mut changed = s.lists_changed();
        // The consumer is busy elsewhere (not waiting) when the commit lands.
        s.write(|b| {
            b.dirty_lists.insert("revocation-1".into());
            Ok(())
        })
        .await
        .unwrap();
        assert!(changed.has_changed().unwrap(), "the change was lost");
        changed.changed().await.unwrap();
        assert!(!changed.has_changed().unwrap());
        // A commit that re-signed nothing is not a change.
        s.write(|_| Ok(())).await.unwrap();
        assert!(!changed.has_changed().unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_are_all_durable_and_a_refusal_stays_alone() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        let mut tasks = Vec::new();
        for i in 0..200u64 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                s.write(move |b| {
                    if i % 50 == 7 {
                        return Err(Error::Conflict("refused".into()));
                    }
                    let mut t = b.txn.open_table(META).map_err(Error::store)?;
                    t.insert(format!("k{i}").as_str(), i.to_be_bytes().as_slice())
                        .map_err(Error::store)?;
                    Ok(i)
                })
                .await
            }));
        }
        let mut refused = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => {}
                Err(Error::Conflict(_)) => refused += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(refused, 4);
        s.close();
        // Reopen: every acknowledged write is there.
        let s = store(dir.path());
        let r = s.read().unwrap();
        let t = r.open_table(META).unwrap();
        for i in (0..200u64).filter(|i| i % 50 != 7) {
            assert!(t.get(format!("k{i}").as_str()).unwrap().is_some(), "k{i}");
        }
        assert!(t.get("k7").unwrap().is_none());
    }
}
