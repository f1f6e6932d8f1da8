//! The http-01 validation fetch (RFC 8555 8.3): `GET
//! http://NAME/.well-known/acme-challenge/TOKEN` on port 80 (or
//! `-acme-http01-port`), at most 10 redirects to port 80, every step
//! with a deadline, the body bounded. Addresses come from
//! `-acme-resolve` first (the operator's word, any address), else from
//! the system resolver, whose loopback, link-local (cloud metadata),
//! multicast and unspecified answers are refused so a client cannot aim
//! the server at itself or at its host's metadata service.
//! HTTP is hyper's client; redirects to https are refused (not fetched).

use super::objects::Identifier;
use super::problem::Problem;
use super::AcmeOptions;
use axum::body::Bytes;
use axum::http::{header, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::rt::TokioIo;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

const MAX_REDIRECTS: usize = 10;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);
/// A key authorization is under 200 bytes; anything much larger is not one.
const MAX_BODY: usize = 8 * 1024;

/// Addresses validation never connects to unless `-acme-resolve` names them.
fn refused(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
        }
        IpAddr::V6(v6) => {
            let link_local = (v6.segments()[0] & 0xffc0) == 0xfe80;
            // AWS's IPv6 instance metadata address, fd00:ec2::254.
            let metadata = v6.segments() == [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || link_local
                || metadata
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| refused(IpAddr::V4(v4)))
        }
    }
}

/// Where to connect for `host` (tls-alpn-01 too).
pub(super) async fn resolve(
    options: &AcmeOptions,
    host: &str,
    port: u16,
) -> Result<SocketAddr, Problem> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Some(ip) = options.resolve.get(&host.to_ascii_lowercase()) {
        return Ok(SocketAddr::new(*ip, port));
    }
    let candidates: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::lookup_host((host, port)))
            .await
            .map_err(|_| Problem::dns(format!("resolving {host} timed out")))?
            .map_err(|e| Problem::dns(format!("cannot resolve {host}: {e}")))?
            .collect(),
    };
    candidates
        .iter()
        .find(|a| !refused(a.ip()))
        .copied()
        .ok_or_else(|| {
            Problem::connection(format!(
                "{host} resolves only to addresses validation may not reach (loopback, link-local, multicast)"
            ))
        })
}

/// Fetches the challenge and compares it with the key authorization.
pub async fn validate(
    options: &AcmeOptions,
    identifier: &Identifier,
    token: &str,
    expected: &str,
) -> Result<(), Problem> {
    let mut host = identifier.value.clone();
    let mut port = options.http01_port;
    let mut path = format!("/.well-known/acme-challenge/{token}");
    for _ in 0..=MAX_REDIRECTS {
        let address = resolve(options, &host, port).await?;
        let (status, location, body) = fetch(address, &host, port, &path).await?;
        if status.is_redirection() {
            let location = location
                .ok_or_else(|| Problem::connection(format!("{status} without a Location")))?;
            let uri: Uri = location
                .parse()
                .map_err(|_| Problem::connection(format!("redirect to a bad URL {location:?}")))?;
            if uri.scheme_str().is_some_and(|s| s != "http") {
                return Err(Problem::connection(format!(
                    "redirect to {location}: only http redirects are followed"
                )));
            }
            if let Some(authority) = uri.authority() {
                host = authority.host().to_string();
                port = authority.port_u16().unwrap_or(80);
                if port != 80 && port != options.http01_port {
                    return Err(Problem::connection(format!(
                        "redirect to port {port}: only port 80 is allowed"
                    )));
                }
            }
            path = uri
                .path_and_query()
                .map_or("/".to_string(), |p| p.to_string());
            continue;
        }
        if status != StatusCode::OK {
            return Err(Problem::unauthorized(format!(
                "http://{host}:{port}{path} answered {status}"
            )));
        }
        let text = String::from_utf8_lossy(&body);
        if text.trim_end() != expected {
            return Err(Problem::incorrect_response(format!(
                "http://{host}:{port}{path} did not answer the key authorization"
            )));
        }
        return Ok(());
    }
    Err(Problem::connection(format!(
        "more than {MAX_REDIRECTS} redirects"
    )))
}

/// One GET: status, Location, and the body (bounded).
async fn fetch(
    address: SocketAddr,
    host: &str,
    port: u16,
    path: &str,
) -> Result<(StatusCode, Option<String>, Bytes), Problem> {
    let unreachable = |e: &dyn std::fmt::Display| {
        Problem::connection(format!("http://{host}:{port}{path} ({address}): {e}"))
    };
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(address))
        .await
        .map_err(|_| unreachable(&"connection timed out"))?
        .map_err(|e| unreachable(&e))?;
    let exchange = async {
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| unreachable(&e))?;
        tokio::spawn(connection);
        let authority = if port == 80 {
            host.to_string()
        } else {
            format!("{host}:{port}")
        };
        let request = Request::get(path)
            .header(header::HOST, authority)
            .header(header::USER_AGENT, "certkit-acme")
            .body(Empty::<Bytes>::new())
            .map_err(|e| unreachable(&e))?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| unreachable(&e))?;
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_string);
        let body = if status == StatusCode::OK {
            Limited::new(response.into_body(), MAX_BODY)
                .collect()
                .await
                .map_err(|e| unreachable(&e))?
                .to_bytes()
        } else {
            Bytes::new()
        };
        Ok((status, location, body))
    };
    tokio::time::timeout(RESPONSE_TIMEOUT, exchange)
        .await
        .map_err(|_| unreachable(&"no answer in time"))?
}

#[cfg(test)]
mod tests {
    use super::refused;

    #[test]
    fn metadata_and_self_are_refused() {
        for ip in [
            "169.254.169.254",
            "127.0.0.1",
            "::1",
            "fe80::1",
            "0.0.0.0",
            "::ffff:127.0.0.1",
            "fd00:ec2::254",
        ] {
            assert!(refused(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["10.0.0.1", "192.0.2.7", "2001:db8::1"] {
            assert!(!refused(ip.parse().unwrap()), "{ip}");
        }
    }
}
