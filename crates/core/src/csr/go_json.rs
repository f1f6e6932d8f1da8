//! A CSR in the shape every cfssl release prints for `certinfo -csr`: Go's
//! `x509.CertificateRequest` marshalled to JSON (`Subject`, `DNSNames`,
//! `IPAddresses`, `EmailAddresses`, `URIs`, `PublicKeyAlgorithm`,
//! `SignatureAlgorithm`, `Extensions`, ...), with Go's meanings: algorithm
//! numbers from Go's enums, byte strings in base64, big integers as exact
//! JSON numbers, absent lists as `null`. Scripts read these keys.

use crate::chain::certinfo::{csr_ders, describe_csr, ip_text};
use crate::csr::requested_extensions_skipping_malformed;
use crate::error::{Error, Result};
use base64::Engine;
use const_oid::db::{rfc4519, rfc5912};
use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::request::CertReq;

/// Go's `x509.CertificateRequest` as `encoding/json` writes it, fields in
/// Go's order, and certkit's own description after them.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GoCertificateRequest {
    raw: String,
    #[serde(rename = "RawTBSCertificateRequest")]
    raw_tbs_certificate_request: String,
    raw_subject_public_key_info: String,
    raw_subject: String,
    version: u8,
    signature: String,
    signature_algorithm: u8,
    public_key_algorithm: u8,
    public_key: Option<GoPublicKey>,
    subject: Value,
    attributes: Vec<Value>,
    extensions: Vec<Value>,
    extra_extensions: Option<()>,
    #[serde(rename = "DNSNames")]
    dns_names: Option<Vec<String>>,
    email_addresses: Option<Vec<String>>,
    #[serde(rename = "IPAddresses")]
    ip_addresses: Option<Vec<String>>,
    #[serde(rename = "URIs")]
    uris: Option<Vec<Value>>,
    /// certkit's description (lower-case keys), after Go's.
    #[serde(flatten)]
    certkit: Map<String, Value>,
}

/// Go's public key types as JSON: RSA `{N, E}`, ECDSA `{Curve: {}, X, Y}`
/// (big integers as exact numbers), Ed25519 the key bytes in base64.
#[derive(Serialize)]
#[serde(untagged)]
enum GoPublicKey {
    Rsa {
        #[serde(rename = "N")]
        n: Box<RawValue>,
        #[serde(rename = "E")]
        e: Box<RawValue>,
    },
    Ecdsa {
        #[serde(rename = "Curve")]
        curve: Map<String, Value>,
        #[serde(rename = "X")]
        x: Box<RawValue>,
        #[serde(rename = "Y")]
        y: Box<RawValue>,
    },
    Ed25519(String),
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Go's `x509.SignatureAlgorithm` number for a signature algorithm.
fn go_signature_algorithm(alg: &spki::AlgorithmIdentifierOwned) -> u8 {
    const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
    const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
    const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
    match alg.oid.to_string().as_str() {
        "1.2.840.113549.1.1.2" => 1,
        "1.2.840.113549.1.1.4" => 2,
        "1.2.840.113549.1.1.5" => 3,
        "1.2.840.113549.1.1.11" => 4,
        "1.2.840.113549.1.1.12" => 5,
        "1.2.840.113549.1.1.13" => 6,
        "1.2.840.10040.4.3" => 7,
        "2.16.840.1.101.3.4.3.2" => 8,
        "1.2.840.10045.4.1" => 9,
        "1.2.840.10045.4.3.2" => 10,
        "1.2.840.10045.4.3.3" => 11,
        "1.2.840.10045.4.3.4" => 12,
        "1.2.840.113549.1.1.10" => {
            // RSASSA-PSS: Go tells the three apart by the hash parameter.
            let params = alg.parameters.as_ref().and_then(|p| p.to_der().ok());
            let hash = params.and_then(|der| {
                [(SHA256, 13), (SHA384, 14), (SHA512, 15)]
                    .into_iter()
                    .find(|(oid, _)| {
                        der.windows(oid.as_bytes().len())
                            .any(|w| w == oid.as_bytes())
                    })
            });
            hash.map_or(0, |(_, n)| n)
        }
        "1.3.101.112" => 16,
        _ => 0,
    }
}

/// A big-endian unsigned integer as an exact JSON number. Keys beyond
/// 16384 bits are not rendered (the decimal conversion is quadratic).
fn big_number(bytes: &[u8]) -> Result<Box<RawValue>> {
    let digits = if bytes.len() > 2048 {
        "null".to_string()
    } else {
        crate::serial::decimal_serial(bytes)
    };
    RawValue::from_string(digits).map_err(|e| Error::Encoding(e.to_string()))
}

fn go_public_key(spki: &spki::SubjectPublicKeyInfoOwned) -> Result<(u8, Option<GoPublicKey>)> {
    let bits = spki.subject_public_key.raw_bytes();
    Ok(match spki.algorithm.oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" => {
            let key = pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(bits).ok();
            let key = match key {
                Some(k) => Some(GoPublicKey::Rsa {
                    n: big_number(k.modulus.as_bytes())?,
                    e: big_number(k.public_exponent.as_bytes())?,
                }),
                None => None,
            };
            (1, key)
        }
        "1.2.840.10040.4.1" => (2, None),
        "1.2.840.10045.2.1" => {
            let key = match bits.split_first() {
                Some((4, xy)) if xy.len() % 2 == 0 && !xy.is_empty() => {
                    let (x, y) = xy.split_at(xy.len() / 2);
                    Some(GoPublicKey::Ecdsa {
                        curve: Map::new(),
                        x: big_number(x)?,
                        y: big_number(y)?,
                    })
                }
                _ => None,
            };
            (3, key)
        }
        "1.3.101.112" => (4, Some(GoPublicKey::Ed25519(b64(bits)))),
        _ => (0, None),
    })
}

