//! SQLite: one file in WAL mode with full fsync, so a certificate whose
//! insert returned survives a kill -9 and a power cut. Values are bound
//! as text, as cfssl's go-sqlite3 binds Go strings: a text value never
//! equals a blob in SQLite, so cfssl's `serial_number = ?` must find ours.

use super::search::search_sql;
use super::timefmt::{from_sqlite, go_zero_time, to_sqlite};
use super::{
    insert_certificate_sql, migration_002, schema_001, CertificateRecord, Filter, OcspRecord,
    CERT_COLUMNS, OCSP_COLUMNS, REVOKE_SQL, UPSERT_OCSP_SQL,
};
use certkit_ops::store::CertSearch;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::time::Duration;
use time::OffsetDateTime;

/// Opens (creating if needed) the database file `data_source` names, as
/// go-sqlite3 reads it: a path, `file:PATH?options` or `:memory:`.
pub(super) async fn open(data_source: &str) -> Result<SqlitePool, sqlx::Error> {
    let path = data_source.strip_prefix("file:").unwrap_or(data_source);
    let path = path.split('?').next().unwrap_or(path);
    let memory = path == ":memory:" || path.is_empty();
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(if memory {
            SqliteJournalMode::Memory
        } else {
            SqliteJournalMode::Wal
        })
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10));
    // An in-memory database exists per connection: keep exactly one.
    let pool = SqlitePoolOptions::new()
        .max_connections(if memory { 1 } else { 4 })
        .min_connections(if memory { 1 } else { 0 })
        .idle_timeout(if memory {
            None
        } else {
            Some(Duration::from_secs(600))
        })
        .max_lifetime(if memory {
            None
        } else {
            Some(Duration::from_secs(1800))
        })
        .connect_with(options)
        .await?;
    migrate(&pool).await?;
    Ok(pool)
}

async fn migrate(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::raw_sql(&schema_001("blob", "timestamp"))
        .execute(&mut *tx)
        .await?;
    let present: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM pragma_table_info('certificates')")
            .fetch_all(&mut *tx)
            .await?;
    for sql in migration_002(&present, "timestamp", "text") {
        sqlx::query(&sql).execute(&mut *tx).await?;
    }
    sqlx::raw_sql(crate::acme::SCHEMA).execute(&mut *tx).await?;
    tx.commit().await
}

/// `$n` placeholders as SQLite's numbered `?n`.
fn numbered(sql: &str) -> String {
    sql.replace('$', "?")
}

pub(super) async fn insert_certificate(
    pool: &SqlitePool,
    r: &CertificateRecord,
) -> Result<u64, sqlx::Error> {
    let sql = insert_certificate_sql(|_, n| format!("?{n}"));
    let done = sqlx::query(&sql)
        .bind(&r.serial)
        .bind(&r.aki)
        .bind(&r.ca_label)
        .bind(&r.status)
        .bind(r.reason)
        .bind(to_sqlite(r.expiry))
        .bind(to_sqlite(r.revoked_at.unwrap_or_else(go_zero_time)))
        .bind(&r.pem)
        .bind(r.issued_at.map(to_sqlite))
        .bind(r.not_before.map(to_sqlite))
        .bind(&r.metadata)
        .bind(&r.sans)
        .bind(&r.common_name)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

type Row = (
    String,
    String,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A stored time, where cfssl's zero time means "none".
fn stored_time(text: Option<String>) -> Option<OffsetDateTime> {
    text.as_deref()
        .and_then(from_sqlite)
        .filter(|t| *t != go_zero_time())
}

/// The certificate columns as text. CAST: rows other tools wrote as
/// blobs read back as text too.
fn columns() -> Vec<String> {
    CERT_COLUMNS
        .iter()
        .map(|c| match *c {
            "reason" => c.to_string(),
            _ => format!("CAST({c} AS TEXT)"),
        })
        .collect()
}

fn record(r: Row) -> Result<CertificateRecord, crate::DbError> {
    Ok(CertificateRecord {
        expiry: stored_time(r.5)
            .ok_or_else(|| crate::DbError::Record(format!("serial {}: no expiry", r.0)))?,
        serial: r.0,
        aki: r.1,
        ca_label: r.2.unwrap_or_default(),
        status: r.3,
        reason: r.4.unwrap_or(0) as i32,
        revoked_at: stored_time(r.6),
        pem: r.7,
        issued_at: stored_time(r.8),
        not_before: stored_time(r.9),
        metadata: r.10,
        sans: r.11,
        common_name: r.12,
    })
}

pub(super) async fn certificates(
    pool: &SqlitePool,
    filter: Filter<'_>,
) -> Result<Vec<CertificateRecord>, crate::DbError> {
    let (clause, args) = filter.clause();
    let sql = format!(
        "SELECT {} FROM certificates WHERE {}",
        columns().join(", "),
        numbered(clause)
    );
    let mut query = sqlx::query_as::<_, Row>(&sql);
    for a in args {
        query = query.bind(a);
    }
    let rows = query.fetch_all(pool).await.map_err(crate::sql)?;
    rows.into_iter().map(record).collect()
}

pub(super) async fn search(
    pool: &SqlitePool,
    search: &CertSearch,
) -> Result<Vec<CertificateRecord>, crate::DbError> {
    let q = search_sql(
        search,
        &columns(),
        |c| format!("lower(CAST({c} AS TEXT))"),
        " ESCAPE '\\'",
    );
    let sql = numbered(&q.sql);
    let mut query = sqlx::query_as::<_, Row>(&sql);
    for p in &q.patterns {
        query = query.bind(p);
    }
    if let Some(t) = q.until {
        query = query.bind(to_sqlite(t));
    }
    let rows = query.fetch_all(pool).await.map_err(crate::sql)?;
    rows.into_iter().map(record).collect()
}

pub(super) async fn revoke(
    pool: &SqlitePool,
    serial: &str,
    aki: &str,
    reason: i32,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(&numbered(REVOKE_SQL))
        .bind(to_sqlite(now))
        .bind(reason)
        .bind(serial)
        .bind(aki)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

pub(super) async fn upsert_ocsp(pool: &SqlitePool, r: &OcspRecord) -> Result<(), sqlx::Error> {
    sqlx::query(&numbered(UPSERT_OCSP_SQL))
        .bind(&r.serial)
        .bind(&r.aki)
        .bind(&r.body)
        .bind(to_sqlite(r.expiry))
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn ocsp_records(
    pool: &SqlitePool,
    filter: Filter<'_>,
) -> Result<Vec<OcspRecord>, crate::DbError> {
    let (clause, args) = filter.clause();
    let columns: Vec<String> = OCSP_COLUMNS
        .iter()
        .map(|c| format!("CAST({c} AS TEXT)"))
        .collect();
    let sql = format!(
        "SELECT {} FROM ocsp_responses WHERE {}",
        columns.join(", "),
        numbered(clause)
    );
    let mut query = sqlx::query_as::<_, (String, String, Vec<u8>, Option<String>)>(&sql);
    for a in args {
        query = query.bind(a);
    }
    let rows = query.fetch_all(pool).await.map_err(crate::sql)?;
    rows.into_iter()
        .map(|(serial, aki, body, expiry)| {
            Ok(OcspRecord {
                expiry: stored_time(expiry).ok_or_else(|| {
                    crate::DbError::Record(format!("OCSP response for serial {serial}: no expiry"))
                })?,
                serial,
                aki,
                body,
            })
        })
        .collect()
}
