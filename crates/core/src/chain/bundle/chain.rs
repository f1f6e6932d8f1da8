//! Chain building: every path from a leaf to a trusted root through the
//! known intermediates, checking each link's signature, validity window
//! and CA constraints as Go's crypto/x509 (and so cfssl) does, and the
//! tie-breaking cfssl uses to choose among several paths.

use crate::chain::certs::{Cert, KeyKind};
use crate::chain::path::{self, Budget, Outcome, Rules};
use crate::chain::verify::profile;
// ops::ocsp_check still imports it from here; its home is chain::path.
pub use crate::chain::path::leaf_first;
use crate::chain::verify::role::{who, Role};
use crate::chain::verify::{self as verify_rules, check_path, check_path_lengths, Refusal};
use crate::keys::ECDSA_WITH_SHA1;
use const_oid::db::rfc5912;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::SystemTime;

/// Why no chain was found, in cfssl's terms (its 12XX codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainError {
    /// 1211: a certificate on the only paths is outside its validity window.
    Expired(String),
    /// 1210: an issuer on the only paths is not a CA or may not sign certificates.
    NotAuthorizedToSign(String),
    /// 1213: an issuer's pathlen constraint is exceeded (the reason).
    TooManyIntermediates(Refusal),
    /// 1220: no path to any trusted root.
    UnknownAuthority,
    /// 1200: a path breaks a rule `verify` also enforces (a profile
    /// check, name constraints, EKU nesting), or the search ran out of
    /// budget.
    Refused(Refusal),
    /// 1200: a SHA-1 signature or a weak key, which `-allow-sha1` admits.
    WeakCrypto(Refusal),
}

/// What a refusal for legacy cryptography adds: the way out.
pub const ALLOW_SHA1_HINT: &str =
    "-allow-sha1 accepts SHA-1 signatures and weak keys, for legacy chains";

impl ChainError {
    /// cfssl's code: CertificateError (1000) + VerifyFailed (200) + the x509 reason.
    pub fn code(&self) -> u32 {
        match self {
            ChainError::NotAuthorizedToSign(_) => 1210,
            ChainError::Expired(_) => 1211,
            ChainError::TooManyIntermediates(_) => 1213,
            ChainError::UnknownAuthority => 1220,
            ChainError::Refused(_) | ChainError::WeakCrypto(_) => 1200,
        }
    }

    /// The message, as Go's crypto/x509 words it (cfssl prints these).
    pub fn message(&self) -> String {
        format!("x509: {}", self.reason())
    }

    /// The message without Go's `x509: ` package prefix.
    pub fn reason(&self) -> String {
        match self {
            ChainError::Expired(who) => {
                format!("certificate has expired or is not yet valid: {who}")
            }
            ChainError::NotAuthorizedToSign(who) => {
                format!("{who} is not authorized to sign other certificates")
            }
            ChainError::TooManyIntermediates(why) | ChainError::Refused(why) => why.to_string(),
            ChainError::WeakCrypto(why) => format!("{why}; {ALLOW_SHA1_HINT}"),
            ChainError::UnknownAuthority => {
                "certificate signed by unknown authority (no path to a root of the CA bundle)"
                    .into()
            }
        }
    }
}

/// A set of certificates (roots or intermediates), without duplicates.
/// Cloning shares the certificates: a server loads its pools once and
/// extends a clone per request.
#[derive(Debug, Default, Clone)]
pub struct Pool {
    certs: Vec<Arc<Cert>>,
}

impl Pool {
    pub fn add(&mut self, cert: Cert) {
        if !self.certs.iter().any(|c| c.der == cert.der) {
            self.certs.push(Arc::new(cert));
        }
    }

    pub fn len(&self) -> usize {
        self.certs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Cert> {
        self.certs.iter().map(|c| c.as_ref())
    }
}

fn describe(cert: &Cert) -> String {
    crate::chain::verify::role::short_subject(cert)
}

/// The rules a bundle is held to beyond what `verify` checks: nothing,
/// unless `allow_sha1`. Callers build it with `..Default::default()`,
/// so that options added later do not break them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BundleOptions {
    /// `-allow-sha1`: admit SHA-1 signatures and the weak keys `verify`
    /// refuses (RSA below 2048 bits, DSA, other curves), as cfssl does;
    /// the status still reports them. For bundling legacy chains.
    pub allow_sha1: bool,
}

