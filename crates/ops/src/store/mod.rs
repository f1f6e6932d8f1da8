//! The certificate store seam (cfssl's `certdb.Accessor`): what the
//! operations and the server need of a certificate database, with the
//! rows it holds. `certkit-certdb` implements it on SQLite,
//! PostgreSQL and MySQL; the CLI, which links both sides, hands the opener down,
//! so neither the operations nor the HTTP server link a SQL driver.
//!
//! - `record`: the rows and how an issued certificate becomes one
//! - `error`: what a store refuses or fails at
//! - `search`: a bounded query over the certificates (the web page's)
//! - `acme`: the ACME server's tables (accounts, orders, authorizations, nonces)

pub mod acme;
mod error;
pub mod record;
pub mod search;

pub use error::StoreError;
pub use record::{CertificateRecord, OcspRecord};
pub use search::CertSearch;

use std::future::Future;
use std::pin::Pin;

/// What a revoke did. Revocation is one-way: a certificate already
/// revoked keeps its reason and time (a later revoke cannot rewrite a
/// keyCompromise into something milder, move its date, or lift a hold).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    /// Revoked by this call.
    Now,
    /// Revoked before, with this reason code and time; nothing changed.
    Already {
        reason: i32,
        revoked_at: Option<time::OffsetDateTime>,
    },
}

/// A store call in flight.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// An open certificate database.
pub trait CertStore: Send + Sync + std::fmt::Debug {
    /// Records an issued certificate. A serial already recorded for the
    /// same AKI is [`StoreError::Duplicate`].
    fn insert_certificate<'a>(&'a self, record: &'a CertificateRecord) -> Pending<'a, ()>;
    /// The certificate with this serial (decimal) and AKI (hex).
    fn certificate<'a>(
        &'a self,
        serial: &'a str,
        aki: &'a str,
    ) -> Pending<'a, Option<CertificateRecord>>;
    /// Every certificate that has not expired.
    fn unexpired_certificates(&self) -> Pending<'_, Vec<CertificateRecord>>;
    /// Revoked certificates that have not expired (for CRLs), of one CA
    /// label when `label` is given.
    fn revoked_unexpired<'a>(
        &'a self,
        label: Option<&'a str>,
    ) -> Pending<'a, Vec<CertificateRecord>>;
    /// Marks a certificate revoked now with an RFC 5280 reason code,
    /// unless it is revoked already (then [`Revoked::Already`], unchanged).
    fn revoke<'a>(&'a self, serial: &'a str, aki: &'a str, reason: i32) -> Pending<'a, Revoked>;
    /// Stores an OCSP response, replacing the one for the same certificate.
    fn upsert_ocsp<'a>(&'a self, record: &'a OcspRecord) -> Pending<'a, ()>;
    /// The stored OCSP response for a certificate.
    fn ocsp<'a>(&'a self, serial: &'a str, aki: &'a str) -> Pending<'a, Option<OcspRecord>>;
    /// Every stored OCSP response that has not expired.
    fn unexpired_ocsp(&self) -> Pending<'_, Vec<OcspRecord>>;
    /// One page of the certificates a search matches, soonest expiry
    /// first (at most `search.limit` rows, from `search.offset`).
    fn search<'a>(&'a self, search: &'a CertSearch) -> Pending<'a, Vec<CertificateRecord>>;
    /// Checks that the database answers (for the health endpoint).
    fn ping(&self) -> Pending<'_, ()>;
    /// Closes the pool, waiting for queries in flight.
    fn close(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
    /// The ACME tables, where the backend has them.
    fn acme(&self) -> Option<&dyn acme::AcmeStore> {
        None
    }
}

/// Opening a database, in flight: not `Send` (sqlx's migrations borrow
/// in ways the compiler cannot prove sendable), so it is awaited where it
/// starts, never spawned.
pub type Opening<'a> = Pin<Box<dyn Future<Output = Result<Box<dyn CertStore>, StoreError>> + 'a>>;

/// Opens the database a `-db-config` file names, creating cfssl's tables
/// where they are missing.
pub type Opener = for<'a> fn(&'a str) -> Opening<'a>;

/// A `-db-config` file and the driver code that opens it.
#[derive(Debug, Clone)]
pub struct DbFile {
    pub path: String,
    pub open: Opener,
}

impl DbFile {
    /// Opens the database (inside the runtime that will use it: a pool
    /// belongs to the runtime it was opened in).
    pub async fn open(&self) -> Result<Box<dyn CertStore>, StoreError> {
        (self.open)(&self.path).await
    }
}
