//! The certificate database in cfssl's certdb schema (the `certificates`
//! and `ocsp_responses` tables of cfssl's goose migrations 001 and 002),
//! on SQLite (embedded, WAL), PostgreSQL or MySQL/MariaDB (shared by
//! replicas). An existing cfssl database keeps working and cfssl's
//! readers (`ocspdump`, `ocsprefresh`, `certinfo -db-config`) see
//! certkit's rows.
//!
//! It implements `certkit_ops::store::CertStore`, the seam the
//! operations and the server use; the rows are `certkit_ops::store`'s.
//!
//! - `config`: the `-db-config` file
//! - `sqlite`, `postgres`, `mysql`: the three backends
//! - `dsn`: go-sql-driver's MySQL data source, as cfssl's db.json has it
//! - `search`: `CertSearch` (the web page's query) as SQL
//! - `rows`: PostgreSQL's and MySQL's rows as records
//! - `timefmt`: timestamps as go-sqlite3 stores them
//! - `acme`: the ACME server's tables (certkit's own, next to cfssl's)
//! - `rate`: the ACME rate limits' events, counted between replicas

mod acme;
pub mod config;
mod dsn;
mod mysql;
mod postgres;
mod rate;
mod rows;
mod search;
mod sqlite;
mod store;
pub mod timefmt;

pub use certkit_ops::store::{CertificateRecord, OcspRecord, Revoked, StoreError as DbError};
pub use config::{DbConfig, Driver};
pub use store::open_file;

use sqlx::{MySqlPool, PgPool, SqlitePool};

/// A driver's error as the store's.
pub(crate) fn sql(e: sqlx::Error) -> DbError {
    DbError::Backend(Box::new(e))
}

/// An open certificate database.
#[derive(Debug, Clone)]
pub enum CertDb {
    Sqlite(SqlitePool),
    Postgres(PgPool),
    MySql(MySqlPool),
}

impl CertDb {
    /// Opens the database a config names, creating cfssl's tables (and
    /// the columns of migration 002) where they are missing.
    pub async fn open(config: &DbConfig) -> Result<CertDb, DbError> {
        match config.driver {
            Driver::Sqlite => Ok(CertDb::Sqlite(
                sqlite::open(&config.data_source).await.map_err(sql)?,
            )),
            Driver::Postgres => Ok(CertDb::Postgres(postgres::open(&config.data_source).await?)),
            Driver::MySql => Ok(CertDb::MySql(mysql::open(&config.data_source).await?)),
        }
    }

    /// Records an issued certificate. A serial already recorded for the
    /// same AKI is [`DbError::Duplicate`].
    pub async fn insert_certificate(&self, record: &CertificateRecord) -> Result<(), DbError> {
        let result = match self {
            CertDb::Sqlite(pool) => sqlite::insert_certificate(pool, record).await,
            CertDb::Postgres(pool) => postgres::insert_certificate(pool, record).await,
            CertDb::MySql(pool) => mysql::insert_certificate(pool, record).await,
        };
        match result {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(DbError::Duplicate {
                serial: record.serial.clone(),
                aki: record.aki.clone(),
            }),
            other => other.map(|_| ()).map_err(sql),
        }
    }

    /// The certificate with this serial (decimal) and AKI (hex).
    pub async fn certificate(
        &self,
        serial: &str,
        aki: &str,
    ) -> Result<Option<CertificateRecord>, DbError> {
        let filter = Filter::Key { serial, aki };
        Ok(self.certificates(filter).await?.into_iter().next())
    }

    /// Every certificate that has not expired.
    pub async fn unexpired_certificates(&self) -> Result<Vec<CertificateRecord>, DbError> {
        self.certificates(Filter::Unexpired).await
    }

    /// Revoked certificates that have not expired (for CRLs), of one CA
    /// label when `label` is given.
    pub async fn revoked_unexpired(
        &self,
        label: Option<&str>,
    ) -> Result<Vec<CertificateRecord>, DbError> {
        self.certificates(Filter::RevokedUnexpired { label }).await
    }

