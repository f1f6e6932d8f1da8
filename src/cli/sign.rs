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
      certkit json -bare ca-signed-server")]
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
}

pub fn run(args: Args) -> Result<()> {
    let csr_path = args
        .csr_file
        .or(args.csr)
        .ok_or_else(|| Error::Refused("no CSR given (a file, - for standard input, or -csr FILE)".into()))?;
    let issuer = load_issuer(args.ca.as_deref(), args.ca_key.as_deref())?;
    let config = load_config(args.config.as_deref())?;
    let profile = config.profile(&args.profile)?;
    let csr = VerifiedCsr::parse(&read_input(&csr_path)?, display_name(&csr_path))?;
    let hosts = args.hostname.as_deref().map(split_hosts);
    let issued = issuer.sign(&csr, profile, hosts.as_deref())?;
    log_warnings(&issued.warnings);
    log::info(&format!("signed certificate with serial number {}", issued.serial));
    print_stdout(&cert_json(Some(&issued.cert_pem), Some(&csr.to_pem()), None))
}
