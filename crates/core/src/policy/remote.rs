//! Remote signing settings of a config (`auth_keys`, `remotes`, and a
//! profile's `remote`, `auth_key`, `auth_remote`): parsed and checked as
//! cfssl checks them at load, kept for a future remote signer.

use crate::error::{Error, Result};
use crate::input::json_fields::{kind, Fields};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// An `auth_keys` entry: an HMAC-SHA-256 key ("standard" is the only type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthKey {
    pub kind: String,
    /// The key as written: hex, `env:NAME` or `file:PATH`.
    pub key: String,
}

/// The config's `auth_keys` and `remotes` sections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteSettings {
    pub auth_keys: BTreeMap<String, AuthKey>,
    pub remotes: BTreeMap<String, String>,
}

/// A profile's remote settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileRemote {
    pub remote: String,
    pub auth_key: String,
    pub prev_auth_key: String,
    /// `auth_remote`: {remote, auth_key}.
    pub auth_remote: (String, String),
}

impl ProfileRemote {
    /// Whether the profile signs remotely (and so needs no local usages).
    pub fn is_remote(&self) -> bool {
        !self.remote.is_empty() || !self.auth_remote.0.is_empty()
    }
}

impl RemoteSettings {
    /// Parses the top-level `auth_keys` and `remotes` objects.
    pub fn parse(
        auth_keys: Option<&Value>,
        remotes: Option<&Value>,
        warnings: &mut Vec<String>,
    ) -> Result<Self> {
        let mut out = RemoteSettings::default();
        for (name, v) in &object(auth_keys, "auth_keys")? {
            let Value::Object(o) = v else {
                return Err(Error::Policy(format!(
                    "auth_keys.{name}: expected an object, found {}",
                    kind(v)
                )));
            };
            let f = Fields::new(
                o,
                &format!("auth_keys.{name}."),
                &["type", "key"],
                warnings,
                Error::Policy,
            );
            out.auth_keys.insert(
                name.clone(),
                AuthKey {
                    kind: f.string("type")?,
                    key: f.string("key")?,
                },
            );
        }
        for (name, v) in &object(remotes, "remotes")? {
            let Value::String(addr) = v else {
                return Err(Error::Policy(format!(
                    "remotes.{name}: expected a string, found {}",
                    kind(v)
                )));
            };
            out.remotes.insert(name.clone(), addr.clone());
        }
        Ok(out)
    }

    /// Checks a profile's remote settings as cfssl's `populate` and
    /// `validProfile` do: named remotes and keys exist, keys are usable.
    pub fn check(&self, p: &ProfileRemote, ctx: &str) -> Result<()> {
        let fail = |msg: String| Err(Error::Policy(format!("{ctx}{msg}")));
        let (ar_remote, ar_key) = &p.auth_remote;
        if ar_remote.is_empty() && !ar_key.is_empty() {
            return fail("auth_remote.auth_key is set but auth_remote.remote is not".into());
        }
        if !p.remote.is_empty() && !ar_remote.is_empty() {
            return fail("both remote and auth_remote.remote are set".into());
        }
        for remote in [&p.remote, ar_remote] {
            if !remote.is_empty() && self.remotes.get(remote).is_none_or(|a| a.is_empty()) {
                return fail(format!("remote {remote:?} is not in the remotes section"));
            }
        }
        if !ar_remote.is_empty() && ar_key.is_empty() {
            return fail("auth_remote needs an auth_key".into());
        }
        for (field, name) in [
            ("auth_key", &p.auth_key),
            ("prev_auth_key", &p.prev_auth_key),
            ("auth_remote.auth_key", ar_key),
        ] {
            if !name.is_empty() {
                self.check_key(name)
                    .map_err(|why| Error::Policy(format!("{ctx}{field} {name:?}: {why}")))?;
            }
        }
        Ok(())
    }

