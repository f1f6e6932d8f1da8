//! `certinfo`: certificates and CSRs described as JSON, cfssl's fields
//! first (subject, issuer, serial_number, sans, not_before, not_after,
//! sigalg, authority_key_id, subject_key_id, pem) and then everything
//! else a reader wants: typed SANs, key usages, EKUs, basic constraints,
//! AIA, CRL distribution points, fingerprints, the public key.

use crate::chain::certs::{colon_hex, key_kind, rfc3339, signature_name, Cert, KeyKind};
use crate::csr::requested_extensions_skipping_malformed;
use crate::error::{Error, Result};
use crate::keys::{pem_encode, verify_legacy_signature};
use crate::policy::{usage_vocabulary, Usage};
use const_oid::db::rfc5912;
use der::{Decode, Encode};
use serde_json::{json, Map, Value};
use std::net::IpAddr;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    BasicConstraints, CrlDistributionPoints, ExtendedKeyUsage, KeyUsage, SubjectAltName,
};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::request::CertReq;

/// cfssl's description of a name: the usual attributes joined by commas,
/// and every value in order under `names`.
pub fn describe_name(name: &Name) -> Value {
    let mut out = Map::new();
    let fields = [
        ("common_name", const_oid::db::rfc4519::CN),
        ("serial_number", const_oid::db::rfc4519::SERIAL_NUMBER),
        ("country", const_oid::db::rfc4519::C),
        ("organization", const_oid::db::rfc4519::O),
        ("organizational_unit", const_oid::db::rfc4519::OU),
        ("locality", const_oid::db::rfc4519::L),
        ("province", const_oid::db::rfc4519::ST),
        ("street_address", const_oid::db::rfc4519::STREET),
        ("postal_code", const_oid::db::rfc4519::POSTAL_CODE),
    ];
    for (field, oid) in fields {
        let values: Vec<String> = name
            .iter()
            .filter(|a| a.oid == oid)
            .map(crate::request::name::atv_string)
            .collect();
        if !values.is_empty() {
            out.insert(field.into(), json!(values.join(",")));
        }
    }
    let names: Vec<String> = name.iter().map(crate::request::name::atv_string).collect();
    if !names.is_empty() {
        out.insert("names".into(), json!(names));
    }
    Value::Object(out)
}

pub(crate) fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes)
            .map(|b| IpAddr::from(b).to_string())
            .unwrap_or_default(),
        16 => <[u8; 16]>::try_from(bytes)
            .map(|b| IpAddr::from(b).to_string())
            .unwrap_or_default(),
        _ => colon_hex(bytes),
    }
}

/// Every SAN with its type.
fn typed_sans(names: &[GeneralName]) -> Vec<Value> {
    names
        .iter()
        .map(|n| match n {
            GeneralName::DnsName(d) => json!({"type": "dns", "value": d.to_string()}),
            GeneralName::IpAddress(ip) => json!({"type": "ip", "value": ip_text(ip.as_bytes())}),
            GeneralName::Rfc822Name(e) => json!({"type": "email", "value": e.to_string()}),
            GeneralName::UniformResourceIdentifier(u) => {
                json!({"type": "uri", "value": u.to_string()})
            }
            GeneralName::DirectoryName(d) => {
                json!({"type": "directory", "value": crate::request::name::to_slash_string(d)})
            }
            GeneralName::RegisteredId(oid) => {
                json!({"type": "registered_id", "value": oid.to_string()})
            }
            GeneralName::OtherName(o) => json!({"type": "other", "oid": o.type_id.to_string(),
                "value": colon_hex(o.value.value())}),
            GeneralName::EdiPartyName(_) => json!({"type": "edi_party"}),
        })
        .collect()
}

/// cfssl's `sans`: DNS names, then IP addresses.
fn cfssl_sans(names: &[GeneralName]) -> Vec<String> {
    let dns = names.iter().filter_map(|n| match n {
        GeneralName::DnsName(d) => Some(d.to_string()),
        _ => None,
    });
    let ips = names.iter().filter_map(|n| match n {
        GeneralName::IpAddress(ip) => Some(ip_text(ip.as_bytes())),
        _ => None,
    });
    dns.chain(ips).collect()
}

