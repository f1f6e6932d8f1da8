//! RFC 5280 version 2 CRLs: CRL number, authority key identifier,
//! thisUpdate/nextUpdate and per-entry reason codes, built with
//! x509-cert's `TbsCertList` and signed by the CA key.

use super::reason::Reason;
use crate::csr::extension;
use crate::error::{Error, Result};
use crate::issue::extensions::authority_key_id_extension;
use crate::issue::issuer::Issuer;
use crate::keys::{pem_encode, BuilderSigner};
use const_oid::db::rfc5912;
use der::asn1::Uint;
use der::Encode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::{CrlNumber, KeyUsage, KeyUsages};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;
use x509_cert::Version;

/// One revoked certificate: its serial (big-endian bytes), when it was
/// revoked and why (`None` or unspecified: no reasonCode entry extension,
/// as RFC 5280 5.3.1 recommends).
#[derive(Debug, Clone)]
pub struct Revoked {
    pub serial: Vec<u8>,
    pub revoked_at: SystemTime,
    pub reason: Option<Reason>,
}

/// A signed CRL.
#[derive(Debug, Clone)]
pub struct Crl {
    pub der: Vec<u8>,
}

impl Crl {
    /// The CRL as an `X509 CRL` PEM block.
    pub fn pem(&self) -> String {
        pem_encode("X509 CRL", &self.der)
    }
}

/// Converts a time to X.509 Time (UTCTime before 2050), whole seconds.
pub fn x509_time(t: SystemTime, what: &str) -> Result<Time> {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_err(|_| Error::Refused(format!("{what} is before 1970")))?
        .as_secs();
    Time::try_from(UNIX_EPOCH + Duration::from_secs(secs))
        .map_err(|e| Error::Refused(format!("{what} cannot be encoded: {e}")))
}

/// The last CRL number this process gave out.
static LAST_NUMBER: AtomicU64 = AtomicU64::new(0);

/// The next CRL number: the time of issue in Unix nanoseconds, and always
/// above the last one this process gave out. Unix seconds (the number
/// before) repeated for two CRLs issued within one second, which RFC 5280
/// 5.2.3 forbids; nanoseconds keep CRLs from separate processes (the CLI,
/// several servers) increasing with the clock, and are larger than any
/// seconds-based number already published.
fn next_number() -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or_default();
    let previous = LAST_NUMBER
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| {
            Some(now.max(last.saturating_add(1)))
        })
        .unwrap_or_default();
    now.max(previous.saturating_add(1))
}

/// Builds and signs a CRL of `revoked` valid from `this_update` until
/// `next_update`, numbered by [`next_number`] (strictly increasing
/// without keeping state).
pub fn build(
    issuer: &Issuer,
    revoked: &[Revoked],
    this_update: SystemTime,
    next_update: SystemTime,
) -> Result<Crl> {
    if next_update <= this_update {
        return Err(Error::Refused(
            "the CRL's nextUpdate must be after its thisUpdate".into(),
        ));
    }
    let ca = issuer.certificate().tbs_certificate();
    if let Some((_, ku)) = ca.get_extension::<KeyUsage>().ok().flatten() {
        if !ku.0.contains(KeyUsages::CRLSign) {
            return Err(Error::Refused(
                "the CA certificate's KeyUsage lacks CRL sign, so relying parties would reject its CRLs"
                    .into(),
            ));
        }
    }
    let mut entries: Vec<RevokedCert> = Vec::with_capacity(revoked.len());
    for r in revoked {
        let extensions = match r.reason.filter(|r| *r != Reason::Unspecified) {
            Some(reason) => Some(vec![extension(
                rfc5912::ID_CE_CRL_REASONS,
                false,
                &reason.to_crl_reason(),
            )?]),
            None => None,
        };
        entries.push(RevokedCert {
            serial_number: SerialNumber::new(&r.serial)?,
            revocation_date: x509_time(r.revoked_at, "a revocation time")?,
            crl_entry_extensions: extensions,
        });
    }
    let number = next_number();
    let mut crl_extensions = Vec::new();
    if let Some(aki) = authority_key_id_extension(Some(issuer.key_id().to_vec()))? {
        crl_extensions.push(aki);
    }
    crl_extensions.push(extension(
        rfc5912::ID_CE_CRL_NUMBER,
        false,
        &CrlNumber(Uint::new(&number.to_be_bytes())?),
    )?);
    let signer = BuilderSigner::new(issuer.key())?;
    let tbs: TbsCertList = TbsCertList {
        version: Version::V2,
        signature: issuer.key().signature_algorithm(),
        issuer: ca.subject().clone(),
        this_update: x509_time(this_update, "thisUpdate")?,
        next_update: Some(x509_time(next_update, "nextUpdate")?),
        revoked_certificates: (!entries.is_empty()).then_some(entries),
        crl_extensions: Some(crl_extensions),
    };
    let tbs_der = tbs.to_der()?;
    let crl: CertificateList = CertificateList {
        signature_algorithm: tbs.signature.clone(),
        signature: signer.sign_bits(&tbs_der)?,
        tbs_cert_list: tbs,
    };
    Ok(Crl { der: crl.to_der()? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revocation::test_ca;
    use der::Decode;

    #[test]
    fn crl_has_number_aki_reasons_and_verifies() {
        let ca = test_ca();
        let now = SystemTime::now();
        let revoked = [
            Revoked {
                serial: vec![0x01, 0x02],
                revoked_at: now,
                reason: Some(Reason::KeyCompromise),
            },
            Revoked {
                serial: vec![0x7f],
                revoked_at: now,
                reason: Some(Reason::Unspecified),
            },
        ];
        let crl = build(&ca, &revoked, now, now + Duration::from_secs(3600)).unwrap();
        let parsed =
            CertificateList::<x509_cert::certificate::Rfc5280>::from_der(&crl.der).unwrap();
        let tbs = &parsed.tbs_cert_list;
        assert_eq!(tbs.version, Version::V2);
        let entries = tbs.revoked_certificates.as_ref().unwrap();
        assert_eq!(entries[0].serial_number.as_bytes(), &[1, 2]);
        assert!(entries[0].crl_entry_extensions.is_some());
        assert!(entries[1].crl_entry_extensions.is_none());
        let ids: Vec<_> = tbs
            .crl_extensions
            .iter()
            .flatten()
            .map(|e| e.extn_id)
            .collect();
        assert_eq!(
            ids,
            [
                rfc5912::ID_CE_AUTHORITY_KEY_IDENTIFIER,
                rfc5912::ID_CE_CRL_NUMBER
            ]
        );
        let spki = ca
            .certificate()
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap();
        let alg = parsed.signature_algorithm.to_der().unwrap();
        crate::keys::verify_signature(
            &spki::SubjectPublicKeyInfoRef::from_der(&spki).unwrap(),
            &spki::AlgorithmIdentifierRef::from_der(&alg).unwrap(),
            &tbs.to_der().unwrap(),
            parsed.signature.raw_bytes(),
        )
        .unwrap();
    }

    #[test]
    fn refuses_inverted_window() {
        let ca = test_ca();
        let now = SystemTime::now();
        assert!(build(&ca, &[], now, now).is_err());
    }
}
