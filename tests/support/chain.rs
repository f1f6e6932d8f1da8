//! Helpers for the bundle, verify and certinfo tests: running certkit and
//! the reference tools, and making certificate chains with certkit
//! itself or with openssl (for the deliberately broken ones).

use std::path::Path;
use std::process::Output;

/// A file under fixtures/cfssl/bundler, as a string for command lines.
pub fn bundler_fixture(name: &str) -> String {
    crate::fixtures()
        .join("cfssl/bundler")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Runs a program in `dir` with `stdin`, returning its output.
pub fn run_in(dir: &Path, program: &Path, args: &[&str], stdin: &[u8]) -> Output {
    crate::run(dir, program, args, Some(stdin))
}

/// Runs and insists on success.
pub fn ok_in(dir: &Path, program: &Path, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let out = run_in(dir, program, args, stdin);
    assert!(
        out.status.success(),
        "{} {args:?} failed: {}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Root, intermediate (pathlen 0, made with `certkit sign` and a CA
/// profile) and leaf, all made by certkit with `algo` keys ("ecdsa" 256
/// or "rsa" 2048): root.pem, int.pem, leaf.pem and their keys in `dir`.
pub fn certkit_chain(dir: &Path, algo: &str) {
    let size = if algo == "rsa" { 2048 } else { 256 };
    let req = |cn: &str, hosts: &str| {
        format!(
            r#"{{"CN":"{cn}","hosts":[{hosts}],"key":{{"algo":"{algo}","size":{size}}},"names":[{{"C":"US","O":"certkit test"}}]}}"#
        )
    };
    let config = r#"{"signing":{"default":{"usages":["digital signature","key encipherment","server auth"],"expiry":"8760h"},
        "profiles":{"intermediate":{"usages":["cert sign","crl sign"],"expiry":"43800h",
        "ca_constraint":{"is_ca":true,"max_path_len":0,"max_path_len_zero":true}}}}}"#;
    std::fs::write(dir.join("config.json"), config).unwrap();
    crate::to_files(
        dir,
        &["gencert", "-initca", "-"],
        req("Test Root", "").as_bytes(),
        "root",
    );
    crate::to_files(
        dir,
        &["genkey", "-"],
        req("Test Intermediate", "").as_bytes(),
        "int",
    );
    let sign = [
        "sign",
        "-ca",
        "root.pem",
        "-ca-key",
        "root-key.pem",
        "-config",
        "config.json",
        "-profile",
        "intermediate",
        "int.csr",
    ];
    crate::to_files(dir, &sign, b"", "int");
    let leaf = req(
        "svc.example.com",
        r#""svc.example.com","alt.example.com","192.0.2.7""#,
    );
    let gencert = [
        "gencert",
        "-ca",
        "int.pem",
        "-ca-key",
        "int-key.pem",
        "-config",
        "config.json",
        "-",
    ];
    crate::to_files(dir, &gencert, leaf.as_bytes(), "leaf");
}

/// The number of certificates in a PEM string.
pub fn pem_count(text: &str) -> usize {
    text.matches("-----BEGIN CERTIFICATE-----").count()
}
