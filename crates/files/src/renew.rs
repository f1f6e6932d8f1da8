//! Renewing a certificate file in place: the renewal is computed by
//! `certkit_core::issue::renew`; here it is written with its backups as one
//! all-or-nothing set.

use crate::atomic::write_all;
use certkit_core::error::Result;
use certkit_core::issue::issuer::Issuer;
use certkit_core::issue::renew::{read_certificate, renew, renewal_files, KeyChoice, Renewed};
use certkit_core::policy::Profile;
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
