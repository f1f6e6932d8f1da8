//! One PodCertificateRequest through the issuance path every certkit
//! certificate takes (`Issuer::reissue`: the profile's usages, name
//! whitelist and CA-expiry cap), with the pod's identity in place of the
//! stub request's contents. The stub's signature is still verified: it is
//! the proof that the kubelet holds the key.

use super::identity::{PodIdentity, PodNames};
use super::key_type::KeyType;
use super::lifetime::{lifetime, MAX_BACKDATE, MIN_LIFETIME};
use crate::csr::VerifiedCsr;
use crate::issue::issuer::Issuer;
use crate::k8s::sign::Intermediates;
use crate::policy::Profile;
use crate::request::name::subject_from_request;
use crate::request::{Request, San};
use der::Decode;
use time::OffsetDateTime;
use x509_cert::Certificate;

/// The Denied reason the API defines for a key type the signer refuses.
pub const UNSUPPORTED_KEY_TYPE: &str = "UnsupportedKeyType";

/// The most bytes the API server accepts in `status.certificateChain`
/// (Kubernetes' `MaxCertificateChainSize`): a longer chain would be refused
/// at every write, so the request is Failed with the reason instead.
pub const MAX_CERTIFICATE_CHAIN_SIZE: usize = 100 * 1024;

/// The signer's choices for pod certificates.
#[derive(Debug, Clone)]
pub struct PodPolicy {
    pub names: PodNames,
    /// Key types issued for; others are Denied (`--pod-key-types`).
    pub key_types: Vec<KeyType>,
}

/// What the request asks for.
#[derive(Debug, Clone)]
pub struct PodRequest<'a> {
    pub identity: PodIdentity,
    /// `spec.stubPKCS10Request`, DER.
    pub stub: &'a [u8],
    pub max_expiration_seconds: Option<i64>,
    /// DNS names asked for in `userAnnotations` (when read at all).
    pub extra_dns_names: Vec<String>,
}

/// An issued pod certificate and the times the status must repeat.
#[derive(Debug, Clone)]
pub struct PodIssued {
    /// The leaf, then the intermediates (PEM).
    pub chain_pem: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub serial: String,
    pub key_type: KeyType,
    pub spiffe_id: String,
    pub warnings: Vec<String>,
}

/// Why a request gets no certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PodRefusal {
    /// A permanent `Denied` condition (reason, message).
    #[error("denied ({reason}): {message}")]
    Denied {
        reason: &'static str,
        message: String,
    },
    /// A `Failed` condition: the rule the request breaks.
    #[error("failed: {0}")]
    Failed(String),
}

