//! cfssl's JSON output and cfssljson's reading of it: which files a
//! response becomes, with which names and modes.

use crate::error::{Error, Result};
use der::Decode;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use zeroize::{Zeroize, Zeroizing};

/// cfssl's `PrintCert` output: an object of the PEM strings that are
/// present, keys sorted, newline-terminated. It may hold a private key, so
/// it is built in a buffer sized up front (no reallocation leaves a copy
/// behind) and zeroized on drop.
pub fn cert_json(cert: Option<&str>, csr: Option<&str>, key: Option<&str>) -> Zeroizing<String> {
    let mut out = BTreeMap::new();
    for (name, value) in [("cert", cert), ("csr", csr), ("key", key)] {
        if let Some(v) = value {
            out.insert(name, v);
        }
    }
    // JSON escaping at most doubles PEM text (newlines become \n).
    let capacity = out.values().map(|v| 2 * v.len() + 16).sum::<usize>() + 8;
    let mut buf = Zeroizing::new(Vec::with_capacity(capacity));
    if serde_json::to_writer(&mut *buf, &out).is_err() {
        buf.clear();
        buf.extend_from_slice(b"{}");
    }
    buf.push(b'\n');
    Zeroizing::new(String::from_utf8(std::mem::take(&mut *buf)).unwrap_or_default())
}

/// One file cfssljson writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Where it goes: a path, not text, so any name the OS allows works.
    pub name: std::path::PathBuf,
    pub contents: Vec<u8>,
    pub mode: u32,
    /// Whether the contents are binary (base64-encoded on `-stdout`).
    pub binary: bool,
}

/// The contents may be a private key: wiped when the file is dropped.
impl Drop for OutputFile {
    fn drop(&mut self) {
        self.contents.zeroize();
    }
}

/// Decides the files for a cfssl response, as cfssljson does: `cert` (or
/// `certificate`) to NAME.pem, `key` (or `private_key`) to NAME-key.pem
/// with mode 0600, `encrypted_key` to NAME-key.enc (0600), `csr` (or `certificate_request`) to NAME.csr, a bundle
/// to NAME-bundle.pem (the chain) and NAME-root.pem, an OCSP response to
/// NAME-response.der. Without `bare`, the API envelope is unwrapped:
/// `{"success": false}` is an error naming the response's messages.
pub fn plan_files(
    input: &[u8],
    source: &str,
    base: impl AsRef<std::ffi::OsStr>,
    bare: bool,
) -> Result<Vec<OutputFile>> {
    if input.trim_ascii().is_empty() {
        return Err(Error::decode(
            source,
            "empty input: nothing to write (did the command before the pipe fail?)",
        ));
    }
    let mut value: Value = serde_json::from_slice(input).map_err(|e| Error::Json {
        what: source.to_string(),
        source: e,
    })?;
    let files = plan_value(&value, source, base.as_ref(), bare);
    zeroize_strings(&mut value);
    files
}

/// Wipes every string of a parsed response: one of them may be a key.
fn zeroize_strings(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(zeroize_strings),
        Value::Object(map) => map.values_mut().for_each(zeroize_strings),
        _ => {}
    }
}

/// `base` followed by `suffix`: a path, whatever bytes `base` holds.
fn suffixed(base: &std::ffi::OsStr, suffix: &str) -> std::path::PathBuf {
    let mut name = base.to_os_string();
    name.push(suffix);
    name.into()
}

