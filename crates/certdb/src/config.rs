//! cfssl's `-db-config` file:
//! `{"driver":"sqlite3"|"postgres"|"mysql","data_source":"…"}`.

use certkit_ops::store::StoreError as DbError;
use serde::Deserialize;

/// Which database a config names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    Sqlite,
    Postgres,
    MySql,
}

/// A parsed `-db-config` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbConfig {
    pub driver: Driver,
    pub data_source: String,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    driver: String,
    #[serde(default)]
    data_source: String,
}

impl DbConfig {
    /// Parses the config text; `source` names it in errors.
    pub fn parse(text: &[u8], source: &str) -> Result<DbConfig, DbError> {
        let raw: Raw = serde_json::from_slice(text)
            .map_err(|e| DbError::Config(format!("{source}: invalid db configuration: {e}")))?;
        if raw.data_source.is_empty() {
            return Err(DbError::Config(format!(
                "{source}: invalid db configuration: data_source is empty"
            )));
        }
        let driver = match raw.driver.as_str() {
            "sqlite3" | "sqlite" => Driver::Sqlite,
            "postgres" | "postgresql" | "pgx" => Driver::Postgres,
            "mysql" => Driver::MySql,
            other => {
                return Err(DbError::Config(format!(
                    "{source}: unknown driver {other:?} (expected \"sqlite3\", \"postgres\" or \"mysql\")"
                )))
            }
        };
        Ok(DbConfig {
            driver,
            data_source: raw.data_source,
        })
    }

    /// Reads and parses a config file (a path, `env:VAR` or `file:PATH`).
    pub fn load(path: &str) -> Result<DbConfig, DbError> {
        let text =
            certkit_core::input::read_input(path).map_err(|e| DbError::Config(e.to_string()))?;
        Self::parse(&text, certkit_core::input::display_name(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cfssl_configs() {
        let c = DbConfig::parse(
            br#"{"driver":"sqlite3","data_source":"certs.db"}"#,
            "db.json",
        )
        .unwrap();
        assert_eq!(c.driver, Driver::Sqlite);
        assert_eq!(c.data_source, "certs.db");
        let c = DbConfig::parse(
            br#"{"driver":"postgres","data_source":"dbname=certdb sslmode=disable"}"#,
            "db.json",
        )
        .unwrap();
        assert_eq!(c.driver, Driver::Postgres);
        let c = DbConfig::parse(
            br#"{"driver":"mysql","data_source":"u:p@tcp(127.0.0.1:3306)/certdb?parseTime=true"}"#,
            "db.json",
        )
        .unwrap();
        assert_eq!(c.driver, Driver::MySql);
    }

    #[test]
    fn refuses_bad_configs() {
        for (text, needle) in [
            (&br#"{"driver":"sqlite3"}"#[..], "data_source is empty"),
            (
                br#"{"driver":"oracle","data_source":"x"}"#,
                "unknown driver",
            ),
            (b"nope", "invalid db configuration"),
        ] {
            let e = DbConfig::parse(text, "db.json").unwrap_err().to_string();
            assert!(e.contains(needle) && e.contains("db.json"), "{e}");
        }
    }
}