/// `verify`'s options for what a bundle checks: any purpose, no name,
/// at `now`.
pub fn verify_options(now: SystemTime, options: BundleOptions) -> verify_rules::Options {
    verify_rules::Options {
        purpose: verify_rules::Purpose::Any,
        allow_sha1: options.allow_sha1,
        ..verify_rules::Options::server(now)
    }
}

/// The checks of one certificate that `-allow-sha1` lifts: its key, and
/// (when `signature_counts`: not a root's own) its signature's
/// algorithm. The same predicates as `verify`'s.
pub fn check_legacy_crypto(
    cert: &Cert,
    role: Role,
    signature_counts: bool,
    options: BundleOptions,
) -> Result<(), ChainError> {
    if options.allow_sha1 {
        return Ok(());
    }
    profile::check_key(cert, &who(cert, role)).map_err(ChainError::WeakCrypto)?;
    if signature_counts {
        verify_rules::check_signature_algorithm(cert, role, false)
            .map_err(ChainError::WeakCrypto)?;
    }
    Ok(())
}

/// Every valid chain from `leaf` to a certificate in `roots`, each chain
/// leaf first and root last, with `verify`'s rules (see [`build_with`]).
pub fn build(
    leaf: &Cert,
    roots: &Pool,
    intermediates: &Pool,
    now: SystemTime,
) -> Result<Vec<Vec<Cert>>, ChainError> {
    build_with(leaf, roots, intermediates, now, BundleOptions::default())
}

/// Every valid chain from `leaf` to a certificate in `roots`, found by
/// the bounded search `verify` uses (`chain::path`) and held to
/// `verify`'s rules, so that `verify` accepts whatever `bundle` outputs:
/// each certificate's profile (RFC 5280, the CA/Browser Forum's key and
/// signature rules), path length with RFC 5280's self-issued exemption,
/// name constraints, EKU nesting. cfssl's own refusals (expired, not a
/// CA, pathlen) keep their cfssl codes. A path refused for a SHA-1 link
/// or a weak key does not end the search: other paths (a SHA-256
/// cross-signed intermediate) are tried first.
pub fn build_with(
    leaf: &Cert,
    roots: &Pool,
    intermediates: &Pool,
    now: SystemTime,
    options: BundleOptions,
) -> Result<Vec<Vec<Cert>>, ChainError> {
    if !leaf.valid_at(now) {
        return Err(ChainError::Expired(describe(leaf)));
    }
    let verify_options = verify_options(now, options);
    check_legacy_crypto(leaf, Role::Leaf, false, options)?;
    profile::check(leaf, Role::Leaf, &verify_options).map_err(ChainError::Refused)?;
    verify_rules::check_leaf_names(leaf).map_err(ChainError::Refused)?;
    let mut rules = BundleRules {
        now,
        options,
        verify_options,
        found: Vec::new(),
    };
    let outcome = path::search(
        leaf,
        roots.iter(),
        intermediates.iter(),
        Budget::default(),
        &mut rules,
    );
    match outcome {
        _ if !rules.found.is_empty() => Ok(rules.found),
        Outcome::OverBudget(what) => Err(ChainError::Refused(
            format!("path building gave up after {what} (a pathological set of certificates)")
                .into(),
        )),
        Outcome::Exhausted(Some(e)) => Err(e),
        _ => Err(ChainError::UnknownAuthority),
    }
}

/// Go's link checks, with cfssl's codes, then `verify`'s rules.
struct BundleRules {
    now: SystemTime,
    options: BundleOptions,
    verify_options: verify_rules::Options,
    found: Vec<Vec<Cert>>,
}

fn role_of(cert: &Cert) -> Role {
    if cert.is_ca() {
        Role::Intermediate
    } else {
        Role::Leaf
    }
}

impl<'a> Rules<'a> for BundleRules {
    type Error = ChainError;

    fn signed(&self, child: &Cert, issuer: &Cert) -> Result<(), ChainError> {
        let role = role_of(child);
        // MD5 and MD2 are refused with or without -allow-sha1.
        verify_rules::check_signature_algorithm(child, role, true).map_err(ChainError::Refused)?;
        if !self.options.allow_sha1 {
            verify_rules::check_signature_algorithm(child, role, false)
                .map_err(ChainError::WeakCrypto)?;
        }
        if child.signed_by(issuer) {
            Ok(())
        } else {
            Err(ChainError::UnknownAuthority)
        }
    }

