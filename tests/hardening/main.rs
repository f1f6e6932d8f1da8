//! The attacks of README "Security", each as a regression test: hostile
//! names and extensions (`names`), interrupted, failing and racing writes
//! (`files`), hostile inputs (`inputs`), hostile certificate sets for path
//! building (`pathological`), and key material left in memory (`memory`)
//! or in logs (`secrets`). Each test runs the binary as a user or an
//! attacker would.

// If you're testing output files under faults, races or signals, it goes in here.
mod files;
// If you're testing a hostile or odd input (deep YAML, validity edges,
// nameless requests), it goes in here.
mod inputs;
// If you're testing what a core dump of certkit holds, it goes in here.
mod memory;
// If you're testing a name or extension a CSR must not smuggle into a
// certificate, it goes in here.
mod names;
// If you're testing that path building stays bounded on a hostile
// certificate set, it goes in here.
mod pathological;
// If you're testing that no key reaches stderr or a log, it goes in here.
mod secrets;

use std::path::Path;
pub use support::{field, Dir};

/// What the hardening tests add to support's Dir: their CA, and `sign`
/// with it.
pub trait HardeningDir {
    fn with_ca() -> Dir;
    fn sign(&self, config: &str, extra: &[&str], csr: &str) -> (bool, String, String);
}

impl HardeningDir for Dir {
    /// A directory with an ECDSA CA (ca.pem, ca-key.pem).
    fn with_ca() -> Dir {
        Dir::with_ca_from(r#"{"CN": "Hardening CA", "key": {"algo": "ecdsa", "size": 256}}"#)
    }

    /// Runs `sign` with the CA and the given config on `csr`; returns
    /// (success, stdout, stderr).
    fn sign(&self, config: &str, extra: &[&str], csr: &str) -> (bool, String, String) {
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
