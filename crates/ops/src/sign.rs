//! `sign`: a certificate for a PEM CSR, or for CertificateSigningRequest
//! objects (their `status.certificate` filled in), from a CA and a signing
//! profile. The one issuing path the CLI and the server share.

use crate::load::{self, CaSource};
use crate::record::Issuance;
use certkit_core::csr::VerifiedCsr;
use certkit_core::error::{Result, UsageError};
use certkit_core::input::{display_path, read_input};
use certkit_core::issue::issuer::{Issued, Issuer, SignOptions};
use certkit_core::k8s::document::Document;
use certkit_core::k8s::sign::{sign_document, Intermediates, SignOptions as ObjectOptions};
use certkit_core::k8s::SignInput;
use certkit_core::output::cert_json;
use certkit_core::policy::Profile;
use certkit_core::report::Report;
use certkit_core::request::name::check_subject_override;
use certkit_core::request::Request;
use std::path::Path;

/// Everything `sign` takes.
#[derive(Debug, Clone, Default)]
pub struct SignInputs<'a> {
    pub ca: CaSource<'a>,
    /// The signing config (`-config`); cfssl's default when absent.
    pub config: Option<&'a Path>,
    /// The profile (`-profile`; empty for `signing.default`).
    pub profile: &'a str,
    /// `-hostname a,b`: hosts that replace the CSR's SANs.
    pub hostname: Option<&'a str>,
    /// The CSR (PEM) or CertificateSigningRequest objects.
    pub csr: &'a std::ffi::OsStr,
    /// A SUBJECT request whose non-empty attributes replace the CSR's.
    pub subject: Option<&'a Path>,
    pub allow_sha1: bool,
    pub allow_beyond_ca_expiry: bool,
    /// Issue an empty subject with no SAN (RFC 5280-invalid), as cfssl.
    pub allow_empty_subject: bool,
    /// `-crl URL`: the certificate's CRL distribution point, replacing
    /// the profile's `crl_url`.
    pub crl: Option<&'a str>,
    pub objects: ObjectInputs<'a>,
}

/// What only CertificateSigningRequest objects take.
#[derive(Debug, Clone, Default)]
pub struct ObjectInputs<'a> {
    /// Intermediates (PEM, signing CA first) appended after the leaf.
    pub bundle: Option<&'a str>,
    pub signer_name: Option<&'a str>,
    pub ignore_approval: bool,
    pub failed_condition: bool,
}

impl ObjectInputs<'_> {
    fn any(&self) -> bool {
        self.bundle.is_some()
            || self.signer_name.is_some()
            || self.ignore_approval
            || self.failed_condition
    }
}

/// Signs the CSR or objects `inputs` names.
pub fn sign(inputs: &SignInputs) -> Result<Issuance> {
    let mut report = Report::default();
    let mut issuer = load::issuer(inputs.ca)?;
    issuer.allow_beyond_ca_expiry(inputs.allow_beyond_ca_expiry);
    issuer.allow_empty_subject(inputs.allow_empty_subject);
    let config = load::config(inputs.config, &mut report)?;
    let profile = config.profile(load::profile_name(
        inputs.config,
        inputs.profile,
        &mut report,
    ))?;
    let profile = &*load::crl_override(profile, inputs.crl)?;
    let input = read_input(inputs.csr)?;
    let csr_name = display_path(inputs.csr);
    if let SignInput::Objects(doc) = SignInput::classify(&input, &csr_name)? {
        sign_objects(doc, inputs, &issuer, profile, &mut report)?;
        return Ok(Issuance {
            report,
            cert_der: None,
        });
    }
    if inputs.objects.any() {
        return Err(UsageError::missing("-bundle, -signer-name, -ignore-approval and -failed-condition apply only to CertificateSigningRequest objects"));
    }
    let hosts = inputs.hostname.map(load::split_hosts);
    let subject = inputs
        .subject
        .map(|path| load::request(path, &mut report))
        .transpose()?;
    let subject_name = inputs.subject.map(display_path);
    let (issued, csr) = sign_csr(
        &issuer,
        profile,
        &CsrRequest {
            csr: &input,
            source: &csr_name,
            allow_sha1: inputs.allow_sha1,
            hosts: hosts.as_deref(),
            subject: subject.as_ref().zip(subject_name.as_deref()),
            extensions: &[],
        },
        &mut report,
    )?;
    report.output = cert_json(Some(&issued.cert_pem), Some(&csr.to_pem()), None);
    Ok(Issuance {
        report,
        cert_der: Some(issued.cert_der),
    })
}

/// A PEM CSR to sign, as bytes, with a request's overrides.
#[derive(Debug, Clone, Copy)]
pub struct CsrRequest<'a> {
    pub csr: &'a [u8],
    /// The CSR's name in errors.
    pub source: &'a str,
    pub allow_sha1: bool,
    /// Hosts that replace the CSR's SANs.
    pub hosts: Option<&'a [String]>,
    /// A SUBJECT request (and its name) whose non-empty attributes
    /// replace the CSR's.
    pub subject: Option<(&'a Request, &'a str)>,
    /// A signing API request's extensions, already checked against the
    /// profile's `allowed_extensions`.
    pub extensions: &'a [certkit_core::issue::extensions::Extension],
}

/// Verifies and signs one PEM CSR: the step `sign`, the server's `/sign`
/// and `/authsign` share. Logs the serial; returns the certificate and
/// the verified CSR.
pub fn sign_csr(
    issuer: &Issuer,
    profile: &Profile,
    request: &CsrRequest,
    report: &mut Report,
) -> Result<(Issued, VerifiedCsr)> {
    let csr = VerifiedCsr::parse_allowing_sha1(request.csr, request.source, request.allow_sha1)?;
    if let Some((subject, source)) = request.subject {
        let warnings = check_subject_override(subject, source)?;
        report.warn_all(&warnings);
    }
    let options = SignOptions {
        hosts: request.hosts,
        subject: request.subject.map(|(s, _)| s),
        extensions: request.extensions,
    };
    let issued = issuer.sign_with(&csr, profile, &options)?;
    report.warn_all(&issued.warnings);
    report.info(format!(
        "signed certificate with serial number {}",
        issued.serial
    ));
    Ok((issued, csr))
}

/// Signs the objects and returns them with status.certificate set.
fn sign_objects(
    doc: Document,
    inputs: &SignInputs,
    issuer: &Issuer,
    profile: &Profile,
    report: &mut Report,
) -> Result<()> {
    if inputs.hostname.is_some() {
        return Err(UsageError::missing(
            "-hostname cannot change a CertificateSigningRequest object's names",
        ));
    }
    let objects = &inputs.objects;
    let intermediates = match objects.bundle {
        Some(path) => load::intermediates(path, issuer)?,
        None => Intermediates::default(),
    };
    let signed = sign_document(
        doc,
        &ObjectOptions {
            issuer,
            profile,
            signer_name: objects.signer_name,
            ignore_approval: objects.ignore_approval,
            failed_condition: objects.failed_condition,
            intermediates: &intermediates,
        },
    )?;
    report.warn_all(&signed.warnings);
    for (name, serial) in &signed.signed {
        report.info(format!(
            "{name}: signed certificate with serial number {serial}"
        ));
    }
    for (name, why) in &signed.failed {
        report.warn(format!(
            "{name}: not signed, Failed condition written: {why}"
        ));
    }
    report.output = signed.output.into();
    Ok(())
}
