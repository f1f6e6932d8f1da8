//! A throwaway MariaDB (scripts/peers/mariadb) on 127.0.0.1 for the tests
//! that run on cfssl's "mysql" certificate database driver.

use crate::serve::start_peer;
use std::path::PathBuf;
use std::process::Command;

/// A throwaway MariaDB from scripts/peers/mariadb, stopped on drop.
pub struct MariaDb {
    script: PathBuf,
    dir: tempfile::TempDir,
    /// Go's DSN, as cfssl's db.json takes it:
    /// `certkit:PASSWORD@tcp(127.0.0.1:PORT)/certkit?parseTime=true`.
    pub dsn: String,
    /// The `certkit` user's password (random per server).
    pub password: String,
    pub port: u16,
}

impl MariaDb {
    /// Starts one, or prints SKIP and returns None when it cannot.
    pub fn start() -> Option<MariaDb> {
        Self::start_with(&[])
    }

    /// Starts one offering TLS with `cert` and `key` (PEM files).
    pub fn start_tls(cert: &std::path::Path, key: &std::path::Path) -> Option<MariaDb> {
        Self::start_with(&[
            std::ffi::OsStr::new("--tls"),
            cert.as_os_str(),
            key.as_os_str(),
        ])
    }

    fn start_with(extra: &[&std::ffi::OsStr]) -> Option<MariaDb> {
        let (script, dir) = start_peer("mariadb", extra)?;
        let env = std::fs::read_to_string(dir.path().join("env")).unwrap();
        let value = |key: &str| {
            env.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                .unwrap()
                .trim()
                .to_string()
        };
        Some(MariaDb {
            dsn: value("MYSQL_DSN"),
            password: value("MYSQL_PASSWORD"),
            port: value("MYSQL_PORT").parse().unwrap(),
            script,
            dir,
        })
    }

    /// A cfssl db-config for this database.
    pub fn db_config(&self) -> String {
        format!(r#"{{"driver":"mysql","data_source":"{}"}}"#, self.dsn)
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        let _ = Command::new(&self.script)
            .arg("stop")
            .arg(self.dir.path())
            .status();
    }
}
