//! `renew`: a certificate file renewed in place. The renewal is computed
//! by `certkit_core::issue::renew`; here the CA, profile and key choice
//! are loaded, and the result is written with its backups as one
//! all-or-nothing set.

use crate::load::{self, CaSource};
use certkit_core::error::Error;
use certkit_core::error::Result;
use certkit_core::input::{display_name, read_input};
use certkit_core::issue::issuer::Issuer;
use certkit_core::issue::renew::{read_certificate, renew, renewal_files, KeyChoice, Renewed};
use certkit_core::keys::KeyPair;
use certkit_core::policy::Profile;
use certkit_core::report::Report;
use certkit_files::atomic::write_all;
use std::path::Path;

/// Renews the certificate file at `cert_path` in place: reads it, renews
/// it and writes the new certificate (and new key) with the backups, all
/// or nothing.
pub fn renew_in_place(
    cert_path: &Path,
    issuer: &Issuer,
    profile: Option<&Profile>,
    key: KeyChoice,
    backup: bool,
) -> Result<Renewed> {
    let source = cert_path.display().to_string();
    let old_bytes = certkit_core::input::read_input(cert_path)?;
    let old = read_certificate(&old_bytes, &source)?;
    let renewed = renew(&old, &source, issuer, profile, key)?;
    write_all(&renewal_files(cert_path, &old_bytes, &renewed, backup)?)?;
    Ok(renewed)
}

/// Everything `renew` takes.
#[derive(Debug, Clone, Copy)]
pub struct RenewInputs<'a> {
    pub ca: CaSource<'a>,
    /// The signing config; without it, the old certificate's usages and
    /// lifetime are kept.
    pub config: Option<&'a Path>,
    pub profile: &'a str,
    /// The certificate to renew, rewritten in place.
    pub cert: &'a str,
    /// Certify this key (PEM) instead of the certificate's current one.
    pub key: Option<&'a str>,
    pub new_key: bool,
    pub backup: bool,
}

/// Renews `inputs.cert` in place. The report gets its log lines as they
/// happen, also when a later step fails.
pub fn renew_file(inputs: &RenewInputs, report: &mut Report) -> Result<()> {
    if inputs.config.is_none() && !inputs.profile.is_empty() {
        return Err(Error::Policy(
            "-profile needs -config (without one, the old certificate's usages are kept)".into(),
        ));
    }
    let issuer = load::issuer(inputs.ca)?;
    let config = inputs
        .config
        .map(|c| load::config(Some(c), report))
        .transpose()?;
    let profile = config
        .as_ref()
        .map(|c| c.profile(inputs.profile))
        .transpose()?;
    let key = match (inputs.key, inputs.new_key) {
        (Some(path), _) => {
            KeyChoice::Use(KeyPair::from_pem(&read_input(path)?, display_name(path))?)
        }
        (None, true) => KeyChoice::New,
        (None, false) => KeyChoice::Keep,
    };
    let renewed = renew_in_place(Path::new(inputs.cert), &issuer, profile, key, inputs.backup)?;
    report.warn_all(&renewed.warnings);
    report.info(format!(
        "renewed {} with serial number {}",
        inputs.cert, renewed.serial
    ));
    Ok(())
}
