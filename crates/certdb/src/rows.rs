//! Rows as PostgreSQL and MySQL return them: cfssl's byte-string columns
//! (bytea, varbinary) as bytes, times typed; and the records they make.

use super::timefmt::go_zero_time;
use super::{CertificateRecord, DbError, OcspRecord};
use time::OffsetDateTime;

/// The columns of [`super::CERT_COLUMNS`], in order.
pub(crate) type CertRow = (
    Vec<u8>,
    Vec<u8>,
    Option<Vec<u8>>,
    Vec<u8>,
    Option<i32>,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
    Vec<u8>,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The columns of [`super::OCSP_COLUMNS`], in order.
pub(crate) type OcspRow = (Vec<u8>, Vec<u8>, Vec<u8>, Option<OffsetDateTime>);

fn text(bytes: Vec<u8>, what: &str) -> Result<String, DbError> {
    String::from_utf8(bytes).map_err(|_| DbError::Record(format!("{what} is not UTF-8")))
}

/// A certificate row as a record; Go's zero time (how cfssl writes
/// "never revoked" in PostgreSQL) as none.
pub(crate) fn certificate(r: CertRow) -> Result<CertificateRecord, DbError> {
    let serial = text(r.0, "serial_number")?;
    Ok(CertificateRecord {
        expiry: r
            .5
            .ok_or_else(|| DbError::Record(format!("serial {serial}: no expiry")))?,
        aki: text(r.1, "authority_key_identifier")?,
        ca_label: text(r.2.unwrap_or_default(), "ca_label")?,
        status: text(r.3, "status")?,
        reason: r.4.unwrap_or(0),
        revoked_at: r.6.filter(|t| *t != go_zero_time()),
        pem: text(r.7, "pem")?,
        issued_at: r.8,
        not_before: r.9,
        metadata: r.10,
        sans: r.11,
        common_name: r.12,
        serial,
    })
}

pub(crate) fn ocsp((serial, aki, body, expiry): OcspRow) -> Result<OcspRecord, DbError> {
    let serial = text(serial, "serial_number")?;
    Ok(OcspRecord {
        expiry: expiry.ok_or_else(|| {
            DbError::Record(format!("OCSP response for serial {serial}: no expiry"))
        })?,
        aki: text(aki, "authority_key_identifier")?,
        body,
        serial,
    })
}
