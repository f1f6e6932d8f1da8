//! `certkit renew`: the same subject, SANs and key (unless --new-key),
//! a validity that reaches further, the old files kept as .bak.

use assert_cmd::Command;
use predicates::str::contains;
use std::path::Path;
use x509_parser::prelude::parse_x509_certificate;

const CONFIG: &str = r#"{"signing":{"profiles":{
  "short": {"usages":["signing","server auth"],"expiry":"1h"},
  "long": {"usages":["signing","server auth"],"expiry":"8760h"},
  "past": {"usages":["signing","server auth"],"expiry":"1h",
           "not_before":"2020-01-01T00:00:00Z","not_after":"2021-01-01T00:00:00Z"}
}}}"#;

fn certkit() -> Command {
    Command::cargo_bin("certkit").unwrap()
}

fn json_field(output: &[u8], field: &str) -> String {
    let value: serde_json::Value = serde_json::from_slice(output).unwrap();
    value[field].as_str().unwrap().to_string()
}

fn make_ca(dir: &Path, name: &str) {
    let ca = certkit()
        .args(["gencert", "-initca", "-"])
        .write_stdin(format!(r#"{{"CN":"{name}","key":{{"algo":"ecdsa","size":256}}}}"#))
        .assert()
        .success();
    let out = &ca.get_output().stdout;
    std::fs::write(dir.join(format!("{name}.pem")), json_field(out, "cert")).unwrap();
    std::fs::write(dir.join(format!("{name}-key.pem")), json_field(out, "key")).unwrap();
}

/// ca.pem/ca-key.pem and server.pem/server-key.pem from `profile`.
fn setup(dir: &Path, profile: &str) {
    std::fs::write(dir.join("config.json"), CONFIG).unwrap();
    make_ca(dir, "ca");
    let leaf = certkit()
        .current_dir(dir)
        .args(["gencert", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "-config", "config.json", "-profile", profile, "-"])
        .write_stdin(r#"{"CN":"etcd","names":[{"O":"ops"}],"hosts":["etcd.example","10.0.0.5"]}"#)
        .assert()
        .success();
    let out = &leaf.get_output().stdout;
    std::fs::write(dir.join("server.pem"), json_field(out, "cert")).unwrap();
    std::fs::write(dir.join("server-key.pem"), json_field(out, "key")).unwrap();
}

/// The parts renewal must keep or change: subject, SAN extension, public
/// key, notBefore and notAfter (Unix seconds), serial, KeyUsage and EKU.
struct Facts {
    subject: String,
    san: Vec<u8>,
    spki: Vec<u8>,
    not_before: i64,
    not_after: i64,
    serial: Vec<u8>,
    usages: Vec<u8>,
}

fn facts(path: &Path) -> Facts {
    let pem_bytes = std::fs::read(path).unwrap();
    let der = pem::parse(&pem_bytes).unwrap().into_contents();
    let (_, cert) = parse_x509_certificate(&der).unwrap();
    let ext = |oid: &str| -> Vec<u8> {
        cert.extensions()
            .iter()
            .find(|e| e.oid.to_id_string() == oid)
            .map(|e| e.value.to_vec())
            .unwrap_or_default()
    };
    Facts {
        subject: cert.subject().to_string(),
        san: ext("2.5.29.17"),
        spki: cert.public_key().raw.to_vec(),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        serial: cert.raw_serial().to_vec(),
        usages: [ext("2.5.29.15"), ext("2.5.29.37")].concat(),
    }
}

fn openssl(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("openssl").current_dir(dir).args(args).output().expect("openssl must be installed")
}

#[test]
fn renew_keeps_subject_sans_and_key_and_extends_validity() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), "short");
    let old = facts(&dir.path().join("server.pem"));
    let old_pem = std::fs::read(dir.path().join("server.pem")).unwrap();
    certkit()
        .current_dir(dir.path())
        .args(["renew", "server.pem", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "-config", "config.json", "-profile", "long"])
        .assert()
        .success()
        .stderr(contains("renewed server.pem"));
    let new = facts(&dir.path().join("server.pem"));
    assert_eq!(new.subject, old.subject);
    assert_eq!(new.san, old.san);
    assert!(!new.san.is_empty());
    assert_eq!(new.spki, old.spki, "the key is kept");
    assert_eq!(new.usages, old.usages);
    assert_ne!(new.serial, old.serial);
    assert!(new.not_after > old.not_after + 8000 * 3600, "validity is extended to the long profile");
    assert_eq!(std::fs::read(dir.path().join("server.pem.bak")).unwrap(), old_pem);
    let verify = openssl(dir.path(), &["verify", "-x509_strict", "-CAfile", "ca.pem", "server.pem"]);
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    let matches = openssl(dir.path(), &["x509", "-noout", "-pubkey", "-in", "server.pem"]);
    let from_key = openssl(dir.path(), &["pkey", "-pubout", "-in", "server-key.pem"]);
    assert_eq!(matches.stdout, from_key.stdout, "server-key.pem still matches");
}

