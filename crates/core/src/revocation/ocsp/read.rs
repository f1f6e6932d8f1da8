//! Reading OCSP responses: a summary for serving pre-signed responses
//! (whose serial, validity), and a full check for `verify --ocsp`
//! (signature by the CA or its delegated responder, CertID, nonce, time).

use super::sign::check_delegated;
use super::{der07_err, named_by, CertIdHash, IssuerHashes, Status};
use crate::chain::certs::Cert;
use crate::error::{Error, Result};
use crate::keys::{key_identifier, verify_signature};
use crate::revocation::Reason;
use der::Decode as _;
use der07::{Decode, Encode};
use std::time::SystemTime;
use x509_ocsp::{BasicOcspResponse, CertStatus, OcspResponse, OcspResponseStatus, ResponderId};

/// What a successful response says about its first certificate.
#[derive(Debug, Clone)]
pub struct ResponseSummary {
    pub serial: Vec<u8>,
    pub hash: Option<CertIdHash>,
    pub issuer: IssuerHashes,
    pub status: Status,
    pub this_update: SystemTime,
    pub next_update: Option<SystemTime>,
}

fn basic(der: &[u8]) -> Result<BasicOcspResponse> {
    let resp = OcspResponse::from_der(der).map_err(|e| der07_err("OCSP response", e))?;
    if resp.response_status != OcspResponseStatus::Successful {
        return Err(Error::Refused(format!(
            "the OCSP responder answered {:?}",
            resp.response_status
        )));
    }
    let bytes = resp
        .response_bytes
        .ok_or_else(|| Error::decode("OCSP response", "successful but empty"))?;
    BasicOcspResponse::from_der(bytes.response.as_bytes())
        .map_err(|e| der07_err("OCSP basic response", e))
}

fn status_of(status: &CertStatus) -> Status {
    match status {
        CertStatus::Good(_) => Status::Good,
        CertStatus::Unknown(_) => Status::Unknown,
        CertStatus::Revoked(info) => Status::Revoked {
            at: info.revocation_time.0.to_system_time(),
            reason: info
                .revocation_reason
                .and_then(|r| Reason::from_code(r as u8)),
        },
    }
}

fn summarize(basic: &BasicOcspResponse) -> Result<ResponseSummary> {
    let single = basic
        .tbs_response_data
        .responses
        .first()
        .ok_or_else(|| Error::decode("OCSP response", "it holds no single response"))?;
    let (serial, hash, issuer) = named_by(&single.cert_id);
    Ok(ResponseSummary {
        serial,
        hash,
        issuer,
        status: status_of(&single.cert_status),
        this_update: single.this_update.0.to_system_time(),
        next_update: single.next_update.map(|t| t.0.to_system_time()),
    })
}

/// Decodes a successful response without checking its signature (for a
/// responder serving responses it was handed).
pub fn read_response(der: &[u8]) -> Result<ResponseSummary> {
    summarize(&basic(der)?)
}

