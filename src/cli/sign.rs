//! `sign`: a certificate for a CSR, from a CA and a signing profile.

use super::common::{load_config, load_issuer, log_warnings, print_stdout, split_hosts};
use crate::csr::VerifiedCsr;
use crate::error::{Error, Result};
use crate::input::{display_name, read_input};
use crate::log;
use crate::output::cert_json;

/// Sign a certificate signing request with a CA
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Sign an approved Kubernetes CSR read from standard input:
    kubectl get csr my-svc.my-namespace -o jsonpath='{.spec.request}' | base64 --decode | \\
      certkit sign -ca ca.pem -ca-key ca-key.pem -config server-signing-config.json - | \\
      certkit json -bare ca-signed-server
  Sign a legacy device's SHA-1 CSR, letting the certificate outlive the CA as cfssl did:
    certkit sign -ca ca.pem -ca-key ca-key.pem -allow-sha1 -allow-beyond-ca-expiry legacy.csr | \\
      certkit json -bare legacy")]
pub struct Args {
    /// CA certificate (PEM) to sign with
    #[arg(long, value_name = "FILE")]
    pub ca: Option<String>,

    /// CA private key (PEM) to sign with
    #[arg(long = "ca-key", value_name = "FILE")]
    pub ca_key: Option<String>,

    /// Signing configuration (cfssl config JSON); default: cfssl's default profile
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,

    /// Signing profile from the config (default: signing.default)
    #[arg(long, value_name = "NAME", default_value = "")]
    pub profile: String,

    /// Comma-separated hosts that replace the CSR's SANs
    #[arg(long, value_name = "HOSTS")]
    pub hostname: Option<String>,

    /// CSR file (PEM), instead of the positional argument
    #[arg(long = "csr", value_name = "FILE")]
    pub csr_file: Option<String>,

    /// CSR file (PEM), or - for standard input
    #[arg(value_name = "CSR")]
    pub csr: Option<String>,

    /// Accept a CSR signed with SHA-1 (refused by default: SHA-1 collisions are practical)
    #[arg(long = "allow-sha1", num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_sha1: bool,

    /// Let the certificate outlive the CA as cfssl does (by default notAfter is capped at the CA's)
    #[arg(long = "allow-beyond-ca-expiry", num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_beyond_ca_expiry: bool,
}

pub fn run(args: Args) -> Result<()> {
    let csr_path = args
        .csr_file
        .or(args.csr)
        .ok_or_else(|| Error::Refused("no CSR given (a file, - for standard input, or -csr FILE)".into()))?;
    let mut issuer = load_issuer(args.ca.as_deref(), args.ca_key.as_deref())?;
    issuer.allow_beyond_ca_expiry(args.allow_beyond_ca_expiry);
    let config = load_config(args.config.as_deref())?;
    let profile = config.profile(&args.profile)?;
    let csr = VerifiedCsr::parse_allowing_sha1(&read_input(&csr_path)?, display_name(&csr_path), args.allow_sha1)?;
    let hosts = args.hostname.as_deref().map(split_hosts);
    let issued = issuer.sign(&csr, profile, hosts.as_deref())?;
    log_warnings(&issued.warnings);
    log::info(&format!("signed certificate with serial number {}", issued.serial));
    print_stdout(&cert_json(Some(&issued.cert_pem), Some(&csr.to_pem()), None))
}
