//! `serve -remote`: signing forwarded to another cfssl server, as cfssl's
//! remote signer does it, through the `-remote` signer the CLI connected
//! (`certkit_ops::signer::Signer`; blocking, so it runs off the async
//! workers). The profile's `auth_remote` key makes the token.

use crate::serve::envelope::ApiError;
use certkit_ops::signer::{SignRequest, Signer};
use serde_json::value::RawValue;
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

/// The certificate (PEM) the remote signed.
pub async fn sign(remote: &Arc<dyn Signer>, request: Forwarded) -> Result<String, ApiError> {
    let remote = remote.clone();
    tokio::task::spawn_blocking(move || {
        remote
            .sign(&SignRequest {
                hosts: request.hosts,
                certificate_request: &request.csr,
                subject: request.subject,
                profile: &request.profile,
                crl_override: "",
                label: &request.label,
            })
            .map_err(remote_failure)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
}

/// The remote's `info` answer for a label and profile.
pub async fn info(
    remote: &Arc<dyn Signer>,
    label: String,
    profile: String,
) -> Result<Box<RawValue>, ApiError> {
    let remote = remote.clone();
    tokio::task::spawn_blocking(move || remote.info(&label, &profile).map_err(remote_failure))
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
