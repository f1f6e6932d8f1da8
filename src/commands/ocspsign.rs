//! `ocspsign`: one signed OCSP response, as cfssl.

use crate::common::{emit, ResponderArgs};
use certkit_core::error::Result;
use certkit_ops::revocation::{ocspsign, SignStatus};

/// Sign an OCSP response for a certificate (printed as {"ocspResponse": BASE64})
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  A good response signed by the CA itself, then a responses file for ocspserve:
    certkit ocspsign -ca ca.pem -responder ca.pem -responder-key ca-key.pem -cert server.pem | \\
      jq -r .ocspResponse > responses.txt
  A revoked response with a reason, valid for a day:
    certkit ocspsign -ca ca.pem -responder ca.pem -responder-key ca-key.pem -cert server.pem \\
      -status revoked -reason keyCompromise -revoked-at 2024-01-31 -interval 24h

  A delegated responder (-responder ocsp.pem -responder-key ocsp-key.pem) is a certificate the CA
  issued with usages [\"digital signature\", \"ocsp signing\"] and \"ocsp_no_check\": true.")]
pub struct Args {
    #[command(flatten)]
    pub responder: ResponderArgs,

    /// The certificate to give a status for
    #[arg(long, value_name = "FILE")]
    pub cert: String,

    /// good, revoked or unknown
    #[arg(long, value_name = "STATUS", default_value = "good")]
    pub status: String,

    /// Revocation reason: a name (keyCompromise, superseded, ...) or its RFC 5280 code
    #[arg(long, value_name = "REASON", default_value = "")]
    pub reason: String,

    /// Revocation date (YYYY-MM-DD) or now
    #[arg(long = "revoked-at", value_name = "DATE", default_value = "now")]
    pub revoked_at: String,
}

pub fn run(mut args: Args) -> Result<()> {
    args.responder = args.responder.resolved()?;
    let interval = args.responder.interval()?;
    let status = SignStatus {
        status: &args.status,
        reason: &args.reason,
        revoked_at: &args.revoked_at,
        interval,
    };
    emit(ocspsign(args.responder.source(), &args.cert, status)?)
}
