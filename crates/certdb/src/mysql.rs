//! MySQL/MariaDB, cfssl's third driver, shared by replicas like
//! PostgreSQL: the primary key (serial_number, authority_key_identifier)
//! makes a serial drawn twice fail to insert, and the caller signs again.
//! The schema is cfssl's mysql migrations (varbinary, `timestamp` with
//! the zero date as default). "Never" is stored as the zero date
//! `0000-00-00 00:00:00`, which is what cfssl's go-sql-driver writes for
//! Go's zero time and reads back as one; certkit reads it as no time.
//! MySQL's `timestamp` ends in 2038: a certificate expiring later cannot
//! be recorded, in cfssl as here (the server refuses the insert).

use super::rows::{self, CertRow, OcspRow};
use super::{
    insert_certificate_sql, migration_002, CertificateRecord, DbError, Filter, OcspRecord,
    CERT_COLUMNS, OCSP_COLUMNS, REVOKE_SQL,
};
use crate::dsn::go_mysql_options;
use crate::search::search_sql;
use certkit_ops::store::CertSearch;
use sqlx::mysql::MySqlPoolOptions;
use sqlx::{Acquire, MySqlPool};
use std::time::Duration;
use time::OffsetDateTime;

/// Serialises schema creation between replicas starting together.
const MIGRATION_LOCK: &str = "certkit-certdb-migration";

/// cfssl's mysql migration 001 (no foreign key, unlike the others).
const SCHEMA_001: &str = "CREATE TABLE IF NOT EXISTS certificates (
  serial_number            varbinary(128) NOT NULL,
  authority_key_identifier varbinary(128) NOT NULL,
  ca_label                 varbinary(128),
  status                   varbinary(128) NOT NULL,
  reason                   int,
  expiry                   timestamp DEFAULT '0000-00-00 00:00:00',
  revoked_at               timestamp DEFAULT '0000-00-00 00:00:00',
  pem                      varbinary(4096) NOT NULL,
  PRIMARY KEY(serial_number, authority_key_identifier)
);
CREATE TABLE IF NOT EXISTS ocsp_responses (
  serial_number            varbinary(128) NOT NULL,
  authority_key_identifier varbinary(128) NOT NULL,
  body                     varbinary(4096) NOT NULL,
  expiry                   timestamp DEFAULT '0000-00-00 00:00:00',
  PRIMARY KEY(serial_number, authority_key_identifier)
);";

