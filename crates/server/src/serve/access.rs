//! One access-log line per request (logfmt fields, through the `log`
//! crate like every other line the servers write), and the
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

/// Logs `msg=request remote=… method=… path=… status=… duration_ms=…`
/// (the line's own prefix carries the time and level).
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
    log::info!(
        "msg=request remote={remote} method={method} path={path:?} status={} duration_ms={:.3}",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}
