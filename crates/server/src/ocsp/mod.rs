//! `ocspserve`: an RFC 5019 OCSP responder over HTTP (GET and POST).
//! Responses come from a source (`source`: cfssl's responses file, or the
//! certificate database) and, when a signer is configured, are signed live
//! for what pre-signed responses cannot answer: requests with a nonce,
//! SHA-256 CertIDs and certificates the source does not hold (`unknown`).
//! `http` maps requests to answers and sets the caching headers. It runs
//! on the same listener as `serve` (`crate::listen`): connection limit,
//! handshake/header/body/idle deadlines, optional TLS, drain on SIGTERM.

mod http;
pub mod source;

use certkit_core::error::{Error, Result};
use certkit_core::revocation::ocsp::Responder;
use source::{Source, SourceSpec};
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::time::Duration;

/// What `ocspserve` serves and where.
pub struct Config {
    pub address: String,
    pub port: u16,
    pub source: SourceSpec,
    /// Signs live answers; without it, only stored responses are served
    /// and anything else gets `unauthorized`, as cfssl.
    pub signer: Option<Responder>,
    /// nextUpdate of live answers, after thisUpdate.
    pub interval: Duration,
    /// `-tls-cert`/`-tls-key`: serve HTTPS.
    pub tls: Option<crate::serve::tls::TlsFiles>,
    pub max_connections: NonZeroUsize,
}

/// Serves until SIGINT or SIGTERM, then finishes requests in flight.
pub fn serve(config: Config) -> Result<()> {
    let runtime = certkit_runtime::service().map_err(|e| Error::io("tokio runtime", e))?;
    runtime.block_on(run(config))
}

async fn run(config: Config) -> Result<()> {
    let source = Source::open(&config.source).await?;
    let tls = config
        .tls
        .as_ref()
        .map(crate::serve::tls::server_config)
        .transpose()
        .map_err(|e| Error::Refused(e.to_string()))?
        .map(tokio_rustls::TlsAcceptor::from);
    let addr = format!("{}:{}", config.address, config.port);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| Error::io(&addr, e))?;
    let local: SocketAddr = listener.local_addr().map_err(|e| Error::io(&addr, e))?;
    log::info!("Registering OCSP responder handler");
    let scheme = if tls.is_some() { "https" } else { "http" };
    log::info!("Now listening on {scheme}://{local}");
    let app = http::router(source, config.signer, config.interval);
    crate::listen::Listener::new(listener, tls, None, config.max_connections)
        .serve(app, async {
            certkit_runtime::shutdown_signal().await;
            log::info!("shutting down");
        })
        .await;
    Ok(())
}
