//! Where a bundle's inputs come from: files (or standard input) named on
//! the command line, read with cfssl's error codes for each kind.

use super::{
    codes, failure, load_pool, parse_input, ubiquity, Bundle, BundleOptions, Flavor, Pools,
};
use crate::error::{Error, Result};
use crate::input::{display_path, read_input, read_pool};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// The files a bundle is built from, and the rules it is held to.
/// `Default` is cfssl's: no files, the ubiquitous flavor, verify's rules;
/// build it with `..Default::default()`, so that fields added later do
/// not break callers.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Paths, not text: any name the OS allows (`-` is standard input).
    pub cert: PathBuf,
    pub key: Option<PathBuf>,
    pub ca_bundle: Option<PathBuf>,
    pub int_bundle: Option<PathBuf>,
    pub int_dir: Option<PathBuf>,
    pub metadata: Option<PathBuf>,
    pub flavor: Flavor,
    /// What the chain may hold beyond `verify`'s rules (`-allow-sha1`).
    pub options: BundleOptions,
    /// `-password`: a `cert` that is a PKCS#12 file is opened with it
    /// (empty when absent, as cfssl); its key is the bundle's unless
    /// `key` names one.
    pub pkcs12_password: Option<zeroize::Zeroizing<Vec<u8>>>,
}

fn read_with(path: &Path, code: u32) -> Result<Vec<u8>> {
    read_input(path).map_err(|e| failure(code, e.to_string()))
}

fn read_pool_with(path: &Path, code: u32) -> Result<Vec<u8>> {
    read_pool(path).map_err(|e| failure(code, e.to_string()))
}

/// Every certificate file (`*.pem`, `*.crt`, `*.der`) in a directory,
/// sorted by name so that results do not depend on directory order.
/// Loads the certificates of `dir`; returns a note for each file skipped
/// because it is not a regular file (a FIFO would block the read forever,
/// a device would never end).
fn load_dir(pools: &mut Pools, dir: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        failure(
            codes::INTERMEDIATES_READ_FAILED,
            Error::io(dir, e).to_string(),
        )
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "pem" || x == "crt" || x == "der")
        })
        .collect();
    paths.sort();
    let mut skipped = Vec::new();
    for path in paths {
        let name = display_path(&path);
        if !std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            skipped.push(format!(
                "{}: skipped, not a regular file",
                crate::text::escape_controls(&name)
            ));
            continue;
        }
        let bytes = read_pool_with(&path, codes::INTERMEDIATES_READ_FAILED)?;
        load_pool(
            &mut pools.intermediates,
            &bytes,
            &name,
            codes::INTERMEDIATES_PARSE_FAILED,
        )?;
    }
    Ok(skipped)
}

/// Reads everything and builds the bundle at `now`.
pub fn bundle_from(sources: &Sources, now: SystemTime) -> Result<Bundle> {
    let key = match &sources.key {
        Some(path) => {
            let pem = read_with(path, codes::KEY_READ_FAILED)?;
            if pem.trim_ascii().is_empty() {
                return Err(failure(
                    codes::KEY_DECODE_FAILED,
                    format!("{}: the key file is empty", display_path(path)),
                ));
            }
            Some((pem, display_path(path)))
        }
        None => None,
    };
    let cert_bytes = read_with(&sources.cert, codes::CERT_READ_FAILED)?;
    if let Some((chain_pem, p12_key)) = pkcs12_input(sources, &cert_bytes)? {
        let key = key.or_else(|| Some((p12_key.as_bytes().to_vec(), display_path(&sources.cert))));
        return bundle_bytes(sources, chain_pem.as_bytes(), key, now);
    }
    bundle_bytes(sources, &cert_bytes, key, now)
}