#[test]
fn expired_certificate_renews_with_its_own_lifetime() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), "past");
    let old = facts(&dir.path().join("server.pem"));
    assert!(old.not_after < 1_700_000_000);
    certkit()
        .current_dir(dir.path())
        .args(["renew", "server.pem", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "--no-backup"])
        .assert()
        .success();
    let new = facts(&dir.path().join("server.pem"));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!(new.not_before <= now && new.not_after > now, "renewed certificate is valid now");
    assert_eq!(new.not_after - new.not_before, old.not_after - old.not_before, "same lifetime as before");
    assert_eq!((new.subject, new.san, new.spki, new.usages), (old.subject, old.san, old.spki, old.usages));
    assert!(!dir.path().join("server.pem.bak").exists(), "--no-backup keeps no backup");
    certkit()
        .arg("check-expiration")
        .arg(dir.path().join("server.pem"))
        .args(["--within", "1h"])
        .assert()
        .success();
}

#[test]
fn new_key_replaces_the_key_and_keeps_the_old_one_as_backup() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), "long");
    let old = facts(&dir.path().join("server.pem"));
    let old_key = std::fs::read(dir.path().join("server-key.pem")).unwrap();
    certkit()
        .current_dir(dir.path())
        .args(["renew", "server.pem", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "--new-key"])
        .assert()
        .success();
    let new = facts(&dir.path().join("server.pem"));
    assert_ne!(new.spki, old.spki);
    assert_eq!(new.subject, old.subject);
    assert_eq!(new.san, old.san);
    assert_eq!(std::fs::read(dir.path().join("server-key.pem.bak")).unwrap(), old_key);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join("server-key.pem")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let from_cert = openssl(dir.path(), &["x509", "-noout", "-pubkey", "-in", "server.pem"]);
    let from_key = openssl(dir.path(), &["pkey", "-pubout", "-in", "server-key.pem"]);
    assert!(from_key.status.success());
    assert_eq!(from_cert.stdout, from_key.stdout, "the new key matches the new certificate");
}

#[test]
fn renewal_by_another_ca_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), "long");
    make_ca(dir.path(), "other");
    let before = std::fs::read(dir.path().join("server.pem")).unwrap();
    certkit()
        .current_dir(dir.path())
        .args(["renew", "server.pem", "-ca", "other.pem", "-ca-key", "other-key.pem"])
        .assert()
        .failure()
        .code(1)
        .stderr(contains("server.pem: was issued by"));
    assert_eq!(std::fs::read(dir.path().join("server.pem")).unwrap(), before);
    assert!(!dir.path().join("server.pem.bak").exists());
    certkit()
        .current_dir(dir.path())
        .args(["renew", "server.pem", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "--key", "server-key.pem", "--new-key"])
        .assert()
        .failure()
        .code(2);
}
