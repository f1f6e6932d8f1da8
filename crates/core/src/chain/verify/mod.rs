//! `verify`: does a certificate chain validate for a purpose, names and
//! a time? certkit builds the path itself (`chain::path`, bounded and
//! shared with `bundle`) and checks each certificate against its profile
//! (`profile`: RFC 5280 plus the CA/Browser Forum rules limbo tests),
//! each link's signature with AWS-LC, the path's length and name
//! constraints with RFC 5280's exemptions for self-issued certificates,
//! and revocation against given CRLs. Names are matched by rustls-webpki.
//! Every refusal names the certificate and the check that failed.

mod constraints;
pub mod crl;
mod names;
pub mod options;
pub mod profile;
pub mod refusal;
pub mod role;

use crate::chain::certs::{parse_all, Cert};
use crate::chain::path::{self, leaf_first, Budget, Outcome, Rules};
use crate::error::{Error, Result};
use crate::input::{display_path, read_input, read_pool};
use crate::keys::{verify_legacy_signature, verify_signature, ECDSA_WITH_SHA1};
use const_oid::db::rfc5912 as oids;
use der::{Decode, Encode};
use role::{who, Role};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub use crl::{parse_crls, Crl, CrlInputError};
pub use options::{peer_names, KeyUse, Options, PeerName, Purpose};
pub use refusal::Refusal;

/// One verification: the leaf, the certificates that may complete the
/// chain, the trusted roots, the CRLs to consult, and what to check.
pub struct Check<'a> {
    pub leaf: &'a Cert,
    pub intermediates: &'a [Cert],
    pub roots: &'a [Cert],
    pub crls: &'a [Crl],
    pub options: &'a Options,
}

fn refused(why: impl std::fmt::Display) -> Error {
    Error::Refused(why.to_string())
}

fn is_self_issued(cert: &Cert) -> bool {
    cert.subject_der() == cert.issuer_der()
}

/// The signature algorithms certkit refuses on a link: MD5 and MD2
/// always, SHA-1 unless `allow_sha1` (bundle's `-allow-sha1`).
pub fn check_signature_algorithm(
    child: &Cert,
    child_role: Role,
    allow_sha1: bool,
) -> std::result::Result<(), Refusal> {
    let oid = child.cert.signature_algorithm().oid;
    let md = matches!(
        oid,
        oids::MD_5_WITH_RSA_ENCRYPTION | oids::MD_2_WITH_RSA_ENCRYPTION
    );
    let sha1 = matches!(
        oid,
        oids::SHA_1_WITH_RSA_ENCRYPTION | oids::DSA_WITH_SHA_1 | ECDSA_WITH_SHA1
    );
    if md || (sha1 && !allow_sha1) {
        return Err(format!(
            "signature: {} is signed with {} (SHA-1 and MD5 are refused)",
            who(child, child_role),
            child.signature_name()
        )
        .into());
    }
    Ok(())
}

/// Signatures certkit accepts on a link: an algorithm
/// [`check_signature_algorithm`] allows, verified by the issuer's key
/// with AWS-LC (RSA keys of 2048 bits or more, unless `allow_sha1`).
pub fn check_link(
    child: &Cert,
    child_role: Role,
    issuer: &Cert,
    allow_sha1: bool,
) -> std::result::Result<(), Refusal> {
    check_signature_algorithm(child, child_role, allow_sha1)?;
    let fail = |e: String| {
        Refusal::from(format!(
            "signature: {} does not verify under the key of {} ({e})",
            who(child, child_role),
            role::short_subject(issuer)
        ))
    };
    let tbs = child
        .cert
        .tbs_certificate()
        .to_der()
        .map_err(|e| fail(e.to_string()))?;
    let spki = issuer
        .cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| fail(e.to_string()))?;
    let alg = child
        .cert
        .signature_algorithm()
        .to_der()
        .map_err(|e| fail(e.to_string()))?;
    let key = spki::SubjectPublicKeyInfoRef::from_der(&spki).map_err(|e| fail(e.to_string()))?;
    let alg = spki::AlgorithmIdentifierRef::from_der(&alg).map_err(|e| fail(e.to_string()))?;
    let signature = child.cert.signature().raw_bytes();
    if allow_sha1 {
        verify_legacy_signature(&key, &alg, &tbs, signature).map_err(|e| fail(e.to_string()))
    } else {
        verify_signature(&key, &alg, &tbs, signature).map_err(|e| fail(e.to_string()))
    }
}

