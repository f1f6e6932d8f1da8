//! The ACME rate limits' events (`acme_rate_events`): counted in the
//! database so a limit is one limit for every replica on it and survives
//! restarts.
//!
//! Taking an event is "count the key's events in the window, insert one
//! if under the limit", serialised per key between replicas, so N
//! replicas racing on one key record at most `limit` events (no
//! overshoot) on every backend:
//! - SQLite: `BEGIN IMMEDIATE` takes the database's one write lock before
//!   the count (replicas on one file wait on each other, up to the busy
//!   timeout);
//! - PostgreSQL: a transaction-scoped advisory lock on the key's hash
//!   (`pg_advisory_xact_lock`), taken before the count and released at
//!   commit, so the next holder counts the committed insert (two keys
//!   with the same hash merely wait on each other);
//! - MySQL/MariaDB: a named lock (`GET_LOCK`) on the key's hash, held
//!   by the connection around the delete, count and insert (each its own
//!   autocommit transaction, so the count sees the last holder's insert).
//!   InnoDB's own locks do not serve: a locking read of an empty range
//!   takes gap locks that do not exclude each other, and 48 takes at
//!   once deadlocked more often than a few retries could absorb. Named
//!   locks are per server: on a Galera cluster, only takes on the same
//!   node are serialised.
//!
//! Windows are measured on each replica's clock: replicas whose clocks
//! differ by s seconds shift each other's windows by s.

use crate::{sql, CertDb, DbError};
use certkit_ops::store::acme::{RateCount, RateEvent, RateTaken};

/// The advisory-lock class of rate keys (PostgreSQL's two-key form; the
/// migration lock uses the one-key form, a separate space).
const PG_LOCK_CLASS: i32 = 0x6365_7274;
/// Seconds a MySQL take waits for another replica's take of its key.
const MYSQL_LOCK_WAIT: i64 = 10;
/// Expired events of other keys deleted by one sweep, at most.
const SWEEP_BATCH: i64 = 256;

const DELETE_EXPIRED: &str = "DELETE FROM acme_rate_events WHERE rate_key = $1 AND occurred < $2";
const COUNT: &str = "SELECT COUNT(*), MIN(occurred) FROM acme_rate_events \
                     WHERE rate_key = $1 AND occurred >= $2";
const INSERT: &str = "INSERT INTO acme_rate_events (rate_key, occurred, id) VALUES ($1, $2, $3)";
/// A bounded sweep (row values: PostgreSQL and SQLite; MySQL refuses
/// LIMIT in an IN subquery but has DELETE … LIMIT).
const SWEEP: &str = "DELETE FROM acme_rate_events WHERE (rate_key, occurred, id) IN \
                     (SELECT rate_key, occurred, id FROM acme_rate_events WHERE occurred < $1 LIMIT $2)";
const SWEEP_MYSQL: &str = "DELETE FROM acme_rate_events WHERE occurred < ? LIMIT ?";

/// One take (or record, without a limit) on `$tx`, the transaction (or on
/// MySQL the connection) that holds the key's lock: delete the key's
/// expired events, count the rest, insert unless the window is full.
macro_rules! step {
    ($tx:expr, $sql:expr, $event:expr, $limit:expr) => {{
        let (event, limit): (&RateEvent, Option<u32>) = ($event, $limit);
        sqlx::query(&$sql.delete_expired)
            .bind(&event.key)
            .bind(event.window_start)
            .execute(&mut *$tx)
            .await?;
        let (events, oldest): (i64, Option<i64>) = sqlx::query_as(&$sql.count)
            .bind(&event.key)
            .bind(event.window_start)
            .fetch_one(&mut *$tx)
            .await?;
        let count = RateCount {
            events: u64::try_from(events).unwrap_or(0),
            oldest,
        };
        if limit.is_some_and(|limit| count.events >= u64::from(limit)) {
            RateTaken::Refused(count)
        } else {
            sqlx::query(&$sql.insert)
                .bind(&event.key)
                .bind(event.at)
                .bind(&event.id)
                .execute(&mut *$tx)
                .await?;
            RateTaken::Taken
        }
    }};
}

/// The statements in a backend's dialect.
struct Statements {
    delete_expired: String,
    count: String,
    insert: String,
}

impl CertDb {
    fn rate_statements(&self) -> Statements {
        Statements {
            delete_expired: self.placeholders(DELETE_EXPIRED),
            count: self.placeholders(COUNT),
            insert: self.placeholders(INSERT),
        }
    }

