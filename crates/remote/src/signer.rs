//! The `-remote` signer, as cfssl's client and remote signer do it: the
//! profile's `remote` posts to `/sign`, its `auth_remote` to `/authsign`
//! with an HMAC token; `-remote` replaces every profile's address (and
//! alone means `/sign`).

use crate::client::{ClientTls, Remote};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use certkit_core::error::{Error, Result};
use certkit_core::policy::auth_key::AuthKey;
use certkit_core::policy::remote::ProfileRemote;
use certkit_core::policy::SigningConfig;
use certkit_ops::signer::{SignRequest, Signer};
use serde::Serialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// Where remote operations go and how they authenticate.
#[derive(Debug, Clone, Default)]
pub struct RemoteInputs<'a> {
    /// `-remote`: replaces the config's addresses.
    pub remote: Option<&'a str>,
    pub tls: ClientTls,
}

/// A remote cfssl server and the keys that make its tokens: a profile
/// with `auth_remote` signs at `/authsign` with its key, others at
/// `/sign`.
pub struct RemoteSigner {
    remote: Remote,
    /// Resolved `auth_remote` keys by profile name ("" for the default).
    keys: BTreeMap<String, AuthKey>,
    /// The profiles the config has, so an unknown name means the default.
    profiles: Vec<String>,
}

/// The profile's remote settings (the default profile's for an unknown
/// name, as cfssl's client).
fn settings<'c>(config: &'c SigningConfig, profile: &str) -> &'c ProfileRemote {
    let p = config.profiles.get(profile).unwrap_or(&config.default);
    &p.remote_settings
}

/// Whether a config's profile signs remotely (so `sign` and `gencert`
/// without `-remote` still go to a server).
pub fn profile_is_remote(config: &SigningConfig, profile: &str) -> bool {
    settings(config, profile).is_remote()
}

impl RemoteSigner {
    /// The server and key `profile` of `config` names (`inputs.remote`
    /// replacing the address).
    pub fn new(inputs: &RemoteInputs, config: &SigningConfig, profile: &str) -> Result<Self> {
        let settings = settings(config, profile);
        let (auth_remote, auth_key) = &settings.auth_remote;
        let named = if !auth_remote.is_empty() {
            auth_remote
        } else {
            &settings.remote
        };
        let address = match inputs.remote {
            Some(r) => r.to_string(),
            None => config.remotes.remotes.get(named).cloned().ok_or_else(|| {
                Error::Refused(
                    "no remote: use -remote HOST:PORT or a profile with remote or auth_remote"
                        .into(),
                )
            })?,
        };
        let mut keys = BTreeMap::new();
        if !auth_key.is_empty() {
            let name = if config.profiles.contains_key(profile) {
                profile
            } else {
                ""
            };
            keys.insert(name.to_string(), resolve(config, auth_key)?);
        }
        Ok(RemoteSigner {
            remote: Remote::new(&address, &inputs.tls)?,
            keys,
            profiles: config.profiles.keys().cloned().collect(),
        })
    }

    /// `serve -remote`'s signer: every profile of `config` signs at
    /// `remote` (cfssl's `-remote` makes every profile remote), each with
    /// its own `auth_remote` key, all resolved now so that a bad key stops
    /// the start.
    pub fn forwarding(remote: &str, tls: &ClientTls, config: &SigningConfig) -> Result<Self> {
        let mut keys = BTreeMap::new();
        let named = config.profiles.iter().map(|(n, p)| (n.as_str(), p));
        for (name, profile) in std::iter::once(("", &config.default)).chain(named) {
            let auth_key = &profile.remote_settings.auth_remote.1;
            if !auth_key.is_empty() {
                keys.insert(name.to_string(), resolve(config, auth_key)?);
            }
        }
        Ok(RemoteSigner {
            remote: Remote::new(remote, tls)?,
            keys,
            profiles: config.profiles.keys().cloned().collect(),
        })
    }

    /// The token key for a request's profile.
    fn key(&self, profile: &str) -> Option<&AuthKey> {
        if self.profiles.iter().any(|p| p == profile) {
            self.keys.get(profile)
        } else {
            self.keys.get("")
        }
    }
}

/// The `auth_keys` entry `name`, resolved.
fn resolve(config: &SigningConfig, name: &str) -> Result<AuthKey> {
    let written = config.remotes.auth_keys.get(name).ok_or_else(|| {
        Error::Policy(format!("auth_remote.auth_key {name:?} is not in auth_keys"))
    })?;
    AuthKey::resolve(&written.key, name).map_err(|e| Error::Policy(e.to_string()))
}

/// cfssl's `auth.AuthenticatedRequest`.
#[derive(Serialize)]
struct AuthenticatedRequest {
    timestamp: i64,
    token: String,
    request: String,
}

impl Signer for RemoteSigner {
    fn name(&self) -> &str {
        &self.remote.base
    }

    /// Posts to `/sign`, or to `/authsign` with a token.
    fn sign(&self, request: &SignRequest) -> Result<String> {
        let body = serde_json::to_vec(request).map_err(|e| Error::Encoding(e.to_string()))?;
        let result = match self.key(request.profile) {
            None => self.remote.post("sign", &body)?,
            Some(key) => {
                let outer = AuthenticatedRequest {
                    timestamp: time::OffsetDateTime::now_utc().unix_timestamp(),
                    token: STANDARD.encode(key.token(&body)),
                    request: STANDARD.encode(&body),
                };
                let outer =
                    serde_json::to_vec(&outer).map_err(|e| Error::Encoding(e.to_string()))?;
                self.remote.post("authsign", &outer)?
            }
        };
        result["certificate"]
            .as_str()
            .filter(|c| c.contains("BEGIN CERTIFICATE"))
            .map(str::to_string)
            .ok_or_else(|| {
                Error::Refused(format!(
                    "remote {}: the answer holds no certificate",
                    self.remote.base
                ))
            })
    }

    fn info(&self, label: &str, profile: &str) -> Result<Box<RawValue>> {
        let body = serde_json::json!({"label": label, "profile": profile});
        let result = self.remote.post("info", body.to_string().as_bytes())?;
        serde_json::value::to_raw_value(&result).map_err(|e| Error::Encoding(e.to_string()))
    }
}
