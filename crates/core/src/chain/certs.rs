//! Certificates as bundle, verify and certinfo read them: every input
//! form (PEM chains, DER, PKCS#7 certs-only) decoded into [`Cert`], with
//! the few facts chain building needs read out of the extensions.

use crate::keys::{pem_encode, rsa_modulus_bits, verify_legacy_signature, ECDSA_WITH_SHA1};
use const_oid::db::{rfc5912, rfc8410};
use der::{Decode, Encode};
use spki::{ObjectIdentifier, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use std::time::{Duration, SystemTime};
use x509_cert::certificate::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, CrlDistributionPoints,
    KeyUsage, KeyUsages, SubjectAltName, SubjectKeyIdentifier,
};

/// Why an input held no usable certificate; each maps to one of cfssl's
/// reasons (decode failed, parse failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertInputError {
    /// Neither PEM with certificates nor DER nor PKCS#7.
    NotDecodable(String),
    /// A CERTIFICATE block or DER value that is not a valid certificate.
    NotParsable(String),
}

impl std::fmt::Display for CertInputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CertInputError::NotDecodable(m) | CertInputError::NotParsable(m) => f.write_str(m),
        }
    }
}

/// A parsed certificate with its exact DER.
#[derive(Debug, Clone)]
pub struct Cert {
    pub der: Vec<u8>,
    pub cert: Certificate,
}

/// The public key kinds cfssl distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Rsa(usize),
    Ecdsa(u32),
    Ed25519,
    Other,
}

const PKCS7_BLOCKS: [&str; 2] = ["PKCS7", "CMS"];

/// Reads every certificate in `input`: PEM (CERTIFICATE blocks, or a
/// PKCS7 block), else DER (one certificate, or PKCS#7 SignedData).
/// Other PEM blocks (keys, CSRs) are skipped; a file of only those is an
/// error, as is an empty one.
pub fn parse_all(input: &[u8]) -> Result<Vec<Cert>, CertInputError> {
    let text_like = input.trim_ascii_start().starts_with(b"-----BEGIN");
    if text_like {
        let blocks = pem::parse_many(input)
            .map_err(|e| CertInputError::NotDecodable(format!("not PEM: {e}")))?;
        let mut certs = Vec::new();
        let mut other = None;
        for block in &blocks {
            match block.tag() {
                "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => certs.push(
                    Cert::from_der(block.contents())
                        .map_err(|e| CertInputError::NotParsable(e.to_string()))?,
                ),
                tag if PKCS7_BLOCKS.contains(&tag) => certs.extend(parse_pkcs7(block.contents())?),
                tag => other = other.or(Some(tag.to_string())),
            }
        }
        if certs.is_empty() {
            return Err(match other {
                Some(tag) => CertInputError::NotParsable(format!(
                    "found a {tag} PEM block, not a certificate"
                )),
                None => CertInputError::NotDecodable("no certificate found".into()),
            });
        }
        return Ok(certs);
    }
    if input.trim_ascii().is_empty() {
        return Err(CertInputError::NotDecodable(
            "no certificate found (the input is empty)".into(),
        ));
    }
    if let Ok(cert) = Cert::from_der(input) {
        return Ok(vec![cert]);
    }
    parse_pkcs7(input).map_err(|_| {
        CertInputError::NotDecodable("neither PEM nor a DER certificate nor PKCS#7".into())
    })
}

/// The certificates of a PKCS#7 / CMS SignedData (a "certs-only" bundle).
fn parse_pkcs7(der: &[u8]) -> Result<Vec<Cert>, CertInputError> {
    use cms::cert::CertificateChoices;
    let bad = |e: der::Error| CertInputError::NotParsable(format!("invalid PKCS#7: {e}"));
    let info = cms::content_info::ContentInfo::from_der(der).map_err(bad)?;
    if info.content_type != const_oid::db::rfc5911::ID_SIGNED_DATA {
        return Err(CertInputError::NotParsable(format!(
            "PKCS#7 content type {} is not SignedData",
            info.content_type
        )));
    }
    let signed: cms::signed_data::SignedData = info.content.decode_as().map_err(bad)?;
    let mut certs = Vec::new();
    for choice in signed.certificates.iter().flat_map(|set| set.0.iter()) {
        if let CertificateChoices::Certificate(cert) = choice {
            let der = cert.to_der().map_err(bad)?;
            certs.push(Cert {
                der,
                cert: cert.clone(),
            });
        }
    }
    if certs.is_empty() {
        return Err(CertInputError::NotDecodable(
            "the PKCS#7 holds no certificates".into(),
        ));
    }
    Ok(certs)
}

