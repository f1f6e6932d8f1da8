//! `certinfo` and `health`.

use super::{parse_json, Call};
use crate::serve::envelope::{success, ApiError};
use crate::serve::state::AppState;
use axum::response::Response;
use certkit_core::chain::certinfo::describe_certificate;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

#[derive(Debug, Default, Deserialize)]
struct CertinfoRequest {
    certificate: Option<String>,
    domain: Option<String>,
    serial: Option<String>,
    authority_key_id: Option<String>,
}

pub async fn certinfo(state: Arc<AppState>, call: Call) -> Result<Response, ApiError> {
    let request: CertinfoRequest = parse_json(&call.body, "Unable to parse certinfo request")?;
    let pem_text = if let Some(cert) = request.certificate.filter(|c| !c.is_empty()) {
        cert
    } else if let (Some(serial), Some(aki)) = (request.serial, request.authority_key_id) {
        let db = state.db.as_ref().ok_or_else(|| {
            ApiError::bad_request("no certificate database (start with -db-config)")
        })?;
        let aki = aki.replace(':', "").to_ascii_lowercase();
        db.certificate(&serial, &aki)
            .await
            .map_err(|e| ApiError::internal(e.to_string()))?
            .ok_or_else(|| ApiError::bad_request("certificate not found"))?
            .pem
    } else if request.domain.is_some() {
        return Err(ApiError::bad_request(
            "certinfo by domain is not supported by certkit serve",
        ));
    } else {
        return Err(ApiError::bad_request("missing parameter 'certificate'"));
    };
    let der = pem::parse(pem_text.as_bytes())
        .map_err(|e| ApiError::bad_request(format!("certificate: {e}")))?
        .into_contents();
    Ok(success(&describe_certificate(&der)?, &[]))
}

pub async fn health(state: Arc<AppState>, _call: Call) -> Result<Response, ApiError> {
    if let Some(db) = &state.db {
        db.ping()
            .await
            .map_err(|e| ApiError::internal(format!("certificate database: {e}")))?;
    }
    Ok(success(&json!({"healthy": true}), &[]))
}
