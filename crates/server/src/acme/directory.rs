//! The directory (RFC 8555 7.1.1) and new-nonce (7.2).

use super::problem::Problem;
use super::request::{Body, Call, Reply};
use axum::http::{Method, StatusCode};
use serde_json::json;

pub fn directory(call: &Call<'_>) -> Result<Reply, Problem> {
    if call.method != Method::GET && call.method != Method::HEAD {
        return Err(Problem::method_not_allowed());
    }
    let base = &call.base;
    Ok(Reply::json(
        StatusCode::OK,
        json!({
            "newNonce": format!("{base}/new-nonce"),
            "newAccount": format!("{base}/new-account"),
            "newOrder": format!("{base}/new-order"),
            "revokeCert": format!("{base}/revoke-cert"),
            "keyChange": format!("{base}/key-change"),
            "renewalInfo": format!("{base}/renewal-info"),
            "meta": {
                "externalAccountRequired": !call.acme.options.eab.is_empty(),
            },
        }),
    ))
}

/// HEAD answers 200, GET 204, both with the nonce `respond` adds.
pub fn new_nonce(call: &Call<'_>) -> Result<Reply, Problem> {
    let status = match call.method {
        Method::HEAD => StatusCode::OK,
        Method::GET => StatusCode::NO_CONTENT,
        _ => return Err(Problem::method_not_allowed()),
    };
    Ok(Reply {
        body: Body::Empty,
        ..Reply::json(status, json!(null))
    })
}