fn to_time(t: &x509_cert::time::Time) -> SystemTime {
    SystemTime::UNIX_EPOCH + t.to_unix_duration()
}

/// DER that is not a certificate.
#[derive(Debug, thiserror::Error)]
#[error("invalid certificate: {0}")]
pub struct InvalidCertificate(#[from] der::Error);

impl Cert {
    /// Parses one DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Cert, InvalidCertificate> {
        let cert = Certificate::from_der(der)?;
        Ok(Cert {
            der: der.to_vec(),
            cert,
        })
    }

    /// The certificate as a PEM block (Go's layout, newline-terminated).
    pub fn pem(&self) -> String {
        pem_encode("CERTIFICATE", &self.der)
    }

    pub fn not_before(&self) -> SystemTime {
        to_time(&self.cert.tbs_certificate().validity().not_before)
    }

    pub fn not_after(&self) -> SystemTime {
        to_time(&self.cert.tbs_certificate().validity().not_after)
    }

    /// Whether `at` lies inside the validity window.
    pub fn valid_at(&self, at: SystemTime) -> bool {
        self.not_before() <= at && at <= self.not_after()
    }

    /// Subject and issuer as encoded, for issuer matching.
    pub fn subject_der(&self) -> Vec<u8> {
        self.cert
            .tbs_certificate()
            .subject()
            .to_der()
            .unwrap_or_default()
    }

    pub fn issuer_der(&self) -> Vec<u8> {
        self.cert
            .tbs_certificate()
            .issuer()
            .to_der()
            .unwrap_or_default()
    }

    /// Whether `issuer`'s key verifies this certificate's signature. SHA-1
    /// and 1024-bit RSA are accepted here: old chains must still be
    /// built so that their weakness can be reported.
    pub fn signed_by(&self, issuer: &Cert) -> bool {
        let (Ok(tbs), Ok(spki_der), Ok(alg_der)) = (
            self.cert.tbs_certificate().to_der(),
            issuer
                .cert
                .tbs_certificate()
                .subject_public_key_info()
                .to_der(),
            self.cert.signature_algorithm().to_der(),
        ) else {
            return false;
        };
        let (Ok(spki), Ok(alg)) = (
            SubjectPublicKeyInfoRef::from_der(&spki_der),
            spki::AlgorithmIdentifierRef::from_der(&alg_der),
        ) else {
            return false;
        };
        verify_legacy_signature(&spki, &alg, &tbs, self.cert.signature().raw_bytes()).is_ok()
    }

    /// Signed by its own key (a root, or a self-signed leaf).
    pub fn is_self_signed(&self) -> bool {
        self.subject_der() == self.issuer_der() && self.signed_by(self)
    }

    pub fn basic_constraints(&self) -> Option<BasicConstraints> {
        self.cert
            .tbs_certificate()
            .get_extension::<BasicConstraints>()
            .ok()
            .flatten()
            .map(|(_, bc)| bc)
    }

    pub fn is_ca(&self) -> bool {
        self.basic_constraints().is_some_and(|bc| bc.ca)
    }

    pub fn key_usage(&self) -> Option<KeyUsage> {
        self.cert
            .tbs_certificate()
            .get_extension::<KeyUsage>()
            .ok()
            .flatten()
            .map(|(_, ku)| ku)
    }

    /// KeyUsage allows certificate signing (or is absent).
    pub fn may_sign_certs(&self) -> bool {
        self.key_usage()
            .is_none_or(|ku| ku.0.contains(KeyUsages::KeyCertSign))
    }

    pub fn subject_key_id(&self) -> Vec<u8> {
        self.cert
            .tbs_certificate()
            .get_extension::<SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .map(|(_, ski)| ski.0.as_bytes().to_vec())
            .unwrap_or_default()
    }

    /// The serial number in decimal, read as Go reads it (two's
    /// complement: a negative serial stays negative).
    pub fn serial_decimal(&self) -> String {
        x509_parser::num_bigint::BigInt::from_signed_bytes_be(
            self.cert.tbs_certificate().serial_number().as_bytes(),
        )
        .to_string()
    }

    /// The AuthorityKeyIdentifier's key identifier (empty when absent).
    pub fn authority_key_id(&self) -> Vec<u8> {
        self.cert
            .tbs_certificate()
            .get_extension::<AuthorityKeyIdentifier>()
            .ok()
            .flatten()
            .and_then(|(_, aki)| aki.key_identifier)
            .map(|k| k.as_bytes().to_vec())
            .unwrap_or_default()
    }

    pub fn sans(&self) -> Vec<GeneralName> {
        self.cert
            .tbs_certificate()
            .get_extension::<SubjectAltName>()
            .ok()
            .flatten()
            .map(|(_, san)| san.0)
            .unwrap_or_default()
    }

    pub fn dns_names(&self) -> Vec<String> {
        self.sans()
            .into_iter()
            .filter_map(|n| match n {
                GeneralName::DnsName(d) => Some(d.to_string()),
                _ => None,
            })
            .collect()
    }

    pub fn common_name(&self) -> Option<String> {
        self.cert
            .tbs_certificate()
            .subject()
            .common_name()
            .ok()
            .flatten()
            .map(String::from)
    }

    /// URIs of the AIA entries with the given access method.
    pub fn aia_uris(&self, method: ObjectIdentifier) -> Vec<String> {
        let Some((_, aia)) = self
            .cert
            .tbs_certificate()
            .get_extension::<AuthorityInfoAccessSyntax>()
            .ok()
            .flatten()
        else {
            return Vec::new();
        };
        aia.0
            .iter()
            .filter(|d| d.access_method == method)
            .filter_map(|d| match &d.access_location {
                GeneralName::UniformResourceIdentifier(u) => Some(u.to_string()),
                _ => None,
            })
            .collect()
    }

    pub fn ocsp_servers(&self) -> Vec<String> {
        self.aia_uris(rfc5912::ID_AD_OCSP)
    }

    pub fn crl_distribution_points(&self) -> Option<CrlDistributionPoints> {
        self.cert
            .tbs_certificate()
            .get_extension::<CrlDistributionPoints>()
            .ok()
            .flatten()
            .map(|(_, c)| c)
    }

    /// The subject key's algorithm and size.
    pub fn key_kind(&self) -> KeyKind {
        key_kind(self.cert.tbs_certificate().subject_public_key_info())
    }

    /// The signature algorithm's name as Go's crypto/x509 spells it.
    pub fn signature_name(&self) -> &'static str {
        signature_name(&self.cert.signature_algorithm().oid)
    }

    /// Time left until expiry (zero when already expired).
    pub fn remaining(&self, now: SystemTime) -> Duration {
        self.not_after().duration_since(now).unwrap_or_default()
    }
}

