//! `newkey`, `newcert` and `init_ca`: keys made on the server. `newcert`
//! signs through the same path as `sign` and, unlike cfssl, refuses a
//! profile that needs a token (cfssl#788).

use super::sign::{add_bundle, issue};
use super::{forward, parse_json, Call};
use crate::serve::envelope::{success, ApiError};
use crate::serve::state::{AppState, Backend};
use aws_lc_rs::digest;
use axum::response::Response;
use certkit_core::csr;
use certkit_core::issue::initca::new_ca;
use certkit_core::keys::format::KeyEncoder;
use certkit_core::keys::KeyPair;
use certkit_core::request::Request;
use certkit_ops::sign::CsrRequest;
use md5::Digest;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

fn request(body: &[u8]) -> Result<Request, ApiError> {
    Ok(Request::from_json(body, "request")?.request)
}

/// A new key and its CSR, the key as cfssl encodes it.
fn key_and_csr(req: &Request) -> Result<(String, String), ApiError> {
    let key = KeyPair::generate(req.key)?;
    let csr_pem = csr::build(req, &key)?;
    let key_pem = KeyEncoder::default().pem(&key)?;
    Ok((key_pem.to_string(), csr_pem))
}

/// cfssl's `Sum` of a PEM block's DER: uppercase hex MD5, SHA-1, SHA-256.
fn sums(pem_text: &str) -> Value {
    let der = pem::parse(pem_text)
        .map(|p| p.into_contents())
        .unwrap_or_default();
    let hex = |d: &[u8]| hex::encode_upper(d);
    json!({
        "md5": hex(&md5::Md5::digest(&der)),
        "sha-1": hex(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &der).as_ref()),
        "sha-256": hex(digest::digest(&digest::SHA256, &der).as_ref()),
    })
}

pub async fn newkey(state: Arc<AppState>, call: Call) -> Result<Response, ApiError> {
    let req = request(&call.body)?;
    let (key, csr) = state.cpu.run(|| key_and_csr(&req)).await?;
    Ok(success(
        &json!({
            "private_key": key,
            "sums": {"certificate_request": sums(&csr)},
            "certificate_request": csr,
        }),
        &[],
    ))
}

#[derive(Debug, Deserialize)]
struct NewCertRequest {
    request: Option<Value>,
    profile: Option<String>,
    label: Option<String>,
    bundle: Option<bool>,
}

pub async fn newcert(state: Arc<AppState>, call: Call) -> Result<Response, ApiError> {
    let outer: NewCertRequest = parse_json(&call.body, "Unable to parse newcert request")?;
    let inner = outer
        .request
        .ok_or_else(|| ApiError::bad_request("missing parameter 'request'"))?;
    let req = request(&serde_json::to_vec(&inner).unwrap_or_default())?;
    let label = outer.label.unwrap_or_default();
    let signer = state.signer(&label)?.clone();
    let profile = signer.profile(outer.profile.as_deref().unwrap_or(""))?;
    if !profile.auth_key.is_empty() {
        return Err(ApiError::bad_request("authentication required"));
    }
    let (key, csr) = state.cpu.run(|| key_and_csr(&req)).await?;
    let cert_pem = match &signer.backend {
        Backend::Remote(remote) => {
            let request = forward::Forwarded {
                csr: csr.clone(),
                hosts: None,
                subject: None,
                profile: outer.profile.clone().unwrap_or_default(),
                label: label.clone(),
            };
            forward::sign(remote, request).await?
        }
        Backend::Local(_) => {
            let request = CsrRequest {
                csr: csr.as_bytes(),
                source: "generated CSR",
                allow_sha1: false,
                hosts: None,
                subject: None,
                extensions: &[],
            };
            issue(&state, &signer, profile, &request, &label)
                .await?
                .cert_pem
        }
    };
    let mut result = json!({
        "certificate": cert_pem,
        "certificate_request": csr,
        "private_key": key,
        "sums": {
            "certificate": sums(&cert_pem),
            "certificate_request": sums(&csr),
        },
    });
    let messages = add_bundle(&state, &mut result, &cert_pem, outer.bundle == Some(true))?;
    Ok(success(&result, &messages))
}

pub async fn init_ca(state: Arc<AppState>, call: Call) -> Result<Response, ApiError> {
    let req = request(&call.body)?;
    let ca = state.cpu.run(|| new_ca(&req)).await?;
    Ok(success(
        &json!({
            "private_key": ca.key_pem.as_str(),
            "certificate": ca.cert_pem,
        }),
        &[],
    ))
}
