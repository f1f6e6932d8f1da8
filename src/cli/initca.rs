//! `initca` (and `gencert -initca`): a new self-signed CA.

use super::common::{load_request, log_warnings, print_stdout};
use crate::error::Result;
use crate::log;
use crate::output::cert_json;

/// Create a new self-signed certificate authority from a request
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  A cluster CA, written as ca.pem, ca-key.pem and ca.csr:
    certkit initca ca-csr.json | certkit json -bare ca")]
pub struct Args {
    /// Request JSON (cfssl CSR JSON) file, or - for standard input
    #[arg(value_name = "CSRJSON")]
    pub csr_json: String,
}

pub fn run(args: Args) -> Result<()> {
    make_ca(&args.csr_json)
}

/// Reads the request, makes the CA and prints cert, csr and key.
pub fn make_ca(path: &str) -> Result<()> {
    let req = load_request(path)?;
    log::info("generating a new CA key and certificate from CSR");
    log::info(&format!("generate received request"));
    log::info(&format!("generating key: {}", req.key));
    let ca = crate::initca::new_ca(&req)?;
    log::info("encoded CSR");
    log_warnings(&ca.warnings);
    log::info(&format!("signed certificate with serial number {}", ca.serial));
    print_stdout(&cert_json(Some(&ca.cert_pem), Some(&ca.csr_pem), Some(&ca.key_pem)))
}