    async fn certificates(&self, filter: Filter<'_>) -> Result<Vec<CertificateRecord>, DbError> {
        match self {
            CertDb::Sqlite(pool) => sqlite::certificates(pool, filter).await,
            CertDb::Postgres(pool) => postgres::certificates(pool, filter).await,
            CertDb::MySql(pool) => mysql::certificates(pool, filter).await,
        }
    }

    /// Marks a certificate revoked now with an RFC 5280 reason code. The
    /// UPDATE touches only a row not yet revoked, so of two concurrent
    /// revokes one wins and the other reports the winner's reason.
    pub async fn revoke(&self, serial: &str, aki: &str, reason: i32) -> Result<Revoked, DbError> {
        let now = time::OffsetDateTime::now_utc();
        let rows = match self {
            CertDb::Sqlite(pool) => sqlite::revoke(pool, serial, aki, reason, now)
                .await
                .map_err(sql)?,
            CertDb::Postgres(pool) => postgres::revoke(pool, serial, aki, reason, now)
                .await
                .map_err(sql)?,
            CertDb::MySql(pool) => mysql::revoke(pool, serial, aki, reason, now)
                .await
                .map_err(sql)?,
        };
        if rows > 0 {
            return Ok(Revoked::Now);
        }
        match self.certificate(serial, aki).await? {
            Some(r) if r.is_revoked() => Ok(Revoked::Already {
                reason: r.reason,
                revoked_at: r.revoked_at,
            }),
            _ => Err(DbError::NotFound {
                serial: serial.into(),
                aki: aki.into(),
            }),
        }
    }

    /// Stores an OCSP response, replacing the one for the same certificate.
    pub async fn upsert_ocsp(&self, record: &OcspRecord) -> Result<(), DbError> {
        match self {
            CertDb::Sqlite(pool) => sqlite::upsert_ocsp(pool, record).await.map_err(sql)?,
            CertDb::Postgres(pool) => postgres::upsert_ocsp(pool, record).await.map_err(sql)?,
            CertDb::MySql(pool) => mysql::upsert_ocsp(pool, record).await.map_err(sql)?,
        }
        Ok(())
    }

    /// The stored OCSP response for a certificate.
    pub async fn ocsp(&self, serial: &str, aki: &str) -> Result<Option<OcspRecord>, DbError> {
        let filter = Filter::Key { serial, aki };
        Ok(self.ocsp_records(filter).await?.into_iter().next())
    }

    /// Every stored OCSP response that has not expired.
    pub async fn unexpired_ocsp(&self) -> Result<Vec<OcspRecord>, DbError> {
        self.ocsp_records(Filter::Unexpired).await
    }

    async fn ocsp_records(&self, filter: Filter<'_>) -> Result<Vec<OcspRecord>, DbError> {
        match self {
            CertDb::Sqlite(pool) => sqlite::ocsp_records(pool, filter).await,
            CertDb::Postgres(pool) => postgres::ocsp_records(pool, filter).await,
            CertDb::MySql(pool) => mysql::ocsp_records(pool, filter).await,
        }
    }

    /// One page of the certificates `search` matches (the web page's).
    pub async fn search(
        &self,
        search: &certkit_ops::store::CertSearch,
    ) -> Result<Vec<CertificateRecord>, DbError> {
        match self {
            CertDb::Sqlite(pool) => sqlite::search(pool, search).await,
            CertDb::Postgres(pool) => postgres::search(pool, search).await,
            CertDb::MySql(pool) => mysql::search(pool, search).await,
        }
    }

