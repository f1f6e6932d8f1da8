//! cfssl's revocation endpoints: `revoke` (the database), `crl` (a CRL of
//! the database's revoked certificates, signed by this server's CA),
//! `gencrl` (a CRL of the request's serials, signed by the request's key,
//! as cfssl's) and `ocspsign` (a response signed by `-responder`).

use super::{parse_json, Call};
use crate::serve::envelope::{success, ApiError, Message};
use crate::serve::state::AppState;
use axum::response::Response;
use base64::Engine as _;
use certkit_core::error::Error;
use certkit_core::input::duration::parse_go_duration;
use certkit_core::issue::issuer::{parse_certificate, Issuer};
use certkit_core::revocation::{crl, serial, Reason};
use certkit_ops::revocation::db::{
    crl_entries, find_certificate, normalize_aki, record_status, revoke_reason, revoked_line,
};
use certkit_ops::revocation::{parse_seconds, sign_for, sign_status, SignStatus};
use certkit_ops::store::{CertStore, Revoked};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);

fn db(state: &AppState) -> Result<&dyn CertStore, ApiError> {
    state
        .db
        .as_deref()
        .ok_or_else(|| ApiError::bad_request("no certificate database (start with -db-config)"))
}

fn b64(der: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(der)
}

#[derive(Deserialize)]
struct RevokeRequest {
    #[serde(default)]
    serial: String,
    #[serde(default)]
    authority_key_id: String,
    #[serde(default)]
    reason: String,
}

pub async fn revoke(state: Arc<AppState>, call: Call) -> Result<Response, ApiError> {
    let req: RevokeRequest = parse_json(&call.body, "Unable to parse revocation request")?;
    if req.serial.is_empty() {
        return Err(ApiError::bad_request(
            "serial number is required but not provided",
        ));
    }
    let reason = match Reason::parse(&req.reason) {
        Err(_) => return Err(ApiError::bad_request("Invalid reason code")),
        // removeFromCRL would un-revoke in a full CRL: refused, saying why.
        Ok(_) => revoke_reason(&req.reason).map_err(|e| ApiError::bad_request(e.to_string()))?,
    };
    let serial = serial::decimal_serial(&serial::parse_decimal(&req.serial)?);
    let aki = normalize_aki(&req.authority_key_id);
    let db = db(&state)?;
    let record = find_certificate(db, &serial, &aki)
        .await?
        .ok_or_else(|| ApiError::bad_request("certificate not found"))?;
    let revoked = db
        .revoke(&serial, &record.aki, reason.code() as i32)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    // Revocation is one-way: a second revoke changes nothing and, as the
    // CLI, succeeds, with a message saying what the database still holds.
    let messages = match revoked {
        Revoked::Now => vec![],
        Revoked::Already { .. } => vec![Message {
            code: 0,
            message: revoked_line(&serial, reason, revoked),
        }],
    };
    Ok(success(&json!({}), &messages))
}

pub async fn crl(state: Arc<AppState>, call: Call) -> Result<Response, ApiError> {
    let expiry = match call
        .query
        .as_deref()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("expiry=")))
    {
        Some(text) => {
            parse_go_duration(text).map_err(|e| ApiError::bad_request(format!("expiry: {e}")))?
        }
        None => WEEK,
    };
    if expiry < Duration::from_secs(1) {
        return Err(ApiError::bad_request("expiry: must be at least 1s"));
    }
    let issuer = state.signer("")?.issuer()?;
    let aki = hex::encode(issuer.key_id());
    let records = db(&state)?
        .revoked_unexpired(None)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let revoked = crl_entries(&records, &aki)?;
    let now = SystemTime::now();
    // S10: the caller chooses the validity only up to the operator's
    // -max-crl-expiry and the CA's own notAfter; a CA-signed CRL valid for
    // centuries could be replayed to hide later revocations.
    let ca_left = issuer
        .certificate()
        .tbs_certificate()
        .validity()
        .not_after
        .to_system_time()
        .duration_since(now)
        .unwrap_or_default();
    let cap = state.max_crl_expiry.min(ca_left);
    let mut messages = Vec::new();
    let expiry = if expiry > cap {
        messages.push(Message {
            code: 0,
            message: format!(
                "expiry capped at {}s (the server's -max-crl-expiry and the CA's notAfter)",
                cap.as_secs()
            ),
        });
        cap
    } else {
        expiry
    };
    let list = crl::build(issuer, &revoked, now, now + expiry)?;
    Ok(success(&b64(&list.der), &messages))
}