/// The ACME tables (`acme.rs`) in MySQL's dialect: identifiers (nonces, account key
/// thumbprints, random ids, account URLs, rate-limit keys) fit in 255 characters; bodies
/// are JSON of any length.
const ACME_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS acme_nonces (
  nonce   varchar(255) PRIMARY KEY,
  expires bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS acme_accounts (
  id      varchar(255) PRIMARY KEY,
  parent  varchar(255) NOT NULL UNIQUE,
  status  varchar(32) NOT NULL,
  expires bigint NOT NULL,
  body    longtext NOT NULL
);
CREATE TABLE IF NOT EXISTS acme_orders (
  id      varchar(255) PRIMARY KEY,
  parent  varchar(255) NOT NULL,
  status  varchar(32) NOT NULL,
  expires bigint NOT NULL,
  body    longtext NOT NULL,
  INDEX acme_orders_parent (parent)
);
CREATE TABLE IF NOT EXISTS acme_authorizations (
  id      varchar(255) PRIMARY KEY,
  parent  varchar(255) NOT NULL,
  status  varchar(32) NOT NULL,
  expires bigint NOT NULL,
  body    longtext NOT NULL,
  INDEX acme_authorizations_parent (parent)
);
CREATE TABLE IF NOT EXISTS acme_rate_events (
  rate_key varchar(255) NOT NULL,
  occurred bigint NOT NULL,
  id       varchar(64) NOT NULL,
  PRIMARY KEY (rate_key, occurred, id),
  INDEX acme_rate_events_occurred (occurred)
);
";

/// cfssl's upsert of an OCSP response in MySQL's dialect.
const UPSERT_OCSP_MYSQL: &str =
    "INSERT INTO ocsp_responses (serial_number, authority_key_identifier, body, expiry) \
     VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE body = VALUES(body), expiry = VALUES(expiry)";

/// `$n` placeholders (numbered in order of use) as MySQL's `?`.
pub(crate) fn positional(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.next_if(char::is_ascii_digit).is_some() {}
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// A timestamp column read with the zero date ("never") as NULL.
fn read_column(c: &str) -> String {
    match c {
        "expiry" | "revoked_at" | "issued_at" | "not_before" => format!("NULLIF({c}, 0)"),
        "metadata" | "sans" | "common_name" => format!("CAST({c} AS CHAR)"),
        _ => c.to_string(),
    }
}

pub(super) async fn open(data_source: &str) -> Result<MySqlPool, DbError> {
    let pool = MySqlPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(go_mysql_options(data_source)?)
        .await
        .map_err(crate::sql)?;
    migrate(&pool).await.map_err(crate::sql)?;
    Ok(pool)
}

async fn migrate(pool: &MySqlPool) -> Result<(), sqlx::Error> {
    // DDL commits on its own in MySQL: a named lock, held by this one
    // connection, keeps two replicas from altering the table together.
    let mut conn = pool.acquire().await?;
    let conn = conn.acquire().await?;
    let (got,): (Option<i64>,) = sqlx::query_as("SELECT GET_LOCK(?, 30)")
        .bind(MIGRATION_LOCK)
        .fetch_one(&mut *conn)
        .await?;
    if got != Some(1) {
        return Err(sqlx::Error::Protocol(
            "timed out waiting for another replica's schema migration".into(),
        ));
    }
    let result = async {
        sqlx::raw_sql(SCHEMA_001).execute(&mut *conn).await?;
        sqlx::raw_sql(ACME_SCHEMA).execute(&mut *conn).await?;
        let present: Vec<(String,)> = sqlx::query_as(
            "SELECT CAST(column_name AS CHAR) FROM information_schema.columns \
             WHERE table_name = 'certificates' AND table_schema = DATABASE()",
        )
        .fetch_all(&mut *conn)
        .await?;
        let zero = "timestamp DEFAULT '0000-00-00 00:00:00'";
        for sql in migration_002(&present, zero, "JSON") {
            sqlx::query(&sql).execute(&mut *conn).await?;
        }
        Ok::<(), sqlx::Error>(())
    }
    .await;
    sqlx::query("SELECT RELEASE_LOCK(?)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *conn)
        .await?;
    result
}

pub(super) async fn insert_certificate(
    pool: &MySqlPool,
    r: &CertificateRecord,
) -> Result<u64, sqlx::Error> {
    let sql = insert_certificate_sql(|column, _| match column {
        "revoked_at" | "issued_at" | "not_before" => "IFNULL(?, '0000-00-00 00:00:00')".into(),
        _ => "?".into(),
    });
    let done = sqlx::query(&sql)
        .bind(r.serial.as_bytes())
        .bind(r.aki.as_bytes())
        .bind(r.ca_label.as_bytes())
        .bind(r.status.as_bytes())
        .bind(r.reason)
        .bind(r.expiry)
        .bind(r.revoked_at)
        .bind(r.pem.as_bytes())
        .bind(r.issued_at)
        .bind(r.not_before)
        .bind(&r.metadata)
        .bind(&r.sans)
        .bind(&r.common_name)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

fn columns() -> Vec<String> {
    CERT_COLUMNS.iter().map(|c| read_column(c)).collect()
}

pub(super) async fn certificates(
    pool: &MySqlPool,
    filter: Filter<'_>,
) -> Result<Vec<CertificateRecord>, DbError> {
    let (clause, args) = filter.clause();
    let sql = format!(
        "SELECT {} FROM certificates WHERE {}",
        columns().join(", "),
        positional(clause)
    );
    let mut query = sqlx::query_as::<_, CertRow>(&sql);
    for a in args {
        query = query.bind(a.as_bytes());
    }
    let rows = query.fetch_all(pool).await.map_err(crate::sql)?;
    rows.into_iter().map(rows::certificate).collect()
}

pub(super) async fn search(
    pool: &MySqlPool,
    search: &CertSearch,
) -> Result<Vec<CertificateRecord>, DbError> {
    // LIKE's default escape is the backslash already.
    let q = search_sql(
        search,
        &columns(),
        |c| format!("lower(CONVERT({c} USING utf8mb4))"),
        "",
    );
    let sql = positional(&q.sql);
    let mut query = sqlx::query_as::<_, CertRow>(&sql);
    for p in &q.patterns {
        query = query.bind(p);
    }
    if let Some(t) = q.until {
        query = query.bind(t);
    }
    let rows = query.fetch_all(pool).await.map_err(crate::sql)?;
    rows.into_iter().map(rows::certificate).collect()
}

pub(super) async fn revoke(
    pool: &MySqlPool,
    serial: &str,
    aki: &str,
    reason: i32,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(&positional(REVOKE_SQL))
        .bind(now)
        .bind(reason)
        .bind(serial.as_bytes())
        .bind(aki.as_bytes())
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

pub(super) async fn upsert_ocsp(pool: &MySqlPool, r: &OcspRecord) -> Result<(), sqlx::Error> {
    sqlx::query(UPSERT_OCSP_MYSQL)
        .bind(r.serial.as_bytes())
        .bind(r.aki.as_bytes())
        .bind(&r.body)
        .bind(r.expiry)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn ocsp_records(
    pool: &MySqlPool,
    filter: Filter<'_>,
) -> Result<Vec<OcspRecord>, DbError> {
    let columns: Vec<String> = OCSP_COLUMNS.iter().map(|c| read_column(c)).collect();
    let (clause, args) = filter.clause();
    let sql = format!(
        "SELECT {} FROM ocsp_responses WHERE {}",
        columns.join(", "),
        positional(clause)
    );
    let mut query = sqlx::query_as::<_, OcspRow>(&sql);
    for a in args {
        query = query.bind(a.as_bytes());
    }
    let rows = query.fetch_all(pool).await.map_err(crate::sql)?;
    rows.into_iter().map(rows::ocsp).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_become_positional() {
        assert_eq!(
            super::positional("a = $1 AND b = $12 AND c = '$x'"),
            "a = ? AND b = ? AND c = '$x'"
        );
    }
}
