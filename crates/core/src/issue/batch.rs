//! Issuing many certificates in one process: each request gets a new key,
//! a CSR and a certificate from one CA, exactly as `gencert` makes them,
//! without paying process start, CA loading and config parsing per
//! certificate. Requests come from a JSON array or a directory of CSR JSON
//! files; the output is every item's `NAME.pem`, `NAME-key.pem` (0600) and
//! `NAME.csr`, as `cfssljson -bare NAME` would write them.

use crate::csr::VerifiedCsr;
use crate::error::{Error, Result};
use crate::input::read_input;
use crate::issue::issuer::Issuer;
use crate::keys::KeyPair;
use crate::output::{cert_json, plan_files, OutputFile};
use crate::policy::Profile;
use crate::request::Request;
use serde_json::Value;
use std::path::Path;
use zeroize::Zeroizing;

/// One request of a batch and the base name its files get.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchItem {
    pub name: String,
    pub request: Request,
}

/// The requests of a batch and the warnings reading them produced.
#[derive(Debug)]
pub struct LoadedBatch {
    pub items: Vec<BatchItem>,
    pub warnings: Vec<String>,
}

/// A key, CSR and certificate made for one request.
pub struct Leaf {
    pub key_pem: Zeroizing<String>,
    pub csr_pem: String,
    pub cert_pem: String,
    pub serial: String,
    pub warnings: Vec<String>,
}

/// Everything a batch produced, not yet written.
pub struct BatchOutput {
    pub files: Vec<OutputFile>,
    pub warnings: Vec<String>,
}

/// Reads a batch: a directory holding `*.json` requests (each named by its
/// file stem, in name order) or a file holding a JSON array of requests
/// (named by position: `1`, `2`, ..., zero-padded to a common width).
pub fn load(path: &Path) -> Result<LoadedBatch> {
    if path.is_dir() {
        load_dir(path)
    } else {
        parse_array(&read_input(path)?, &crate::input::display_path(path))
    }
}

/// Parses a JSON array of CSR JSON objects.
pub fn parse_array(bytes: &[u8], source: &str) -> Result<LoadedBatch> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| Error::Json {
        what: source.to_string(),
        source: e,
    })?;
    let Value::Array(elements) = value else {
        return Err(Error::Request(format!(
            "{source}: expected a JSON array of requests"
        )));
    };
    if elements.is_empty() {
        return Err(Error::Request(format!(
            "{source}: the array holds no requests"
        )));
    }
    let width = elements.len().to_string().len();
    let mut batch = LoadedBatch {
        items: Vec::with_capacity(elements.len()),
        warnings: Vec::new(),
    };
    for (index, element) in elements.iter().enumerate() {
        let item_source = format!("{source}[{index}]");
        let bytes = serde_json::to_vec(element).map_err(|e| Error::Json {
            what: item_source.clone(),
            source: e,
        })?;
        let name = format!("{:0width$}", index + 1);
        push_request(&mut batch, name, &bytes, &item_source)?;
    }
    Ok(batch)
}

fn load_dir(dir: &Path) -> Result<LoadedBatch> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.extension().is_some_and(|ext| ext == "json") && path.is_file() {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(Error::Request(format!(
            "{}: no *.json requests in the directory",
            dir.display()
        )));
    }
    paths.sort();
    let mut batch = LoadedBatch {
        items: Vec::with_capacity(paths.len()),
        warnings: Vec::new(),
    };
    for path in paths {
        let source = path.to_string_lossy().into_owned();
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::Request(format!(
                    "{source}: the file name has no stem to name the output"
                ))
            })?;
        push_request(&mut batch, name, &read_input(&source)?, &source)?;
    }
    Ok(batch)
}

fn push_request(batch: &mut LoadedBatch, name: String, bytes: &[u8], source: &str) -> Result<()> {
    let parsed = Request::from_json(bytes, source).map_err(|e| match e {
        Error::Request(msg) if !msg.starts_with(source) => {
            Error::Request(format!("{source}: {msg}"))
        }
        other => other,
    })?;
    if parsed.request.ca.is_some() {
        return Err(Error::Request(format!(
            "{source}: the \"ca\" section is not allowed in a batch (batches issue leaf certificates)"
        )));
    }
    batch.warnings.extend(
        parsed
            .warnings
            .into_iter()
            .map(|w| format!("{source}: {w}")),
    );
    batch.items.push(BatchItem {
        name,
        request: parsed.request,
    });
    Ok(())
}

