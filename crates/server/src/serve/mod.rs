//! `certkit serve`: cfssl's signing API (see
//! `../shared/notes/cfssl-serve-contract.md` in the project for the wire
//! contract). One function, [`run`], from options to a server that runs
//! until SIGTERM or SIGINT.
//!
//! - `api`: the endpoint table and handlers
//! - `bundler`: `-ca-bundle`/`-int-bundle`/`-int-dir`/`-metadata`, read once, for `bundle` and `"bundle": true`
//! - `envelope`: cfssl's response envelope and error codes
//! - `state`: signers (local, or `-remote`), database, metrics shared by handlers
//! - `tls`, `access`: TLS and mTLS, access log (connections: `crate::listen`)
//! - `metrics`: Prometheus
//! - `web`: the page at `GET /` (what the database holds, what expires)

pub mod access;
pub mod api;
pub mod bundler;
pub mod envelope;
pub mod metrics;
pub mod state;
pub mod tls;
pub mod web;

use certkit_core::input::{display_name, read_text};
use certkit_core::policy::SigningConfig;
use certkit_core::report::{Note, Report};
use certkit_core::revocation::ocsp::Responder;
use certkit_ops::load::{self, CaSource};
use certkit_ops::revocation::{self, ResponderSource};
use certkit_ops::signer::Signer as RemoteSigner;
use certkit_ops::store::{CertStore, DbFile, StoreError};
use state::{AppState, Backend, Personality, Signer};
use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::Arc;

/// What stops a server from starting (it then exits with the message).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Core(#[from] certkit_core::Error),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The `-db-config` file (its own message names it) or its database.
    #[error("{}", match source {
        StoreError::Config(message) => message.clone(),
        other => format!("{path}: {other}"),
    })]
    Database { path: String, source: StoreError },
    /// The catch-all for refusals of the start-up options themselves
    /// (flags, the roots file, TLS files), with the words to show.
    #[error("{0}")]
    Options(String),
}

impl From<String> for StartError {
    fn from(message: String) -> Self {
        StartError::Options(message)
    }
}

/// Connects `serve -remote`'s signer for the server's signing config
/// (the CLI hands in `certkit-remote`'s, which this crate does not link).
pub type ConnectRemote =
    Box<dyn FnOnce(&SigningConfig) -> certkit_core::Result<Arc<dyn RemoteSigner>> + Send>;

/// Everything `serve` takes (cfssl's flags plus the operational limits).
pub struct ServeOptions {
    pub address: String,
    pub port: u16,
    pub ca: Option<String>,
    pub ca_key: Option<String>,
    pub ca_key_password_file: Option<String>,
    pub config: Option<String>,
    /// `-db-config`: the database certificates are recorded in.
    pub db: Option<DbFile>,
    /// Roots for bundles (default: the system's) and intermediates; both
    /// given, `sign` honours `"bundle": true`.
    pub ca_bundle: Option<String>,
    pub int_bundle: Option<String>,
    /// A directory of further intermediates, and ubiquity metadata, as
    /// `certkit bundle`'s flags.
    pub int_dir: Option<String>,
    pub metadata: Option<String>,
    /// The delegated OCSP responder of `ocspsign` and its key (without
    /// both, `ocspsign` does not exist, as in cfssl).
    pub responder: Option<String>,
    pub responder_key: Option<String>,
    /// `-remote`: forward signing there (cfssl's remote signer).
    pub remote: Option<ConnectRemote>,
    pub tls: Option<tls::TlsFiles>,
    pub mutual_tls_cn: Option<String>,
    /// cfssl's levels: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal.
    pub loglevel: u8,
    pub max_connections: NonZeroUsize,
    pub body_limit: usize,
    /// The longest CRL validity `GET crl?expiry=` gets (longer is capped).
    pub max_crl_expiry: std::time::Duration,
    /// `-admin-cn`: the CN (whole, a regular expression) of the client
    /// certificates `admin_endpoints` answer.
    pub admin_cn: Option<String>,
    /// `-admin-endpoints`: which endpoints `-admin-cn` guards.
    pub admin_endpoints: Vec<String>,
    /// `-disable`: endpoints turned off (cfssl 1.6.5's flag).
    pub disable: Vec<String>,
    /// `-acme`: the ACME server under `/acme/`, with its flags.
    pub acme: Option<crate::acme::AcmeOptions>,
}

