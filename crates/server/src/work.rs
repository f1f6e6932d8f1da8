//! CPU-bound work of request handlers (key generation, signing) runs here,
//! off the async workers and at most one job per CPU at a time. Run
//! inline, two RSA-8192 key generations on a 2-core host occupied every
//! async worker for seconds and `/health` waited behind them.

use std::sync::Arc;
use tokio::sync::Semaphore;

/// A bounded pool: a semaphore with one permit per CPU around
/// `block_in_place`, which hands the worker's other tasks to a fresh
/// worker while the job runs, so borrowed inputs need no copying.
#[derive(Clone)]
pub struct CpuPool {
    permits: Arc<Semaphore>,
}

impl Default for CpuPool {
    fn default() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        CpuPool {
            permits: Arc::new(Semaphore::new(cpus)),
        }
    }
}

impl CpuPool {
    /// Runs `job` once a permit is free. Jobs queue for a permit rather
    /// than pile up: a flood of key generations waits (and times out with
    /// its request) instead of taking every core.
    pub async fn run<T>(&self, job: impl FnOnce() -> T) -> T {
        // The semaphore is never closed, so acquiring only waits.
        let _permit = self.permits.acquire().await.ok();
        match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(job),
            // A current-thread runtime (unit tests) has no worker to hand off.
            _ => job(),
        }
    }
}
