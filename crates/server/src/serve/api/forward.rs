//! `serve -remote`: signing forwarded to another cfssl server, as cfssl's
//! remote signer does it. The request goes to the remote's `/sign`, or to
//! its `/authsign` with a token when the profile has `auth_remote`; the
//! client is the `-remote` client of `sign`/`gencert`/`info` (blocking,
//! so it runs off the async workers).

use crate::client::ops::{post_sign, SignRequest};
use crate::client::Remote;
use crate::serve::envelope::ApiError;
use crate::serve::state::Signer;
use certkit_core::policy::Profile;
use serde_json::Value;
use std::sync::Arc;

/// What a front end forwards of a sign request.
pub struct Forwarded {
    pub csr: String,
    pub hosts: Option<Vec<String>>,
    pub subject: Option<Value>,
    /// As the client named it (empty: the default).
    pub profile: String,
    pub label: String,
}

/// The certificate (PEM) the remote signed under `profile`.
pub async fn sign(
    remote: &Arc<Remote>,
    signer: &Arc<Signer>,
    profile: &Profile,
    request: Forwarded,
) -> Result<String, ApiError> {
    let (remote, signer) = (remote.clone(), signer.clone());
    let key_name = profile.remote_settings.auth_remote.1.clone();
    let profile_name = profile.name.clone();
    tokio::task::spawn_blocking(move || {
        let key = match key_name.as_str() {
            "" => None,
            name => Some(signer.keys.get(name).ok_or_else(|| {
                ApiError::internal(format!(
                    "profile {profile_name:?}: auth_remote key {name:?} is not in auth_keys"
                ))
            })?),
        };
        let body = SignRequest {
            hosts: request.hosts,
            certificate_request: &request.csr,
            subject: request.subject,
            profile: &request.profile,
            crl_override: "",
            label: &request.label,
        };
        post_sign(&remote, key, &body).map_err(remote_failure)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
}

/// The remote's `info` answer to `body`.
pub async fn info(remote: &Arc<Remote>, body: Vec<u8>) -> Result<Value, ApiError> {
    let remote = remote.clone();
    tokio::task::spawn_blocking(move || remote.post("info", &body).map_err(remote_failure))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
}

/// A remote that refused or could not be reached: cfssl's front end
/// answers 400 with its API client's code, the remote's words inside.
fn remote_failure(e: certkit_core::error::Error) -> ApiError {
    let message = match e {
        certkit_core::error::Error::Refused(message) => message,
        other => other.to_string(),
    };
    ApiError {
        code: REMOTE_FAILED,
        ..ApiError::bad_request(message)
    }
}

/// cfssl's `APIClientError` + `ClientHTTPError`.
const REMOTE_FAILED: u32 = 7400;
