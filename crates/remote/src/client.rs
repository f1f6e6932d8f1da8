//! One cfssl server seen from a client: its base URL, the TLS settings
//! (`-tls-remote-ca`, `-mutual-tls-client-cert/-key`) and a POST that
//! unwraps cfssl's envelope.

use certkit_core::error::{Error, Result};
use serde_json::Value;
use std::time::Duration;
use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig, TlsProvider};

/// The client's TLS files.
#[derive(Debug, Clone, Default)]
pub struct ClientTls {
    /// CAs to trust instead of the system's (`-tls-remote-ca`).
    pub remote_ca: Option<String>,
    pub client_cert: Option<String>,
    pub client_key: Option<String>,
}

/// A remote cfssl API: one server, or an ordered failover group
/// (`-remote "a,b"`, as cfssl 1.6.5's client: each is tried in turn until
/// one answers).
pub struct Remote {
    agent: ureq::Agent,
    /// `http(s)://host:port` of each server, no trailing slash, in order.
    bases: Vec<String>,
    /// The group as one name: the bases joined by commas.
    pub base: String,
}

/// The base URL for a `-remote` value, as cfssl means it: a URL, or a
/// host with an optional port (8888 by default). Unlike cfssl (#961),
/// `IP:port` works too.
pub fn base_url(remote: &str) -> Result<String> {
    let remote = remote.trim().trim_end_matches('/');
    let (scheme, rest) = match remote.split_once("://") {
        Some((s @ ("http" | "https"), rest)) => (s, rest),
        Some((other, _)) => {
            return Err(Error::Refused(format!(
                "-remote {remote:?}: unsupported scheme {other:?} (use http or https)"
            )))
        }
        None => ("http", remote),
    };
    let host_port = rest.split('/').next().unwrap_or("");
    if host_port.is_empty() {
        return Err(Error::Refused(format!("-remote {remote:?}: no host")));
    }
    let has_port = match host_port.rfind(']') {
        Some(close) => host_port[close..].contains(':'),
        None => host_port.contains(':'),
    };
    let port = if has_port { "" } else { ":8888" };
    Ok(format!("{scheme}://{host_port}{port}"))
}

fn read(path: &str) -> Result<Vec<u8>> {
    certkit_core::input::read_input(path)
}

pub(crate) fn tls_config(tls: &ClientTls) -> Result<TlsConfig> {
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let roots = match &tls.remote_ca {
        Some(path) => {
            let pem = read(path)?;
            let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err(Error::decode(path.as_str(), "no certificate found"));
            }
            RootCerts::new_with_certs(&certs)
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            let certs: Vec<Certificate<'static>> = found
                .certs
                .iter()
                .map(|c| Certificate::from_der(c.as_ref()).to_owned())
                .collect();
            RootCerts::new_with_certs(&certs)
        }
    };
    let mut builder = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(provider)
        .root_certs(roots);
    match (&tls.client_cert, &tls.client_key) {
        (Some(cert), Some(key)) => {
            let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&read(cert)?)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            let key =
                PrivateKey::from_pem(&read(key)?).map_err(|e| Error::Key(format!("{key}: {e}")))?;
            builder = builder.client_cert(Some(ClientCert::new_with_certs(&certs, key)));
        }
        (None, None) => {}
        _ => {
            return Err(Error::Refused(
                "-mutual-tls-client-cert and -mutual-tls-client-key go together".into(),
            ))
        }
    }
    Ok(builder.build())
}