/// The leaf's own name checks that need no peer name (no wildcard on a
/// public suffix), shared with `bundle`.
pub fn check_leaf_names(leaf: &Cert) -> std::result::Result<(), Refusal> {
    names::check_wildcards(leaf)
}

/// Path length constraints and the maximum depth of a complete path
/// (leaf first, root last), not counting self-issued intermediates
/// (RFC 5280 6.1.4).
pub fn check_path_lengths(
    path: &[&Cert],
    max_depth: Option<usize>,
) -> std::result::Result<(), Refusal> {
    let last = path.len() - 1;
    let counted: Vec<bool> = path
        .iter()
        .enumerate()
        .map(|(i, c)| i > 0 && i < last && !is_self_issued(c))
        .collect();
    for (i, ca) in path.iter().enumerate().skip(1) {
        let limit = ca.basic_constraints().and_then(|bc| bc.path_len_constraint);
        let below = counted[1..i].iter().filter(|&&c| c).count();
        if let Some(limit) = limit.filter(|&l| below > usize::from(l)) {
            let role = if i == last {
                Role::Anchor
            } else {
                Role::Intermediate
            };
            return Err(format!(
                "path length: {} allows {limit} intermediate(s) below it, the path has {below}",
                who(ca, role)
            )
            .into());
        }
    }
    let depth = counted.iter().filter(|&&c| c).count();
    if let Some(max) = max_depth.filter(|&m| depth > m) {
        return Err(format!(
            "max depth: the path has {depth} intermediate(s), more than the {max} allowed"
        )
        .into());
    }
    Ok(())
}

/// The rules of a whole path that `verify` and `bundle` share: name
/// constraints, and each intermediate's extended key usages (when it has
/// them) sharing a purpose with the leaf's (when it has them).
pub fn check_shared_path_rules(path: &[&Cert]) -> std::result::Result<(), Refusal> {
    constraints::check_path(path)?;
    profile::check_eku_nesting(path)
}

/// The path-dependent checks of a complete path (leaf first, root last):
/// lengths, name constraints, CRLs.
pub fn check_path(
    path: &[&Cert],
    crls: &[Crl],
    opts: &Options,
) -> std::result::Result<(), Refusal> {
    check_path_lengths(path, opts.max_depth)?;
    check_shared_path_rules(path)?;
    for (i, pair) in path.windows(2).enumerate() {
        let role = if i == 0 {
            Role::Leaf
        } else {
            Role::Intermediate
        };
        crl::check(pair[0], role, pair[1], crls, opts.at)?;
    }
    Ok(())
}

struct VerifyRules<'o> {
    crls: &'o [Crl],
    options: &'o Options,
    accepted: Option<Vec<Cert>>,
}

impl<'a> Rules<'a> for VerifyRules<'_> {
    type Error = Refusal;

    fn signed(&self, child: &Cert, issuer: &Cert) -> std::result::Result<(), Refusal> {
        let role = if child.is_ca() {
            Role::Intermediate
        } else {
            Role::Leaf
        };
        check_link(child, role, issuer, self.options.allow_sha1)
    }

    fn issuer(&self, issuer: &Cert, trusted: bool) -> std::result::Result<(), Refusal> {
        let role = if trusted {
            Role::Anchor
        } else {
            Role::Intermediate
        };
        profile::check(issuer, role, self.options)
    }

    fn path(&mut self, path: &[&'a Cert]) -> std::result::Result<ControlFlow<()>, Refusal> {
        check_path(path, self.crls, self.options)?;
        self.accepted = Some(path.iter().map(|c| (*c).clone()).collect());
        Ok(ControlFlow::Break(()))
    }

    fn too_long(&self, max_len: usize) -> Refusal {
        format!("chain: no path of at most {max_len} certificates reaches a trusted root").into()
    }
}

