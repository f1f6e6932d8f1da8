//! Revocation by CRLs given on the command line (`-crl FILE`): a CRL
//! whose issuer is a certificate's issuer must be usable (signed by the
//! issuer's key, which may sign CRLs; a non-critical CRL number; current)
//! and must not list the certificate's serial number.

use crate::chain::certs::Cert;
use crate::chain::verify::profile::whole_seconds;
use crate::chain::verify::refusal::Refusal;
use crate::chain::verify::role::{who, Role};
use crate::keys::verify_signature;
use const_oid::db::rfc5912 as oids;
use der::{Decode, Encode};
use std::time::SystemTime;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::{KeyUsage, KeyUsages};

/// A parsed CRL with the DER of its signed part.
#[derive(Debug, Clone)]
pub struct Crl {
    pub list: CertificateList,
    tbs: Vec<u8>,
}

/// Why an input holds no usable CRL.
#[derive(Debug, thiserror::Error)]
pub enum CrlInputError {
    #[error("not PEM: {0}")]
    NotPem(pem::PemError),
    #[error("no X509 CRL block found")]
    NoCrlBlock,
    #[error("invalid CRL: {0}")]
    Invalid(der::Error),
    /// Re-encoding the part the signature covers failed.
    #[error("{0}")]
    Encoding(der::Error),
}

/// Reads every CRL in `input`: PEM `X509 CRL` blocks, else one DER CRL.
pub fn parse_crls(input: &[u8]) -> Result<Vec<Crl>, CrlInputError> {
    let ders: Vec<Vec<u8>> = if input.trim_ascii_start().starts_with(b"-----BEGIN") {
        pem::parse_many(input)
            .map_err(CrlInputError::NotPem)?
            .into_iter()
            .filter(|b| b.tag() == "X509 CRL")
            .map(|b| b.into_contents())
            .collect()
    } else {
        vec![input.to_vec()]
    };
    if ders.is_empty() {
        return Err(CrlInputError::NoCrlBlock);
    }
    ders.iter()
        .map(|der| {
            let list = CertificateList::from_der(der).map_err(CrlInputError::Invalid)?;
            let tbs = list
                .tbs_cert_list
                .to_der()
                .map_err(CrlInputError::Encoding)?;
            Ok(Crl { list, tbs })
        })
        .collect()
}

fn to_time(t: &x509_cert::time::Time) -> SystemTime {
    SystemTime::UNIX_EPOCH + t.to_unix_duration()
}

/// Checks `cert` (at `role`) against every CRL from its issuer `issuer`.
pub fn check(
    cert: &Cert,
    role: Role,
    issuer: &Cert,
    crls: &[Crl],
    at: SystemTime,
) -> Result<(), Refusal> {
    let me = who(cert, role);
    let issuer_name = cert.cert.tbs_certificate().issuer();
    for crl in crls
        .iter()
        .filter(|c| &c.list.tbs_cert_list.issuer == issuer_name)
    {
        let tbs = &crl.list.tbs_cert_list;
        let by = format!("the CRL of {:?}", issuer_name.to_string());
        let ku = issuer
            .cert
            .tbs_certificate()
            .get_extension::<KeyUsage>()
            .ok()
            .flatten();
        if ku.is_some_and(|(_, k)| !k.0.contains(KeyUsages::CRLSign)) {
            return Err(format!(
                "crl: the issuer of {by} may not sign CRLs (KeyUsage lacks cRLSign)"
            )
            .into());
        }
        let spki = issuer
            .cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|e| e.to_string())?;
        let alg = crl
            .list
            .signature_algorithm
            .to_der()
            .map_err(|e| e.to_string())?;
        let verified = spki::SubjectPublicKeyInfoRef::from_der(&spki)
            .ok()
            .zip(spki::AlgorithmIdentifierRef::from_der(&alg).ok())
            .is_some_and(|(key, alg)| {
                verify_signature(&key, &alg, &crl.tbs, crl.list.signature.raw_bytes()).is_ok()
            });
        if !verified {
            return Err(format!(
                "crl: the signature of {by} does not verify under the issuer's key"
            )
            .into());
        }
        let number = tbs
            .crl_extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id == oids::ID_CE_CRL_NUMBER);
        match number {
            None => return Err(format!("crl: {by} has no CRL number").into()),
            Some(e) if e.critical => {
                return Err(format!("crl: {by} marks its CRL number critical").into())
            }
            _ => {}
        }
        let at = whole_seconds(at);
        if to_time(&tbs.this_update) > at
            || tbs.next_update.as_ref().is_some_and(|n| to_time(n) < at)
        {
            return Err(format!("crl: {by} is not current at the given time").into());
        }
        let serial = cert.cert.tbs_certificate().serial_number();
        if tbs
            .revoked_certificates
            .iter()
            .flatten()
            .any(|r| r.serial_number.as_bytes() == serial.as_bytes())
        {
            return Err(format!("crl: {me} is revoked").into());
        }
    }
    Ok(())
}
