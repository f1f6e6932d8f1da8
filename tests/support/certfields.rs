//! A certificate reduced to the fields the differential tests compare,
//! read with x509-parser: subject in order (flattened, so one value per
//! RDN and cfssl's multi-valued RDNs compare alike), SANs by type,
//! KeyUsage, EKU, BasicConstraints, SKI/AKI, AIA, CDP, policies, OCSP
//! no-check, the extension list with criticality, validity length and
//! signature algorithm.

use std::collections::BTreeSet;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::prelude::*;

/// KeyUsage bit for keyEncipherment (x509-parser's flag layout).
pub const KEY_ENCIPHERMENT: u16 = 1 << 2;

/// A policy OID and its qualifiers as (qualifier OID, qualifier DER).
pub type Policy = (String, Vec<(String, Vec<u8>)>);

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CertFields {
    /// The subject as runs of one attribute type, in order, with the
    /// values of a run sorted: cfssl's multi-valued RDN is a DER SET, which
    /// sorts its values, so only certkit keeps request order inside a run.
    pub subject: Vec<(String, Vec<String>)>,
    pub dns: BTreeSet<String>,
    pub ip: BTreeSet<String>,
    pub email: BTreeSet<String>,
    pub uri: BTreeSet<String>,
    pub key_usage: u16,
    pub ext_key_usage: BTreeSet<String>,
    /// (CA, pathlen).
    pub basic_constraints: Option<(bool, Option<u32>)>,
    pub has_ski: bool,
    pub has_aki: bool,
    /// (access method OID, URI) in order.
    pub aia: Vec<(String, String)>,
    pub cdp: Vec<String>,
    pub policies: Vec<Policy>,
    pub ocsp_no_check: bool,
    /// (extension OID, critical) in certificate order.
    pub extensions: Vec<(String, bool)>,
    pub validity_secs: i64,
    pub signature_algorithm: String,
}

/// Facts kept aside from the comparison, for the tests' own assertions.
#[derive(Debug, Clone)]
pub struct Extra {
    /// Number of attributes in each RDN.
    pub rdn_sizes: Vec<usize>,
    /// (attribute OID, value) exactly in certificate order.
    pub subject_in_order: Vec<(String, String)>,
    pub subject_is_rsa: bool,
    pub ski: Vec<u8>,
    pub aki: Vec<u8>,
}

fn general_name(name: &GeneralName, f: &mut CertFields) {
    match name {
        GeneralName::DNSName(d) => {
            f.dns.insert(d.to_string());
        }
        GeneralName::RFC822Name(e) => {
            f.email.insert(e.to_string());
        }
        GeneralName::URI(u) => {
            f.uri.insert(u.to_string());
        }
        GeneralName::IPAddress(bytes) => {
            let ip = match bytes.len() {
                4 => <[u8; 4]>::try_from(*bytes).map(std::net::IpAddr::from).ok(),
                16 => <[u8; 16]>::try_from(*bytes)
                    .map(std::net::IpAddr::from)
                    .ok(),
                _ => None,
            };
            f.ip.insert(
                ip.map(|i| i.to_string())
                    .unwrap_or_else(|| format!("{bytes:?}")),
            );
        }
        other => panic!("unexpected general name {other:?}"),
    }
}

fn uri_of(name: &GeneralName) -> String {
    match name {
        GeneralName::URI(u) => u.to_string(),
        other => panic!("expected a URI, found {other:?}"),
    }
}

