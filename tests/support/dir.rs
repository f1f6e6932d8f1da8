//! A temporary working directory in which tests run the certkit binary
//! as a user does: write inputs, run commands, read outputs.

use assert_cmd::Command;
use std::path::PathBuf;
use tempfile::TempDir;

/// A working directory (removed on drop).
pub struct Dir(pub TempDir);

impl Dir {
    pub fn empty() -> Dir {
        Dir(TempDir::new().unwrap())
    }

    /// A directory with a CA made by `gencert -initca` from the request
    /// `ca_json`: ca.json, ca.pem, ca-key.pem.
    pub fn with_ca_from(ca_json: &str) -> Dir {
        let d = Dir::empty();
        d.write("ca.json", ca_json);
        crate::ca_in(d.0.path(), ca_json);
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

    /// certkit, run in the directory.
    pub fn command(&self) -> Command {
        let mut c = Command::new(crate::certkit());
        c.current_dir(self.0.path());
        c
    }

    pub fn cmd(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        self.command().args(args).assert()
    }

    /// Runs certkit, which must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd(args).success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    }

    /// Runs a shell command line in the directory, with $CERTKIT set;
    /// it must succeed; returns its stdout.
    pub fn sh(&self, line: &str) -> String {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(line)
            .current_dir(self.0.path())
            .env("CERTKIT", crate::certkit())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

/// The string member `name` of cfssl JSON output.
pub fn field(json: &str, name: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {json}"))
        .to_string()
}
