//! `certkit batch`: many certificates from one CA in one process, checked
//! with openssl, and nothing written when one request fails.

use assert_cmd::Command;
use predicates::str::contains;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use support::cmd;

/// An ECDSA CA as ca.pem / ca-key.pem in `dir`.
fn make_ca(dir: &Path) {
    support::ca_in(
        dir,
        r#"{"CN":"Batch CA","key":{"algo":"ecdsa","size":256}}"#,
    );
}

fn batch(dir: &Path, requests: &str) -> Command {
    let mut cmd = cmd();
    cmd.current_dir(dir)
        .args(["batch", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "-config"])
        .arg(support::fixtures().join("workflow/server-signing-config.json"))
        .args(["-out", "out", requests]);
    cmd
}

fn openssl_verify(dir: &Path, cert: &str) {
    let out = std::process::Command::new("openssl")
        .current_dir(dir)
        .args(["verify", "-CAfile", "ca.pem", cert])
        .output()
        .expect("openssl must be installed (scripts/test installs it)");
    assert!(
        out.status.success(),
        "{cert}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn array_batch_writes_verifiable_certificates_and_0600_keys() {
    let dir = tempfile::tempdir().unwrap();
    make_ca(dir.path());
    std::fs::write(
        dir.path().join("requests.json"),
        r#"[{"CN":"a","hosts":["a.example"]},{"CN":"b","hosts":["b.example","10.0.0.2"]},{"CN":"c","hosts":["c.example"]}]"#,
    )
    .unwrap();
    batch(dir.path(), "requests.json")
        .assert()
        .success()
        .stderr(contains("issued 3 certificates"))
        .stderr(contains("3 certificates: key encipherment dropped"));
    for n in ["1", "2", "3"] {
        openssl_verify(dir.path(), &format!("out/{n}.pem"));
        let key = dir.path().join(format!("out/{n}-key.pem"));
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(dir.path().join(format!("out/{n}.csr")).is_file());
    }
    let text = std::process::Command::new("openssl")
        .current_dir(dir.path())
        .args([
            "x509",
            "-in",
            "out/2.pem",
            "-noout",
            "-ext",
            "subjectAltName",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("DNS:b.example") && text.contains("IP Address:10.0.0.2"),
        "{text}"
    );
}

#[test]
fn directory_batch_names_files_after_requests() {
    let dir = tempfile::tempdir().unwrap();
    make_ca(dir.path());
    let requests = dir.path().join("requests");
    std::fs::create_dir(&requests).unwrap();
    std::fs::write(
        requests.join("web.json"),
        r#"{"CN":"web","hosts":["web.example"]}"#,
    )
    .unwrap();
    std::fs::write(
        requests.join("api.json"),
        r#"{"CN":"api","hosts":["api.example"]}"#,
    )
    .unwrap();
    batch(dir.path(), "requests")
        .args(["-jobs", "1"])
        .assert()
        .success();
    openssl_verify(dir.path(), "out/web.pem");
    openssl_verify(dir.path(), "out/api.pem");
}

#[test]
fn one_bad_request_fails_the_batch_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    make_ca(dir.path());
    std::fs::write(
        dir.path().join("requests.json"),
        r#"[{"CN":"ok","hosts":["ok.example"]},{"CN":"bad","hosts":["bücher.example"]}]"#,
    )
    .unwrap();
    batch(dir.path(), "requests.json")
        .assert()
        .code(1)
        .stderr(contains("A-label"));
    assert!(!dir.path().join("out").exists());

    std::fs::write(
        dir.path().join("requests.json"),
        r#"[{"CN":"ok"},{"CN":"x","key":"rsa"}]"#,
    )
    .unwrap();
    batch(dir.path(), "requests.json")
        .assert()
        .code(1)
        .stderr(contains("requests.json[1]"));
    assert!(!dir.path().join("out").exists());
}
