//! `verify`: does a certificate chain validate for a purpose and a name at
//! a time? The path validation is rustls-webpki's (with AWS-LC); this
//! module gathers the inputs and turns a refusal into a reason that
//! names the certificate and the check.

use crate::chain::bundle::chain::leaf_first;
use crate::chain::certs::{parse_all, Cert};
use crate::error::{Error, Result};
use crate::input::{display_name, read_input, read_pool};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use std::time::{Duration, SystemTime};
use webpki::{EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeIdIter, KeyUsage};

/// What the leaf must be good for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// TLS server (serverAuth EKU, when the leaf has an EKU extension)
    Server,
    /// TLS client (clientAuth EKU, when the leaf has an EKU extension)
    Client,
    /// No extended key usage check
    Any,
}

/// Accepts every EKU: the "any" purpose.
struct AnyPurpose;

impl ExtendedKeyUsageValidator for AnyPurpose {
    fn validate(&self, _iter: KeyPurposeIdIter<'_, '_>) -> std::result::Result<(), webpki::Error> {
        Ok(())
    }
}

/// One verification: the leaf, the certificates that may complete the
/// chain, the trusted roots, and the checks to make.
pub struct Check<'a> {
    pub leaf: &'a Cert,
    pub intermediates: &'a [Cert],
    pub roots: &'a [Cert],
    pub hostname: Option<&'a str>,
    pub purpose: Purpose,
    pub at: SystemTime,
}

fn refused(msg: String) -> Error {
    Error::Refused(msg)
}

fn subject(cert: &Cert) -> String {
    cert.cert.tbs_certificate().subject().to_string()
}

/// Names the certificates outside their validity window at `at`.
fn expired_names(check: &Check<'_>) -> String {
    let mut who: Vec<String> = std::iter::once(("leaf", check.leaf))
        .chain(check.intermediates.iter().map(|c| ("intermediate", c)))
        .chain(check.roots.iter().map(|c| ("root", c)))
        .filter(|(_, c)| !c.valid_at(check.at))
        .map(|(role, c)| format!("{role} {:?}", subject(c)))
        .collect();
    who.dedup();
    who.join(", ")
}

/// Names the given intermediates and roots matching `pred` (webpki does
/// not say which certificate failed; these are the candidates).
fn issuers_where(check: &Check<'_>, pred: impl Fn(&Cert) -> bool) -> String {
    let names: Vec<String> = check
        .intermediates
        .iter()
        .chain(check.roots)
        .filter(|c| pred(c))
        .map(|c| format!("{:?}", subject(c)))
        .collect();
    if names.is_empty() {
        "in the chain".into()
    } else {
        names.join(" or ")
    }
}

/// Explains a webpki refusal: which certificate and which check.
fn explain(err: &webpki::Error, check: &Check<'_>) -> String {
    use webpki::Error as E;
    let leaf = format!("leaf {:?}", subject(check.leaf));
    match err {
        E::CertExpired { .. } | E::CertNotValidYet { .. } | E::InvalidCertValidity => {
            format!(
                "validity: {} is outside its validity period at the given time",
                expired_names(check)
            )
        }
        E::UnknownIssuer => format!(
            "chain: no path from {leaf} to a trusted root (missing intermediate, untrusted root, \
             or an issuer that fails a check such as its own validity period)"
        ),
        E::CaUsedAsEndEntity => format!("basic constraints: {leaf} is a CA certificate, not an end entity"),
        E::EndEntityUsedAsCa => format!(
            "basic constraints: issuer {} is not a CA (BasicConstraints CA:FALSE or absent)",
            issuers_where(check, |c| !c.is_ca())
        ),
        E::PathLenConstraintViolated => format!(
            "basic constraints: the path length constraint of {} is exceeded",
            issuers_where(check, |c| c.basic_constraints().and_then(|bc| bc.path_len_constraint).is_some())
        ),
        E::RequiredEkuNotFoundContext(_) => {
            format!(
                "extended key usage: {leaf} is not valid for the {:?} purpose",
                check.purpose
            )
        }
        E::CertNotValidForName(_) => format!(
            "hostname: {leaf} is not valid for {:?}",
            check.hostname.unwrap_or_default()
        ),
        E::InvalidSignatureForPublicKey => "signature: a certificate's signature does not verify".into(),
        E::UnsupportedSignatureAlgorithmContext(_) | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            "signature: the chain uses an unsupported or too weak signature algorithm (e.g. SHA-1, RSA < 2048)".into()
        }
        E::NameConstraintViolation => "name constraints: a CA's name constraints exclude the leaf".into(),
        other => format!("{other:?}"),
    }
}

