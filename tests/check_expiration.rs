//! `certkit check-expiration`: ordering by time left and the exit status,
//! on certificates issued with short and long lifetimes and with
//! not_before/not_after in the past.

use assert_cmd::Command;
use predicates::str::contains;
use std::path::Path;

const CONFIG: &str = r#"{"signing":{"profiles":{
  "short": {"usages":["signing","client auth"],"expiry":"1h"},
  "long": {"usages":["signing","client auth"],"expiry":"8760h"},
  "past": {"usages":["signing","client auth"],"expiry":"1h",
           "not_before":"2020-01-01T00:00:00Z","not_after":"2021-01-01T00:00:00Z"}
}}}"#;

fn certkit() -> Command {
    Command::cargo_bin("certkit").unwrap()
}

fn json_field(output: &[u8], field: &str) -> String {
    let value: serde_json::Value = serde_json::from_slice(output).unwrap();
    value[field].as_str().unwrap().to_string()
}

/// A CA (ca.pem, ca-key.pem) in `dir`, and one leaf per profile (NAME.pem,
/// NAME-key.pem) whose CN is the profile name.
pub fn issue_set(dir: &Path, profiles: &[&str]) {
    std::fs::write(dir.join("config.json"), CONFIG).unwrap();
    let ca = certkit()
        .args(["gencert", "-initca", "-"])
        .write_stdin(r#"{"CN":"Expiry Test CA","key":{"algo":"ecdsa","size":256}}"#)
        .assert()
        .success();
    let out = &ca.get_output().stdout;
    std::fs::write(dir.join("ca.pem"), json_field(out, "cert")).unwrap();
    std::fs::write(dir.join("ca-key.pem"), json_field(out, "key")).unwrap();
    for profile in profiles {
        let leaf = certkit()
            .current_dir(dir)
            .args(["gencert", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "-config", "config.json", "-profile", profile, "-"])
            .write_stdin(format!(r#"{{"CN":"{profile}","hosts":["{profile}.example"]}}"#))
            .assert()
            .success();
        let out = &leaf.get_output().stdout;
        std::fs::write(dir.join(format!("{profile}.pem")), json_field(out, "cert")).unwrap();
        std::fs::write(dir.join(format!("{profile}-key.pem")), json_field(out, "key")).unwrap();
    }
}

fn subjects(stdout: &[u8]) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_slice(stdout).unwrap();
    value.as_array().unwrap().iter().map(|c| c["subject"].as_str().unwrap().to_string()).collect()
}

#[test]
fn orders_by_time_left_and_fails_when_something_expires_within_the_window() {
    let dir = tempfile::tempdir().unwrap();
    issue_set(dir.path(), &["long", "short", "past"]);
    // Several certificates in one file, in a subdirectory; keys are skipped.
    std::fs::create_dir(dir.path().join("bundles")).unwrap();
    let bundle = [std::fs::read_to_string(dir.path().join("long.pem")).unwrap(), std::fs::read_to_string(dir.path().join("ca.pem")).unwrap()].concat();
    std::fs::write(dir.path().join("bundles/chain.pem"), bundle).unwrap();

    let run = certkit()
        .args(["check-expiration", "-o", "json", "--within", "720h"])
        .arg(dir.path())
        .assert()
        .failure()
        .code(1)
        .stderr(contains("2 of 6 certificates expire within 720h"));
    let got = subjects(&run.get_output().stdout);
    assert_eq!(
        got,
        ["/CN=past", "/CN=short", "/CN=long", "/CN=long", "/CN=Expiry Test CA", "/CN=Expiry Test CA"]
    );
    let value: serde_json::Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    assert!(value[0]["seconds_left"].as_i64().unwrap() < 0, "the past certificate has expired");
    assert_eq!(value[0]["not_after"], "2021-01-01T00:00:00Z");
    assert_eq!(value[1]["expiring"], true);
    assert_eq!(value[2]["expiring"], false);
}

#[test]
fn exit_status_follows_the_window() {
    let dir = tempfile::tempdir().unwrap();
    issue_set(dir.path(), &["long"]);
    let long = dir.path().join("long.pem");
    certkit().args(["check-expiration", "--within", "720h"]).arg(&long).assert().success();
    certkit()
        .args(["check-expiration", "--within", "9000h"])
        .arg(&long)
        .assert()
        .failure()
        .code(1)
        .stdout(contains("/CN=long"))
        .stderr(contains("1 of 1 certificates expire within 9000h"));
}

#[test]
fn table_lists_soonest_first_and_marks_expiring_rows() {
    let dir = tempfile::tempdir().unwrap();
    issue_set(dir.path(), &["short", "long"]);
    let run = certkit().arg("check-expiration").arg(dir.path()).assert().failure().code(1);
    let table = String::from_utf8(run.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("SUBJECT") && lines[0].contains("LEFT") && lines[0].contains("ISSUER"));
    assert!(lines[1].starts_with("/CN=short") && lines[1].contains(" !"), "{table}");
    assert!(lines[2].starts_with("/CN=long") && !lines[2].contains(" !"), "{table}");
    assert!(lines[3].starts_with("/CN=Expiry Test CA"), "{table}");
    assert_eq!(lines.len(), 4, "keys must not be listed: {table}");
}

#[test]
fn bad_inputs_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    issue_set(dir.path(), &[]);
    certkit()
        .arg("check-expiration")
        .arg(dir.path().join("ca-key.pem"))
        .assert()
        .failure()
        .code(1)
        .stderr(contains("ca-key.pem: no CERTIFICATE found"));
    certkit()
        .args(["check-expiration", "--within", "30d"])
        .arg(dir.path())
        .assert()
        .failure()
        .code(1)
        .stderr(contains("--within"));
    certkit()
        .arg("check-expiration")
        .arg(dir.path().join("missing"))
        .assert()
        .failure()
        .code(1)
        .stderr(contains("missing"));
}
