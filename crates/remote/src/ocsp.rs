//! The HTTP half of `verify --ocsp`: one POST of a DER OCSPRequest to a
//! responder (RFC 6960 A.1), bounded in time and size, through the same
//! blocking client stack as `-remote`. OCSP needs no TLS (responses are
//! signed), but an https:// responder is asked over TLS with the system
//! roots.

use certkit_core::error::{Error, Result};
use std::time::Duration;

/// Responses are a few kilobytes; a responder sending more is refused.
const MAX_RESPONSE: u64 = 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(10);

/// POSTs `request` to `url` and returns the response body.
pub fn post(url: &str, request: &[u8]) -> Result<Vec<u8>> {
    let refused = |msg: String| Error::Refused(format!("OCSP responder {url}: {msg}"));
    if !url.starts_with("http://") && !url.starts_with("https://") {
        return Err(refused(
            "only http:// and https:// responders are supported".into(),
        ));
    }
    let mut config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(TIMEOUT))
        .user_agent("certkit");
    if url.starts_with("https://") {
        config = config.tls_config(crate::client::tls_config(&Default::default())?);
    }
    let agent = config.build().new_agent();
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/ocsp-request")
        .send(request)
        .map_err(|e| match e {
            ureq::Error::Timeout(_) => refused(format!("no answer within {}s", TIMEOUT.as_secs())),
            other => refused(other.to_string()),
        })?;
    let status = response.status();
    if !status.is_success() {
        return Err(refused(format!("HTTP {status}")));
    }
    response
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE)
        .read_to_vec()
        .map_err(|e| refused(e.to_string()))
}
