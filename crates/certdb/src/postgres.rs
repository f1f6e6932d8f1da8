//! PostgreSQL, shared by replicas: the primary key (serial_number,
//! authority_key_identifier) makes a serial drawn twice fail to insert,
//! and the caller signs again. Text goes into cfssl's `bytea` columns as
//! its bytes, as lib/pq sends Go strings.

use super::rows::{self, CertRow, OcspRow};
use super::search::search_sql;
use super::timefmt::go_zero_time;
use super::{
    insert_certificate_sql, migration_002, schema_001, CertificateRecord, DbError, Filter,
    OcspRecord, CERT_COLUMNS, OCSP_COLUMNS, REVOKE_SQL, UPSERT_OCSP_SQL,
};
use certkit_ops::store::CertSearch;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
use sqlx::PgPool;
use std::str::FromStr;
use std::time::Duration;
use time::OffsetDateTime;

/// Serialises schema creation between replicas starting together.
const MIGRATION_LOCK: i64 = 0x6365_7274_6462; // "certdb"

/// Parses lib/pq's data source forms: a `postgres://` URL or
/// `key=value` pairs (`host`, `port`, `user`, `password`, `dbname`,
/// `sslmode`; values may be single-quoted).
///
/// Without `sslmode` the connection requires TLS, as lib/pq (cfssl's
/// driver) does: a server that declines TLS is refused before the
/// password is sent (sqlx's own default, `prefer`, sent it in cleartext).
/// `sslmode=verify-ca`/`verify-full` check the server's certificate
/// against `sslrootcert`; `disable` is plain TCP. A unix socket is never
/// TLS, as in libpq.
pub(super) fn connect_options(data_source: &str) -> Result<PgConnectOptions, DbError> {
    if data_source.starts_with("postgres://") || data_source.starts_with("postgresql://") {
        let options = PgConnectOptions::from_str(data_source).map_err(crate::sql)?;
        let query = data_source.split_once('?').map_or("", |(_, q)| q);
        let chosen = query.split('&').any(|kv| kv.starts_with("sslmode="));
        return Ok(default_tls(options, chosen));
    }
    let mut options = PgConnectOptions::new_without_pgpass();
    let mut chosen = false;
    for (key, value) in key_values(data_source)? {
        chosen |= key == "sslmode";
        options = match key.as_str() {
            "host" if value.starts_with('/') => options.socket(value),
            "host" | "hostaddr" => options.host(&value),
            "port" => options.port(value.parse().map_err(|_| {
                DbError::Config(format!("data_source: port {value:?} is not a number"))
            })?),
            "user" => options.username(&value),
            "password" => options.password(&value),
            "dbname" => options.database(&value),
            "sslmode" => options.ssl_mode(PgSslMode::from_str(&value).map_err(crate::sql)?),
            "sslrootcert" => options.ssl_root_cert(&value),
            "application_name" => options.application_name(&value),
            "connect_timeout" | "fallback_application_name" => options,
            other => {
                return Err(DbError::Config(format!(
                    "data_source: unknown parameter {other:?}"
                )))
            }
        };
    }
    Ok(default_tls(options, chosen))
}

/// lib/pq's default `sslmode=require` where the data source chose none
/// (over TCP; a unix socket stays as it is).
fn default_tls(options: PgConnectOptions, chosen: bool) -> PgConnectOptions {
    if chosen || options.get_socket().is_some() || options.get_host().starts_with('/') {
        options
    } else {
        options.ssl_mode(PgSslMode::Require)
    }
}

fn key_values(text: &str) -> Result<Vec<(String, String)>, DbError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let key: String =
            std::iter::from_fn(|| chars.next_if(|c| *c != '=' && !c.is_whitespace())).collect();
        if key.is_empty() {
            return Ok(out);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            return Err(DbError::Config(format!(
                "data_source: {key:?} has no value"
            )));
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    Some('\\') => value.extend(chars.next()),
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => return Err(DbError::Config("data_source: unterminated quote".into())),
                }
            }
        } else {
            value.extend(std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace())));
        }
        out.push((key, value));
    }
}