/// Reads the fields from a PEM certificate.
pub fn read(pem_text: &str) -> (CertFields, Extra) {
    let block = ::pem::parse(pem_text.as_bytes()).expect("certificate PEM");
    let (rest, cert) = X509Certificate::from_der(block.contents()).expect("certificate DER");
    assert!(rest.is_empty(), "trailing bytes after the certificate");
    let mut f = CertFields::default();
    let mut extra = Extra {
        rdn_sizes: Vec::new(),
        subject_in_order: Vec::new(),
        subject_is_rsa: cert.public_key().algorithm.algorithm.to_id_string()
            == "1.2.840.113549.1.1.1",
        ski: Vec::new(),
        aki: Vec::new(),
    };
    for rdn in cert.subject().iter_rdn() {
        extra.rdn_sizes.push(rdn.iter().count());
        for atv in rdn.iter() {
            let value = atv.as_str().expect("string attribute").to_string();
            let oid = atv.attr_type().to_id_string();
            extra.subject_in_order.push((oid.clone(), value.clone()));
            match f.subject.last_mut() {
                Some((last, values)) if *last == oid => {
                    values.push(value);
                    values.sort();
                }
                _ => f.subject.push((oid, vec![value])),
            }
        }
    }
    for ext in cert.extensions() {
        f.extensions.push((ext.oid.to_id_string(), ext.critical));
        match ext.parsed_extension() {
            ParsedExtension::KeyUsage(ku) => f.key_usage = ku.flags,
            ParsedExtension::ExtendedKeyUsage(eku) => {
                let known = [
                    (eku.any, "2.5.29.37.0"),
                    (eku.server_auth, "1.3.6.1.5.5.7.3.1"),
                    (eku.client_auth, "1.3.6.1.5.5.7.3.2"),
                    (eku.code_signing, "1.3.6.1.5.5.7.3.3"),
                    (eku.email_protection, "1.3.6.1.5.5.7.3.4"),
                    (eku.time_stamping, "1.3.6.1.5.5.7.3.8"),
                    (eku.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
                ];
                f.ext_key_usage.extend(
                    known
                        .iter()
                        .filter(|(on, _)| *on)
                        .map(|(_, oid)| oid.to_string()),
                );
                f.ext_key_usage
                    .extend(eku.other.iter().map(|o| o.to_id_string()));
            }
            ParsedExtension::BasicConstraints(bc) => {
                f.basic_constraints = Some((bc.ca, bc.path_len_constraint))
            }
            ParsedExtension::SubjectKeyIdentifier(id) => {
                f.has_ski = true;
                extra.ski = id.0.to_vec();
            }
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                f.has_aki = true;
                extra.aki = aki
                    .key_identifier
                    .as_ref()
                    .map(|k| k.0.to_vec())
                    .unwrap_or_default();
            }
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for ad in &aia.accessdescs {
                    f.aia
                        .push((ad.access_method.to_id_string(), uri_of(&ad.access_location)));
                }
            }
            ParsedExtension::SubjectAlternativeName(san) => {
                for name in &san.general_names {
                    general_name(name, &mut f);
                }
            }
            ParsedExtension::CRLDistributionPoints(cdp) => {
                for point in cdp.iter() {
                    match &point.distribution_point {
                        Some(DistributionPointName::FullName(names)) => {
                            f.cdp.extend(names.iter().map(uri_of))
                        }
                        other => panic!("unexpected distribution point {other:?}"),
                    }
                }
            }
            ParsedExtension::CertificatePolicies(policies) => {
                for p in policies.iter() {
                    let qualifiers = p
                        .policy_qualifiers
                        .iter()
                        .flatten()
                        .map(|q| (q.policy_qualifier_id.to_id_string(), q.qualifier.to_vec()))
                        .collect();
                    f.policies.push((p.policy_id.to_id_string(), qualifiers));
                }
            }
            ParsedExtension::UnsupportedExtension { .. }
                if ext.oid.to_id_string() == "1.3.6.1.5.5.7.48.1.5" =>
            {
                assert_eq!(ext.value, &[0x05, 0x00], "ocsp-nocheck must be NULL");
                f.ocsp_no_check = true;
            }
            other => panic!("unexpected extension {}: {other:?}", ext.oid),
        }
    }
    let v = cert.validity();
    f.validity_secs = v.not_after.timestamp() - v.not_before.timestamp();
    f.signature_algorithm = cert.signature_algorithm.algorithm.to_id_string();
    (f, extra)
}
