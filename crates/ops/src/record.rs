//! `sign -db-config` and `gencert -db-config`, as in cfssl: the command's
//! certificate recorded before it is printed, from the certificate the
//! command issued (never from the JSON it prints).

use crate::revocation::db::block_on;
use crate::store::{CertificateRecord, DbFile};
use certkit_core::error::{Error, Result, UsageError};
use certkit_core::report::Report;

/// What a signing command produced: its report, and the certificate it
/// issued (DER) when it issued one PEM certificate (not for
/// CertificateSigningRequest objects).
#[derive(Debug, Default)]
pub struct Issuance {
    pub report: Report,
    pub cert_der: Option<Vec<u8>>,
}

/// With a database, records the certificate before the report is shown.
pub fn recorded(db_config: Option<&DbFile>, issuance: Issuance) -> Result<Report> {
    let Some(db_file) = db_config else {
        return Ok(issuance.report);
    };
    let Some(der) = issuance.cert_der else {
        return Err(UsageError::missing(
            "-db-config records PEM certificates only (not CertificateSigningRequest objects)",
        ));
    };
    let fail = |e: crate::store::StoreError| Error::Refused(format!("{}: {e}", db_file.path));
    let record =
        CertificateRecord::issued(&der, "", time::OffsetDateTime::now_utc()).map_err(fail)?;
    block_on(async {
        let db = db_file.open().await.map_err(fail)?;
        let inserted = db.insert_certificate(&record).await;
        db.close().await;
        inserted.map_err(fail)
    })?;
    Ok(issuance.report)
}
