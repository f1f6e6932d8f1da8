//! `gencrl`, `ocspsign` and what `ocsprefresh`/`ocspserve` share: a CRL
//! from a file of serials, one signed OCSP response, and loading an OCSP
//! responder (CA, responder certificate, responder key).

use crate::load::{self, CaSource};
use base64::Engine as _;
use certkit_core::chain::certs::Cert;
use certkit_core::error::{Error, Result, UsageError};
use certkit_core::input::{display_name, read_input};
use certkit_core::issue::issuer::parse_certificate;
use certkit_core::report::Report;
use certkit_core::revocation::ocsp::{Responder, Status};
use certkit_core::revocation::{crl, serial, Reason};
use der::Encode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub mod db;

/// cfssl's CRL lifetime when none is given: one week.
const DEFAULT_CRL_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// `gencrl SERIALS CERT KEY [SECONDS]`: a CRL of the decimal serials in
/// the file (one a line), valid for SECONDS (default, or 0: a week),
/// printed as cfssl prints it: base64 DER on one line.
pub fn gencrl(serials: &str, ca: CaSource, lifetime: Option<&str>) -> Result<Report> {
    let lifetime = match lifetime.map(str::trim) {
        None | Some("0") => DEFAULT_CRL_LIFETIME,
        Some(text) => parse_seconds(text)?,
    };
    let text = read_input(serials)?;
    let text = std::str::from_utf8(&text)
        .map_err(|_| Error::decode(display_name(serials), "not UTF-8 text"))?;
    let now = SystemTime::now();
    let mut revoked = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let serial = serial::parse_decimal(line)
            .map_err(|e| Error::decode(format!("{}:{}", display_name(serials), n + 1), e))?;
        revoked.push(crl::Revoked {
            serial,
            revoked_at: now,
            reason: None,
        });
    }
    let issuer = load::issuer(ca)?;
    let crl = crl::build(&issuer, &revoked, now, now + lifetime)?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&crl.der);
    Ok(Report {
        output: format!("{b64}\n").into(),
        notes: Vec::new(),
    })
}

/// Seconds as cfssl's gencrl reads them (decimal, or 0x hexadecimal).
pub fn parse_seconds(text: &str) -> Result<Duration> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse::<u64>(),
    };
    parsed
        .ok()
        .filter(|s| *s <= u32::MAX as u64)
        .map(Duration::from_secs)
        .ok_or_else(|| Error::Refused(format!("invalid CRL lifetime {text:?} (want seconds)")))
}

/// Where an OCSP responder comes from: the CA (`-ca`), the responder
/// certificate (`-responder`) and its key (`-responder-key`).
#[derive(Debug, Clone, Copy)]
pub struct ResponderSource<'a> {
    pub ca: Option<&'a str>,
    pub responder: Option<&'a str>,
    pub key: Option<&'a str>,
}

/// Loads an OCSP responder, logging what is wrong with its certificate.
pub fn responder(src: ResponderSource, report: &mut Report) -> Result<Responder> {
    let need = |v: Option<&str>, flag: &str, what: &str| {
        v.map(str::to_string)
            .ok_or_else(|| UsageError::missing(format!("need {what} (provide with -{flag})")))
    };
    let ca = need(src.ca, "ca", "CA certificate")?;
    let resp = need(src.responder, "responder", "responder certificate")?;
    let key_path = need(src.key, "responder-key", "responder key")?;
    let cert_der = |path: &str| -> Result<Vec<u8>> {
        Ok(parse_certificate(&read_input(path)?, display_name(path))?.to_der()?)
    };
    let key = load::ca_key(std::path::Path::new(&key_path), None)?;
    let responder = Responder::new(
        &cert_der(&ca)?,
        display_name(&ca),
        &cert_der(&resp)?,
        display_name(&resp),
        key,
        &load::ca_key_name(std::path::Path::new(&key_path)),
    )?;
    report.warn_all(&responder.warnings);
    Ok(responder)
}

