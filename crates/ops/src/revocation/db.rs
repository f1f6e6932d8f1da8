//! The certificate database's revocation commands, as cfssl's: `revoke`
//! (mark a certificate revoked), `crl` (a CRL of the revoked, unexpired
//! certificates), `ocsprefresh` (sign and store a response for every
//! unexpired certificate) and `ocspdump` (print the stored responses).
//! Each returns a [`Report`] like the other operations; the database is
//! the store a `-db-config` file names ([`DbFile`]).

use crate::load::{self, CaSource};
use crate::revocation::{responder, response_window, ResponderSource};
use crate::store::{CertStore, CertificateRecord, DbFile, OcspRecord, Revoked, StoreError};
use crate::Report;
use base64::Engine as _;
use certkit_core::chain::expiry::CertExpiry as ExpiryEntry;
use certkit_core::error::{Error, Result, UsageError};
use certkit_core::revocation::ocsp::Status;
use certkit_core::revocation::{crl, serial, Reason};
use std::future::Future;
use std::time::{Duration, SystemTime};

/// Database failures as certkit errors.
pub fn db_error(e: StoreError) -> Error {
    Error::Refused(e.to_string())
}

/// Runs one database operation on a single-threaded runtime: the
/// commands are one-shot, so no thread pool is started.
pub fn block_on<T>(work: impl Future<Output = Result<T>>) -> Result<T> {
    certkit_runtime::block_on(work).map_err(|e| Error::io("tokio runtime", e))?
}

/// Opens the database of a `-db-config` file.
pub async fn open(db_config: Option<&DbFile>) -> Result<Box<dyn CertStore>> {
    let file = db_config
        .ok_or_else(|| UsageError::missing("need DB config file (provide with -db-config)"))?;
    file.open().await.map_err(db_error)
}