fn plan_value(
    value: &Value,
    source: &str,
    base: &std::ffi::OsStr,
    bare: bool,
) -> Result<Vec<OutputFile>> {
    let Value::Object(top) = value else {
        return Err(Error::decode(source, "expected a JSON object"));
    };
    let mut obj: &Map<String, Value> = top;
    if !bare && is_envelope(obj) {
        if obj.get("success") == Some(&Value::Bool(false)) {
            return Err(Error::decode(
                source,
                format!("the response reports failure: {}", envelope_errors(obj)),
            ));
        }
        obj = match obj.get("result") {
            Some(Value::Object(result)) => result,
            _ => return Err(Error::decode(source, "the response has no result object")),
        };
    }
    let text = |keys: &[&str]| -> Result<Option<String>> {
        for key in keys {
            match obj.get(*key) {
                Some(Value::String(s)) if !s.is_empty() => return Ok(Some(s.clone())),
                Some(Value::String(_)) | Some(Value::Null) | None => {}
                Some(_) => {
                    return Err(Error::decode(
                        source,
                        format!("field {key:?} is not a string"),
                    ))
                }
            }
        }
        Ok(None)
    };
    let mut files = Vec::new();
    let mut add = |suffix: &str, contents: Vec<u8>, mode: u32, binary: bool| {
        files.push(OutputFile {
            name: suffixed(base, suffix),
            contents,
            mode,
            binary,
        });
    };
    if let Some(cert) = text(&["cert", "certificate"])? {
        check_pem(&cert, PemKind::Certificates, source, "cert")?;
        add(".pem", cert.into_bytes(), 0o644, false);
    }
    if let Some(key) = Zeroizing::new(text(&["key", "private_key"])?).as_ref() {
        check_pem(key, PemKind::PrivateKey, source, "key")?;
        add("-key.pem", key.clone().into_bytes(), 0o600, false);
    }
    // cfssljson writes `encrypted_key` (a key Red October encrypted, as
    // base64 text) to NAME-key.enc as it is, mode 0600, and base64-encodes
    // it once more on -stdout (a "binary" file there): the same here. Text
    // that is not base64 is refused, as a key that is not PEM is.
    if let Some(encrypted) = Zeroizing::new(text(&["encrypted_key"])?).as_ref() {
        use base64::Engine;
        if let Err(e) = base64::engine::general_purpose::STANDARD.decode(encrypted.trim()) {
            return Err(Error::decode(
                source,
                format!("field \"encrypted_key\" is not base64 ({e}); nothing was written"),
            ));
        }
        add("-key.enc", encrypted.clone().into_bytes(), 0o600, true);
    }
    if let Some(csr) = text(&["csr", "certificate_request"])? {
        check_pem(&csr, PemKind::Request, source, "csr")?;
        add(".csr", csr.into_bytes(), 0o644, false);
    }
    // NAME-bundle.pem is what servers send (nginx ssl_certificate,
    // Kubernetes tls.crt): the chain without its root, as cfssljson 1.2.0
    // writes it from `cfssl bundle`. Only the API's nested bundle object,
    // which current cfssljson reads, gets the root appended, as there.
    let (bundle, root, with_root) = match obj.get("bundle") {
        Some(Value::Object(b)) => (string_field(b, "bundle"), string_field(b, "root"), true),
        Some(Value::String(b)) => (Some(b.clone()), string_field(obj, "root"), false),
        _ => (None, None, false),
    };
    if let Some(bundle) = bundle {
        let root = root.unwrap_or_default();
        check_pem(&bundle, PemKind::Certificates, source, "bundle")?;
        if !root.is_empty() {
            check_pem(&root, PemKind::Certificates, source, "root")?;
        }
        let mut contents = bundle;
        if with_root && !root.is_empty() {
            if !contents.ends_with('\n') {
                contents.push('\n');
            }
            contents.push_str(&root);
        }
        add("-bundle.pem", contents.into_bytes(), 0o644, false);
        if !root.is_empty() {
            add("-root.pem", root.into_bytes(), 0o644, false);
        }
    }
    if let Some(ocsp) = text(&["ocspResponse"])? {
        use base64::Engine;
        let der = base64::engine::general_purpose::STANDARD
            .decode(ocsp.trim())
            .map_err(|e| Error::decode(source, format!("ocspResponse is not base64: {e}")))?;
        files.push(OutputFile {
            name: suffixed(base, "-response.der"),
            contents: der,
            mode: 0o644,
            binary: true,
        });
    }
    if files.is_empty() {
        return Err(Error::decode(
            source,
            "nothing to write: no cert, key, encrypted_key, csr or bundle field found",
        ));
    }
    Ok(files)
}

/// What a file cfssljson writes promises by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PemKind {
    /// NAME.pem, NAME-bundle.pem, NAME-root.pem
    Certificates,
    /// NAME-key.pem
    PrivateKey,
    /// NAME.csr
    Request,
}

