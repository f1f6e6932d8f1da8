//! `genkey`: a new key and CSR from a request (with `-initca`, a CA).

use crate::common::{emit, KeyOutputArgs};
use crate::values::GoBool;
use certkit_core::error::Result;
use certkit_ops::genkey::genkey;
use certkit_ops::initca;

/// Generate a private key and a certificate signing request
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Key and CSR for a service (the request's key, ECDSA P-256 by default):
    cat server.json | certkit genkey - | certkit json -bare server
  A self-signed CA instead:
    certkit genkey -initca ca-csr.json | certkit json -bare ca
  The key as PKCS#8 (for Java or netty) instead of cfssl's PKCS#1/SEC1:
    certkit genkey -key-format pkcs8 server.json | \\
      certkit json -bare server-pkcs8
  The key encrypted with the password in key.pass (PKCS#8, AES-256-CBC):
    certkit genkey -key-password-file key.pass server.json | \\
      certkit json -bare server-encrypted")]
pub struct Args {
    /// Also self-sign the CSR as a CA certificate (like gencert -initca)
    #[arg(long, go_bool())]
    pub initca: bool,

    /// Request JSON (cfssl CSR JSON) file, or - for standard input
    #[arg(value_name = "CSRJSON")]
    pub csr_json: std::path::PathBuf,

    #[command(flatten)]
    pub key_output: KeyOutputArgs,
}

pub fn run(args: Args) -> Result<()> {
    let keys = args.key_output.encoder()?;
    emit(if args.initca {
        initca::new_ca(&args.csr_json, None, &keys)?
    } else {
        genkey(&args.csr_json, &keys)?
    })
}
