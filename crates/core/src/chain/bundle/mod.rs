//! `bundle`: from a certificate (or a partial chain, in any order) to the
//! chain a server should send, as cfssl's bundler builds it: checked to
//! a trusted root, chosen by flavor, with cfssl's status report.

pub mod chain;
mod report;
mod sha1;
mod sources;
pub mod ubiquity;

use crate::chain::certs::{parse_all, Cert, CertInputError, KeyKind};
use crate::chain::path;
use crate::chain::verify::role::Role;
use crate::error::{Error, Result};
use crate::keys::KeyPair;
use chain::{check_legacy_crypto, ChainError, Pool};
use der::Encode;
use std::time::SystemTime;

pub use chain::BundleOptions;
pub use report::to_json;
pub use sources::{bundle_from, bundle_loaded, bundle_presented, Loaded, Sources};

/// How to choose among several valid chains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavor {
    /// Most trusted across platforms (needs metadata; else as optimal).
    /// cfssl's default.
    #[default]
    Ubiquitous,
    /// Shortest, then newest, then strongest.
    Optimal,
    /// The given chain as is, if each certificate is signed by the next.
    Force,
}

/// The certificate pools a bundle is built from.
#[derive(Debug, Default, Clone)]
pub struct Pools {
    pub roots: Pool,
    pub intermediates: Pool,
}

/// cfssl's error categories and reasons used by the bundler.
pub mod codes {
    pub const CERT_READ_FAILED: u32 = 1001;
    pub const CERT_DECODE_FAILED: u32 = 1002;
    pub const CERT_PARSE_FAILED: u32 = 1003;
    pub const SELF_SIGNED: u32 = 1100;
    pub const VERIFY_FAILED: u32 = 1200;
    pub const KEY_READ_FAILED: u32 = 2001;
    pub const KEY_DECODE_FAILED: u32 = 2002;
    pub const KEY_PARSE_FAILED: u32 = 2003;
    pub const KEY_NOT_SUPPORTED: u32 = 2200;
    pub const KEY_MISMATCH: u32 = 2300;
    pub const INTERMEDIATES_READ_FAILED: u32 = 3001;
    pub const INTERMEDIATES_PARSE_FAILED: u32 = 3003;
    pub const ROOTS_READ_FAILED: u32 = 4001;
    pub const ROOTS_PARSE_FAILED: u32 = 4003;
}

/// A bundling failure carrying cfssl's code.
pub fn failure(code: u32, msg: impl Into<String>) -> Error {
    Error::Chain {
        code,
        msg: msg.into(),
    }
}

/// A built bundle: the chain (leaf first, root excluded unless cfssl
/// keeps it), its root, the key if one was given, and the status.
#[derive(Debug)]
pub struct Bundle {
    pub chain: Vec<Cert>,
    pub root: Option<Cert>,
    pub key_pem: Option<String>,
    pub status: Status,
}

/// cfssl's `status` object.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Status {
    pub rebundled: bool,
    pub expiring_skis: Vec<String>,
    pub untrusted_root_stores: Option<Vec<String>>,
    pub messages: Vec<String>,
    pub code: u32,
}

/// Bit 1 of the status code: something expires within 30 days.
pub const EXPIRING_BIT: u32 = 1;
/// Bit 2: the bundle is not ubiquitous (SHA-2/ECDSA on legacy clients,
/// untrusted or unmeasured root, SHA-1 deprecation).
pub const NOT_UBIQUITOUS_BIT: u32 = 2;

/// Reads certificates for pools: an empty file is an empty pool.
pub fn load_pool(pool: &mut Pool, bytes: &[u8], source: &str, parse_code: u32) -> Result<()> {
    if bytes.trim_ascii().is_empty() {
        return Ok(());
    }
    let certs = parse_all(bytes).map_err(|e| failure(parse_code, format!("{source}: {e}")))?;
    certs.into_iter().for_each(|c| pool.add(c));
    Ok(())
}

/// The leaf and the rest of the input, reordered when the input is a
/// chain given root-first.
pub fn parse_input(bytes: &[u8], source: &str) -> Result<Vec<Cert>> {
    let certs = parse_all(bytes).map_err(|e| match e {
        CertInputError::NotDecodable(m) => {
            failure(codes::CERT_DECODE_FAILED, format!("{source}: {m}"))
        }
        CertInputError::NotParsable(m) => {
            failure(codes::CERT_PARSE_FAILED, format!("{source}: {m}"))
        }
    })?;
    Ok(path::leaf_first(certs))
}