/// An OID as Go's `asn1.ObjectIdentifier` marshals: an array of numbers.
fn oid_array(oid: &ObjectIdentifier) -> Value {
    Value::Array(oid.arcs().map(Value::from).collect())
}

/// Go's `pkix.Name`: the known attributes in their fields, every
/// attribute in order under `Names`.
fn go_name(name: &Name) -> Value {
    let text = crate::request::name::atv_string;
    let list = |oid: ObjectIdentifier| {
        let values: Vec<String> = name.iter().filter(|a| a.oid == oid).map(text).collect();
        if values.is_empty() {
            Value::Null
        } else {
            Value::from(values)
        }
    };
    let last = |oid: ObjectIdentifier| {
        Value::from(
            name.iter()
                .filter(|a| a.oid == oid)
                .map(text)
                .last()
                .unwrap_or_default(),
        )
    };
    let names: Vec<Value> = name
        .iter()
        .map(|a| serde_json::json!({"Type": oid_array(&a.oid), "Value": text(a)}))
        .collect();
    serde_json::json!({
        "Country": list(rfc4519::C),
        "Organization": list(rfc4519::O),
        "OrganizationalUnit": list(rfc4519::OU),
        "Locality": list(rfc4519::L),
        "Province": list(rfc4519::ST),
        "StreetAddress": list(rfc4519::STREET),
        "PostalCode": list(rfc4519::POSTAL_CODE),
        "SerialNumber": last(rfc4519::SERIAL_NUMBER),
        "CommonName": last(rfc4519::CN),
        "Names": names,
        "ExtraNames": Value::Null,
    })
}

/// Go's (deprecated) `Attributes`: the extension request as
/// `[[{Type, Value}]]`, where Value is the field after the OID (`true`
/// for a critical extension, else the value's bytes in base64).
fn go_attributes(exts: &[Extension]) -> Vec<Value> {
    if exts.is_empty() {
        return Vec::new();
    }
    let values: Vec<Value> = exts
        .iter()
        .map(|e| {
            let value = if e.critical {
                Value::Bool(true)
            } else {
                Value::from(b64(e.extn_value.as_bytes()))
            };
            serde_json::json!({"Type": oid_array(&e.extn_id), "Value": value})
        })
        .collect();
    vec![serde_json::json!({
        "Type": oid_array(&rfc5912::ID_EXTENSION_REQ),
        "Value": [values],
    })]
}

/// Go's `url.URL` for a URI SAN.
fn go_url(uri: &str) -> Value {
    let Ok(u) = url::Url::parse(uri) else {
        return serde_json::json!({"Scheme": "", "Opaque": "", "User": null, "Host": "",
            "Path": uri, "RawPath": "", "OmitHost": false, "ForceQuery": false,
            "RawQuery": "", "Fragment": "", "RawFragment": ""});
    };
    let (opaque, host, path) = if u.cannot_be_a_base() {
        (u.path().to_string(), String::new(), String::new())
    } else {
        let host = match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => String::new(),
        };
        (String::new(), host, u.path().to_string())
    };
    let user = (!u.username().is_empty() || u.password().is_some()).then(Map::new);
    serde_json::json!({
        "Scheme": u.scheme(),
        "Opaque": opaque,
        "User": user,
        "Host": host,
        "Path": path,
        "RawPath": "",
        "OmitHost": false,
        "ForceQuery": u.query() == Some(""),
        "RawQuery": u.query().unwrap_or_default(),
        "Fragment": u.fragment().unwrap_or_default(),
        "RawFragment": "",
    })
}

fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

