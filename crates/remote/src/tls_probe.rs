//! Reading the certificate chain a TLS server presents (`certinfo
//! -domain`, `bundle -domain/-ip`), as cfssl does: a TLS handshake that
//! accepts any chain (the chain is what is being inspected; the handshake
//! signature is still checked), bounded by timeouts.

use certkit_core::error::{Error, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

/// cfssl's dial timeout for `certinfo -domain`.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Where to connect and which name to ask for.
#[derive(Debug, Clone)]
pub struct Target {
    /// The server name (SNI, and the name the leaf must match for bundles).
    pub name: String,
    pub port: u16,
    /// Connect here instead of resolving `name` (`bundle -ip`).
    pub ip: Option<IpAddr>,
}

impl Target {
    /// `HOST`, `HOST:PORT`, `[V6]:PORT` (port 443 by default, as cfssl).
    pub fn parse(domain: &str, ip: Option<&str>) -> Result<Target> {
        let bad = |what: &str| Error::Refused(format!("-domain {domain:?}: {what}"));
        let (name, port) = match domain.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') || host.starts_with('[') => (
                host.trim_start_matches('[').trim_end_matches(']'),
                port.parse().map_err(|_| bad("the port is not a number"))?,
            ),
            _ => (domain.trim_start_matches('[').trim_end_matches(']'), 443),
        };
        if name.is_empty() {
            return Err(bad("no host name"));
        }
        let ip = ip
            .map(|s| {
                s.parse()
                    .map_err(|_| Error::Refused(format!("-ip {s:?}: not an IP address")))
            })
            .transpose()?;
        Ok(Target {
            name: name.to_string(),
            port,
            ip,
        })
    }

    fn address(&self) -> Result<SocketAddr> {
        if let Some(ip) = self.ip {
            return Ok(SocketAddr::new(ip, self.port));
        }
        (self.name.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| self.error(format!("cannot resolve: {e}")))?
            .next()
            .ok_or_else(|| self.error("the name resolves to no address".into()))
    }

    fn error(&self, what: String) -> Error {
        Error::Refused(format!("{}:{}: {what}", self.name, self.port))
    }
}

/// The certificates (DER, leaf first) the server presents.
pub fn presented_chain(target: &Target, timeout: Duration) -> Result<Vec<Vec<u8>>> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| target.error(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyChain(provider)))
        .with_no_client_auth();
    let server_name = ServerName::try_from(target.name.clone())
        .map_err(|e| target.error(format!("not a server name: {e}")))?;
    let mut conn = ClientConnection::new(Arc::new(config), server_name)
        .map_err(|e| target.error(e.to_string()))?;
    let address = target.address()?;
    let mut sock = TcpStream::connect_timeout(&address, timeout)
        .map_err(|e| target.error(format!("cannot connect to {address}: {e}")))?;
    sock.set_read_timeout(Some(timeout))
        .and_then(|_| sock.set_write_timeout(Some(timeout)))
        .map_err(|e| target.error(e.to_string()))?;
    // Each round trip either advances the handshake or fails; the socket
    // timeouts bound a silent server.
    while conn.is_handshaking() {
        conn.complete_io(&mut sock)
            .map_err(|e| target.error(format!("TLS handshake failed: {e}")))?;
    }
    let chain: Vec<Vec<u8>> = conn
        .peer_certificates()
        .unwrap_or_default()
        .iter()
        .map(|c| c.as_ref().to_vec())
        .collect();
    conn.send_close_notify();
    let _ = conn.complete_io(&mut sock);
    if chain.is_empty() {
        return Err(target.error("received no server certificates".into()));
    }
    Ok(chain)
}

/// Whether the leaf is valid for the target's name (DNS name or IP), as
/// cfssl's `bundle -domain` requires.
pub fn check_name(target: &Target, leaf: &[u8]) -> Result<()> {
    let der = CertificateDer::from(leaf);
    let cert = webpki::EndEntityCert::try_from(&der)
        .map_err(|e| target.error(format!("the server's certificate: {e}")))?;
    let name = ServerName::try_from(target.name.as_str())
        .map_err(|e| target.error(format!("not a server name: {e}")))?;
    cert.verify_is_valid_for_subject_name(&name).map_err(|_| {
        target.error(format!(
            "the server's certificate is not valid for {} (cfssl refuses it too)",
            target.name
        ))
    })
}

/// `certinfo -domain HOST[:PORT]`: the server's certificate described as
/// `certinfo -cert` describes one (cfssl describes the leaf).
pub fn certinfo_domain(domain: &str) -> Result<serde_json::Value> {
    let target = Target::parse(domain, None)?;
    let chain = presented_chain(&target, TIMEOUT)?;
    certkit_core::chain::certinfo::describe_certificate(&chain[0])
}

/// `bundle -domain NAME [-ip IP]`: the chain the server presents, which
/// must be valid for NAME, bundled as `bundle -cert` bundles a file.
pub fn bundle_domain(
    domain: &str,
    ip: Option<&str>,
    sources: &certkit_core::chain::bundle::Sources,
    now: std::time::SystemTime,
) -> Result<certkit_core::chain::bundle::Bundle> {
    let target = Target::parse(domain, ip)?;
    let chain = presented_chain(&target, TIMEOUT)?;
    check_name(&target, &chain[0])?;
    let pem: String = chain
        .iter()
        .map(|der| certkit_core::keys::pem_encode("CERTIFICATE", der))
        .collect();
    certkit_core::chain::bundle::bundle_presented(sources, pem.as_bytes(), now)
}

/// Accepts any chain: the point is to read it, not to trust it. The
/// handshake's signature is still checked against the presented key.
#[derive(Debug)]
struct AnyChain(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyChain {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_like_cfssl() {
        let t = Target::parse("example.com", None).unwrap();
        assert_eq!((t.name.as_str(), t.port), ("example.com", 443));
        let t = Target::parse("127.0.0.1:8443", Some("10.0.0.1")).unwrap();
        assert_eq!((t.name.as_str(), t.port), ("127.0.0.1", 8443));
        assert_eq!(t.ip, Some("10.0.0.1".parse().unwrap()));
        let t = Target::parse("[::1]:4433", None).unwrap();
        assert_eq!((t.name.as_str(), t.port), ("::1", 4433));
        assert!(Target::parse("host:http", None).is_err());
        assert!(Target::parse("h", Some("nope")).is_err());
    }
}
