//! The policy switches on the command line: SHA-1 CSRs only with
//! `-allow-sha1`, and certificates outliving their CA only with
//! `-allow-beyond-ca-expiry` (otherwise notAfter is capped at the CA's).
//!
//! The profile fields that refuse or add things (name_whitelist,
//! copy_extensions, URLs and policies, unknown profiles), pkilint checking
//! every certificate issued. And cfssl's own signing-config test data
//! loads, or fails, as cfssl's config_test.go (TestLoadFile) expects.

use crate::IssuingDir;
use certkit_core::policy::SigningConfig;
use predicates::prelude::*;
use std::path::Path;
use std::path::PathBuf;
use support::certfields::read;
use support::cmd_in;
use support::workspace::workspace;
use support::{field, Dir};

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

// The profile fields, through the binary.

#[test]
fn name_whitelist_refuses_names_outside_it() {
    let d = Dir::with_ca();
    let (csr, _) = d.leaf_csr();
    d.write(
        "config.json",
        r#"{"signing": {"default": {"usages": ["digital signature", "server auth"], "expiry": "1h",
            "name_whitelist": "^([a-z0-9-]+\\.)*example\\.com$|^10\\.0\\.0\\.7$"}}}"#,
    );
    let base = [
        "sign",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        "config.json",
    ];
    let out = d.ok(&[&base[..], &[csr]].concat());
    d.lint("allowed.pem", &field(&out, "cert"), Some("ca.pem"));
    d.cmd(
        &[
            &base[..],
            &["-hostname", "leaf.example.com.attacker.net", csr],
        ]
        .concat(),
    )
    .failure()
    .stdout("")
    .stderr(predicate::str::contains(
        "\"leaf.example.com.attacker.net\" does not match",
    ));
    d.write(
        "loose.json",
        r#"{"signing": {"default": {"usages": ["server auth"], "expiry": "1h", "name_whitelist": "example\\.com"}}}"#,
    );
    let loose = d
        .cmd(&[
            "sign",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "-config",
            "loose.json",
            "-hostname",
            "evil-example.com.attacker.net",
            csr,
        ])
        .success();
    assert!(String::from_utf8_lossy(&loose.get_output().stderr).contains("not anchored"));
}

#[test]
fn copy_extensions_copies_only_what_the_issuer_does_not_decide() {
    let d = Dir::with_ca();
    // openssl makes a CSR asking for its own key usage, EKU and a custom extension.
    let (_, key) = d.leaf_csr();
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-new",
            "-key",
            key,
            "-subj",
            "/CN=copy.example.com",
            "-out",
            "copy.csr",
        ])
        .args(["-addext", "subjectAltName=DNS:copy.example.com"])
        .args(["-addext", "keyUsage=critical,keyCertSign"])
        .args(["-addext", "extendedKeyUsage=codeSigning"])
        .args(["-addext", "1.3.6.1.4.1.44947.1.2=ASN1:UTF8String:copied"])
        .current_dir(d.0.path())
        .status()
        .expect("openssl is needed (scripts/test installs it)");
    assert!(status.success());
    let cfg = r#"{"signing": {"profiles": {
        "copy": {"usages": ["digital signature", "server auth"], "expiry": "1h", "copy_extensions": true,
                 "allowed_extensions": ["1.3.6.1.4.1.44947.1.2"]},
        "plain": {"usages": ["digital signature", "server auth"], "expiry": "1h"}}}}"#;
    d.write("config.json", cfg);
    let sign = |profile: &str| {
        let out = d.ok(&[
            "sign",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "-config",
            "config.json",
            "-profile",
            profile,
            "copy.csr",
        ]);
        field(&out, "cert")
    };
    let copied = sign("copy");
    let (f, _) = read_allowing_custom(&copied);
    assert_eq!(
        f.0, 1,
        "digitalSignature only: the CSR's keyCertSign is not copied"
    );
    assert_eq!(
        f.1,
        ["1.3.6.1.5.5.7.3.1"],
        "serverAuth only: the CSR's codeSigning is not copied"
    );
    assert!(f.2, "the custom extension allowed by the profile is copied");
    d.lint("copied.pem", &copied, Some("ca.pem"));
    let (plain, _) = read_allowing_custom(&sign("plain"));
    assert!(!plain.2, "without copy_extensions nothing is copied");
}

