//! `gencsr`: a new CSR for an existing key (the renewal path).

use crate::common::emit;
use certkit_core::error::Result;
use certkit_ops::genkey::{gencsr, no_csr_source, CsrSource};

/// Generate a CSR for an existing private key
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Renew a server certificate with its existing key (writes server.csr, keeps server-key.pem):
    certkit gencsr -key server-key.pem server.json | certkit json -bare server
    certkit sign -ca ca.pem -ca-key ca-key.pem -config signing.json server.csr | \\
      certkit json -bare server
  The same, taking subject and hosts from the current certificate:
    certkit gencsr -key server-key.pem -cert server.pem | certkit json -bare server")]
pub struct Args {
    /// Private key (PEM) the CSR is for
    #[arg(long, value_name = "FILE", required = true)]
    pub key: String,

    /// Comma-separated hosts that replace the request's hosts
    #[arg(long, value_name = "HOSTS")]
    pub hostname: Option<String>,

    /// Certificate (PEM) whose subject, hosts and CA settings the CSR repeats, instead of CSRJSON
    #[arg(long, value_name = "FILE", conflicts_with = "csr_json")]
    pub cert: Option<String>,

    /// Request JSON (cfssl CSR JSON) file, or - for standard input
    #[arg(value_name = "CSRJSON", required_unless_present = "cert")]
    pub csr_json: Option<String>,
}

pub fn run(args: Args) -> Result<()> {
    let source = match (&args.cert, &args.csr_json) {
        (Some(cert), _) => CsrSource::Certificate(cert),
        (None, Some(json)) => CsrSource::Request(json),
        (None, None) => return Err(no_csr_source()),
    };
    emit(gencsr(&args.key, source, args.hostname.as_deref())?)
}
