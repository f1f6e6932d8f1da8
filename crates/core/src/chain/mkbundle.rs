//! `mkbundle` (cfssl's mkbundle): every certificate found in files and
//! directories, checked, concatenated into one PEM bundle (an
//! `-int-bundle` or `-ca-bundle` for `bundle`).

use crate::chain::bundle::chain::{check_legacy_crypto, BundleOptions};
use crate::chain::certs::Cert;
use crate::chain::verify::role::Role;
use crate::error::{Error, Result};
use crate::input::read_input;
use crate::report::Report;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The certificates under `paths` (files, and directories walked in name
/// order; symlinks below a given path are not followed), as PEM in
/// `output`. As cfssl, unreadable files, non-PEM files and invalid,
/// expired or not-yet-valid certificates are skipped with a note.
/// Revocation is not checked (cfssl asks OCSP and CRL servers; certkit
/// fetches nothing), which a warning says when a certificate names one.
/// SHA-1-signed certificates (a root's own signature aside) and weak keys
/// are skipped with a warning unless `options.allow_sha1`, as `bundle`
/// and `verify` refuse them.
pub fn mkbundle(paths: &[String], now: SystemTime, options: BundleOptions) -> Result<Report> {
    let mut report = Report::default();
    let mut files = Vec::new();
    for path in paths {
        walk(Path::new(path), true, &mut files, &mut report)?;
    }
    let (mut total, mut unchecked) = (0usize, 0usize);
    let mut out = String::new();
    for file in &files {
        report.info(format!("Loading {}", file.display()));
        let data = match read_input(file) {
            Ok(data) => data,
            Err(e) => {
                report.warn(e.to_string());
                continue;
            }
        };
        let Ok(blocks) = pem::parse_many(&data) else {
            report.warn(format!("{}: no PEM data found", file.display()));
            continue;
        };
        if blocks.is_empty() {
            report.warn(format!("{}: no PEM data found", file.display()));
        }
        for block in blocks.iter().filter(|b| b.tag() == "CERTIFICATE") {
            let cert = match Cert::from_der(block.contents()) {
                Ok(cert) => cert,
                Err(e) => {
                    report.warn(format!("{}: {e}", file.display()));
                    continue;
                }
            };
            if !cert.valid_at(now) {
                report.info(format!(
                    "{}: skipping a certificate outside its validity ({})",
                    file.display(),
                    cert.common_name().unwrap_or_default()
                ));
                continue;
            }
            let role = if cert.is_self_signed() {
                Role::Anchor
            } else {
                Role::Intermediate
            };
            if let Err(e) = check_legacy_crypto(&cert, role, role != Role::Anchor, options) {
                report.warn(format!(
                    "{}: skipping a certificate: {}",
                    file.display(),
                    e.reason()
                ));
                continue;
            }
            if !cert.ocsp_servers().is_empty() || cert.crl_distribution_points().is_some() {
                unchecked += 1;
            }
            out.push_str(&cert.pem());
            total += 1;
        }
    }
    if unchecked > 0 {
        report.warn(format!(
            "revocation not checked for {unchecked} certificate(s) that name OCSP or CRL servers (cfssl's mkbundle asks them; certkit fetches nothing)"
        ));
    }
    report.info(format!("Wrote {total} certificates."));
    *report.output = out;
    Ok(report)
}

/// Regular files under `path`, depth first in name order. The given path
/// may be a symlink; entries below it that are symlinks are skipped, as
/// Go's filepath.Walk does, so a loop cannot be walked forever.
fn walk(path: &Path, top: bool, files: &mut Vec<PathBuf>, report: &mut Report) -> Result<()> {
    let meta = if top {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    }
    .map_err(|e| Error::io(path, e))?;
    if meta.is_file() {
        files.push(path.to_path_buf());
    } else if meta.is_dir() {
        report.info(format!("Found {}", path.display()));
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::io(path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            walk(&entry, false, files, report)?;
        }
    }
    Ok(())
}
