//! `selfsign`: a key and a certificate signed by itself, for testing.

use crate::common::{
    load_config, load_request, log_warnings, print_stdout, split_hosts, KeyOutputArgs,
};
use crate::log;
use certkit_core::error::Result;
use certkit_core::issue::selfsign::{default_profile, self_signed};
use certkit_core::output::cert_json;

const WARNING: &str = "*** WARNING ***

Self-signed certificates are dangerous. Use this self-signed
certificate at your own risk.

It is strongly recommended that these certificates NOT be used
in production.

*** WARNING ***
";

/// Generate a key and a self-signed certificate (for testing only)
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  A throw-away certificate for a local test server, written as test.pem and test-key.pem:
    certkit print-defaults csr > csr.json
    certkit selfsign localhost,127.0.0.1 csr.json | certkit json -bare test")]
pub struct Args {
    /// Signing configuration (cfssl config JSON); default: cfssl's usages for 2190h
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,

    /// Signing profile from the config (default: signing.default)
    #[arg(long, value_name = "NAME", default_value = "")]
    pub profile: String,

    /// Comma-separated hosts for the certificate; they replace the request's hosts
    #[arg(value_name = "HOSTNAME")]
    pub hostname: String,

    /// Request JSON (cfssl CSR JSON) file, or - for standard input
    #[arg(value_name = "CSRJSON")]
    pub csr_json: String,

    #[command(flatten)]
    pub key_output: KeyOutputArgs,
}

pub fn run(args: Args) -> Result<()> {
    let keys = args.key_output.encoder()?;
    let req = load_request(&args.csr_json)?;
    let profile = match &args.config {
        Some(path) => load_config(Some(path))?.profile(&args.profile)?.clone(),
        None => default_profile(),
    };
    let made = self_signed(&req, &split_hosts(&args.hostname), &profile)?;
    log_warnings(&made.warnings);
    log::info(&format!(
        "signed certificate with serial number {}",
        made.serial
    ));
    eprintln!("{WARNING}");
    print_stdout(&cert_json(
        Some(&made.cert_pem),
        Some(&made.csr_pem),
        Some(&keys.pem(&made.key)?),
    ))
}
