//! The attacks of README "Security", each as a regression test: hostile
//! names and extensions (`names`), interrupted, failing and racing writes
//! (`files`), hostile inputs (`inputs`), and key material left in memory
//! (`memory`). Each test runs the binary as a user or an attacker would.

mod files;
mod inputs;
mod memory;
mod names;

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A working directory with an ECDSA CA (ca.pem, ca-key.pem).
pub struct Dir(pub TempDir);

impl Dir {
    pub fn empty() -> Dir {
        Dir(TempDir::new().unwrap())
    }

    pub fn with_ca() -> Dir {
        let d = Dir::empty();
        d.write(
            "ca.json",
            r#"{"CN": "Hardening CA", "key": {"algo": "ecdsa", "size": 256}}"#,
        );
        let out = d.ok(&["gencert", "-initca", "ca.json"]);
        d.write("ca.pem", &field(&out, "cert"));
        d.write("ca-key.pem", &field(&out, "key"));
        d
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_certkit"));
        c.current_dir(self.0.path());
        c
    }

    pub fn cmd(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        self.command().args(args).assert()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd(args).success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    }

    /// Runs a shell command line in the directory; returns its stdout.
    pub fn sh(&self, line: &str) -> String {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(line)
            .current_dir(self.0.path())
            .env("CERTKIT", env!("CARGO_BIN_EXE_certkit"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs `sign` with the CA and the given config on `csr`; returns
    /// (success, stdout, stderr).
    pub fn sign(&self, config: &str, extra: &[&str], csr: &str) -> (bool, String, String) {
        self.write("config.json", config);
        let mut args = vec![
            "sign",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "-config",
            "config.json",
        ];
        args.extend_from_slice(extra);
        args.push(csr);
        let out = self.command().args(&args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// A one-profile signing config for server certificates.
pub const SERVER_CONFIG: &str =
    r#"{"signing":{"default":{"usages":["server auth"],"expiry":"1h"}}}"#;

/// `batch` with the CA and config.json, writing into out/.
pub fn batch_args(requests: &str) -> Vec<&str> {
    vec![
        "batch",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        "config.json",
        "-out",
        "out",
        requests,
    ]
}

pub fn field(json: &str, name: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {json}"))
        .to_string()
}

/// Whether `path`'s private key belongs to the certificate at `cert`.
pub fn key_matches_cert(key: &Path, cert: &Path) -> bool {
    let pubkey = |args: &[&str]| {
        std::process::Command::new("openssl")
            .args(args)
            .output()
            .map(|o| o.stdout)
            .unwrap_or_default()
    };
    let from_key = pubkey(&["pkey", "-in", key.to_str().unwrap(), "-pubout"]);
    let from_cert = pubkey(&["x509", "-in", cert.to_str().unwrap(), "-noout", "-pubkey"]);
    !from_key.is_empty() && from_key == from_cert
}
