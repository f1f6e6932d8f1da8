//! `sign` with CertificateSigningRequest objects as input: the flags only
//! objects take, and the few lines that hand them to the library.

use crate::cli::common::{log_warnings, print_stdout};
use crate::error::{Error, Result};
use crate::input::{display_name, read_input};
use crate::issuer::Issuer;
use crate::k8s::document::Document;
use crate::k8s::sign::{sign_document, Intermediates, SignOptions};
use crate::log;
use crate::policy::Profile;

/// Flags for CertificateSigningRequest objects (`kubectl get csr -o json|yaml`).
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Kubernetes CertificateSigningRequest objects")]
pub struct SignObjectArgs {
    /// Intermediate certificates (PEM, the signing CA first) to append after the leaf in status.certificate
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<String>,

    /// Sign only objects whose spec.signerName is NAME; Kubernetes' built-in signers also get their rules
    #[arg(long = "signer-name", value_name = "NAME")]
    pub signer_name: Option<String>,

    /// Sign objects that have no Approved condition (Denied and Failed ones are still refused)
    #[arg(long = "ignore-approval", num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = clap::builder::BoolishValueParser::new())]
    pub ignore_approval: bool,

    /// Print an invalid request with a Failed condition (exit 0) instead of failing
    #[arg(long = "failed-condition", num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = clap::builder::BoolishValueParser::new())]
    pub failed_condition: bool,
}

impl SignObjectArgs {
    /// Refuses these flags on a PEM CSR, where they would mean nothing.
    pub fn refuse_for_pem(&self) -> Result<()> {
        if self.bundle.is_some()
            || self.signer_name.is_some()
            || self.ignore_approval
            || self.failed_condition
        {
            return Err(Error::Refused(
                "-bundle, -signer-name, -ignore-approval and -failed-condition apply only to CertificateSigningRequest objects".into(),
            ));
        }
        Ok(())
    }
}

/// Signs the objects and prints them with status.certificate set.
pub fn sign_objects(
    doc: Document,
    args: &SignObjectArgs,
    hostname: Option<&str>,
    issuer: &Issuer,
    profile: &Profile,
) -> Result<()> {
    if hostname.is_some() {
        return Err(Error::Refused(
            "-hostname cannot change a CertificateSigningRequest object's names".into(),
        ));
    }
    let intermediates = match &args.bundle {
        Some(path) => {
            Intermediates::load(&read_input(path)?, display_name(path), issuer.certificate())?
        }
        None => Intermediates::default(),
    };
    let report = sign_document(
        doc,
        &SignOptions {
            issuer,
            profile,
            signer_name: args.signer_name.as_deref(),
            ignore_approval: args.ignore_approval,
            failed_condition: args.failed_condition,
            intermediates: &intermediates,
        },
    )?;
    log_warnings(&report.warnings);
    for (name, serial) in &report.signed {
        log::info(&format!(
            "{name}: signed certificate with serial number {serial}"
        ));
    }
    for (name, why) in &report.failed {
        log::warning(&format!(
            "{name}: not signed, Failed condition written: {why}"
        ));
    }
    print_stdout(&report.output)
}
