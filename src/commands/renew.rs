//! `renew`: a certificate renewed in place by its CA, same subject, SANs
//! and usages, fresh validity; the old file kept as NAME.bak.

use crate::common::{emit_notes, CaArgs, PolicyArgs};
use crate::values::GoBool;
use certkit_core::error::Result;
use certkit_core::report::Report;
use certkit_ops::renew::{renew_file, RenewInputs};

/// Renew a certificate in place: same subject, SANs and usages, fresh validity
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Renew server.pem for the same key, keeping server.pem.bak:
    certkit renew server.pem -ca ca.pem -ca-key ca-key.pem
  Under a profile of a signing config, with a new key (server-key.pem, old one kept as .bak):
    certkit renew server.pem -ca ca.pem -ca-key ca-key.pem -config signing.json \\
      -profile server --new-key
  A kubeadm certificate (apiserver.crt; its key is apiserver.key), e.g. in /etc/kubernetes/pki:
    certkit renew pki/apiserver.crt -ca pki/ca.crt -ca-key pki/ca.key

Without -config, the new certificate has the old one's usages and lifetime.")]
pub struct Args {
    #[command(flatten)]
    pub ca: CaArgs,

    #[command(flatten)]
    pub policy: PolicyArgs,

    /// The certificate to renew (PEM or DER); rewritten in place
    #[arg(value_name = "CERT")]
    pub cert: String,

    /// Certify this private key (PEM) instead of the certificate's current key
    #[arg(long, value_name = "KEY", conflicts_with = "new_key")]
    pub key: Option<String>,

    #[command(flatten)]
    pub rotation: RotationFlags,
}

/// The key and backup choices `renew` and `cluster renew` share.
#[derive(Debug, clap::Args)]
pub struct RotationFlags {
    /// Generate a new key like the old one, written beside the certificate
    /// (NAME.key for NAME.crt, NAME-key.pem for NAME.pem)
    #[arg(long = "new-key", go_bool())]
    pub new_key: bool,

    /// Do not keep the old certificate (and key) as NAME.bak
    #[arg(long = "no-backup", go_bool())]
    pub no_backup: bool,
}

pub fn run(args: Args) -> Result<()> {
    let mut report = Report::default();
    let done = renew_file(
        &RenewInputs {
            ca: args.ca.source(),
            config: args.policy.config.as_deref(),
            profile: &args.policy.profile,
            cert: &args.cert,
            key: args.key.as_deref(),
            new_key: args.rotation.new_key,
            backup: !args.rotation.no_backup,
        },
        &mut report,
    );
    emit_notes(&report);
    done
}