/// A key identifier as the database stores it: lowercase hex, no colons.
pub fn normalize_aki(aki: &str) -> String {
    aki.chars()
        .filter(|c| *c != ':')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The AKI a record is about: its column, or, for rows Debian's cfssl
/// 1.2.0 wrote with an empty column (its Go no longer filled the
/// template's AKI), the one in its certificate.
pub fn record_aki(r: &CertificateRecord) -> String {
    if !r.aki.is_empty() {
        return r.aki.clone();
    }
    certkit_core::chain::certs::parse_all(r.pem.as_bytes())
        .ok()
        .and_then(|certs| certs.into_iter().next())
        .map(|c| hex_lower(&c.authority_key_id()))
        .unwrap_or_default()
}

/// The certificate with this serial (decimal) and AKI (hex), also when
/// cfssl 1.2.0 recorded it with an empty AKI column.
pub async fn find_certificate(
    db: &dyn CertStore,
    serial: &str,
    aki: &str,
) -> Result<Option<CertificateRecord>> {
    if let Some(r) = db.certificate(serial, aki).await.map_err(db_error)? {
        return Ok(Some(r));
    }
    let blank = db.certificate(serial, "").await.map_err(db_error)?;
    Ok(blank.filter(|r| record_aki(r) == aki))
}

/// The reason a revoke records: any RFC 5280 reason but removeFromCRL
/// (8). RFC 5280 5.3.1 allows it in delta CRLs only; certkit issues full
/// CRLs, where an entry with that reason makes `openssl verify
/// -crl_check` accept the certificate again, an un-revoke.
pub fn revoke_reason(text: &str) -> Result<Reason> {
    let reason = Reason::parse(text)?;
    if reason == Reason::RemoveFromCrl {
        return Err(Error::Refused(
            "reason removeFromCRL is for delta CRLs only: revocation is one-way (certificateHold included)".into(),
        ));
    }
    Ok(reason)
}

/// What a revoke reports: the new revocation, or, for a certificate
/// revoked before, that nothing changed and why.
pub fn revoked_line(serial: &str, reason: Reason, revoked: Revoked) -> String {
    match revoked {
        Revoked::Now => format!("revoked certificate {serial}: {}", reason.name()),
        Revoked::Already { reason, revoked_at } => {
            let name = u8::try_from(reason)
                .ok()
                .and_then(Reason::from_code)
                .map_or_else(|| format!("reason {reason}"), |r| r.name().to_string());
            let at = revoked_at
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_else(|| "an unknown time".into());
            format!(
                "certificate {serial} was already revoked ({name}, at {at}); unchanged: revocation is one-way"
            )
        }
    }
}

/// `revoke -db-config -serial -aki [-reason]`. A certificate already
/// revoked is left as it is (its reason and time are kept) and the run
/// still succeeds, so a repeated revoke in a script is harmless; the
/// report says what the database holds.
pub fn revoke(db_config: Option<&DbFile>, serial: &str, aki: &str, reason: &str) -> Result<Report> {
    if serial.is_empty() {
        return Err(UsageError::missing(
            "serial number is required but not provided",
        ));
    }
    if aki.is_empty() {
        return Err(UsageError::missing(
            "authority key id is required but not provided",
        ));
    }
    let reason = revoke_reason(reason)?;
    let serial = serial::decimal_serial(&serial::parse_decimal(serial)?);
    let aki = normalize_aki(aki);
    let revoked = block_on(async {
        let db = open(db_config).await?;
        // The row's own AKI column: empty in rows cfssl 1.2.0 wrote.
        let stored_aki = find_certificate(&*db, &serial, &aki).await?.map(|r| r.aki);
        let done = db
            .revoke(
                &serial,
                stored_aki.as_deref().unwrap_or(&aki),
                reason.code() as i32,
            )
            .await;
        db.close().await;
        done.map_err(db_error)
    })?;
    let mut report = Report::default();
    let line = revoked_line(&serial, reason, revoked);
    match revoked {
        Revoked::Now => report.info(format!("{line} (AKI {aki})")),
        Revoked::Already { .. } => report.warn(line),
    }
    Ok(report)
}

/// `certinfo -serial N -aki HEX -db-config FILE`: the PEM of the
/// certificate recorded with that serial (decimal) and AKI (hex, colons
/// allowed), as cfssl's `certinfo` looks it up.
pub fn recorded_pem(db_config: Option<&DbFile>, serial: &str, aki: &str) -> Result<String> {
    let serial = serial::decimal_serial(&serial::parse_decimal(serial)?);
    let aki = normalize_aki(aki);
    let record = block_on(async {
        let db = open(db_config).await?;
        let found = find_certificate(&*db, &serial, &aki).await;
        db.close().await;
        found
    })?;
    record.map(|r| r.pem).ok_or_else(|| {
        Error::Refused(format!(
            "no certificate with serial {serial} and AKI {aki} in the database"
        ))
    })
}

/// `crl -db-config -ca -ca-key [-expiry]`: the revoked, unexpired
/// certificates this CA issued (cfssl takes every CA's), base64 DER.
pub fn crl(db_config: Option<&DbFile>, ca: CaSource, expiry: Duration) -> Result<Report> {
    let issuer = load::issuer(ca)?;
    let aki = hex_lower(issuer.key_id());
    let records = block_on(async {
        let db = open(db_config).await?;
        let rows = db.revoked_unexpired(None).await;
        db.close().await;
        rows.map_err(db_error)
    })?;
    let revoked = crl_entries(&records, &aki)?;
    let now = SystemTime::now();
    let list = crl::build(&issuer, &revoked, now, now + expiry)?;
    let mut report = Report::default();
    let skipped = records.len() - revoked.len();
    if skipped > 0 {
        report.info(format!(
            "left out {skipped} revoked certificates of other CAs"
        ));
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(&list.der);
    report.output = format!("{b64}\n").into();
    Ok(report)
}

/// The CRL entries for the revoked records of the CA whose key
/// identifier is `aki` (hex).
pub fn crl_entries(records: &[CertificateRecord], aki: &str) -> Result<Vec<crl::Revoked>> {
    records
        .iter()
        .filter(|r| record_aki(r) == aki)
        .map(|r| {
            Ok(crl::Revoked {
                serial: serial::parse_decimal(&r.serial)?,
                revoked_at: r.revoked_at.map_or(SystemTime::now(), SystemTime::from),
                reason: u8::try_from(r.reason).ok().and_then(Reason::from_code),
            })
        })
        .collect()
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The status a certificate record gives.
pub fn record_status(r: &CertificateRecord) -> Status {
    if r.is_revoked() {
        Status::Revoked {
            at: r
                .revoked_at
                .map_or(SystemTime::UNIX_EPOCH, SystemTime::from),
            reason: u8::try_from(r.reason).ok().and_then(Reason::from_code),
        }
    } else {
        Status::Good
    }
}

/// `check-expiration -db-config`: marks the certificates the database
/// has revoked.
pub fn mark_revoked(db_config: Option<&DbFile>, certs: &mut [ExpiryEntry]) -> Result<()> {
    if db_config.is_none() {
        return Ok(());
    }
    block_on(async {
        let db = open(db_config).await?;
        for c in certs.iter_mut() {
            let record = find_certificate(&*db, &c.serial, &c.aki).await?;
            if let Some(Status::Revoked { at, reason }) = record.as_ref().map(record_status) {
                let when = time::OffsetDateTime::from(at)
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
                let why = reason.map_or("unspecified", |r| r.name());
                c.revoked = Some(format!("{why}, {when}"));
            }
        }
        db.close().await;
        Ok(())
    })
}

/// `ocsprefresh -db-config -ca -responder -responder-key [-interval]`:
/// a fresh response for every unexpired certificate of this CA, stored
/// until `interval` from now. Certificates of other CAs are left alone
/// (cfssl fails on the first one).
pub fn ocsprefresh(
    db_config: Option<&DbFile>,
    src: ResponderSource,
    interval: Duration,
) -> Result<Report> {
    if db_config.is_none() {
        return Err(UsageError::missing(
            "need DB config file (provide with -db-config)",
        ));
    }
    let mut report = Report::default();
    let signer = responder(src, &mut report)?;
    let aki = hex_lower(signer.issuer_key_id());
    let (this, next) = response_window(SystemTime::now(), interval);
    let expiry = time::OffsetDateTime::from(SystemTime::now() + interval);
    let (signed, others) = block_on(async {
        let db = open(db_config).await?;
        let records = db.unexpired_certificates().await.map_err(db_error)?;
        let mut signed = 0usize;
        for r in records.iter().filter(|r| record_aki(r) == aki) {
            let der = signer.sign(
                &serial::parse_decimal(&r.serial)?,
                record_status(r),
                this,
                next,
            )?;
            let row = OcspRecord {
                serial: r.serial.clone(),
                // The row's own key, which the foreign key needs (empty
                // for rows cfssl 1.2.0 wrote).
                aki: r.aki.clone(),
                body: der,
                expiry,
            };
            db.upsert_ocsp(&row).await.map_err(db_error)?;
            signed += 1;
        }
        db.close().await;
        Ok((signed, records.len() - signed))
    })?;
    report.info(format!("refreshed {signed} OCSP responses"));
    if others > 0 {
        report.info(format!("left out {others} certificates of other CAs"));
    }
    Ok(report)
}

/// `ocspdump -db-config`: every unexpired stored response, base64, one a
/// line (the responses file `ocspserve -responses` reads).
pub fn ocspdump(db_config: Option<&DbFile>) -> Result<Report> {
    let rows = block_on(async {
        let db = open(db_config).await?;
        let rows = db.unexpired_ocsp().await;
        db.close().await;
        rows.map_err(db_error)
    })?;
    let mut out = String::new();
    for r in rows {
        out.push_str(&base64::engine::general_purpose::STANDARD.encode(&r.body));
        out.push('\n');
    }
    Ok(Report {
        output: out.into(),
        notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aki_is_normalized_as_stored() {
        assert_eq!(normalize_aki("AB:cd:0F"), "abcd0f");
    }
}
