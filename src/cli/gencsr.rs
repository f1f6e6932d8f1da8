//! `gencsr`: a new CSR for an existing key (the renewal path).

use super::common::{load_request, print_stdout, split_hosts};
use crate::error::Result;
use crate::input::{display_name, read_input};
use crate::key::KeyPair;
use crate::output::cert_json;

/// Generate a CSR for an existing private key
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Renew a server certificate with its existing key (writes server.csr, keeps server-key.pem):
    certkit gencsr -key server-key.pem server.json | certkit json -bare server
    certkit sign -ca ca.pem -ca-key ca-key.pem -config signing.json server.csr | certkit json -bare server")]
pub struct Args {
    /// Private key (PEM) the CSR is for
    #[arg(long, value_name = "FILE", required = true)]
    pub key: String,

    /// Comma-separated hosts that replace the request's hosts
    #[arg(long, value_name = "HOSTS")]
    pub hostname: Option<String>,

    /// Request JSON (cfssl CSR JSON) file, or - for standard input
    #[arg(value_name = "CSRJSON")]
    pub csr_json: String,
}

pub fn run(args: Args) -> Result<()> {
    let key_pem = zeroize::Zeroizing::new(read_input(&args.key)?);
    let key = KeyPair::from_pem(&key_pem, display_name(&args.key))?;
    let mut req = load_request(&args.csr_json)?;
    if let Some(hosts) = &args.hostname {
        req.hosts = split_hosts(hosts);
    }
    let csr_pem = crate::csr::build(&req, &key)?;
    // cfssl echoes the key, so `json -bare NAME` writes NAME-key.pem back.
    print_stdout(&cert_json(None, Some(&csr_pem), Some(&key.to_pem()?)))
}
