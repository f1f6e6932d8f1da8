//! `gencrl`: a CRL from a file of serial numbers, as cfssl.

use crate::common::{emit, CaKeyPasswordArgs};
use certkit_core::error::Result;
use certkit_ops::load::CaSource;
use certkit_ops::revocation::gencrl;

/// Generate a CRL (base64 DER) revoking the serial numbers in a file
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Revoke two serials for a week (serials.txt: one decimal serial per line), as DER and PEM:
    printf '1234\\n5678\\n' > serials.txt
    certkit gencrl serials.txt ca.pem ca-key.pem | base64 -d > ca.crl
    openssl crl -inform DER -in ca.crl -out ca-crl.pem
  The same CRL valid for one day:
    certkit gencrl serials.txt ca.pem ca-key.pem 86400 | base64 -d > ca.crl")]
pub struct Args {
    /// Text file with one decimal serial number per line, or - for standard input
    #[arg(value_name = "INPUTFILE")]
    pub serials: String,

    /// The CA certificate that signs the CRL
    #[arg(value_name = "CERT")]
    pub cert: String,

    /// The CA's private key: a PEM file or a pkcs11: URI
    #[arg(value_name = "KEY")]
    pub key: String,

    /// Seconds until nextUpdate (default, or 0: one week)
    #[arg(value_name = "TIME")]
    pub time: Option<String>,

    #[command(flatten)]
    pub ca_key_password: CaKeyPasswordArgs,
}

pub fn run(args: Args) -> Result<()> {
    let ca = CaSource {
        cert: Some(std::path::Path::new(&args.cert)),
        key: Some(std::path::Path::new(&args.key)),
        password_file: args.ca_key_password.ca_key_password_file.as_deref(),
    };
    emit(gencrl(&args.serials, ca, args.time.as_deref())?)
}
