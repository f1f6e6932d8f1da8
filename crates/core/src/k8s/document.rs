//! What kubectl prints and reads: one CertificateSigningRequest or a
//! `List` of them, as JSON or YAML. The document remembers its format so
//! an object read as YAML goes back out as YAML.

use super::object::{CsrObject, KIND};
use crate::error::{Error, Result};
use crate::input::json_fields::kind;
use serde::Serialize;
use serde_json::{Map, Value};

/// JSON (as `kubectl get -o json`) or YAML (as `-o yaml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

/// A parsed input: one object, or a List and its items.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub format: Format,
    /// The List's own fields (apiVersion, kind, metadata) without `items`;
    /// `None` for a single object.
    list: Option<Map<String, Value>>,
    pub items: Vec<CsrObject>,
}

/// How `sign` should read its input.
#[derive(Debug)]
pub enum SignInput {
    /// A PEM or DER CSR: cfssl's path, unchanged.
    Csr,
    /// CertificateSigningRequest objects.
    Objects(Document),
}

impl SignInput {
    /// Tells a CSR from objects. PEM, DER and anything that is not a
    /// JSON or YAML mapping stay on the CSR path, so its errors are cfssl's.
    pub fn classify(bytes: &[u8], source: &str) -> Result<SignInput> {
        let trimmed = bytes.trim_ascii_start();
        if trimmed.is_empty() || trimmed.starts_with(b"-----") || trimmed.first() == Some(&0x30) {
            return Ok(SignInput::Csr);
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Ok(SignInput::Csr);
        };
        if trimmed.starts_with(b"{") {
            return Document::parse(bytes, source).map(SignInput::Objects);
        }
        // Only what looks like a Kubernetes object is tried as YAML: any
        // text parses as YAML, and a YAML parser is not where a garbled
        // CSR should spend its time.
        if !looks_like_yaml_object(text) {
            return Ok(SignInput::Csr);
        }
        check_yaml_nesting(text, source)?;
        match serde_norway::from_str::<Value>(text) {
            Ok(value @ Value::Object(_)) => {
                Document::from_value(value, Format::Yaml, source).map(SignInput::Objects)
            }
            _ => Ok(SignInput::Csr),
        }
    }
}

/// Whether YAML text could be a Kubernetes object: a top-level `kind:`
/// or `apiVersion:` key at the start of a line.
pub fn looks_like_yaml_object(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.strip_prefix("---").map_or(line, str::trim_start);
        line.starts_with("kind:") || line.starts_with("apiVersion:")
    })
}

/// How deep a Kubernetes object's YAML may nest: flow collections
/// (`[`, `{`) and block levels (indentation plus `- ` indicators on one
/// line). kubectl's output stays far below; 80,000 levels took a YAML
/// parser 46 s.
pub const MAX_YAML_FLOW_DEPTH: usize = 64;
pub const MAX_YAML_BLOCK_DEPTH: usize = 256;

/// Refuses YAML nested deeper than the limits, in one pass over the text
/// before any parser sees it. Quoted scalars and comments are skipped.
pub fn check_yaml_nesting(text: &str, source: &str) -> Result<()> {
    let mut flow = 0usize;
    let mut quote: Option<u8> = None;
    for (number, line) in text.split('\n').enumerate() {
        let bytes = line.as_bytes();
        let mut i = 0;
        if quote.is_none() && flow == 0 {
            // Block depth: indentation, then each "- ", "? " or ": " indicator.
            let mut depth = bytes.iter().take_while(|&&b| b == b' ').count();
            i = depth;
            while i + 1 < bytes.len() && matches!(bytes[i], b'-' | b'?') && bytes[i + 1] == b' ' {
                depth += 1;
                i += 2;
                while i < bytes.len() && bytes[i] == b' ' {
                    i += 1;
                }
            }
            if depth > MAX_YAML_BLOCK_DEPTH {
                return Err(too_deep(source, number));
            }
        }
        // The last byte that is not a space: a quote opens a quoted scalar
        // only where a value starts (a plain `it's` is no quote).
        let mut prev: Option<u8> = None;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(q) if b == q => quote = None,
                Some(b'"') if b == b'\\' => i += 1,
                Some(_) => {}
                None => match b {
                    b'"' | b'\''
                        if matches!(prev, None | Some(b':' | b'-' | b'[' | b'{' | b',' | b'?')) =>
                    {
                        quote = Some(b)
                    }
                    b'#' if i == 0 || bytes[i - 1] == b' ' => break,
                    b'[' | b'{' => {
                        flow += 1;
                        if flow > MAX_YAML_FLOW_DEPTH {
                            return Err(too_deep(source, number));
                        }
                    }
                    b']' | b'}' => flow = flow.saturating_sub(1),
                    _ => {}
                },
            }
            if b != b' ' {
                prev = Some(b);
            }
            i += 1;
        }
    }
    Ok(())
}