    /// Takes `event` under `limit`, or records it whatever the count
    /// (`None`).
    pub(crate) async fn rate_event(
        &self,
        event: &RateEvent,
        limit: Option<u32>,
    ) -> Result<RateTaken, DbError> {
        self.sweep_now_and_then(event).await?;
        let statements = self.rate_statements();
        let taken = match self {
            CertDb::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(sql)?;
                let taken = async { Ok::<_, sqlx::Error>(step!(tx, statements, event, limit)) }
                    .await
                    .map_err(sql)?;
                tx.commit().await.map_err(sql)?;
                taken
            }
            CertDb::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(sql)?;
                let taken = async {
                    // A replica stuck holding the key fails this take
                    // after 10 s instead of holding it up for good.
                    sqlx::query("SET LOCAL lock_timeout = '10s'")
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
                        .bind(PG_LOCK_CLASS)
                        .bind(&event.key)
                        .execute(&mut *tx)
                        .await?;
                    Ok::<_, sqlx::Error>(step!(tx, statements, event, limit))
                }
                .await
                .map_err(sql)?;
                tx.commit().await.map_err(sql)?;
                taken
            }
            CertDb::MySql(pool) => {
                let mut lock = NamedLock::take(pool, &event.key).await.map_err(sql)?;
                let conn = &mut *lock.conn;
                let taken = async { Ok::<_, sqlx::Error>(step!(conn, statements, event, limit)) }
                    .await
                    .map_err(sql)?;
                lock.release().await.map_err(sql)?;
                taken
            }
        };
        Ok(taken)
    }

    /// Deletes a bounded batch of expired events of any key, for about
    /// one event in 64 (those whose random id starts with `A`), so keys
    /// never seen again do not stay in the table.
    async fn sweep_now_and_then(&self, event: &RateEvent) -> Result<(), DbError> {
        if !event.id.starts_with('A') {
            return Ok(());
        }
        let sweep = match self {
            CertDb::MySql(_) => SWEEP_MYSQL.to_string(),
            _ => self.placeholders(SWEEP),
        };
        crate::acme::both!(self, pool => sqlx::query(&sweep)
            .bind(event.window_start).bind(SWEEP_BATCH).execute(pool).await.map(|_| ()))
        .map_err(sql)
    }

    pub(crate) async fn count_events(
        &self,
        key: &str,
        window_start: i64,
    ) -> Result<RateCount, DbError> {
        let count = self.placeholders(COUNT);
        let (events, oldest): (i64, Option<i64>) =
            crate::acme::both!(self, pool => sqlx::query_as(&count)
            .bind(key).bind(window_start).fetch_one(pool).await)
            .map_err(sql)?;
        Ok(RateCount {
            events: u64::try_from(events).unwrap_or(0),
            oldest,
        })
    }
}

/// A pooled MySQL connection holding the named lock of one rate key.
/// Dropped before [`NamedLock::release`] (an error, or the request
/// cancelled) it is closed instead of going back to the pool, so the
/// server frees the lock with the session.
struct NamedLock {
    conn: sqlx::pool::PoolConnection<sqlx::MySql>,
    name: String,
    released: bool,
}

impl NamedLock {
    async fn take(pool: &sqlx::MySqlPool, key: &str) -> Result<NamedLock, sqlx::Error> {
        // Held from before the lock is asked for: a cancelled request
        // closes the connection even if the server granted the lock.
        let mut lock = NamedLock {
            conn: pool.acquire().await?,
            name: String::new(),
            released: false,
        };
        // Lock names are at most 64 characters and server-wide: the hash
        // of the database's name and the key.
        let (name, got): (String, Option<i64>) = sqlx::query_as(
            "SELECT name, GET_LOCK(name, ?) FROM (SELECT CONCAT('certkit-rate-', \
             LEFT(SHA2(CONCAT(DATABASE(), '/', ?), 256), 48)) AS name) AS lock_name",
        )
        .bind(MYSQL_LOCK_WAIT)
        .bind(key)
        .fetch_one(&mut *lock.conn)
        .await?;
        if got != Some(1) {
            return Err(sqlx::Error::Protocol(format!(
                "waited {MYSQL_LOCK_WAIT} s for another replica's rate-limit lock"
            )));
        }
        lock.name = name;
        Ok(lock)
    }

    async fn release(mut self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT RELEASE_LOCK(?)")
            .bind(&self.name)
            .execute(&mut *self.conn)
            .await?;
        self.released = true;
        Ok(())
    }
}

impl Drop for NamedLock {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        self.conn.close_on_drop();
    }
}

#[cfg(test)]
mod tests {
    use crate::{CertDb, DbConfig, Driver};
    use certkit_ops::store::acme::{AcmeStore, RateCount, RateEvent, RateTaken};

    async fn sqlite(dir: &tempfile::TempDir) -> CertDb {
        CertDb::open(&DbConfig {
            driver: Driver::Sqlite,
            data_source: dir.path().join("certs.db").display().to_string(),
        })
        .await
        .unwrap()
    }

    fn event(key: &str, id: &str, at: i64) -> RateEvent {
        RateEvent {
            key: key.into(),
            id: id.into(),
            at,
            window_start: at - 3599,
        }
    }

