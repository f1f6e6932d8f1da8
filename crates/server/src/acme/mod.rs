//! `certkit serve -acme`: an RFC 8555 ACME server in front of the same
//! CA, profiles, issuance path and certificate database as `sign`.
//!
//! - `problem`: RFC 8555 6.7 problem documents
//! - `jws`: JWS parsing and verification, RFC 7638 thumbprints
//! - `objects`: accounts, orders, authorizations as stored
//! - `request`: what every POST shares (nonce, JWS, account) and replies
//! - `route`: which resource a path names, the body bound and the timeout
//! - `directory`, `account`, `order`, `authz`, `revoke`, `renewal_info`: the resources
//! - `http01`, `tls_alpn01`, `dns01`: the validations (RFC 8555 8.3 and 8.4, RFC 8737)
//! - `eab`: External Account Binding keys (`-acme-eab-keys`)
//! - `limits`: rate limits on new orders and failed validations
//!
//! All state, rate-limit counts included, is in the certificate database
//! (`certkit_ops::store::acme`), so replicas on one PostgreSQL or MariaDB
//! database serve one ACME service.

mod account;
mod allowed;
mod authz;
mod directory;
mod dns01;
mod eab;
mod http01;
mod jws;
mod limits;
mod objects;
mod order;
mod problem;
mod renewal_info;
mod request;
mod revoke;
mod route;
mod tls_alpn01;

pub use allowed::{AllowedNames, AllowedNamesError};
pub use eab::{EabKeys, EabKeysError};

use crate::serve::state::AppState;
use axum::routing::any;
use axum::Router;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// `serve`'s ACME flags.
#[derive(Debug, Clone)]
pub struct AcmeOptions {
    /// `-acme-profile`: the signing profile ACME certificates are issued
    /// under (empty: the config's default).
    pub profile: String,
    /// `-acme-http01-port`: the port http-01 validation connects to (80).
    pub http01_port: u16,
    /// `-acme-directories`: more directories, one per profile named, at
    /// `/acme/<profile>/directory`.
    pub directories: Vec<String>,
    /// `-acme-tlsalpn01-port`: the port tls-alpn-01 validation connects to (443).
    pub tlsalpn01_port: u16,
    /// `-acme-dns-resolver`: the DNS server dns-01 asks; without it,
    /// dns-01 (and so wildcards) is not offered.
    pub dns_resolver: Option<std::net::SocketAddr>,
    /// `-acme-resolve NAME:IP`: fixed addresses for validation, as curl's
    /// `--resolve`; an address given here may be loopback or private.
    pub resolve: BTreeMap<String, IpAddr>,
    /// `-acme-eab-keys`: when set, new accounts need an External Account
    /// Binding with one of these keys.
    pub eab: EabKeys,
    /// `-acme-orders-per-hour`: new orders per account and per client
    /// address in an hour.
    pub orders_per_hour: u32,
    /// `-acme-failures-per-hour`: failed validations per account in an
    /// hour, beyond which its challenges are refused.
    pub failures_per_hour: u32,
    /// `-acme-allowed-domains`: the identifiers orders may name (empty:
    /// whatever the profile allows).
    pub allowed: AllowedNames,
}

impl Default for AcmeOptions {
    fn default() -> Self {
        AcmeOptions {
            profile: String::new(),
            http01_port: 80,
            tlsalpn01_port: 443,
            directories: Vec::new(),
            dns_resolver: None,
            resolve: BTreeMap::new(),
            eab: EabKeys::default(),
            orders_per_hour: 300,
            failures_per_hour: 60,
            allowed: AllowedNames::default(),
        }
    }
}

/// Parses one `-acme-resolve` value, `NAME:IP` (IPv6 in brackets or bare).
pub fn parse_resolve(text: &str) -> Result<(String, IpAddr), String> {
    let (name, ip) = text
        .split_once(':')
        .ok_or_else(|| format!("-acme-resolve {text:?}: expected NAME:IP"))?;
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    let ip: IpAddr = ip
        .parse()
        .map_err(|_| format!("-acme-resolve {text:?}: {ip:?} is not an IP address"))?;
    if name.is_empty() {
        return Err(format!("-acme-resolve {text:?}: empty name"));
    }
    Ok((name.to_ascii_lowercase(), ip))
}

/// How long nonces, pending orders and authorizations live.
const NONCE_LIFETIME: i64 = 3600;
const ORDER_LIFETIME: i64 = 24 * 3600;
/// How long one request may take once its body is read.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Validations running at once; more wait for a slot.
const VALIDATIONS: usize = 64;

/// What the ACME handlers share.
pub struct Acme {
    pub app: Arc<AppState>,
    pub options: AcmeOptions,
    /// "https" behind `-tls-cert`, else "http" (URLs are absolute).
    pub scheme: &'static str,
    pub validations: Arc<tokio::sync::Semaphore>,
}

impl Acme {
    /// The ACME tables (the server refuses `-acme` without a database).
    fn store(&self) -> &dyn certkit_ops::store::acme::AcmeStore {
        self.app
            .db
            .as_ref()
            .and_then(|db| db.acme())
            .expect("-acme is refused at start-up without a database with ACME tables")
    }
}

/// Why `-acme` cannot start.
#[derive(Debug, thiserror::Error)]
pub enum AcmeStartError {
    #[error("-acme needs -db-config: accounts, orders and authorizations live in the certificate database")]
    NoDatabase,
    #[error("-acme needs -ca and -ca-key: this server must sign (not -remote)")]
    NoSigner,
    #[error("-acme-profile: {0}")]
    Profile(String),
    #[error("-acme-directories: {0}")]
    Directory(String),
}

/// The ACME routes, all under `/acme/`.
pub fn router(
    app: Arc<AppState>,
    options: AcmeOptions,
    tls: bool,
) -> Result<Router, AcmeStartError> {
    if app.db.as_ref().and_then(|db| db.acme()).is_none() {
        return Err(AcmeStartError::NoDatabase);
    }
    let signer = app.signer("").map_err(|_| AcmeStartError::NoSigner)?;
    signer.issuer().map_err(|_| AcmeStartError::NoSigner)?;
    signer
        .config
        .profile(&options.profile)
        .map_err(|e| AcmeStartError::Profile(e.to_string()))?;
    for name in &options.directories {
        if route::RESOURCES.contains(&name.as_str()) || name.is_empty() || name.contains('/') {
            return Err(AcmeStartError::Directory(format!(
                "{name:?} cannot name a directory (it is an ACME resource's path)"
            )));
        }
        signer
            .config
            .profile(name)
            .map_err(|e| AcmeStartError::Directory(e.to_string()))?;
    }
    let acme = Arc::new(Acme {
        app,
        options,
        scheme: if tls { "https" } else { "http" },
        validations: Arc::new(tokio::sync::Semaphore::new(VALIDATIONS)),
    });
    Ok(Router::new().route(
        "/acme/{*resource}",
        any(move |request: axum::extract::Request| route::handle(acme.clone(), request)),
    ))
}

/// Now, in unix seconds.
fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// RFC 3339 for the JSON objects.
fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// A fresh random identifier (ids, tokens, nonces): 16 bytes, base64url.
fn random_id() -> String {
    let mut bytes = [0u8; 16];
    // aws-lc-rs's system RNG fails only when the OS has none.
    aws_lc_rs::rand::fill(&mut bytes).expect("the system random number generator");
    jws::encode(&bytes)
}
