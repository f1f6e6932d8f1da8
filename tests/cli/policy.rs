//! The policy switches on the command line: SHA-1 CSRs only with
//! `-allow-sha1`, and certificates outliving their CA only with
//! `-allow-beyond-ca-expiry` (otherwise notAfter is capped at the CA's).
//!
//! And cfssl's own signing-config test data loads, or fails, as cfssl's
//! config_test.go (TestLoadFile) expects.

use certkit_core::policy::SigningConfig;
use std::path::Path;
use std::path::PathBuf;
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

// cfssl's own signing-config test data loads, or fails, as cfssl's
// config_test.go (TestLoadFile) expects.

fn load(name: &str) -> certkit_core::Result<certkit_core::policy::ParsedConfig> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/cfssl/config")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    SigningConfig::from_json(&bytes, name)
}

#[test]
fn valid_configs_load() {
    for name in [
        "valid_config.json",
        "valid_config_auth.json",
        "valid_config_no_default.json",
        "valid_config_auth_no_default.json",
    ] {
        if let Err(e) = load(name) {
            panic!("{name} should load: {e}");
        }
    }
}

#[test]
fn invalid_configs_fail_naming_the_problem() {
    for (name, needle) in [
        ("invalid_default.json", "expiry"),
        ("invalid_profile.json", "expiry"),
        ("invalid_usage.json", "BAD_USAGE"),
        ("invalid_config.json", "invalid JSON"),
        ("invalid_auth.json", "unknown authentication type"),
        ("invalid_auth_bad_key.json", "hex"),
        (
            "invalid_no_auth_keys.json",
            "not found in the auth_keys section",
        ),
        ("invalid_remotes.json", "\"localhoster\""),
        ("invalid_no_remotes.json", "\"localhoster\""),
    ] {
        match load(name) {
            Ok(_) => panic!("{name} should fail to load"),
            Err(e) => assert!(e.to_string().contains(needle), "{name}: {e}"),
        }
    }
}

#[test]
fn remote_profiles_keep_their_remote_and_key() {
    let cfg = load("valid_config_auth.json").unwrap().config;
    let ca = cfg.profile("CA").unwrap();
    assert_eq!(
        (ca.remote.as_str(), ca.auth_key.as_str()),
        ("localhost", "garbage")
    );
    assert_eq!(
        cfg.remotes.remotes.get("localhost").map(String::as_str),
        Some("127.0.0.1:8888")
    );
    let no_default = load("valid_config_auth_no_default.json").unwrap().config;
    assert_eq!(
        no_default.profile("").unwrap().expiry,
        std::time::Duration::from_secs(8760 * 3600)
    );
}

#[test]
fn misplaced_auth_key_section_is_warned_about() {
    // valid_config.json has "auth_key" where cfssl reads "auth_keys":
    // cfssl ignores it silently, certkit names it.
    let parsed = load("valid_config.json").unwrap();
    assert!(
        parsed.warnings.iter().any(|w| w.contains("\"auth_key\"")),
        "{:?}",
        parsed.warnings
    );
}
