//! Signing OCSP responses: by the CA itself, or by a delegated responder
//! certificate the CA issued for OCSPSigning (RFC 6960 4.2.2.2), which
//! the response then carries. ResponderID is byKey (RFC 5019 2.2.3).

use super::request::{cert_id, Query};
use super::{der07_err, ocsp_time, to_der07, CertIdHash, IssuerHashes, Status};
use crate::chain::certs::Cert;
use crate::error::{Error, Result};
use crate::issue::extensions::ID_PKIX_OCSP_NOCHECK;
use crate::keys::{key_identifier, CaKey};
use crate::revocation::Reason;
use const_oid::db::rfc5912;
use der::Encode as _;
use der07::Encode as _;
use std::time::SystemTime;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert02::ext::pkix::CrlReason;
use x509_cert02::ext::Extension;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspResponse, ResponderId, ResponseData, RevokedInfo,
    SingleResponse,
};

/// A loaded OCSP signer: the CA whose certificates it answers for, the
/// responder certificate (the CA's own, or a delegated one) and its key.
pub struct Responder {
    issuer: Cert,
    sha1: IssuerHashes,
    sha256: IssuerHashes,
    issuer_key_id: Vec<u8>,
    /// The delegated responder certificate, sent with each response.
    delegated: Option<x509_cert02::Certificate>,
    responder_key_hash: Vec<u8>,
    key: CaKey,
    algorithm: spki07::AlgorithmIdentifierOwned,
    /// Things to tell the user about the responder certificate.
    pub warnings: Vec<String>,
}

impl Responder {
    /// Loads a responder. Refuses a key that is not the responder
    /// certificate's, and a responder that is neither the CA nor a
    /// certificate the CA signed with the OCSPSigning usage.
    pub fn new(
        issuer_der: &[u8],
        issuer_source: &str,
        responder_der: &[u8],
        responder_source: &str,
        key: CaKey,
        key_source: &str,
    ) -> Result<Responder> {
        let issuer = Cert::from_der(issuer_der).map_err(|m| Error::decode(issuer_source, m))?;
        let responder =
            Cert::from_der(responder_der).map_err(|m| Error::decode(responder_source, m))?;
        let responder_spki = responder
            .cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()?;
        if !key.matches(&responder_spki)? {
            return Err(Error::Key(format!(
                "{key_source}: private key does not match the responder certificate {responder_source}"
            )));
        }
        let mut warnings = Vec::new();
        let delegated = if responder.der == issuer.der {
            None
        } else {
            check_delegated(&responder, &issuer, responder_source, issuer_source)?;
            let tbs = responder.cert.tbs_certificate();
            if !tbs
                .extensions()
                .into_iter()
                .flatten()
                .any(|e| e.extn_id == ID_PKIX_OCSP_NOCHECK)
            {
                warnings.push(format!(
                    "{responder_source}: the delegated responder certificate has no id-pkix-ocsp-nocheck; clients may try to check its own status (set \"ocsp_no_check\": true in its signing profile)"
                ));
            }
            Some(
                <x509_cert02::Certificate as der07::Decode>::from_der(&responder.der)
                    .map_err(|e| der07_err(responder_source, e))?,
            )
        };
        let issuer_spki = issuer
            .cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()?;
        let issuer_key_id = match issuer
            .cert
            .tbs_certificate()
            .get_extension::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
            .ok()
            .flatten()
        {
            Some((_, ski)) => ski.0.as_bytes().to_vec(),
            None => key_identifier(&issuer_spki)?,
        };
        Ok(Responder {
            sha1: IssuerHashes::of(&issuer.cert, CertIdHash::Sha1)?,
            sha256: IssuerHashes::of(&issuer.cert, CertIdHash::Sha256)?,
            issuer_key_id,
            responder_key_hash: key_identifier(&responder_spki)?,
            algorithm: to_der07(&key.signature_algorithm(), "signature algorithm")?,
            issuer,
            delegated,
            key,
            warnings,
        })
    }
}

impl Responder {
    /// The CA certificate this responder answers for.
    pub fn issuer(&self) -> &Cert {
        &self.issuer
    }

    /// The CA's key identifier, which its certificates carry as AKI (the
    /// certificate database's `authority_key_identifier`, in hex).
    pub fn issuer_key_id(&self) -> &[u8] {
        &self.issuer_key_id
    }

    /// Whether a request names this responder's CA.
    pub fn answers_for(&self, q: &Query) -> bool {
        self.is_issuer(q.hash, &q.issuer)
    }

    /// Whether a CertID's issuer hashes (of a request or a stored
    /// response) under `hash` are this responder's CA's.
    pub fn is_issuer(&self, hash: Option<CertIdHash>, issuer: &IssuerHashes) -> bool {
        match hash {
            Some(CertIdHash::Sha1) => *issuer == self.sha1,
            Some(CertIdHash::Sha256) => *issuer == self.sha256,
            None => false,
        }
    }

    /// Signs a response to `q` (its CertID as sent, its nonce echoed).
    pub fn answer(
        &self,
        q: &Query,
        status: Status,
        this_update: SystemTime,
        next_update: SystemTime,
    ) -> Result<Vec<u8>> {
        self.sign_for(
            q.cert_id.clone(),
            status,
            this_update,
            next_update,
            q.nonce.clone(),
        )
    }

