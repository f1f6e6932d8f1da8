//! OCSP (RFC 6960) with RFC 5019's lightweight profile: requests parsed
//! (`request`), responses signed by the CA or a delegated responder
//! (`sign`), and responses read back and checked (`read`).
//!
//! x509-ocsp has no release on der 0.8 yet, so this module works in its
//! der 0.7 / x509-cert 0.2 types (`der07`, `x509_cert02`) and meets the
//! rest of certkit at DER bytes.

pub mod read;
pub mod request;
pub mod sign;

pub use read::{check_response, read_response, ResponseSummary};
pub use request::{build_request, parse_request, Query};
pub use sign::{error_response, Refusal, Responder};

use super::Reason;
use crate::error::{Error, Result};
use const_oid::db::rfc5912;
use std::time::SystemTime;

/// The status a response gives a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Good,
    Revoked {
        at: SystemTime,
        reason: Option<Reason>,
    },
    Unknown,
}

impl Status {
    /// cfssl's status words: `good`, `revoked`, `unknown`.
    pub fn word(&self) -> &'static str {
        match self {
            Status::Good => "good",
            Status::Revoked { .. } => "revoked",
            Status::Unknown => "unknown",
        }
    }
}

/// The hash a CertID is computed with: SHA-1 (what RFC 5019 clients and
/// openssl send by default) or SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertIdHash {
    Sha1,
    Sha256,
}

impl CertIdHash {
    fn oid(self) -> der07::asn1::ObjectIdentifier {
        let oid = match self {
            CertIdHash::Sha1 => rfc5912::ID_SHA_1,
            CertIdHash::Sha256 => rfc5912::ID_SHA_256,
        };
        // const-oid 0.10 (der 0.8) and 0.9 (der 0.7) share the encoding.
        der07::asn1::ObjectIdentifier::from_bytes(oid.as_bytes()).expect("known OID")
    }

    fn from_oid(oid: &der07::asn1::ObjectIdentifier) -> Option<CertIdHash> {
        [CertIdHash::Sha1, CertIdHash::Sha256]
            .into_iter()
            .find(|h| h.oid() == *oid)
    }

    /// Hashes `data` with this algorithm (AWS-LC).
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let alg = match self {
            CertIdHash::Sha1 => &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
            CertIdHash::Sha256 => &aws_lc_rs::digest::SHA256,
        };
        aws_lc_rs::digest::digest(alg, data).as_ref().to_vec()
    }
}

/// The hashes of an issuer that a CertID names it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerHashes {
    pub name: Vec<u8>,
    pub key: Vec<u8>,
}

impl IssuerHashes {
    /// The issuer's name and key hashes under `hash`, from its certificate.
    pub fn of(issuer: &x509_cert::Certificate, hash: CertIdHash) -> Result<IssuerHashes> {
        use der::Encode;
        let tbs = issuer.tbs_certificate();
        Ok(IssuerHashes {
            name: hash.digest(&tbs.subject().to_der()?),
            key: hash.digest(tbs.subject_public_key_info().subject_public_key.raw_bytes()),
        })
    }
}

/// What a CertID names: the serial, the hash and the issuer's hashes.
fn named_by(id: &x509_ocsp::CertId) -> (Vec<u8>, Option<CertIdHash>, IssuerHashes) {
    (
        id.serial_number.as_bytes().to_vec(),
        CertIdHash::from_oid(&id.hash_algorithm.oid),
        IssuerHashes {
            name: id.issuer_name_hash.as_bytes().to_vec(),
            key: id.issuer_key_hash.as_bytes().to_vec(),
        },
    )
}

/// Maps a der 0.7 error to certkit's.
fn der07_err(what: &str, e: der07::Error) -> Error {
    Error::decode(what, e)
}

/// Re-encodes a value of the der 0.8 stack as its der 0.7 twin.
fn to_der07<T: for<'a> der07::Decode<'a>>(value: &impl der::Encode, what: &str) -> Result<T> {
    T::from_der(&value.to_der()?).map_err(|e| der07_err(what, e))
}

/// Converts a time to OCSP's GeneralizedTime, whole seconds.
fn ocsp_time(t: SystemTime, what: &str) -> Result<x509_ocsp::OcspGeneralizedTime> {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| Error::Refused(format!("{what} is before 1970")))?
        .as_secs();
    der07::asn1::GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map(x509_ocsp::OcspGeneralizedTime)
        .map_err(|e| der07_err(what, e))
}