#[derive(Deserialize)]
struct GencrlRequest {
    #[serde(default)]
    certificate: String,
    #[serde(default, rename = "serialNumber")]
    serial_number: Vec<String>,
    #[serde(default, rename = "issuingKey")]
    issuing_key: String,
    #[serde(default, rename = "expireTime")]
    expire_time: String,
}

pub async fn gencrl(_state: Arc<AppState>, call: Call) -> Result<Response, ApiError> {
    let req: GencrlRequest = parse_json(&call.body, "Unable to parse gencrl request")?;
    let lifetime = match req.expire_time.trim() {
        "" => WEEK,
        text => parse_seconds(text)?,
    };
    let issuer = Issuer::load(
        req.certificate.as_bytes(),
        "certificate",
        req.issuing_key.as_bytes(),
        "issuingKey",
    )?;
    let now = SystemTime::now();
    let mut revoked = Vec::new();
    for s in &req.serial_number {
        revoked.push(crl::Revoked {
            serial: serial::parse_decimal(s)?,
            revoked_at: now,
            reason: None,
        });
    }
    let list = crl::build(&issuer, &revoked, now, now + lifetime)?;
    Ok(success(&b64(&list.der), &[]))
}

#[derive(Deserialize)]
struct OcspSignRequest {
    #[serde(default)]
    certificate: String,
    #[serde(default = "good")]
    status: String,
    #[serde(default)]
    reason: u8,
    #[serde(default)]
    revoked_at: String,
}

fn good() -> String {
    "good".into()
}

/// cfssl's OCSP error codes (`errors.OCSPError` + reason).
const OCSP_ISSUER_MISMATCH: u32 = 8100;
const OCSP_INVALID_STATUS: u32 = 8200;

/// `ocspsign`, as cfssl's: the certificate (PEM) must parse, then the
/// status (a revoked one with a YYYY-MM-DD or `now` date), then the
/// certificate must be the responder's CA's; the response is signed by
/// `-responder` and carries it unless it is the CA itself.
pub async fn ocspsign(state: Arc<AppState>, call: Call) -> Result<Response, ApiError> {
    let req: OcspSignRequest = parse_json(&call.body, "Unable to parse sign request")?;
    let responder = state
        .ocsp
        .as_ref()
        .ok_or_else(|| ApiError::internal("no OCSP responder"))?;
    parse_certificate(req.certificate.as_bytes(), "certificate")
        .map_err(|_| ApiError::bad_request("Malformed certificate"))?;
    let reason = req.reason.to_string();
    let revoked_at = if req.revoked_at.is_empty() {
        "now"
    } else {
        &req.revoked_at
    };
    let status = sign_status(SignStatus {
        status: &req.status,
        reason: &reason,
        revoked_at,
        interval: state.ocsp_interval,
    })
    .map_err(|e| match req.status.as_str() {
        "revoked" if Reason::parse(&reason).is_ok() => {
            ApiError::bad_request("Malformed revocation time")
        }
        "revoked" => ApiError::from(e),
        _ => ApiError {
            code: OCSP_INVALID_STATUS,
            ..refusal(e)
        },
    })?;
    // S3: with a database, never attest a status its certificate row
    // contradicts (a "good" for a revoked certificate could be stapled).
    if let Some(db) = state.db.as_deref() {
        let first = certkit_core::chain::certs::parse_all(req.certificate.as_bytes())
            .ok()
            .and_then(|certs| certs.into_iter().next());
        if let Some(cert) = first {
            let aki = hex::encode(responder.issuer_key_id());
            if let Some(row) = find_certificate(db, &cert.serial_decimal(), &aki).await? {
                let recorded = record_status(&row);
                if recorded.word() != status.word() {
                    return Err(ApiError::bad_request(format!(
                        "the certificate database says {}: refusing to sign {}",
                        recorded.word(),
                        status.word()
                    )));
                }
            }
        }
    }
    let response = sign_for(
        responder,
        req.certificate.as_bytes(),
        "certificate",
        status,
        state.ocsp_interval,
    )
    .map_err(|e| match e {
        // The certificate parsed above: a refusal is the issuer check.
        Error::Refused(_) => ApiError {
            code: OCSP_ISSUER_MISMATCH,
            ..refusal(e)
        },
        other => ApiError::from(other),
    })?;
    Ok(success(&json!({ "ocspResponse": b64(&response) }), &[]))
}

/// A refusal's own words (without the CLI's `refused:`), as a 400.
fn refusal(e: Error) -> ApiError {
    match e {
        Error::Refused(message) => ApiError::bad_request(message),
        other => ApiError::from(other),
    }
}
