//! OCSP requests: parsed as a responder receives them (the first
//! request of the list, as RFC 5019 clients send one; its nonce), and
//! built as `verify --ocsp` sends them.

use super::{der07_err, named_by, CertIdHash, IssuerHashes};
use crate::error::{Error, Result};
use der07::{Decode, Encode};
use x509_cert02::ext::Extension;
use x509_ocsp::{CertId, OcspRequest, Request, TbsRequest};

/// id-pkix-ocsp-nonce (RFC 8954).
const NONCE_OID: &str = "1.3.6.1.5.5.7.48.1.2";

/// What a request asks about.
#[derive(Debug, Clone)]
pub struct Query {
    /// The serial number, big-endian without leading zeros.
    pub serial: Vec<u8>,
    /// The CertID's hash, `None` for one certkit does not compute.
    pub hash: Option<CertIdHash>,
    pub issuer: IssuerHashes,
    /// The nonce extension as sent, echoed in live responses.
    pub nonce: Option<Extension>,
    pub(crate) cert_id: CertId,
}

/// Parses a DER OCSPRequest. Errors are malformed requests.
pub fn parse_request(der: &[u8]) -> Result<Query> {
    let req = OcspRequest::from_der(der).map_err(|e| der07_err("OCSP request", e))?;
    let first = req
        .tbs_request
        .request_list
        .into_iter()
        .next()
        .ok_or_else(|| Error::decode("OCSP request", "it asks about no certificate"))?;
    let nonce_oid = der07::asn1::ObjectIdentifier::new_unwrap(NONCE_OID);
    let nonce = req
        .tbs_request
        .request_extensions
        .into_iter()
        .flatten()
        .find(|e| e.extn_id == nonce_oid)
        .map(|mut e| {
            e.critical = false;
            e
        });
    let (serial, hash, issuer) = named_by(&first.req_cert);
    Ok(Query {
        serial,
        hash,
        issuer,
        nonce,
        cert_id: first.req_cert,
    })
}

/// Builds the CertID of `serial` under `issuer`.
pub(crate) fn cert_id(
    issuer: &x509_cert::Certificate,
    serial: &[u8],
    hash: CertIdHash,
) -> Result<CertId> {
    let hashes = IssuerHashes::of(issuer, hash)?;
    let e = |e| der07_err("OCSP CertID", e);
    Ok(CertId {
        hash_algorithm: spki07::AlgorithmIdentifierOwned {
            oid: hash.oid(),
            parameters: Some(der07::asn1::Null.into()),
        },
        issuer_name_hash: der07::asn1::OctetString::new(hashes.name).map_err(e)?,
        issuer_key_hash: der07::asn1::OctetString::new(hashes.key).map_err(e)?,
        serial_number: x509_cert02::serial_number::SerialNumber::new(serial).map_err(e)?,
    })
}

/// Builds an unsigned request for `serial` under `issuer`, with a nonce
/// when one is given.
pub fn build_request(
    issuer: &x509_cert::Certificate,
    serial: &[u8],
    hash: CertIdHash,
    nonce: Option<&[u8]>,
) -> Result<Vec<u8>> {
    let e = |e| der07_err("OCSP request", e);
    let extensions = match nonce {
        Some(n) => {
            let value = der07::asn1::OctetString::new(n).map_err(e)?;
            Some(vec![Extension {
                extn_id: der07::asn1::ObjectIdentifier::new_unwrap(NONCE_OID),
                critical: false,
                extn_value: der07::asn1::OctetString::new(value.to_der().map_err(e)?).map_err(e)?,
            }])
        }
        None => None,
    };
    let req = OcspRequest {
        tbs_request: TbsRequest {
            request_list: vec![Request {
                req_cert: cert_id(issuer, serial, hash)?,
                single_request_extensions: None,
            }],
            request_extensions: extensions,
            ..Default::default()
        },
        optional_signature: None,
    };
    req.to_der().map_err(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revocation::test_ca;

    #[test]
    fn built_request_parses_back() {
        let ca = test_ca();
        let der = build_request(
            ca.certificate(),
            &[1, 2, 3],
            CertIdHash::Sha256,
            Some(b"n0nce"),
        )
        .unwrap();
        let q = parse_request(&der).unwrap();
        assert_eq!(q.serial, [1, 2, 3]);
        assert_eq!(q.hash, Some(CertIdHash::Sha256));
        assert_eq!(
            q.issuer,
            IssuerHashes::of(ca.certificate(), CertIdHash::Sha256).unwrap()
        );
        assert!(q.nonce.is_some());
    }

    #[test]
    fn garbage_is_malformed() {
        assert!(parse_request(b"\x30\x03\x02\x01\x01").is_err());
        assert!(parse_request(b"").is_err());
    }
}
