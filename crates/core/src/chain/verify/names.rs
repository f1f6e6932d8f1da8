//! Names: the syntax of DNS names and email addresses in certificates,
//! and whether the leaf is valid for the names asked for. DNS names and
//! IP addresses are matched by rustls-webpki (RFC 6125/9525: SANs only,
//! wildcards in the leftmost label only); email addresses here.

use crate::chain::certs::Cert;
use crate::chain::verify::options::PeerName;
use crate::chain::verify::refusal::Refusal;
use crate::chain::verify::role::{who, Role};
use rustls_pki_types::{CertificateDer, ServerName};
use x509_cert::ext::pkix::name::GeneralName;

/// A DNS name as RFC 1034 letters, digits and hyphens (no underscore),
/// at most 253 octets; `*` may be the whole leftmost label when
/// `wildcard`, followed by at least two labels.
pub fn check_dns_syntax(name: &str, wildcard: bool) -> Result<(), Refusal> {
    let bad = |why: &str| Err(Refusal::from(format!("DNS name {name:?} {why}")));
    if name.is_empty() || name.len() > 253 {
        return bad("is empty or longer than 253 octets");
    }
    let labels: Vec<&str> = name.split('.').collect();
    for (i, label) in labels.iter().enumerate() {
        if i == 0 && wildcard && *label == "*" {
            if labels.len() < 3 {
                return bad("puts a wildcard on a top-level domain");
            }
            continue;
        }
        if label.is_empty() || label.len() > 63 {
            return bad("has an empty or over-long label");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return bad("has a character other than a letter, digit or hyphen");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return bad("has a label starting or ending with a hyphen");
        }
    }
    Ok(())
}

/// An email address (RFC 5280 rfc822Name): a non-empty local part of
/// printable ASCII, `@`, a DNS name.
pub fn check_email_syntax(address: &str) -> Result<(), Refusal> {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(format!("email address {address:?} has no @").into());
    };
    if local.is_empty() || !local.bytes().all(|b| b.is_ascii_graphic() && b != b'@') {
        return Err(format!("email address {address:?} has an invalid local part").into());
    }
    check_dns_syntax(domain, false)
        .map_err(|e| Refusal::from(format!("email address {address:?}: {e}")))
}

/// Refuses a wildcard whose base is a public suffix of the list's ICANN
/// section (`*.co.uk`): no one controls every name under it (CABF
/// 3.2.2.6). The PRIVATE section is not used: its owners issue such
/// wildcards for themselves (`*.s3.amazonaws.com` by Amazon).
pub fn check_wildcards(leaf: &Cert) -> Result<(), Refusal> {
    for name in leaf.dns_names() {
        let Some(base) = name.strip_prefix("*.") else {
            continue;
        };
        let base = base.to_ascii_lowercase();
        if let Some(suffix) = psl::suffix(base.as_bytes()) {
            let icann = suffix.typ() == Some(psl::Type::Icann);
            if icann && suffix.as_bytes() == base.as_bytes() {
                return Err(format!(
                    "wildcard: {} has the wildcard {name:?} over the public suffix {base:?}",
                    who(leaf, Role::Leaf)
                )
                .into());
            }
        }
    }
    Ok(())
}

fn email_in_san(leaf: &Cert, want: &str) -> bool {
    let Some((want_local, want_domain)) = want.rsplit_once('@') else {
        return false;
    };
    leaf.sans().iter().any(|n| match n {
        GeneralName::Rfc822Name(m) => m
            .as_str()
            .rsplit_once('@')
            .is_some_and(|(l, d)| l == want_local && d.eq_ignore_ascii_case(want_domain)),
        _ => false,
    })
}

/// Whether the leaf is valid for every name asked for.
pub fn check_peer_names(leaf: &Cert, names: &[PeerName]) -> Result<(), Refusal> {
    let me = who(leaf, Role::Leaf);
    let der = CertificateDer::from(leaf.der.as_slice());
    for name in names {
        let ok = match name {
            PeerName::Email(address) => email_in_san(leaf, address),
            PeerName::Dns(host) => {
                let server = ServerName::try_from(host.as_str())
                    .map_err(|_| Refusal::from(format!("hostname: {host:?} is not a DNS name")))?;
                webpki::EndEntityCert::try_from(&der)
                    .is_ok_and(|ee| ee.verify_is_valid_for_subject_name(&server).is_ok())
            }
            PeerName::Ip(ip) => {
                let server = ServerName::IpAddress((*ip).into());
                webpki::EndEntityCert::try_from(&der)
                    .is_ok_and(|ee| ee.verify_is_valid_for_subject_name(&server).is_ok())
            }
        };
        if !ok {
            let check = match name {
                PeerName::Email(_) => "email",
                PeerName::Ip(_) => "ip",
                PeerName::Dns(_) => "hostname",
            };
            return Err(format!("{check}: {me} is not valid for {:?}", name.to_string()).into());
        }
    }
    Ok(())
}
