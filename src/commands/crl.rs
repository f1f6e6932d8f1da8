//! `crl`: a CRL of the database's revoked certificates.

use crate::common::{emit, CaArgs, DbConfigArg};
use certkit_core::error::{Result, UsageError};
use certkit_core::input::duration::parse_go_duration;

/// Generate a CRL (base64 DER) from the certificate database
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  A CRL valid for a week, as DER and PEM:
    certkit crl -db-config db.json -ca ca.pem -ca-key ca-key.pem | base64 -d > ca.crl
    openssl crl -inform DER -in ca.crl -out ca-crl.pem
  Valid for a day:
    certkit crl -db-config db.json -ca ca.pem -ca-key ca-key.pem -expiry 24h | base64 -d > ca.crl")]
pub struct Args {
    #[command(flatten)]
    pub db: DbConfigArg,

    #[command(flatten)]
    pub ca: CaArgs,

    /// Time from now until the CRL's nextUpdate (a Go duration)
    #[arg(long, value_name = "DURATION", default_value = "168h")]
    pub expiry: String,
}

pub fn run(args: Args) -> Result<()> {
    let expiry =
        parse_go_duration(&args.expiry).map_err(|e| UsageError::bad_value("-expiry", e))?;
    emit(certkit_ops::revocation::db::crl(
        args.db.file().as_ref(),
        args.ca.source(),
        expiry,
    )?)
}
