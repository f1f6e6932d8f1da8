//! Rotation as cron and CI run it: `certkit check-expiration` (ordering
//! by time left, the exit status) and `certkit renew` (same subject, SANs
//! and key unless --new-key, a validity that reaches further, .bak files),
//! on certificates issued with short and long lifetimes and with
//! not_before/not_after in the past.

use predicates::str::contains;
use std::path::Path;
use support::cmd;
use x509_parser::prelude::parse_x509_certificate;

const CONFIG: &str = r#"{"signing":{"profiles":{
  "short": {"usages":["signing","server auth"],"expiry":"1h"},
  "long": {"usages":["signing","server auth"],"expiry":"8760h"},
  "past": {"usages":["signing","server auth"],"expiry":"1h",
           "not_before":"2020-01-01T00:00:00Z","not_after":"2021-01-01T00:00:00Z"}
}}}"#;

fn json_field(output: &[u8], field: &str) -> String {
    let value: serde_json::Value = serde_json::from_slice(output).unwrap();
    value[field].as_str().unwrap().to_string()
}

/// A self-signed CA written as NAME.pem and NAME-key.pem.
fn make_ca(dir: &Path, name: &str) {
    let ca = cmd()
        .args(["gencert", "-initca", "-"])
        .write_stdin(format!(
            r#"{{"CN":"{name}","key":{{"algo":"ecdsa","size":256}}}}"#
        ))
        .assert()
        .success();
    let out = &ca.get_output().stdout;
    std::fs::write(dir.join(format!("{name}.pem")), json_field(out, "cert")).unwrap();
    std::fs::write(dir.join(format!("{name}-key.pem")), json_field(out, "key")).unwrap();
}

/// A CA (ca.pem, ca-key.pem) in `dir`, and one leaf per profile (NAME.pem,
/// NAME-key.pem) whose CN is the profile name.
fn issue_set(dir: &Path, profiles: &[&str]) {
    std::fs::write(dir.join("config.json"), CONFIG).unwrap();
    make_ca(dir, "Expiry Test CA");
    std::fs::rename(dir.join("Expiry Test CA.pem"), dir.join("ca.pem")).unwrap();
    std::fs::rename(dir.join("Expiry Test CA-key.pem"), dir.join("ca-key.pem")).unwrap();
    for profile in profiles {
        let leaf = cmd()
            .current_dir(dir)
            .args(["gencert", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "-config", "config.json"])
            .args(["-profile", profile, "-"])
            .write_stdin(format!(
                r#"{{"CN":"{profile}","names":[{{"O":"ops"}}],"hosts":["{profile}.example","10.0.0.5"]}}"#
            ))
            .assert()
            .success();
        let out = &leaf.get_output().stdout;
        std::fs::write(dir.join(format!("{profile}.pem")), json_field(out, "cert")).unwrap();
        std::fs::write(
            dir.join(format!("{profile}-key.pem")),
            json_field(out, "key"),
        )
        .unwrap();
    }
}

/// The CA and server.pem/server-key.pem issued under `profile`.
fn setup(dir: &Path, profile: &str) {
    issue_set(dir, &[profile]);
    std::fs::rename(dir.join(format!("{profile}.pem")), dir.join("server.pem")).unwrap();
    std::fs::rename(
        dir.join(format!("{profile}-key.pem")),
        dir.join("server-key.pem"),
    )
    .unwrap();
}

// check-expiration

fn subjects(stdout: &[u8]) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_slice(stdout).unwrap();
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["subject"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn orders_by_time_left_and_fails_when_something_expires_within_the_window() {
    let dir = tempfile::tempdir().unwrap();
    issue_set(dir.path(), &["long", "short", "past"]);
    // Several certificates in one file, in a subdirectory; keys are skipped.
    std::fs::create_dir(dir.path().join("bundles")).unwrap();
    let bundle = [
        std::fs::read_to_string(dir.path().join("long.pem")).unwrap(),
        std::fs::read_to_string(dir.path().join("ca.pem")).unwrap(),
    ]
    .concat();
    std::fs::write(dir.path().join("bundles/chain.pem"), bundle).unwrap();

    let run = cmd()
        .args(["check-expiration", "-o", "json", "--within", "720h"])
        .arg(dir.path())
        .assert()
        .failure()
        .code(1)
        .stderr(contains("2 of 6 certificates expire within 720h"));
    let got = subjects(&run.get_output().stdout);
    assert_eq!(
        got,
        [
            "/O=ops/CN=past",
            "/O=ops/CN=short",
            "/O=ops/CN=long",
            "/O=ops/CN=long",
            "/CN=Expiry Test CA",
            "/CN=Expiry Test CA"
        ]
    );
    let value: serde_json::Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    assert!(
        value[0]["seconds_left"].as_i64().unwrap() < 0,
        "the past certificate has expired"
    );
    assert_eq!(value[0]["not_after"], "2021-01-01T00:00:00Z");
    assert_eq!(value[1]["expiring"], true);
    assert_eq!(value[2]["expiring"], false);
}

#[test]
fn exit_status_follows_the_window() {
    let dir = tempfile::tempdir().unwrap();
    issue_set(dir.path(), &["long"]);
    let long = dir.path().join("long.pem");
    cmd()
        .args(["check-expiration", "--within", "720h"])
        .arg(&long)
        .assert()
        .success();
    cmd()
        .args(["check-expiration", "--within", "9000h"])
        .arg(&long)
        .assert()
        .failure()
        .code(1)
        .stdout(contains("/O=ops/CN=long"))
        .stderr(contains("1 of 1 certificates expire within 9000h"));
}

#[test]
fn table_lists_soonest_first_and_marks_expiring_rows() {
    let dir = tempfile::tempdir().unwrap();
    issue_set(dir.path(), &["short", "long"]);
    let run = cmd()
        .arg("check-expiration")
        .arg(dir.path())
        .assert()
        .failure()
        .code(1);
    let table = String::from_utf8(run.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("SUBJECT") && lines[0].contains("LEFT") && lines[0].contains("ISSUER")
    );
    assert!(
        lines[1].starts_with("/O=ops/CN=short") && lines[1].contains(" !"),
        "{table}"
    );
    assert!(
        lines[2].starts_with("/O=ops/CN=long") && !lines[2].contains(" !"),
        "{table}"
    );
    assert!(lines[3].starts_with("/CN=Expiry Test CA"), "{table}");
    assert_eq!(lines.len(), 4, "keys must not be listed: {table}");
}

#[test]
fn bad_inputs_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    issue_set(dir.path(), &[]);
    cmd()
        .arg("check-expiration")
        .arg(dir.path().join("ca-key.pem"))
        .assert()
        .failure()
        .code(1)
        .stderr(contains("ca-key.pem: no CERTIFICATE found"));
    cmd()
        .args(["check-expiration", "--within", "30d"])
        .arg(dir.path())
        .assert()
        .failure()
        .code(1)
        .stderr(contains("--within"));
    cmd()
        .arg("check-expiration")
        .arg(dir.path().join("missing"))
        .assert()
        .failure()
        .code(1)
        .stderr(contains("missing"));
}

