//! The ACME server's tables (`certkit_ops::store::acme`) on every backend:
//! created by the same migration step as cfssl's tables, plain `text` and
//! `bigint` columns that mean the same on SQLite and PostgreSQL (MySQL
//! cannot index `text`, so its keys are `varchar`: `mysql::ACME_SCHEMA`).
//! The rate limits' events (`acme_rate_events`, queried in `rate`) are
//! keyed by (key, time, random id): the primary key is the index a
//! window's count reads, and every backend (Galera too) has one.

use crate::{sql, CertDb, DbError};
use certkit_ops::store::acme::{AcmeKind, AcmeRow, AcmeStore, RateCount, RateEvent, RateTaken};
use certkit_ops::store::Pending;

/// The ACME tables, created where missing (idempotent, like migration 001).
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS acme_nonces (
  nonce   text PRIMARY KEY,
  expires bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS acme_accounts (
  id      text PRIMARY KEY,
  parent  text NOT NULL UNIQUE,
  status  text NOT NULL,
  expires bigint NOT NULL,
  body    text NOT NULL
);
CREATE TABLE IF NOT EXISTS acme_orders (
  id      text PRIMARY KEY,
  parent  text NOT NULL,
  status  text NOT NULL,
  expires bigint NOT NULL,
  body    text NOT NULL
);
CREATE INDEX IF NOT EXISTS acme_orders_parent ON acme_orders (parent);
CREATE TABLE IF NOT EXISTS acme_authorizations (
  id      text PRIMARY KEY,
  parent  text NOT NULL,
  status  text NOT NULL,
  expires bigint NOT NULL,
  body    text NOT NULL
);
CREATE INDEX IF NOT EXISTS acme_authorizations_parent ON acme_authorizations (parent);
CREATE TABLE IF NOT EXISTS acme_rate_events (
  rate_key text NOT NULL,
  occurred bigint NOT NULL,
  id       text NOT NULL,
  PRIMARY KEY (rate_key, occurred, id)
);
CREATE INDEX IF NOT EXISTS acme_rate_events_occurred ON acme_rate_events (occurred);
";

/// The same statement on any pool (the bodies compile once per backend).
macro_rules! both {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            CertDb::Sqlite($pool) => $body,
            CertDb::Postgres($pool) => $body,
            CertDb::MySql($pool) => $body,
        }
    };
}
pub(crate) use both;

type Row = (String, String, String, i64, String);

fn row((id, parent, status, expires, body): Row) -> AcmeRow {
    AcmeRow {
        id,
        parent,
        status,
        expires,
        body,
    }
}

impl CertDb {
    /// `$n` placeholders as the backend numbers them.
    pub(crate) fn placeholders(&self, text: &str) -> String {
        match self {
            CertDb::Sqlite(_) => text.replace('$', "?"),
            CertDb::Postgres(_) => text.to_string(),
            CertDb::MySql(_) => crate::mysql::positional(text),
        }
    }

    async fn put_nonce(&self, nonce: &str, expires: i64) -> Result<(), DbError> {
        let insert = self.placeholders("INSERT INTO acme_nonces (nonce, expires) VALUES ($1, $2)");
        both!(self, pool => sqlx::query(&insert).bind(nonce).bind(expires).execute(pool).await.map(|_| ()))
            .map_err(sql)?;
        // Sweep expired nonces now and then (about one insert in 64), so
        // the table stays the size of the nonces in flight.
        if nonce.starts_with('A') {
            let sweep = self.placeholders("DELETE FROM acme_nonces WHERE expires < $1");
            let now = expires - crate::acme::NONCE_SWEEP_SLACK;
            both!(self, pool => sqlx::query(&sweep).bind(now).execute(pool).await.map(|_| ()))
                .map_err(sql)?;
        }
        Ok(())
    }

    async fn take_nonce(&self, nonce: &str, now: i64) -> Result<bool, DbError> {
        let delete =
            self.placeholders("DELETE FROM acme_nonces WHERE nonce = $1 AND expires >= $2");
        let done = both!(self, pool => sqlx::query(&delete).bind(nonce).bind(now).execute(pool).await.map(|d| d.rows_affected()))
            .map_err(sql)?;
        Ok(done == 1)
    }

    async fn acme_insert(&self, kind: AcmeKind, r: &AcmeRow) -> Result<(), DbError> {
        let insert = self.placeholders(&format!(
            "INSERT INTO {} (id, parent, status, expires, body) VALUES ($1, $2, $3, $4, $5)",
            kind.table()
        ));
        let done = both!(self, pool => sqlx::query(&insert)
            .bind(&r.id).bind(&r.parent).bind(&r.status).bind(r.expires).bind(&r.body)
            .execute(pool).await.map(|_| ()));
        match done {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(DbError::Duplicate {
                serial: r.id.clone(),
                aki: kind.table().into(),
            }),
            other => other.map_err(sql),
        }
    }

    async fn acme_get(&self, kind: AcmeKind, id: &str) -> Result<Option<AcmeRow>, DbError> {
        let select = self.placeholders(&format!(
            "SELECT id, parent, status, expires, body FROM {} WHERE id = $1",
            kind.table()
        ));
        let found = both!(self, pool => sqlx::query_as::<_, Row>(&select).bind(id).fetch_optional(pool).await)
            .map_err(sql)?;
        Ok(found.map(row))
    }

    async fn acme_children(
        &self,
        kind: AcmeKind,
        parent: &str,
        limit: i64,
    ) -> Result<Vec<AcmeRow>, DbError> {
        let select = self.placeholders(&format!(
            "SELECT id, parent, status, expires, body FROM {} WHERE parent = $1 ORDER BY id LIMIT $2",
            kind.table()
        ));
        let rows = both!(self, pool => sqlx::query_as::<_, Row>(&select).bind(parent).bind(limit).fetch_all(pool).await)
            .map_err(sql)?;
        Ok(rows.into_iter().map(row).collect())
    }

