//! `gencsr`: a new CSR for an existing key (the renewal path).

use crate::common::{load_request, print_stdout, split_hosts};
use certkit_core::error::{Error, Result};
use certkit_core::input::{display_name, read_input};
use certkit_core::issue::issuer::parse_certificate;
use certkit_core::issue::renew_ca::request_from_certificate;
use certkit_core::keys::KeyPair;
use certkit_core::output::cert_json;

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
    let key_pem = zeroize::Zeroizing::new(read_input(&args.key)?);
    let key = KeyPair::from_pem(&key_pem, display_name(&args.key))?;
    let mut req = match (&args.cert, &args.csr_json) {
        (Some(cert), _) => {
            let parsed = parse_certificate(&read_input(cert)?, display_name(cert))?;
            request_from_certificate(&parsed, display_name(cert))?
        }
        (None, Some(json)) => load_request(json)?,
        (None, None) => return Err(Error::Request("give a CSRJSON file or -cert FILE".into())),
    };
    if let Some(hosts) = &args.hostname {
        req.hosts = split_hosts(hosts);
    }
    let csr_pem = certkit_core::csr::build(&req, &key)?;
    // cfssl echoes the key, so `json -bare NAME` writes NAME-key.pem back.
    print_stdout(&cert_json(None, Some(&csr_pem), Some(&key.to_pem()?)))
}
