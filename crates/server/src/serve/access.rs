//! One access-log line per request on stderr (logfmt), and the
//! `-mutual-tls-cn` refusal, as router middleware.

use super::envelope::plain;
use crate::listen::Peer;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// Refuses requests on a connection whose client CN failed
/// `-mutual-tls-cn`: HTTP 403, `Invalid CN`, as cfssl answers.
pub async fn check_cn(request: Request, next: Next) -> Response {
    match request.extensions().get::<Peer>() {
        Some(peer) if !peer.cn_allowed => plain(StatusCode::FORBIDDEN, "Invalid CN\n"),
        _ => next.run(request).await,
    }
}

/// Writes `time=… remote=… method=… path=… status=… duration_ms=…`.
pub async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let remote = request
        .extensions()
        .get::<Peer>()
        .map(|p| p.addr.to_string())
        .unwrap_or_else(|| "-".into());
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    eprintln!(
        "time={now} level=info msg=request remote={remote} method={method} path={path:?} status={} duration_ms={:.3}",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}
