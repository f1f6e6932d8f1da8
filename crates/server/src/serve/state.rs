//! What the handlers share: the signers (one for `serve`, one per label
//! for `multirootca`), their configs and resolved auth keys, the
//! certificate database and the metrics.

use super::bundler::Bundler;
use super::envelope::ApiError;
use super::metrics::Metrics;
use certkit_core::issue::issuer::Issuer;
use certkit_core::policy::auth_key::{AuthKey, AuthKeyError};
use certkit_core::policy::{Profile, SigningConfig};
use certkit_core::revocation::ocsp::Responder;
use certkit_ops::signer::Signer as RemoteSigner;
use certkit_ops::store::CertStore;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where a signer's certificates come from.
pub enum Backend {
    /// This server's CA signs them.
    Local(Box<Issuer>),
    /// Another cfssl server does (`serve -remote`, cfssl's remote signer):
    /// requests are forwarded, with the profile's `auth_remote` token.
    Remote(Arc<dyn RemoteSigner>),
}

/// Why a signer's config cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    #[error("auth key {name:?}: unknown type {kind:?} (expected \"standard\")")]
    KeyType { name: String, kind: String },
    #[error(transparent)]
    Key(#[from] AuthKeyError),
}

/// A CA that signs: its issuer (or remote), signing config and HMAC keys.
pub struct Signer {
    pub label: String,
    pub backend: Backend,
    pub config: SigningConfig,
    /// The config's `auth_keys`, resolved (hex, env:, file:).
    pub keys: BTreeMap<String, AuthKey>,
    /// The CA certificate as PEM, for `info`.
    pub ca_pem: String,
    /// multirootca's `nets`: clients allowed (empty: all).
    pub nets: Vec<ipnet::IpNet>,
}

impl Signer {
    /// Builds a signer, resolving every auth key the config names so a
    /// bad key fails at start-up, not at the first request.
    pub fn new(
        label: &str,
        backend: Backend,
        config: SigningConfig,
        ca_pem: String,
    ) -> Result<Signer, SignerError> {
        let mut keys = BTreeMap::new();
        for (name, key) in &config.remotes.auth_keys {
            if key.kind != "standard" {
                return Err(SignerError::KeyType {
                    name: name.clone(),
                    kind: key.kind.clone(),
                });
            }
            let resolved = AuthKey::resolve(&key.key, name)?;
            // Warned about, not refused: cfssl takes keys of any length and
            // a server that stopped starting after an upgrade would be worse.
            if resolved.is_short() {
                log::warn!(
                        "{}auth key {name:?} is {} bytes: a key under {} bytes can be guessed from one token; use {} random bytes or more",
                        if label.is_empty() { String::new() } else { format!("[{label}] ") },
                        resolved.byte_len(),
                        certkit_core::policy::auth_key::MIN_KEY_BYTES,
                        certkit_core::policy::auth_key::MIN_KEY_BYTES,
                );
            }
            keys.insert(name.clone(), resolved);
        }
        Ok(Signer {
            label: label.to_string(),
            backend,
            config,
            keys,
            ca_pem,
            nets: Vec::new(),
        })
    }

    /// The CA that signs here; a front end (`-remote`) has none.
    pub fn issuer(&self) -> Result<&Issuer, ApiError> {
        match &self.backend {
            Backend::Local(issuer) => Ok(issuer),
            Backend::Remote(_) => Err(ApiError::bad_request(
                "this server forwards signing (-remote) and has no CA key",
            )),
        }
    }

    /// Every profile, the default included.
    pub fn profiles(&self) -> impl Iterator<Item = &Profile> {
        std::iter::once(&self.config.default).chain(self.config.profiles.values())
    }

    /// The named profile (empty: the default). An unknown name is a 400,
    /// where cfssl silently signs under the default.
    /// The client is told only that the name is unknown: the list of
    /// profiles (auth-only ones included) stays in the server's log.
    pub fn profile(&self, name: &str) -> Result<&Profile, ApiError> {
        self.config.profile(name).map_err(|e| {
            log::info!("{e}");
            ApiError {
                status: axum::http::StatusCode::BAD_REQUEST,
                code: 5400,
                message: "unknown profile".into(),
            }
        })
    }

    /// The profile's current and previous HMAC keys.
    pub fn profile_keys(&self, profile: &Profile) -> Vec<&AuthKey> {
        [&profile.auth_key, &profile.remote_settings.prev_auth_key]
            .into_iter()
            .filter(|name| !name.is_empty())
            .filter_map(|name| self.keys.get(name.as_str()))
            .collect()
    }
}

/// `-admin-cn` and `-admin-endpoints`: endpoints that change or attest
/// state answer only clients whose verified certificate's CN matches.
#[derive(Debug, Clone)]
pub struct Admin {
    /// Anchored: matches whole CNs.
    pub cn: regex::Regex,
    pub endpoints: Vec<String>,
}

impl Admin {
    /// Whether a request to `endpoint` from a client with `cn` may go on.
    pub fn allows(&self, endpoint: &str, cn: Option<&str>) -> bool {
        !self.endpoints.iter().any(|e| e == endpoint) || cn.is_some_and(|cn| self.cn.is_match(cn))
    }
}

/// Which server's rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Personality {
    Serve,
    MultiRootCa,
}

/// The state every request sees.
pub struct AppState {
    pub personality: Personality,
    pub signers: BTreeMap<String, Arc<Signer>>,
    /// The label an empty `label` means.
    pub default_label: String,
    pub db: Option<Arc<dyn CertStore>>,
    /// `serve`'s bundler (none for multirootca).
    pub bundler: Option<Bundler>,
    /// `ocspsign`'s signer (`-responder`, `-responder-key`); none: no endpoint.
    pub ocsp: Option<Responder>,
    /// How long `ocspsign`'s responses are valid (the config's `ocsp`
    /// section's Interval, else cfssl's 96h).
    pub ocsp_interval: std::time::Duration,
    pub metrics: Metrics,
    pub body_limit: usize,
    /// `-admin-cn`: the endpoints that need an administrator's client
    /// certificate; none: every endpoint is open, as in cfssl.
    pub admin: Option<Admin>,
    /// The longest validity `GET crl?expiry=` may ask for (`-max-crl-expiry`).
    pub max_crl_expiry: std::time::Duration,
    /// Where key generation and signing run (bounded, off the async workers).
    pub cpu: crate::work::CpuPool,
}

impl AppState {
    /// The signer a request's `label` chooses (empty: the default). `serve`
    /// has one signer and ignores the label, as cfssl does.
    pub fn signer(&self, label: &str) -> Result<&Arc<Signer>, ApiError> {
        if self.personality == Personality::Serve || label.is_empty() {
            return self
                .signers
                .get(&self.default_label)
                .ok_or_else(|| ApiError::bad_request("bad request"));
        }
        self.signers
            .get(label)
            .ok_or_else(|| ApiError::bad_request("bad request"))
    }

    /// Whether some profile of some signer signs without a token (`/sign`
    /// exists) or with one (`/authsign` exists).
    pub fn has_profiles(&self, authenticated: bool) -> bool {
        self.signers
            .values()
            .flat_map(|s| s.profiles())
            .any(|p| p.auth_key.is_empty() != authenticated)
    }
}
