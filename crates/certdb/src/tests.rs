//! The database API on SQLite (always) and PostgreSQL (when
//! `CERTKIT_TEST_POSTGRES` holds a data source).

use super::*;
use certkit_core::csr::{build, VerifiedCsr};
use certkit_core::issue::initca::new_ca;
use certkit_core::issue::issuer::Issuer;
use certkit_core::keys::KeyPair;
use certkit_core::policy::Profile;
use certkit_core::request::Request;
use time::{Duration, OffsetDateTime};

fn request(cn: &str) -> Request {
    Request::from_json(
        format!(
            r#"{{"CN":"{cn}","hosts":["{cn}.example.com"],"key":{{"algo":"ecdsa","size":256}}}}"#
        )
        .as_bytes(),
        "req.json",
    )
    .unwrap()
    .request
}

/// A leaf signed by a fresh CA, through the one issuance path.
fn issued_record(cn: &str) -> CertificateRecord {
    let ca = new_ca(&request("ca")).unwrap();
    let issuer = Issuer::load(
        ca.cert_pem.as_bytes(),
        "ca.pem",
        ca.key_pem.as_bytes(),
        "ca-key.pem",
    )
    .unwrap();
    let key = KeyPair::generate(request(cn).key).unwrap();
    let csr_pem = build(&request(cn), &key).unwrap();
    let csr = VerifiedCsr::parse(csr_pem.as_bytes(), "csr").unwrap();
    let issued = issuer.sign(&csr, &Profile::cfssl_default(), None).unwrap();
    let record =
        CertificateRecord::issued(&issued.cert_der, "primary", OffsetDateTime::now_utc()).unwrap();
    assert_eq!(record.serial, issued.serial);
    assert_eq!(record.aki.len(), 40);
    record
}

