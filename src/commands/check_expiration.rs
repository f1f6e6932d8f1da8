//! `check-expiration`: when the certificates in files and directories
//! expire, soonest first; a non-zero exit when any expires within the
//! window.

use crate::common::print_stdout;
use certkit_core::chain::expiry::{check_window, render_json, render_table, scan};
use certkit_core::error::{Result, UsageError};
use certkit_core::input::duration::parse_go_duration;

/// Report certificate expiry; exit 1 when any certificate expires within the window
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Every certificate of a kubeadm PKI (./pki, or /etc/kubernetes/pki), soonest expiry first:
    certkit check-expiration pki
  From cron: renew when anything expires within 30 days:
    certkit check-expiration pki --within 720h >/dev/null || \\
      certkit cluster renew all --out pki
  As JSON, the expiring ones only:
    certkit check-expiration -o json pki ca.pem | jq '.[] | select(.expiring)'

REVOCATION:
  Also flag certificates revoked in cfssl's certificate database (see certkit revoke):
    certkit check-expiration -db-config db.json pki

EXIT STATUS:
  0 when nothing expires within the window, 1 when something does or is revoked (or on error),
  2 usage error.")]
pub struct Args {
    /// Certificate files (PEM, several per file, or DER) and directories (scanned recursively
    /// for *.crt, *.pem, *.cer, *.cert)
    #[arg(value_name = "PATHS", default_value = "./pki")]
    pub paths: Vec<String>,

    /// The window, as a Go duration (720h, 90m): certificates expiring sooner make the exit status 1
    #[arg(long, value_name = "DURATION", default_value = "720h")]
    pub within: String,

    /// Also mark the certificates this certificate database (cfssl's -db-config) has revoked; a revoked one makes the exit status 1
    #[command(flatten)]
    pub db: crate::common::DbConfigArg,

    /// Output format
    #[arg(short = 'o', long = "output", value_name = "FORMAT", default_value = "table",
          value_parser = ["table", "json"])]
    pub output: String,
}

pub fn run(args: Args) -> Result<()> {
    let window =
        parse_go_duration(&args.within).map_err(|e| UsageError::bad_value("--within", e))?;
    let mut certs = scan(&args.paths)?;
    certkit_ops::revocation::db::mark_revoked(args.db.file().as_ref(), &mut certs)?;
    let now = time::OffsetDateTime::now_utc();
    let text = match args.output.as_str() {
        "json" => render_json(&certs, window, now)?,
        _ => render_table(&certs, window, now),
    };
    print_stdout(&text)?;
    check_window(&certs, window, now)
}
