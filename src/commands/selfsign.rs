//! `selfsign`: a key and a certificate signed by itself, for testing.

use crate::common::{emit_notes, print_stdout, KeyOutputArgs};
use certkit_core::error::Result;
use certkit_ops::selfsign::selfsign;

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
    let report = selfsign(
        &args.csr_json,
        &args.hostname,
        args.config.as_deref(),
        &args.profile,
        &keys,
    )?;
    emit_notes(&report);
    eprintln!("{WARNING}");
    print_stdout(&report.output)
}