/// Verifies the chain: the path found (leaf first, root last), or the
/// reason no path validates.
pub fn verify(check: &Check<'_>) -> Result<Vec<Cert>> {
    if check.roots.is_empty() {
        return Err(refused("no trusted root given (use -ca-bundle FILE)"));
    }
    let opts = check.options;
    profile::check(check.leaf, Role::Leaf, opts).map_err(refused)?;
    check_leaf_names(check.leaf).map_err(refused)?;
    names::check_peer_names(check.leaf, &opts.names).map_err(refused)?;
    let mut rules = VerifyRules {
        crls: check.crls,
        options: opts,
        accepted: None,
    };
    let outcome = path::search(
        check.leaf,
        check.roots,
        check.intermediates,
        Budget::default(),
        &mut rules,
    );
    match (outcome, rules.accepted) {
        (Outcome::Stopped, Some(path)) => Ok(path),
        (Outcome::OverBudget(what), _) => Err(refused(format!(
            "path building: gave up after {what} (a pathological set of certificates)"
        ))),
        (Outcome::Exhausted(Some(reason)), _) => Err(refused(reason)),
        _ => Err(refused(format!(
            "chain: no path from {} to a trusted root (missing intermediate or untrusted root)",
            who(check.leaf, Role::Leaf)
        ))),
    }
}

/// Where `verify` reads its certificates: the leaf (maybe followed by
/// intermediates, any order; `-` is standard input), the roots, more
/// intermediates, and CRLs.
/// Paths, not text: any name the OS allows.
pub struct Files<'a> {
    pub cert: &'a Path,
    pub ca_bundle: &'a Path,
    pub int_bundle: Option<&'a Path>,
    pub crls: &'a [PathBuf],
}

fn parse(bytes: &[u8], path: &Path) -> Result<Vec<Cert>> {
    parse_all(bytes).map_err(|e| Error::decode(display_path(path), e))
}

/// Reads the files and verifies; a refusal names the input file.
pub fn verify_files(files: &Files<'_>, options: &Options) -> Result<Vec<Cert>> {
    let mut given = leaf_first(parse(&read_input(files.cert)?, files.cert)?).into_iter();
    let leaf = given
        .next()
        .ok_or_else(|| Error::decode(display_path(files.cert), "no certificate found"))?;
    let mut intermediates: Vec<Cert> = given.collect();
    if let Some(path) = files.int_bundle {
        intermediates.extend(parse(&read_pool(path)?, path)?);
    }
    let roots = parse(&read_pool(files.ca_bundle)?, files.ca_bundle)?;
    let mut crls = Vec::new();
    for path in files.crls {
        crls.extend(
            parse_crls(&read_pool(path)?).map_err(|e| Error::decode(display_path(path), e))?,
        );
    }
    let check = Check {
        leaf: &leaf,
        intermediates: &intermediates,
        roots: &roots,
        crls: &crls,
        options,
    };
    verify(&check).map_err(|e| match e {
        Error::Refused(reason) => Error::Refused(format!("{}: {reason}", display_path(files.cert))),
        other => other,
    })
}

/// Parses `-at`: an RFC 3339 time.
pub fn parse_time(text: &str) -> Result<SystemTime> {
    let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|e| refused(format!("-at {text:?}: not an RFC 3339 time ({e})")))?;
    Ok(SystemTime::from(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::certs::parse_all;
    use std::time::Duration;

    fn load(name: &str) -> Vec<Cert> {
        let path = format!(
            "{}/../../fixtures/cfssl/bundler/client-auth/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        parse_all(&std::fs::read(path).unwrap()).unwrap()
    }

    fn check<'a>(
        leaf: &'a Cert,
        ints: &'a [Cert],
        roots: &'a [Cert],
        purpose: Purpose,
        at: SystemTime,
    ) -> Result<Vec<Cert>> {
        let options = Options {
            purpose,
            ..Options::server(at)
        };
        verify(&Check {
            leaf,
            intermediates: ints,
            roots,
            crls: &[],
            options: &options,
        })
    }

    /// cfssl's client-auth fixtures have empty subject and issuer names,
    /// which RFC 5280 forbids (a CA's subject, every issuer); the refusal
    /// names the check. Good and broken chains are tests/interop_verify.rs.
    #[test]
    fn empty_names_are_refused_by_name() {
        let (root, int) = (load("root.pem"), load("int.pem"));
        let server = &load("leaf-server.pem")[0];
        let at = server.not_before() + Duration::from_secs(3600);
        let err = check(server, &int, &root, Purpose::Server, at)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("issuer: leaf") && err.contains("empty issuer"),
            "{err}"
        );
        let err = check(&int[0], &[], &root, Purpose::Any, at)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("authority key identifier") || err.contains("subject"),
            "{err}"
        );
    }

    #[test]
    fn at_must_be_rfc3339() {
        assert!(parse_time("2030-01-01T00:00:00Z").is_ok());
        assert!(parse_time("tomorrow").is_err());
    }
}