/// Parses the private key and checks it belongs to the leaf.
fn check_key(leaf: &Cert, key: Option<(&[u8], &str)>) -> Result<Option<String>> {
    let Some((pem, source)) = key else {
        if leaf.key_kind() == KeyKind::Other {
            return Err(failure(
                codes::KEY_NOT_SUPPORTED,
                "the certificate's key algorithm is not RSA, ECDSA or Ed25519",
            ));
        }
        return Ok(None);
    };
    let key = KeyPair::from_pem(pem, source)
        .map_err(|e| failure(codes::KEY_PARSE_FAILED, e.to_string()))?;
    let spki = leaf
        .cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()?;
    if !key.matches(&spki)? {
        return Err(failure(
            codes::KEY_MISMATCH,
            format!("{source}: private key does not match the certificate's public key"),
        ));
    }
    Ok(Some(key.to_pem()?.trim().to_string()))
}

/// `force`: the input itself, if each certificate is signed by the next
/// and none has a SHA-1 signature or a weak key (unless `-allow-sha1`).
fn forced_chain(certs: &[Cert], options: BundleOptions) -> Result<Vec<Cert>> {
    if !path::is_partial_chain(certs) {
        return Err(failure(
            codes::VERIFY_FAILED,
            "unable to verify the certificate chain: a certificate is not signed by the next",
        ));
    }
    for (i, cert) in certs.iter().enumerate() {
        let role = match i {
            0 => Role::Leaf,
            _ if cert.is_self_signed() => Role::Anchor,
            _ => Role::Intermediate,
        };
        check_legacy_crypto(cert, role, role != Role::Anchor, options)
            .map_err(|e| failure(e.code(), e.message()))?;
    }
    Ok(certs.to_vec())
}

/// `optimal` and `ubiquitous`: the best chain from the leaf to a root,
/// the input's other certificates joining the intermediates.
fn best_chain(
    certs: &[Cert],
    pools: &mut Pools,
    flavor: Flavor,
    platforms: &[ubiquity::Platform],
    now: SystemTime,
    options: BundleOptions,
) -> Result<Vec<Cert>> {
    let unknown = || {
        failure(
            ChainError::UnknownAuthority.code(),
            ChainError::UnknownAuthority.message(),
        )
    };
    let (leaf, others) = certs.split_first().ok_or_else(unknown)?;
    if leaf.signed_by(leaf) {
        return Err(failure(
            codes::SELF_SIGNED,
            "the certificate is self-signed; give a certificate issued by a CA",
        ));
    }
    others
        .iter()
        .for_each(|c| pools.intermediates.add(c.clone()));
    let chains = chain::build_with(leaf, &pools.roots, &pools.intermediates, now, options)
        .map_err(|e| failure(e.code(), e.message()))?;
    let chains = if flavor == Flavor::Ubiquitous && !platforms.is_empty() {
        chain::keep_best(chains, |c| ubiquity::score(platforms, c))
    } else {
        chains
    };
    chain::optimal(chains)
        .into_iter()
        .next()
        .ok_or_else(unknown)
}

/// Builds the bundle for `certs` (leaf first) as cfssl does at `now`,
/// held to `verify`'s rules.
pub fn build(
    certs: Vec<Cert>,
    key: Option<(&[u8], &str)>,
    pools: &mut Pools,
    flavor: Flavor,
    platforms: &[ubiquity::Platform],
    now: SystemTime,
) -> Result<Bundle> {
    build_with(
        certs,
        key,
        pools,
        flavor,
        platforms,
        now,
        BundleOptions::default(),
    )
}

