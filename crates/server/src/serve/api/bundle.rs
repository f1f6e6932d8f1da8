//! `bundle`: cfssl's bundle handler. `{"certificate"[, "private_key",
//! "flavor", "domain", "ip"]}` answers the JSON `certkit bundle` prints;
//! `domain` and `ip` beside a certificate are names the leaf must be
//! valid for. `{"domain"}` alone (cfssl dials the server) is refused: the
//! server does not dial out on a client's behalf, as for `certinfo`.

use super::{parse_json, Call};
use crate::serve::envelope::{success, ApiError};
use crate::serve::state::AppState;
use axum::response::Response;
use certkit_core::chain::bundle::{to_json, Flavor};
use rustls::pki_types::{CertificateDer, ServerName};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Debug, Default, Deserialize)]
struct BundleRequest {
    certificate: Option<String>,
    private_key: Option<String>,
    flavor: Option<String>,
    domain: Option<String>,
    ip: Option<String>,
}

pub async fn bundle(state: Arc<AppState>, call: Call) -> Result<Response, ApiError> {
    let request: BundleRequest = parse_json(&call.body, "Unable to parse bundle request")?;
    let bundler = state
        .bundler
        .as_ref()
        .ok_or_else(|| ApiError::internal("no bundler"))?;
    let Some(certificate) = &request.certificate else {
        return Err(ApiError::bad_request(if request.domain.is_some() {
            "bundle by domain is not supported by certkit serve: the server does not dial out on a client's behalf"
        } else {
            "no valid parameter sets found"
        }));
    };
    let flavor = flavor(request.flavor.as_deref())?;
    let key = request.private_key.as_deref().filter(|k| !k.is_empty());
    let bundle = bundler.bundle(certificate.as_bytes(), key.map(str::as_bytes), flavor)?;
    let leaf = bundle
        .chain
        .first()
        .ok_or_else(|| ApiError::internal("empty bundle"))?;
    for name in [&request.domain, &request.ip].into_iter().flatten() {
        if !name.is_empty() {
            check_name(&leaf.der, name)?;
        }
    }
    Ok(success(&to_json(&bundle), &[]))
}

/// cfssl's flavors; empty is ubiquitous. An unknown one is refused where
/// cfssl quietly bundles it as optimal.
fn flavor(name: Option<&str>) -> Result<Flavor, ApiError> {
    match name.unwrap_or("") {
        "" | "ubiquitous" => Ok(Flavor::Ubiquitous),
        "optimal" => Ok(Flavor::Optimal),
        "force" => Ok(Flavor::Force),
        other => Err(ApiError::bad_request(format!(
            "flavor {other:?}: expected ubiquitous, optimal or force"
        ))),
    }
}

/// cfssl's `VerifyHostname` on the leaf: a DNS name or IP address it must
/// be valid for, else cfssl's 1200.
fn check_name(leaf: &[u8], name: &str) -> Result<(), ApiError> {
    let refused = |why: String| ApiError {
        status: axum::http::StatusCode::BAD_REQUEST,
        code: certkit_core::chain::bundle::codes::VERIFY_FAILED,
        message: why,
    };
    let server_name = ServerName::try_from(name)
        .map_err(|_| refused(format!("x509: {name:?} is not a DNS name or IP address")))?;
    let der = CertificateDer::from(leaf);
    let cert = webpki::EndEntityCert::try_from(&der)
        .map_err(|e| refused(format!("x509: the certificate: {e}")))?;
    cert.verify_is_valid_for_subject_name(&server_name)
        .map_err(|_| refused(format!("x509: certificate is not valid for {name}")))
}
