//! The ACME server's state seam: accounts, orders and authorizations (with
//! their challenges) as rows of three tables next to cfssl's, and the
//! nonces, so every replica on one database serves one ACME service.
//!
//! A row is an indexed shell (id, parent, status, expiry) around the
//! object's JSON body, which the server owns. Updates are compare-and-set
//! on the status, so two replicas never both move an order from `ready`
//! to `processing` (nothing is issued twice).
//!
//! The rate limits are rows too (`take_event`, `record_event`,
//! `count_events`): one event per new order or failed validation, keyed
//! by what is limited (an account id, a client address), so a limit holds
//! across replicas and restarts.

use super::Pending;

/// Which ACME table a row lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcmeKind {
    /// `parent` is the account key's RFC 7638 thumbprint (unique).
    Account,
    /// `parent` is the account's id.
    Order,
    /// `parent` is the order's id; the challenges are in the body.
    Authorization,
}

impl AcmeKind {
    /// The table's name (fixed strings, never input).
    pub fn table(self) -> &'static str {
        match self {
            AcmeKind::Account => "acme_accounts",
            AcmeKind::Order => "acme_orders",
            AcmeKind::Authorization => "acme_authorizations",
        }
    }
}

/// One ACME object as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcmeRow {
    pub id: String,
    pub parent: String,
    pub status: String,
    /// Unix seconds after which the object is expired (0: never).
    pub expires: i64,
    /// The object's JSON, as the server serialised it.
    pub body: String,
}

/// One rate-limit event: `key` names what is limited (never a secret:
/// an account id, a client address); the events at or after
/// `window_start` count, older ones are expired and may be deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateEvent {
    pub key: String,
    /// Unique among the key's events (a random id).
    pub id: String,
    /// Unix seconds.
    pub at: i64,
    pub window_start: i64,
}

/// What a key's window holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateCount {
    pub events: u64,
    /// The oldest event in the window (unix seconds), when there is one:
    /// the window has room again once it has left.
    pub oldest: Option<i64>,
}

/// Whether an event was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateTaken {
    Taken,
    /// The window held `limit` events already; nothing was recorded.
    Refused(RateCount),
}

/// The ACME tables of an open certificate database.
pub trait AcmeStore: Send + Sync + std::fmt::Debug {
    /// Records a nonce valid until `expires` (unix seconds).
    fn put_nonce<'a>(&'a self, nonce: &'a str, expires: i64) -> Pending<'a, ()>;
    /// Consumes a nonce: true when it existed and had not expired (a
    /// nonce is accepted once, on whichever replica it is used).
    fn take_nonce<'a>(&'a self, nonce: &'a str, now: i64) -> Pending<'a, bool>;
    /// Inserts a row; an id (or an account's key) already present is
    /// [`super::StoreError::Duplicate`].
    fn insert<'a>(&'a self, kind: AcmeKind, row: &'a AcmeRow) -> Pending<'a, ()>;
    /// The row with this id.
    fn get<'a>(&'a self, kind: AcmeKind, id: &'a str) -> Pending<'a, Option<AcmeRow>>;
    /// The rows whose parent is `parent` (at most `limit`).
    fn children<'a>(
        &'a self,
        kind: AcmeKind,
        parent: &'a str,
        limit: i64,
    ) -> Pending<'a, Vec<AcmeRow>>;
    /// Replaces the row's status, parent, expiry and body when its stored
    /// status is still `expected`: false when another request changed it.
    fn update<'a>(
        &'a self,
        kind: AcmeKind,
        row: &'a AcmeRow,
        expected: &'a str,
    ) -> Pending<'a, bool>;
    /// Records `event` when fewer than `limit` events of its key are in
    /// its window, as one step between replicas (each backend's
    /// serialisation is in certdb's `rate`); deletes the key's expired
    /// events, and now and then a bounded batch of other expired ones.
    fn take_event<'a>(&'a self, event: &'a RateEvent, limit: u32) -> Pending<'a, RateTaken>;
    /// Records `event` whatever the count (a failed validation), with the
    /// same clean-up as [`AcmeStore::take_event`].
    fn record_event<'a>(&'a self, event: &'a RateEvent) -> Pending<'a, ()>;
    /// The key's events at or after `window_start`.
    fn count_events<'a>(&'a self, key: &'a str, window_start: i64) -> Pending<'a, RateCount>;
}