/// Refuses a field whose text is not PEM of the kind its file promises
/// (cfssljson writes `"garbage"` to NAME-key.pem and exits 0): every
/// block must have a tag of that kind and decode as it. Encrypted keys
/// are checked by their structure only.
fn check_pem(text: &str, kind: PemKind, source: &str, field: &str) -> Result<()> {
    let refuse = |why: String| {
        let what = match kind {
            PemKind::Certificates => "PEM certificates",
            PemKind::PrivateKey => "a PEM private key",
            PemKind::Request => "a PEM certificate request",
        };
        Err(Error::decode(
            source,
            format!("field {field:?} is not {what} ({why}); nothing was written"),
        ))
    };
    // A key alone is decoded without the pem crate, which would leave a
    // copy of its base64 text in freed memory.
    if kind == PemKind::PrivateKey {
        if let Some((label, block, der)) =
            crate::keys::format::decode_private_key_block(text.as_bytes())
        {
            if block.len() == text.trim().len() {
                return check_block(kind, label, &der, false).or_else(|e| refuse(e.to_string()));
            }
        }
    }
    let blocks = match pem::parse_many(text) {
        Ok(blocks) if !blocks.is_empty() => blocks,
        Ok(_) => return refuse("no PEM block".into()),
        Err(e) => return refuse(e.to_string()),
    };
    for block in blocks {
        let tag = block.tag().to_string();
        let encrypted_legacy = block.headers().get("Proc-Type").is_some();
        let der = Zeroizing::new(block.into_contents());
        check_block(kind, &tag, &der, encrypted_legacy).or_else(|e| refuse(e.to_string()))?;
    }
    Ok(())
}

/// Why a PEM block is not what its file promises.
#[derive(Debug, thiserror::Error)]
enum BlockMismatch {
    #[error("found a {0:?} block")]
    WrongKind(String),
    #[error("its {tag} block does not decode: {source}")]
    Undecodable { tag: String, source: der::Error },
}

/// Whether one decoded PEM block is of the kind its file promises; the
/// refusal's reason.
fn check_block(
    kind: PemKind,
    tag: &str,
    der: &[u8],
    encrypted_legacy: bool,
) -> std::result::Result<(), BlockMismatch> {
    let decoded = match (kind, tag) {
        (PemKind::Certificates, "CERTIFICATE") => x509_cert::Certificate::from_der(der).map(|_| ()),
        (PemKind::Request, "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST") => {
            x509_cert::request::CertReq::from_der(der).map(|_| ())
        }
        (PemKind::PrivateKey, _) if encrypted_legacy => Ok(()),
        (PemKind::PrivateKey, "PRIVATE KEY") => pkcs8::PrivateKeyInfoRef::from_der(der).map(|_| ()),
        (PemKind::PrivateKey, "ENCRYPTED PRIVATE KEY") => {
            pkcs8::EncryptedPrivateKeyInfoRef::from_der(der).map(|_| ())
        }
        (PemKind::PrivateKey, "RSA PRIVATE KEY") => {
            pkcs1::RsaPrivateKey::<der::asn1::UintRef<'_>>::from_der(der).map(|_| ())
        }
        (PemKind::PrivateKey, "EC PRIVATE KEY") => sec1::EcPrivateKey::from_der(der).map(|_| ()),
        (PemKind::PrivateKey, "EC PARAMETERS") => Ok(()),
        _ => return Err(BlockMismatch::WrongKind(tag.to_string())),
    };
    decoded.map_err(|source| BlockMismatch::Undecodable {
        tag: tag.to_string(),
        source,
    })
}

fn is_envelope(obj: &Map<String, Value>) -> bool {
    obj.contains_key("success") && (obj.contains_key("result") || obj.contains_key("errors"))
}