/// Verifies the chain; `Ok(())` when it validates, otherwise the reason.
pub fn verify(check: &Check<'_>) -> Result<()> {
    let leaf_der = CertificateDer::from(check.leaf.der.as_slice());
    let leaf = EndEntityCert::try_from(&leaf_der).map_err(|e| {
        Error::decode(
            "certificate",
            format!("not a usable end-entity certificate: {e:?}"),
        )
    })?;
    let root_ders: Vec<CertificateDer<'_>> = check
        .roots
        .iter()
        .map(|c| CertificateDer::from(c.der.as_slice()))
        .collect();
    let anchors: Vec<_> = root_ders
        .iter()
        .filter_map(|d| webpki::anchor_from_trusted_cert(d).ok())
        .collect();
    if anchors.is_empty() {
        return Err(refused(
            "no trusted root given (use -ca-bundle FILE)".into(),
        ));
    }
    let intermediates: Vec<CertificateDer<'_>> = check
        .intermediates
        .iter()
        .map(|c| CertificateDer::from(c.der.as_slice()))
        .collect();
    let seconds = check
        .at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    let time = UnixTime::since_unix_epoch(Duration::from_secs(seconds));
    let algs = webpki::ALL_VERIFICATION_ALGS;
    let result = match check.purpose {
        Purpose::Server => leaf.verify_for_usage(
            algs,
            &anchors,
            &intermediates,
            time,
            KeyUsage::server_auth(),
            None,
            None,
        ),
        Purpose::Client => leaf.verify_for_usage(
            algs,
            &anchors,
            &intermediates,
            time,
            KeyUsage::client_auth(),
            None,
            None,
        ),
        Purpose::Any => {
            leaf.verify_for_usage(algs, &anchors, &intermediates, time, AnyPurpose, None, None)
        }
    };
    result.map_err(|e| refused(explain(&e, check)))?;
    if let Some(host) = check.hostname {
        let name = ServerName::try_from(host).map_err(|_| {
            refused(format!(
                "hostname: {host:?} is not a DNS name or IP address"
            ))
        })?;
        leaf.verify_is_valid_for_subject_name(&name)
            .map_err(|e| refused(explain(&e, check)))?;
    }
    Ok(())
}

/// Where `verify` reads its certificates: the leaf (maybe followed by
/// intermediates, any order; `-` is standard input), the roots, and more
/// intermediates.
pub struct Files<'a> {
    pub cert: &'a str,
    pub ca_bundle: &'a str,
    pub int_bundle: Option<&'a str>,
}

fn parse(bytes: &[u8], path: &str) -> Result<Vec<Cert>> {
    parse_all(bytes).map_err(|e| Error::decode(display_name(path), e))
}

/// Reads the files and verifies; a refusal names the input file.
pub fn verify_files(
    files: &Files<'_>,
    hostname: Option<&str>,
    purpose: Purpose,
    at: SystemTime,
) -> Result<()> {
    let mut given = leaf_first(parse(&read_input(files.cert)?, files.cert)?).into_iter();
    let leaf = given
        .next()
        .ok_or_else(|| Error::decode(display_name(files.cert), "no certificate found"))?;
    let mut intermediates: Vec<Cert> = given.collect();
    if let Some(path) = files.int_bundle {
        intermediates.extend(parse(&read_pool(path)?, path)?);
    }
    let roots = parse(&read_pool(files.ca_bundle)?, files.ca_bundle)?;
    let check = Check {
        leaf: &leaf,
        intermediates: &intermediates,
        roots: &roots,
        hostname,
        purpose,
        at,
    };
    verify(&check).map_err(|e| match e {
        Error::Refused(reason) => Error::Refused(format!("{}: {reason}", display_name(files.cert))),
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
    ) -> Result<()> {
        verify(&Check {
            leaf,
            intermediates: ints,
            roots,
            hostname: None,
            purpose,
            at,
        })
    }

    #[test]
    fn purposes_and_missing_intermediate() {
        let (root, int) = (load("root.pem"), load("int.pem"));
        let server = &load("leaf-server.pem")[0];
        let client = &load("leaf-client.pem")[0];
        let at = server.not_before() + Duration::from_secs(3600);
        check(server, &int, &root, Purpose::Server, at).unwrap();
        check(client, &int, &root, Purpose::Client, at).unwrap();
        check(client, &int, &root, Purpose::Any, at).unwrap();
        let err = check(client, &int, &root, Purpose::Server, at)
            .unwrap_err()
            .to_string();
        assert!(err.contains("extended key usage"), "{err}");
        let err = check(server, &[], &root, Purpose::Server, at)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no path"), "{err}");
        let late = server.not_after() + Duration::from_secs(1);
        let err = check(server, &int, &root, Purpose::Server, late)
            .unwrap_err()
            .to_string();
        assert!(err.contains("validity") && err.contains("leaf"), "{err}");
    }

    #[test]
    fn at_must_be_rfc3339() {
        assert!(parse_time("2030-01-01T00:00:00Z").is_ok());
        assert!(parse_time("tomorrow").is_err());
    }
}
