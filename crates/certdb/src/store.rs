//! The database as the operations and the server see it: `CertDb` behind
//! `certkit_ops::store::CertStore`, and the opener the CLI hands them.

use crate::{CertDb, DbConfig};
use certkit_ops::store::{
    CertSearch, CertStore, CertificateRecord, OcspRecord, Opening, Pending, Revoked,
};
use std::future::Future;
use std::pin::Pin;

/// Opens the database the `-db-config` file at `path` names
/// (a `certkit_ops::store::Opener`).
pub fn open_file(path: &str) -> Opening<'_> {
    Box::pin(async move {
        let config = DbConfig::load(path)?;
        let db: Box<dyn CertStore> = Box::new(CertDb::open(&config).await?);
        Ok(db)
    })
}

impl CertStore for CertDb {
    fn insert_certificate<'a>(&'a self, record: &'a CertificateRecord) -> Pending<'a, ()> {
        Box::pin(CertDb::insert_certificate(self, record))
    }

    fn certificate<'a>(
        &'a self,
        serial: &'a str,
        aki: &'a str,
    ) -> Pending<'a, Option<CertificateRecord>> {
        Box::pin(CertDb::certificate(self, serial, aki))
    }

    fn unexpired_certificates(&self) -> Pending<'_, Vec<CertificateRecord>> {
        Box::pin(CertDb::unexpired_certificates(self))
    }

    fn revoked_unexpired<'a>(
        &'a self,
        label: Option<&'a str>,
    ) -> Pending<'a, Vec<CertificateRecord>> {
        Box::pin(CertDb::revoked_unexpired(self, label))
    }

    fn revoke<'a>(&'a self, serial: &'a str, aki: &'a str, reason: i32) -> Pending<'a, Revoked> {
        Box::pin(CertDb::revoke(self, serial, aki, reason))
    }

    fn upsert_ocsp<'a>(&'a self, record: &'a OcspRecord) -> Pending<'a, ()> {
        Box::pin(CertDb::upsert_ocsp(self, record))
    }

    fn ocsp<'a>(&'a self, serial: &'a str, aki: &'a str) -> Pending<'a, Option<OcspRecord>> {
        Box::pin(CertDb::ocsp(self, serial, aki))
    }

    fn unexpired_ocsp(&self) -> Pending<'_, Vec<OcspRecord>> {
        Box::pin(CertDb::unexpired_ocsp(self))
    }

    fn search<'a>(&'a self, search: &'a CertSearch) -> Pending<'a, Vec<CertificateRecord>> {
        Box::pin(CertDb::search(self, search))
    }

    fn ping(&self) -> Pending<'_, ()> {
        Box::pin(CertDb::ping(self))
    }

    fn close(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(CertDb::close(self))
    }

    fn acme(&self) -> Option<&dyn certkit_ops::store::acme::AcmeStore> {
        Some(self)
    }
}