fn envelope_errors(obj: &Map<String, Value>) -> String {
    let messages: Vec<String> = obj
        .get("errors")
        .and_then(Value::as_array)
        .map(|errs| {
            errs.iter()
                .map(|e| match (e.get("code"), e.get("message")) {
                    (Some(code), Some(Value::String(msg))) => format!("{msg} (code {code})"),
                    (_, Some(Value::String(msg))) => msg.clone(),
                    _ => e.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    if messages.is_empty() {
        "no error message given".into()
    } else {
        messages.join("; ")
    }
}

fn string_field(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cert_json_is_sorted_and_newline_terminated() {
        let out = cert_json(Some("C"), Some("R"), Some("K"));
        assert_eq!(
            out.as_str(),
            "{\"cert\":\"C\",\"csr\":\"R\",\"key\":\"K\"}\n"
        );
        assert_eq!(
            cert_json(None, Some("R"), Some("K")).as_str(),
            "{\"csr\":\"R\",\"key\":\"K\"}\n"
        );
    }

    /// A real certificate, request and key, as JSON fields.
    fn material() -> (String, String, String) {
        let ca = crate::issue::initca::new_ca(&crate::request::Request {
            cn: "Output CA".into(),
            ..Default::default()
        })
        .unwrap();
        (ca.cert_pem, ca.csr_pem, ca.key_pem.to_string())
    }

    #[test]
    fn bare_output_maps_to_cfssljson_names_and_modes() {
        let (cert, csr, key) = material();
        let json = serde_json::json!({"cert": cert, "csr": csr, "key": key}).to_string();
        let files = plan_files(json.as_bytes(), "in", "ca", true).unwrap();
        let names: Vec<(&str, u32)> = files
            .iter()
            .map(|f| (f.name.to_str().unwrap(), f.mode))
            .collect();
        assert_eq!(
            names,
            vec![("ca.pem", 0o644), ("ca-key.pem", 0o600), ("ca.csr", 0o644)]
        );
    }

    #[test]
    fn envelope_is_unwrapped_and_failure_reported() {
        let (cert, _, _) = material();
        let json = serde_json::json!({"success": true, "result": {"certificate": cert}, "errors": [], "messages": []});
        let files = plan_files(json.to_string().as_bytes(), "in", "x", false).unwrap();
        assert_eq!(files[0].name, std::path::Path::new("x.pem"));
        let err = plan_files(
            br#"{"success":false,"result":null,"errors":[{"code":1000,"message":"bad"}]}"#,
            "in",
            "x",
            false,
        )
        .unwrap_err();
        assert!(err.to_string().contains("bad (code 1000)"), "{err}");
    }

    #[test]
    fn bundle_output_writes_bundle_and_root() {
        let (cert, _, _) = material();
        let json = serde_json::json!({"bundle": cert, "root": cert, "crt": "C"});
        let files = plan_files(json.to_string().as_bytes(), "in", "s", true).unwrap();
        assert_eq!(files[0].name, std::path::Path::new("s-bundle.pem"));
        assert_eq!(
            files[0].contents,
            cert.as_bytes(),
            "the chain alone, as cfssljson 1.2.0"
        );
        assert_eq!(files[1].name, std::path::Path::new("s-root.pem"));
        let json = serde_json::json!({"bundle": {"bundle": cert, "root": cert}});
        let nested = plan_files(json.to_string().as_bytes(), "in", "s", true).unwrap();
        assert_eq!(
            nested[0].contents,
            format!("{cert}{cert}").into_bytes(),
            "as current cfssljson"
        );
    }

    #[test]
    fn empty_or_wrong_input_is_an_error() {
        assert!(plan_files(b"{}", "in", "x", true).is_err());
        assert!(plan_files(b"[]", "in", "x", true).is_err());
        assert!(plan_files(b"{\"cert\":5}", "in", "x", true).is_err());
        assert!(plan_files(b"", "in", "x", true).is_err());
    }

    #[test]
    fn each_pem_must_be_what_its_file_name_promises() {
        let (cert, csr, key) = material();
        for (json, field) in [
            (serde_json::json!({"cert": "garbage", "key": key}), "cert"),
            (serde_json::json!({"cert": cert, "key": "garbage"}), "key"),
            (serde_json::json!({"cert": cert, "key": cert}), "key"),
            (serde_json::json!({"cert": key, "key": key}), "cert"),
            (serde_json::json!({"cert": cert, "csr": cert}), "csr"),
            (
                serde_json::json!({"cert": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}),
                "cert",
            ),
        ] {
            let err = plan_files(json.to_string().as_bytes(), "in", "x", true)
                .unwrap_err()
                .to_string();
            assert!(err.contains(&format!("field \"{field}\"")), "{err}");
            assert!(!err.contains("PRIVATE KEY-----\n"), "{err}");
        }
        let ok = serde_json::json!({"cert": cert, "csr": csr, "key": key});
        assert_eq!(
            plan_files(ok.to_string().as_bytes(), "in", "x", true)
                .unwrap()
                .len(),
            3
        );
    }
}
