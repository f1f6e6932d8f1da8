//! `initca` (and `gencert -initca`): a new self-signed CA.

use super::common::{load_request, log_warnings, print_stdout, KeyOutputArgs};
use crate::error::{Error, Result};
use crate::input::{display_name, read_input};
use crate::key::KeyPair;
use crate::key_format::KeyEncoder;
use crate::log;
use crate::output::cert_json;

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
    pub csr_json: String,

    #[command(flatten)]
    pub key_output: KeyOutputArgs,
}

pub fn run(args: Args) -> Result<()> {
    make_ca(&args.csr_json, &args.key_output.encoder()?)
}

/// Reads the request, makes the CA and prints cert, csr and key.
pub fn make_ca(path: &str, keys: &KeyEncoder) -> Result<()> {
    let req = load_request(path)?;
    log::info("generating a new CA key and certificate from CSR");
    log::info("generate received request");
    log::info(&format!("generating key: {}", req.key));
    let ca = crate::initca::new_ca(&req)?;
    log::info("encoded CSR");
    log_warnings(&ca.warnings);
    log::info(&format!(
        "signed certificate with serial number {}",
        ca.serial
    ));
    print_stdout(&cert_json(
        Some(&ca.cert_pem),
        Some(&ca.csr_pem),
        Some(&keys.pem(&ca.key)?),
    ))
}

/// `gencert -initca -ca-key KEY`: a new CA certificate and CSR for an
/// existing key; the key is not printed.
pub fn make_ca_with_key(path: &str, key_path: &str) -> Result<()> {
    let req = load_request(path)?;
    let key_pem = zeroize::Zeroizing::new(read_input(key_path)?);
    let key = KeyPair::from_pem(&key_pem, display_name(key_path))?;
    log::info("re-generate a CA certificate from CSR and CA key");
    let ca = crate::initca::new_ca_with_key(&req, key)?;
    log_warnings(&ca.warnings);
    log::info(&format!(
        "signed certificate with serial number {}",
        ca.serial
    ));
    print_stdout(&cert_json(Some(&ca.cert_pem), Some(&ca.csr_pem), None))
}

/// `gencert -renewca -ca CERT -ca-key KEY`: prints the renewed certificate.
pub fn renew_ca(ca: Option<&str>, ca_key: Option<&str>) -> Result<()> {
    let ca = ca
        .ok_or_else(|| Error::Refused("-renewca needs the CA certificate (use -ca FILE)".into()))?;
    let ca_key = ca_key
        .ok_or_else(|| Error::Refused("-renewca needs the CA key (use -ca-key FILE)".into()))?;
    let key_pem = zeroize::Zeroizing::new(read_input(ca_key)?);
    log::info("re-generate a CA certificate from CA cert and key");
    let renewed = crate::renew_ca::renew_ca(
        &read_input(ca)?,
        display_name(ca),
        &key_pem,
        display_name(ca_key),
    )?;
    log::info(&format!(
        "signed certificate with serial number {}",
        renewed.serial
    ));
    print_stdout(&cert_json(Some(&renewed.cert_pem), None, None))
}
