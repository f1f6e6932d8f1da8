//! ACME Renewal Information (ARI, RFC 9773): `GET
//! /acme/renewal-info/<certID>`, certID = base64url(AKI keyIdentifier)
//! "." base64url(serial), answers a window in which to renew: the last
//! third of the certificate's life, or (once revoked) a window that has
//! already passed, so ARI-aware clients renew at once.

use super::problem::Problem;
use super::request::{Call, Reply};
use super::{now, rfc3339};
use axum::http::{Method, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;

/// How often clients should ask again (RFC 9773 4.3: Retry-After).
const RETRY_SECONDS: u32 = 6 * 3600;
/// RFC 5280's longest serial, and a key identifier's usual bound.
const MAX_ID_BYTES: usize = 64;

pub async fn renewal_info(call: &Call<'_>, cert_id: &str) -> Result<Reply, Problem> {
    if call.method != Method::GET && call.method != Method::HEAD {
        return Err(Problem::method_not_allowed());
    }
    let (aki, serial) = cert_id
        .split_once('.')
        .ok_or_else(|| Problem::malformed("certID is AKI.serial, both base64url"))?;
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .ok()
            .filter(|b| !b.is_empty() && b.len() <= MAX_ID_BYTES)
            .ok_or_else(|| Problem::malformed("certID is AKI.serial, both base64url"))
    };
    let aki = hex::encode(decode(aki)?);
    let serial = certkit_core::serial::decimal_serial(&decode(serial)?);
    let record = call
        .recorded_certificate(&serial, &aki, "certificate")
        .await?;
    let (start, end) = if record.is_revoked() {
        let now = now();
        (now - 3600, now)
    } else {
        let not_after = record.expiry.unix_timestamp();
        let not_before = record.not_before.map_or(not_after, |t| t.unix_timestamp());
        let life = (not_after - not_before).max(0);
        (not_before + life * 2 / 3, not_before + life * 5 / 6)
    };
    Ok(Reply {
        retry_after: Some(RETRY_SECONDS),
        ..Reply::json(
            StatusCode::OK,
            json!({ "suggestedWindow": { "start": rfc3339(start), "end": rfc3339(end) } }),
        )
    })
}
