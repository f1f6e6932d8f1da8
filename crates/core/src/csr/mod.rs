//! PKCS#10 certificate signing requests: building one from a request and
//! a key, and reading an incoming one, whose signature is checked before
//! anything else looks at it. `go_json` describes one as cfssl's
//! `certinfo -csr` prints it.

pub mod go_json;

use crate::error::{Error, Result};
use crate::keys::{pem_encode, verify_signature, BuilderSigner, SigningKey};
use crate::request::name::subject_from_request;
use crate::request::{Request, San};
use const_oid::db::rfc5912;
use der::asn1::{Ia5String, OctetString, SetOfVec};
use der::{Decode, Encode};
use spki::SubjectPublicKeyInfoOwned;
use std::net::IpAddr;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, SubjectAltName};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo, ExtensionReq, Version};

/// Builds and signs the CSR for `req` with `key`: the request's subject,
/// its hosts as a SAN extension request, and, for CA requests, a
/// BasicConstraints CA:TRUE extension request.
pub fn build(req: &Request, key: &dyn SigningKey) -> Result<String> {
    Ok(pem_encode(
        "CERTIFICATE REQUEST",
        &build_req(req, key)?.to_der()?,
    ))
}

fn build_req(req: &Request, key: &dyn SigningKey) -> Result<CertReq> {
    let subject = subject_from_request(req)?;
    let mut extensions = Vec::new();
    let sans: Vec<San> = crate::request::sans_from_hosts(&req.hosts);
    if !sans.is_empty() {
        extensions.push(extension(
            rfc5912::ID_CE_SUBJECT_ALT_NAME,
            false,
            &san_extension(&sans)?,
        )?);
    }
    if let Some(ca) = &req.ca {
        let bc = BasicConstraints {
            ca: true,
            path_len_constraint: ca.path_len(),
        };
        extensions.push(extension(rfc5912::ID_CE_BASIC_CONSTRAINTS, true, &bc)?);
    }
    // cfssl 1.6.5: DelegationUsage (NULL value), then the request's own
    // extensions, as given.
    if req.delegation_enabled {
        extensions.push(extension(DELEGATION_USAGE, false, &der::asn1::Null)?);
    }
    for ext in &req.extensions {
        let oid = spki::ObjectIdentifier::new(&ext.oid)
            .map_err(|_| Error::Request(format!("extensions: {} is not a valid OID", ext.oid)))?;
        if extensions.iter().any(|e: &Extension| e.extn_id == oid) {
            return Err(Error::Request(format!(
                "extensions: {oid} is already in the request"
            )));
        }
        extensions.push(Extension {
            extn_id: oid,
            critical: ext.critical,
            extn_value: OctetString::new(ext.value.clone())?,
        });
    }
    let mut attributes = SetOfVec::new();
    if !extensions.is_empty() {
        let attr: Attribute = ExtensionReq(extensions).try_into()?;
        attributes.insert(attr)?;
    }
    let signer = BuilderSigner::new(key)?;
    let info = CertReqInfo {
        version: Version::V1,
        subject,
        public_key: SubjectPublicKeyInfoOwned::from_der(&key.public_key_der()?)?,
        attributes,
    };
    let tbs = info.to_der()?;
    Ok(CertReq {
        info,
        algorithm: key.signature_algorithm(),
        signature: signer.sign_bits(&tbs)?,
    })
}

/// RFC 9345's DelegationUsage (Cloudflare's arc), which a request with
/// `delegation_enabled` puts in its CSR with a NULL value.
pub const DELEGATION_USAGE: spki::ObjectIdentifier =
    spki::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.44363.44");

