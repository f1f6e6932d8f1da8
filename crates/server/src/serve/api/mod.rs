//! The endpoints under `/api/v1/cfssl/`, in one table: an endpoint is one
//! line (name, methods, when it exists, handler). `dispatch` does what
//! every endpoint shares: the method check (cfssl's 405), the bounded
//! body read, the timeout, the metrics.

mod bundle;
mod certadd;
pub use certadd::available as certadd_available;
mod forward;
mod generate;
mod info;
mod inspect;
mod revocation;
pub(crate) mod sign;

use super::envelope::{error_body, plain, ApiError};
use super::state::{AppState, Personality};
use crate::listen::Peer;
use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One request as a handler sees it.
pub struct Call {
    pub method: Method,
    /// The client's address (for multirootca's `nets`).
    pub peer: Option<std::net::SocketAddr>,
    pub query: Option<String>,
    pub body: Bytes,
}

pub type Reply = Pin<Box<dyn Future<Output = Result<Response, ApiError>> + Send>>;
type Handler = fn(Arc<AppState>, Call) -> Reply;

/// An endpoint: its name under `/api/v1/cfssl/`, the methods it accepts,
/// whether this server has it, and its handler.
pub struct Endpoint {
    pub name: &'static str,
    pub methods: &'static [Method],
    pub available: fn(&AppState) -> bool,
    pub handler: Handler,
}

const POST: &[Method] = &[Method::POST];
const GET: &[Method] = &[Method::GET];

fn always(_: &AppState) -> bool {
    true
}

fn has_db(s: &AppState) -> bool {
    s.db.is_some()
}

/// `cfssl serve`'s endpoints.
pub fn serve_endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            name: "sign",
            methods: POST,
            available: |s| s.has_profiles(false),
            handler: |s, c| Box::pin(sign::sign(s, c)),
        },
        Endpoint {
            name: "authsign",
            methods: POST,
            available: |s| s.has_profiles(true),
            handler: |s, c| Box::pin(sign::authsign(s, c)),
        },
        Endpoint {
            name: "info",
            methods: POST,
            available: always,
            handler: |s, c| Box::pin(info::info(s, c)),
        },
        Endpoint {
            name: "health",
            methods: GET,
            available: always,
            handler: |s, c| Box::pin(inspect::health(s, c)),
        },
        Endpoint {
            name: "newkey",
            methods: POST,
            available: always,
            handler: |s, c| Box::pin(generate::newkey(s, c)),
        },
        Endpoint {
            name: "newcert",
            methods: POST,
            available: always,
            handler: |s, c| Box::pin(generate::newcert(s, c)),
        },
        Endpoint {
            name: "init_ca",
            methods: POST,
            available: always,
            handler: |s, c| Box::pin(generate::init_ca(s, c)),
        },
        Endpoint {
            name: "bundle",
            methods: POST,
            available: |s| s.bundler.is_some(),
            handler: |s, c| Box::pin(bundle::bundle(s, c)),
        },
        Endpoint {
            name: "certinfo",
            methods: POST,
            available: always,
            handler: |s, c| Box::pin(inspect::certinfo(s, c)),
        },
        Endpoint {
            name: "revoke",
            methods: POST,
            available: has_db,
            handler: |s, c| Box::pin(revocation::revoke(s, c)),
        },
        Endpoint {
            name: "crl",
            methods: GET,
            available: has_db,
            handler: |s, c| Box::pin(revocation::crl(s, c)),
        },
        Endpoint {
            name: "gencrl",
            methods: POST,
            available: always,
            handler: |s, c| Box::pin(revocation::gencrl(s, c)),
        },
        Endpoint {
            name: "ocspsign",
            methods: POST,
            available: |s| s.ocsp.is_some(),
            handler: |s, c| Box::pin(revocation::ocspsign(s, c)),
        },
        Endpoint {
            name: "certadd",
            methods: POST,
            available: certadd::available,
            handler: |s, c| Box::pin(certadd::certadd(s, c)),
        },
    ]
}

