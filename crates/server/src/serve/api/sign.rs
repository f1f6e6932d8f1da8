//! `sign` and `authsign`: a PEM CSR signed under a profile, through
//! `certkit_core::ops::sign::sign_csr` (the CLI's path), and recorded in
//! the certificate database before the answer is sent; a `-remote` front
//! end forwards them instead (`forward`).

use super::{forward, parse_json, Call};
use crate::serve::envelope::{success, ApiError, Message};
use crate::serve::state::{AppState, Backend, Personality, Signer};
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use certkit_core::chain::bundle::{to_json, Flavor};
use certkit_core::issue::issuer::Issued;
use certkit_core::policy::Profile;
use certkit_core::report::Report;
use certkit_core::request::Request;
use certkit_ops::load::split_hosts;
use certkit_ops::sign::{sign_csr, CsrRequest};
use certkit_ops::store::{CertificateRecord, StoreError};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// cfssl's `jsonSignRequest`; unknown keys are ignored, null is empty.
#[derive(Debug, Default, Deserialize)]
pub struct SignRequest {
    pub hosts: Option<Vec<String>>,
    pub hostname: Option<String>,
    pub certificate_request: Option<String>,
    pub subject: Option<Value>,
    pub profile: Option<String>,
    pub label: Option<String>,
    #[serde(default)]
    pub bundle: Option<bool>,
    /// cfssl's `signer.Extension`s: admitted when the profile's
    /// `allowed_extensions` lists each OID.
    pub extensions: Option<Vec<ApiExtension>>,
}

/// One extension of a signing request: a dotted OID, whether it is
/// critical, the DER value in hex.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApiExtension {
    pub id: String,
    pub critical: bool,
    pub value: String,
}

/// How many serials to draw before giving up on database conflicts.
const SERIAL_ATTEMPTS: usize = 5;

const NO_BUNDLER: &str =
    "This request requires a bundler, but one is not initialized for the API server.";

pub async fn sign(state: Arc<AppState>, call: Call) -> Result<Response, ApiError> {
    let request: SignRequest = parse_json(&call.body, "Unable to parse sign request")?;
    let signer = state
        .signer(request.label.as_deref().unwrap_or(""))?
        .clone();
    let profile = signer.profile(request.profile.as_deref().unwrap_or(""))?;
    if !profile.auth_key.is_empty() {
        return Err(ApiError::bad_request("authentication required"));
    }
    sign_request(&state, &signer, profile, &request).await
}

/// cfssl's `auth.AuthenticatedRequest`: base64 `token` and `request`.
#[derive(Debug, Deserialize)]
struct AuthenticatedRequest {
    token: Option<String>,
    request: Option<String>,
}

pub async fn authsign(state: Arc<AppState>, call: Call) -> Result<Response, ApiError> {
    let multiroot = state.personality == Personality::MultiRootCa;
    let outer: AuthenticatedRequest =
        serde_json::from_slice(&call.body).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let token = match outer
        .token
        .as_deref()
        .map(|t| STANDARD.decode(t))
        .transpose()
    {
        Ok(t) => t.unwrap_or_default(),
        Err(e) => return Err(ApiError::bad_request(format!("token: {e}"))),
    };
    let inner_bytes = STANDARD
        .decode(outer.request.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::bad_request(format!("request: {e}")))?;
    let request: SignRequest =
        parse_json(&inner_bytes, "Unable to parse authenticated sign request")?;
    let signer = state
        .signer(request.label.as_deref().unwrap_or(""))?
        .clone();
    if multiroot && !signer.nets.is_empty() {
        let allowed = call
            .peer
            .is_some_and(|p| signer.nets.iter().any(|n| n.contains(&p.ip())));
        if !allowed {
            return Err(ApiError {
                status: axum::http::StatusCode::FORBIDDEN,
                code: 403,
                message: "not authorised".into(),
            });
        }
    }
    let profile = signer.profile(request.profile.as_deref().unwrap_or(""))?;
    let keys = signer.profile_keys(profile);
    if keys.is_empty() {
        return Err(if multiroot {
            ApiError {
                status: axum::http::StatusCode::UNAUTHORIZED,
                code: 401,
                message: "authorisation required".into(),
            }
        } else {
            ApiError::bad_request("no authentication provider")
        });
    }
    if !keys.iter().any(|k| k.verify(&inner_bytes, &token)) {
        return Err(ApiError::bad_request("invalid token"));
    }
    sign_request(&state, &signer, profile, &request).await
}

