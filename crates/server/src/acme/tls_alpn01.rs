//! The tls-alpn-01 validation (RFC 8737): a TLS handshake to port 443 (or
//! `-acme-tlsalpn01-port`) offering only the `acme-tls/1` protocol, with
//! the identifier as SNI (an IP identifier's reverse-DNS name, RFC 8738
//! 6). The server must negotiate `acme-tls/1` and present a certificate
//! whose only SAN is the identifier and whose critical
//! id-pe-acmeIdentifier extension holds SHA-256 of the key
//! authorization. TLS is rustls (aws-lc-rs); the certificate is read by
//! x509-parser. It is self-signed by design, so no chain is checked, but
//! the handshake signature is: the peer holds the certificate's key.
//! Only TLS 1.3 is offered (lego, certbot's plugins and cert-manager
//! speak it).

use super::objects::Identifier;
use super::problem::Problem;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls13_signature_with_raw_key, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, SubjectPublicKeyInfoDer, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// id-pe-acmeIdentifier, RFC 8737 section 6.1.
const ACME_IDENTIFIER_OID: &str = "1.3.6.1.5.5.7.1.31";

/// Accepts any certificate (the checks are the challenge's own) but
/// verifies the TLS 1.3 handshake signature with aws-lc-rs against the
/// certificate's key. The key is taken from the certificate by
/// x509-parser: webpki refuses the critical acmeIdentifier extension it
/// does not know, so rustls's certificate-based check cannot be used.
#[derive(Debug)]
struct ChallengeCert(Arc<CryptoProvider>);

impl ServerCertVerifier for ChallengeCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        // Only TLS 1.3 is offered (see `validate`).
        Err(rustls::Error::General("tls-alpn-01 needs TLS 1.3".into()))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        use x509_parser::prelude::{FromDer, X509Certificate};
        let (_, parsed) = X509Certificate::from_der(cert)
            .map_err(|_| rustls::Error::General("the certificate does not parse".into()))?;
        let spki = SubjectPublicKeyInfoDer::from(parsed.tbs_certificate.subject_pki.raw);
        verify_tls13_signature_with_raw_key(
            message,
            &spki,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// RFC 8738 section 6: the SNI of an IP identifier.
fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let mut name: Vec<String> = v6
                .octets()
                .iter()
                .rev()
                .flat_map(|b| [format!("{:x}", b & 0xf), format!("{:x}", b >> 4)])
                .collect();
            name.push("ip6.arpa".into());
            name.join(".")
        }
    }
}

/// Runs the handshake at `address` and checks what it presents.
pub async fn validate(
    address: SocketAddr,
    identifier: &Identifier,
    key_authorization: &str,
) -> Result<(), Problem> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| Problem::server_internal(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ChallengeCert(provider)))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"acme-tls/1".to_vec()];
    let ip: Option<IpAddr> = (identifier.kind == "ip")
        .then(|| identifier.value.parse().ok())
        .flatten();
    let sni = match ip {
        Some(ip) => reverse_name(ip),
        None => identifier.value.clone(),
    };
    let server_name = ServerName::try_from(sni.clone())
        .map_err(|_| Problem::malformed(format!("{sni} is not a TLS server name")))?;
    let unreachable = |e: &dyn std::fmt::Display| Problem::connection(format!("{address}: {e}"));
    let handshake = async {
        let stream = tokio::net::TcpStream::connect(address)
            .await
            .map_err(|e| unreachable(&e))?;
        tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(server_name, stream)
            .await
            .map_err(|e| unreachable(&e))
    };
    let tls = tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake)
        .await
        .map_err(|_| unreachable(&"no TLS handshake in time"))??;
    let (_, session) = tls.get_ref();
    if session.alpn_protocol() != Some(b"acme-tls/1".as_slice()) {
        return Err(Problem::unauthorized(
            "the server did not negotiate acme-tls/1",
        ));
    }
    let cert = session
        .peer_certificates()
        .and_then(|c| c.first())
        .ok_or_else(|| Problem::unauthorized("no certificate presented"))?;
    check_certificate(cert, identifier, ip, key_authorization)
}

/// RFC 8737 section 3's checks of the presented certificate.
fn check_certificate(
    der: &[u8],
    identifier: &Identifier,
    ip: Option<IpAddr>,
    key_authorization: &str,
) -> Result<(), Problem> {
    use x509_parser::der_parser::der::parse_der_octetstring;
    use x509_parser::extensions::{GeneralName, ParsedExtension};
    use x509_parser::prelude::{FromDer, X509Certificate};
    let (_, cert) = X509Certificate::from_der(der)
        .map_err(|e| Problem::unauthorized(format!("the certificate does not parse: {e}")))?;
    let mut names = Vec::new();
    let mut digest = None;
    for extension in cert.extensions() {
        if let ParsedExtension::SubjectAlternativeName(san) = extension.parsed_extension() {
            names.extend(san.general_names.iter().cloned());
        }
        if extension.oid.to_id_string() == ACME_IDENTIFIER_OID {
            if !extension.critical {
                return Err(Problem::unauthorized("acmeIdentifier is not critical"));
            }
            let (_, value) = parse_der_octetstring(extension.value)
                .map_err(|_| Problem::unauthorized("acmeIdentifier is not an OCTET STRING"))?;
            digest = value.as_slice().ok().map(<[u8]>::to_vec);
        }
    }
    let names_match = match (names.as_slice(), ip) {
        ([GeneralName::DNSName(name)], None) => name.eq_ignore_ascii_case(&identifier.value),
        ([GeneralName::IPAddress(bytes)], Some(ip)) => match ip {
            IpAddr::V4(v4) => *bytes == v4.octets().as_slice(),
            IpAddr::V6(v6) => *bytes == v6.octets().as_slice(),
        },
        _ => false,
    };
    if !names_match {
        return Err(Problem::unauthorized(format!(
            "the certificate's only SAN must be {}",
            identifier.value
        )));
    }
    let expected =
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, key_authorization.as_bytes());
    if digest.as_deref() != Some(expected.as_ref()) {
        return Err(Problem::incorrect_response(
            "acmeIdentifier is not the key authorization's digest",
        ));
    }
    Ok(())
}
