//! The policy switches on the command line: SHA-1 CSRs only with
//! `-allow-sha1`, and certificates outliving their CA only with
//! `-allow-beyond-ca-expiry` (otherwise notAfter is capped at the CA's).

use std::path::Path;
use support::cmd_in;
use support::workspace::workspace;

fn not_after(pem: &str) -> i64 {
    let der = pem::parse(pem).unwrap().into_contents();
    let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
    cert.validity().not_after.timestamp()
}

fn sign(dir: &Path, extra: &[&str], csr: &str) -> (bool, String, String) {
    let out = cmd_in(dir)
        .args([
            "sign",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "-config",
            "config.json",
        ])
        .args(extra)
        .arg(csr)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let cert = json["cert"].as_str().unwrap_or_default().to_string();
    (
        out.status.success(),
        cert,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn sha1_csrs_are_signed_only_when_allowed() {
    let dir = workspace();
    let (ok, _, stderr) = sign(dir.path(), &[], "sha1.csr");
    assert!(!ok && stderr.contains("--allow-sha1"), "{stderr}");
    let (ok, cert, stderr) = sign(dir.path(), &["-allow-sha1"], "sha1.csr");
    assert!(
        ok && cert.starts_with("-----BEGIN CERTIFICATE-----"),
        "{stderr}"
    );
}

#[test]
fn the_kubernetes_config_is_capped_at_the_ca_expiry_unless_allowed() {
    let dir = workspace();
    let ca = std::fs::read_to_string(dir.path().join("ca.pem")).unwrap();
    // config.json is the workflow's: 876000h, far past the CA's 5 years.
    let (ok, cert, stderr) = sign(dir.path(), &[], "server.csr");
    assert!(ok, "{stderr}");
    assert_eq!(not_after(&cert), not_after(&ca));
    assert!(
        stderr.contains("[WARNING] notAfter capped at the CA certificate's"),
        "{stderr}"
    );
    let (ok, cert, stderr) = sign(dir.path(), &["-allow-beyond-ca-expiry"], "server.csr");
    assert!(ok, "{stderr}");
    assert!(not_after(&cert) > not_after(&ca) + 50 * 365 * 86400);
    assert!(!stderr.contains("capped"), "{stderr}");
}