// renew

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
    std::process::Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl must be installed")
}

/// Runs `certkit renew server.pem` with the CA named `ca` and `extra` flags.
fn renew_server(dir: &Path, ca: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    cmd()
        .current_dir(dir)
        .args([
            "renew",
            "server.pem",
            "-ca",
            &format!("{ca}.pem"),
            "-ca-key",
            &format!("{ca}-key.pem"),
        ])
        .args(extra)
        .assert()
}

/// Whether server-key.pem is the key server.pem certifies, as openssl sees it.
fn server_key_matches(dir: &Path) -> bool {
    let from_cert = openssl(dir, &["x509", "-noout", "-pubkey", "-in", "server.pem"]);
    let from_key = openssl(dir, &["pkey", "-pubout", "-in", "server-key.pem"]);
    from_cert.status.success() && from_key.status.success() && from_cert.stdout == from_key.stdout
}

#[test]
fn renew_keeps_subject_sans_and_key_and_extends_validity() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), "short");
    let old = facts(&dir.path().join("server.pem"));
    let old_pem = std::fs::read(dir.path().join("server.pem")).unwrap();
    renew_server(
        dir.path(),
        "ca",
        &["-config", "config.json", "-profile", "long"],
    )
    .success()
    .stderr(contains("renewed server.pem"));
    let new = facts(&dir.path().join("server.pem"));
    assert_eq!(new.subject, old.subject);
    assert_eq!(new.san, old.san);
    assert!(!new.san.is_empty());
    assert_eq!(new.spki, old.spki, "the key is kept");
    assert_eq!(new.usages, old.usages);
    assert_ne!(new.serial, old.serial);
    assert!(
        new.not_after > old.not_after + 8000 * 3600,
        "validity is extended to the long profile"
    );
    assert_eq!(
        std::fs::read(dir.path().join("server.pem.bak")).unwrap(),
        old_pem
    );
    let verify = openssl(
        dir.path(),
        &["verify", "-x509_strict", "-CAfile", "ca.pem", "server.pem"],
    );
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    assert!(
        server_key_matches(dir.path()),
        "server-key.pem still matches"
    );
}

#[test]
fn expired_certificate_renews_with_its_own_lifetime() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), "past");
    let old = facts(&dir.path().join("server.pem"));
    assert!(old.not_after < 1_700_000_000);
    renew_server(dir.path(), "ca", &["--no-backup"]).success();
    let new = facts(&dir.path().join("server.pem"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        new.not_before <= now && new.not_after > now,
        "renewed certificate is valid now"
    );
    assert_eq!(
        new.not_after - new.not_before,
        old.not_after - old.not_before,
        "same lifetime as before"
    );
    assert_eq!(
        (new.subject, new.san, new.spki, new.usages),
        (old.subject, old.san, old.spki, old.usages)
    );
    assert!(
        !dir.path().join("server.pem.bak").exists(),
        "--no-backup keeps no backup"
    );
    cmd()
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
    renew_server(dir.path(), "ca", &["--new-key"]).success();
    let new = facts(&dir.path().join("server.pem"));
    assert_ne!(new.spki, old.spki);
    assert_eq!(new.subject, old.subject);
    assert_eq!(new.san, old.san);
    assert_eq!(
        std::fs::read(dir.path().join("server-key.pem.bak")).unwrap(),
        old_key
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join("server-key.pem"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(
        server_key_matches(dir.path()),
        "the new key matches the new certificate"
    );
}

#[test]
fn renewal_by_another_ca_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), "long");
    make_ca(dir.path(), "other");
    let before = std::fs::read(dir.path().join("server.pem")).unwrap();
    renew_server(dir.path(), "other", &[])
        .failure()
        .code(1)
        .stderr(contains("server.pem: was issued by"));
    assert_eq!(
        std::fs::read(dir.path().join("server.pem")).unwrap(),
        before
    );
    assert!(!dir.path().join("server.pem.bak").exists());
    renew_server(dir.path(), "ca", &["--key", "server-key.pem", "--new-key"])
        .failure()
        .code(2);
}
