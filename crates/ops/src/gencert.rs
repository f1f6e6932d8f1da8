//! `gencert` with a CA: a new key, its CSR and the certificate the CA
//! signs for it, in one step.

use crate::load::{self, CaSource};
use crate::record::Issuance;
use certkit_core::csr::VerifiedCsr;
use certkit_core::error::{Error, Result};
use certkit_core::keys::format::KeyEncoder;
use certkit_core::keys::KeyPair;
use certkit_core::output::cert_json;
use certkit_core::report::Report;

/// Everything `gencert` with a CA takes.
#[derive(Debug, Clone, Default)]
pub struct GencertInputs<'a> {
    pub ca: CaSource<'a>,
    pub config: Option<&'a std::path::Path>,
    pub profile: &'a str,
    /// `-hostname a,b`: replaces the request's hosts.
    pub hostname: Option<&'a str>,
    /// The request (cfssl CSR JSON).
    pub request: &'a std::ffi::OsStr,
    /// `-cn NAME`: replaces the request's CN.
    pub cn: Option<&'a str>,
    pub allow_beyond_ca_expiry: bool,
    /// Issue an empty subject with no SAN (RFC 5280-invalid), as cfssl.
    pub allow_empty_subject: bool,
    /// `-crl URL`: the certificate's CRL distribution point, replacing
    /// the profile's `crl_url`.
    pub crl: Option<&'a str>,
}

/// Makes the key, CSR and certificate; the key is encoded by `keys`.
pub fn gencert(inputs: &GencertInputs, keys: &KeyEncoder) -> Result<Issuance> {
    let mut report = Report::default();
    let mut req =
        load::request_with_cn(std::path::Path::new(inputs.request), inputs.cn, &mut report)?;
    if req.ca.is_some() {
        return Err(Error::Request(
            "the \"ca\" section is only allowed with -initca".into(),
        ));
    }
    if let Some(hosts) = inputs.hostname {
        req.hosts = load::split_hosts(hosts);
    }
    let config = load::config(inputs.config, &mut report)?;
    let profile = config.profile(load::profile_name(
        inputs.config,
        inputs.profile,
        &mut report,
    ))?;
    let profile = load::crl_override(profile, inputs.crl)?;
    let mut issuer = load::issuer(inputs.ca)?;
    issuer.allow_beyond_ca_expiry(inputs.allow_beyond_ca_expiry);
    issuer.allow_empty_subject(inputs.allow_empty_subject);
    report.info("generate received request");
    report.info(format!("generating key: {}", req.key));
    let key = KeyPair::generate(req.key)?;
    let csr = VerifiedCsr::built(&req, &key)?;
    let csr_pem = csr.to_pem();
    report.info("encoded CSR");
    let issued = issuer.sign(&csr, &profile, None)?;
    report.warn_all(&issued.warnings);
    report.info(format!(
        "signed certificate with serial number {}",
        issued.serial
    ));
    report.output = cert_json(
        Some(&issued.cert_pem),
        Some(&csr_pem),
        Some(&keys.pem(&key)?),
    );
    Ok(Issuance {
        report,
        cert_der: Some(issued.cert_der),
    })
}
