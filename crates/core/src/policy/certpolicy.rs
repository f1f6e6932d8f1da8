//! Certificate policies from a signing profile: cfssl's JSON shape
//! (`{"ID": "1.2.3", "qualifiers": [{"type": "id-qt-cps", "value": URL}]}`)
//! and its encoding as the certificatePolicies extension value.

use crate::error::{Error, Result};
use crate::input::json_fields::{kind, Fields};
use der::asn1::{Any, Ia5String, ObjectIdentifier};
use der::Encode;
use serde_json::Value;
use x509_cert::ext::pkix::certpolicy::{DisplayText, UserNotice};
use x509_cert::ext::pkix::certpolicy::{PolicyInformation, PolicyQualifierInfo};
use x509_cert::ext::pkix::CertificatePolicies;

/// id-qt-cps: a URL where the certification practice statement lives.
const ID_QT_CPS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.1");
/// id-qt-unotice: text shown to relying parties.
const ID_QT_UNOTICE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.2");

/// RFC 5280: explicitText is at most 200 characters.
const MAX_NOTICE_CHARS: usize = 200;

/// One policy: its identifier and qualifiers, in config order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificatePolicy {
    pub id: ObjectIdentifier,
    pub qualifiers: Vec<Qualifier>,
}

/// A policy qualifier, as cfssl supports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Qualifier {
    /// `id-qt-cps`: a CPS URI (IA5String).
    Cps(String),
    /// `id-qt-unotice`: a user notice with explicit text (UTF8String).
    UserNotice(String),
}

/// Parses a profile's `policies` array. `ctx` prefixes messages.
pub fn parse_policies(
    value: &Value,
    ctx: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<CertificatePolicy>> {
    let err = |msg: String| Error::Policy(format!("{ctx}policies{msg}"));
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => return Err(err(format!(": expected an array, found {}", kind(other)))),
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Value::Object(obj) = item else {
            return Err(err(format!(
                "[{i}]: expected an object, found {}",
                kind(item)
            )));
        };
        let here = format!("{ctx}policies[{i}].");
        let f = Fields::new(obj, &here, &["id", "qualifiers"], warnings, Error::Policy);
        let id_text = f.string("id")?;
        let id = ObjectIdentifier::new(&id_text).map_err(|_| {
            err(format!(
                "[{i}].ID: {id_text:?} is not a dotted object identifier"
            ))
        })?;
        let qualifiers = match f.get("qualifiers") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(qs)) => qs
                .iter()
                .enumerate()
                .map(|(j, q)| parse_qualifier(q, &format!("{here}qualifiers[{j}]"), warnings))
                .collect::<Result<_>>()?,
            Some(other) => {
                return Err(err(format!(
                    "[{i}].qualifiers: expected an array, found {}",
                    kind(other)
                )))
            }
        };
        out.push(CertificatePolicy { id, qualifiers });
    }
    Ok(out)
}

fn parse_qualifier(value: &Value, ctx: &str, warnings: &mut Vec<String>) -> Result<Qualifier> {
    let Value::Object(obj) = value else {
        return Err(Error::Policy(format!(
            "{ctx}: expected an object, found {}",
            kind(value)
        )));
    };
    let f = Fields::new(
        obj,
        &format!("{ctx}."),
        &["type", "value"],
        warnings,
        Error::Policy,
    );
    let text = f.string("value")?;
    match f.string("type")?.as_str() {
        "id-qt-cps" if text.is_ascii() && !text.is_empty() => Ok(Qualifier::Cps(text)),
        "id-qt-cps" => Err(Error::Policy(format!("{ctx}.value: a CPS URI must be non-empty ASCII"))),
        "id-qt-unotice" if !text.is_empty() && text.chars().count() <= MAX_NOTICE_CHARS => {
            Ok(Qualifier::UserNotice(text))
        }
        "id-qt-unotice" => Err(Error::Policy(format!(
            "{ctx}.value: a user notice must have 1 to {MAX_NOTICE_CHARS} characters"
        ))),
        other => Err(Error::Policy(format!(
            "{ctx}.type: invalid policy qualifier type {other:?} (expected id-qt-cps or id-qt-unotice)"
        ))),
    }
}

