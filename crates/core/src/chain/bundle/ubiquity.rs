//! cfssl's ubiquity metadata: a JSON list of platforms (browsers, OSes)
//! with a weight and a root store file each. A chain's ubiquity is the
//! total weight of the platforms that trust its root and accept its
//! hash and key algorithms.

use super::chain::{hash_ubiquity, key_ubiquity};
use crate::chain::certs::{parse_all, Cert};
use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;

#[derive(Debug, Deserialize)]
struct RawPlatform {
    name: String,
    #[serde(default)]
    weight: u32,
    #[serde(default)]
    hash_algo: String,
    #[serde(default)]
    key_algo: String,
    #[serde(default)]
    keystore: String,
}

/// One platform of the metadata, with its root store loaded.
#[derive(Debug)]
pub struct Platform {
    pub name: String,
    weight: u32,
    min_hash: u32,
    min_key: u32,
    /// Raw subject public keys of the trusted roots; empty means "trusts
    /// whatever roots it is given" (cfssl's rule).
    store: HashSet<Vec<u8>>,
}

fn root_key(cert: &Cert) -> Vec<u8> {
    cert.cert
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .raw_bytes()
        .to_vec()
}

impl Platform {
    pub fn trusts(&self, root: &Cert) -> bool {
        self.store.is_empty() || self.store.contains(&root_key(root))
    }
}

/// Loads a metadata file; keystore paths are relative to its directory.
pub fn load(file: &Path) -> Result<Vec<Platform>> {
    let text = crate::input::read_input(file)?;
    let path = crate::input::display_path(file);
    let path = path.as_str();
    let raw: Vec<RawPlatform> = serde_json::from_slice(&text).map_err(|e| Error::Json {
        what: path.to_string(),
        source: e,
    })?;
    let dir = file.parent().unwrap_or(Path::new("."));
    raw.into_iter()
        .map(|p| {
            let min_hash = match p.hash_algo.as_str() {
                "SHA1" => 100,
                "SHA2" => 70,
                other => {
                    return Err(Error::decode(
                        path,
                        format!("platform {:?}: unknown hash_algo {other:?}", p.name),
                    ))
                }
            };
            let min_key = match p.key_algo.as_str() {
                "RSA" => 100,
                "ECDSA256" | "ECDSA384" => 70,
                "ECDSA521" => 30,
                other => {
                    return Err(Error::decode(
                        path,
                        format!("platform {:?}: unknown key_algo {other:?}", p.name),
                    ))
                }
            };
            let mut store = HashSet::new();
            if !p.keystore.is_empty() {
                let file = dir.join(&p.keystore);
                let certs = parse_all(&crate::input::read_input(&file)?)
                    .map_err(|e| Error::decode(crate::input::display_path(&file), e))?;
                store.extend(certs.iter().map(root_key));
            }
            Ok(Platform {
                name: p.name,
                weight: p.weight,
                min_hash,
                min_key,
                store,
            })
        })
        .collect()
}

/// The total weight of platforms that accept `chain` (root last).
pub fn score(platforms: &[Platform], chain: &[Cert]) -> u32 {
    let Some(root) = chain.last() else { return 0 };
    let (hash, key) = (hash_ubiquity(chain), key_ubiquity(chain));
    platforms
        .iter()
        .filter(|p| p.trusts(root) && p.min_hash <= hash && p.min_key <= key)
        .map(|p| p.weight)
        .sum()
}

/// Names of the platforms whose root store lacks `root`.
pub fn untrusted(platforms: &[Platform], root: &Cert) -> Vec<String> {
    platforms
        .iter()
        .filter(|p| !p.trusts(root))
        .map(|p| p.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_trust_by_root_key_and_weigh_by_algorithms() {
        let dir = tempfile::tempdir().unwrap();
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/cfssl/bundler/");
        std::fs::copy(format!("{fixtures}ca.pem"), dir.path().join("store.pem")).unwrap();
        let meta = dir.path().join("meta.json");
        std::fs::write(
            &meta,
            r#"[{"name":"A","weight":10,"hash_algo":"SHA2","key_algo":"RSA","keystore":"store.pem"},
                {"name":"B","weight":5,"hash_algo":"SHA1","key_algo":"RSA","keystore":"store.pem"}]"#,
        )
        .unwrap();
        let platforms = load(&meta).unwrap();
        let root = parse_all(&std::fs::read(format!("{fixtures}ca.pem")).unwrap()).unwrap();
        // The root alone is SHA-256 signed: A accepts SHA-2, B wants SHA-1.
        assert_eq!(score(&platforms, &root), 10);
        assert!(untrusted(&platforms, &root[0]).is_empty());
        let other = parse_all(&std::fs::read(format!("{fixtures}inter-L1.pem")).unwrap()).unwrap();
        assert_eq!(untrusted(&platforms, &other[0]), ["A", "B"]);
    }
}