    async fn acme_update(
        &self,
        kind: AcmeKind,
        r: &AcmeRow,
        expected: &str,
    ) -> Result<bool, DbError> {
        let update = self.placeholders(&format!(
            "UPDATE {} SET parent = $1, status = $2, expires = $3, body = $4 WHERE id = $5 AND status = $6",
            kind.table()
        ));
        let done = both!(self, pool => sqlx::query(&update)
            .bind(&r.parent).bind(&r.status).bind(r.expires).bind(&r.body).bind(&r.id).bind(expected)
            .execute(pool).await.map(|d| d.rows_affected()));
        match done {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(DbError::Duplicate {
                serial: r.id.clone(),
                aki: kind.table().into(),
            }),
            other => Ok(other.map_err(sql)? == 1),
        }
    }
}

/// How long past its expiry a nonce row may linger before a sweep.
pub(crate) const NONCE_SWEEP_SLACK: i64 = 3600;

impl AcmeStore for CertDb {
    fn put_nonce<'a>(&'a self, nonce: &'a str, expires: i64) -> Pending<'a, ()> {
        Box::pin(CertDb::put_nonce(self, nonce, expires))
    }

    fn take_nonce<'a>(&'a self, nonce: &'a str, now: i64) -> Pending<'a, bool> {
        Box::pin(CertDb::take_nonce(self, nonce, now))
    }

    fn insert<'a>(&'a self, kind: AcmeKind, row: &'a AcmeRow) -> Pending<'a, ()> {
        Box::pin(self.acme_insert(kind, row))
    }

    fn get<'a>(&'a self, kind: AcmeKind, id: &'a str) -> Pending<'a, Option<AcmeRow>> {
        Box::pin(self.acme_get(kind, id))
    }

    fn children<'a>(
        &'a self,
        kind: AcmeKind,
        parent: &'a str,
        limit: i64,
    ) -> Pending<'a, Vec<AcmeRow>> {
        Box::pin(self.acme_children(kind, parent, limit))
    }

    fn update<'a>(
        &'a self,
        kind: AcmeKind,
        row: &'a AcmeRow,
        expected: &'a str,
    ) -> Pending<'a, bool> {
        Box::pin(self.acme_update(kind, row, expected))
    }

    fn take_event<'a>(&'a self, event: &'a RateEvent, limit: u32) -> Pending<'a, RateTaken> {
        Box::pin(self.rate_event(event, Some(limit)))
    }

    fn record_event<'a>(&'a self, event: &'a RateEvent) -> Pending<'a, ()> {
        Box::pin(async move { self.rate_event(event, None).await.map(|_| ()) })
    }

    fn count_events<'a>(&'a self, key: &'a str, window_start: i64) -> Pending<'a, RateCount> {
        Box::pin(CertDb::count_events(self, key, window_start))
    }
}

#[cfg(test)]
mod tests {
    use crate::{CertDb, DbConfig, Driver};
    use certkit_ops::store::acme::{AcmeKind, AcmeRow, AcmeStore};
    use certkit_ops::store::StoreError;

    fn row(id: &str, parent: &str, status: &str) -> AcmeRow {
        AcmeRow {
            id: id.into(),
            parent: parent.into(),
            status: status.into(),
            expires: 100,
            body: format!(r#"{{"status":"{status}"}}"#),
        }
    }

    /// Nonces are taken once and not after they expire; an account key is
    /// unique; an update whose expected status is stale changes nothing.
    #[tokio::test]
    async fn nonces_accounts_and_compare_and_set_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let db = CertDb::open(&DbConfig {
            driver: Driver::Sqlite,
            data_source: dir.path().join("certs.db").display().to_string(),
        })
        .await
        .unwrap();
        let store: &dyn AcmeStore = &db;
        store.put_nonce("n1", 50).await.unwrap();
        store.put_nonce("n2", 50).await.unwrap();
        assert!(store.take_nonce("n1", 10).await.unwrap());
        assert!(
            !store.take_nonce("n1", 10).await.unwrap(),
            "a nonce taken twice"
        );
        assert!(
            !store.take_nonce("n2", 60).await.unwrap(),
            "an expired nonce taken"
        );
        assert!(!store.take_nonce("never", 10).await.unwrap());

        store
            .insert(AcmeKind::Account, &row("a1", "thumb", "valid"))
            .await
            .unwrap();
        let duplicate = store
            .insert(AcmeKind::Account, &row("a2", "thumb", "valid"))
            .await;
        assert!(
            matches!(duplicate, Err(StoreError::Duplicate { .. })),
            "{duplicate:?}"
        );
        assert_eq!(
            store
                .children(AcmeKind::Account, "thumb", 5)
                .await
                .unwrap()
                .len(),
            1
        );

        store
            .insert(AcmeKind::Order, &row("o1", "a1", "ready"))
            .await
            .unwrap();
        let processing = row("o1", "a1", "processing");
        assert!(store
            .update(AcmeKind::Order, &processing, "ready")
            .await
            .unwrap());
        assert!(
            !store
                .update(AcmeKind::Order, &processing, "ready")
                .await
                .unwrap(),
            "a second ready -> processing went through"
        );
        let stored = store.get(AcmeKind::Order, "o1").await.unwrap().unwrap();
        assert_eq!(stored, processing);
        assert!(store
            .get(AcmeKind::Authorization, "o1")
            .await
            .unwrap()
            .is_none());
        db.close().await;
    }
}