impl Remote {
    /// A client for `remote` (see [`base_url`]).
    /// TLS files given (`-tls-remote-ca`, a client certificate) mean TLS:
    /// a `HOST:PORT` is reached over https (cfssl, and certkit before,
    /// spoke plain HTTP and sent the HMAC token and CSR in the clear), and
    /// an explicit `http://` URL is refused rather than the files ignored.
    /// A comma-separated `remote` is an ordered failover group, each
    /// member as one `-remote`.
    pub fn new(remote: &str, tls: &ClientTls) -> Result<Remote> {
        let wants_tls = tls.remote_ca.is_some() || tls.client_cert.is_some();
        let mut bases = Vec::new();
        let members: Vec<&str> = remote.split(',').map(str::trim).collect();
        if members.len() > 1 && members.iter().any(|m| m.is_empty()) {
            return Err(Error::Refused(format!(
                "-remote {remote:?}: an empty member in the comma-separated list"
            )));
        }
        for member in members {
            let mut base = base_url(member)?;
            if wants_tls {
                if let Some(host_port) = base.strip_prefix("http://") {
                    if member.starts_with("http://") {
                        return Err(Error::Refused(format!(
                            "-remote {member:?}: -tls-remote-ca and -mutual-tls-client-cert need https (give https:// or HOST:PORT)"
                        )));
                    }
                    base = format!("https://{host_port}");
                }
            }
            bases.push(base);
        }
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent("certkit");
        if bases.iter().any(|b| b.starts_with("https://")) || wants_tls {
            config = config.tls_config(tls_config(tls)?);
        }
        Ok(Remote {
            agent: config.build().new_agent(),
            base: bases.join(","),
            bases,
        })
    }

    /// POSTs `body` to `/api/v1/cfssl/{endpoint}` of each server in turn
    /// until one succeeds (cfssl 1.6.5's ordered group: any failure moves
    /// on) and returns its `result`; when all fail, the error names each
    /// server's failure.
    pub fn post(&self, endpoint: &str, body: &[u8]) -> Result<Value> {
        let mut failures = Vec::new();
        for base in &self.bases {
            match self.post_to(base, endpoint, body) {
                Ok(result) => return Ok(result),
                Err(e) => failures.push(e),
            }
        }
        match failures.len() {
            1 => Err(failures.remove(0)),
            _ => Err(Error::Refused(
                failures
                    .into_iter()
                    .map(|e| match e {
                        Error::Refused(message) => message,
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("; then "),
            )),
        }
    }

    /// One server's answer: `result`, or an error naming the server's
    /// code and message.
    fn post_to(&self, base: &str, endpoint: &str, body: &[u8]) -> Result<Value> {
        let url = format!("{base}/api/v1/cfssl/{endpoint}");
        let fail = |msg: String| Error::Refused(format!("remote {url}: {msg}"));
        let mut response = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json")
            .send(body)
            .map_err(|e| fail(format!("failed to connect: {e}")))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(16 << 20)
            .read_to_string()
            .map_err(|e| fail(format!("failed to read the answer: {e}")))?;
        let envelope: Option<Value> = serde_json::from_str(&text).ok();
        let errors = envelope
            .as_ref()
            .and_then(|v| v["errors"].as_array())
            .map(|errs| {
                errs.iter()
                    .map(|e| {
                        format!(
                            "{} (code {})",
                            e["message"].as_str().unwrap_or(""),
                            e["code"]
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .filter(|s| !s.is_empty());
        match envelope {
            Some(v) if status == 200 && v["success"] == true => Ok(v["result"].clone()),
            _ => Err(fail(format!(
                "HTTP {status}: {}",
                errors.unwrap_or_else(|| text.trim().to_string())
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_forms() {
        for (given, want) in [
            ("127.0.0.1:8888", "http://127.0.0.1:8888"),
            ("127.0.0.1", "http://127.0.0.1:8888"),
            ("localhost:9000", "http://localhost:9000"),
            ("http://127.0.0.1:8888/", "http://127.0.0.1:8888"),
            ("https://ca.example.com", "https://ca.example.com:8888"),
            ("[::1]:8443", "http://[::1]:8443"),
            ("[::1]", "http://[::1]:8888"),
        ] {
            assert_eq!(base_url(given).unwrap(), want, "{given}");
        }
        assert!(base_url("ftp://x").is_err());
        assert!(base_url("").is_err());
    }
}
