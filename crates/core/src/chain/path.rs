//! Path building with a budget, shared by `verify` and `bundle`: a
//! depth-first search from the leaf through the certificates whose
//! subject is the current certificate's issuer, trusted roots first. Each
//! signature is checked at most once per (certificate, issuer) pair and
//! each issuer's own checks run once; no certificate, and no subject and
//! key pair, appears twice in a path (RFC 4158 loop detection, which also
//! collapses self-issued certificates that share a key). The search stops
//! with a clear error when it exceeds its budget, so pathological inputs
//! (cycles, many cross-signed issuers) cost milliseconds, not minutes.
//! The order of a chain given whole (`is_partial_chain`, `leaf_first`) is
//! here too, for the same two readers.

use crate::chain::certs::Cert;
use der::Encode;
use std::collections::HashMap;
use std::ops::ControlFlow;

/// Whether each certificate is signed by the next (a partial chain).
pub fn is_partial_chain(certs: &[Cert]) -> bool {
    !certs.is_empty() && certs.windows(2).all(|w| w[0].signed_by(&w[1]))
}

/// The input chain leaf first: reversed when given root-first (each
/// certificate signed by the one before it), otherwise as given.
pub fn leaf_first(certs: Vec<Cert>) -> Vec<Cert> {
    if certs.len() > 1 && !is_partial_chain(&certs) {
        let reversed: Vec<Cert> = certs.iter().rev().cloned().collect();
        if is_partial_chain(&reversed) {
            return reversed;
        }
    }
    certs
}

/// How much work one search may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Signature verifications (each pair at most once).
    pub signature_checks: usize,
    /// Complete paths to a trusted root handed to the caller.
    pub paths: usize,
    /// Certificates in one path, leaf and root included.
    pub max_len: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            signature_checks: 200,
            paths: 50,
            max_len: 16,
        }
    }
}

/// How a search ended.
#[derive(Debug)]
pub enum Outcome<E> {
    /// The caller accepted a path and stopped the search.
    Stopped,
    /// Every path was tried; the error of the path that got furthest, if any.
    Exhausted(Option<E>),
    /// The budget ran out.
    OverBudget(OverBudget),
}

/// Which part of the budget ran out, and its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OverBudget {
    #[error("more than {0} signature checks")]
    SignatureChecks(usize),
    #[error("more than {0} candidate paths")]
    Paths(usize),
}

/// What the caller checks along the way, each returning its refusal.
pub trait Rules<'a> {
    type Error;
    /// Whether `issuer`'s key signed `child` (memoized by the search).
    fn signed(&self, child: &Cert, issuer: &Cert) -> Result<(), Self::Error>;
    /// `issuer`'s own checks, independent of the path (memoized).
    fn issuer(&self, issuer: &Cert, trusted: bool) -> Result<(), Self::Error>;
    /// A complete path, leaf first and a trusted root last.
    fn path(&mut self, path: &[&'a Cert]) -> Result<ControlFlow<()>, Self::Error>;
    /// An error for a path that would exceed `max_len` certificates.
    fn too_long(&self, max_len: usize) -> Self::Error;
}

struct Node<'a> {
    cert: &'a Cert,
    trusted: bool,
    subject: Vec<u8>,
    key: Vec<u8>,
    key_id: Vec<u8>,
}

struct Search<'a, 'r, R: Rules<'a>> {
    nodes: Vec<Node<'a>>,
    by_subject: HashMap<Vec<u8>, Vec<usize>>,
    rules: &'r mut R,
    budget: Budget,
    signatures: HashMap<(usize, usize), bool>,
    issuers: HashMap<usize, bool>,
    signature_checks: usize,
    paths: usize,
    best: Option<(usize, R::Error)>,
}

fn node(cert: &Cert, trusted: bool) -> Node<'_> {
    let key = cert
        .cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap_or_default();
    Node {
        cert,
        trusted,
        subject: cert.subject_der(),
        key,
        key_id: cert.subject_key_id(),
    }
}

/// Searches paths from `leaf` to a certificate of `roots` through
/// `intermediates`, handing each complete path to `rules.path`.
pub fn search<'a, R: Rules<'a>>(
    leaf: &'a Cert,
    roots: impl IntoIterator<Item = &'a Cert>,
    intermediates: impl IntoIterator<Item = &'a Cert>,
    budget: Budget,
    rules: &mut R,
) -> Outcome<R::Error> {
    let mut nodes = vec![node(leaf, false)];
    nodes.extend(roots.into_iter().map(|c| node(c, true)));
    nodes.extend(intermediates.into_iter().map(|c| node(c, false)));
    let mut by_subject: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
    for (i, n) in nodes.iter().enumerate().skip(1) {
        by_subject.entry(n.subject.clone()).or_default().push(i);
    }
    let mut search = Search {
        nodes,
        by_subject,
        rules,
        budget,
        signatures: HashMap::new(),
        issuers: HashMap::new(),
        signature_checks: 0,
        paths: 0,
        best: None,
    };
    match search.extend(&mut vec![0]) {
        Err(over) => Outcome::OverBudget(over),
        Ok(ControlFlow::Break(())) => Outcome::Stopped,
        Ok(ControlFlow::Continue(())) => Outcome::Exhausted(search.best.map(|(_, e)| e)),
    }
}