async fn exercise(db: &CertDb) {
    let record = issued_record("one");
    db.insert_certificate(&record).await.unwrap();
    let again = db.insert_certificate(&record).await.unwrap_err();
    assert!(matches!(again, DbError::Duplicate { .. }), "{again}");

    let mut got = db
        .certificate(&record.serial, &record.aki)
        .await
        .unwrap()
        .unwrap();
    // Timestamps round-trip to the microsecond (PostgreSQL's precision).
    got.issued_at = got
        .issued_at
        .map(|t| t.replace_nanosecond(t.nanosecond() / 1000 * 1000).unwrap());
    let mut want = record.clone();
    want.issued_at = want
        .issued_at
        .map(|t| t.replace_nanosecond(t.nanosecond() / 1000 * 1000).unwrap());
    assert_eq!(got, want);
    assert_eq!(got.sans.as_deref(), Some(r#"["one.example.com"]"#));
    assert!(db
        .certificate(&record.serial, "00")
        .await
        .unwrap()
        .is_none());

    let mut expired = issued_record("expired");
    expired.expiry = OffsetDateTime::now_utc() - Duration::hours(1);
    db.insert_certificate(&expired).await.unwrap();
    let unexpired = db.unexpired_certificates().await.unwrap();
    assert!(unexpired.iter().any(|r| r.serial == record.serial));
    assert!(!unexpired.iter().any(|r| r.serial == expired.serial));

    assert!(db.revoked_unexpired(None).await.unwrap().is_empty());
    assert_eq!(
        db.revoke(&record.serial, &record.aki, 1).await.unwrap(),
        Revoked::Now
    );
    let revoked = db.revoked_unexpired(Some("primary")).await.unwrap();
    assert_eq!(revoked.len(), 1);
    assert!(revoked[0].is_revoked() && revoked[0].reason == 1 && revoked[0].revoked_at.is_some());
    // S2: a second revoke (here: certificateHold over keyCompromise) keeps
    // the first reason and time.
    assert_eq!(
        db.revoke(&record.serial, &record.aki, 6).await.unwrap(),
        Revoked::Already {
            reason: 1,
            revoked_at: revoked[0].revoked_at
        }
    );
    let again = db.revoked_unexpired(Some("primary")).await.unwrap();
    assert_eq!(again, revoked);
    assert!(db
        .revoked_unexpired(Some("other"))
        .await
        .unwrap()
        .is_empty());
    let missing = db.revoke("1", &record.aki, 1).await.unwrap_err();
    assert!(matches!(missing, DbError::NotFound { .. }), "{missing}");

    let mut ocsp = OcspRecord {
        serial: record.serial.clone(),
        aki: record.aki.clone(),
        body: b"\x30\x03\x0a\x01\x00".to_vec(),
        expiry: OffsetDateTime::now_utc() + Duration::hours(2),
    };
    db.upsert_ocsp(&ocsp).await.unwrap();
    ocsp.body = b"\x30\x03\x0a\x01\xff".to_vec();
    db.upsert_ocsp(&ocsp).await.unwrap();
    let got = db.ocsp(&record.serial, &record.aki).await.unwrap().unwrap();
    assert_eq!(got.body, b"\x30\x03\x0a\x01\xff");
    assert_eq!(db.unexpired_ocsp().await.unwrap().len(), 1);
}

#[tokio::test]
async fn sqlite_file_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("certs.db");
    let config = DbConfig {
        driver: Driver::Sqlite,
        data_source: path.display().to_string(),
    };
    let db = CertDb::open(&config).await.unwrap();
    exercise(&db).await;
    let CertDb::Sqlite(pool) = &db else {
        unreachable!()
    };
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    // Stored as cfssl's go-sqlite3 stores them: text, zero time for "never".
    let (kind, revoked): (String, String) = sqlx::query_as(
        "SELECT typeof(serial_number), revoked_at FROM certificates WHERE status = 'good'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        (kind.as_str(), revoked.as_str()),
        ("text", "0001-01-01 00:00:00+00:00")
    );
    db.close().await;
    // Reopening an existing database keeps the rows and migrates nothing twice.
    let db = CertDb::open(&config).await.unwrap();
    assert_eq!(db.unexpired_certificates().await.unwrap().len(), 1);
}

#[tokio::test]
async fn sqlite_database_of_migration_001_gains_002_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let config = DbConfig {
        driver: Driver::Sqlite,
        data_source: format!("file:{}?cache=shared", path.display()),
    };
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE certificates (serial_number blob NOT NULL, authority_key_identifier blob NOT NULL, \
             ca_label blob, status blob NOT NULL, reason int, expiry timestamp, revoked_at timestamp, \
             pem blob NOT NULL, PRIMARY KEY(serial_number, authority_key_identifier));",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let db = CertDb::open(&config).await.unwrap();
    exercise(&db).await;
}

#[tokio::test]
async fn postgres_when_available() {
    let Ok(data_source) = std::env::var("CERTKIT_TEST_POSTGRES") else {
        eprintln!("SKIP: CERTKIT_TEST_POSTGRES is not set (a PostgreSQL data source)");
        return;
    };
    let db = CertDb::open(&DbConfig {
        driver: Driver::Postgres,
        data_source,
    })
    .await
    .unwrap();
    let CertDb::Postgres(pool) = &db else {
        unreachable!()
    };
    sqlx::raw_sql("DELETE FROM ocsp_responses; DELETE FROM certificates;")
        .execute(pool)
        .await
        .unwrap();
    exercise(&db).await;
}

#[test]
fn postgres_key_value_data_sources() {
    let o = postgres::connect_options(
        "host=127.0.0.1 port=5433 user=certkit password='a b\\'c' dbname=certdb sslmode=disable",
    )
    .unwrap();
    assert_eq!(o.get_port(), 5433);
    assert_eq!(o.get_host(), "127.0.0.1");
    assert_eq!(o.get_username(), "certkit");
    assert_eq!(o.get_database(), Some("certdb"));
    assert!(postgres::connect_options("host").is_err());
    assert!(postgres::connect_options("bogus=1").is_err());
    assert!(postgres::connect_options("postgres://u@localhost:5432/db?sslmode=disable").is_ok());
}