/// An extension with a DER-encoded value.
pub fn extension(
    oid: spki::ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> Result<Extension> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

/// The SubjectAltName for typed hosts, in Go's order: DNS names, email
/// addresses, IP addresses, then URIs.
pub fn san_extension(sans: &[San]) -> Result<SubjectAltName> {
    let ia5 = |s: &str, kind: &str| {
        Ia5String::new(s).map_err(|_| {
            Error::Request(format!(
                "hosts: {kind} {s:?} must be ASCII (use punycode for IDNs)"
            ))
        })
    };
    let mut names = Vec::new();
    for san in sans {
        if let San::Dns(d) = san {
            names.push(GeneralName::DnsName(ia5(d, "DNS name")?));
        }
    }
    for san in sans {
        if let San::Email(e) = san {
            names.push(GeneralName::Rfc822Name(ia5(e, "email address")?));
        }
    }
    for san in sans {
        if let San::Ip(ip) = san {
            let bytes = match ip {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => v6.octets().to_vec(),
            };
            names.push(GeneralName::IpAddress(OctetString::new(bytes)?));
        }
    }
    for san in sans {
        if let San::Uri(u) = san {
            names.push(GeneralName::UniformResourceIdentifier(ia5(u, "URI")?));
        }
    }
    Ok(SubjectAltName(names))
}

/// A CSR whose signature has been verified against its own public key, or
/// that certkit has just built and signed with the key it names.
#[derive(Debug, Clone)]
pub struct VerifiedCsr {
    req: CertReq,
    der: Vec<u8>,
}

impl VerifiedCsr {
    /// The CSR [`build`] makes for `req`, signed with `key`. Its signature
    /// is right by construction, so it is not verified again: an ECDSA
    /// verification was a third of `gencert -initca`'s instructions.
    pub fn built(req: &Request, key: &dyn SigningKey) -> Result<VerifiedCsr> {
        let req = build_req(req, key)?;
        let der = req.to_der()?;
        Ok(VerifiedCsr { req, der })
    }

    /// Parses a CSR from PEM (`CERTIFICATE REQUEST` or `NEW CERTIFICATE
    /// REQUEST`) or raw DER, and verifies its self-signature. SHA-1
    /// signatures are refused.
    pub fn parse(input: &[u8], source: &str) -> Result<VerifiedCsr> {
        Self::parse_allowing_sha1(input, source, false)
    }

    /// As [`VerifiedCsr::parse`], accepting SHA-1 signatures when
    /// `allow_sha1` is set (`--allow-sha1`).
    pub fn parse_allowing_sha1(
        input: &[u8],
        source: &str,
        allow_sha1: bool,
    ) -> Result<VerifiedCsr> {
        // PEM may follow text, as `openssl req -text` prints it.
        let der = if has_pem_block(input) {
            let blocks = pem::parse_many(input)
                .map_err(|e| Error::decode(source, format!("not PEM: {e}")))?;
            let block = blocks
                .into_iter()
                .find(|b| b.tag() == "CERTIFICATE REQUEST" || b.tag() == "NEW CERTIFICATE REQUEST")
                .ok_or_else(|| Error::decode(source, "no CERTIFICATE REQUEST PEM block found"))?;
            block.into_contents()
        } else if input.first() == Some(&0x30) {
            input.to_vec()
        } else if input.trim_ascii().is_empty() {
            return Err(Error::decode(
                source,
                "empty input, expected a PEM certificate request",
            ));
        } else {
            return Err(Error::decode(
                source,
                "not a PEM or DER certificate request",
            ));
        };
        let req = CertReq::from_der(&der)
            .map_err(|e| Error::decode(source, format!("malformed certificate request: {e}")))?;
        if !allow_sha1 {
            refuse_sha1(&req.algorithm.oid, source)?;
        }
        // The signature covers the request info as sent: re-encoding it
        // would sort a SET OF the sender left unsorted (a multi-valued
        // RDN, attributes) and fail a good signature.
        let tbs = original_info(&der)
            .map_err(|e| Error::decode(source, format!("malformed certificate request: {e}")))?;
        let spki_der = req.info.public_key.to_der()?;
        let spki = spki::SubjectPublicKeyInfoRef::from_der(&spki_der)?;
        let alg_der = req.algorithm.to_der()?;
        let alg = spki::AlgorithmIdentifierRef::from_der(&alg_der)?;
        let signature = req
            .signature
            .as_bytes()
            .ok_or_else(|| Error::decode(source, "signature is not a whole number of bytes"))?;
        verify_signature(&spki, &alg, &tbs, signature)
            .map_err(|why| Error::decode(source, format!("CSR signature check failed: {why}")))?;
        Ok(VerifiedCsr { req, der })
    }

    /// The CSR in PEM, as cfssl echoes it.
    pub fn to_pem(&self) -> String {
        pem_encode("CERTIFICATE REQUEST", &self.der)
    }

    /// The subject exactly as the CSR encodes it.
    pub fn subject(&self) -> &Name {
        &self.req.info.subject
    }

    /// The subject public key.
    pub fn public_key(&self) -> &SubjectPublicKeyInfoOwned {
        &self.req.info.public_key
    }

    /// The extensions the CSR asks for (PKCS#9 extensionRequest).
    pub fn requested_extensions(&self) -> Result<Vec<Extension>> {
        let mut out = Vec::new();
        for attr in self.req.info.attributes.iter() {
            if attr.oid == const_oid::db::rfc5912::ID_EXTENSION_REQ
                || attr.oid == const_oid::db::rfc2985::PKCS_9_AT_EXTENSION_REQUEST
            {
                for value in attr.values.iter() {
                    let exts: Vec<Extension> = value.decode_as().map_err(|e| {
                        Error::decode("CSR", format!("malformed extension request: {e}"))
                    })?;
                    out.extend(exts);
                }
            }
        }
        Ok(out)
    }

    /// The SANs the CSR asks for, typed.
    pub fn sans(&self) -> Result<Vec<San>> {
        let mut out = Vec::new();
        for ext in self.requested_extensions()? {
            if ext.extn_id == rfc5912::ID_CE_SUBJECT_ALT_NAME {
                let san = SubjectAltName::from_der(ext.extn_value.as_bytes())
                    .map_err(|e| Error::decode("CSR", format!("malformed subjectAltName: {e}")))?;
                out.extend(san.0.iter().filter_map(san_from_general_name));
            }
        }
        Ok(out)
    }

    /// Whether the CSR asks to be a CA (BasicConstraints CA:TRUE), and with
    /// which path length.
    pub fn requested_ca(&self) -> Result<Option<BasicConstraints>> {
        for ext in self.requested_extensions()? {
            if ext.extn_id == rfc5912::ID_CE_BASIC_CONSTRAINTS {
                let bc = BasicConstraints::from_der(ext.extn_value.as_bytes()).map_err(|e| {
                    Error::decode("CSR", format!("malformed basicConstraints: {e}"))
                })?;
                return Ok(bc.ca.then_some(bc));
            }
        }
        Ok(None)
    }
}

/// The extensions a CSR requests, in order, as Go lists them in
/// `Extensions`; unlike [`VerifiedCsr::requested_extensions`] a malformed
/// request is skipped, not refused, since describing a CSR must not fail
/// on what it describes.
pub(crate) fn requested_extensions_skipping_malformed(req: &CertReq) -> Vec<Extension> {
    let mut exts = Vec::new();
    for attr in req
        .info
        .attributes
        .iter()
        .filter(|a| a.oid == rfc5912::ID_EXTENSION_REQ)
    {
        for value in attr.values.iter() {
            if let Ok(list) = value.decode_as::<Vec<Extension>>() {
                exts.extend(list);
            }
        }
    }
    exts
}

/// Whether `input` holds a PEM block: `-----BEGIN ` at the start of a
/// line, after any text (not binary DER, which starts with 0x30).
fn has_pem_block(input: &[u8]) -> bool {
    input.first() != Some(&0x30)
        && input
            .split(|&b| b == b'\n')
            .any(|line| line.trim_ascii_start().starts_with(b"-----BEGIN "))
}

/// The DER of the CertificationRequestInfo exactly as it appears in the
/// request (the first element of the outer SEQUENCE).
fn original_info(der: &[u8]) -> der::Result<Vec<u8>> {
    use der::Reader;
    let outer = der::asn1::AnyRef::from_der(der)?;
    let mut body = der::SliceReader::new(outer.value())?;
    let info: der::asn1::AnyRef = body.decode()?;
    info.to_der()
}

/// SHA-1 collisions are practical, so a SHA-1 signature proves little
/// about who made the request.
fn refuse_sha1(algorithm: &spki::ObjectIdentifier, source: &str) -> Result<()> {
    const SHA1_SIGNATURES: [spki::ObjectIdentifier; 3] = [
        rfc5912::SHA_1_WITH_RSA_ENCRYPTION,
        spki::ObjectIdentifier::new_unwrap("1.2.840.10045.4.1"), // ecdsa-with-SHA1
        rfc5912::DSA_WITH_SHA_1,
    ];
    if SHA1_SIGNATURES.contains(algorithm) {
        return Err(Error::Refused(format!(
            "{source}: the CSR is signed with SHA-1 ({algorithm}); re-create it with SHA-256 or pass --allow-sha1"
        )));
    }
    Ok(())
}

/// A SAN as certkit types it; other GeneralName kinds are skipped.
pub fn san_from_general_name(name: &GeneralName) -> Option<San> {
    match name {
        GeneralName::DnsName(d) => Some(San::Dns(d.to_string())),
        GeneralName::Rfc822Name(e) => Some(San::Email(e.to_string())),
        GeneralName::UniformResourceIdentifier(u) => Some(San::Uri(u.to_string())),
        GeneralName::IpAddress(bytes) => match bytes.as_bytes().len() {
            4 => <[u8; 4]>::try_from(bytes.as_bytes())
                .ok()
                .map(|b| San::Ip(IpAddr::from(b))),
            16 => <[u8; 16]>::try_from(bytes.as_bytes())
                .ok()
                .map(|b| San::Ip(IpAddr::from(b))),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyPair;
    use crate::request::KeySpec;

    fn request() -> Request {
        Request {
            cn: "my-pod".into(),
            hosts: vec![
                "my-svc.example".into(),
                "192.0.2.24".into(),
                "spiffe://c/ns/x".into(),
            ],
            key: KeySpec::Ecdsa(256),
            ..Default::default()
        }
    }

    #[test]
    fn built_csr_verifies_and_keeps_sans() {
        let key = KeyPair::generate(KeySpec::Ecdsa(256)).unwrap();
        let pem = build(&request(), &key).unwrap();
        let csr = VerifiedCsr::parse(pem.as_bytes(), "test").unwrap();
        let sans = csr.sans().unwrap();
        assert_eq!(sans.len(), 3);
        assert_eq!(sans[0], San::Dns("my-svc.example".into()));
        assert!(matches!(sans[1], San::Ip(_)));
        assert!(matches!(sans[2], San::Uri(_)));
        assert!(csr.requested_ca().unwrap().is_none());
        assert!(key.matches(&csr.public_key().to_der().unwrap()).unwrap());
    }

    #[test]
    fn a_csr_built_here_is_one_that_verifies() {
        for spec in [KeySpec::Ecdsa(256), KeySpec::Rsa(2048), KeySpec::Ed25519] {
            let key = KeyPair::generate(spec).unwrap();
            let built = VerifiedCsr::built(&request(), &key).unwrap();
            let parsed = VerifiedCsr::parse(built.to_pem().as_bytes(), "built").unwrap();
            assert_eq!(parsed.to_pem(), built.to_pem());
            assert_eq!(parsed.sans().unwrap(), built.sans().unwrap());
        }
    }

    #[test]
    fn tampered_csr_is_refused() {
        let key = KeyPair::generate(KeySpec::Ecdsa(256)).unwrap();
        let pem = build(&request(), &key).unwrap();
        let block = pem::parse(pem.as_bytes()).unwrap();
        let mut der = block.contents().to_vec();
        let pos = der.windows(6).position(|w| w == b"my-pod").unwrap();
        der[pos] = b'M';
        let err = VerifiedCsr::parse(&der, "tampered.csr")
            .unwrap_err()
            .to_string();
        assert!(err.contains("signature"), "{err}");
    }

    #[test]
    fn garbage_is_refused() {
        assert!(VerifiedCsr::parse(b"", "x").is_err());
        assert!(VerifiedCsr::parse(b"hello", "x").is_err());
        assert!(VerifiedCsr::parse(b"\x30\x82\xff", "x").is_err());
        let wrong = pem_encode("CERTIFICATE", b"\x30\x00");
        assert!(VerifiedCsr::parse(wrong.as_bytes(), "x").is_err());
    }

    #[test]
    fn sha1_csr_is_refused_unless_allowed() {
        let pem = include_bytes!("../../../../fixtures/bad_input/sha1.csr");
        let err = VerifiedCsr::parse(pem, "sha1.csr").unwrap_err().to_string();
        assert!(
            err.contains("sha1.csr") && err.contains("--allow-sha1"),
            "{err}"
        );
        VerifiedCsr::parse_allowing_sha1(pem, "sha1.csr", true).unwrap();
    }

    #[test]
    fn small_rsa_csr_is_refused() {
        let pem = include_bytes!("../../../../fixtures/bad_input/rsa1024.csr");
        let err = VerifiedCsr::parse(pem, "small.csr")
            .unwrap_err()
            .to_string();
        assert!(err.contains("1024 bits is too small"), "{err}");
    }

    /// A DER TLV, for building a request a DER encoder would not make.
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        match body.len() {
            n if n < 0x80 => out.push(n as u8),
            n if n < 0x100 => out.extend([0x81, n as u8]),
            n => out.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn unsorted_set_of_verifies_over_the_bytes_as_sent() {
        let key = KeyPair::generate(KeySpec::Ecdsa(256)).unwrap();
        let atv = |oid: &[u8], value: &str| {
            tlv(
                0x30,
                &[tlv(0x06, oid), tlv(0x0c, value.as_bytes())].concat(),
            )
        };
        // DER sorts the shorter O=a first; this RDN has CN first.
        let rdn = tlv(
            0x31,
            &[
                atv(&[0x55, 4, 3], "long.example.com"),
                atv(&[0x55, 4, 10], "a"),
            ]
            .concat(),
        );
        let name = tlv(0x30, &rdn);
        let info = tlv(
            0x30,
            &[
                tlv(0x02, &[0]),
                name,
                key.public_key_der().unwrap(),
                tlv(0xa0, &[]),
            ]
            .concat(),
        );
        let signature = key.sign(&info).unwrap();
        let mut bits = vec![0u8];
        bits.extend(signature);
        let csr = tlv(
            0x30,
            &[
                info,
                key.signature_algorithm().to_der().unwrap(),
                tlv(0x03, &bits),
            ]
            .concat(),
        );
        let pem_text = format!(
            "Certificate Request:\n    Data: printed by openssl req -text\n{}",
            pem_encode("CERTIFICATE REQUEST", &csr)
        );
        let parsed = VerifiedCsr::parse(pem_text.as_bytes(), "t").unwrap();
        assert_eq!(
            crate::request::name::common_name(parsed.subject()),
            "long.example.com"
        );
    }
}