fn usage_names(ku: &KeyUsage) -> Vec<&'static str> {
    let mut out = Vec::new();
    for (name, usage) in usage_vocabulary() {
        if let Usage::Key(flag) = usage {
            if name != "signing" && ku.0.contains(flag) {
                out.push(name);
            }
        }
    }
    out
}

fn eku_names(eku: &ExtendedKeyUsage) -> Vec<String> {
    eku.0
        .iter()
        .map(|oid| {
            usage_vocabulary()
                .into_iter()
                .find(|(name, u)| *name != "s/mime" && matches!(u, Usage::Ext(o) if o == oid))
                .map_or_else(|| oid.to_string(), |(name, _)| name.to_string())
        })
        .collect()
}

fn distribution_point_uris(dp: &DistributionPoint) -> Vec<String> {
    match &dp.distribution_point {
        Some(DistributionPointName::FullName(names)) => names
            .iter()
            .filter_map(|n| match n {
                GeneralName::UniformResourceIdentifier(u) => Some(u.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Decodes one extension's value when it is one certinfo explains.
fn decode_ext<'a, T: Decode<'a>>(ext: &'a Extension) -> Option<T> {
    T::from_der(ext.extn_value.as_bytes()).ok()
}

/// The extension-derived fields shared by certificates and CSRs.
fn describe_extensions(exts: &[Extension], out: &mut Map<String, Value>) {
    let mut listed = Vec::new();
    for ext in exts {
        let name = const_oid::db::DB.by_oid(&ext.extn_id).unwrap_or("");
        listed
            .push(json!({"oid": ext.extn_id.to_string(), "name": name, "critical": ext.critical}));
        match ext.extn_id {
            rfc5912::ID_CE_SUBJECT_ALT_NAME => {
                if let Some(san) = decode_ext::<SubjectAltName>(ext) {
                    out.insert("san_entries".into(), json!(typed_sans(&san.0)));
                }
            }
            rfc5912::ID_CE_KEY_USAGE => {
                if let Some(ku) = decode_ext::<KeyUsage>(ext) {
                    out.insert("key_usages".into(), json!(usage_names(&ku)));
                }
            }
            rfc5912::ID_CE_EXT_KEY_USAGE => {
                if let Some(eku) = decode_ext::<ExtendedKeyUsage>(ext) {
                    out.insert("extended_key_usages".into(), json!(eku_names(&eku)));
                }
            }
            rfc5912::ID_CE_BASIC_CONSTRAINTS => {
                if let Some(bc) = decode_ext::<BasicConstraints>(ext) {
                    out.insert(
                        "basic_constraints".into(),
                        json!({"ca": bc.ca, "path_len": bc.path_len_constraint}),
                    );
                }
            }
            rfc5912::ID_PE_AUTHORITY_INFO_ACCESS => {
                if let Some(aia) =
                    decode_ext::<x509_cert::ext::pkix::AuthorityInfoAccessSyntax>(ext)
                {
                    let uris = |method| -> Vec<String> {
                        aia.0
                            .iter()
                            .filter(|d| d.access_method == method)
                            .filter_map(|d| match &d.access_location {
                                GeneralName::UniformResourceIdentifier(u) => Some(u.to_string()),
                                _ => None,
                            })
                            .collect()
                    };
                    out.insert(
                        "authority_info_access".into(),
                        json!({"ocsp": uris(rfc5912::ID_AD_OCSP), "ca_issuers": uris(rfc5912::ID_AD_CA_ISSUERS)}),
                    );
                }
            }
            rfc5912::ID_CE_CRL_DISTRIBUTION_POINTS => {
                if let Some(cdp) = decode_ext::<CrlDistributionPoints>(ext) {
                    let uris: Vec<String> =
                        cdp.0.iter().flat_map(distribution_point_uris).collect();
                    out.insert("crl_distribution_points".into(), json!(uris));
                }
            }
            _ => {}
        }
    }
    out.insert("extensions".into(), json!(listed));
}

fn describe_key(spki: &spki::SubjectPublicKeyInfoOwned) -> Value {
    let kind = key_kind(spki);
    match kind {
        KeyKind::Rsa(bits) => json!({"algorithm": "rsa", "size": bits}),
        KeyKind::Ecdsa(bits) => json!({"algorithm": "ecdsa", "size": bits}),
        KeyKind::Ed25519 => json!({"algorithm": "ed25519", "size": 256}),
        KeyKind::Other => json!({"algorithm": spki.algorithm.oid.to_string()}),
    }
}

fn fingerprint(alg: &'static aws_lc_rs::digest::Algorithm, der: &[u8]) -> String {
    colon_hex(aws_lc_rs::digest::digest(alg, der).as_ref())
}

/// A certificate's description: cfssl's certinfo fields plus the rest.
pub fn describe_certificate(der: &[u8]) -> Result<Value> {
    let cert = Cert::from_der(der).map_err(|e| Error::decode("certificate", e))?;
    let tbs = cert.cert.tbs_certificate();
    let serial = cert.serial_decimal();
    let aki = colon_hex(&cert.authority_key_id());
    let mut out = Map::new();
    out.insert("subject".into(), describe_name(tbs.subject()));
    out.insert("issuer".into(), describe_name(tbs.issuer()));
    out.insert("serial_number".into(), json!(serial));
    let sans = cert.sans();
    let cfssl = cfssl_sans(&sans);
    if !cfssl.is_empty() {
        out.insert("sans".into(), json!(cfssl));
    }
    out.insert("not_before".into(), json!(rfc3339(cert.not_before())));
    out.insert("not_after".into(), json!(rfc3339(cert.not_after())));
    out.insert("sigalg".into(), json!(cert.signature_name()));
    out.insert("authority_key_id".into(), json!(aki));
    out.insert(
        "subject_key_id".into(),
        json!(colon_hex(&cert.subject_key_id())),
    );
    out.insert("pem".into(), json!(cert.pem()));
    out.insert("version".into(), json!(tbs.version() as u8 + 1));
    out.insert(
        "public_key".into(),
        describe_key(tbs.subject_public_key_info()),
    );
    out.insert("self_signed".into(), json!(cert.is_self_signed()));
    out.insert(
        "fingerprints".into(),
        json!({
            "sha256": fingerprint(&aws_lc_rs::digest::SHA256, der),
            "sha1": fingerprint(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, der),
        }),
    );
    describe_extensions(
        tbs.extensions().map(|e| e.as_slice()).unwrap_or_default(),
        &mut out,
    );
    Ok(Value::Object(out))
}

/// A CSR's description: subject, SANs, key, requested extensions, and
/// whether its self-signature verifies.
pub fn describe_csr(der: &[u8]) -> Result<Value> {
    let req =
        CertReq::from_der(der).map_err(|e| Error::decode("CSR", format!("invalid CSR: {e}")))?;
    let mut out = Map::new();
    out.insert("subject".into(), describe_name(&req.info.subject));
    out.insert("public_key".into(), describe_key(&req.info.public_key));
    out.insert("sigalg".into(), json!(signature_name(&req.algorithm.oid)));
    let signature_valid = (|| -> Option<()> {
        let info = req.info.to_der().ok()?;
        let spki_der = req.info.public_key.to_der().ok()?;
        let alg_der = req.algorithm.to_der().ok()?;
        let spki = spki::SubjectPublicKeyInfoRef::from_der(&spki_der).ok()?;
        let alg = spki::AlgorithmIdentifierRef::from_der(&alg_der).ok()?;
        verify_legacy_signature(&spki, &alg, &info, req.signature.raw_bytes()).ok()
    })()
    .is_some();
    out.insert("signature_valid".into(), json!(signature_valid));
    let exts = requested_extensions_skipping_malformed(&req);
    let sans: Vec<GeneralName> = exts
        .iter()
        .filter(|e| e.extn_id == rfc5912::ID_CE_SUBJECT_ALT_NAME)
        .filter_map(decode_ext::<SubjectAltName>)
        .flat_map(|s| s.0)
        .collect();
    out.insert("sans".into(), json!(cfssl_sans(&sans)));
    describe_extensions(&exts, &mut out);
    out.insert("pem".into(), json!(pem_encode("CERTIFICATE REQUEST", der)));
    Ok(Value::Object(out))
}

/// The DER of every CSR in `input` (PEM `CERTIFICATE REQUEST` blocks, or
/// one DER CSR).
pub fn csr_ders(input: &[u8], source: &str) -> Result<Vec<Vec<u8>>> {
    if !input.trim_ascii_start().starts_with(b"-----BEGIN") {
        return Ok(vec![input.to_vec()]);
    }
    let blocks =
        pem::parse_many(input).map_err(|e| Error::decode(source, format!("not PEM: {e}")))?;
    let ders: Vec<Vec<u8>> = blocks
        .into_iter()
        .filter(|b| b.tag().ends_with("CERTIFICATE REQUEST"))
        .map(|b| b.into_contents())
        .collect();
    if ders.is_empty() {
        return Err(Error::decode(
            source,
            "no CERTIFICATE REQUEST PEM block found",
        ));
    }
    Ok(ders)
}

/// Every certificate of an input (PEM, DER or PKCS#7) described: an
/// object for one certificate, as cfssl prints it, an array for several.
pub fn describe_certificates(input: &[u8], source: &str) -> Result<Value> {
    let certs = crate::chain::certs::parse_all(input).map_err(|e| Error::decode(source, e))?;
    let items = certs
        .iter()
        .map(|c| describe_certificate(&c.der))
        .collect::<Result<Vec<_>>>()?;
    Ok(collect(items))
}

/// Every CSR of an input described, as [`describe_certificates`] does.
pub fn describe_csrs(input: &[u8], source: &str) -> Result<Value> {
    let items = csr_ders(input, source)?
        .iter()
        .map(|d| describe_csr(d))
        .collect::<Result<Vec<_>>>()?;
    Ok(collect(items))
}

/// One description per item; a single item stays an object as cfssl
/// prints it, several become an array.
fn collect(items: Vec<Value>) -> Value {
    match <[Value; 1]>::try_from(items) {
        Ok([one]) => one,
        Err(items) => Value::Array(items),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../../fixtures/cfssl/bundler/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn certificate_has_cfssls_fields_and_more() {
        let certs = crate::chain::certs::parse_all(&fixture("inter-L2.pem")).unwrap();
        let info = describe_certificate(&certs[0].der).unwrap();
        assert_eq!(info["subject"]["common_name"], "cloudflare-inter.com");
        assert_eq!(info["issuer"]["organizational_unit"], "Systems Engineering");
        assert_eq!(info["sigalg"], "SHA512WithRSA");
        assert_eq!(
            info["subject_key_id"],
            "3D:DF:DC:58:86:98:E8:CA:29:20:EE:A5:74:AC:7B:F5:D2:E9:17:57"
        );
        assert_eq!(info["not_after"], "2028-06-15T08:00:00Z");
        assert_eq!(
            info["basic_constraints"],
            json!({"ca": true, "path_len": 1})
        );
        assert_eq!(
            info["key_usages"],
            json!(["digital signature", "key encipherment", "cert sign"])
        );
        assert_eq!(
            info["public_key"],
            json!({"algorithm": "ecdsa", "size": 384})
        );
        assert_eq!(
            info["fingerprints"]["sha256"].as_str().unwrap().len(),
            32 * 3 - 1
        );
    }

    #[test]
    fn csr_is_decoded() {
        let ders = csr_ders(&fixture("cfssl-leaf-ecdsa256.csr"), "csr").unwrap();
        let info = describe_csr(&ders[0]).unwrap();
        assert_eq!(info["subject"]["common_name"], "cloudflare-leaf.com");
        assert_eq!(info["signature_valid"], true);
        assert_eq!(info["public_key"]["algorithm"], "ecdsa");
        assert!(csr_ders(b"-----BEGIN X-----\nAA==\n-----END X-----\n", "x").is_err());
    }
}