    /// Validity, and for intermediates CA-ness and certSign (cfssl's
    /// codes), then the key and `verify`'s profile of the role.
    fn issuer(&self, issuer: &Cert, trusted: bool) -> Result<(), ChainError> {
        if !issuer.valid_at(self.now) {
            return Err(ChainError::Expired(describe(issuer)));
        }
        if !trusted && (!issuer.is_ca() || !issuer.may_sign_certs()) {
            return Err(ChainError::NotAuthorizedToSign(describe(issuer)));
        }
        let role = if trusted {
            Role::Anchor
        } else {
            Role::Intermediate
        };
        check_legacy_crypto(issuer, role, false, self.options)?;
        profile::check(issuer, role, &self.verify_options).map_err(ChainError::Refused)
    }

    fn path(&mut self, path: &[&'a Cert]) -> Result<ControlFlow<()>, ChainError> {
        check_path_lengths(path, None).map_err(ChainError::TooManyIntermediates)?;
        check_path(path, &[], &self.verify_options).map_err(ChainError::Refused)?;
        self.found.push(path.iter().map(|c| (*c).clone()).collect());
        Ok(ControlFlow::Continue(()))
    }

    fn too_long(&self, max_len: usize) -> ChainError {
        ChainError::Refused(
            format!("no chain of at most {max_len} certificates reaches a root").into(),
        )
    }
}

/// The earliest expiry in a chain.
pub fn expiry(chain: &[Cert]) -> Option<SystemTime> {
    chain.iter().map(Cert::not_after).min()
}

/// Keeps the chains ranked highest by `rank` (cfssl's ubiquity.Filter).
pub fn keep_best<K: Ord>(chains: Vec<Vec<Cert>>, rank: impl Fn(&[Cert]) -> K) -> Vec<Vec<Cert>> {
    let Some(best) = chains.iter().map(|c| rank(c)).max() else {
        return chains;
    };
    chains.into_iter().filter(|c| rank(c) == best).collect()
}

/// cfssl's optimal choice: the shortest chains, then the latest-expiring,
/// then the strongest crypto.
pub fn optimal(chains: Vec<Vec<Cert>>) -> Vec<Vec<Cert>> {
    let chains = keep_best(chains, |c| std::cmp::Reverse(c.len()));
    let chains = keep_best(chains, expiry);
    keep_best(chains, |c| hash_priority(c) + key_priority(c))
}

pub fn is_sha1(cert: &Cert) -> bool {
    matches!(
        cert.cert.signature_algorithm().oid,
        rfc5912::SHA_1_WITH_RSA_ENCRYPTION | ECDSA_WITH_SHA1 | rfc5912::DSA_WITH_SHA_1
    )
}

fn is_sha2(cert: &Cert) -> bool {
    matches!(
        cert.cert.signature_algorithm().oid,
        rfc5912::SHA_256_WITH_RSA_ENCRYPTION
            | rfc5912::SHA_384_WITH_RSA_ENCRYPTION
            | rfc5912::SHA_512_WITH_RSA_ENCRYPTION
            | rfc5912::ECDSA_WITH_SHA_256
            | rfc5912::ECDSA_WITH_SHA_384
            | rfc5912::ECDSA_WITH_SHA_512
            | rfc5912::DSA_WITH_SHA_256
    )
}

/// cfssl's running average, weighting each certificate by its position.
fn running_average(chain: &[Cert], score: impl Fn(&Cert) -> f64) -> i64 {
    let mut avg = 0.0;
    for (i, cert) in chain.iter().enumerate() {
        let weight = 1.0 / (i as f64 + 1.0);
        avg = avg * (1.0 - weight) + score(cert) * weight;
    }
    avg as i64
}

fn hash_priority(chain: &[Cert]) -> i64 {
    running_average(chain, |c| {
        if is_sha1(c) {
            10.0
        } else if is_sha2(c) {
            100.0
        } else {
            0.0
        }
    })
}

fn key_priority(chain: &[Cert]) -> i64 {
    running_average(chain, |c| match c.key_kind() {
        KeyKind::Ecdsa(384) => 120.0,
        KeyKind::Ecdsa(521) => 140.0,
        KeyKind::Ecdsa(_) => 100.0,
        KeyKind::Rsa(4096) => 70.0,
        KeyKind::Rsa(3072) => 50.0,
        KeyKind::Rsa(2048) => 30.0,
        _ => 0.0,
    })
}

/// cfssl's hash ubiquity: SHA-1 100, SHA-2 70, anything else 0; a
/// chain scores its weakest certificate.
pub fn hash_ubiquity(chain: &[Cert]) -> u32 {
    chain
        .iter()
        .map(|c| {
            if is_sha1(c) {
                100
            } else if is_sha2(c) {
                70
            } else {
                0
            }
        })
        .min()
        .unwrap_or(0)
}

/// cfssl's key algorithm ubiquity: RSA 100, P-256/P-384 70, P-521 30.
pub fn key_ubiquity(chain: &[Cert]) -> u32 {
    chain
        .iter()
        .map(|c| match c.key_kind() {
            KeyKind::Rsa(bits) if bits >= 1024 => 100,
            KeyKind::Ecdsa(256 | 384) => 70,
            KeyKind::Ecdsa(521) => 30,
            _ => 0,
        })
        .min()
        .unwrap_or(0)
}

/// Whether any certificate below the root is signed with SHA-1.
pub fn has_sha1_below_root(chain: &[Cert]) -> bool {
    chain.iter().rev().skip(1).any(is_sha1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::bundle::test_fixtures::load;

    /// cfssl's fixtures: a 1024-bit root, a SHA-1-signed intermediate.
    const LEGACY: BundleOptions = BundleOptions { allow_sha1: true };

    fn pool(names: &[&str]) -> Pool {
        let mut pool = Pool::default();
        for name in names {
            load(name).into_iter().for_each(|c| pool.add(c));
        }
        pool
    }

    #[test]
    fn builds_through_intermediates_and_prefers_the_shorter_path() {
        let leaf = &load("cfssl-leaf-ecdsa256.pem")[0];
        let roots = pool(&["ca.pem"]);
        let chains = build_with(
            leaf,
            &roots,
            &pool(&["intermediates.crt"]),
            SystemTime::now(),
            LEGACY,
        )
        .unwrap();
        assert_eq!(chains.len(), 1);
        assert_eq!(chains[0].len(), 4);
        let both = pool(&["intermediates.crt", "inter-L2-direct.pem"]);
        let chains = build_with(leaf, &roots, &both, SystemTime::now(), LEGACY).unwrap();
        assert_eq!(chains.len(), 2);
        assert_eq!(optimal(chains)[0].len(), 3);
    }

    #[test]
    fn reports_cfssls_reasons() {
        let roots = pool(&["ca.pem"]);
        let now = SystemTime::now();
        let leaflet = &load("cfssl-leaflet-rsa4096.pem")[0];
        let err =
            build_with(leaflet, &roots, &pool(&["intermediates.crt"]), now, LEGACY).unwrap_err();
        assert_eq!(err.code(), 1220);
        let err = build_with(
            leaflet,
            &roots,
            &pool(&["intermediates.crt", "cfssl-leaf-rsa4096.pem"]),
            now,
            LEGACY,
        )
        .unwrap_err();
        assert_eq!(err.code(), 1213);
        let l2 = &load("inter-L2.pem")[0];
        let err =
            build_with(l2, &roots, &pool(&["inter-L1-expired.pem"]), now, LEGACY).unwrap_err();
        assert_eq!(err.code(), 1211);
    }

    /// By default a bundle holds what `verify` accepts: cfssl's test chain
    /// is refused for its 1024-bit root, naming it and the way out (SHA-1
    /// links: tests/bundle_rules.rs, with chains made by openssl).
    #[test]
    fn weak_keys_and_sha1_are_refused_unless_allowed() {
        let leaf = &load("cfssl-leaf-ecdsa256.pem")[0];
        let now = SystemTime::now();
        let ints = pool(&["intermediates.crt"]);
        let err = build(leaf, &pool(&["ca.pem"]), &ints, now).unwrap_err();
        assert_eq!(err.code(), 1200);
        let msg = err.message();
        assert!(
            msg.contains("key: root") && msg.contains("CFSSL_TEST_CA") && msg.contains("1024-bit"),
            "{msg}"
        );
        assert!(msg.contains("-allow-sha1"), "{msg}");
        // inter-L1 (4096-bit) as the trust anchor: its own SHA-1
        // signature plays no part, and inter-L2 is SHA-512-signed.
        let l1 = pool(&["inter-L1.pem"]);
        let chains = build(leaf, &l1, &pool(&["inter-L2.pem"]), now).unwrap();
        assert_eq!(chains[0].len(), 3);
    }

    #[test]
    fn partial_chains_in_order_only() {
        use crate::chain::path::is_partial_chain;
        let partial = load("partial-bundle.pem");
        assert!(is_partial_chain(&partial));
        let reversed = load("reverse-partial-bundle.pem");
        assert!(!is_partial_chain(&reversed));
        assert!(!is_partial_chain(&load("bad-bundle.pem")));
    }
}
