//! A throwaway PostgreSQL (scripts/peers/postgres) on 127.0.0.1 for the
//! tests that run on both certificate databases.

use crate::serve::start_peer;
use std::path::PathBuf;
use std::process::Command;

/// A throwaway PostgreSQL from scripts/peers/postgres, stopped on drop.
pub struct Postgres {
    script: PathBuf,
    dir: tempfile::TempDir,
    /// `postgres://…/certkit?sslmode=disable`
    pub url: String,
}

impl Postgres {
    /// Starts one, or prints SKIP and returns None when it cannot.
    pub fn start() -> Option<Postgres> {
        Self::start_with(&[])
    }

    /// Starts one with `ssl = on`, serving `cert` and `key` (PEM files).
    pub fn start_tls(cert: &std::path::Path, key: &std::path::Path) -> Option<Postgres> {
        Self::start_with(&[
            std::ffi::OsStr::new("--tls"),
            cert.as_os_str(),
            key.as_os_str(),
        ])
    }

    fn start_with(extra: &[&std::ffi::OsStr]) -> Option<Postgres> {
        let (script, dir) = start_peer("postgres", extra)?;
        let env = std::fs::read_to_string(dir.path().join("env")).unwrap();
        let url = env
            .lines()
            .find_map(|l| l.strip_prefix("PG_URL="))
            .unwrap()
            .trim()
            .to_string();
        Some(Postgres { script, dir, url })
    }

    /// The server's TCP port.
    pub fn port(&self) -> u16 {
        self.url
            .rsplit_once(':')
            .and_then(|(_, rest)| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap()
    }

    /// A cfssl db-config for this database.
    pub fn db_config(&self) -> String {
        format!(r#"{{"driver":"postgres","data_source":"{}"}}"#, self.url)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new(&self.script)
            .arg("stop")
            .arg(self.dir.path())
            .status();
    }
}
