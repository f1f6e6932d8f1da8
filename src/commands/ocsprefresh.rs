//! `ocsprefresh`: sign and store OCSP responses for the database's certificates.

use crate::common::{emit, DbConfigArg, ResponderArgs};
use certkit_core::error::Result;

/// Refresh the database's OCSP responses for every unexpired certificate of the CA
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  From cron, well within the 96h interval:
    certkit ocsprefresh -db-config db.json -ca ca.pem -responder ocsp.pem -responder-key ocsp-key.pem
  Then serve them:
    certkit ocspserve -db-config db.json -port 8889")]
pub struct Args {
    #[command(flatten)]
    pub db: DbConfigArg,

    #[command(flatten)]
    pub responder: ResponderArgs,
}

pub fn run(mut args: Args) -> Result<()> {
    args.responder = args.responder.resolved()?;
    let interval = args.responder.interval()?;
    emit(certkit_ops::revocation::db::ocsprefresh(
        args.db.file().as_ref(),
        args.responder.source(),
        interval,
    )?)
}