/// As [`build`], with `verify`'s rules as `options` relax them.
pub fn build_with(
    certs: Vec<Cert>,
    key: Option<(&[u8], &str)>,
    pools: &mut Pools,
    flavor: Flavor,
    platforms: &[ubiquity::Platform],
    now: SystemTime,
    options: BundleOptions,
) -> Result<Bundle> {
    let Some(leaf) = certs.first().cloned() else {
        return Err(failure(codes::CERT_DECODE_FAILED, "no certificate given"));
    };
    let key_pem = check_key(&leaf, key)?;
    let full_chain = if flavor == Flavor::Force {
        forced_chain(&certs, options)?
    } else {
        best_chain(&certs, pools, flavor, platforms, now, options)?
    };
    let mut status = report::status(&full_chain, flavor, platforms, now);
    let (chain, root) = if flavor == Flavor::Force {
        (full_chain, None)
    } else {
        let root = full_chain.last().cloned();
        let keep_root = !leaf.ocsp_servers().is_empty() && !leaf.is_ca() && full_chain.len() <= 2;
        let mut chain = full_chain;
        if !keep_root {
            chain.pop();
        }
        (chain, root)
    };
    status.rebundled =
        chain.len() != certs.len() || chain.iter().zip(&certs).any(|(a, b)| a.der != b.der);
    Ok(Bundle {
        chain,
        root,
        key_pem,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// cfssl's fixtures: a 1024-bit root, a SHA-1-signed intermediate.
    const LEGACY: BundleOptions = BundleOptions { allow_sha1: true };

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../../fixtures/cfssl/bundler/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn pools(roots: &str, ints: &str) -> Pools {
        let mut pools = Pools::default();
        load_pool(
            &mut pools.roots,
            &read(roots),
            roots,
            codes::ROOTS_PARSE_FAILED,
        )
        .unwrap();
        load_pool(
            &mut pools.intermediates,
            &read(ints),
            ints,
            codes::INTERMEDIATES_PARSE_FAILED,
        )
        .unwrap();
        pools
    }

    fn code(r: Result<Bundle>) -> u32 {
        r.unwrap_err().cfssl_code()
    }

    #[test]
    fn reversed_input_is_reordered() {
        let raw = parse_all(&read("reverse-partial-bundle.pem")).unwrap();
        let certs = parse_input(&read("reverse-partial-bundle.pem"), "rp").unwrap();
        assert_eq!(certs[0].der, raw[1].der);
        assert_eq!(certs[1].der, raw[0].der);
    }

    #[test]
    fn key_checks_use_cfssls_codes() {
        let now = SystemTime::now();
        let leaf = parse_input(&read("cfssl-leaf-rsa2048.pem"), "leaf").unwrap();
        let mut p = pools("ca.pem", "intermediates.crt");
        let key = read("cfssl-leaf-rsa4096.key");
        assert_eq!(
            code(build_with(
                leaf.clone(),
                Some((&key, "k")),
                &mut p,
                Flavor::Optimal,
                &[],
                now,
                LEGACY
            )),
            2300
        );
        let cert_as_key = read("cfssl-leaf-rsa2048.pem");
        assert_eq!(
            code(build_with(
                leaf.clone(),
                Some((&cert_as_key, "k")),
                &mut p,
                Flavor::Optimal,
                &[],
                now,
                LEGACY
            )),
            2003
        );
        let key = read("cfssl-leaf-rsa2048.key");
        let bundle = build_with(
            leaf,
            Some((&key, "k")),
            &mut p,
            Flavor::Optimal,
            &[],
            now,
            LEGACY,
        )
        .unwrap();
        assert!(bundle
            .key_pem
            .unwrap()
            .starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let dsa = parse_input(&read("dsa2048.pem"), "dsa").unwrap();
        assert_eq!(
            code(build_with(
                dsa,
                None,
                &mut p,
                Flavor::Optimal,
                &[],
                now,
                LEGACY
            )),
            2200
        );
    }

    #[test]
    fn self_signed_leaf_is_refused_unless_forced() {
        let now = SystemTime::now();
        let root = parse_input(&read("ca.pem"), "ca").unwrap();
        let mut p = pools("ca.pem", "empty.pem");
        assert_eq!(
            code(build_with(
                root.clone(),
                None,
                &mut p,
                Flavor::Optimal,
                &[],
                now,
                LEGACY
            )),
            1100
        );
        let forced = build_with(root, None, &mut p, Flavor::Force, &[], now, LEGACY).unwrap();
        assert_eq!(forced.chain.len(), 1);
        assert!(forced.root.is_none() && !forced.status.rebundled);
    }

    #[test]
    fn force_keeps_the_chain_and_refuses_a_broken_one() {
        let now = SystemTime::now();
        let mut p = pools("ca.pem", "intermediates.crt");
        let partial = parse_input(&read("partial-bundle.pem"), "p").unwrap();
        let forced = build_with(partial, None, &mut p, Flavor::Force, &[], now, LEGACY).unwrap();
        assert_eq!(forced.chain.len(), 2);
        let bad = parse_input(&read("bad-bundle.pem"), "b").unwrap();
        assert_eq!(
            code(build_with(
                bad,
                None,
                &mut p,
                Flavor::Force,
                &[],
                now,
                LEGACY
            )),
            1200
        );
    }
}

/// cfssl's bundler test data, for the bundle modules' unit tests.
#[cfg(test)]
pub(crate) mod test_fixtures {
    use crate::chain::certs::{parse_all, Cert};

    /// The certificates of `fixtures/cfssl/bundler/NAME`.
    pub fn load(name: &str) -> Vec<Cert> {
        let path = format!(
            "{}/../../fixtures/cfssl/bundler/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        parse_all(&std::fs::read(path).unwrap()).unwrap()
    }
}