    /// Checks that the database answers (for the health endpoint).
    pub async fn ping(&self) -> Result<(), DbError> {
        let answered = match self {
            CertDb::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
            CertDb::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
            CertDb::MySql(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
        };
        answered.map_err(sql)
    }

    /// Closes the pool, waiting for queries in flight.
    pub async fn close(&self) {
        match self {
            CertDb::Sqlite(pool) => pool.close().await,
            CertDb::Postgres(pool) => pool.close().await,
            CertDb::MySql(pool) => pool.close().await,
        }
    }
}

/// Which rows a query selects; each backend turns it into a WHERE clause.
#[derive(Debug, Clone, Copy)]
enum Filter<'a> {
    Key { serial: &'a str, aki: &'a str },
    Unexpired,
    RevokedUnexpired { label: Option<&'a str> },
}

impl Filter<'_> {
    /// The WHERE clause, with `$n` placeholders, and its text arguments.
    fn clause(&self) -> (&'static str, Vec<&str>) {
        match *self {
            Filter::Key { serial, aki } => (
                "serial_number = $1 AND authority_key_identifier = $2",
                vec![serial, aki],
            ),
            Filter::Unexpired => ("CURRENT_TIMESTAMP < expiry", vec![]),
            Filter::RevokedUnexpired { label: None } => {
                ("CURRENT_TIMESTAMP < expiry AND status = 'revoked'", vec![])
            }
            Filter::RevokedUnexpired { label: Some(l) } => (
                "CURRENT_TIMESTAMP < expiry AND status = 'revoked' AND ca_label = $1",
                vec![l],
            ),
        }
    }
}

/// The certificates table's columns, in the order rows are read.
const CERT_COLUMNS: [&str; 13] = [
    "serial_number",
    "authority_key_identifier",
    "ca_label",
    "status",
    "reason",
    "expiry",
    "revoked_at",
    "pem",
    "issued_at",
    "not_before",
    "metadata",
    "sans",
    "common_name",
];

/// cfssl's migration 001 with a backend's byte-string and timestamp types.
fn schema_001(bytes: &str, timestamp: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS certificates (
  serial_number            {bytes} NOT NULL,
  authority_key_identifier {bytes} NOT NULL,
  ca_label                 {bytes},
  status                   {bytes} NOT NULL,
  reason                   int,
  expiry                   {timestamp},
  revoked_at               {timestamp},
  pem                      {bytes} NOT NULL,
  PRIMARY KEY(serial_number, authority_key_identifier)
);
CREATE TABLE IF NOT EXISTS ocsp_responses (
  serial_number            {bytes} NOT NULL,
  authority_key_identifier {bytes} NOT NULL,
  body                     {bytes} NOT NULL,
  expiry                   {timestamp},
  PRIMARY KEY(serial_number, authority_key_identifier),
  FOREIGN KEY(serial_number, authority_key_identifier) REFERENCES certificates(serial_number, authority_key_identifier)
);"
    )
}

/// Marks one certificate revoked: $1 time, $2 reason, $3 serial, $4 AKI.
const REVOKE_SQL: &str =
    "UPDATE certificates SET status = 'revoked', revoked_at = $1, reason = $2 \
     WHERE serial_number = $3 AND authority_key_identifier = $4 \
     AND (status IS NULL OR status <> 'revoked')";

/// Inserts or replaces an OCSP response: $1 serial, $2 AKI, $3 body, $4 expiry.
const UPSERT_OCSP_SQL: &str =
    "INSERT INTO ocsp_responses (serial_number, authority_key_identifier, body, expiry) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (serial_number, authority_key_identifier) \
     DO UPDATE SET body = excluded.body, expiry = excluded.expiry";

/// The OCSP columns, in the order rows are read.
const OCSP_COLUMNS: [&str; 4] = [
    "serial_number",
    "authority_key_identifier",
    "body",
    "expiry",
];

/// The INSERT for [`CERT_COLUMNS`], each placeholder passed through `cast`.
fn insert_certificate_sql(cast: impl Fn(&str, usize) -> String) -> String {
    let values: Vec<String> = CERT_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| cast(c, i + 1))
        .collect();
    format!(
        "INSERT INTO certificates ({}) VALUES ({})",
        CERT_COLUMNS.join(", "),
        values.join(", ")
    )
}

/// Migration 002's ALTERs for the columns a database made by migration
/// 001 lacks (`present`), with the backend's timestamp and JSON types.
fn migration_002(present: &[(String,)], timestamp: &str, json: &str) -> Vec<String> {
    [
        ("issued_at", timestamp),
        ("not_before", timestamp),
        ("metadata", json),
        ("sans", json),
        ("common_name", "text"),
    ]
    .into_iter()
    .filter(|(column, _)| !present.iter().any(|(name,)| name == column))
    .map(|(column, kind)| format!("ALTER TABLE certificates ADD COLUMN {column} {kind}"))
    .collect()
}

#[cfg(test)]
mod tests;