/// The endpoints that change or attest the CA's state with its keys
/// (`-admin-endpoints`' default, and what the start-up warning names when
/// they are open).
pub const STATEFUL_ENDPOINTS: [&str; 3] = ["revoke", "ocspsign", "crl"];

/// `-admin-endpoints`' default: the stateful endpoints and `certadd`
/// (which writes records, though only with a token).
pub const ADMIN_ENDPOINTS: [&str; 4] = ["revoke", "ocspsign", "crl", "certadd"];

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            address: "127.0.0.1".into(),
            port: 8888,
            ca: None,
            ca_key: None,
            ca_key_password_file: None,
            config: None,
            db: None,
            ca_bundle: None,
            int_bundle: None,
            int_dir: None,
            metadata: None,
            responder: None,
            responder_key: None,
            remote: None,
            tls: None,
            mutual_tls_cn: None,
            loglevel: 1,
            max_connections: crate::listen::DEFAULT_MAX_CONNECTIONS,
            body_limit: 1 << 20,
            max_crl_expiry: DEFAULT_MAX_CRL_EXPIRY,
            admin_cn: None,
            admin_endpoints: ADMIN_ENDPOINTS.map(String::from).to_vec(),
            disable: Vec::new(),
            acme: None,
        }
    }
}

/// `-max-crl-expiry`'s default: a week, cfssl's default CRL validity.
pub const DEFAULT_MAX_CRL_EXPIRY: std::time::Duration =
    std::time::Duration::from_secs(7 * 24 * 3600);

fn log_notes(report: &Report) {
    for note in &report.notes {
        if let Note::Warning(w) = note {
            log::warn!("{}", w);
        }
    }
}

/// Loads one CA with its signing config.
pub fn load_signer(label: &str, ca: CaSource, config: Option<&str>) -> Result<Signer, StartError> {
    let mut report = Report::default();
    let issuer = load::issuer(ca)?;
    let config_name = config.map(display_name).unwrap_or("the default config");
    let config = load::config(config.map(Path::new), &mut report)?;
    log_notes(&report);
    let cert = ca.cert.unwrap_or(Path::new(""));
    let ca_pem = read_text(cert)?;
    Signer::new(label, Backend::Local(Box::new(issuer)), config, ca_pem)
        .map_err(|e| StartError::Options(format!("{config_name}: {e}")))
}

/// A front end's signer (`-remote`): every profile of `-config` signs
/// on the remote, as cfssl's `-remote` makes every profile remote; no CA
/// key is needed here.
fn remote_signer(connect: ConnectRemote, config: Option<&str>) -> Result<Signer, StartError> {
    let mut report = Report::default();
    let config = load::config(config.map(Path::new), &mut report)?;
    log_notes(&report);
    let remote = connect(&config)?;
    log::info!("signing forwarded to {}", remote.name());
    Signer::new("", Backend::Remote(remote), config, String::new())
        .map_err(|e| StartError::Options(e.to_string()))
}

/// `ocspsign`'s signer: the `-responder` certificate and key answering
/// for `-ca`, loaded as `certkit ocspsign` loads them, and how long its
/// responses are valid; the `-config`'s `ocsp` section gives what the
/// flags leave out (CACertFile, ResponderCertFile, KeyFile, Interval).
/// Without a responder the endpoint is off, as in cfssl (which never
/// signs OCSP with the CA key unless told to: `-responder ca.pem
/// -responder-key ca-key.pem`).
fn ocsp_responder(
    options: &ServeOptions,
) -> Result<(Option<Responder>, std::time::Duration), StartError> {
    let mut report = Report::default();
    let section = match &options.config {
        Some(config) => load::config(Some(Path::new(config)), &mut Report::default())?.ocsp,
        None => None,
    }
    .unwrap_or_default();
    let interval = section.interval.unwrap_or(DEFAULT_OCSP_INTERVAL);
    let responder = options
        .responder
        .as_deref()
        .or(section.responder_cert_file.as_deref());
    let key = options
        .responder_key
        .as_deref()
        .or(section.key_file.as_deref());
    if responder.is_none() && key.is_none() {
        log::info!(
            "ocspsign is disabled: give -responder and -responder-key (or the config's ocsp section) to sign OCSP responses"
        );
        return Ok((None, interval));
    }
    let responder = revocation::responder(
        ResponderSource {
            ca: section.ca_cert_file.as_deref().or(options.ca.as_deref()),
            responder,
            key,
        },
        &mut report,
    )?;
    log_notes(&report);
    Ok((Some(responder), interval))
}