/// `multirootca`'s endpoints: authsign and info only.
pub fn multiroot_endpoints() -> Vec<Endpoint> {
    serve_endpoints()
        .into_iter()
        .filter(|e| matches!(e.name, "authsign" | "info"))
        .map(|e| Endpoint {
            available: always,
            ..e
        })
        .collect()
}

/// How long one request may take once its body is read.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The router: every available endpoint, `/metrics`, and Go's 404 for
/// everything else.
pub fn router(state: Arc<AppState>, endpoints: Vec<Endpoint>) -> Router {
    let mut router = Router::new();
    for endpoint in endpoints.into_iter().filter(|e| (e.available)(&state)) {
        let endpoint: &'static Endpoint = Box::leak(Box::new(endpoint));
        let state = state.clone();
        router = router.route(
            &format!("/api/v1/cfssl/{}", endpoint.name),
            any(move |request: axum::extract::Request| dispatch(state.clone(), endpoint, request)),
        );
    }
    let metrics_state = state.clone();
    router
        .route(
            "/metrics",
            any(move || async move {
                (
                    [(axum::http::header::CONTENT_TYPE, prometheus::TEXT_FORMAT)],
                    metrics_state.metrics.render(),
                )
            }),
        )
        .fallback(|| async { plain(StatusCode::NOT_FOUND, "404 page not found\n") })
}

async fn dispatch(
    state: Arc<AppState>,
    endpoint: &'static Endpoint,
    request: axum::extract::Request,
) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let (method, uri) = (parts.method, parts.uri);
    let client = parts.extensions.get::<Peer>();
    let peer = client.map(|p| p.addr);
    let admitted = state
        .admin
        .as_ref()
        .is_none_or(|admin| admin.allows(endpoint.name, client.and_then(|p| p.cn.as_deref())));
    let result = async {
        if !admitted {
            return Err(ApiError {
                status: StatusCode::FORBIDDEN,
                code: 403,
                message: "this endpoint needs an administrator's client certificate".into(),
            });
        }
        if !endpoint.methods.contains(&method) {
            return Err(match state.personality {
                Personality::Serve => ApiError::method(method.as_str()),
                Personality::MultiRootCa => ApiError {
                    status: StatusCode::METHOD_NOT_ALLOWED,
                    code: 405,
                    message: "only POST is permitted".into(),
                },
            });
        }
        let body = axum::body::to_bytes(body, state.body_limit)
            .await
            .map_err(|e| {
                let e = e.into_inner();
                if crate::listen::is_body_timeout(e.as_ref()) {
                    ApiError {
                        status: StatusCode::REQUEST_TIMEOUT,
                        code: 408,
                        message: "request body not received in time".into(),
                    }
                } else {
                    ApiError {
                        status: StatusCode::PAYLOAD_TOO_LARGE,
                        code: 413,
                        message: format!("request body larger than {} bytes", state.body_limit),
                    }
                }
            })?;
        let call = Call {
            method,
            peer,
            query: uri.query().map(str::to_string),
            body,
        };
        match tokio::time::timeout(REQUEST_TIMEOUT, (endpoint.handler)(state.clone(), call)).await {
            Ok(reply) => reply,
            Err(_) => Err(ApiError::internal("request timed out")),
        }
    }
    .await;
    let response = match result {
        Ok(response) => response,
        Err(e) if state.personality == Personality::MultiRootCa => multiroot_error(e),
        Err(e) => e.into_response(),
    };
    state.metrics.request(
        endpoint.name,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// multirootca's error shape: every code is 1, no Content-Type, and its
/// terse messages.
fn multiroot_error(e: ApiError) -> Response {
    let message = match (e.status.as_u16(), e.code) {
        (401 | 403 | 405 | 408 | 413 | 500, _) => e.message,
        (_, 5400) => "invalid profile".into(),
        _ if e.message == "invalid token" => e.message,
        _ if e.message.starts_with("missing parameter") => "invalid request".into(),
        _ => "bad request".into(),
    };
    let mut response = (e.status, error_body(1, message)).into_response();
    response
        .headers_mut()
        .remove(axum::http::header::CONTENT_TYPE);
    response
}

/// Parses a JSON body, answering cfssl's 400 with `what` on failure.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|_| ApiError::bad_request(what))
}
