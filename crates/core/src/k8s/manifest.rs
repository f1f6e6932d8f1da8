//! New CertificateSigningRequest manifests, ready for `kubectl apply -f -`:
//! the CSR (given, or generated with its key from a request JSON) as
//! `spec.request`, plus the name, signer, usages and lifetime.

use super::object::{API_VERSION, KIND, MIN_EXPIRATION_SECONDS};
use super::signer_rules::BuiltinSigner;
use crate::csr::VerifiedCsr;
use crate::error::{Error, Result};
use crate::keys::KeyPair;
use crate::policy::{parse_usage, usage_vocabulary};
use crate::request::Request;
use base64::Engine;
use serde_json::{json, Value};
use zeroize::Zeroizing;

/// What the manifest says besides the CSR.
#[derive(Debug, Clone)]
pub struct ManifestSpec {
    pub name: String,
    pub signer_name: String,
    pub usages: Vec<String>,
    pub expiration_seconds: Option<u64>,
}

/// A CSR to put in a manifest, and the key when certkit generated it.
pub struct CsrSource {
    pub csr: VerifiedCsr,
    pub key_pem: Option<Zeroizing<String>>,
    pub warnings: Vec<String>,
}

impl CsrSource {
    /// A PEM (or DER) CSR is used as it is; anything else is read as a
    /// request JSON and gets a new key and CSR.
    pub fn from_input(bytes: &[u8], source: &str) -> Result<CsrSource> {
        let trimmed = bytes.trim_ascii_start();
        if trimmed.starts_with(b"-----") || trimmed.first() == Some(&0x30) {
            return Ok(CsrSource {
                csr: VerifiedCsr::parse(bytes, source)?,
                key_pem: None,
                warnings: Vec::new(),
            });
        }
        let parsed = Request::from_json(bytes, source)?;
        let mut warnings: Vec<String> = parsed
            .warnings
            .iter()
            .map(|w| format!("{source}: {w}"))
            .collect();
        if parsed.request.ca.is_some() {
            warnings.push(format!("{source}: the \"ca\" section is ignored: Kubernetes signers issue what their profile says"));
        }
        let key = KeyPair::generate(parsed.request.key)?;
        Ok(CsrSource {
            csr: VerifiedCsr::built(&parsed.request, &key)?,
            key_pem: Some(key.to_pem()?),
            warnings,
        })
    }
}

/// Builds the manifest, refusing what the API server (or, for a built-in
/// signer, that signer) would refuse.
pub fn build(csr: &VerifiedCsr, spec: &ManifestSpec) -> Result<Value> {
    check_object_name(&spec.name)?;
    check_signer_name(&spec.signer_name)?;
    if spec.usages.is_empty() {
        return Err(Error::Request(
            "usages: at least one usage is required".into(),
        ));
    }
    let usages = spec
        .usages
        .iter()
        .map(|word| {
            canonical_usage(word)
                .ok_or_else(|| Error::Request(format!("usages: unknown usage {word:?}")))
        })
        .collect::<Result<Vec<_>>>()?;
    if let Some(builtin) = BuiltinSigner::from_name(&spec.signer_name) {
        let words: Vec<String> = usages.iter().map(|u| u.to_string()).collect();
        builtin
            .check(csr, &words, false)
            .map_err(|rule| Error::Refused(rule.to_string()))?;
    }
    let request = base64::engine::general_purpose::STANDARD.encode(csr.to_pem());
    let mut manifest = json!({
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": spec.name},
        "spec": {
            "request": request,
            "signerName": spec.signer_name,
            "usages": usages,
        },
    });
    if let Some(seconds) = spec.expiration_seconds {
        // The API stores it as an int32.
        if !(MIN_EXPIRATION_SECONDS..=i32::MAX as u64).contains(&seconds) {
            return Err(Error::Request(format!(
                "expirationSeconds: {seconds} is outside {MIN_EXPIRATION_SECONDS}..={}",
                i32::MAX
            )));
        }
        manifest["spec"]["expirationSeconds"] = json!(seconds);
    }
    Ok(manifest)
}