/// The DER value of the certificatePolicies extension.
pub fn encode_policies(policies: &[CertificatePolicy]) -> Result<Vec<u8>> {
    let mut infos = Vec::new();
    for policy in policies {
        let mut qualifiers = Vec::new();
        for q in &policy.qualifiers {
            let (id, value) = match q {
                Qualifier::Cps(uri) => (ID_QT_CPS, Any::encode_from(&Ia5String::new(uri)?)?),
                Qualifier::UserNotice(text) => {
                    let notice = UserNotice {
                        notice_ref: None,
                        explicit_text: Some(DisplayText::Utf8String(text.clone())),
                    };
                    (ID_QT_UNOTICE, Any::encode_from(&notice)?)
                }
            };
            qualifiers.push(PolicyQualifierInfo {
                policy_qualifier_id: id,
                qualifier: Some(value),
            });
        }
        infos.push(PolicyInformation {
            policy_identifier: policy.id,
            policy_qualifiers: (!qualifiers.is_empty()).then_some(qualifiers),
        });
    }
    Ok(CertificatePolicies(infos).to_der()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Vec<CertificatePolicy>> {
        let v: Value = serde_json::from_str(json).unwrap();
        parse_policies(&v, "profile \"p\": ", &mut Vec::new())
    }

    #[test]
    fn parses_cfssl_shape_case_insensitively() {
        let p = parse(
            r#"[{"ID":"2.23.140.1.2.1","Qualifiers":[{"Type":"id-qt-cps","Value":"https://cps.example"},
                {"type":"id-qt-unotice","value":"Für Tests"}]},{"id":"1.2.3.4"}]"#,
        )
        .unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(
            p[0].qualifiers[0],
            Qualifier::Cps("https://cps.example".into())
        );
        assert_eq!(
            p[0].qualifiers[1],
            Qualifier::UserNotice("Für Tests".into())
        );
        assert!(p[1].qualifiers.is_empty());
    }

    #[test]
    fn rejects_bad_oid_and_qualifier_type() {
        let e = parse(r#"[{"ID":"one.two"}]"#).unwrap_err().to_string();
        assert!(e.contains("policies[0].ID"), "{e}");
        let e = parse(r#"[{"ID":"1.2.3","qualifiers":[{"type":"cps","value":"x"}]}]"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid policy qualifier type \"cps\""), "{e}");
        assert!(parse(
            r#"[{"ID":"1.2.3","qualifiers":[{"type":"id-qt-cps","value":"https://é"}]}]"#
        )
        .is_err());
    }

    #[test]
    fn encodes_cps_as_ia5_and_notice_as_utf8() {
        use der::{Decode, Tag, Tagged};
        let p = parse(r#"[{"ID":"1.2.3.4","qualifiers":[{"type":"id-qt-cps","value":"https://cps.example"},{"type":"id-qt-unotice","value":"notice"}]}]"#).unwrap();
        let der = encode_policies(&p).unwrap();
        let back = CertificatePolicies::from_der(&der).unwrap();
        assert_eq!(
            back.0[0].policy_identifier,
            ObjectIdentifier::new_unwrap("1.2.3.4")
        );
        let quals = back.0[0].policy_qualifiers.as_ref().unwrap();
        assert_eq!(quals[0].policy_qualifier_id, ID_QT_CPS);
        let cps = quals[0].qualifier.as_ref().unwrap();
        assert_eq!(
            (cps.tag(), cps.value()),
            (Tag::Ia5String, &b"https://cps.example"[..])
        );
        let notice: UserNotice = quals[1].qualifier.as_ref().unwrap().decode_as().unwrap();
        assert_eq!(
            notice.explicit_text,
            Some(DisplayText::Utf8String("notice".into()))
        );
    }
}
