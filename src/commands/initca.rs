//! `initca` (and `gencert -initca`): a new self-signed CA.

use crate::common::{emit, KeyOutputArgs};
use certkit_core::error::Result;
use certkit_ops::initca;

/// Create a new self-signed certificate authority from a request
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  A cluster CA, written as ca.pem, ca-key.pem and ca.csr:
    certkit initca ca-csr.json | certkit json -bare ca
  The same with the CA key encrypted by the password in ca.pass:
    certkit initca -key-password-file ca.pass ca-csr.json | \\
      certkit json -bare ca-encrypted")]
pub struct Args {
    /// Request JSON (cfssl CSR JSON) file, or - for standard input
    #[arg(value_name = "CSRJSON")]
    pub csr_json: std::path::PathBuf,

    #[command(flatten)]
    pub key_output: KeyOutputArgs,
}

pub fn run(args: Args) -> Result<()> {
    emit(initca::new_ca(
        &args.csr_json,
        None,
        &args.key_output.encoder()?,
    )?)
}
