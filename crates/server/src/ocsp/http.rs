//! The HTTP side of the responder (RFC 5019 section 5): GET with the
//! base64 request in the path, POST with the DER body; answers with
//! Content-Type application/ocsp-response, Last-Modified (thisUpdate),
//! Expires (nextUpdate), Cache-Control max-age until nextUpdate and a
//! SHA-256 ETag honoured by If-None-Match, as cfssl's responder sends.

use super::source::{current, Source, Stored};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;
use certkit_core::revocation::ocsp::{
    error_response, parse_request, read_response, CertIdHash, Query, Refusal, Responder, Status,
};
use certkit_ops::revocation::response_window;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// OCSP requests are a few hundred bytes; anything near this is not one.
const MAX_REQUEST: usize = 16 * 1024;

struct App {
    source: Source,
    signer: Option<Responder>,
    interval: Duration,
}

pub(super) fn router(source: Source, signer: Option<Responder>, interval: Duration) -> Router {
    let app = Arc::new(App {
        source,
        signer,
        interval,
    });
    Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::max(MAX_REQUEST))
        .with_state(app)
}

fn ocsp_error(http: StatusCode, refusal: Refusal) -> Response {
    (http, ocsp_headers(), error_response(refusal)).into_response()
}

fn ocsp_headers() -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/ocsp-response"),
    )]
}

async fn handle(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = match method {
        Method::GET => match decode_get(uri.path()) {
            Some(der) => der,
            None => return StatusCode::BAD_REQUEST.into_response(),
        },
        Method::POST => body.to_vec(),
        _ => return StatusCode::METHOD_NOT_ALLOWED.into_response(),
    };
    let query = match parse_request(&request) {
        Ok(q) => q,
        Err(e) => {
            log::debug!("malformed OCSP request: {e}");
            return ocsp_error(StatusCode::BAD_REQUEST, Refusal::MalformedRequest);
        }
    };
    match answer(&app, &query).await {
        Ok(Some(stored)) => respond(stored, &headers, query.nonce.is_some()),
        Ok(None) => {
            log::info!(
                "No response found for request: serial {}",
                hex_serial(&query.serial)
            );
            ocsp_error(StatusCode::OK, Refusal::Unauthorized)
        }
        Err(e) => {
            log::error!("OCSP request for serial {}: {e}", hex_serial(&query.serial));
            ocsp_error(StatusCode::INTERNAL_SERVER_ERROR, Refusal::InternalError)
        }
    }
}

fn hex_serial(serial: &[u8]) -> String {
    serial.iter().map(|b| format!("{b:02x}")).collect()
}

/// RFC 5019 GET: the path is the URL-encoded base64 of the DER request.
/// Go's QueryUnescape turns '+' into ' ', so cfssl maps spaces back.
fn decode_get(path: &str) -> Option<Vec<u8>> {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let b64: String = decoded
        .trim_start_matches('/')
        .chars()
        .map(|c| if c == ' ' { '+' } else { c })
        .collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

/// A stored response when one fits the request (no nonce to echo, the
/// CertID's hash and issuer as stored, still current and, when signing
/// live, saying what the source says now); else a live one when a signer
/// answers for the request's CA; else nothing.
async fn answer(app: &App, q: &Query) -> certkit_core::Result<Option<Stored>> {
    let now = SystemTime::now();
    let signer = app.signer.as_ref().filter(|s| s.answers_for(q));
    // The database files responses under the CA's key identifier: the
    // signer's CA's, else (as cfssl) a SHA-1 CertID's issuer key hash.
    let aki = match (signer, q.hash) {
        (Some(s), _) => Some(s.issuer_key_id()),
        (None, Some(CertIdHash::Sha1)) => Some(q.issuer.key.as_slice()),
        _ => None,
    };
    let stored = app.source.stored(q, aki, signer).await?;
    let as_asked =
        |s: &Stored| s.summary.hash == q.hash && s.summary.issuer == q.issuer && current(s, now);
    let Some(signer) = signer else {
        return Ok(stored.filter(as_asked));
    };
    // S1: the status of a live answer is the source's current one (the
    // database's certificate row), never a stored response's, which may
    // be expired or older than a revocation.
    let status = app
        .source
        .status(q, signer)
        .await?
        .unwrap_or(Status::Unknown);
    if let Some(s) = stored.filter(|s| as_asked(s) && q.nonce.is_none()) {
        if s.summary.status.word() == status.word() {
            return Ok(Some(s));
        }
    }
    let (this, next) = response_window(now, app.interval);
    let der = signer.answer(q, status, this, next)?;
    let summary = read_response(&der)?;
    Ok(Some(Stored { der, summary }))
}

fn respond(stored: Stored, request_headers: &HeaderMap, nonced: bool) -> Response {
    let etag = format!("\"{}\"", etag_of(&stored.der));
    let now = SystemTime::now();
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/ocsp-response"),
    );
    let date = |t: SystemTime| HeaderValue::from_str(&httpdate::fmt_http_date(t)).ok();
    if let Some(v) = date(stored.summary.this_update) {
        headers.insert(header::LAST_MODIFIED, v);
    }
    let next = stored.summary.next_update;
    if let Some(v) = next.and_then(date) {
        headers.insert(header::EXPIRES, v);
    }
    let cache = if nonced {
        "max-age=0, no-cache".to_string()
    } else {
        let max_age = next
            .and_then(|n| n.duration_since(now).ok())
            .map_or(0, |d| d.as_secs());
        format!("max-age={max_age}, public, no-transform, must-revalidate")
    };
    if let Ok(v) = HeaderValue::from_str(&cache) {
        headers.insert(header::CACHE_CONTROL, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    let matches = request_headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes());
    if matches && !nonced {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (StatusCode::OK, headers, stored.der).into_response()
}

/// The ETag cfssl sends: the response's SHA-256 in upper-case hex.
fn etag_of(der: &[u8]) -> String {
    certkit_core::revocation::ocsp::CertIdHash::Sha256
        .digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}