impl<'a, R: Rules<'a>> Search<'a, '_, R> {
    /// Keeps the error of the path that got furthest (the first on ties).
    fn record(&mut self, depth: usize, err: R::Error) {
        if self.best.as_ref().is_none_or(|(d, _)| depth > *d) {
            self.best = Some((depth, err));
        }
    }

    /// Candidate issuers of `current`: trusted first, then those whose
    /// key identifier matches the authority key identifier.
    fn candidates(&self, current: usize) -> Vec<usize> {
        let issuer = self.nodes[current].cert.issuer_der();
        let mut found = self.by_subject.get(&issuer).cloned().unwrap_or_default();
        let aki = authority_key_id(self.nodes[current].cert);
        found.sort_by_key(|&i| {
            let n = &self.nodes[i];
            (!n.trusted, aki.as_ref().is_some_and(|a| *a != n.key_id))
        });
        found
    }

    fn issuer_ok(&mut self, candidate: usize, depth: usize) -> bool {
        if let Some(ok) = self.issuers.get(&candidate) {
            return *ok;
        }
        let n = &self.nodes[candidate];
        let result = self.rules.issuer(n.cert, n.trusted);
        let ok = result.is_ok();
        if let Err(e) = result {
            self.record(depth, e);
        }
        self.issuers.insert(candidate, ok);
        ok
    }

    fn signed(&mut self, child: usize, issuer: usize, depth: usize) -> Result<bool, OverBudget> {
        if let Some(ok) = self.signatures.get(&(child, issuer)) {
            return Ok(*ok);
        }
        self.signature_checks += 1;
        if self.signature_checks > self.budget.signature_checks {
            return Err(OverBudget::SignatureChecks(self.budget.signature_checks));
        }
        let result = self
            .rules
            .signed(self.nodes[child].cert, self.nodes[issuer].cert);
        let ok = result.is_ok();
        if let Err(e) = result {
            self.record(depth, e);
        }
        self.signatures.insert((child, issuer), ok);
        Ok(ok)
    }

    fn in_path(&self, path: &[usize], candidate: usize) -> bool {
        let c = &self.nodes[candidate];
        path.iter().any(|&p| {
            p == candidate || (self.nodes[p].subject == c.subject && self.nodes[p].key == c.key)
        })
    }

    fn extend(&mut self, path: &mut Vec<usize>) -> Result<ControlFlow<()>, OverBudget> {
        let current = *path.last().expect("the path starts at the leaf");
        for candidate in self.candidates(current) {
            if self.in_path(path, candidate) {
                continue;
            }
            let depth = path.len();
            if depth + 1 > self.budget.max_len {
                let err = self.rules.too_long(self.budget.max_len);
                self.record(depth, err);
                continue;
            }
            if !self.issuer_ok(candidate, depth) || !self.signed(current, candidate, depth)? {
                continue;
            }
            path.push(candidate);
            let flow = if self.nodes[candidate].trusted {
                self.complete(path)?
            } else {
                self.extend(path)?
            };
            path.pop();
            if flow.is_break() {
                return Ok(flow);
            }
        }
        Ok(ControlFlow::Continue(()))
    }

    fn complete(&mut self, path: &[usize]) -> Result<ControlFlow<()>, OverBudget> {
        self.paths += 1;
        if self.paths > self.budget.paths {
            return Err(OverBudget::Paths(self.budget.paths));
        }
        let certs: Vec<&'a Cert> = path.iter().map(|&i| self.nodes[i].cert).collect();
        match self.rules.path(&certs) {
            Ok(flow) => Ok(flow),
            Err(e) => {
                self.record(path.len() + 1, e);
                Ok(ControlFlow::Continue(()))
            }
        }
    }
}

/// The key identifier of the authority key identifier extension, if any.
pub fn authority_key_id(cert: &Cert) -> Option<Vec<u8>> {
    cert.cert
        .tbs_certificate()
        .get_extension::<x509_cert::ext::pkix::AuthorityKeyIdentifier>()
        .ok()
        .flatten()
        .and_then(|(_, aki)| aki.key_identifier)
        .map(|k| k.as_bytes().to_vec())
}
