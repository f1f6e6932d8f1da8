//! `certkit serve`: cfssl's signing API (see
//! `../shared/notes/cfssl-serve-contract.md` in the project for the wire
//! contract). One function, [`run`], from options to a server that runs
//! until SIGTERM or SIGINT.
//!
//! - `api`: the endpoint table and handlers
//! - `auth`: the HMAC tokens of `authsign`
//! - `bundler`: `-ca-bundle`/`-int-bundle`, read once, for `bundle` and `"bundle": true`
//! - `envelope`: cfssl's response envelope and error codes
//! - `state`: signers, database, metrics shared by handlers
//! - `listen`, `tls`, `access`: connections, TLS and mTLS, access log
//! - `metrics`: Prometheus

pub mod access;
pub mod api;
pub mod auth;
pub mod bundler;
pub mod envelope;
pub mod listen;
pub mod metrics;
pub mod state;
pub mod tls;

use crate::certdb::{CertDb, DbConfig};
use certkit_core::input::{display_name, read_text};
use certkit_core::ops::load::{self, CaSource};
use certkit_core::ops::{Note, Report};
use state::{AppState, Personality, Signer};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Everything `serve` takes (cfssl's flags plus the operational limits).
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub address: String,
    pub port: u16,
    pub ca: Option<String>,
    pub ca_key: Option<String>,
    pub ca_key_password_file: Option<String>,
    pub config: Option<String>,
    pub db_config: Option<String>,
    /// Roots for bundles (default: the system's) and intermediates; both
    /// given, `sign` honours `"bundle": true`.
    pub ca_bundle: Option<String>,
    pub int_bundle: Option<String>,
    pub tls: Option<tls::TlsFiles>,
    pub mutual_tls_cn: Option<String>,
    /// cfssl's levels: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal.
    pub loglevel: u8,
    pub max_connections: usize,
    pub body_limit: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            address: "127.0.0.1".into(),
            port: 8888,
            ca: None,
            ca_key: None,
            ca_key_password_file: None,
            config: None,
            db_config: None,
            ca_bundle: None,
            int_bundle: None,
            tls: None,
            mutual_tls_cn: None,
            loglevel: 1,
            max_connections: 1024,
            body_limit: 1 << 20,
        }
    }
}

/// cfssl's log line format on stderr.
pub fn log(level: &str, message: &str) {
    let now = time::OffsetDateTime::now_utc();
    let stamp = now
        .format(time::macros::format_description!(
            "[year]/[month]/[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_default();
    eprintln!("{stamp} [{level}] {message}");
}

fn log_notes(report: &Report) {
    for note in &report.notes {
        if let Note::Warning(w) = note {
            log("WARNING", w);
        }
    }
}

/// Loads one CA with its signing config.
pub fn load_signer(label: &str, ca: CaSource, config: Option<&str>) -> Result<Signer, String> {
    let mut report = Report::default();
    let issuer = load::issuer(ca).map_err(|e| e.to_string())?;
    let config_name = config.map(display_name).unwrap_or("the default config");
    let config = load::config(config.map(Path::new), &mut report).map_err(|e| e.to_string())?;
    log_notes(&report);
    let cert = ca.cert.unwrap_or(Path::new(""));
    let ca_pem = read_text(cert).map_err(|e| e.to_string())?;
    Signer::new(label, issuer, config, ca_pem).map_err(|e| format!("{config_name}: {e}"))
}

/// Starts the server and blocks until it has shut down.
pub fn run(options: ServeOptions) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let mut signers = BTreeMap::new();
    if options.ca.is_some() || options.ca_key.is_some() {
        let ca = CaSource {
            cert: options.ca.as_deref().map(Path::new),
            key: options.ca_key.as_deref().map(Path::new),
            password_file: options.ca_key_password_file.as_deref().map(Path::new),
        };
        signers.insert(
            String::new(),
            Arc::new(load_signer("", ca, options.config.as_deref())?),
        );
    } else {
        log(
            "WARNING",
            "no -ca and -ca-key: the signing endpoints are disabled",
        );
    }
    runtime.block_on(serve(options, Personality::Serve, signers, String::new()))
}

/// Serves the signers on the options' address until a signal.
pub async fn serve(
    options: ServeOptions,
    personality: Personality,
    signers: BTreeMap<String, Arc<Signer>>,
    default_label: String,
) -> Result<(), String> {
    let db = match &options.db_config {
        Some(path) => {
            let config = DbConfig::load(path).map_err(|e| e.to_string())?;
            Some(
                CertDb::open(&config)
                    .await
                    .map_err(|e| format!("{path}: {e}"))?,
            )
        }
        None => None,
    };
    let bundler = match personality {
        Personality::Serve => Some(bundler::Bundler::load(
            options.ca_bundle.as_deref(),
            options.int_bundle.as_deref(),
        )?),
        Personality::MultiRootCa => None,
    };
    if let Some(bundler) = bundler.as_ref().filter(|b| b.for_signing) {
        for signer in signers.values().filter(|s| !bundler.covers(&s.ca_pem)) {
            log(
                "WARNING",
                &format!(
                    "{}the CA certificate does not chain to a root of -ca-bundle: sign requests with \"bundle\": true will fail",
                    if signer.label.is_empty() { String::new() } else { format!("{}: ", signer.label) }
                ),
            );
        }
    }
    let state = Arc::new(AppState {
        personality,
        signers,
        default_label,
        db: db.clone(),
        bundler,
        metrics: metrics::Metrics::new(),
        body_limit: options.body_limit,
    });
    let endpoints = match personality {
        Personality::Serve => api::serve_endpoints(),
        Personality::MultiRootCa => api::multiroot_endpoints(),
    };
    let mut router =
        api::router(state.clone(), endpoints).layer(axum::middleware::from_fn(access::check_cn));
    if options.loglevel <= 1 {
        router = router.layer(axum::middleware::from_fn(access::log));
    }
    let tls = options
        .tls
        .as_ref()
        .map(tls::server_config)
        .transpose()?
        .map(tokio_rustls::TlsAcceptor::from);
    let allowed_cn = options
        .mutual_tls_cn
        .as_deref()
        .map(|re| regex::Regex::new(re).map_err(|e| format!("-mutual-tls-cn: {e}")))
        .transpose()?;
    let address = format!("{}:{}", options.address, options.port);
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    log("INFO", &format!("Now listening on {scheme}://{bound}"));
    listen::Listener {
        listener,
        tls,
        allowed_cn,
        max_connections: options.max_connections,
        header_timeout: Duration::from_secs(10),
        drain_timeout: Duration::from_secs(30),
    }
    .serve(router, shutdown_signal())
    .await;
    if let Some(db) = db {
        db.close().await;
    }
    log("INFO", "shut down");
    Ok(())
}

/// Resolves on SIGTERM or SIGINT.
async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {},
        _ = int.recv() => {},
    }
}
