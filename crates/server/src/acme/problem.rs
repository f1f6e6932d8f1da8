//! RFC 8555 section 6.7 problem documents: the error type every ACME
//! handler returns, answered as `application/problem+json` with the
//! status code the RFC's error type calls for.

use axum::http::StatusCode;
use serde_json::{json, Value};

/// One ACME error (`urn:ietf:params:acme:error:<kind>`).
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    pub kind: &'static str,
    pub detail: String,
    /// `algorithms` of a badSignatureAlgorithm problem.
    pub algorithms: Option<&'static [&'static str]>,
    /// Seconds to wait (rateLimited), sent as Retry-After.
    pub retry_after: Option<u32>,
}

impl Problem {
    fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            kind,
            detail: detail.into(),
            algorithms: None,
            retry_after: None,
        }
    }

    pub fn malformed(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "malformed", detail)
    }
    pub fn bad_nonce(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "badNonce", detail)
    }
    pub fn bad_signature_algorithm(algorithms: &'static [&'static str]) -> Problem {
        Problem {
            algorithms: Some(algorithms),
            ..Problem::new(
                StatusCode::BAD_REQUEST,
                "badSignatureAlgorithm",
                "the JWS algorithm is not supported",
            )
        }
    }
    pub fn bad_public_key(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "badPublicKey", detail)
    }
    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "unauthorized", detail)
    }
    pub fn account_does_not_exist(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "accountDoesNotExist", detail)
    }
    pub fn not_found(what: &str) -> Problem {
        Problem::new(
            StatusCode::NOT_FOUND,
            "malformed",
            format!("no such {what}"),
        )
    }
    pub fn order_not_ready(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "orderNotReady", detail)
    }
    pub fn bad_csr(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "badCSR", detail)
    }
    pub fn rejected_identifier(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "rejectedIdentifier", detail)
    }
    pub fn unsupported_identifier(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "unsupportedIdentifier", detail)
    }
    pub fn unsupported_media_type() -> Problem {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "malformed",
            "Content-Type must be application/jose+json",
        )
    }
    pub fn method_not_allowed() -> Problem {
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "malformed",
            "method not allowed",
        )
    }
    pub fn conflict(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::CONFLICT, "malformed", detail)
    }
    /// A failed validation (stored in the challenge, not answered).
    pub fn connection(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "connection", detail)
    }
    pub fn dns(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "dns", detail)
    }
    pub fn incorrect_response(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "incorrectResponse", detail)
    }
    pub fn rate_limited(detail: impl Into<String>, retry_after: u32) -> Problem {
        Problem {
            retry_after: Some(retry_after),
            ..Problem::new(StatusCode::TOO_MANY_REQUESTS, "rateLimited", detail)
        }
    }
    pub fn server_internal(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "serverInternal", detail)
    }

    /// The problem document.
    pub fn to_json(&self) -> Value {
        let mut doc = json!({
            "type": format!("urn:ietf:params:acme:error:{}", self.kind),
            "detail": self.detail,
            "status": self.status.as_u16(),
        });
        if let Some(algorithms) = self.algorithms {
            doc["algorithms"] = json!(algorithms);
        }
        doc
    }
}

/// The database's errors, told to the client without their text (which
/// may name the database).
impl From<certkit_ops::store::StoreError> for Problem {
    fn from(e: certkit_ops::store::StoreError) -> Problem {
        log::error!("acme: {e}");
        Problem::server_internal("the database failed")
    }
}