fn too_deep(source: &str, line: usize) -> Error {
    Error::decode(
        source,
        format!(
            "line {}: YAML nested deeper than {MAX_YAML_FLOW_DEPTH} flow or {MAX_YAML_BLOCK_DEPTH} block levels; not a Kubernetes object",
            line + 1
        ),
    )
}

impl Document {
    /// Parses JSON (input starting with `{`) or YAML.
    pub fn parse(bytes: &[u8], source: &str) -> Result<Document> {
        let text =
            std::str::from_utf8(bytes).map_err(|_| Error::decode(source, "not UTF-8 text"))?;
        if text.trim_start().starts_with('{') {
            let value = serde_json::from_str(text).map_err(|e| Error::Json {
                what: source.to_string(),
                source: e,
            })?;
            Document::from_value(value, Format::Json, source)
        } else {
            check_yaml_nesting(text, source)?;
            let value = serde_norway::from_str(text)
                .map_err(|e| Error::decode(source, format!("invalid YAML: {e}")))?;
            Document::from_value(value, Format::Yaml, source)
        }
    }

    /// Accepts a CertificateSigningRequest or a List (`kind: List` or
    /// `CertificateSigningRequestList`) of them.
    pub fn from_value(value: Value, format: Format, source: &str) -> Result<Document> {
        let Value::Object(mut fields) = value else {
            return Err(Error::decode(
                source,
                format!("expected a Kubernetes object, found {}", kind(&value)),
            ));
        };
        let is_list = matches!(
            fields.get("kind").and_then(Value::as_str),
            Some("List") | Some("CertificateSigningRequestList")
        );
        if !is_list {
            let item = CsrObject::from_value(Value::Object(fields), source)?;
            return Ok(Document {
                format,
                list: None,
                items: vec![item],
            });
        }
        let items = match fields.remove("items") {
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(Error::decode(
                    source,
                    format!("items: expected an array, found {}", kind(&other)),
                ))
            }
            None => Vec::new(),
        };
        if items.is_empty() {
            return Err(Error::decode(
                source,
                format!("the List holds no {KIND} objects"),
            ));
        }
        let items = items
            .into_iter()
            .enumerate()
            .map(|(i, item)| CsrObject::from_value(item, &format!("{source}: items[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        Ok(Document {
            format,
            list: Some(fields),
            items,
        })
    }

    /// Whether the input was a List (even of one object).
    pub fn is_list(&self) -> bool {
        self.list.is_some()
    }

    /// The document as JSON: the object, or the List with its items.
    pub fn to_value(&self) -> Value {
        match (&self.list, self.items.as_slice()) {
            (None, [single]) => single.as_value(),
            (list, items) => {
                let mut fields = list.clone().unwrap_or_default();
                fields.insert(
                    "items".into(),
                    Value::Array(items.iter().map(CsrObject::as_value).collect()),
                );
                Value::Object(fields)
            }
        }
    }

    /// The document rendered in its own format.
    pub fn render(&self) -> Result<String> {
        render(&self.to_value(), self.format)
    }
}

