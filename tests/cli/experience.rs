//! The admin's experience: `--quiet`, a progress indicator only on a
//! terminal, `env:`/`file:` inputs, passwords never as plain values, and
//! the documented exit codes. The terminal test needs `script`
//! (util-linux) and fails without it.

use predicates::prelude::*;
use support::{cmd_in, to_files};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/workflow");
const RSA_4096: &str = r#"{"CN":"big","key":{"algo":"rsa","size":4096}}"#;
const SPINNER_TEXT: &str = "generating an RSA-4096 key";

#[test]
fn quiet_prints_nothing_but_keeps_errors() {
    let dir = tempfile::tempdir().unwrap();
    let req = format!("{FIXTURES}/server-csr.json");
    cmd_in(dir.path())
        .args(["genkey", "-quiet", &req])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"csr\""))
        .stderr("");
    cmd_in(dir.path())
        .args(["-q", "genkey", &req])
        .assert()
        .success()
        .stderr("");
    cmd_in(dir.path())
        .args(["--quiet", "genkey", "missing.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("[ERROR] missing.json:"));
}

#[test]
fn no_progress_indicator_in_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.json"), RSA_4096).unwrap();
    let out = cmd_in(dir.path())
        .args(["genkey", "big.json"])
        .assert()
        .success();
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(!stderr.contains(SPINNER_TEXT), "{stderr}");
    for line in stderr.lines() {
        assert!(
            line.contains(" [INFO] ") || line.contains(" [WARNING] "),
            "not a log line: {line:?}"
        );
    }
}

#[test]
fn progress_indicator_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.json"), RSA_4096).unwrap();
    let bin = support::certkit();
    let bin = bin.display();
    // `script` gives certkit a pseudo-terminal; stdout still goes to a file.
    let run = |extra: &str| {
        let out = std::process::Command::new("script")
            .args([
                "-qec",
                &format!("{bin} {extra} genkey big.json > out.json"),
                "/dev/null",
            ])
            .current_dir(dir.path())
            .output()
            .expect("script (util-linux) must be installed");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let terminal = run("");
    assert!(terminal.contains(SPINNER_TEXT), "{terminal:?}");
    let quiet = run("-quiet");
    assert!(!quiet.contains(SPINNER_TEXT), "{quiet:?}");
    let json = std::fs::read_to_string(dir.path().join("out.json")).unwrap();
    assert!(json.contains("BEGIN RSA PRIVATE KEY"));
}

#[test]
fn ca_and_key_from_env_and_file_prefixes_and_colon_paths() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ca_csr = format!("{FIXTURES}/ca-csr.json");
    to_files(d, &["initca", &ca_csr], b"", "my:ca");
    let server_csr = format!("{FIXTURES}/server-csr.json");
    to_files(d, &["genkey", &server_csr], b"", "server");
    // A path with a colon is just a path; file: says so explicitly.
    cmd_in(d)
        .args([
            "sign",
            "-ca",
            "my:ca.pem",
            "-ca-key",
            "file:my:ca-key.pem",
            "server.csr",
        ])
        .assert()
        .success();
    let ca_pem = std::fs::read_to_string(d.join("my:ca.pem")).unwrap();
    let ca_key = std::fs::read_to_string(d.join("my:ca-key.pem")).unwrap();
    cmd_in(d)
        .env("CA_CERT", &ca_pem)
        .env("CA_KEY", &ca_key)
        .args([
            "sign",
            "-ca",
            "env:CA_CERT",
            "-ca-key",
            "env:CA_KEY",
            "server.csr",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("BEGIN CERTIFICATE"));
    cmd_in(d)
        .args([
            "sign",
            "-ca",
            "env:CERTKIT_TEST_UNSET_VAR",
            "-ca-key",
            "my:ca-key.pem",
            "server.csr",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "env:CERTKIT_TEST_UNSET_VAR: the environment variable is not set",
        ));
}

#[test]
fn passwords_are_never_plain_command_line_values() {
    let dir = tempfile::tempdir().unwrap();
    let req = format!("{FIXTURES}/server-csr.json");
    for flag in ["-key-password", "-password", "-ca-key-password"] {
        cmd_in(dir.path())
            .args(["genkey", flag, "hunter2", &req])
            .assert()
            .code(2);
    }
    // A missing password file is an error naming it, not a usage error.
    cmd_in(dir.path())
        .args(["genkey", "-key-password-file", "nope.pass", &req])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nope.pass:"));
}

#[test]
fn key_format_errors_are_usage_or_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let req = format!("{FIXTURES}/server-csr.json");
    cmd_in(dir.path())
        .args(["genkey", "-key-format", "pem", &req])
        .assert()
        .code(2);
    cmd_in(dir.path())
        .args(["genkey", "-key-format", "pkcs1", &req])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("cannot be written as pkcs1"));
}
