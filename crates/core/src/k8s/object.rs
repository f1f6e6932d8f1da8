//! One `certificates.k8s.io/v1` CertificateSigningRequest, kept as the JSON
//! value the API returned so that every field certkit does not own
//! (metadata, spec, unknown fields) goes back out unchanged. certkit only
//! reads `spec` and writes `status.certificate` or a `Failed` condition.

use crate::error::{Error, Result};
use crate::input::json_fields::kind;
use base64::Engine;
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub const API_VERSION: &str = "certificates.k8s.io/v1";
pub const KIND: &str = "CertificateSigningRequest";
/// The API's lower bound for `spec.expirationSeconds`.
pub const MIN_EXPIRATION_SECONDS: u64 = 600;

/// Where an object stands in the approve/deny/sign lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    Pending,
    Approved,
    Denied,
    Failed,
}

/// A CertificateSigningRequest object.
#[derive(Debug, Clone, PartialEq)]
pub struct CsrObject {
    fields: Map<String, Value>,
}

impl CsrObject {
    /// Accepts a JSON value that is a v1 CertificateSigningRequest; `what`
    /// names it in messages (a file, or a file and a List index).
    pub fn from_value(value: Value, what: &str) -> Result<CsrObject> {
        let Value::Object(fields) = value else {
            return Err(Error::decode(
                what,
                format!("expected an object, found {}", kind(&value)),
            ));
        };
        match fields.get("kind").and_then(Value::as_str) {
            Some(KIND) => {}
            Some(other) => {
                return Err(Error::decode(
                    what,
                    format!("kind is {other:?}, expected {KIND:?}"),
                ))
            }
            None => return Err(Error::decode(what, format!("no kind (expected {KIND:?})"))),
        }
        match fields.get("apiVersion").and_then(Value::as_str) {
            Some(API_VERSION) => {}
            other => {
                return Err(Error::decode(
                    what,
                    format!("apiVersion is {other:?}, only {API_VERSION:?} is supported"),
                ))
            }
        }
        Ok(CsrObject { fields })
    }

