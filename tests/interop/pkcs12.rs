//! PKCS#12 against openssl and Java: the file certkit writes round-trips
//! through `openssl pkcs12` (key, certificate and chain come back intact,
//! and openssl re-exports it), and Java's keytool lists the key entry
//! with its chain. openssl and keytool must be installed.

use std::path::Path;
use support::{cmd_in, to_files};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/workflow");

fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} must be installed: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A CA and a server certificate it signed, and the password file.
fn pki() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    to_files(
        d,
        &["initca", &format!("{FIXTURES}/ca-csr.json")],
        b"",
        "ca",
    );
    to_files(
        d,
        &[
            "gencert",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            &format!("{FIXTURES}/server-csr.json"),
        ],
        b"",
        "server",
    );
    std::fs::write(d.join("p12.pass"), "changeit\n").unwrap();
    cmd_in(d)
        .args([
            "pkcs12",
            "-cert",
            "server.pem",
            "-key",
            "server-key.pem",
            "-ca",
            "ca.pem",
        ])
        .args([
            "-name",
            "my-server",
            "-password-file",
            "p12.pass",
            "-out",
            "server.p12",
        ])
        .assert()
        .success();
    dir
}

fn pem_blocks(text: &str, label: &str) -> Vec<String> {
    pem::parse_many(text)
        .unwrap()
        .into_iter()
        .filter(|b| b.tag() == label)
        .map(|b| pem::encode(&b))
        .collect()
}

#[test]
fn round_trips_through_openssl_pkcs12() {
    let dir = pki();
    let d = dir.path();
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(d.join("server.p12"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    let info = run(
        d,
        "openssl",
        &[
            "pkcs12",
            "-info",
            "-in",
            "server.p12",
            "-passin",
            "file:p12.pass",
            "-nodes",
        ],
    );
    assert!(info.contains("friendlyName: my-server"), "{info}");
    let all = run(
        d,
        "openssl",
        &[
            "pkcs12",
            "-in",
            "server.p12",
            "-passin",
            "file:p12.pass",
            "-nodes",
        ],
    );
    let certs = pem_blocks(&all, "CERTIFICATE");
    let server = std::fs::read_to_string(d.join("server.pem")).unwrap();
    let ca = std::fs::read_to_string(d.join("ca.pem")).unwrap();
    let mut want = pem_blocks(&server, "CERTIFICATE");
    want.extend(pem_blocks(&ca, "CERTIFICATE"));
    let mut got = certs.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want, "the certificates must come back byte for byte");
    std::fs::write(d.join("extracted.pem"), &all).unwrap();
    let key_pub = run(d, "openssl", &["pkey", "-in", "extracted.pem", "-pubout"]);
    let cert_pub = run(
        d,
        "openssl",
        &["x509", "-in", "server.pem", "-pubkey", "-noout"],
    );
    assert_eq!(key_pub, cert_pub);
    // openssl writes it again from what it read, and reads that back.
    run(
        d,
        "openssl",
        &[
            "pkcs12",
            "-export",
            "-in",
            "extracted.pem",
            "-passout",
            "file:p12.pass",
            "-out",
            "again.p12",
        ],
    );
    let again = run(
        d,
        "openssl",
        &[
            "pkcs12",
            "-in",
            "again.p12",
            "-passin",
            "file:p12.pass",
            "-nodes",
        ],
    );
    assert_eq!(pem_blocks(&again, "CERTIFICATE").len(), 2);
}

#[test]
fn a_wrong_password_is_refused_by_openssl() {
    let dir = pki();
    let d = dir.path();
    std::fs::write(d.join("wrong.pass"), "wrong\n").unwrap();
    let out = std::process::Command::new("openssl")
        .args([
            "pkcs12",
            "-in",
            "server.p12",
            "-passin",
            "file:wrong.pass",
            "-nodes",
        ])
        .current_dir(d)
        .output()
        .expect("openssl must be installed");
    assert!(!out.status.success());
}

#[test]
fn java_keytool_lists_the_key_and_its_chain() {
    let dir = pki();
    let d = dir.path();
    let list = run(
        d,
        "keytool",
        &[
            "-list",
            "-v",
            "-keystore",
            "server.p12",
            "-storetype",
            "PKCS12",
            "-storepass:file",
            "p12.pass",
        ],
    );
    assert!(list.contains("Alias name: my-server"), "{list}");
    assert!(list.contains("Entry type: PrivateKeyEntry"), "{list}");
    assert!(list.contains("Certificate chain length: 2"), "{list}");
    assert!(list.contains("CN=My Example Signer"), "{list}");
}

#[test]
fn a_key_that_does_not_match_the_certificate_is_refused() {
    let dir = pki();
    let d = dir.path();
    cmd_in(d)
        .args([
            "pkcs12",
            "-cert",
            "server.pem",
            "-key",
            "ca-key.pem",
            "-password-file",
            "p12.pass",
        ])
        .args(["-out", "bad.p12"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("does not belong"));
    assert!(!d.join("bad.p12").exists());
}
