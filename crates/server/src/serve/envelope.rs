//! cfssl's response envelope, byte for byte: `{"success","result",
//! "errors","messages"}` in that order, then a newline (Go's
//! `json.Encoder`). Success is 200 `application/json`; a failure goes
//! through Go's `http.Error`: `text/plain; charset=utf-8`, `nosniff`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One entry of `errors` or `messages`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Message {
    pub code: u32,
    pub message: String,
}

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    success: bool,
    result: Option<&'a T>,
    errors: &'a [Message],
    messages: &'a [Message],
}

fn encode<T: Serialize>(envelope: &Envelope<T>) -> Vec<u8> {
    let mut body = serde_json::to_vec(envelope).unwrap_or_else(|_| b"{}".to_vec());
    body.push(b'\n');
    body
}

/// A successful answer with its result and any warning messages.
pub fn success<T: Serialize>(result: &T, messages: &[Message]) -> Response {
    let body = encode(&Envelope {
        success: true,
        result: Some(result),
        errors: &[],
        messages,
    });
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// A refusal: the HTTP status and cfssl's error code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
}

impl ApiError {
    /// cfssl's HTTPError for bad input: HTTP 400, code 400.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: 400,
            message: message.into(),
        }
    }

    /// A wrong method: HTTP 405, cfssl's message.
    pub fn method(method: &str) -> Self {
        ApiError {
            status: StatusCode::METHOD_NOT_ALLOWED,
            code: 405,
            message: format!("Method is not allowed:\"{method}\""),
        }
    }

    /// A library error: HTTP 400 with cfssl's numeric code for its kind
    /// (in `code`, so not repeated in the message).
    pub fn from_core(e: &certkit_core::error::Error) -> Self {
        let message = match e {
            certkit_core::error::Error::Chain { msg, .. } => msg.clone(),
            // The caller learns which of its names was refused, not the
            // operator's expression (which would show how to get past it).
            certkit_core::error::Error::NotWhitelisted { what, name, .. } => format!(
                "refused: {what} {:?} is not allowed by the profile's name_whitelist",
                certkit_core::text::clip(name)
            ),
            other => other.to_string(),
        };
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: e.cfssl_code(),
            message,
        }
    }

    /// A failure that is not the caller's: HTTP 500, code 0 (as cfssl
    /// answers a plain Go error).
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: 0,
            message: message.into(),
        }
    }
}

impl From<certkit_core::error::Error> for ApiError {
    fn from(e: certkit_core::error::Error) -> Self {
        ApiError::from_core(&e)
    }
}

/// The failure envelope for one error.
pub fn error_body(code: u32, message: String) -> Vec<u8> {
    encode::<()>(&Envelope {
        success: false,
        result: None,
        errors: &[Message { code, message }],
        messages: &[],
    })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        plain(self.status, error_body(self.code, self.message))
    }
}

/// A `text/plain` answer as Go's `http.Error` writes it.
pub fn plain(status: StatusCode, body: impl Into<axum::body::Body>) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body.into(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;

    async fn body(r: Response) -> (StatusCode, String, String) {
        let status = r.status();
        let ct = r.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        let bytes = to_bytes(r.into_body(), 1 << 20).await.unwrap();
        (status, ct, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn matches_cfssl_bytes() {
        let ok = success(&serde_json::json!({"healthy": true}), &[]);
        assert_eq!(
            body(ok).await,
            (
                StatusCode::OK,
                "application/json".into(),
                "{\"success\":true,\"result\":{\"healthy\":true},\"errors\":[],\"messages\":[]}\n"
                    .into()
            )
        );
        let err = ApiError::bad_request("missing parameter 'certificate_request'").into_response();
        assert_eq!(
            body(err).await,
            (
                StatusCode::BAD_REQUEST,
                "text/plain; charset=utf-8".into(),
                "{\"success\":false,\"result\":null,\"errors\":[{\"code\":400,\"message\":\"missing parameter 'certificate_request'\"}],\"messages\":[]}\n".into()
            )
        );
    }
}
