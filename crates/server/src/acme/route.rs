//! Routing under `/acme/`: the Host-derived base URL, the bounded body,
//! the timeout, and the resource a path names.

use super::problem::Problem;
use super::request::{respond, Call, Reply};
use super::{account, authz, directory, order, renewal_info, revoke, Acme};
use axum::http::header;
use axum::response::Response;
use std::sync::Arc;

/// Answers one request under `/acme/`.
pub async fn handle(acme: Arc<Acme>, request: axum::extract::Request) -> Response {
    let (parts, body) = request.into_parts();
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic() && b != b'/'))
        .map(str::to_string);
    // `/acme/<profile>/...` for a directory of -acme-directories.
    let path = parts.uri.path().strip_prefix("/acme/").unwrap_or("");
    let (directory, resource) = match path.split_once('/') {
        Some((first, rest)) if acme.options.directories.iter().any(|d| d == first) => {
            (Some(first.to_string()), rest)
        }
        _ => (None, path),
    };
    let base = format!(
        "{}://{}/acme{}",
        acme.scheme,
        host.as_deref().unwrap_or("localhost"),
        directory
            .as_deref()
            .map(|d| format!("/{d}"))
            .unwrap_or_default()
    );
    let result = async {
        if host.is_none() {
            return Err(Problem::malformed("the request has no valid Host header"));
        }
        let body = axum::body::to_bytes(body, acme.app.body_limit)
            .await
            .map_err(|_| Problem::malformed("request body too large or not received in time"))?;
        let call = Call {
            acme: &acme,
            url: format!(
                "{}://{}{}",
                acme.scheme,
                host.as_deref().unwrap_or(""),
                parts.uri.path()
            ),
            base: base.clone(),
            profile: directory.unwrap_or_else(|| acme.options.profile.clone()),
            method: parts.method.clone(),
            headers: parts.headers.clone(),
            body,
            peer: parts
                .extensions
                .get::<crate::listen::Peer>()
                .map(|p| p.addr.ip()),
        };
        match tokio::time::timeout(super::REQUEST_TIMEOUT, route(&call, resource)).await {
            Ok(reply) => reply,
            Err(_) => Err(Problem::server_internal("request timed out")),
        }
    }
    .await;
    let with_nonce = parts.method == axum::http::Method::POST || resource == "new-nonce";
    respond(&acme, &base, with_nonce, result).await
}

/// The first path segments of the resources (no directory may be named so).
pub const RESOURCES: [&str; 12] = [
    "directory",
    "new-nonce",
    "new-account",
    "acct",
    "key-change",
    "new-order",
    "revoke-cert",
    "renewal-info",
    "order",
    "cert",
    "authz",
    "chall",
];

async fn route(call: &Call<'_>, resource: &str) -> Result<Reply, Problem> {
    let parts: Vec<&str> = resource.split('/').collect();
    match parts.as_slice() {
        ["directory"] => directory::directory(call),
        ["new-nonce"] => directory::new_nonce(call),
        ["new-account"] => account::new_account(call).await,
        ["acct", id] => account::update(call, id).await,
        ["acct", id, "orders"] => account::orders(call, id).await,
        ["key-change"] => account::key_change(call).await,
        ["new-order"] => order::new_order(call).await,
        ["revoke-cert"] => revoke::revoke_cert(call).await,
        ["renewal-info", id] => renewal_info::renewal_info(call, id).await,
        ["order", id] => order::get(call, id).await,
        ["order", id, "finalize"] => order::finalize(call, id).await,
        ["cert", id] => order::certificate(call, id).await,
        ["authz", id] => authz::get(call, id).await,
        ["chall", id, n] => authz::challenge(call, id, n).await,
        _ => Err(Problem::not_found("resource")),
    }
}