/// (KeyUsage bits, EKU OIDs, custom extension present) read with
/// x509-parser, which `certfields::read` would refuse for the custom OID.
fn read_allowing_custom(pem_text: &str) -> ((u16, Vec<String>, bool), ()) {
    use x509_parser::extensions::ParsedExtension;
    use x509_parser::prelude::*;
    let block = ::pem::parse(pem_text.as_bytes()).unwrap();
    let (_, cert) = X509Certificate::from_der(block.contents()).unwrap();
    let mut out = (0u16, Vec::new(), false);
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::KeyUsage(ku) => out.0 = ku.flags,
            ParsedExtension::ExtendedKeyUsage(eku) => {
                if eku.server_auth {
                    out.1.push("1.3.6.1.5.5.7.3.1".to_string());
                }
                if eku.code_signing {
                    out.1.push("1.3.6.1.5.5.7.3.3".to_string());
                }
            }
            _ if ext.oid.to_id_string() == "1.3.6.1.4.1.44947.1.2" => out.2 = true,
            _ => {}
        }
    }
    (out, ())
}

#[test]
fn full_profile_urls_and_policies_land_in_the_certificate() {
    let d = Dir::with_ca();
    let (csr, _) = d.leaf_csr();
    d.write(
        "config.json",
        r#"{"signing": {"default": {"usages": ["digital signature", "server auth"], "expiry": "1h",
            "issuer_urls": ["http://ca.example.com/ca.der"], "ocsp_url": "http://ocsp.example.com",
            "crl_url": "http://crl.example.com/ca.crl", "ocsp_no_check": true,
            "policies": [{"ID": "2.23.140.1.2.2", "qualifiers": [{"type": "id-qt-cps", "value": "https://cps.example.com"}]}]},
          "profiles": {"inherits": {"usages": ["client auth"], "expiry": "2h"}}}}"#,
    );
    let sign = |extra: &[&str]| {
        let args = [
            &[
                "sign",
                "-ca",
                "ca.pem",
                "-ca-key",
                "ca-key.pem",
                "-config",
                "config.json",
            ][..],
            extra,
            &[csr],
        ]
        .concat();
        field(&d.ok(&args), "cert")
    };
    let cert = sign(&[]);
    let (f, _) = read(&cert);
    assert_eq!(
        f.aia,
        [
            (
                "1.3.6.1.5.5.7.48.1".to_string(),
                "http://ocsp.example.com".to_string()
            ),
            (
                "1.3.6.1.5.5.7.48.2".to_string(),
                "http://ca.example.com/ca.der".to_string()
            )
        ]
    );
    assert_eq!(f.cdp, ["http://crl.example.com/ca.crl"]);
    assert_eq!(f.policies[0].0, "2.23.140.1.2.2");
    assert!(f.ocsp_no_check);
    d.lint("full.pem", &cert, Some("ca.pem"));
    // A named profile inherits the default's URLs, as in cfssl.
    let inherited = sign(&["-profile", "inherits"]);
    let (g, _) = read(&inherited);
    assert_eq!((g.aia, g.cdp), (f.aia, f.cdp));
    assert!(g.policies.is_empty() && !g.ocsp_no_check);
    d.lint("inherits.pem", &inherited, Some("ca.pem"));
}

#[test]
fn unknown_profile_and_bad_configs_fail_with_one_line() {
    let d = Dir::with_ca();
    let (csr, _) = d.leaf_csr();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cfssl/config");
    let cfg = fixtures.join("valid_config.json");
    d.cmd(&[
        "sign",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        cfg.to_str().unwrap(),
        "-profile",
        "nope",
        csr,
    ])
    .failure()
    .code(1)
    .stdout("")
    .stderr(predicate::str::contains("no profile named \"nope\""));
    let bad = fixtures.join("invalid_remotes.json");
    d.cmd(&[
        "sign",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        bad.to_str().unwrap(),
        csr,
    ])
    .failure()
    .code(1)
    .stderr(predicate::str::contains("localhoster"));
}
