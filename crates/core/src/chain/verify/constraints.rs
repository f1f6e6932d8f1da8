//! Name constraints over a path (RFC 5280 4.2.1.10 and 6.1): each CA's
//! permitted and excluded subtrees apply to every certificate below it,
//! except self-issued intermediates (6.1.4), for DNS names, IP addresses,
//! email addresses, directory names, URIs and other names. Malformed
//! constraints are refused, and so is a check that would take more than
//! a million comparisons (hostile inputs with thousands of each).

use crate::chain::certs::Cert;
use crate::chain::verify::names::{check_dns_syntax, check_email_syntax};
use crate::chain::verify::refusal::Refusal;
use crate::chain::verify::role::{who, Role};
use der::Encode;
use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::NameConstraints;

const MAX_COMPARISONS: usize = 1 << 20;

fn role_at(i: usize, len: usize) -> Role {
    match i {
        0 => Role::Leaf,
        i if i + 1 == len => Role::Anchor,
        _ => Role::Intermediate,
    }
}

fn is_self_issued(cert: &Cert) -> bool {
    cert.subject_der() == cert.issuer_der()
}

/// The names a certificate presents to constraints: its subject (as a
/// directory name), its emailAddress attributes and its SANs.
fn names_of(cert: &Cert) -> Vec<GeneralName> {
    let subject = cert.cert.tbs_certificate().subject();
    let mut names = Vec::new();
    if !subject.is_empty() {
        names.push(GeneralName::DirectoryName(subject.clone()));
    }
    for atv in subject.iter() {
        if atv.oid == const_oid::db::rfc2985::PKCS_9_AT_EMAIL_ADDRESS {
            if let Ok(ia5) = atv.value.decode_as::<der::asn1::Ia5String>() {
                names.push(GeneralName::Rfc822Name(ia5));
            }
        }
    }
    names.extend(cert.sans());
    names
}

/// Checks every CA's name constraints against the certificates below it.
pub fn check_path(path: &[&Cert]) -> Result<(), Refusal> {
    let names: Vec<Vec<GeneralName>> = path.iter().map(|c| names_of(c)).collect();
    let mut comparisons = 0usize;
    for (i, ca) in path.iter().enumerate().skip(1) {
        let Ok(Some((_, nc))) = ca.cert.tbs_certificate().get_extension::<NameConstraints>() else {
            continue;
        };
        let ca_who = who(ca, role_at(i, path.len()));
        let permitted = nc.permitted_subtrees.unwrap_or_default();
        let excluded = nc.excluded_subtrees.unwrap_or_default();
        for subtree in permitted.iter().chain(&excluded) {
            check_subtree(subtree)
                .map_err(|e| Refusal::from(format!("name constraints: {ca_who}: {e}")))?;
        }
        for (j, cert) in path.iter().enumerate().take(i) {
            if j > 0 && is_self_issued(cert) {
                continue;
            }
            comparisons += names[j].len() * (permitted.len() + excluded.len());
            if comparisons > MAX_COMPARISONS {
                return Err(format!(
                    "name constraints: more than {MAX_COMPARISONS} name/constraint comparisons; refusing a pathological chain"
                ).into());
            }
            for name in &names[j] {
                check_name(name, &permitted, &excluded).map_err(|why| {
                    format!(
                        "name constraints: {} {why} by the constraints of {ca_who}",
                        who(cert, role_at(j, path.len()))
                    )
                })?;
            }
        }
    }
    Ok(())
}

/// A constraint must be well-formed: DNS names without wildcards or a
/// leading period, IP address and mask pairs with a contiguous mask,
/// email constraints a mailbox, host or `.domain`; minimum 0, no maximum.
fn check_subtree(subtree: &GeneralSubtree) -> Result<(), Refusal> {
    if subtree.minimum != 0 || subtree.maximum.is_some() {
        return Err("a subtree has a minimum or maximum (RFC 5280: 0 and absent)".into());
    }
    match &subtree.base {
        GeneralName::DnsName(d) if !d.as_str().is_empty() => check_dns_syntax(d.as_str(), false)
            .map_err(|e| Refusal::from(format!("malformed dNSName constraint: {e}"))),
        GeneralName::IpAddress(ip) => {
            let b = ip.as_bytes();
            if b.len() != 8 && b.len() != 32 {
                return Err(
                    format!("an iPAddress constraint of {} bytes (8 or 32)", b.len()).into(),
                );
            }
            let mask = &b[b.len() / 2..];
            let bits: Vec<bool> = mask
                .iter()
                .flat_map(|byte| (0..8).rev().map(move |k| byte >> k & 1 == 1))
                .collect();
            if bits.windows(2).any(|w| !w[0] && w[1]) {
                return Err("an iPAddress constraint with a non-contiguous mask".into());
            }
            Ok(())
        }
        GeneralName::Rfc822Name(m) => {
            let m = m.as_str();
            if m.contains('@') {
                check_email_syntax(m)
            } else {
                check_dns_syntax(m.strip_prefix('.').unwrap_or(m), false)
            }
            .map_err(|e| Refusal::from(format!("malformed rfc822Name constraint: {e}")))
        }
        _ => Ok(()),
    }
}

