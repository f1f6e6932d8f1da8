//! Certificate expiry across files and directories: every certificate
//! found (several per PEM file), sorted by time left, as a table or JSON,
//! and which of them expire within a window (for cron and CI).

use crate::error::{Error, Result};
use crate::input::duration::format_go_duration;
use crate::input::read_input;
use crate::request::name::to_slash_string;
use der::Decode;
use serde_json::json;
use std::path::Path;
use std::time::Duration;
use time::OffsetDateTime;
use x509_cert::Certificate;

/// One certificate and when it expires.
#[derive(Debug, Clone, PartialEq)]
pub struct CertExpiry {
    pub file: String,
    pub subject: String,
    pub issuer: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// Serial (decimal) and AKI (lowercase hex): the certificate
    /// database's key, for `-db-config`.
    pub serial: String,
    pub aki: String,
    /// Set when the certificate database says it is revoked: why and when.
    pub revoked: Option<String>,
}

impl CertExpiry {
    /// Seconds from `now` to notAfter; negative once expired.
    pub fn seconds_left(&self, now: OffsetDateTime) -> i64 {
        (self.not_after - now).whole_seconds()
    }

    /// Whether it expires within `window` of `now` (or already has).
    pub fn expires_within(&self, window: Duration, now: OffsetDateTime) -> bool {
        i128::from(self.seconds_left(now)) < i128::from(window.as_secs())
    }
}

/// File names a directory scan reads: certificates, not keys or backups.
const CERT_EXTENSIONS: &[&str] = &["crt", "pem", "cer", "cert"];

/// Every certificate in `paths` (files, or directories scanned
/// recursively), soonest expiry first. A named file must hold at least
/// one certificate; in directories, files without any are skipped.
pub fn scan(paths: &[String]) -> Result<Vec<CertExpiry>> {
    let mut found = Vec::new();
    for path in paths {
        let p = Path::new(path);
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if meta.is_dir() {
            scan_dir(p, &mut found)?;
        } else {
            let certs = scan_file(p)?;
            if certs.is_empty() {
                return Err(Error::decode(path.as_str(), "no CERTIFICATE found"));
            }
            found.extend(certs);
        }
    }
    found.sort_by(|a, b| {
        a.not_after
            .cmp(&b.not_after)
            .then_with(|| a.file.cmp(&b.file))
    });
    Ok(found)
}

fn scan_dir(dir: &Path, found: &mut Vec<CertExpiry>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| Error::io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        // Symlinked directories are not followed, so a loop cannot trap the scan.
        let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if kind.is_dir() {
            scan_dir(&path, found)?;
        } else if is_cert_file_name(&name) && path.is_file() {
            found.extend(scan_file(&path)?);
        }
    }
    Ok(())
}

fn is_cert_file_name(name: &str) -> bool {
    let ext_ok = Path::new(name)
        .extension()
        .is_some_and(|e| CERT_EXTENSIONS.iter().any(|c| e.eq_ignore_ascii_case(c)));
    ext_ok && !name.ends_with("-key.pem")
}

/// The certificates of one file: every CERTIFICATE block of a PEM file,
/// or a single DER certificate.
fn scan_file(path: &Path) -> Result<Vec<CertExpiry>> {
    let source = path.display().to_string();
    let bytes = read_input(path)?;
    let ders: Vec<Vec<u8>> = if bytes.first() == Some(&0x30) {
        vec![bytes]
    } else {
        pem::parse_many(&bytes)
            .map_err(|e| Error::decode(source.as_str(), format!("not PEM: {e}")))?
            .into_iter()
            .filter(|b| b.tag() == "CERTIFICATE")
            .map(|b| b.into_contents())
            .collect()
    };
    ders.iter()
        .enumerate()
        .map(|(i, der)| {
            let cert = Certificate::from_der(der).map_err(|e| {
                Error::decode(
                    source.as_str(),
                    format!("certificate {}: malformed: {e}", i + 1),
                )
            })?;
            let tbs = cert.tbs_certificate();
            let time = |t: &x509_cert::time::Time| {
                i64::try_from(t.to_unix_duration().as_secs())
                    .ok()
                    .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
                    .ok_or_else(|| Error::decode(source.as_str(), "validity out of range"))
            };
            let aki = tbs
                .get_extension::<x509_cert::ext::pkix::AuthorityKeyIdentifier>()
                .ok()
                .flatten()
                .and_then(|(_, aki)| aki.key_identifier)
                .map(|k| hex::encode(k.as_bytes()))
                .unwrap_or_default();
            Ok(CertExpiry {
                file: source.clone(),
                subject: to_slash_string(tbs.subject()),
                issuer: to_slash_string(tbs.issuer()),
                not_before: time(&tbs.validity().not_before)?,
                not_after: time(&tbs.validity().not_after)?,
                serial: crate::serial::decimal_serial(tbs.serial_number().as_bytes()),
                aki,
                revoked: None,
            })
        })
        .collect()
}