pub(super) async fn open(data_source: &str) -> Result<PgPool, DbError> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(connect_options(data_source)?)
        .await
        .map_err(crate::sql)?;
    migrate(&pool).await.map_err(crate::sql)?;
    Ok(pool)
}

async fn migrate(pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await?;
    sqlx::raw_sql(&schema_001("bytea", "timestamptz"))
        .execute(&mut *tx)
        .await?;
    let present: Vec<(String,)> = sqlx::query_as(
        "SELECT column_name::text FROM information_schema.columns \
         WHERE table_name = 'certificates' AND table_schema = current_schema()",
    )
    .fetch_all(&mut *tx)
    .await?;
    for sql in migration_002(&present, "timestamptz", "jsonb") {
        sqlx::query(&sql).execute(&mut *tx).await?;
    }
    sqlx::raw_sql(crate::acme::SCHEMA).execute(&mut *tx).await?;
    tx.commit().await
}

pub(super) async fn insert_certificate(
    pool: &PgPool,
    r: &CertificateRecord,
) -> Result<u64, sqlx::Error> {
    let sql = insert_certificate_sql(|column, n| match column {
        "metadata" | "sans" => format!("${n}::jsonb"),
        _ => format!("${n}"),
    });
    let done = sqlx::query(&sql)
        .bind(r.serial.as_bytes())
        .bind(r.aki.as_bytes())
        .bind(r.ca_label.as_bytes())
        .bind(r.status.as_bytes())
        .bind(r.reason)
        .bind(r.expiry)
        .bind(r.revoked_at.unwrap_or_else(go_zero_time))
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

/// The certificate columns, the JSON ones as text.
fn columns() -> Vec<String> {
    CERT_COLUMNS
        .iter()
        .map(|c| match *c {
            "metadata" | "sans" => format!("{c}::text"),
            _ => c.to_string(),
        })
        .collect()
}

pub(super) async fn certificates(
    pool: &PgPool,
    filter: Filter<'_>,
) -> Result<Vec<CertificateRecord>, DbError> {
    let (clause, args) = filter.clause();
    let sql = format!(
        "SELECT {} FROM certificates WHERE {clause}",
        columns().join(", ")
    );
    let mut query = sqlx::query_as::<_, CertRow>(&sql);
    for a in args {
        query = query.bind(a.as_bytes());
    }
    let rows = query.fetch_all(pool).await.map_err(crate::sql)?;
    rows.into_iter().map(rows::certificate).collect()
}

pub(super) async fn search(
    pool: &PgPool,
    search: &CertSearch,
) -> Result<Vec<CertificateRecord>, DbError> {
    // bytea holds the text's bytes (see the module comment).
    let q = search_sql(
        search,
        &columns(),
        |c| match c {
            "serial_number" | "ca_label" => format!("lower(convert_from({c}, 'UTF8'))"),
            _ => format!("lower({c}::text)"),
        },
        "",
    );
    let mut query = sqlx::query_as::<_, CertRow>(&q.sql);
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
    pool: &PgPool,
    serial: &str,
    aki: &str,
    reason: i32,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(REVOKE_SQL)
        .bind(now)
        .bind(reason)
        .bind(serial.as_bytes())
        .bind(aki.as_bytes())
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

pub(super) async fn upsert_ocsp(pool: &PgPool, r: &OcspRecord) -> Result<(), sqlx::Error> {
    sqlx::query(UPSERT_OCSP_SQL)
        .bind(r.serial.as_bytes())
        .bind(r.aki.as_bytes())
        .bind(&r.body)
        .bind(r.expiry)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn ocsp_records(
    pool: &PgPool,
    filter: Filter<'_>,
) -> Result<Vec<OcspRecord>, DbError> {
    let (clause, args) = filter.clause();
    let sql = format!(
        "SELECT {} FROM ocsp_responses WHERE {clause}",
        OCSP_COLUMNS.join(", ")
    );
    let mut query = sqlx::query_as::<_, OcspRow>(&sql);
    for a in args {
        query = query.bind(a.as_bytes());
    }
    let rows = query.fetch_all(pool).await.map_err(crate::sql)?;
    rows.into_iter().map(rows::ocsp).collect()
}
