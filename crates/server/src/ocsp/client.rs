//! The HTTP half of `verify --ocsp`: one POST of a DER OCSPRequest to a
//! plain-HTTP responder (RFC 6960 A.1; OCSP needs no TLS: responses are
//! signed), bounded in time and size.

use axum::body::Bytes;
use certkit_core::chain::verify::Files;
use certkit_core::error::{Error, Result};
use certkit_core::ops::{ocsp_check, Report};
use http_body_util::{BodyExt, Full, Limited};
use hyper::Request;
use hyper_util::rt::TokioIo;
use std::time::{Duration, SystemTime};

/// Responses are a few kilobytes; a responder sending more is refused.
const MAX_RESPONSE: usize = 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(10);

/// `verify --ocsp[=URL]` after the chain verified: asks `url` (empty: the
/// leaf's AIA responder) about the leaf of `files`.
pub fn check(files: &Files, url: &str, now: SystemTime) -> Result<Report> {
    let check = ocsp_check::prepare(files, Some(url).filter(|u| !u.is_empty()))?;
    let response = post(&check.url, check.request.clone())?;
    check.conclude(&response, now)
}

/// POSTs `request` to `url` and returns the response body.
pub fn post(url: &str, request: Vec<u8>) -> Result<Vec<u8>> {
    let refused = |msg: String| Error::Refused(format!("OCSP responder {url}: {msg}"));
    let uri: hyper::Uri = url.parse().map_err(|e| refused(format!("bad URL: {e}")))?;
    if uri.scheme_str() != Some("http") {
        return Err(refused("only http:// responders are supported".into()));
    }
    let host = uri
        .host()
        .ok_or_else(|| refused("no host".into()))?
        .to_string();
    let port = uri.port_u16().unwrap_or(80);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("tokio runtime", e))?;
    let exchange = async {
        let stream = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| refused(e.to_string()))?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| refused(e.to_string()))?;
        tokio::spawn(conn);
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        let req = Request::post(path)
            .header(hyper::header::HOST, &host)
            .header(hyper::header::CONTENT_TYPE, "application/ocsp-request")
            .body(Full::new(Bytes::from(request)))
            .map_err(|e| refused(e.to_string()))?;
        let response = sender
            .send_request(req)
            .await
            .map_err(|e| refused(e.to_string()))?;
        if !response.status().is_success() {
            return Err(refused(format!("HTTP {}", response.status())));
        }
        let body = Limited::new(response.into_body(), MAX_RESPONSE)
            .collect()
            .await
            .map_err(|e| refused(e.to_string()))?;
        Ok(body.to_bytes().to_vec())
    };
    runtime.block_on(async {
        tokio::time::timeout(TIMEOUT, exchange)
            .await
            .map_err(|_| refused(format!("no answer within {}s", TIMEOUT.as_secs())))?
    })
}