/// Ok, or why the name is not permitted or is excluded.
fn check_name(
    name: &GeneralName,
    permitted: &[GeneralSubtree],
    excluded: &[GeneralSubtree],
) -> Result<(), Refusal> {
    let mut same_kind = permitted
        .iter()
        .filter_map(|s| matches(name, &s.base, false))
        .peekable();
    if same_kind.peek().is_some() && !same_kind.any(|m| m) {
        return Err(format!("has the name {} that is not permitted", describe(name)).into());
    }
    if excluded
        .iter()
        .any(|s| matches(name, &s.base, true) == Some(true))
    {
        return Err(format!("has the excluded name {}", describe(name)).into());
    }
    Ok(())
}

fn describe(name: &GeneralName) -> String {
    match name {
        GeneralName::DnsName(d) => format!("DNS:{}", d.as_str()),
        GeneralName::Rfc822Name(m) => format!("email:{}", m.as_str()),
        GeneralName::UniformResourceIdentifier(u) => format!("URI:{}", u.as_str()),
        GeneralName::DirectoryName(n) => format!("DirName:{n}"),
        GeneralName::IpAddress(ip) => match ip.as_bytes().len() {
            4 => format!(
                "IP:{}",
                std::net::Ipv4Addr::from(<[u8; 4]>::try_from(ip.as_bytes()).unwrap_or_default())
            ),
            16 => format!(
                "IP:{}",
                std::net::Ipv6Addr::from(<[u8; 16]>::try_from(ip.as_bytes()).unwrap_or_default())
            ),
            _ => "IP:(malformed)".into(),
        },
        GeneralName::OtherName(o) => format!("othername:{}", o.type_id),
        _ => "(a name)".into(),
    }
}

/// Whether `name` lies in the subtree `base`; None when they are of
/// different kinds. `excluding`: a wildcard matches a subtree it might
/// reach (`*.example.com` is excluded by `bar.example.com`).
fn matches(name: &GeneralName, base: &GeneralName, excluding: bool) -> Option<bool> {
    use GeneralName as G;
    Some(match (name, base) {
        (G::DnsName(n), G::DnsName(c)) => dns_in(n.as_str(), c.as_str(), excluding),
        (G::IpAddress(ip), G::IpAddress(net)) => {
            let (ip, net) = (ip.as_bytes(), net.as_bytes());
            if net.len() != ip.len() * 2 {
                return Some(false);
            }
            let (addr, mask) = net.split_at(ip.len());
            ip.iter()
                .zip(addr)
                .zip(mask)
                .all(|((a, b), m)| a & m == b & m)
        }
        (G::Rfc822Name(m), G::Rfc822Name(c)) => email_in(m.as_str(), c.as_str()),
        (G::DirectoryName(n), G::DirectoryName(c)) => {
            let (n, c): (Vec<_>, Vec<_>) = (n.iter_rdn().collect(), c.iter_rdn().collect());
            c.len() <= n.len()
                && n.iter()
                    .zip(&c)
                    .all(|(a, b)| a.to_der().ok() == b.to_der().ok())
        }
        (G::UniformResourceIdentifier(u), G::UniformResourceIdentifier(c)) => {
            uri_in(u.as_str(), c.as_str())
        }
        (G::OtherName(o), G::OtherName(c)) if o.type_id == c.type_id => {
            excluding || o.value.to_der().ok() == c.value.to_der().ok()
        }
        (G::OtherName(_), G::OtherName(_)) => return None,
        (a, b) if std::mem::discriminant(a) == std::mem::discriminant(b) => false,
        _ => return None,
    })
}

fn dns_in(name: &str, constraint: &str, excluding: bool) -> bool {
    let (name, constraint) = (name.to_ascii_lowercase(), constraint.to_ascii_lowercase());
    if constraint.is_empty() || name == constraint || name.ends_with(&format!(".{constraint}")) {
        return true;
    }
    match (excluding, name.strip_prefix("*.")) {
        (true, Some(base)) => constraint
            .split_once('.')
            .is_some_and(|(_, rest)| rest == base),
        _ => false,
    }
}

fn email_in(address: &str, constraint: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    match constraint.rsplit_once('@') {
        Some((c_local, c_domain)) => local == c_local && domain.eq_ignore_ascii_case(c_domain),
        None if constraint.starts_with('.') => domain
            .to_ascii_lowercase()
            .ends_with(&constraint.to_ascii_lowercase()),
        None => domain.eq_ignore_ascii_case(constraint),
    }
}

fn uri_in(uri: &str, constraint: &str) -> bool {
    let host = uri
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(uri)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let constraint = constraint.to_ascii_lowercase();
    if constraint.starts_with('.') {
        host.ends_with(&constraint)
    } else {
        host == constraint
    }
}
