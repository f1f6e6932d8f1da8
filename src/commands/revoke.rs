//! `revoke`: mark a certificate revoked in the certificate database.

use crate::common::{emit, DbConfigArg};
use certkit_core::error::Result;

/// Revoke a certificate in the certificate database
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Revoke a leaked key's certificate (serial in decimal as certinfo prints it, AKI in hex):
    certkit revoke -db-config db.json -serial 1234 -aki 779d67059f8623d3 -reason keyCompromise
  Then publish a new CRL and refresh the OCSP responses:
    certkit crl -db-config db.json -ca ca.pem -ca-key ca-key.pem | base64 -d > ca.crl
    certkit ocsprefresh -db-config db.json -ca ca.pem -responder ocsp.pem -responder-key ocsp-key.pem")]
pub struct Args {
    #[command(flatten)]
    pub db: DbConfigArg,

    /// The certificate's serial number (decimal)
    #[arg(long, value_name = "SERIAL", default_value = "")]
    pub serial: String,

    /// The certificate's authority key identifier (hex, colons allowed)
    #[arg(long, value_name = "AKI", default_value = "")]
    pub aki: String,

    /// Reason: a name (keyCompromise, superseded, cessationOfOperation, ...) or its RFC 5280 code
    #[arg(long, value_name = "REASON", default_value = "")]
    pub reason: String,
}

pub fn run(args: Args) -> Result<()> {
    emit(certkit_ops::revocation::db::revoke(
        args.db.file().as_ref(),
        &args.serial,
        &args.aki,
        &args.reason,
    )?)
}