/// A public key's algorithm and size.
pub fn key_kind(spki: &SubjectPublicKeyInfoOwned) -> KeyKind {
    match spki.algorithm.oid {
        rfc5912::RSA_ENCRYPTION => rsa_modulus_bits(spki.subject_public_key.raw_bytes())
            .map_or(KeyKind::Other, KeyKind::Rsa),
        rfc5912::ID_EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            match curve {
                Some(rfc5912::SECP_256_R_1) => KeyKind::Ecdsa(256),
                Some(rfc5912::SECP_384_R_1) => KeyKind::Ecdsa(384),
                Some(rfc5912::SECP_521_R_1) => KeyKind::Ecdsa(521),
                _ => KeyKind::Other,
            }
        }
        rfc8410::ID_ED_25519 => KeyKind::Ed25519,
        _ => KeyKind::Other,
    }
}

/// A time as RFC 3339 in UTC, as Go marshals `time.Time`.
pub fn rfc3339(t: SystemTime) -> String {
    time::OffsetDateTime::from(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Go's names for signature algorithms (cfssl's `signature` field).
pub fn signature_name(oid: &ObjectIdentifier) -> &'static str {
    match *oid {
        rfc5912::MD_2_WITH_RSA_ENCRYPTION => "MD2WithRSA",
        rfc5912::MD_5_WITH_RSA_ENCRYPTION => "MD5WithRSA",
        rfc5912::SHA_1_WITH_RSA_ENCRYPTION => "SHA1WithRSA",
        rfc5912::SHA_256_WITH_RSA_ENCRYPTION => "SHA256WithRSA",
        rfc5912::SHA_384_WITH_RSA_ENCRYPTION => "SHA384WithRSA",
        rfc5912::SHA_512_WITH_RSA_ENCRYPTION => "SHA512WithRSA",
        rfc5912::DSA_WITH_SHA_1 => "DSAWithSHA1",
        rfc5912::DSA_WITH_SHA_256 => "DSAWithSHA256",
        ECDSA_WITH_SHA1 => "ECDSAWithSHA1",
        rfc5912::ECDSA_WITH_SHA_256 => "ECDSAWithSHA256",
        rfc5912::ECDSA_WITH_SHA_384 => "ECDSAWithSHA384",
        rfc5912::ECDSA_WITH_SHA_512 => "ECDSAWithSHA512",
        rfc5912::ID_RSASSA_PSS => "RSAPSS",
        rfc8410::ID_ED_25519 => "Ed25519",
        _ => "Unknown Signature",
    }
}

