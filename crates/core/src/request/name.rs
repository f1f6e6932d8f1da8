//! Distinguished names: the subject a request asks for, encoded in cfssl's
//! attribute order with one attribute per RDN, and printed for humans.

use crate::error::{Error, Result};
use crate::request::Request;
use const_oid::db::{rfc2985, rfc4519};
use der::asn1::{Any, ObjectIdentifier};
use der::{Decode, Encode, Tag};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};

/// Reads one attribute of a `names` entry.
type NameField = fn(&crate::request::NameEntry) -> &str;

/// Builds the subject of a request: C, ST, L, O, OU (every `names` entry,
/// in request order), CN, serialNumber, then emailAddress and extra OIDs.
/// Each value gets its own RDN: X.501 forbids cfssl's multi-valued `O + O`.
pub fn subject_from_request(req: &Request) -> Result<Name> {
    let mut attrs: Vec<(ObjectIdentifier, &str)> = Vec::new();
    let fields: [(ObjectIdentifier, NameField); 5] = [
        (rfc4519::C, |n| &n.c),
        (rfc4519::ST, |n| &n.st),
        (rfc4519::L, |n| &n.l),
        (rfc4519::O, |n| &n.o),
        (rfc4519::OU, |n| &n.ou),
    ];
    for (oid, get) in fields {
        for entry in &req.names {
            let value = get(entry);
            if !value.is_empty() {
                attrs.push((oid, value));
            }
        }
    }
    if !req.cn.is_empty() {
        attrs.push((rfc4519::CN, &req.cn));
    }
    if !req.serial_number.is_empty() {
        attrs.push((rfc4519::SERIAL_NUMBER, &req.serial_number));
    }
    for entry in &req.names {
        if !entry.serial_number.is_empty() && entry.serial_number != req.serial_number {
            attrs.push((rfc4519::SERIAL_NUMBER, &entry.serial_number));
        }
    }
    for entry in &req.names {
        if !entry.e.is_empty() {
            attrs.push((rfc2985::PKCS_9_AT_EMAIL_ADDRESS, &entry.e));
        }
    }
    let mut extra = Vec::new();
    for entry in &req.names {
        for (oid, value) in &entry.oids {
            let oid = ObjectIdentifier::new(oid).map_err(|_| {
                Error::Request(format!(
                    "names: OID {oid:?} is not a dotted object identifier"
                ))
            })?;
            extra.push((oid, value.as_str()));
        }
    }
    attrs.extend(extra);

    let mut seq = RdnSequence::default();
    for (oid, value) in attrs {
        let atv = AttributeTypeAndValue {
            oid,
            value: encode_value(oid, value)?,
        };
        let rdn = RelativeDistinguishedName::try_from(vec![atv])?;
        seq.push(rdn);
    }
    Ok(Name::from_der(&seq.to_der()?)?)
}

/// The first common name in a subject, or "" when it has none.
pub fn common_name(name: &Name) -> String {
    name.iter()
        .find(|atv| atv.oid == rfc4519::CN)
        .map(atv_string)
        .unwrap_or_default()
}

/// The attributes a SUBJECT file may override, in cfssl's order.
const OVERRIDABLE: [ObjectIdentifier; 7] = [
    rfc4519::C,
    rfc4519::ST,
    rfc4519::L,
    rfc4519::O,
    rfc4519::OU,
    rfc4519::CN,
    rfc4519::SERIAL_NUMBER,
];

/// Checks a SUBJECT file (`sign CSR SUBJECT`), which holds a subject
/// only: a `ca` section is an error, as everywhere outside initca; hosts
/// and key are ignored with a warning.
pub fn check_subject_override(req: &Request, source: &str) -> Result<Vec<String>> {
    if req.ca.is_some() {
        return Err(Error::Request(format!(
            "{source}: the \"ca\" section is only allowed with initca"
        )));
    }
    let mut warnings = Vec::new();
    if !req.hosts.is_empty() {
        warnings.push(format!(
            "{source}: hosts in a SUBJECT file are ignored (use -hostname)"
        ));
    }
    if !req.has_subject() {
        warnings.push(format!(
            "{source}: the SUBJECT file sets no subject attribute"
        ));
    }
    Ok(warnings)
}

/// The subject for `sign CSR SUBJECT`, as cfssl's PopulateSubjectFromCSR:
/// for C, ST, L, O, OU, CN and serialNumber, the SUBJECT's values when it
/// has any, else the CSR's; then the CSR's other attributes (email, extra
/// OIDs) unchanged. One value per RDN.
pub fn override_subject(csr_subject: &Name, overrides: &Request) -> Result<Name> {
    let wanted = subject_from_request(overrides)?;
    let mut atvs: Vec<AttributeTypeAndValue> = Vec::new();
    for oid in OVERRIDABLE {
        let from_subject: Vec<&AttributeTypeAndValue> =
            wanted.iter().filter(|a| a.oid == oid).collect();
        let chosen = if from_subject.is_empty() {
            csr_subject.iter().filter(|a| a.oid == oid).collect()
        } else {
            from_subject
        };
        atvs.extend(chosen.into_iter().cloned());
    }
    atvs.extend(
        csr_subject
            .iter()
            .filter(|a| !OVERRIDABLE.contains(&a.oid))
            .cloned(),
    );
    let mut seq = RdnSequence::default();
    for atv in atvs {
        seq.push(RelativeDistinguishedName::try_from(vec![atv])?);
    }
    Ok(Name::from_der(&seq.to_der()?)?)
}