/// cfssl's default OCSP response validity (`-interval`).
pub const DEFAULT_OCSP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(96 * 3600);

/// `-mutual-tls-cn`, matching the whole CN (cfssl searches, so `client-ok`
/// also let `evil-client-ok-x` in). The expression is checked as given
/// first, so a syntax error names what the operator wrote.
fn full_match(re: &str) -> Result<regex::Regex, StartError> {
    full_match_named(re, "-mutual-tls-cn")
}

/// A CN expression of flag `flag`, matching whole CNs.
fn full_match_named(re: &str, flag: &str) -> Result<regex::Regex, StartError> {
    regex::Regex::new(re)
        .and_then(|_| regex::Regex::new(&format!("^(?:{re})$")))
        .map_err(|e| StartError::Options(format!("{flag}: {e}")))
}

/// cfssl 1.6.5's endpoint names that are not API endpoints, which
/// `-disable` still accepts so that a cfssl command line starts: the
/// scanner's two (certkit has no scanner) and the page at `/` (certkit's
/// web page, turned off by `-disable /` as cfssl's static page is).
const ABSENT_ENDPOINTS: [&str; 3] = ["scan", "scaninfo", "/"];

/// `-disable a,b`: `endpoints` without those named, each logged as cfssl
/// 1.6.5 logs it. A name no endpoint has is refused (cfssl ignores it, so
/// a typo left the endpoint on).
fn disable(
    endpoints: Vec<api::Endpoint>,
    names: &[String],
) -> Result<Vec<api::Endpoint>, StartError> {
    let names: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    if let Some(bad) = names
        .iter()
        .find(|n| !ABSENT_ENDPOINTS.contains(n) && !endpoints.iter().any(|e| e.name == **n))
    {
        let known: Vec<&str> = endpoints.iter().map(|e| e.name).collect();
        return Err(StartError::Options(format!(
            "-disable: no endpoint named {bad:?} (endpoints: {})",
            known.join(", ")
        )));
    }
    for name in &names {
        log::info!("endpoint '{name}' is explicitly disabled");
    }
    Ok(endpoints
        .into_iter()
        .filter(|e| !names.contains(&e.name))
        .collect())
}

/// Starts the server and blocks until it has shut down.
pub fn run(mut options: ServeOptions) -> Result<(), StartError> {
    let runtime = certkit_runtime::service()
        .map_err(|e| StartError::Options(format!("cannot start the runtime: {e}")))?;
    let mut signers = BTreeMap::new();
    if let Some(remote) = options.remote.take() {
        if options.ca_key.is_some() {
            log::warn!("-remote: -ca-key signs nothing here (sign, authsign, newcert and info go to the remote; crl is refused)");
        }
        signers.insert(
            String::new(),
            Arc::new(remote_signer(remote, options.config.as_deref())?),
        );
    } else if options.ca.is_some() || options.ca_key.is_some() {
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
        log::warn!("no -ca and -ca-key: the signing endpoints are disabled");
    }
    runtime.block_on(serve(options, Personality::Serve, signers, String::new()))
}