/// The window cfssl gives a response: thisUpdate is now truncated to
/// the hour, nextUpdate `interval` later.
pub fn response_window(now: SystemTime, interval: Duration) -> (SystemTime, SystemTime) {
    let secs = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let this = UNIX_EPOCH + Duration::from_secs(secs - secs % 3600);
    (this, this + interval)
}

/// What `ocspsign` is asked to say about a certificate.
#[derive(Debug, Clone, Copy)]
pub struct SignStatus<'a> {
    /// `good`, `revoked` or `unknown`.
    pub status: &'a str,
    pub reason: &'a str,
    /// `now` or YYYY-MM-DD.
    pub revoked_at: &'a str,
    pub interval: Duration,
}

/// `ocspsign -ca -responder -responder-key -cert [-status -reason
/// -revoked-at -interval]`: `{"ocspResponse":"BASE64"}` as cfssl prints.
pub fn ocspsign(src: ResponderSource, cert: &str, wanted: SignStatus) -> Result<Report> {
    let mut report = Report::default();
    let status = sign_status(wanted)?;
    let responder = responder(src, &mut report)?;
    let der = sign_for(
        &responder,
        &read_input(cert)?,
        display_name(cert),
        status,
        wanted.interval,
    )?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    report.output = format!("{}\n", serde_json::json!({ "ocspResponse": b64 })).into();
    Ok(report)
}

/// A response about the certificate in `cert_pem` (which the responder's
/// CA must have issued), valid from the hour for `interval`.
pub fn sign_for(
    responder: &Responder,
    cert_pem: &[u8],
    source: &str,
    status: Status,
    interval: Duration,
) -> Result<Vec<u8>> {
    let cert_der = parse_certificate(cert_pem, source)?.to_der()?;
    let cert = Cert::from_der(&cert_der).map_err(|m| Error::decode(source, m))?;
    if cert.issuer_der() != responder.issuer().subject_der() || !cert.signed_by(responder.issuer())
    {
        return Err(Error::Refused(format!(
            "{source}: the certificate was not issued by the responder's CA"
        )));
    }
    let serial = cert
        .cert
        .tbs_certificate()
        .serial_number()
        .as_bytes()
        .to_vec();
    let (this, next) = response_window(SystemTime::now(), interval);
    responder.sign(&serial, status, this, next)
}

/// The status `ocspsign` is asked for, checked.
pub fn sign_status(wanted: SignStatus) -> Result<Status> {
    match wanted.status {
        "good" => Ok(Status::Good),
        "unknown" => Ok(Status::Unknown),
        "revoked" => {
            let at = match wanted.revoked_at {
                "now" => SystemTime::now(),
                day => parse_day(day)?,
            };
            Ok(Status::Revoked {
                at,
                reason: Some(Reason::parse(wanted.reason)?),
            })
        }
        other => Err(Error::Refused(format!(
            "invalid status {other:?} (good, revoked or unknown)"
        ))),
    }
}

/// A YYYY-MM-DD date at midnight UTC.
fn parse_day(day: &str) -> Result<SystemTime> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(day, &format)
        .map_err(|_| Error::Refused(format!("malformed revocation time {day:?} (YYYY-MM-DD)")))?;
    Ok(date.midnight().assume_utc().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_and_days_parse_as_cfssl() {
        assert_eq!(parse_seconds("3600").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_seconds("0x10").unwrap(), Duration::from_secs(16));
        assert!(parse_seconds("1h").is_err());
        let day = parse_day("2024-02-29").unwrap();
        assert_eq!(
            day.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1709164800
        );
        assert!(parse_day("2024-13-01").is_err());
    }

    #[test]
    fn window_starts_on_the_hour() {
        let now = UNIX_EPOCH + Duration::from_secs(7200 + 125);
        let (this, next) = response_window(now, Duration::from_secs(60));
        assert_eq!(this, UNIX_EPOCH + Duration::from_secs(7200));
        assert_eq!(next, UNIX_EPOCH + Duration::from_secs(7260));
    }
}