/// Renders a value as kubectl does: JSON indented by four spaces, or YAML;
/// newline-terminated either way.
pub fn render(value: &impl Serialize, format: Format) -> Result<String> {
    match format {
        Format::Json => {
            let mut out = Vec::new();
            let mut ser = serde_json::Serializer::with_formatter(
                &mut out,
                serde_json::ser::PrettyFormatter::with_indent(b"    "),
            );
            value
                .serialize(&mut ser)
                .map_err(|e| Error::Encoding(e.to_string()))?;
            let mut text = String::from_utf8(out).map_err(|e| Error::Encoding(e.to_string()))?;
            text.push('\n');
            Ok(text)
        }
        Format::Yaml => serde_norway::to_string(value).map_err(|e| Error::Encoding(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(name: &str) -> Value {
        json!({
            "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
            "metadata": {"name": name, "resourceVersion": "1"},
            "spec": {"request": "QQ==", "signerName": "a.b/c", "usages": ["server auth"], "expirationSeconds": 3600},
            "status": {"conditions": [{"type": "Approved", "status": "True", "reason": "True"}]}
        })
    }

    #[test]
    fn yaml_round_trips_every_field() {
        let value = object("n");
        let yaml = render(&value, Format::Yaml).unwrap();
        let doc = Document::parse(yaml.as_bytes(), "t.yaml").unwrap();
        assert_eq!(doc.format, Format::Yaml);
        assert_eq!(doc.to_value(), value);
        assert!(
            yaml.contains("reason: 'True'") || yaml.contains("reason: \"True\""),
            "{yaml}"
        );
    }

    #[test]
    fn json_list_round_trips() {
        let list = json!({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": [object("a"), object("b")]});
        let text = render(&list, Format::Json).unwrap();
        let doc = Document::parse(text.as_bytes(), "t.json").unwrap();
        assert_eq!(doc.items.len(), 2);
        assert_eq!(doc.items[1].name(), "b");
        let back: Value = serde_json::from_str(&doc.render().unwrap()).unwrap();
        assert_eq!(back, list);
    }

    #[test]
    fn classify_keeps_pem_and_garbage_on_the_csr_path() {
        assert!(matches!(
            SignInput::classify(b"-----BEGIN CERTIFICATE REQUEST-----", "x").unwrap(),
            SignInput::Csr
        ));
        assert!(matches!(
            SignInput::classify(b"\x30\x82", "x").unwrap(),
            SignInput::Csr
        ));
        assert!(matches!(
            SignInput::classify(b"hello", "x").unwrap(),
            SignInput::Csr
        ));
        assert!(matches!(
            SignInput::classify(b"", "x").unwrap(),
            SignInput::Csr
        ));
        let yaml = render(&object("y"), Format::Yaml).unwrap();
        assert!(matches!(
            SignInput::classify(yaml.as_bytes(), "x").unwrap(),
            SignInput::Objects(_)
        ));
        assert!(SignInput::classify(b"{\"kind\": \"Pod\", \"apiVersion\": \"v1\"}", "x").is_err());
        assert!(SignInput::classify(b"{not json", "x").is_err());
    }

    #[test]
    fn empty_list_is_refused() {
        let err = Document::parse(br#"{"kind": "List", "items": []}"#, "l.json").unwrap_err();
        assert!(
            err.to_string().contains("no CertificateSigningRequest"),
            "{err}"
        );
    }

    proptest::proptest! {
        /// Annotation and label values that look like YAML booleans, nulls,
        /// numbers or timestamps stay strings through YAML and JSON.
        #[test]
        fn any_annotations_survive_both_formats(
            annotations in proptest::collection::btree_map("[a-z./-]{1,20}", "\\PC{0,30}|true|no|~|null|0x1F|1e3|2026-11-22", 0..6),
            labels in proptest::collection::btree_map("[a-z]{1,10}", "[ -~]{0,20}", 0..4),
        ) {
            let mut value = object("p");
            value["metadata"]["annotations"] = json!(annotations);
            value["metadata"]["labels"] = json!(labels);
            for format in [Format::Json, Format::Yaml] {
                let text = render(&value, format).unwrap();
                let doc = Document::parse(text.as_bytes(), "p").unwrap();
                proptest::prop_assert_eq!(doc.format, format);
                proptest::prop_assert_eq!(doc.to_value(), value.clone());
            }
        }
    }

    #[test]
    fn deep_yaml_is_refused_before_parsing() {
        let flow = format!("kind: x\na: {}{}\n", "[".repeat(80_000), "]".repeat(80_000));
        let e = Document::parse(flow.as_bytes(), "deep.yaml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("nested deeper"), "{e}");
        assert!(SignInput::classify(flow.as_bytes(), "deep.yaml").is_err());
        let block = format!("kind: x\na:\n{}x\n", "- ".repeat(5_000));
        assert!(Document::parse(block.as_bytes(), "b.yaml").is_err());
        // Brackets inside quoted scalars are text; a plain apostrophe is
        // no quote and hides nothing.
        let quoted = format!("kind: x\nmessage: \"{}\"\n", "[".repeat(1000));
        assert!(check_yaml_nesting(&quoted, "q").is_ok());
        let sneaky = format!("kind: x\nmessage: it's\nb: {}\n", "[".repeat(1000));
        assert!(check_yaml_nesting(&sneaky, "s").is_err());
    }

    #[test]
    fn only_object_like_yaml_is_parsed_by_sign() {
        let junk = format!("a: {}", "[".repeat(200_000));
        assert!(matches!(
            SignInput::classify(junk.as_bytes(), "x").unwrap(),
            SignInput::Csr
        ));
        let yaml = render(&object("y"), Format::Yaml).unwrap();
        assert!(looks_like_yaml_object(&yaml));
        assert!(check_yaml_nesting(&yaml, "y").is_ok());
    }
}