/// Serves the signers on the options' address until a signal.
pub async fn serve(
    options: ServeOptions,
    personality: Personality,
    signers: BTreeMap<String, Arc<Signer>>,
    default_label: String,
) -> Result<(), StartError> {
    let db: Option<Arc<dyn CertStore>> = match &options.db {
        Some(file) => Some(Arc::from(file.open().await.map_err(|source| {
            StartError::Database {
                path: file.path.clone(),
                source,
            }
        })?)),
        None => None,
    };
    let (bundler, (ocsp, ocsp_interval)) = match personality {
        Personality::Serve => (
            Some(bundler::Bundler::load(&bundler::BundleFiles {
                ca_bundle: options.ca_bundle.as_deref(),
                int_bundle: options.int_bundle.as_deref(),
                int_dir: options.int_dir.as_deref(),
                metadata: options.metadata.as_deref(),
            })?),
            ocsp_responder(&options)?,
        ),
        Personality::MultiRootCa => (None, (None, DEFAULT_OCSP_INTERVAL)),
    };
    if let Some(bundler) = bundler.as_ref().filter(|b| b.for_signing) {
        for signer in signers.values().filter(|s| !bundler.covers(&s.ca_pem)) {
            log::warn!(
                    "{}the CA certificate does not chain to a root of -ca-bundle: sign requests with \"bundle\": true will fail",
                    if signer.label.is_empty() { String::new() } else { format!("{}: ", signer.label) }
                );
        }
    }
    let admin = match &options.admin_cn {
        Some(cn) => {
            let known: Vec<&str> = api::serve_endpoints().iter().map(|e| e.name).collect();
            if let Some(bad) = options
                .admin_endpoints
                .iter()
                .find(|e| !known.contains(&e.as_str()))
            {
                return Err(StartError::Options(format!(
                    "-admin-endpoints: no endpoint named {bad:?} (endpoints: {})",
                    known.join(", ")
                )));
            }
            Some(state::Admin {
                cn: full_match_named(cn, "-admin-cn")?,
                endpoints: options.admin_endpoints.clone(),
            })
        }
        None => None,
    };
    let state = Arc::new(AppState {
        personality,
        signers,
        default_label,
        db: db.clone(),
        bundler,
        ocsp,
        ocsp_interval,
        metrics: metrics::Metrics::new(),
        body_limit: options.body_limit,
        max_crl_expiry: options.max_crl_expiry,
        admin,
        cpu: crate::work::CpuPool::default(),
    });
    if personality == Personality::Serve && state.admin.is_none() {
        let open: Vec<&str> = api::serve_endpoints()
            .into_iter()
            .filter(|e| STATEFUL_ENDPOINTS.contains(&e.name) && (e.available)(&state))
            .map(|e| e.name)
            .collect();
        if !open.is_empty() {
            log::warn!(
                "{} answer any client (as in cfssl): give -admin-cn with -mutual-tls-ca to require an administrator's client certificate",
                open.join(", ")
            );
        }
    }
    if personality == Personality::Serve && state.db.is_some() && !api::certadd_available(&state) {
        log::info!("certadd is disabled: give the default profile an auth_key to accept authenticated records");
    }
    let endpoints = match personality {
        Personality::Serve => disable(api::serve_endpoints(), &options.disable)?,
        Personality::MultiRootCa => api::multiroot_endpoints(),
    };
    let mut router = api::router(state.clone(), endpoints);
    let page_disabled = options.disable.iter().any(|name| name.trim() == "/");
    if personality == Personality::Serve && !page_disabled {
        let state = state.clone();
        router = router.route(
            "/",
            axum::routing::any(move |request| web::page(state.clone(), request)),
        );
    }
    if let Some(acme) = options.acme.clone() {
        let acme = crate::acme::router(state.clone(), acme, options.tls.is_some())
            .map_err(|e| StartError::Options(e.to_string()))?;
        router = router.merge(acme);
        log::info!("ACME directory at /acme/directory");
    }
    let mut router = router.layer(axum::middleware::from_fn(access::check_cn));
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
        .map(full_match)
        .transpose()?;
    let address = format!("{}:{}", options.address, options.port);
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let bound = listener
        .local_addr()
        .map_err(|e| StartError::Options(e.to_string()))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    log::info!("Now listening on {scheme}://{bound}");
    crate::listen::Listener::new(listener, tls, allowed_cn, options.max_connections)
        .serve(router, async {
            certkit_runtime::shutdown_signal().await;
        })
        .await;
    if let Some(db) = db {
        db.close().await;
    }
    log::info!("shut down");
    Ok(())
}
