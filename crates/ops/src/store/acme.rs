//! The ACME server's state seam: accounts, orders and authorizations (with
//! their challenges) as rows of three tables next to cfssl's, and the
//! nonces, so every replica on one database serves one ACME service.
//!
//! A row is an indexed shell (id, parent, status, expiry) around the
//! object's JSON body, which the server owns. Updates are compare-and-set
//! on the status, so two replicas never both move an order from `ready`
//! to `processing` (nothing is issued twice).

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
}
