//! How certkit runs async work, in one place for every service and
//! command: the runtime builders and the shutdown signal. The servers
//! (`serve`, `multirootca`, `ocspserve`) and the Kubernetes signer run
//! on [`service`]; one-shot commands that talk to the certificate
//! database run one future on [`block_on`].

use std::future::Future;

/// The multi-threaded runtime a long-running service runs on.
pub fn service() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// Runs one future to completion on a single-threaded runtime: one-shot
/// commands start no thread pool.
pub fn block_on<F: Future>(work: F) -> std::io::Result<F::Output> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(work))
}

/// Which signal asked a service to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Terminate,
    Interrupt,
}

impl Stop {
    pub fn name(self) -> &'static str {
        match self {
            Stop::Terminate => "SIGTERM",
            Stop::Interrupt => "SIGINT",
        }
    }
}

/// Resolves on the first SIGTERM or SIGINT, saying which. Where the
/// handlers cannot be installed it never resolves (the process is then
/// stopped the hard way, as before it had handlers).
pub async fn shutdown_signal() -> Stop {
    use tokio::signal::unix::{signal, SignalKind};
    let (mut term, mut int) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(term), Ok(int)) => (term, int),
        (Err(e), _) | (_, Err(e)) => {
            log::error!("cannot listen for SIGTERM and SIGINT: {e}");
            return std::future::pending().await;
        }
    };
    tokio::select! {
        _ = term.recv() => Stop::Terminate,
        _ = int.recv() => Stop::Interrupt,
    }
}