/// Checks a response to a request about `serial` under `issuer`: signed
/// by the CA or by a responder the CA delegated to, about that CertID,
/// echoing `nonce` when the responder echoes nonces at all, and current
/// at `now`. Returns the certificate's status.
pub fn check_response(
    der: &[u8],
    issuer: &Cert,
    serial: &[u8],
    nonce: Option<&[u8]>,
    now: SystemTime,
) -> Result<Status> {
    let basic = basic(der)?;
    let tbs = basic
        .tbs_response_data
        .to_der()
        .map_err(|e| der07_err("OCSP response", e))?;
    let alg = basic
        .signature_algorithm
        .to_der()
        .map_err(|e| der07_err("OCSP response", e))?;
    let alg = spki::AlgorithmIdentifierRef::from_der(&alg)?;
    let mut signers = vec![issuer.clone()];
    for c in basic.certs.iter().flatten() {
        let der = c
            .to_der()
            .map_err(|e| der07_err("OCSP responder certificate", e))?;
        let cert = Cert::from_der(&der).map_err(|m| Error::decode("OCSP responder", m))?;
        if check_delegated(&cert, issuer, "the OCSP responder certificate", "the CA").is_ok() {
            signers.push(cert);
        }
    }
    let by_key = match &basic.tbs_response_data.responder_id {
        ResponderId::ByKey(hash) => Some(hash.as_bytes().to_vec()),
        ResponderId::ByName(_) => None,
    };
    let verified = signers.iter().any(|signer| {
        let Ok(spki_der) =
            der::Encode::to_der(signer.cert.tbs_certificate().subject_public_key_info())
        else {
            return false;
        };
        if let Some(hash) = &by_key {
            if key_identifier(&spki_der).ok().as_ref() != Some(hash) {
                return false;
            }
        }
        let Ok(spki) = spki::SubjectPublicKeyInfoRef::from_der(&spki_der) else {
            return false;
        };
        verify_signature(&spki, &alg, &tbs, basic.signature.raw_bytes()).is_ok()
    });
    if !verified {
        return Err(Error::BadSignature(
            "OCSP response (neither the CA nor a responder it delegated to signed it)".into(),
        ));
    }
    let summary = summarize(&basic)?;
    let hash = summary
        .hash
        .ok_or_else(|| Error::Refused("the OCSP response uses an unknown CertID hash".into()))?;
    if summary.serial != serial || summary.issuer != IssuerHashes::of(&issuer.cert, hash)? {
        return Err(Error::Refused(
            "the OCSP response is about another certificate".into(),
        ));
    }
    if let (Some(sent), Some(got)) = (nonce, basic.nonce()) {
        let sent = der07::asn1::OctetString::new(sent).map_err(|e| der07_err("nonce", e))?;
        if got.0 != sent {
            return Err(Error::Refused(
                "the OCSP response's nonce is not ours".into(),
            ));
        }
    }
    let skew = std::time::Duration::from_secs(300);
    if summary.this_update > now + skew || summary.next_update.is_some_and(|n| n + skew < now) {
        return Err(Error::Refused(
            "the OCSP response is not current (thisUpdate in the future or nextUpdate passed)"
                .into(),
        ));
    }
    Ok(summary.status)
}

#[cfg(test)]
mod tests {
    use super::super::request::{build_request, parse_request};
    use super::super::Responder;
    use super::*;
    use crate::revocation::test_ca_and_key;
    use std::time::Duration;

    fn responder() -> (Responder, Cert) {
        let (ca, key) = test_ca_and_key();
        let der = der::Encode::to_der(ca.certificate()).unwrap();
        let r = Responder::new(&der, "ca", &der, "ca", Box::new(key), "k").unwrap();
        let cert = Cert::from_der(&der).unwrap();
        (r, cert)
    }

    #[test]
    fn signed_answers_check_out_with_nonce_and_reason() {
        let (r, ca) = responder();
        let now = SystemTime::now();
        for hash in [CertIdHash::Sha1, CertIdHash::Sha256] {
            let req = build_request(&ca.cert, &[5, 6], hash, Some(b"nonce-1")).unwrap();
            let q = parse_request(&req).unwrap();
            assert!(r.answers_for(&q));
            let revoked = Status::Revoked {
                at: now - Duration::from_secs(60),
                reason: Some(Reason::KeyCompromise),
            };
            let der = r
                .answer(&q, revoked, now, now + Duration::from_secs(3600))
                .unwrap();
            match check_response(&der, &ca, &[5, 6], Some(b"nonce-1"), now).unwrap() {
                Status::Revoked { reason, .. } => assert_eq!(reason, Some(Reason::KeyCompromise)),
                other => panic!("{other:?}"),
            }
            assert!(check_response(&der, &ca, &[5, 7], None, now).is_err());
            assert!(check_response(&der, &ca, &[5, 6], Some(b"other"), now).is_err());
        }
        let der = r
            .sign(&[9], Status::Unknown, now, now + Duration::from_secs(60))
            .unwrap();
        let summary = read_response(&der).unwrap();
        assert_eq!(summary.serial, [9]);
        assert_eq!(summary.status, Status::Unknown);
        let later = now + Duration::from_secs(7200);
        assert!(check_response(&der, &ca, &[9], None, later).is_err());
    }
}
