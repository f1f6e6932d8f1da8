//! External Account Binding (RFC 8555 7.3.4): with `-acme-eab-keys`, a
//! new account must carry a JWS over its key, MACed with an HMAC key the
//! operator handed out under a key id. The keys never appear in logs or
//! answers.

use super::jws::{self, Jws};
use super::problem::Problem;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::collections::BTreeMap;
use std::path::Path;

/// The HMAC keys by key id (`Debug` prints the ids only).
#[derive(Clone, Default)]
pub struct EabKeys(BTreeMap<String, zeroize::Zeroizing<Vec<u8>>>);

impl std::fmt::Debug for EabKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

/// Why `-acme-eab-keys` cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum EabKeysError {
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
}

/// The shortest key accepted: an HMAC-SHA256 key's block of entropy.
const MIN_KEY_BYTES: usize = 32;

impl EabKeys {
    /// Reads a JSON object of key id to base64url HMAC key.
    pub fn load(path: &Path) -> Result<EabKeys, EabKeysError> {
        let file = path.display().to_string();
        let refuse = |reason: String| EabKeysError::File {
            file: file.clone(),
            reason,
        };
        let text = certkit_core::input::read_text(path).map_err(|e| refuse(e.to_string()))?;
        let map: BTreeMap<String, String> = serde_json::from_str(&text).map_err(|e| {
            refuse(format!(
                "expected {{\"KEY ID\": \"base64url HMAC key\"}}: {e}"
            ))
        })?;
        if map.is_empty() {
            return Err(refuse("no keys".into()));
        }
        let mut keys = BTreeMap::new();
        for (kid, key) in map {
            let bytes = URL_SAFE_NO_PAD
                .decode(key.trim_end_matches('='))
                .map_err(|_| refuse(format!("key {kid:?}: not base64url")))?;
            if bytes.len() < MIN_KEY_BYTES {
                return Err(refuse(format!(
                    "key {kid:?}: {} bytes; use {MIN_KEY_BYTES} random bytes or more",
                    bytes.len()
                )));
            }
            keys.insert(kid, zeroize::Zeroizing::new(bytes));
        }
        Ok(EabKeys(keys))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Checks a new account's `externalAccountBinding` for `account_key`
    /// sent to `url`; returns the key id it was bound with.
    pub fn check(
        &self,
        binding: &serde_json::Value,
        account_key: &jose_jwk::Jwk,
        url: &str,
    ) -> Result<String, Problem> {
        let body = serde_json::to_vec(binding).map_err(|e| Problem::malformed(e.to_string()))?;
        let inner = Jws::parse(&body)?;
        let kid = inner
            .header
            .kid
            .clone()
            .ok_or_else(|| Problem::malformed("externalAccountBinding has no kid"))?;
        if inner.header.nonce.is_some() || inner.header.jwk.is_some() {
            return Err(Problem::malformed(
                "externalAccountBinding has a nonce or jwk",
            ));
        }
        if inner.header.url.as_deref() != Some(url) {
            return Err(Problem::malformed(
                "externalAccountBinding url is not newAccount's",
            ));
        }
        let key = self
            .0
            .get(&kid)
            .ok_or_else(|| Problem::unauthorized("unknown external account key id"))?;
        inner.verify_hmac(key)?;
        let bound: jose_jwk::Jwk = serde_json::from_slice(&inner.payload)
            .map_err(|e| Problem::malformed(format!("externalAccountBinding payload: {e}")))?;
        if jws::thumbprint(&bound)? != jws::thumbprint(account_key)? {
            return Err(Problem::unauthorized(
                "externalAccountBinding is for another account key",
            ));
        }
        Ok(kid)
    }
}