/// Time left for humans: "364d 23h", "5h 12m", "expired 2d 3h ago".
pub fn format_left(seconds: i64) -> String {
    let abs = seconds.unsigned_abs();
    let (days, hours, minutes) = (abs / 86400, abs % 86400 / 3600, abs % 3600 / 60);
    let amount = if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {minutes}m")
    } else {
        format!("{minutes}m {}s", abs % 60)
    };
    if seconds < 0 {
        format!("expired {amount} ago")
    } else {
        amount
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// An aligned table, one certificate per line, with a header.
pub fn render_table(certs: &[CertExpiry], window: Duration, now: OffsetDateTime) -> String {
    let header = ["SUBJECT", "EXPIRES", "LEFT", "ISSUER", "FILE"].map(String::from);
    let mut rows = vec![header];
    for c in certs {
        let mut left = format_left(c.seconds_left(now));
        if c.expires_within(window, now) {
            left.push_str(" !");
        }
        if let Some(revoked) = &c.revoked {
            left = format!("REVOKED ({revoked}) !");
        }
        // Names come from certificates and file names: escaped, so a CN
        // cannot retitle the terminal or forge a line of the report.
        rows.push([
            crate::text::clip(&c.subject),
            rfc3339(c.not_after),
            left,
            crate::text::clip(&c.issuer),
            crate::text::escape_controls(&c.file),
        ]);
    }
    let mut widths = [0usize; 5];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// A JSON array, one object per certificate, soonest expiry first.
pub fn render_json(certs: &[CertExpiry], window: Duration, now: OffsetDateTime) -> Result<String> {
    let items: Vec<_> = certs
        .iter()
        .map(|c| {
            json!({
                "file": c.file,
                "subject": c.subject,
                "issuer": c.issuer,
                "not_before": rfc3339(c.not_before),
                "not_after": rfc3339(c.not_after),
                "seconds_left": c.seconds_left(now),
                "expiring": c.expires_within(window, now),
                "revoked": c.revoked,
            })
        })
        .collect();
    let mut text =
        serde_json::to_string_pretty(&items).map_err(|e| Error::Encoding(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// The error that makes the exit status non-zero when any certificate
/// expires within the window or is revoked, or `Ok` when none does.
pub fn check_window(certs: &[CertExpiry], window: Duration, now: OffsetDateTime) -> Result<()> {
    let revoked: Vec<&CertExpiry> = certs.iter().filter(|c| c.revoked.is_some()).collect();
    if let Some(first) = revoked.first() {
        return Err(Error::Expiring(format!(
            "{} of {} certificates are revoked (first: {} in {}, {})",
            revoked.len(),
            certs.len(),
            first.subject,
            first.file,
            first.revoked.as_deref().unwrap_or_default(),
        )));
    }
    let expiring: Vec<&CertExpiry> = certs
        .iter()
        .filter(|c| c.expires_within(window, now))
        .collect();
    match expiring.first() {
        None => Ok(()),
        Some(first) => Err(Error::Expiring(format!(
            "{} of {} certificates expire within {} (first: {} in {}, {})",
            expiring.len(),
            certs.len(),
            format_go_duration(window),
            first.subject,
            first.file,
            format_left(first.seconds_left(now)),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(file: &str, days_left: i64) -> CertExpiry {
        let now = OffsetDateTime::now_utc();
        CertExpiry {
            file: file.into(),
            subject: format!("/CN={file}"),
            issuer: "/CN=ca".into(),
            not_before: now - time::Duration::days(1),
            not_after: now + time::Duration::days(days_left),
            serial: "1".into(),
            aki: "ab".into(),
            revoked: None,
        }
    }

    #[test]
    fn window_counts_expired_and_soon_expiring() {
        let now = OffsetDateTime::now_utc();
        let certs = [cert("old", -2), cert("soon", 3), cert("later", 400)];
        let month = Duration::from_secs(720 * 3600);
        assert!(certs[0].expires_within(month, now));
        assert!(certs[1].expires_within(month, now));
        assert!(!certs[2].expires_within(month, now));
        let err = check_window(&certs, month, now).unwrap_err().to_string();
        assert!(
            err.starts_with("2 of 3 certificates expire within 720h"),
            "{err}"
        );
        assert!(check_window(&certs[2..], month, now).is_ok());
    }

    #[test]
    fn time_left_reads_well() {
        assert_eq!(format_left(86400 * 3 + 3600 * 5 + 7), "3d 5h");
        assert_eq!(format_left(3600 * 2 + 60 * 3), "2h 3m");
        assert_eq!(format_left(-(86400 * 2 + 3600)), "expired 2d 1h ago");
        assert_eq!(format_left(42), "0m 42s");
    }

    #[test]
    fn table_has_header_and_marks_expiring_rows() {
        let now = OffsetDateTime::now_utc();
        let table = render_table(
            &[cert("soon", 1), cert("later", 100)],
            Duration::from_secs(7 * 86400),
            now,
        );
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("SUBJECT"));
        assert!(lines[1].contains("/CN=soon") && lines[1].contains(" !"));
        assert!(!lines[2].contains(" !"));
    }

    #[test]
    fn only_certificate_files_are_read_from_directories() {
        assert!(is_cert_file_name("apiserver.crt"));
        assert!(is_cert_file_name("ca.pem"));
        assert!(!is_cert_file_name("ca-key.pem"));
        assert!(!is_cert_file_name("apiserver.crt.bak"));
        assert!(!is_cert_file_name("sa.key"));
    }
}