/// Issues the certificate for one request, or says why not.
pub fn issue_pod_certificate(
    issuer: &Issuer,
    profile: &Profile,
    intermediates: &Intermediates,
    policy: &PodPolicy,
    request: &PodRequest,
) -> Result<PodIssued, PodRefusal> {
    let failed = |e: &dyn std::fmt::Display| PodRefusal::Failed(e.to_string());
    let stub =
        VerifiedCsr::parse(request.stub, "spec.stubPKCS10Request").map_err(|e| failed(&e))?;
    let key_type = KeyType::of(stub.public_key());
    let accepted: Vec<&str> = policy.key_types.iter().map(|k| k.name()).collect();
    let key_type = match key_type {
        Some(k) if policy.key_types.contains(&k) => k,
        other => {
            return Err(PodRefusal::Denied {
                reason: UNSUPPORTED_KEY_TYPE,
                message: format!(
                    "key type {} is not issued by this signer; use one of: {}",
                    other.map_or("(not an API key type)", |k| k.name()),
                    accepted.join(", ")
                ),
            })
        }
    };
    if profile.not_before.is_some() || profile.not_after.is_some() {
        return Err(PodRefusal::Failed(format!(
            "profile {:?} sets a fixed not_before/not_after; pod certificates need a relative expiry",
            profile.name
        )));
    }
    let lifetime =
        lifetime(request.max_expiration_seconds, profile.expiry).map_err(PodRefusal::Failed)?;
    let mut pod_profile = profile.clone();
    pod_profile.expiry = lifetime;
    pod_profile.backdate = profile.backdate.min(MAX_BACKDATE);
    // The identity is the pod's, never the stub's requested extensions.
    pod_profile.copy_extensions = false;

    let (cn, mut dns, uris) = policy.names.for_pod(&request.identity);
    if !request.extra_dns_names.is_empty() {
        if profile.name_whitelist.is_none() {
            return Err(PodRefusal::Failed(format!(
                "userAnnotations asks for DNS names but profile {:?} has no name_whitelist to allow them",
                profile.name
            )));
        }
        for name in &request.extra_dns_names {
            if !dns.contains(name) {
                dns.push(name.clone());
            }
        }
    }
    let subject = subject_from_request(&Request {
        cn: cn.unwrap_or_default(),
        ..Request::default()
    })
    .map_err(|e| failed(&e))?;
    let mut sans: Vec<San> = dns.into_iter().map(San::Dns).collect();
    sans.extend(uris.iter().cloned().map(San::Uri));
    let issued = issuer
        .reissue(&subject, stub.public_key(), sans, &pod_profile)
        .map_err(|e| failed(&e))?;
    let cert = Certificate::from_der(&issued.cert_der).map_err(|e| failed(&e))?;
    let validity = cert.tbs_certificate().validity();
    let not_before = OffsetDateTime::from(validity.not_before.to_system_time());
    let not_after = OffsetDateTime::from(validity.not_after.to_system_time());
    // The CA-expiry cap may have shortened it below what the API accepts.
    if not_after - not_before < MIN_LIFETIME {
        return Err(PodRefusal::Failed(format!(
            "the CA certificate expires at {not_after}: less than the hour a pod certificate must live"
        )));
    }
    let chain_pem = intermediates.chain(&issued.cert_pem);
    if chain_pem.len() > MAX_CERTIFICATE_CHAIN_SIZE {
        return Err(PodRefusal::Failed(format!(
            "the certificate chain (leaf and --bundle) is {} bytes; the API takes at most {MAX_CERTIFICATE_CHAIN_SIZE}",
            chain_pem.len()
        )));
    }
    Ok(PodIssued {
        chain_pem,
        not_before,
        not_after,
        serial: issued.serial,
        key_type,
        spiffe_id: uris.into_iter().next().unwrap_or_default(),
        warnings: issued.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issue::initca::new_ca;
    use crate::keys::KeyPair;
    use crate::request::KeySpec;
    use der::Encode;

    fn issuer() -> Issuer {
        let req = Request::from_json(
            br#"{"CN":"Pod CA","key":{"algo":"ecdsa","size":256}}"#,
            "ca",
        )
        .unwrap()
        .request;
        let ca = new_ca(&req).unwrap();
        Issuer::load(ca.cert_pem.as_bytes(), "ca", ca.key_pem.as_bytes(), "key").unwrap()
    }

    /// A stub as the kubelet sends it: empty subject, signed by the key.
    fn stub(spec: KeySpec) -> Vec<u8> {
        let key = KeyPair::generate(spec).unwrap();
        let csr = VerifiedCsr::built(&Request::default(), &key).unwrap();
        pem::parse(csr.to_pem()).unwrap().into_contents()
    }

    fn policy(key_types: &[KeyType]) -> PodPolicy {
        PodPolicy {
            names: PodNames {
                trust_domain: "cluster.local".into(),
                ..PodNames::default()
            },
            key_types: key_types.to_vec(),
        }
    }

    fn request(stub: &[u8], max: Option<i64>) -> PodRequest<'_> {
        PodRequest {
            identity: PodIdentity {
                namespace: "ns1".into(),
                pod: "p".into(),
                service_account: "sa1".into(),
            },
            stub,
            max_expiration_seconds: max,
            extra_dns_names: Vec::new(),
        }
    }

    fn profile() -> Profile {
        let mut p = Profile::cfssl_default();
        p.expiry = std::time::Duration::from_secs(8 * 3600);
        p
    }

    #[test]
    fn issues_the_spiffe_id_with_an_empty_subject() {
        let stub = stub(KeySpec::Ecdsa(256));
        let out = issue_pod_certificate(
            &issuer(),
            &profile(),
            &Intermediates::default(),
            &policy(&KeyType::ALL),
            &request(&stub, Some(86400)),
        )
        .unwrap();
        assert_eq!(out.spiffe_id, "spiffe://cluster.local/ns/ns1/sa/sa1");
        assert_eq!(
            out.not_after - out.not_before,
            time::Duration::hours(8),
            "the profile's expiry is shorter"
        );
        let cert =
            Certificate::from_der(&pem::parse(&out.chain_pem).unwrap().into_contents()).unwrap();
        let tbs = cert.tbs_certificate();
        assert!(tbs.subject().iter().next().is_none(), "empty subject");
        assert_eq!(
            tbs.subject_public_key_info().to_der().unwrap(),
            VerifiedCsr::parse(&stub, "s")
                .unwrap()
                .public_key()
                .to_der()
                .unwrap(),
            "the stub's key"
        );
        let now = OffsetDateTime::now_utc();
        assert!(
            now - out.not_before <= time::Duration::seconds(271),
            "backdate capped under 5 min"
        );
    }

    /// The chain is the leaf then the bundle, and a chain the API server
    /// would refuse for its size is Failed with the reason.
    #[test]
    fn the_bundle_follows_the_leaf_within_the_apis_size() {
        let issuer = issuer();
        let ca_pem =
            crate::keys::pem_encode("CERTIFICATE", &issuer.certificate().to_der().unwrap());
        let stub = stub(KeySpec::Ecdsa(256));
        let with_bundle = |pem: &str| {
            let bundle = Intermediates::load(pem.as_bytes(), "b", issuer.certificate()).unwrap();
            let all = policy(&KeyType::ALL);
            issue_pod_certificate(&issuer, &profile(), &bundle, &all, &request(&stub, None))
        };
        let out = with_bundle(&ca_pem).unwrap();
        assert_eq!(out.chain_pem.matches("BEGIN CERTIFICATE").count(), 2);
        assert!(
            out.chain_pem.ends_with(&ca_pem),
            "the leaf, then the bundle"
        );
        // A self-signed CA is its own issuer, so the CA repeated chains:
        // a bundle over the API's limit.
        let huge = ca_pem.repeat(MAX_CERTIFICATE_CHAIN_SIZE / ca_pem.len() + 1);
        let err = with_bundle(&huge).unwrap_err();
        assert!(
            matches!(&err, PodRefusal::Failed(m) if m.contains("the API takes at most 102400")),
            "{err}"
        );
    }

    #[test]
    fn key_types_outside_the_policy_are_denied() {
        let stub = stub(KeySpec::Ed25519);
        let err = issue_pod_certificate(
            &issuer(),
            &profile(),
            &Intermediates::default(),
            &policy(&[KeyType::EcdsaP256, KeyType::EcdsaP384]),
            &request(&stub, None),
        )
        .unwrap_err();
        let PodRefusal::Denied { reason, message } = err else {
            panic!("{err}")
        };
        assert_eq!(reason, "UnsupportedKeyType");
        assert!(
            message.contains("ED25519") && message.contains("ECDSAP256, ECDSAP384"),
            "{message}"
        );
    }

    #[test]
    fn bad_stubs_and_short_lifetimes_fail_with_the_rule() {
        let issuer = issuer();
        let all = policy(&KeyType::ALL);
        let mut stub = stub(KeySpec::Ecdsa(256));
        let good = stub.clone();
        let last = stub.len() - 1;
        stub[last] ^= 1; // the signature no longer matches: no proof of possession
        let err = issue_pod_certificate(
            &issuer,
            &profile(),
            &Intermediates::default(),
            &all,
            &request(&stub, None),
        )
        .unwrap_err();
        assert!(
            matches!(&err, PodRefusal::Failed(m) if m.contains("spec.stubPKCS10Request")),
            "{err}"
        );
        let mut short = profile();
        short.expiry = std::time::Duration::from_secs(1800);
        let err = issue_pod_certificate(
            &issuer,
            &short,
            &Intermediates::default(),
            &all,
            &request(&good, None),
        )
        .unwrap_err();
        assert!(
            matches!(&err, PodRefusal::Failed(m) if m.contains("at least 3600s")),
            "{err}"
        );
        let mut extra = request(&good, None);
        extra.extra_dns_names = vec!["evil.example".into()];
        let err =
            issue_pod_certificate(&issuer, &profile(), &Intermediates::default(), &all, &extra)
                .unwrap_err();
        assert!(
            matches!(&err, PodRefusal::Failed(m) if m.contains("no name_whitelist")),
            "{err}"
        );
    }
}