/// Signs a parsed request and answers `{"certificate": PEM}`.
async fn sign_request(
    state: &AppState,
    signer: &Arc<Signer>,
    profile: &Profile,
    request: &SignRequest,
) -> Result<Response, ApiError> {
    let csr = request
        .certificate_request
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ApiError::bad_request("missing parameter 'certificate_request'"))?;
    let hosts = match request.hostname.as_deref().filter(|h| !h.is_empty()) {
        Some(hostname) => Some(split_hosts(hostname)),
        None => request.hosts.clone(),
    };
    let label = request.label.as_deref().unwrap_or("");
    if let Backend::Remote(remote) = &signer.backend {
        if request.extensions.as_ref().is_some_and(|e| !e.is_empty()) {
            return Err(ApiError::bad_request(
                "extensions: not forwarded to the remote signer; send them to it directly",
            ));
        }
        let cert_pem = forward::sign(
            remote,
            forward::Forwarded {
                csr: csr.to_string(),
                hosts,
                subject: request.subject.clone().filter(|s| !s.is_null()),
                profile: request.profile.clone().unwrap_or_default(),
                label: label.to_string(),
            },
        )
        .await?;
        let mut result = json!({ "certificate": cert_pem });
        let messages = add_bundle(state, &mut result, &cert_pem, request.bundle == Some(true))?;
        return Ok(success(&result, &messages));
    }
    let subject = match &request.subject {
        None | Some(Value::Null) => None,
        Some(value) => Some(subject_request(value)?),
    };
    let asked: Vec<(String, bool, String)> = request
        .extensions
        .iter()
        .flatten()
        .map(|e| (e.id.clone(), e.critical, e.value.clone()))
        .collect();
    let extensions =
        certkit_core::issue::extensions::request_extensions(&asked, &profile.allowed_extensions)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let issued = issue(
        state,
        signer,
        profile,
        &CsrRequest {
            csr: csr.as_bytes(),
            source: "certificate_request",
            allow_sha1: false,
            hosts: hosts.as_deref(),
            subject: subject.as_ref().map(|s| (s, "subject")),
            extensions: &extensions,
        },
        label,
    )
    .await?;
    let mut result = json!({ "certificate": issued.cert_pem });
    let messages = add_bundle(
        state,
        &mut result,
        &issued.cert_pem,
        request.bundle == Some(true),
    )?;
    Ok(success(&result, &messages))
}

/// `"bundle": true` as cfssl main answers it: with a bundler (both
/// `-ca-bundle` and `-int-bundle`), the result gains `bundle`, the
/// optimal chain of the new certificate (a certificate that chains to no
/// root fails the request, as in cfssl); without one, a 5300 message.
pub fn add_bundle(
    state: &AppState,
    result: &mut Value,
    cert_pem: &str,
    asked: bool,
) -> Result<Vec<Message>, ApiError> {
    if !asked {
        return Ok(Vec::new());
    }
    match state.bundler.as_ref().filter(|b| b.for_signing) {
        Some(bundler) => {
            let bundle = bundler.bundle(cert_pem.as_bytes(), None, Flavor::Optimal)?;
            result["bundle"] = to_json(&bundle);
            Ok(Vec::new())
        }
        None => Ok(vec![Message {
            code: 5300,
            message: NO_BUNDLER.into(),
        }]),
    }
}

/// A request's `subject` object (cfssl's `signer.Subject`) read as a
/// SUBJECT request.
fn subject_request(value: &Value) -> Result<Request, ApiError> {
    let bytes = serde_json::to_vec(value).map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(Request::from_json(&bytes, "subject")?.request)
}

/// Signs through the CLI's path and records the certificate before
/// returning; a serial another replica already recorded is drawn again.
pub async fn issue(
    state: &AppState,
    signer: &Signer,
    profile: &Profile,
    request: &CsrRequest<'_>,
    label: &str,
) -> Result<Issued, ApiError> {
    for _ in 0..SERIAL_ATTEMPTS {
        let mut report = Report::default();
        let issuer = signer.issuer()?;
        let (issued, _) = state
            .cpu
            .run(|| sign_csr(issuer, profile, request, &mut report))
            .await?;
        if let Some(db) = &state.db {
            let mut record =
                CertificateRecord::issued(&issued.cert_der, label, time::OffsetDateTime::now_utc())
                    .map_err(|e| ApiError::internal(e.to_string()))?;
            // The profile it was issued under, for the web page's search
            // (cfssl records the request's `metadata` here, null without).
            record.metadata = Some(json!({ "profile": profile.name }).to_string());
            match db.insert_certificate(&record).await {
                Ok(()) => {}
                Err(StoreError::Duplicate { .. }) => continue,
                Err(e) => {
                    return Err(ApiError::internal(format!(
                        "failed to record the certificate: {e}"
                    )))
                }
            }
        }
        state.metrics.issued(&signer.label, &profile.name);
        return Ok(issued);
    }
    Err(ApiError::internal(
        "failed to record the certificate: serial numbers kept colliding",
    ))
}
