//! `info`: the CA certificate and a profile's usages and expiry.

use super::{forward, parse_json, Call};
use crate::serve::envelope::{success, ApiError};
use crate::serve::state::{AppState, Backend};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Default, Deserialize)]
struct InfoRequest {
    label: Option<String>,
    profile: Option<String>,
}

/// cfssl's `info.Resp`, in its field order.
#[derive(Debug, Serialize)]
struct InfoResponse<'a> {
    certificate: &'a str,
    usages: &'a [String],
    expiry: String,
}

pub async fn info(state: Arc<AppState>, call: Call) -> Result<Response, ApiError> {
    let request: InfoRequest = if call.body.iter().all(u8::is_ascii_whitespace) {
        InfoRequest::default()
    } else {
        parse_json(&call.body, "Unable to parse info request")?
    };
    let signer = state.signer(request.label.as_deref().unwrap_or(""))?;
    let profile = signer.profile(request.profile.as_deref().unwrap_or(""))?;
    if let Backend::Remote(remote) = &signer.backend {
        // cfssl's remote signer asks the remote, with the request's names.
        let answer = forward::info(
            remote,
            request.label.unwrap_or_default(),
            request.profile.unwrap_or_default(),
        )
        .await?;
        return Ok(success(&answer, &[]));
    }
    Ok(success(
        &InfoResponse {
            certificate: &signer.ca_pem,
            usages: &profile.usage_words,
            expiry: go_duration(profile.expiry),
        },
        &[],
    ))
}

/// A duration as cfssl configs write it: whole hours as `720h`, else
/// Go's `1h2m3s` form.
pub fn go_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (m, s) {
        (0, 0) => format!("{h}h"),
        _ if h == 0 && s == 0 => format!("{m}m"),
        _ if h == 0 && m == 0 => format!("{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(go_duration(Duration::from_secs(8760 * 3600)), "8760h");
        assert_eq!(go_duration(Duration::from_secs(90)), "0h1m30s");
        assert_eq!(go_duration(Duration::from_secs(300)), "5m");
    }
}
