//! `verify --ocsp [URL]`: the request to send about a verified leaf (to
//! the URL given, else the leaf's AIA OCSP responder) and the check of
//! the answer. The HTTP exchange in between is handed in
//! (`certkit_remote::ocsp::post`).

use certkit_core::chain::bundle::chain::leaf_first;
use certkit_core::chain::certs::{parse_all, Cert};
use certkit_core::chain::verify::Files;
use certkit_core::error::{Error, Result};
use certkit_core::input::{display_path, read_input, read_pool};
use certkit_core::report::Report;
use certkit_core::revocation::ocsp::{build_request, check_response, CertIdHash, Status};
use std::time::SystemTime;

/// A prepared OCSP check of one certificate.
pub struct OcspCheck {
    pub url: String,
    /// The DER OCSPRequest to POST.
    pub request: Vec<u8>,
    name: String,
    issuer: Cert,
    serial: Vec<u8>,
    nonce: [u8; 16],
}

fn certs(bytes: &[u8], path: &std::path::Path) -> Result<Vec<Cert>> {
    parse_all(bytes).map_err(|e| Error::decode(display_path(path), e))
}

/// The HTTP exchange: POSTs a DER request to a URL, returns the body.
pub type Post = dyn Fn(&str, &[u8]) -> Result<Vec<u8>>;

/// `verify --ocsp[=URL]` after the chain verified: asks `url` (empty: the
/// leaf's AIA responder) about the leaf of `files`, through `post`.
pub fn check(files: &Files, url: &str, now: SystemTime, post: &Post) -> Result<Report> {
    let check = prepare(files, Some(url).filter(|u| !u.is_empty()))?;
    let response = post(&check.url, &check.request)?;
    check.conclude(&response, now)
}

/// Builds the request (SHA-1 CertID, as RFC 5019 clients send, and a
/// random nonce) for the leaf of `files` (as `verify` reads them), whose issuer must be among the
/// certificates given.
pub fn prepare(files: &Files, url: Option<&str>) -> Result<OcspCheck> {
    let name = display_path(files.cert);
    let mut given = leaf_first(certs(&read_input(files.cert)?, files.cert)?).into_iter();
    let leaf = given
        .next()
        .ok_or_else(|| Error::decode(&name, "no certificate found"))?;
    let mut pool: Vec<Cert> = given.collect();
    if let Some(path) = files.int_bundle {
        pool.extend(certs(&read_pool(path)?, path)?);
    }
    pool.extend(certs(&read_pool(files.ca_bundle)?, files.ca_bundle)?);
    let issuer = pool
        .into_iter()
        .find(|c| c.subject_der() == leaf.issuer_der() && leaf.signed_by(c))
        .ok_or_else(|| {
            Error::Refused(format!(
                "{name}: OCSP: its issuer is not among the certificates given"
            ))
        })?;
    let url = match url {
        Some(u) => u.to_string(),
        None => leaf.ocsp_servers().into_iter().next().ok_or_else(|| {
            Error::Refused(format!(
                "{name}: OCSP: the certificate names no OCSP responder (give one: --ocsp URL)"
            ))
        })?,
    };
    let mut nonce = [0u8; 16];
    aws_lc_rs::rand::fill(&mut nonce)
        .map_err(|_| Error::Encoding("random number generator failed".into()))?;
    let serial = leaf
        .cert
        .tbs_certificate()
        .serial_number()
        .as_bytes()
        .to_vec();
    let request = build_request(&issuer.cert, &serial, CertIdHash::Sha1, Some(&nonce))?;
    Ok(OcspCheck {
        url,
        request,
        name,
        issuer,
        serial,
        nonce,
    })
}

impl OcspCheck {
    /// Checks the responder's answer: good is a report, revoked and
    /// unknown are refusals naming the certificate.
    pub fn conclude(&self, response: &[u8], now: SystemTime) -> Result<Report> {
        let status =
            check_response(response, &self.issuer, &self.serial, Some(&self.nonce), now)
                .map_err(|e| Error::Refused(format!("{}: OCSP ({}): {e}", self.name, self.url)))?;
        match status {
            Status::Good => {
                let mut report = Report::default();
                report.info(format!("{}: OCSP ({}): good", self.name, self.url));
                Ok(report)
            }
            Status::Revoked { at, reason } => {
                let when = time::OffsetDateTime::from(at)
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
                let why = reason.map_or(String::new(), |r| format!(" ({})", r.name()));
                Err(Error::Refused(format!(
                    "{}: OCSP ({}): revoked at {when}{why}",
                    self.name, self.url
                )))
            }
            Status::Unknown => Err(Error::Refused(format!(
                "{}: OCSP ({}): the responder does not know the certificate",
                self.name, self.url
            ))),
        }
    }
}
