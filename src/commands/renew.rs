//! `renew`: a certificate renewed in place by its CA, same subject, SANs
//! and usages, fresh validity; the old file kept as NAME.bak.

use crate::common::{load_config, log_warnings};
use crate::common::{CaArgs, PolicyArgs};
use crate::log;
use crate::values::GoBool;
use certkit_core::error::Result;
use certkit_core::input::{display_name, read_input};
use certkit_core::issue::renew::KeyChoice;
use certkit_core::keys::KeyPair;
use certkit_files::renew::renew_in_place;
use std::path::Path;

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
    if args.policy.config.is_none() && !args.policy.profile.is_empty() {
        return Err(certkit_core::error::Error::Policy(
            "-profile needs -config (without one, the old certificate's usages are kept)".into(),
        ));
    }
    let issuer = args.ca.load_issuer()?;
    let config = args
        .policy
        .config
        .as_deref()
        .map(|c| load_config(Some(c)))
        .transpose()?;
    let profile = config
        .as_ref()
        .map(|c| c.profile(&args.policy.profile))
        .transpose()?;
    let key = match (&args.key, args.rotation.new_key) {
        (Some(path), _) => {
            KeyChoice::Use(KeyPair::from_pem(&read_input(path)?, display_name(path))?)
        }
        (None, true) => KeyChoice::New,
        (None, false) => KeyChoice::Keep,
    };
    let renewed = renew_in_place(
        Path::new(&args.cert),
        &issuer,
        profile,
        key,
        !args.rotation.no_backup,
    )?;
    log_warnings(&renewed.warnings);
    log::info(&format!(
        "renewed {} with serial number {}",
        args.cert, renewed.serial
    ));
    Ok(())
}