    fn check_key(&self, name: &str) -> std::result::Result<(), AuthKeyError> {
        let key = self.auth_keys.get(name).ok_or(AuthKeyError::NotFound)?;
        if key.kind != "standard" {
            return Err(AuthKeyError::UnknownType(key.kind.clone()));
        }
        let hex = resolve_key(&key.key)?;
        if hex.is_empty() || hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AuthKeyError::NotHex);
        }
        Ok(())
    }
}

/// What is wrong with an auth key a profile names; the caller names the
/// field and the key.
#[derive(Debug, thiserror::Error)]
enum AuthKeyError {
    #[error("not found in the auth_keys section")]
    NotFound,
    #[error("unknown authentication type {0:?} (expected \"standard\")")]
    UnknownType(String),
    #[error("environment variable {0} is not set")]
    EnvNotSet(String),
    /// A `file:` key that cannot be read.
    #[error("{0}")]
    File(Box<Error>),
    #[error("unknown key prefix {0:?}")]
    UnknownPrefix(String),
    #[error("the key is not a hex-encoded HMAC key")]
    NotHex,
}

/// The key text behind `env:NAME` or `file:PATH`, as cfssl resolves it.
fn resolve_key(key: &str) -> std::result::Result<String, AuthKeyError> {
    match key.split_once(':') {
        Some(("env", var)) => {
            std::env::var(var).map_err(|_| AuthKeyError::EnvNotSet(var.to_string()))
        }
        Some(("file", path)) => crate::input::read_text(path)
            .map(|t| t.trim().to_string())
            .map_err(|e| AuthKeyError::File(Box::new(e))),
        Some((prefix, _)) => Err(AuthKeyError::UnknownPrefix(prefix.to_string())),
        None => Ok(key.to_string()),
    }
}

fn object(v: Option<&Value>, what: &str) -> Result<Map<String, Value>> {
    match v {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(o)) => Ok(o.clone()),
        Some(other) => Err(Error::Policy(format!(
            "{what}: expected an object, found {}",
            kind(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings() -> RemoteSettings {
        let keys = json!({"k": {"type": "standard", "key": "0123456789ABCDEF"}, "bad": {"type": "standard", "key": "BAD_KEY"}, "odd": {"type": "stadardo", "key": "00"}});
        let remotes = json!({"localhost": "127.0.0.1:8888"});
        RemoteSettings::parse(Some(&keys), Some(&remotes), &mut Vec::new()).unwrap()
    }

    fn remote(remote: &str, auth_key: &str) -> ProfileRemote {
        ProfileRemote {
            remote: remote.into(),
            auth_key: auth_key.into(),
            ..Default::default()
        }
    }

    #[test]
    fn accepts_known_remote_and_key() {
        assert!(settings().check(&remote("localhost", "k"), "").is_ok());
        assert!(settings().check(&remote("", ""), "").is_ok());
    }

    #[test]
    fn refuses_what_cfssl_refuses() {
        for (p, needle) in [
            (remote("localhoster", "k"), "remote \"localhoster\""),
            (remote("localhost", "missing"), "not found"),
            (remote("localhost", "bad"), "hex"),
            (remote("localhost", "odd"), "unknown authentication type"),
            (
                ProfileRemote {
                    auth_remote: (String::new(), "k".into()),
                    ..Default::default()
                },
                "auth_remote.remote",
            ),
            (
                ProfileRemote {
                    auth_remote: ("localhost".into(), String::new()),
                    ..Default::default()
                },
                "needs an auth_key",
            ),
        ] {
            let e = settings()
                .check(&p, "profile \"CA\": ")
                .unwrap_err()
                .to_string();
            assert!(e.contains(needle), "{e}");
        }
    }

    #[test]
    fn key_prefixes_resolve() {
        assert!(resolve_key("nope:x").is_err());
        assert!(resolve_key("env:CERTKIT_SURELY_UNSET_VARIABLE").is_err());
        assert_eq!(resolve_key("abcd").unwrap(), "abcd");
    }
}