/// The API's spelling of a usage (its enum is lower case).
fn canonical_usage(word: &str) -> Option<&'static str> {
    let usage = parse_usage(word)?;
    let trimmed = word.trim();
    usage_vocabulary()
        .into_iter()
        .find(|(name, u)| *u == usage && name.eq_ignore_ascii_case(trimmed))
        .map(|(name, _)| name)
}

/// metadata.name: a DNS subdomain (RFC 1123), as the API requires.
fn check_object_name(name: &str) -> Result<()> {
    if !is_dns_subdomain(name) {
        return Err(Error::Request(format!(
            "name {name:?}: must be a lower-case DNS subdomain (a-z, 0-9, '-' and '.', at most 253 characters)"
        )));
    }
    Ok(())
}

/// spec.signerName: `DOMAIN/PATH`, as the API requires.
fn check_signer_name(name: &str) -> Result<()> {
    match name.split_once('/') {
        Some((domain, path)) if is_dns_subdomain(domain) && !path.is_empty() => Ok(()),
        _ => Err(Error::Request(format!(
            "signer name {name:?}: must be DOMAIN/PATH, e.g. example.com/serving"
        ))),
    }
}

fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::KeySpec;

    fn csr() -> VerifiedCsr {
        let req = Request {
            cn: "my-pod".into(),
            hosts: vec!["my-svc.example".into()],
            ..Default::default()
        };
        let key = KeyPair::generate(KeySpec::Ecdsa(256)).unwrap();
        VerifiedCsr::parse(crate::csr::build(&req, &key).unwrap().as_bytes(), "t").unwrap()
    }

    fn spec() -> ManifestSpec {
        ManifestSpec {
            name: "my-svc.my-namespace".into(),
            signer_name: "example.com/serving".into(),
            usages: vec!["Digital Signature".into(), "server auth".into()],
            expiration_seconds: Some(3600),
        }
    }

    #[test]
    fn manifest_carries_the_csr_and_canonical_usages() {
        let csr = csr();
        let m = build(&csr, &spec()).unwrap();
        assert_eq!(
            m["spec"]["usages"],
            json!(["digital signature", "server auth"])
        );
        assert_eq!(m["spec"]["expirationSeconds"], 3600);
        let request = m["spec"]["request"].as_str().unwrap();
        assert!(!request.contains('\n'));
        let pem = base64::engine::general_purpose::STANDARD
            .decode(request)
            .unwrap();
        assert_eq!(pem, csr.to_pem().into_bytes());
    }

    #[test]
    fn api_rules_are_checked() {
        let csr = csr();
        type Breakage = fn(&mut ManifestSpec);
        let cases: [(Breakage, &str); 4] = [
            (|s| s.expiration_seconds = Some(599), "expirationSeconds"),
            (|s| s.name = "My_Svc".into(), "DNS subdomain"),
            (|s| s.signer_name = "serving".into(), "DOMAIN/PATH"),
            (|s| s.usages = vec!["server auht".into()], "unknown usage"),
        ];
        for (edit, why) in cases {
            let mut s = spec();
            edit(&mut s);
            let err = build(&csr, &s).unwrap_err().to_string();
            assert!(err.contains(why), "{err}");
        }
    }

    #[test]
    fn builtin_signer_rules_apply_at_request_time() {
        let mut s = spec();
        s.signer_name = "kubernetes.io/kubelet-serving".into();
        let err = build(&csr(), &s).unwrap_err().to_string();
        assert!(
            err.contains("kubernetes.io/kubelet-serving signer rule"),
            "{err}"
        );
    }

    #[test]
    fn request_json_gets_a_new_key() {
        let source =
            CsrSource::from_input(br#"{"CN":"x","hosts":["x.example"]}"#, "r.json").unwrap();
        let key = KeyPair::from_pem(source.key_pem.unwrap().as_bytes(), "k").unwrap();
        assert!(key
            .matches(&der::Encode::to_der(source.csr.public_key()).unwrap())
            .unwrap());
        let given = CsrSource::from_input(csr().to_pem().as_bytes(), "c.csr").unwrap();
        assert!(given.key_pem.is_none());
    }
}
