//! pkilint over the certificates tests issue: `lint_pkix_cert lint FILE`
//! and `lint_pkix_signer_signee_cert_chain lint ISSUER SUBJECT`. Any
//! finding of severity ERROR or FATAL fails the test. pkilint is found on
//! PATH, else in $CERTKIT_VENV/bin or the repository's .venv/bin (where
//! scripts/test installs it); without it the test fails, it does not skip.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where a pkilint command lives.
fn tool(name: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(venv) = std::env::var_os("CERTKIT_VENV") {
        dirs.push(PathBuf::from(venv).join("bin"));
    }
    dirs.push(crate::repo().join(".venv/bin"));
    dirs.into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} not found on PATH, in $CERTKIT_VENV/bin or .venv/bin: run scripts/test, which installs pkilint"))
}

/// pkilint's `validators.url` knows only web schemes, so it reports a
/// valid SPIFFE ID (RFC 3986 URI, SPIFFE spec) as invalid URI syntax.
/// That one finding is accepted, and only for a well-formed SPIFFE ID.
pub fn is_known_false_positive(line: &str) -> bool {
    let Some(rest) = line
        .trim()
        .strip_prefix("pkix.invalid_uri_syntax (ERROR): Invalid URI syntax: \"spiffe://")
    else {
        return false;
    };
    let Some(id) = rest.strip_suffix('"') else {
        return false;
    };
    let mut parts = id.split('/');
    let trust_domain = parts.next().unwrap_or("");
    let path_ok = parts.all(|seg| {
        !seg.is_empty()
            && seg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    });
    !trust_domain.is_empty()
        && trust_domain
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c))
        && path_ok
}

fn run(name: &str, files: &[&Path]) {
    run_with(name, &[], files)
}

fn run_with(name: &str, options: &[&str], files: &[&Path]) {
    let out = Command::new(tool(name))
        .arg("lint")
        .args(["-s", "ERROR"])
        .args(options)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    // pkilint exits with the number of findings; without a finding to
    // read, a non-zero exit is a failure to run (2 is also argparse's).
    let findings: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("(ERROR)") || l.contains("(FATAL)"))
        .collect();
    assert!(
        out.status.success() || !findings.is_empty(),
        "{name} {files:?} failed to run ({:?}): {}{text}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let real: Vec<&str> = findings
        .into_iter()
        .filter(|l| !is_known_false_positive(l))
        .collect();
    assert!(real.is_empty(), "pkilint {name} {files:?} reports:\n{text}");
}

/// Lints one certificate (PEM file).
pub fn lint_cert(cert: &Path) {
    run("lint_pkix_cert", &[cert]);
}

/// Lints a CRL (PEM or DER file) against RFC 5280's CRL profile.
pub fn lint_crl(crl: &Path) {
    run_with("lint_crl", &["-t", "CRL", "-p", "PKIX"], &[crl]);
}

/// Lints an OCSP response (DER file) against RFC 6960.
pub fn lint_ocsp_response(response: &Path) {
    run_with(
        "lint_ocsp_response",
        &["--document-format", "DER"],
        &[response],
    );
}

/// Lints an issuer/subject pair (PEM files).
pub fn lint_chain(issuer: &Path, subject: &Path) {
    run("lint_pkix_signer_signee_cert_chain", &[issuer, subject]);
}
