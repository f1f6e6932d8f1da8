//! cfssl's `standard` authentication: HMAC-SHA-256 of the exact request
//! bytes with a hex key (written as hex, `env:VAR` or `file:PATH`),
//! compared in constant time. Tokens travel base64-encoded.

use aws_lc_rs::hmac;
use zeroize::Zeroizing;

/// An `auth_keys` entry that cannot be used; the key itself is never shown.
#[derive(Debug, thiserror::Error)]
#[error("auth key {name:?}: {problem}")]
pub struct AuthKeyError {
    pub name: String,
    pub problem: KeyProblem,
}

/// What is wrong with an `auth_keys` entry.
#[derive(Debug, thiserror::Error)]
pub enum KeyProblem {
    #[error("environment variable {0} is not set")]
    EnvUnset(String),
    #[error("{0}")]
    File(Box<crate::Error>),
    #[error("unknown key prefix {0:?}")]
    UnknownPrefix(String),
    #[error("the key is not hex")]
    NotHex,
    #[error("the key is empty")]
    Empty,
}

/// A resolved HMAC key.
pub struct AuthKey {
    key: hmac::Key,
    /// The key's length in bytes (not the key), for the short-key warning.
    len: usize,
}

/// Below this many bytes an HMAC key can be found by trying keys against
/// one token (a 1-byte key fell on the 157th try); cfssl's own examples
/// use 16.
pub const MIN_KEY_BYTES: usize = 16;

impl std::fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthKey(..)")
    }
}

impl AuthKey {
    /// Resolves a key as written in `auth_keys` (hex, `env:VAR`, `file:PATH`).
    pub fn resolve(written: &str, name: &str) -> Result<AuthKey, AuthKeyError> {
        let fail = |problem| AuthKeyError {
            name: name.to_string(),
            problem,
        };
        let text: Zeroizing<String> = Zeroizing::new(match written.split_once(':') {
            Some(("env", var)) => {
                std::env::var(var).map_err(|_| fail(KeyProblem::EnvUnset(var.to_string())))?
            }
            Some(("file", path)) => crate::input::read_text(path)
                .map_err(|e| fail(KeyProblem::File(Box::new(e))))?
                .trim()
                .to_string(),
            Some((prefix, _)) => return Err(fail(KeyProblem::UnknownPrefix(prefix.to_string()))),
            None => written.to_string(),
        });
        let bytes = Zeroizing::new(hex::decode(text.trim()).map_err(|_| fail(KeyProblem::NotHex))?);
        if bytes.is_empty() {
            return Err(fail(KeyProblem::Empty));
        }
        Ok(AuthKey {
            key: hmac::Key::new(hmac::HMAC_SHA256, &bytes),
            len: bytes.len(),
        })
    }

    /// Whether the key is shorter than [`MIN_KEY_BYTES`].
    pub fn is_short(&self) -> bool {
        self.len < MIN_KEY_BYTES
    }

    /// The key's length in bytes.
    pub fn byte_len(&self) -> usize {
        self.len
    }

    /// The token for `request` (cfssl's `Token(req)`; no additional data).
    pub fn token(&self, request: &[u8]) -> Vec<u8> {
        hmac::sign(&self.key, request).as_ref().to_vec()
    }

    /// Whether `token` is this key's HMAC of `request`, in constant time.
    pub fn verify(&self, request: &[u8], token: &[u8]) -> bool {
        hmac::verify(&self.key, request, token).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    /// The contract's test vector (cfssl 1.2.0 and main made the same).
    #[test]
    fn contract_vector() {
        let key = AuthKey::resolve("0123456789abcdef0123456789abcdef", "key1").unwrap();
        let request = b"{\"certificate_request\":\"-----BEGIN CERTIFICATE REQUEST-----\\nMIIB\\n-----END CERTIFICATE REQUEST-----\\n\",\"profile\":\"authed\"}";
        let token = key.token(request);
        assert_eq!(
            hex::encode(&token),
            "c737588a298f7c0b26cb2c9f83d75be4422cc7bfaaf4f0a89f90caca9b13163c"
        );
        assert_eq!(
            base64::engine::general_purpose::STANDARD.encode(&token),
            "xzdYiimPfAsmyyyfg9db5EIsx7+q9PCon5DKypsTFjw="
        );
        assert!(key.verify(request, &token));
        assert!(!key.verify(request, &token[..31]));
        assert!(!key.verify(b"other", &token));
        let hex_token = hex::encode(&token);
        assert!(!key.verify(request, hex_token.as_bytes()));
    }

    #[test]
    fn key_forms() {
        std::env::set_var("CERTKIT_TEST_AUTH_KEY", "00ff");
        assert!(AuthKey::resolve("env:CERTKIT_TEST_AUTH_KEY", "k").is_ok());
        assert!(AuthKey::resolve("env:CERTKIT_SURELY_UNSET", "k").is_err());
        assert!(AuthKey::resolve("xyz", "k")
            .unwrap_err()
            .to_string()
            .contains("not hex"));
        assert!(AuthKey::resolve("nope:x", "k").is_err());
    }
}