/// Strings as Go encodes them, but strictly: PrintableString when every
/// character is allowed there, else UTF8String; country codes must be
/// two printable letters; emailAddress is an IA5String.
fn encode_value(oid: ObjectIdentifier, value: &str) -> Result<Any> {
    if oid == rfc2985::PKCS_9_AT_EMAIL_ADDRESS {
        if !value.is_ascii() {
            return Err(Error::Request(format!("names: E {value:?} must be ASCII")));
        }
        return Ok(Any::new(Tag::Ia5String, value.as_bytes())?);
    }
    if oid == rfc4519::C && (value.len() != 2 || !value.chars().all(|c| c.is_ascii_alphabetic())) {
        return Err(Error::Request(format!(
            "names: C {value:?} must be a two-letter country code"
        )));
    }
    if value.len() > 64 && oid != rfc4519::SERIAL_NUMBER {
        return Err(Error::Request(format!(
            "names: value {value:?} is longer than 64 characters (RFC 5280 upper bound)"
        )));
    }
    let tag = if value.chars().all(is_printable) {
        Tag::PrintableString
    } else {
        Tag::Utf8String
    };
    Ok(Any::new(tag, value.as_bytes())?)
}

fn is_printable(c: char) -> bool {
    c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c)
}

/// Renders a name in cfssl's log style, "/C=US/O=Example/CN=name".
pub fn to_slash_string(name: &Name) -> String {
    let mut out = String::new();
    for atv in name.iter() {
        let label = short_label(&atv.oid);
        let value = atv_string(atv);
        out.push('/');
        out.push_str(&label);
        out.push('=');
        out.push_str(&value);
    }
    out
}

fn short_label(oid: &ObjectIdentifier) -> String {
    match *oid {
        rfc4519::C => "C".into(),
        rfc4519::ST => "ST".into(),
        rfc4519::L => "L".into(),
        rfc4519::O => "O".into(),
        rfc4519::OU => "OU".into(),
        rfc4519::CN => "CN".into(),
        rfc4519::SERIAL_NUMBER => "serialNumber".into(),
        rfc2985::PKCS_9_AT_EMAIL_ADDRESS => "emailAddress".into(),
        other => other.to_string(),
    }
}

/// The text of an attribute value, whatever string type encodes it.
pub fn atv_string(atv: &AttributeTypeAndValue) -> String {
    String::from_utf8_lossy(atv.value.value()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::NameEntry;
    use der::Encode;

    #[test]
    fn order_and_repetition_follow_cfssl_with_one_value_per_rdn() {
        let req = Request {
            cn: "admin".into(),
            names: vec![
                NameEntry {
                    c: "US".into(),
                    o: "system:masters".into(),
                    ..Default::default()
                },
                NameEntry {
                    o: "ops".into(),
                    ou: "team a".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let name = subject_from_request(&req).unwrap();
        assert_eq!(
            to_slash_string(&name),
            "/C=US/O=system:masters/O=ops/OU=team a/CN=admin"
        );
        assert!(name.iter_rdn().all(|rdn| rdn.len() == 1));
        assert!(name.to_der().is_ok());
    }

    #[test]
    fn subject_file_overrides_only_what_it_sets() {
        let csr = Request {
            cn: "csr-cn".into(),
            names: vec![NameEntry {
                c: "US".into(),
                o: "csr-org".into(),
                ou: "a".into(),
                e: "x@example.com".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let subject = Request {
            names: vec![
                NameEntry {
                    o: "new-org".into(),
                    ..Default::default()
                },
                NameEntry {
                    o: "second".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let name = override_subject(&subject_from_request(&csr).unwrap(), &subject).unwrap();
        assert_eq!(
            to_slash_string(&name),
            "/C=US/O=new-org/O=second/OU=a/CN=csr-cn/emailAddress=x@example.com"
        );
        assert_eq!(common_name(&name), "csr-cn");
        let renamed = override_subject(
            &name,
            &Request {
                cn: "new".into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(common_name(&renamed), "new");
    }

    #[test]
    fn non_printable_values_become_utf8() {
        let req = Request {
            cn: "café*".into(),
            ..Default::default()
        };
        let name = subject_from_request(&req).unwrap();
        let atv = name.iter().next().unwrap();
        assert_eq!(der::Tagged::tag(&atv.value), Tag::Utf8String);
    }

    #[test]
    fn bad_country_is_refused() {
        let req = Request {
            names: vec![NameEntry {
                c: "USA".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        assert!(subject_from_request(&req)
            .unwrap_err()
            .to_string()
            .contains("two-letter"));
    }
}