/// A CSR (DER) in Go's shape, with certkit's description (`certkit`)
/// flattened after Go's keys.
pub fn describe_csr_go(der: &[u8], certkit: Map<String, Value>) -> Result<GoCertificateRequest> {
    let req =
        CertReq::from_der(der).map_err(|e| Error::decode("CSR", format!("invalid CSR: {e}")))?;
    let enc = |r: der::Result<Vec<u8>>| r.map_err(|e| Error::Encoding(e.to_string()));
    let exts = requested_extensions_skipping_malformed(&req);
    let sans: Vec<GeneralName> = exts
        .iter()
        .filter(|e| e.extn_id == rfc5912::ID_CE_SUBJECT_ALT_NAME)
        .filter_map(|e| SubjectAltName::from_der(e.extn_value.as_bytes()).ok())
        .flat_map(|s| s.0)
        .collect();
    let (mut dns, mut emails, mut ips, mut uris) = (vec![], vec![], vec![], vec![]);
    for san in &sans {
        match san {
            GeneralName::DnsName(n) => dns.push(n.to_string()),
            GeneralName::Rfc822Name(n) => emails.push(n.to_string()),
            GeneralName::UniformResourceIdentifier(u) => uris.push(go_url(u.as_str())),
            GeneralName::IpAddress(ip) => ips.push(ip_text(ip.as_bytes())),
            _ => {}
        }
    }
    let (public_key_algorithm, public_key) = go_public_key(&req.info.public_key)?;
    Ok(GoCertificateRequest {
        raw: b64(der),
        raw_tbs_certificate_request: b64(&enc(req.info.to_der())?),
        raw_subject_public_key_info: b64(&enc(req.info.public_key.to_der())?),
        raw_subject: b64(&enc(req.info.subject.to_der())?),
        version: 0,
        signature: b64(req.signature.raw_bytes()),
        signature_algorithm: go_signature_algorithm(&req.algorithm),
        public_key_algorithm,
        public_key,
        subject: go_name(&req.info.subject),
        attributes: go_attributes(&exts),
        extensions: exts
            .iter()
            .map(|e| {
                serde_json::json!({"Id": oid_array(&e.extn_id), "Critical": e.critical,
                    "Value": b64(e.extn_value.as_bytes())})
            })
            .collect(),
        extra_extensions: None,
        dns_names: non_empty(dns),
        email_addresses: non_empty(emails),
        ip_addresses: non_empty(ips),
        uris: non_empty(uris),
        certkit,
    })
}

/// Every CSR of an input in Go's shape plus certkit's keys, as pretty
/// JSON text: an object for one CSR (what cfssl prints), an array for
/// several.
pub fn describe_csrs_go(input: &[u8], source: &str) -> Result<String> {
    let items = csr_ders(input, source)?
        .iter()
        .map(|der| {
            let certkit = match describe_csr(der)? {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            describe_csr_go(der, certkit)
        })
        .collect::<Result<Vec<_>>>()?;
    let text = match <[GoCertificateRequest; 1]>::try_from(items) {
        Ok([one]) => serde_json::to_string_pretty(&one),
        Err(items) => serde_json::to_string_pretty(&items),
    };
    text.map_err(|e| Error::Encoding(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_shape_of_an_ecdsa_csr() {
        let req = crate::request::Request {
            cn: "svc".into(),
            hosts: vec![
                "svc.example".into(),
                "10.0.0.1".into(),
                "a@b.example".into(),
                "spiffe://td/ns/a".into(),
            ],
            ..Default::default()
        };
        let key = crate::keys::KeyPair::generate(req.key).unwrap();
        let pem = crate::csr::build(&req, &key).unwrap();
        let der = pem::parse(pem).unwrap().into_contents();
        let go = describe_csr_go(&der, Map::new()).unwrap();
        let v: Value = serde_json::from_str(&serde_json::to_string(&go).unwrap()).unwrap();
        assert_eq!(v["Subject"]["CommonName"], "svc");
        assert_eq!(v["DNSNames"], serde_json::json!(["svc.example"]));
        assert_eq!(v["IPAddresses"], serde_json::json!(["10.0.0.1"]));
        assert_eq!(v["EmailAddresses"], serde_json::json!(["a@b.example"]));
        assert_eq!(v["URIs"][0]["Host"], "td");
        assert_eq!(v["URIs"][0]["Path"], "/ns/a");
        assert_eq!(
            (
                v["PublicKeyAlgorithm"].as_u64(),
                v["SignatureAlgorithm"].as_u64()
            ),
            (Some(3), Some(10))
        );
        assert_eq!(v["Extensions"][0]["Id"], serde_json::json!([2, 5, 29, 17]));
        assert!(v["ExtraExtensions"].is_null());
    }
}