    /// The object as JSON.
    pub fn as_value(&self) -> Value {
        Value::Object(self.fields.clone())
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.fields)
    }

    /// `metadata.name`, or a placeholder for messages when it is missing.
    pub fn name(&self) -> &str {
        self.fields
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("<unnamed>")
    }

    fn spec(&self) -> Option<&Map<String, Value>> {
        self.fields.get("spec").and_then(Value::as_object)
    }

    fn spec_field(&self, key: &str) -> Option<&Value> {
        self.spec()
            .and_then(|s| s.get(key))
            .filter(|v| !v.is_null())
    }

    /// `spec.request` decoded from base64: the PEM (or DER) CSR.
    pub fn request(&self) -> Result<Vec<u8>> {
        let text = match self.spec_field("request") {
            Some(Value::String(s)) => s,
            Some(other) => {
                return Err(self.field_error(
                    "spec.request",
                    format!("expected a string, found {}", kind(other)),
                ))
            }
            None => return Err(self.field_error("spec.request", "missing")),
        };
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map_err(|e| self.field_error("spec.request", format!("not base64: {e}")))
    }

    /// `spec.signerName`, which the v1 API requires.
    pub fn signer_name(&self) -> Result<&str> {
        match self.spec_field("signerName") {
            Some(Value::String(s)) if !s.is_empty() => Ok(s),
            Some(Value::String(_)) | None => Err(self.field_error("spec.signerName", "missing")),
            Some(other) => Err(self.field_error(
                "spec.signerName",
                format!("expected a string, found {}", kind(other)),
            )),
        }
    }

    /// `spec.usages` as written; the v1 API requires at least one.
    pub fn usages(&self) -> Result<Vec<String>> {
        let items = match self.spec_field("usages") {
            Some(Value::Array(items)) if !items.is_empty() => items,
            Some(Value::Array(_)) | None => {
                return Err(self.field_error("spec.usages", "missing or empty"))
            }
            Some(other) => {
                return Err(self.field_error(
                    "spec.usages",
                    format!("expected an array, found {}", kind(other)),
                ))
            }
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_str().map(str::to_string).ok_or_else(|| {
                    self.field_error(
                        &format!("spec.usages[{i}]"),
                        format!("expected a string, found {}", kind(item)),
                    )
                })
            })
            .collect()
    }

    /// `spec.expirationSeconds`, refused below the API's minimum of 600.
    pub fn expiration_seconds(&self) -> Result<Option<u64>> {
        let Some(value) = self.spec_field("expirationSeconds") else {
            return Ok(None);
        };
        let seconds = value.as_u64().ok_or_else(|| {
            self.field_error(
                "spec.expirationSeconds",
                format!("expected a whole number of seconds, found {value}"),
            )
        })?;
        if seconds < MIN_EXPIRATION_SECONDS {
            return Err(self.field_error(
                "spec.expirationSeconds",
                format!("{seconds} is below the minimum of {MIN_EXPIRATION_SECONDS}"),
            ));
        }
        Ok(Some(seconds))
    }

    fn conditions(&self) -> impl Iterator<Item = &Map<String, Value>> {
        self.fields
            .get("status")
            .and_then(|s| s.get("conditions"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
    }

    fn has_condition(&self, kind: &str) -> bool {
        // A condition without a status is how pre-1.19 servers wrote "True".
        self.conditions().any(|c| {
            c.get("type").and_then(Value::as_str) == Some(kind)
                && c.get("status").and_then(Value::as_str).unwrap_or("True") == "True"
        })
    }

    /// Failed wins over Denied, which wins over Approved.
    pub fn approval(&self) -> Approval {
        if self.has_condition("Failed") {
            Approval::Failed
        } else if self.has_condition("Denied") {
            Approval::Denied
        } else if self.has_condition("Approved") {
            Approval::Approved
        } else {
            Approval::Pending
        }
    }

    /// Whether `status.certificate` is already set (the API makes it
    /// immutable once set).
    pub fn has_certificate(&self) -> bool {
        self.fields
            .get("status")
            .and_then(|s| s.get("certificate"))
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    }

    /// `status.certificate` decoded from base64: the PEM chain, if set.
    pub fn certificate(&self) -> Result<Option<Vec<u8>>> {
        let Some(text) = self
            .fields
            .get("status")
            .and_then(|s| s.get("certificate"))
            .filter(|v| !v.is_null())
        else {
            return Ok(None);
        };
        let Some(text) = text.as_str() else {
            return Err(self.field_error(
                "status.certificate",
                format!("expected a string, found {}", kind(text)),
            ));
        };
        if text.is_empty() {
            return Ok(None);
        }
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(Some)
            .map_err(|e| self.field_error("status.certificate", format!("not base64: {e}")))
    }

    /// Sets `status.certificate` to the base64 of `pem_chain`, unwrapped.
    pub fn set_certificate(&mut self, pem_chain: &str) {
        let encoded = base64::engine::general_purpose::STANDARD.encode(pem_chain);
        self.edit_status(|status| {
            status.insert("certificate".into(), Value::String(encoded));
        });
    }

    /// Appends a `Failed` condition, as a signer reports a request it
    /// will not sign.
    pub fn add_failed_condition(&mut self, reason: &str, message: &str, now: OffsetDateTime) {
        self.add_condition("Failed", reason, message, now);
    }

    /// Appends a condition (`Approved`, `Denied`, `Failed`) with status
    /// True, stamped `now` to the second as the API stores it.
    pub fn add_condition(&mut self, kind: &str, reason: &str, message: &str, now: OffsetDateTime) {
        let stamp = now
            .replace_nanosecond(0)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default();
        let mut condition = Map::new();
        condition.insert("type".into(), Value::String(kind.into()));
        condition.insert("status".into(), Value::String("True".into()));
        condition.insert("reason".into(), Value::String(reason.into()));
        condition.insert("message".into(), Value::String(message.into()));
        condition.insert("lastUpdateTime".into(), Value::String(stamp.clone()));
        condition.insert("lastTransitionTime".into(), Value::String(stamp));
        self.edit_status(|status| {
            let mut conditions = match status.remove("conditions") {
                Some(Value::Array(list)) => list,
                _ => Vec::new(),
            };
            conditions.push(Value::Object(condition));
            status.insert("conditions".into(), Value::Array(conditions));
        });
    }

    /// When the Approved condition was last updated (whole seconds, as the
    /// API stores it), if the object is approved and says so.
    pub fn approved_at(&self) -> Option<OffsetDateTime> {
        self.conditions()
            .filter(|c| c.get("type").and_then(Value::as_str) == Some("Approved"))
            .filter_map(|c| {
                c.get("lastUpdateTime")
                    .or_else(|| c.get("lastTransitionTime"))
                    .and_then(Value::as_str)
            })
            .filter_map(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
            .max()
    }

    /// `spec.username`, who created the request (set by the API server).
    pub fn username(&self) -> Option<&str> {
        self.spec_field("username").and_then(Value::as_str)
    }

    /// `spec.groups`, the requester's groups (set by the API server).
    pub fn groups(&self) -> Vec<&str> {
        self.spec_field("groups")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect()
    }

    /// Edits `status`, creating it (or replacing a non-object) first.
    fn edit_status(&mut self, edit: impl FnOnce(&mut Map<String, Value>)) {
        let mut status = match self.fields.remove("status") {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        edit(&mut status);
        self.fields.insert("status".into(), Value::Object(status));
    }

    fn field_error(&self, field: &str, msg: impl std::fmt::Display) -> Error {
        Error::decode(
            format!("CertificateSigningRequest {}: {field}", self.name()),
            msg,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(status: Value) -> CsrObject {
        let value = json!({
            "apiVersion": API_VERSION, "kind": KIND,
            "metadata": {"name": "n", "uid": "u"},
            "spec": {"request": "aGVsbG8=", "signerName": "example.com/s", "usages": ["server auth"]},
            "status": status,
        });
        CsrObject::from_value(value, "t").unwrap()
    }

    #[test]
    fn approval_follows_true_conditions() {
        assert_eq!(object(json!({})).approval(), Approval::Pending);
        assert_eq!(
            object(json!({"conditions": [{"type": "Approved", "status": "True"}]})).approval(),
            Approval::Approved
        );
        assert_eq!(
            object(json!({"conditions": [{"type": "Approved", "status": "False"}]})).approval(),
            Approval::Pending
        );
        let denied = json!({"conditions": [{"type": "Approved", "status": "True"}, {"type": "Denied", "status": "True"}]});
        assert_eq!(object(denied).approval(), Approval::Denied);
        assert_eq!(
            object(json!({"conditions": [{"type": "Failed"}]})).approval(),
            Approval::Failed
        );
    }

    #[test]
    fn reads_spec_fields() {
        let o = object(json!({}));
        assert_eq!(o.request().unwrap(), b"hello");
        assert_eq!(o.signer_name().unwrap(), "example.com/s");
        assert_eq!(o.usages().unwrap(), vec!["server auth"]);
        assert_eq!(o.expiration_seconds().unwrap(), None);
        assert!(!o.has_certificate());
    }

    #[test]
    fn short_expiration_is_refused() {
        let mut v = object(json!({})).into_value();
        v["spec"]["expirationSeconds"] = json!(599);
        let err = CsrObject::from_value(v, "t")
            .unwrap()
            .expiration_seconds()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("spec.expirationSeconds") && err.contains("600"),
            "{err}"
        );
    }

    #[test]
    fn certificate_and_failed_condition_leave_other_fields_alone() {
        let mut o = object(json!({"conditions": [{"type": "Approved", "status": "True"}]}));
        let before = o.as_value();
        o.set_certificate("PEM");
        o.add_failed_condition("R", "M", OffsetDateTime::UNIX_EPOCH);
        let after = o.as_value();
        assert_eq!(before["spec"], after["spec"]);
        assert_eq!(before["metadata"], after["metadata"]);
        assert_eq!(after["status"]["certificate"], "UEVN");
        assert_eq!(o.certificate().unwrap().unwrap(), b"PEM");
        let failed = &after["status"]["conditions"][1];
        assert_eq!(failed["type"], "Failed");
        assert_eq!(failed["lastUpdateTime"], "1970-01-01T00:00:00Z");
    }

    #[test]
    fn wrong_kind_or_version_is_refused() {
        let err = CsrObject::from_value(json!({"kind": "Pod", "apiVersion": "v1"}), "x.json")
            .unwrap_err();
        assert!(err.to_string().contains("\"Pod\""), "{err}");
        let err = CsrObject::from_value(
            json!({"kind": KIND, "apiVersion": "certificates.k8s.io/v1beta1"}),
            "x.json",
        )
        .unwrap_err();
        assert!(err.to_string().contains("v1beta1"), "{err}");
    }
}
