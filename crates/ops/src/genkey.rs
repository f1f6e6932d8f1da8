//! `genkey` (a new key and its CSR) and `gencsr` (a new CSR for an
//! existing key, from a request or from a certificate to renew).

use crate::load;
use certkit_core::csr;
use certkit_core::error::{Error, Result};
use certkit_core::input::{display_name, read_input};
use certkit_core::issue::issuer::parse_certificate;
use certkit_core::issue::renew_ca::request_from_certificate;
use certkit_core::keys::format::KeyEncoder;
use certkit_core::keys::KeyPair;
use certkit_core::output::cert_json;
use certkit_core::report::Report;
use zeroize::Zeroizing;

/// A new key and CSR for the request at `path`; the key is encoded by `keys`.
pub fn genkey(path: &std::path::Path, keys: &KeyEncoder) -> Result<Report> {
    let mut report = Report::default();
    let req = load::request(path, &mut report)?;
    if req.ca.is_some() {
        report.warn("the request's \"ca\" section is only used with -initca; ignored");
    }
    report.info("generate received request");
    report.info(format!("generating key: {}", req.key));
    let key = KeyPair::generate(req.key)?;
    let csr = csr::build(&req, &key)?;
    report.info("encoded CSR");
    report.output = cert_json(None, Some(&csr), Some(&keys.pem(&key)?));
    Ok(report)
}

/// Where `gencsr` takes the subject and hosts from.
#[derive(Debug, Clone, Copy)]
pub enum CsrSource<'a> {
    /// A request (cfssl CSR JSON).
    Request(&'a str),
    /// A certificate whose subject and SANs are kept (for renewal).
    Certificate(&'a str),
}

/// A CSR for the key at `key_path`; cfssl echoes the key, so
/// `json -bare NAME` writes NAME-key.pem back.
pub fn gencsr(key_path: &str, source: CsrSource, hostname: Option<&str>) -> Result<Report> {
    let mut report = Report::default();
    let key_pem = Zeroizing::new(read_input(key_path)?);
    let key = KeyPair::from_pem(&key_pem, display_name(key_path))?;
    let mut req = match source {
        CsrSource::Certificate(cert) => {
            let parsed = parse_certificate(&read_input(cert)?, display_name(cert))?;
            request_from_certificate(&parsed, display_name(cert))?
        }
        CsrSource::Request(json) => load::request(std::path::Path::new(json), &mut report)?,
    };
    if let Some(hosts) = hostname {
        req.hosts = load::split_hosts(hosts);
    }
    let csr_pem = csr::build(&req, &key)?;
    report.output = cert_json(None, Some(&csr_pem), Some(&key.to_pem()?));
    Ok(report)
}

/// The error for `gencsr` given neither a request nor a certificate.
pub fn no_csr_source() -> Error {
    Error::Request("give a CSRJSON file or -cert FILE".into())
}