    /// Signs a response for `serial` under a SHA-1 CertID (what RFC 5019
    /// clients ask with), for responses made ahead of requests.
    pub fn sign(
        &self,
        serial: &[u8],
        status: Status,
        this_update: SystemTime,
        next_update: SystemTime,
    ) -> Result<Vec<u8>> {
        let id = cert_id(&self.issuer.cert, serial, CertIdHash::Sha1)?;
        self.sign_for(id, status, this_update, next_update, None)
    }

    fn sign_for(
        &self,
        cert_id: CertId,
        status: Status,
        this_update: SystemTime,
        next_update: SystemTime,
        nonce: Option<Extension>,
    ) -> Result<Vec<u8>> {
        let e = |e| der07_err("OCSP response", e);
        let cert_status = match status {
            Status::Good => CertStatus::good(),
            Status::Unknown => CertStatus::unknown(),
            Status::Revoked { at, reason } => CertStatus::revoked(RevokedInfo {
                revocation_time: ocsp_time(at, "the revocation time")?,
                revocation_reason: reason.filter(|r| *r != Reason::Unspecified).map(crl_reason),
            }),
        };
        let data = ResponseData {
            version: Default::default(),
            responder_id: ResponderId::ByKey(
                der07::asn1::OctetString::new(self.responder_key_hash.clone()).map_err(e)?,
            ),
            produced_at: ocsp_time(SystemTime::now(), "producedAt")?,
            responses: vec![SingleResponse {
                cert_id,
                cert_status,
                this_update: ocsp_time(this_update, "thisUpdate")?,
                next_update: Some(ocsp_time(next_update, "nextUpdate")?),
                single_extensions: None,
            }],
            response_extensions: nonce.map(|n| vec![n]),
        };
        let tbs = data.to_der().map_err(e)?;
        let signature = der07::asn1::BitString::from_bytes(&self.key.sign(&tbs)?).map_err(e)?;
        let basic = BasicOcspResponse {
            tbs_response_data: data,
            signature_algorithm: self.algorithm.clone(),
            signature,
            certs: self.delegated.clone().map(|c| vec![c]),
        };
        OcspResponse::successful(basic)
            .and_then(|r| r.to_der())
            .map_err(e)
    }
}

/// The unsigned answers a responder gives instead of a status (RFC 6960 2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    MalformedRequest,
    InternalError,
    Unauthorized,
}

/// The DER of an OCSP error response (no signature, RFC 6960 2.3).
pub fn error_response(refusal: Refusal) -> Vec<u8> {
    use x509_ocsp::OcspResponseStatus as S;
    OcspResponse {
        response_status: match refusal {
            Refusal::MalformedRequest => S::MalformedRequest,
            Refusal::InternalError => S::InternalError,
            Refusal::Unauthorized => S::Unauthorized,
        },
        response_bytes: None,
    }
    .to_der()
    .unwrap_or_default()
}

fn crl_reason(reason: Reason) -> CrlReason {
    match reason {
        Reason::Unspecified => CrlReason::Unspecified,
        Reason::KeyCompromise => CrlReason::KeyCompromise,
        Reason::CaCompromise => CrlReason::CaCompromise,
        Reason::AffiliationChanged => CrlReason::AffiliationChanged,
        Reason::Superseded => CrlReason::Superseded,
        Reason::CessationOfOperation => CrlReason::CessationOfOperation,
        Reason::CertificateHold => CrlReason::CertificateHold,
        Reason::RemoveFromCrl => CrlReason::RemoveFromCRL,
        Reason::PrivilegeWithdrawn => CrlReason::PrivilegeWithdrawn,
        Reason::AaCompromise => CrlReason::AaCompromise,
    }
}

/// A delegated responder must be issued by the CA (name and signature)
/// and carry the OCSPSigning extended key usage (RFC 6960 4.2.2.2).
pub(crate) fn check_delegated(
    responder: &Cert,
    issuer: &Cert,
    responder_source: &str,
    issuer_source: &str,
) -> Result<()> {
    if responder.issuer_der() != issuer.subject_der() || !responder.signed_by(issuer) {
        return Err(Error::Refused(format!(
            "{responder_source}: the responder certificate is neither the CA {issuer_source} nor issued by it"
        )));
    }
    let eku = responder
        .cert
        .tbs_certificate()
        .get_extension::<ExtendedKeyUsage>()
        .map_err(|e| Error::decode(responder_source, format!("malformed extendedKeyUsage: {e}")))?;
    if !eku.is_some_and(|(_, eku)| eku.0.contains(&rfc5912::ID_KP_OCSP_SIGNING)) {
        return Err(Error::Refused(format!(
            "{responder_source}: a delegated responder certificate needs the OCSP signing extended key usage (usages: [\"ocsp signing\"])"
        )));
    }
    if !responder.valid_at(SystemTime::now()) {
        return Err(Error::Refused(format!(
            "{responder_source}: the responder certificate is not valid now"
        )));
    }
    Ok(())
}
