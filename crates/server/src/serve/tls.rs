//! TLS for `serve` (rustls with the AWS-LC provider): `-tls-cert` and
//! `-tls-key`, `-min-tls-version`, and mutual TLS (`-mutual-tls-ca`
//! verifies client certificates; `-mutual-tls-cn` is checked per
//! connection, a mismatch answers cfssl's 403 `Invalid CN`).

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use std::sync::Arc;

/// What `-tls-*` and `-mutual-tls-*` name.
#[derive(Debug, Clone, Default)]
pub struct TlsFiles {
    pub cert: String,
    pub key: String,
    pub client_ca: Option<String>,
    /// `-min-tls-version`: "1.2" or "1.3" (cfssl also knows 1.0 and 1.1,
    /// which rustls does not offer).
    pub min_version: Option<String>,
}

/// A TLS file or setting that cannot be used; the message names the file
/// or flag.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error(transparent)]
    Read(#[from] certkit_core::Error),
    #[error("{path}: {source}")]
    Pem {
        path: String,
        source: rustls::pki_types::pem::Error,
    },
    #[error("{path}: no certificate found")]
    NoCertificate { path: String },
    #[error("{path}: unusable CA certificate: {source}")]
    UnusableCa { path: String, source: rustls::Error },
    #[error("-min-tls-version {0:?}: expected 1.2 or 1.3")]
    Version(String),
    /// The file's contents refused by rustls (a key that does not match
    /// the certificate, a verifier without roots).
    #[error("{path}: {reason}")]
    Refused { path: String, reason: String },
}

fn read(path: &str) -> Result<Vec<u8>, TlsError> {
    Ok(certkit_core::input::read_input(path)?)
}

/// Certificates from a PEM file.
pub fn certificates(path: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read(path)?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|source| TlsError::Pem {
            path: path.into(),
            source,
        })?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate { path: path.into() });
    }
    Ok(certs)
}

/// A PEM private key (PKCS#1, SEC1 or PKCS#8).
pub fn private_key(path: &str) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_slice(&read(path)?).map_err(|source| TlsError::Pem {
        path: path.into(),
        source,
    })
}

/// A root store from a PEM bundle.
pub fn roots(path: &str) -> Result<RootCertStore, TlsError> {
    let mut store = RootCertStore::empty();
    for cert in certificates(path)? {
        store.add(cert).map_err(|source| TlsError::UnusableCa {
            path: path.into(),
            source,
        })?;
    }
    Ok(store)
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The versions at or above `-min-tls-version`.
pub fn versions(
    min: Option<&str>,
) -> Result<&'static [&'static rustls::SupportedProtocolVersion], TlsError> {
    static ALL: &[&rustls::SupportedProtocolVersion] =
        &[&rustls::version::TLS13, &rustls::version::TLS12];
    static ONLY_13: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS13];
    match min.unwrap_or("") {
        "" | "1.0" | "1.1" | "1.2" => Ok(ALL),
        "1.3" => Ok(ONLY_13),
        other => Err(TlsError::Version(other.to_string())),
    }
}

/// The server's TLS configuration.
pub fn server_config(files: &TlsFiles) -> Result<Arc<ServerConfig>, TlsError> {
    let refused = |path: &str, reason: String| TlsError::Refused {
        path: path.into(),
        reason,
    };
    let builder = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(versions(files.min_version.as_deref())?)
        .map_err(|e| refused("-min-tls-version", e.to_string()))?;
    let builder = match &files.client_ca {
        Some(ca) => {
            let verifier =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots(ca)?), provider())
                    .build()
                    .map_err(|e| refused(ca, e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder
        .with_single_cert(certificates(&files.cert)?, private_key(&files.key)?)
        .map_err(|e| refused(&files.key, e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The common name of a client certificate's subject.
pub fn common_name(der: &[u8]) -> Option<String> {
    certkit_core::chain::certs::Cert::from_der(der)
        .ok()?
        .common_name()
}
