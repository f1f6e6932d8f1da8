//! `ocspdump`: the database's OCSP responses as a responses file.

use crate::common::{emit, DbConfigArg};
use certkit_core::error::Result;

/// Print the database's unexpired OCSP responses, base64, one a line
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  A responses file for a responder without database access:
    certkit ocspdump -db-config db.json > responses.txt
    certkit ocspserve -responses responses.txt -port 8889")]
pub struct Args {
    #[command(flatten)]
    pub db: DbConfigArg,
}

pub fn run(args: Args) -> Result<()> {
    emit(certkit_ops::revocation::db::ocspdump(
        args.db.file().as_ref(),
    )?)
}
