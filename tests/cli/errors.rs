//! Bad input gives one clear error line on stderr, a non-zero exit and no
//! partial output.

use std::path::Path;
use support::*;

/// Runs a pipeline that must fail and checks the error and the directory.
fn fails(dir: &Path, script: &str, expect: &str) {
    let before = listing(dir);
    let out = sh(dir, script);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{script}: should fail\n{stderr}");
    assert!(!stderr.contains("panicked"), "{script}: {stderr}");
    // The failing command says what is wrong in one line; cfssljson after
    // the pipe then only notes that it got nothing.
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("[ERROR]")).collect();
    let (first, rest) = errors
        .split_first()
        .unwrap_or_else(|| panic!("{script}: no error line:\n{stderr}"));
    assert!(
        first.contains(expect),
        "{script}: expected {expect:?} in {first:?}"
    );
    for line in rest {
        assert!(
            line.contains("<stdin>: empty input"),
            "{script}: unexpected error line {line:?}"
        );
    }
    assert_eq!(listing(dir), before, "{script}: output files appeared");
}

fn setup() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    symlink_bin(dir);
    let fx = fixtures().join("workflow");
    let script = format!(
        "certkit initca {fx}/ca-csr.json | certkit json -bare ca
         certkit genkey {fx}/server-csr.json | certkit json -bare server
         echo '{{\"CN\":\"x\",\"key\":{{\"algo\":\"ecdsa\",\"size\":256}}}}' | certkit initca - | certkit json -bare other",
        fx = fx.display()
    );
    assert_ok(&sh(dir, &script), "setup");
    tmp
}

#[test]
fn malformed_json_names_the_input() {
    let tmp = setup();
    std::fs::write(tmp.path().join("bad.json"), "{\"CN\": \"x\",").unwrap();
    fails(
        tmp.path(),
        "certkit genkey bad.json | certkit json -bare out",
        "bad.json: invalid JSON",
    );
}

#[test]
fn unknown_algorithm_is_refused() {
    let tmp = setup();
    fails(
        tmp.path(),
        r#"echo '{"CN":"x","key":{"algo":"dsa","size":2048}}' | cfssl genkey - | cfssljson -bare out"#,
        "key.algo: unknown algorithm \"dsa\"",
    );
}

#[test]
fn rsa_1024_is_refused() {
    let tmp = setup();
    fails(
        tmp.path(),
        r#"echo '{"CN":"x","key":{"algo":"rsa","size":1024}}' | cfssl gencert -initca - | cfssljson -bare out"#,
        "RSA key size 1024 is not allowed",
    );
}

#[test]
fn ca_key_not_matching_ca_cert_is_refused() {
    let tmp = setup();
    fails(
        tmp.path(),
        "cfssl sign -ca ca.pem -ca-key other-key.pem server.csr | cfssljson -bare out",
        "other-key.pem: private key does not match the CA certificate ca.pem",
    );
}

#[test]
fn tampered_csr_signature_is_refused() {
    let tmp = setup();
    let dir = tmp.path();
    let pem = std::fs::read_to_string(dir.join("server.csr")).unwrap();
    let block = pem::parse(pem.as_bytes()).unwrap();
    let mut der = block.contents().to_vec();
    let at = der.windows(6).position(|w| w == b"my-pod").unwrap();
    der[at] = b'M';
    let tampered = certkit_core::keys::pem_encode("CERTIFICATE REQUEST", &der);
    std::fs::write(dir.join("tampered.csr"), tampered).unwrap();
    fails(
        dir,
        "cfssl sign -ca ca.pem -ca-key ca-key.pem tampered.csr | cfssljson -bare out",
        "tampered.csr: CSR signature check failed",
    );
}

#[test]
fn missing_files_are_named() {
    let tmp = setup();
    fails(
        tmp.path(),
        "cfssl genkey nope.json | cfssljson -bare out",
        "nope.json: No such file",
    );
    fails(
        tmp.path(),
        "cfssl sign -ca nope.pem -ca-key ca-key.pem server.csr | cfssljson -bare out",
        "nope.pem: No such file",
    );
    fails(tmp.path(), "cfssl sign -ca ca.pem -ca-key ca-key.pem -config nope.json server.csr | cfssljson -bare out", "nope.json: No such file");
}

#[test]
fn sign_without_ca_fails_unlike_cfssl() {
    let tmp = setup();
    fails(
        tmp.path(),
        "cfssl sign server.csr | cfssljson -bare out",
        "no CA certificate given",
    );
}

#[test]
fn misspelled_profile_is_an_error() {
    let tmp = setup();
    let config = fixtures().join("workflow/server-signing-config.json");
    fails(
        tmp.path(),
        &format!("cfssl sign -ca ca.pem -ca-key ca-key.pem -config {} -profile sever server.csr | cfssljson -bare out", config.display()),
        "no profile named \"sever\"",
    );
}

#[test]
fn usage_errors_exit_2() {
    let tmp = setup();
    let out = run(tmp.path(), &certkit(), &["sign", "--no-such-flag"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = run(tmp.path(), &certkit(), &["genkey"], None);
    assert_eq!(out.status.code(), Some(2));
}
