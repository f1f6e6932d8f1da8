//! `sign`, `gencert` and `info` through a signer elsewhere (cfssl's
//! client): the request is made here, the certificate comes from the
//! [`Signer`]. The signer is connected by the caller's `connect` when the
//! operation reaches that step, so that errors come in cfssl's order
//! (a bad request file before an unreachable or unnamed remote).

use crate::load;
use crate::signer::{SignRequest, Signer};
use certkit_core::csr;
use certkit_core::error::{Error, Result};
use certkit_core::input::{display_name, read_input, read_text};
use certkit_core::keys::format::KeyEncoder;
use certkit_core::keys::KeyPair;
use certkit_core::output::cert_json;
use certkit_core::report::Report;
use serde::Serialize;
use serde_json::Value;

/// Connects the signer, adding the config's warnings to the report.
pub type Connect<'a> = dyn Fn(&mut Report) -> Result<Box<dyn Signer>> + 'a;

/// Where a remote operation goes: the profile and label it names.
#[derive(Debug, Clone, Copy, Default)]
pub struct Names<'a> {
    pub profile: &'a str,
    pub label: &'a str,
}

/// `sign -remote`: the CSR at `csr` (and an optional SUBJECT file) signed
/// by the remote; prints `{"cert","csr"}` as cfssl does.
pub fn sign(
    connect: &Connect,
    names: Names,
    csr_path: &str,
    hostname: Option<&str>,
    subject: Option<&str>,
) -> Result<Report> {
    let mut report = Report::default();
    let signer = connect(&mut report)?;
    let csr_pem = read_text(csr_path)?;
    // Checked here so a bad file fails before anything is sent.
    certkit_core::csr::VerifiedCsr::parse(csr_pem.as_bytes(), display_name(csr_path))?;
    let subject = subject
        .map(|path| -> Result<Value> {
            serde_json::from_slice(&read_input(path)?).map_err(|e| Error::Json {
                what: display_name(path).into(),
                source: e,
            })
        })
        .transpose()?;
    let cert = signer.sign(&SignRequest {
        hosts: hostname.map(load::split_hosts),
        certificate_request: &csr_pem,
        subject,
        profile: names.profile,
        crl_override: "",
        label: names.label,
    })?;
    report.info(format!("signed by {}", signer.name()));
    report.output = cert_json(Some(&cert), Some(&csr_pem), None);
    Ok(report)
}

/// `gencert -remote`: a key and CSR made here, the certificate by the
/// remote; prints `{"cert","csr","key"}`.
pub fn gencert(
    connect: &Connect,
    names: Names,
    request_path: &str,
    hostname: Option<&str>,
    keys: &KeyEncoder,
) -> Result<Report> {
    let mut report = Report::default();
    let mut req = load::request(std::path::Path::new(request_path), &mut report)?;
    if let Some(hosts) = hostname {
        req.hosts = load::split_hosts(hosts);
    }
    let signer = connect(&mut report)?;
    report.info("generate received request");
    report.info(format!("generating key: {}", req.key));
    let key = KeyPair::generate(req.key)?;
    let csr_pem = csr::build(&req, &key)?;
    report.info("encoded CSR");
    let cert = signer.sign(&SignRequest {
        hosts: None,
        certificate_request: &csr_pem,
        subject: None,
        profile: names.profile,
        crl_override: "",
        label: names.label,
    })?;
    report.output = cert_json(Some(&cert), Some(&csr_pem), Some(&keys.pem(&key)?));
    Ok(report)
}

/// cfssl's `info.Resp`, in its key order.
#[derive(Serialize)]
struct InfoOutput {
    certificate: String,
    usages: Value,
    expiry: Value,
}

/// `info -remote`: the remote CA's certificate and the profile's usages
/// and expiry.
pub fn info(connect: &Connect, names: Names) -> Result<Report> {
    let mut report = Report::default();
    let signer = connect(&mut report)?;
    let answer = signer.info(names.label, names.profile)?;
    let result: Value =
        serde_json::from_str(answer.get()).map_err(|e| Error::Encoding(e.to_string()))?;
    let output = InfoOutput {
        certificate: result["certificate"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        usages: result["usages"].clone(),
        expiry: result["expiry"].clone(),
    };
    let mut text = serde_json::to_string(&output).map_err(|e| Error::Encoding(e.to_string()))?;
    text.push('\n');
    report.output = text.into();
    Ok(report)
}
