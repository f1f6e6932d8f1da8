//! `certadd` (cfssl 1.6.5 and main): insert a certificate record, with its
//! status and revocation, into the database. cfssl answers anyone; here
//! the request is authenticated as `authsign`'s is (`{"token", "request"}`,
//! the HMAC of the request with the default profile's `auth_key`), and
//! `-admin-cn` guards it by default.

use super::{parse_json, Call};
use crate::serve::envelope::{success, ApiError};
use crate::serve::state::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use certkit_core::chain::certs::Cert;
use certkit_core::revocation::{serial, Reason};
use certkit_ops::store::{CertificateRecord, StoreError};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Whether this server has `certadd`: a database, and a key to check
/// requests with (without one the endpoint would answer anyone).
pub fn available(state: &AppState) -> bool {
    state.db.is_some() && !default_keys(state).is_empty()
}

fn default_keys(state: &AppState) -> Vec<&certkit_core::policy::auth_key::AuthKey> {
    match state.signer("") {
        Ok(signer) => match signer.profile("") {
            Ok(profile) => signer.profile_keys(profile),
            Err(_) => Vec::new(),
        },
        Err(_) => Vec::new(),
    }
}

#[derive(Deserialize)]
struct Authenticated {
    token: Option<String>,
    request: Option<String>,
}

/// cfssl's `certadd.AddRequest`; unknown keys are ignored.
#[derive(Deserialize, Default)]
#[serde(default)]
struct AddRequest {
    serial_number: String,
    authority_key_identifier: String,
    ca_label: String,
    status: String,
    reason: i32,
    expiry: Option<String>,
    revoked_at: Option<String>,
    pem: String,
    issued_at: Option<String>,
    not_before: Option<String>,
    metadata: Option<Value>,
    sans: Option<Value>,
    common_name: String,
}

fn bad(message: &str) -> ApiError {
    ApiError::bad_request(message)
}

/// A Go `time.Time` in JSON (RFC 3339); Go's zero time is "not given".
fn time_field(text: Option<&str>, name: &str) -> Result<Option<OffsetDateTime>, ApiError> {
    match text {
        None | Some("") => Ok(None),
        Some(t) => {
            let parsed = OffsetDateTime::parse(t, &Rfc3339)
                .map_err(|_| ApiError::bad_request(format!("{name}: not an RFC 3339 time")))?;
            Ok((parsed.year() > 1).then_some(parsed))
        }
    }
}

pub async fn certadd(state: Arc<AppState>, call: Call) -> Result<Response, ApiError> {
    let outer: Authenticated =
        parse_json(&call.body, "Unable to parse certificate addition request")?;
    let token = STANDARD
        .decode(outer.token.as_deref().unwrap_or(""))
        .map_err(|_| bad("token: not base64"))?;
    let inner = STANDARD
        .decode(outer.request.as_deref().unwrap_or(""))
        .map_err(|_| bad("request: not base64"))?;
    if token.is_empty()
        || !default_keys(&state)
            .iter()
            .any(|k| k.verify(&inner, &token))
    {
        return Err(ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: 401,
            message: "authentication required: a token made with the default profile's auth_key"
                .into(),
        });
    }
    let req: AddRequest = parse_json(&inner, "Unable to parse certificate addition request")?;
    let record = record(&req)?;
    let db = state
        .db
        .as_deref()
        .ok_or_else(|| bad("no certificate database (start with -db-config)"))?;
    db.insert_certificate(&record).await.map_err(|e| match e {
        StoreError::Duplicate { .. } => ApiError {
            status: StatusCode::CONFLICT,
            code: 409,
            message: "a certificate with this serial and AKI is already recorded".into(),
        },
        other => ApiError::internal(other.to_string()),
    })?;
    Ok(success(&json!({}), &[]))
}

/// The row a request asks for, checked as cfssl checks it (serial, AKI
/// and expiry must be the certificate's) and as certkit's revocation is
/// one-way (no removeFromCRL).
fn record(req: &AddRequest) -> Result<CertificateRecord, ApiError> {
    if req.serial_number.is_empty() {
        return Err(bad("Serial number is required but not provided"));
    }
    if req.authority_key_identifier.is_empty() {
        return Err(bad("Authority key identifier is required but not provided"));
    }
    let revoked = match req.status.as_str() {
        "good" | "unknown" => false,
        "revoked" => true,
        _ => return Err(bad("Invalid certificate status")),
    };
    let revoked_at = time_field(req.revoked_at.as_deref(), "revoked_at")?;
    if revoked {
        if revoked_at.is_none() {
            return Err(bad(
                "Revoked certificate should specify when it was revoked",
            ));
        }
        let reason = Reason::parse(&req.reason.to_string())
            .map_err(|_| bad("Invalid certificate status reason code"))?;
        if reason == Reason::RemoveFromCrl {
            return Err(bad(
                "reason removeFromCRL is for delta CRLs only: revocation is one-way",
            ));
        }
    }
    if req.pem.is_empty() {
        return Err(bad("The provided certificate is empty"));
    }
    let expiry = time_field(req.expiry.as_deref(), "expiry")?
        .ok_or_else(|| bad("Expiry is required but not provided"))?;
    let der = pem::parse(&req.pem)
        .ok()
        .filter(|p| p.tag() == "CERTIFICATE")
        .map(|p| p.into_contents())
        .ok_or_else(|| bad("Unable to parse PEM encoded certificates"))?;
    let cert = Cert::from_der(&der).map_err(|_| bad("Unable to parse PEM encoded certificates"))?;
    let serial = serial::parse_decimal(&req.serial_number)
        .map(|s| serial::decimal_serial(&s))
        .map_err(|_| bad("Unable to parse serial key of request"))?;
    if serial != cert.serial_decimal() || serial != req.serial_number {
        return Err(bad("Serial key of request and certificate do not match"));
    }
    let aki = hex::decode(&req.authority_key_identifier)
        .map_err(|_| bad("Unable to decode authority key identifier"))?;
    if aki != cert.authority_key_id() {
        return Err(bad(
            "Authority key identifier of request and certificate do not match",
        ));
    }
    if expiry != OffsetDateTime::from(cert.not_after()) {
        return Err(bad("Expiry of request and certificate do not match"));
    }
    let json_text = |v: &Option<Value>| v.as_ref().filter(|v| !v.is_null()).map(Value::to_string);
    Ok(CertificateRecord {
        serial,
        aki: req.authority_key_identifier.to_ascii_lowercase(),
        ca_label: req.ca_label.clone(),
        status: req.status.clone(),
        reason: if revoked { req.reason } else { 0 },
        expiry,
        revoked_at: if revoked { revoked_at } else { None },
        pem: req.pem.clone(),
        issued_at: time_field(req.issued_at.as_deref(), "issued_at")?,
        not_before: time_field(req.not_before.as_deref(), "not_before")?,
        metadata: json_text(&req.metadata),
        sans: json_text(&req.sans),
        common_name: (!req.common_name.is_empty()).then(|| req.common_name.clone()),
    })
}