/// Makes a key, CSR and certificate for `req` under `profile`: the steps
/// of `gencert` with a CA.
pub fn issue_leaf(issuer: &Issuer, profile: &Profile, req: &Request) -> Result<Leaf> {
    let key = KeyPair::generate(req.key)?;
    let csr_pem = crate::csr::build(req, &key)?;
    let csr = VerifiedCsr::parse(csr_pem.as_bytes(), "generated CSR")?;
    let issued = issuer.sign(&csr, profile, None)?;
    Ok(Leaf {
        key_pem: key.to_pem()?,
        csr_pem,
        cert_pem: issued.cert_pem,
        serial: issued.serial,
        warnings: issued.warnings,
    })
}

/// Issues every item on up to `jobs` threads and plans the files under
/// `out_dir`. The first failure stops the batch and nothing is returned to
/// write, so a failed batch leaves no partial output.
pub fn issue_all(
    issuer: &Issuer,
    profile: &Profile,
    items: &[BatchItem],
    out_dir: &Path,
    jobs: usize,
) -> Result<BatchOutput> {
    let jobs = jobs.clamp(1, items.len().max(1));
    let chunk = items.len().div_ceil(jobs).max(1);
    let results: Vec<Result<BatchOutput>> = std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || issue_chunk(issuer, profile, part, out_dir)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(Error::Encoding("a batch worker thread panicked".into()))
                })
            })
            .collect()
    });
    let mut output = BatchOutput {
        files: Vec::with_capacity(items.len() * 3),
        warnings: Vec::new(),
    };
    for result in results {
        let part = result?;
        output.files.extend(part.files);
        output.warnings.extend(part.warnings);
    }
    Ok(output)
}

fn issue_chunk(
    issuer: &Issuer,
    profile: &Profile,
    items: &[BatchItem],
    out_dir: &Path,
) -> Result<BatchOutput> {
    let mut output = BatchOutput {
        files: Vec::with_capacity(items.len() * 3),
        warnings: Vec::new(),
    };
    for item in items {
        let leaf = issue_leaf(issuer, profile, &item.request)?;
        output
            .warnings
            .extend(leaf.warnings.iter().map(|w| format!("{}: {w}", item.name)));
        let json = Zeroizing::new(cert_json(
            Some(&leaf.cert_pem),
            Some(&leaf.csr_pem),
            Some(&leaf.key_pem),
        ));
        let base = out_dir.join(&item.name).to_string_lossy().into_owned();
        output
            .files
            .extend(plan_files(json.as_bytes(), &item.name, &base, true)?);
    }
    Ok(output)
}

