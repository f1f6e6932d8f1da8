//! Helpers for the bundle, verify and certinfo tests: running certkit and
//! the reference tools, and making certificate chains with certkit
//! itself or with openssl (for the deliberately broken ones).
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The certkit binary under test.
pub fn certkit() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_certkit"))
}

/// A file under fixtures/cfssl/bundler, as a string for command lines.
pub fn bundler_fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/cfssl/bundler")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// The path of a reference tool; tests fail, not skip, when it is missing
/// (scripts/test installs them).
pub fn require_tool(name: &str) -> PathBuf {
    for dir in std::env::var("PATH").unwrap_or_default().split(':') {
        let p = Path::new(dir).join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!("{name} is not installed; run scripts/test, which installs it");
}

/// Runs a program in `dir` with `stdin`, returning its output.
pub fn run_in(dir: &Path, program: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
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

/// `certkit ARGS | certkit json -bare NAME` in `dir`.
pub fn certkit_to_files(dir: &Path, args: &[&str], stdin: &[u8], name: &str) {
    let json = ok_in(dir, &certkit(), args, stdin);
    ok_in(dir, &certkit(), &["json", "-bare", name], &json);
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
    certkit_to_files(
        dir,
        &["gencert", "-initca", "-"],
        req("Test Root", "").as_bytes(),
        "root",
    );
    certkit_to_files(
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
    certkit_to_files(dir, &sign, b"", "int");
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
    certkit_to_files(dir, &gencert, leaf.as_bytes(), "leaf");
}

/// The number of certificates in a PEM string.
pub fn pem_count(text: &str) -> usize {
    text.matches("-----BEGIN CERTIFICATE-----").count()
}