    async fn rows(db: &CertDb) -> Vec<(String, i64)> {
        let CertDb::Sqlite(pool) = db else {
            unreachable!()
        };
        sqlx::query_as(
            "SELECT rate_key, occurred FROM acme_rate_events ORDER BY rate_key, occurred",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    }

    /// `limit` events in the window are taken, the next is refused with
    /// the oldest's time (and not recorded); other keys are counted apart;
    /// once the oldest leaves the window there is room again, and the
    /// key's expired events are gone.
    #[tokio::test]
    async fn takes_up_to_the_limit_in_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let db = sqlite(&dir).await;
        let store: &dyn AcmeStore = &db;
        for (n, at) in [1000, 1500, 2000].into_iter().enumerate() {
            let taken = store.take_event(&event("a", &format!("x{n}"), at), 3).await;
            assert_eq!(taken.unwrap(), RateTaken::Taken);
        }
        let refused = store.take_event(&event("a", "x3", 2001), 3).await.unwrap();
        assert_eq!(
            refused,
            RateTaken::Refused(RateCount {
                events: 3,
                oldest: Some(1000)
            })
        );
        assert_eq!(
            store.count_events("a", 2001 - 3599).await.unwrap().events,
            3,
            "a refused event was recorded"
        );
        let other = store.take_event(&event("b", "y0", 2001), 3).await.unwrap();
        assert_eq!(other, RateTaken::Taken);
        // 1000 leaves the window at 4600 (events at or after at - 3599 count).
        let later = store.take_event(&event("a", "x4", 4599), 3).await.unwrap();
        assert!(matches!(later, RateTaken::Refused(_)), "{later:?}");
        let later = store.take_event(&event("a", "x5", 4600), 3).await.unwrap();
        assert_eq!(later, RateTaken::Taken);
        assert_eq!(
            rows(&db).await,
            [
                ("a".to_string(), 1500),
                ("a".to_string(), 2000),
                ("a".to_string(), 4600),
                ("b".to_string(), 2001)
            ],
            "the key's expired event stayed"
        );
        assert_eq!(
            store.take_event(&event("z", "z0", 1), 0).await.unwrap(),
            RateTaken::Refused(RateCount::default()),
            "a limit of 0 allows nothing"
        );
        db.close().await;
    }

    /// Recording ignores the count; the sweep (an id starting with `A`)
    /// deletes other keys' expired events, at most a batch at a time.
    #[tokio::test]
    async fn records_and_sweeps_expired_events_in_batches() {
        let dir = tempfile::tempdir().unwrap();
        let db = sqlite(&dir).await;
        let store: &dyn AcmeStore = &db;
        for n in 0..super::SWEEP_BATCH + 10 {
            store
                .record_event(&event(&format!("old{n}"), "x", 100 + n))
                .await
                .unwrap();
        }
        for n in 0..5 {
            store
                .record_event(&event("f", &format!("x{n}"), 19_000))
                .await
                .unwrap();
        }
        assert_eq!(store.count_events("f", 0).await.unwrap().events, 5);
        let batch = super::SWEEP_BATCH as usize;
        store
            .record_event(&event("g", "B-no-sweep", 20_000))
            .await
            .unwrap();
        assert_eq!(rows(&db).await.len(), batch + 10 + 5 + 1);
        store
            .record_event(&event("g", "A-sweeps", 20_001))
            .await
            .unwrap();
        let left = rows(&db).await;
        assert_eq!(left.len(), 10 + 5 + 2, "{left:?}");
        store
            .record_event(&event("g", "A-again", 20_002))
            .await
            .unwrap();
        let left = rows(&db).await;
        assert!(
            left.iter().all(|(key, _)| key == "f" || key == "g"),
            "{left:?}"
        );
        assert_eq!(left.len(), 5 + 3);
        db.close().await;
    }

    /// 48 tasks racing for a limit of 3 on one SQLite file, through
    /// two pools (two replicas): exactly 3 are taken.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn racing_takes_never_overshoot() {
        let dir = tempfile::tempdir().unwrap();
        let first = sqlite(&dir).await;
        let second = sqlite(&dir).await;
        let mut tasks = Vec::new();
        for n in 0..48 {
            let db = if n % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            tasks.push(tokio::spawn(async move {
                let store: &dyn AcmeStore = &db;
                store
                    .take_event(&event("race", &format!("r{n}"), 5000), 3)
                    .await
            }));
        }
        let mut taken = 0;
        for task in tasks {
            if task.await.unwrap().unwrap() == RateTaken::Taken {
                taken += 1;
            }
        }
        assert_eq!(taken, 3);
        assert_eq!(first.count_events("race", 0).await.unwrap().events, 3);
        first.close().await;
        second.close().await;
    }
}
