//! Every key algorithm and size certkit offers generates, makes a CA,
//! signs a leaf and verifies with openssl; openssl reads every PEM written.

use std::path::Path;
use support::*;

fn check(dir: &Path, algo: &str, size: u32, expect_key_label: &str, expect_sig: &str) {
    let openssl = require_tool("openssl");
    let tag = format!("{algo}{size}");
    std::fs::write(
        dir.join(format!("{tag}-ca.json")),
        format!(r#"{{"CN":"{tag} CA","key":{{"algo":"{algo}","size":{size}}}}}"#),
    )
    .unwrap();
    std::fs::write(
        dir.join(format!("{tag}-leaf.json")),
        format!(r#"{{"CN":"{tag}.example","hosts":["{tag}.example"],"key":{{"algo":"{algo}","size":{size}}}}}"#),
    )
    .unwrap();
    let script = format!(
        "certkit initca {tag}-ca.json | certkit json -bare {tag}-ca
         certkit genkey {tag}-leaf.json | certkit json -bare {tag}
         certkit sign -ca {tag}-ca.pem -ca-key {tag}-ca-key.pem {tag}.csr | certkit json -bare {tag}-signed"
    );
    assert_ok(&sh(dir, &script), &tag);
    let key = std::fs::read_to_string(dir.join(format!("{tag}-key.pem"))).unwrap();
    assert!(
        key.starts_with(&format!("-----BEGIN {expect_key_label}-----\n")),
        "{tag}: {key}"
    );
    for key in [format!("{tag}-key.pem"), format!("{tag}-ca-key.pem")] {
        assert_ok(
            &run(
                dir,
                &openssl,
                &["pkey", "-in", &key, "-noout", "-check"],
                None,
            ),
            &format!("openssl pkey {key}"),
        );
    }
    for csr in [format!("{tag}.csr"), format!("{tag}-ca.csr")] {
        assert_ok(
            &run(
                dir,
                &openssl,
                &["req", "-in", &csr, "-noout", "-verify"],
                None,
            ),
            &format!("openssl req -verify {csr}"),
        );
    }
    let verify = run(
        dir,
        &openssl,
        &[
            "verify",
            "-CAfile",
            &format!("{tag}-ca.pem"),
            &format!("{tag}-signed.pem"),
        ],
        None,
    );
    assert_ok(&verify, &format!("openssl verify {tag}"));
    let text = x509_text(dir, &format!("{tag}-signed.pem"));
    assert!(
        text.contains(&format!("Signature Algorithm: {expect_sig}")),
        "{tag}: {text}"
    );
}

#[test]
fn ecdsa_curves() {
    let tmp = tempfile::tempdir().unwrap();
    symlink_bin(tmp.path());
    check(
        tmp.path(),
        "ecdsa",
        256,
        "EC PRIVATE KEY",
        "ecdsa-with-SHA256",
    );
    check(
        tmp.path(),
        "ecdsa",
        384,
        "EC PRIVATE KEY",
        "ecdsa-with-SHA384",
    );
    check(
        tmp.path(),
        "ecdsa",
        521,
        "EC PRIVATE KEY",
        "ecdsa-with-SHA512",
    );
}

#[test]
fn ed25519() {
    let tmp = tempfile::tempdir().unwrap();
    symlink_bin(tmp.path());
    check(tmp.path(), "ed25519", 0, "PRIVATE KEY", "ED25519");
}

#[test]
fn rsa_sizes() {
    let tmp = tempfile::tempdir().unwrap();
    symlink_bin(tmp.path());
    check(
        tmp.path(),
        "rsa",
        2048,
        "RSA PRIVATE KEY",
        "sha256WithRSAEncryption",
    );
    check(
        tmp.path(),
        "rsa",
        3072,
        "RSA PRIVATE KEY",
        "sha384WithRSAEncryption",
    );
    check(
        tmp.path(),
        "rsa",
        4096,
        "RSA PRIVATE KEY",
        "sha512WithRSAEncryption",
    );
}

#[test]
fn rsa_8192() {
    let tmp = tempfile::tempdir().unwrap();
    symlink_bin(tmp.path());
    check(
        tmp.path(),
        "rsa",
        8192,
        "RSA PRIVATE KEY",
        "sha512WithRSAEncryption",
    );
}
