//! The signing config's `ocsp` section (cfssl's `ocsp/config.Config`):
//! the OCSP signer's CA, responder certificate and key, and how long its
//! responses are valid. `ocspsign`, `ocsprefresh` and `serve` take what
//! their flags leave out from it.

use crate::error::{Error, Result};
use serde_json::Value;
use std::time::Duration;

/// The `ocsp` section, each field as written (paths) or parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OcspSection {
    pub ca_cert_file: Option<String>,
    pub responder_cert_file: Option<String>,
    pub key_file: Option<String>,
    /// `Interval`: Go's `time.Duration` in JSON, a number of nanoseconds;
    /// a Go duration string ("96h") is taken too.
    pub interval: Option<Duration>,
}

const FIELDS: [&str; 4] = ["CACertFile", "ResponderCertFile", "KeyFile", "Interval"];

impl OcspSection {
    /// Parses the section; `null` or absent is None. An unknown field is a
    /// warning (Go ignores it), a field of the wrong type an error.
    pub fn parse(value: Option<&Value>, warnings: &mut Vec<String>) -> Result<Option<Self>> {
        let obj = match value {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Object(o)) => o,
            Some(_) => return Err(Error::Policy("ocsp: expected an object".into())),
        };
        // Go's encoding/json matches field names ignoring case.
        let known = |k: &str| FIELDS.iter().any(|f| f.eq_ignore_ascii_case(k));
        let get = |field: &str| {
            obj.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(field))
                .map(|(_, v)| v)
        };
        for key in obj.keys().filter(|k| !known(k)) {
            warnings.push(format!(
                "ocsp.{key}: unknown field (known: {}); ignored",
                FIELDS.join(", ")
            ));
        }
        let path = |key: &str| -> Result<Option<String>> {
            match get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.is_empty() => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(Error::Policy(format!("ocsp.{key}: expected a path"))),
            }
        };
        let interval = match get("Interval") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => match n.as_u64() {
                Some(0) => None,
                Some(ns) => Some(Duration::from_nanos(ns)),
                None => {
                    return Err(Error::Policy(format!(
                        "ocsp.Interval: {n} is not a positive number of nanoseconds"
                    )))
                }
            },
            Some(Value::String(s)) => Some(
                crate::input::duration::parse_go_duration(s)
                    .map_err(|e| Error::Policy(format!("ocsp.Interval: {e}")))?,
            ),
            Some(_) => {
                return Err(Error::Policy(
                    "ocsp.Interval: expected nanoseconds (a number) or a duration (\"96h\")".into(),
                ))
            }
        };
        Ok(Some(OcspSection {
            ca_cert_file: path("CACertFile")?,
            responder_cert_file: path("ResponderCertFile")?,
            key_file: path("KeyFile")?,
            interval,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cfssls_fields() {
        let v: Value = serde_json::from_str(
            r#"{"CACertFile":"ca.pem","ResponderCertFile":"r.pem","KeyFile":"r-key.pem","Interval":345600000000000}"#,
        )
        .unwrap();
        let s = OcspSection::parse(Some(&v), &mut Vec::new())
            .unwrap()
            .unwrap();
        assert_eq!(s.ca_cert_file.as_deref(), Some("ca.pem"));
        assert_eq!(s.interval, Some(Duration::from_secs(96 * 3600)));
        let v: Value = serde_json::from_str(r#"{"interval":"24h","Other":1}"#).unwrap();
        let mut w = Vec::new();
        let s = OcspSection::parse(Some(&v), &mut w).unwrap().unwrap();
        assert_eq!(s.interval, Some(Duration::from_secs(24 * 3600)));
        assert_eq!(w.len(), 1);
        let v: Value = serde_json::from_str(r#"{"Interval":-5}"#).unwrap();
        assert!(OcspSection::parse(Some(&v), &mut Vec::new()).is_err());
        let v: Value = serde_json::from_str(r#"{"KeyFile":3}"#).unwrap();
        assert!(OcspSection::parse(Some(&v), &mut Vec::new()).is_err());
    }
}