/// A `-cert` that is no certificate input but a PKCS#12 file, as cfssl
/// reads it (after PEM, DER and PKCS#7 fail; the password `-password` or
/// empty): its certificates (PEM) and key (PEM, PKCS#1/SEC1 as cfssl
/// prints keys). None when the bytes are certificates or PEM.
fn pkcs12_input(
    sources: &Sources,
    bytes: &[u8],
) -> Result<Option<(String, zeroize::Zeroizing<String>)>> {
    if bytes.trim_ascii_start().starts_with(b"-----BEGIN") || parse_input(bytes, "").is_ok() {
        return Ok(None);
    }
    let source = display_path(&sources.cert);
    let password = sources
        .pkcs12_password
        .as_deref()
        .map_or(&[][..], |p| p.as_slice());
    let (_, key, certs) = match crate::keys::pkcs12::read(bytes, password, &source) {
        Ok(read) => read,
        // Without a password, bytes that are no PKCS#12 either keep the
        // certificate parser's error.
        Err(_) if sources.pkcs12_password.is_none() => return Ok(None),
        Err(e) => return Err(failure(codes::CERT_DECODE_FAILED, e.to_string())),
    };
    let chain: String = certs
        .iter()
        .map(|der| crate::keys::pem_encode("CERTIFICATE", der))
        .collect();
    let key_pem = crate::keys::format::KeyEncoder::default().pem(&key)?;
    Ok(Some((chain, key_pem)))
}

/// As [`bundle_from`], with the certificate(s) given (a chain a server
/// presented, say); `sources.cert` only names them in messages.
pub fn bundle_presented(sources: &Sources, cert_bytes: &[u8], now: SystemTime) -> Result<Bundle> {
    bundle_bytes(sources, cert_bytes, None, now)
}

/// What bundles are checked against, read once from the sources: the
/// pools, the platform metadata, and notes on files skipped. A server
/// loads it at start-up and bundles every request with it.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub pools: Pools,
    pub platforms: Arc<Vec<ubiquity::Platform>>,
    pub skipped: Vec<String>,
}

impl Loaded {
    /// Reads `-ca-bundle`, `-int-bundle`, `-int-dir` and `-metadata`.
    pub fn read(sources: &Sources) -> Result<Loaded> {
        let mut pools = Pools::default();
        if let Some(path) = &sources.ca_bundle {
            let bytes = read_pool_with(path, codes::ROOTS_READ_FAILED)?;
            let name = display_path(path);
            load_pool(&mut pools.roots, &bytes, &name, codes::ROOTS_PARSE_FAILED)?;
        }
        if let Some(path) = &sources.int_bundle {
            let bytes = read_pool_with(path, codes::INTERMEDIATES_READ_FAILED)?;
            load_pool(
                &mut pools.intermediates,
                &bytes,
                &display_path(path),
                codes::INTERMEDIATES_PARSE_FAILED,
            )?;
        }
        let mut skipped = Vec::new();
        if let Some(dir) = &sources.int_dir {
            skipped = load_dir(&mut pools, dir)?;
        }
        let platforms = match &sources.metadata {
            Some(path) => ubiquity::load(path)?,
            None => Vec::new(),
        };
        Ok(Loaded {
            pools,
            platforms: Arc::new(platforms),
            skipped,
        })
    }
}

/// As [`bundle_presented`], with the pools read once beforehand (the
/// server's bundler); `sources` gives the flavor and names the input.
pub fn bundle_loaded(
    sources: &Sources,
    loaded: &Loaded,
    cert_bytes: &[u8],
    key: Option<(&[u8], &str)>,
    now: SystemTime,
) -> Result<Bundle> {
    // The pools are shared (cheap to clone): the input's own certificates
    // join this request's copy of the intermediates only.
    bundle_with(sources, loaded.clone(), cert_bytes, key, now)
}

fn bundle_bytes(
    sources: &Sources,
    cert_bytes: &[u8],
    key: Option<(Vec<u8>, String)>,
    now: SystemTime,
) -> Result<Bundle> {
    let loaded = Loaded::read(sources)?;
    let key = key
        .as_ref()
        .map(|(pem, name)| (pem.as_slice(), name.as_str()));
    bundle_with(sources, loaded, cert_bytes, key, now)
}

fn bundle_with(
    sources: &Sources,
    mut loaded: Loaded,
    cert_bytes: &[u8],
    key: Option<(&[u8], &str)>,
    now: SystemTime,
) -> Result<Bundle> {
    let source = display_path(&sources.cert);
    let certs = parse_input(cert_bytes, &source)?;
    let source = source.as_str();
    let mut bundle = super::build_with(
        certs,
        key,
        &mut loaded.pools,
        sources.flavor,
        &loaded.platforms,
        now,
        sources.options,
    )
    .map_err(|e| match e {
        Error::Chain { code, msg } if !msg.starts_with(source) => Error::Chain {
            code,
            msg: format!("{source}: {msg}"),
        },
        other => other,
    })?;
    bundle.status.messages.extend(loaded.skipped);
    Ok(bundle)
}