/// Hex with colons between bytes, uppercase, as certinfo and openssl show.
pub fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAIN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/cfssl/bundler/");

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(format!("{CHAIN}{name}")).unwrap()
    }

    #[test]
    fn pem_der_and_garbage() {
        let certs = parse_all(&read("intermediates.crt")).unwrap();
        assert_eq!(certs.len(), 2);
        let der = certs[0].der.clone();
        assert_eq!(parse_all(&der).unwrap()[0].der, der);
        assert!(matches!(
            parse_all(b""),
            Err(CertInputError::NotDecodable(_))
        ));
        assert!(matches!(
            parse_all(b"junk"),
            Err(CertInputError::NotDecodable(_))
        ));
        assert!(matches!(
            parse_all(&read("cfssl-leaf-ecdsa256.key")),
            Err(CertInputError::NotParsable(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_input_is_an_error_not_a_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = parse_all(&bytes);
            let mut pem = b"-----BEGIN CERTIFICATE-----\n".to_vec();
            pem.extend(base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &bytes).into_bytes());
            pem.extend(b"\n-----END CERTIFICATE-----\n");
            proptest::prop_assert_eq!(parse_all(&pem).is_ok(), Cert::from_der(&bytes).is_ok());
        }
    }

    #[test]
    fn signatures_constraints_and_names() {
        let root = &parse_all(&read("ca.pem")).unwrap()[0];
        let l1 = &parse_all(&read("inter-L1.pem")).unwrap()[0];
        assert!(root.is_self_signed());
        assert!(
            l1.signed_by(root),
            "SHA-1 from a 1024-bit root still verifies here"
        );
        assert!(!root.signed_by(l1));
        assert!(l1.is_ca() && l1.may_sign_certs());
        assert_eq!(l1.basic_constraints().unwrap().path_len_constraint, Some(1));
        assert_eq!(l1.signature_name(), "SHA1WithRSA");
        assert_eq!(l1.key_kind(), KeyKind::Rsa(4096));
        assert_eq!(root.key_kind(), KeyKind::Rsa(1024));
    }
}