/// Collapses per-item warnings that say the same thing into one line each
/// ("N certificates: ..."), so a batch of a thousand does not print a
/// thousand copies.
pub fn summarize_warnings(warnings: &[String]) -> Vec<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for w in warnings {
        let message = w.split_once(": ").map_or(w.as_str(), |(_, m)| m);
        match counts.iter_mut().find(|(m, _)| *m == message) {
            Some((_, n)) => *n += 1,
            None => counts.push((message, 1)),
        }
    }
    counts
        .into_iter()
        .map(|(message, n)| {
            if n == 1 {
                warnings
                    .iter()
                    .find(|w| w.ends_with(message))
                    .cloned()
                    .unwrap_or_else(|| message.to_string())
            } else {
                format!("{n} certificates: {message}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::KeySpec;
    use x509_cert::der::Decode;

    fn test_ca() -> Issuer {
        let req = Request {
            cn: "Batch Test CA".into(),
            key: KeySpec::Ecdsa(256),
            ..Default::default()
        };
        let ca = crate::issue::initca::new_ca(&req).unwrap();
        Issuer::load(
            ca.cert_pem.as_bytes(),
            "ca.pem",
            ca.key_pem.as_bytes(),
            "ca-key.pem",
        )
        .unwrap()
    }

    #[test]
    fn array_items_are_named_by_padded_position() {
        let json = br#"[{"CN":"a","hosts":["a.example"]},{"CN":"b"},{"CN":"c"},{"CN":"d"},{"CN":"e"},
                        {"CN":"f"},{"CN":"g"},{"CN":"h"},{"CN":"i"},{"CN":"j","key":{"algo":"ecdsa","size":384}}]"#;
        let batch = parse_array(json, "b.json").unwrap();
        let names: Vec<&str> = batch.items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names.first(), Some(&"01"));
        assert_eq!(names.last(), Some(&"10"));
        assert_eq!(batch.items[0].request.hosts, ["a.example"]);
        assert_eq!(batch.items[9].request.key, KeySpec::Ecdsa(384));
    }

    #[test]
    fn bad_array_elements_name_their_position() {
        let err = parse_array(br#"[{"CN":"a"},{"CN":"b","key":5}]"#, "b.json").unwrap_err();
        assert!(err.to_string().contains("b.json[1]: key:"), "{err}");
        let err = parse_array(br#"[{"CN":"a"}, 7]"#, "b.json").unwrap_err();
        assert!(err.to_string().contains("b.json[1]"), "{err}");
        assert!(parse_array(b"{}", "b.json").is_err());
        assert!(parse_array(b"[]", "b.json").is_err());
        let err = parse_array(br#"[{"CN":"x","ca":{"expiry":"1h"}}]"#, "b.json").unwrap_err();
        assert!(err.to_string().contains("\"ca\" section"), "{err}");
    }

    #[test]
    fn directory_items_are_named_by_file_stem_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("web.json"), r#"{"CN":"web"}"#).unwrap();
        std::fs::write(dir.path().join("api.json"), r#"{"CN":"api","Bogus":1}"#).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a request").unwrap();
        let batch = load(dir.path()).unwrap();
        let names: Vec<&str> = batch.items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["api", "web"]);
        assert!(
            batch
                .warnings
                .iter()
                .any(|w| w.contains("api.json") && w.contains("Bogus")),
            "{:?}",
            batch.warnings
        );
        let empty = tempfile::tempdir().unwrap();
        assert!(load(empty.path()).is_err());
    }

    #[test]
    fn every_item_gets_a_verifiable_certificate_key_and_csr() {
        let issuer = test_ca();
        let batch = parse_array(br#"[{"CN":"one","hosts":["one.example"]},{"CN":"two","hosts":["10.0.0.2"]},{"CN":"three"}]"#, "b").unwrap();
        let out = Path::new("/out");
        let output = issue_all(&issuer, &Profile::cfssl_default(), &batch.items, out, 2).unwrap();
        let names: Vec<(&str, u32)> = output
            .files
            .iter()
            .map(|f| (f.name.to_str().unwrap(), f.mode))
            .collect();
        assert_eq!(
            names,
            [
                ("/out/1.pem", 0o644),
                ("/out/1-key.pem", 0o600),
                ("/out/1.csr", 0o644),
                ("/out/2.pem", 0o644),
                ("/out/2-key.pem", 0o600),
                ("/out/2.csr", 0o644),
                ("/out/3.pem", 0o644),
                ("/out/3-key.pem", 0o600),
                ("/out/3.csr", 0o644),
            ]
        );
        let ca_spki = issuer
            .certificate()
            .tbs_certificate()
            .subject_public_key_info()
            .clone();
        let ca_spki_der = der::Encode::to_der(&ca_spki).unwrap();
        let ca_spki = spki::SubjectPublicKeyInfoRef::from_der(&ca_spki_der).unwrap();
        let mut serials = Vec::new();
        for (i, cn) in ["one", "two", "three"].iter().enumerate() {
            let cert =
                crate::issue::issuer::parse_certificate(&output.files[i * 3].contents, "leaf")
                    .unwrap();
            let tbs = cert.tbs_certificate();
            assert!(tbs.subject().to_string().contains(cn), "{}", tbs.subject());
            serials.push(tbs.serial_number().clone());
            let alg = der::Encode::to_der(cert.signature_algorithm()).unwrap();
            let alg = spki::AlgorithmIdentifierRef::from_der(&alg).unwrap();
            let tbs_der = der::Encode::to_der(tbs).unwrap();
            crate::keys::verify_signature(&ca_spki, &alg, &tbs_der, cert.signature().raw_bytes())
                .unwrap();
            let key = KeyPair::from_pem(&output.files[i * 3 + 1].contents, "key").unwrap();
            let leaf_spki = der::Encode::to_der(tbs.subject_public_key_info()).unwrap();
            assert!(key.matches(&leaf_spki).unwrap());
            VerifiedCsr::parse(&output.files[i * 3 + 2].contents, "csr").unwrap();
        }
        serials.dedup();
        assert_eq!(serials.len(), 3);
        assert!(
            output
                .warnings
                .iter()
                .any(|w| w.starts_with("3: ") && w.contains("hosts")),
            "{:?}",
            output.warnings
        );
    }

    #[test]
    fn a_failing_item_fails_the_whole_batch() {
        let issuer = test_ca();
        let batch = parse_array(r#"[{"CN":"ok"},{"names":[]}]"#.as_bytes(), "b").unwrap();
        let err = issue_all(
            &issuer,
            &Profile::cfssl_default(),
            &batch.items,
            Path::new("/out"),
            1,
        )
        .err()
        .expect("a request naming no one must fail the batch");
        assert!(err.to_string().contains("name no one"), "{err}");
        let e = parse_array(r#"[{"CN":"x","hosts":["bücher.example"]}]"#.as_bytes(), "b")
            .expect_err("a U-label is refused when the batch is read");
        assert!(e.to_string().contains("hosts[0]"), "{e}");
    }

    #[test]
    fn identical_warnings_are_counted_once() {
        let warnings = vec![
            "1: dropped".to_string(),
            "2: dropped".to_string(),
            "3: other".to_string(),
        ];
        assert_eq!(
            summarize_warnings(&warnings),
            ["2 certificates: dropped", "3: other"]
        );
    }
}
