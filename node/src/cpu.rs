//! CPU-heavy work (verification, signing, schema checks, canonicalization, image decoding) on a
//! bounded pool of blocking threads, off the async workers that serve every other request.
//!
//! Two limits: `workers` jobs run at once, and at most `queue` more wait for a worker. Open
//! routes *try* to enter ([`CpuPool::try_run`]): when the queue is full they get
//! [`Error::Busy`] at once, which the HTTP layer answers with 503 and `Retry-After`, so an
//! anonymous flood costs the node a counter check rather than a stalled runtime. Work for the
//! operator (awards, bulk runs) waits for its turn ([`CpuPool::run`]).

use std::{future::Future, sync::Arc};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{Error, Result};

/// A bounded pool; cheap to clone.
#[derive(Debug, Clone)]
pub struct CpuPool {
    workers: Arc<Semaphore>,
    admission: Arc<Semaphore>,
}

impl CpuPool {
    /// A pool running `workers` jobs at once with room for `queue` waiting ones.
    pub fn new(workers: usize, queue: usize) -> Self {
        let workers = workers.max(1);
        Self {
            workers: Arc::new(Semaphore::new(workers)),
            admission: Arc::new(Semaphore::new(workers + queue)),
        }
    }

    /// One worker per core.
    pub fn for_this_machine(queue: usize) -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, usize::from), queue)
    }

    /// Jobs that could still be admitted (running or queued) before [`Self::try_run`] refuses.
    pub fn room(&self) -> usize {
        self.admission.available_permits()
    }

    /// Runs `job` when a worker is free, or fails at once with [`Error::Busy`] when the queue is
    /// full.
    pub async fn try_run<T, F>(&self, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let admitted = self.admission.clone().try_acquire_owned().map_err(|_| Error::Busy)?;
        self.execute(admitted, job).await
    }

    /// Runs `job` when a worker is free, however long the queue.
    pub async fn run<T, F>(&self, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let admitted = self.admission.clone().acquire_owned().await.map_err(|_| Error::Busy)?;
        self.execute(admitted, job).await
    }

    /// Runs a future that only computes (the credential core's futures never wait on I/O) on the
    /// pool, entering as [`Self::try_run`] does.
    pub async fn try_compute<T, F>(&self, future: F) -> Result<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        self.try_run(move || futures::executor::block_on(future)).await
    }

    /// As [`Self::try_compute`], waiting for room as [`Self::run`] does.
    pub async fn compute<T, F>(&self, future: F) -> Result<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        self.run(move || futures::executor::block_on(future)).await
    }

    async fn execute<T, F>(&self, admitted: OwnedSemaphorePermit, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let worker = self.workers.clone().acquire_owned().await.map_err(|_| Error::Busy)?;
        let out = tokio::task::spawn_blocking(move || {
            let _held = (admitted, worker);
            job()
        })
        .await;
        out.map_err(|e| Error::Internal(format!("a CPU job failed: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_frees_when_jobs_end() {
        let pool = CpuPool::new(1, 1);
        let (release, wait) = mpsc::channel::<()>();
        let wait = Arc::new(std::sync::Mutex::new(wait));
        let mut running = Vec::new();
        for _ in 0..2 {
            let (pool, wait) = (pool.clone(), wait.clone());
            running.push(tokio::spawn(async move {
                pool.try_run(move || {
                    let _ = wait.lock().map(|w| w.recv());
                })
                .await
            }));
        }
        // Both admitted (one running, one queued): the next is refused without waiting.
        while pool.admission.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(pool.try_run(|| ()).await, Err(Error::Busy)));
        release.send(()).unwrap();
        release.send(()).unwrap();
        for r in running {
            r.await.unwrap().unwrap();
        }
        assert_eq!(pool.try_run(|| 7).await.unwrap(), 7);
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_not_a_crash() {
        let pool = CpuPool::new(1, 0);
        #[allow(clippy::panic)]
        let out = pool.try_run(|| panic!("boom")).await;
        assert!(matches!(out, Err(Error::Internal(_))));
        assert_eq!(pool.try_run(|| 1).await.unwrap(), 1);
    }
}
