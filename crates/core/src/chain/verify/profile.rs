//! The profile each certificate of a path must meet on its own, by role:
//! RFC 5280's rules plus the CA/Browser Forum's where RFC 5280 leaves a
//! door open that only a misissued or hostile certificate walks through
//! (README "certkit and openssl on x509-limbo" lists the choices).
//! Each refusal starts with the name of the check that failed.

use crate::chain::certs::{key_kind, Cert, KeyKind};
use crate::chain::verify::names::{check_dns_syntax, check_email_syntax};
use crate::chain::verify::options::{Options, Purpose};
use crate::chain::verify::refusal::Refusal;
use crate::chain::verify::role::{who, Role};
use const_oid::db::rfc5912 as oids;
use std::collections::HashSet;
use std::time::{Duration, SystemTime};
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage,
    KeyUsage, KeyUsages, NameConstraints, PolicyConstraints, SubjectAltName, SubjectKeyIdentifier,
};

/// Extensions certkit understands, and so may be critical.
const UNDERSTOOD: [spki::ObjectIdentifier; 9] = [
    oids::ID_CE_BASIC_CONSTRAINTS,
    oids::ID_CE_KEY_USAGE,
    oids::ID_CE_EXT_KEY_USAGE,
    oids::ID_CE_SUBJECT_ALT_NAME,
    oids::ID_CE_NAME_CONSTRAINTS,
    oids::ID_CE_POLICY_CONSTRAINTS,
    oids::ID_CE_CERTIFICATE_POLICIES,
    oids::ID_CE_INHIBIT_ANY_POLICY,
    oids::ID_CE_POLICY_MAPPINGS,
];

/// Time floored to the second: certificate times have no fractions, and
/// a fraction past notBefore must not make a certificate valid early.
pub fn whole_seconds(at: SystemTime) -> SystemTime {
    let secs = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

/// Reads one extension; a malformed one is a refusal naming it.
fn ext<'a, T>(cert: &'a Cert, name: &str, me: &str) -> Result<Option<(bool, T)>, Refusal>
where
    T: der::Decode<'a> + const_oid::AssociatedOid,
{
    cert.cert
        .tbs_certificate()
        .get_extension::<T>()
        .map_err(|_| Refusal::from(format!("extensions: {me} has a malformed {name} extension")))
}

/// The checks of one certificate in its role.
pub fn check(cert: &Cert, role: Role, opts: &Options) -> Result<(), Refusal> {
    let me = who(cert, role);
    let tbs = cert.cert.tbs_certificate();
    if tbs.version() != Version::V3 {
        return Err(format!("version: {me} is not an X.509 v3 certificate").into());
    }
    if !cert.valid_at(whole_seconds(opts.at)) {
        return Err(
            format!("validity: {me} is outside its validity period at the given time").into(),
        );
    }
    // Trust anchors are taken as given here: a root in today's stores
    // (Starfield Root G2) has serial number zero.
    if role != Role::Anchor {
        check_serial(cert, &me)?;
    }
    if cert.cert.signature_algorithm() != tbs.signature() {
        return Err(format!(
            "signature: {me} names different signature algorithms inside and outside its signed part"
        ).into());
    }
    if tbs.issuer().is_empty() {
        return Err(format!("issuer: {me} has an empty issuer name").into());
    }
    if !opts.allow_sha1 {
        check_key(cert, &me)?;
    }
    check_extension_list(cert, &me)?;
    let bc = ext::<BasicConstraints>(cert, "BasicConstraints", &me)?;
    let ku = ext::<KeyUsage>(cert, "KeyUsage", &me)?.map(|(_, k)| k);
    let is_ca = bc.as_ref().is_some_and(|(_, b)| b.ca);
    let cert_sign = ku.as_ref().map(|k| k.0.contains(KeyUsages::KeyCertSign));
    if is_ca && cert_sign == Some(false) {
        return Err(format!(
            "key usage: {me} is a CA (BasicConstraints cA) whose KeyUsage lacks keyCertSign"
        )
        .into());
    }
    if !is_ca && cert_sign == Some(true) {
        return Err(format!(
            "key usage: {me} asserts keyCertSign but is not a CA (BasicConstraints cA false or absent)"
        ).into());
    }
    check_key_ids(cert, role, &me)?;
    check_names(cert, role, &me)?;
    check_constraints_extensions(cert, is_ca, &me)?;
    check_aia(cert, &me)?;
    match role {
        Role::Leaf => check_leaf_usages(cert, opts, &me),
        Role::Intermediate | Role::Anchor => {
            match bc {
                None => return Err(format!("basic constraints: {me} has no BasicConstraints, so it is not a CA").into()),
                Some((_, b)) if !b.ca => return Err(format!("basic constraints: {me} is not a CA (BasicConstraints cA false)").into()),
                Some((false, _)) => return Err(format!("basic constraints: {me} has a non-critical BasicConstraints (a CA's must be critical)").into()),
                Some(_) => {}
            }
            if tbs.subject().is_empty() {
                return Err(format!("subject: the CA {me} has an empty subject").into());
            }
            check_ca_eku(cert, role, opts.purpose, &me)
        }
    }
}

fn check_serial(cert: &Cert, me: &str) -> Result<(), Refusal> {
    let bytes = cert.cert.tbs_certificate().serial_number().as_bytes();
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(format!("serial: {me} has a negative serial number").into());
    }
    let significant = bytes.iter().skip_while(|&&b| b == 0).count();
    if significant == 0 {
        return Err(format!("serial: {me} has serial number zero").into());
    }
    if significant > 20 {
        return Err(format!("serial: {me} has a serial number longer than 20 octets").into());
    }
    Ok(())
}

/// Public keys certkit accepts anywhere in a path: RSA of at least 2048
/// bits in whole bytes, ECDSA on P-256/P-384/P-521, Ed25519.
pub fn check_key(cert: &Cert, me: &str) -> Result<(), Refusal> {
    match key_kind(cert.cert.tbs_certificate().subject_public_key_info()) {
        KeyKind::Rsa(bits) if bits < 2048 => Err(format!(
            "key: {me} has a {bits}-bit RSA key (at least 2048 bits)"
        ).into()),
        KeyKind::Rsa(bits) if bits % 8 != 0 => Err(format!(
            "key: {me} has a {bits}-bit RSA modulus, not a whole number of bytes"
        ).into()),
        KeyKind::Other => Err(format!(
            "key: {me} has a key that is not RSA, ECDSA on P-256/P-384/P-521 (named curve) or Ed25519"
        ).into()),
        _ => Ok(()),
    }
}

fn check_extension_list(cert: &Cert, me: &str) -> Result<(), Refusal> {
    let mut seen = HashSet::new();
    for e in cert
        .cert
        .tbs_certificate()
        .extensions()
        .into_iter()
        .flatten()
    {
        if !seen.insert(e.extn_id) {
            return Err(format!("extensions: {me} has the extension {} twice", e.extn_id).into());
        }
        let never_critical = [
            (
                oids::ID_CE_AUTHORITY_KEY_IDENTIFIER,
                "authority key identifier",
            ),
            (oids::ID_CE_SUBJECT_KEY_IDENTIFIER, "subject key identifier"),
            (
                oids::ID_PE_AUTHORITY_INFO_ACCESS,
                "authority information access",
            ),
        ];
        if let Some((_, check)) = never_critical
            .iter()
            .find(|(oid, _)| e.critical && *oid == e.extn_id)
        {
            return Err(format!("{check}: {me} marks it critical (RFC 5280: non-critical)").into());
        }
        if e.critical && !UNDERSTOOD.contains(&e.extn_id) {
            return Err(format!(
                "extensions: {me} has an unknown critical extension {}",
                e.extn_id
            )
            .into());
        }
    }
    Ok(())
}

/// Authority and subject key identifiers: present where chains need them
/// (AKI on every certificate but a trust anchor or a self-signed one, SKI
/// on CAs), never
/// critical, and an AKI carries a key identifier only.
fn check_key_ids(cert: &Cert, role: Role, me: &str) -> Result<(), Refusal> {
    let aki = ext::<AuthorityKeyIdentifier>(cert, "AuthorityKeyIdentifier", me)?;
    let ski = ext::<SubjectKeyIdentifier>(cert, "SubjectKeyIdentifier", me)?;
    let self_signed = cert.is_self_signed();
    match &aki {
        None if !self_signed && role != Role::Anchor => {
            return Err(format!(
                "authority key identifier: {me} has none (required unless self-signed)"
            ).into())
        }
        Some((_, a)) if a.key_identifier.is_none() => {
            return Err(format!(
                "authority key identifier: {me} has no keyIdentifier field"
            ).into())
        }
        Some((_, a)) if a.authority_cert_issuer.is_some() || a.authority_cert_serial_number.is_some() => {
            return Err(format!(
                "authority key identifier: {me} has authorityCertIssuer or authorityCertSerialNumber (keyIdentifier only)"
            ).into())
        }
        _ => {}
    }
    match &ski {
        None if role != Role::Leaf => {
            return Err(format!("subject key identifier: the CA {me} has none").into())
        }
        _ => {}
    }
    if let (true, Some((_, a)), Some((_, s))) = (self_signed, &aki, &ski) {
        if a.key_identifier.as_ref().map(|k| k.as_bytes()) != Some(s.0.as_bytes()) {
            return Err(format!(
                "authority key identifier: self-signed {me} names a key other than its own"
            )
            .into());
        }
    }
    Ok(())
}

/// The subject alternative names: present and well-formed, critical
/// exactly when the subject is empty (RFC 5280 4.2.1.6, CABF 7.1.2.7.12).
fn check_names(cert: &Cert, role: Role, me: &str) -> Result<(), Refusal> {
    let empty_subject = cert.cert.tbs_certificate().subject().is_empty();
    let Some((critical, san)) = ext::<SubjectAltName>(cert, "SubjectAltName", me)? else {
        if empty_subject && role == Role::Leaf {
            return Err(format!(
                "subject alternative name: {me} has an empty subject and no SubjectAltName"
            )
            .into());
        }
        return Ok(());
    };
    if san.0.is_empty() {
        return Err(format!("subject alternative name: {me} has an empty SubjectAltName").into());
    }
    if empty_subject && !critical {
        return Err(format!(
            "subject alternative name: {me} has an empty subject, so its SubjectAltName must be critical"
        ).into());
    }
    if !empty_subject && critical {
        return Err(format!(
            "subject alternative name: {me} has a subject, so its SubjectAltName must not be critical"
        ).into());
    }
    for name in &san.0 {
        match name {
            GeneralName::DnsName(d) => check_dns_syntax(d.as_str(), true)
                .map_err(|e| Refusal::from(format!("subject alternative name: {me}: {e}")))?,
            GeneralName::Rfc822Name(m) => check_email_syntax(m.as_str())
                .map_err(|e| Refusal::from(format!("subject alternative name: {me}: {e}")))?,
            GeneralName::IpAddress(ip) if ![4, 16].contains(&ip.as_bytes().len()) => {
                return Err(format!(
                    "subject alternative name: {me} has an IP address of {} bytes",
                    ip.as_bytes().len()
                )
                .into())
            }
            _ => {}
        }
    }
    Ok(())
}

/// Name and policy constraints: only in CAs, always critical.
fn check_constraints_extensions(cert: &Cert, is_ca: bool, me: &str) -> Result<(), Refusal> {
    if let Some((critical, nc)) = ext::<NameConstraints>(cert, "NameConstraints", me)? {
        if !is_ca {
            return Err(
                format!("name constraints: {me} is not a CA but has NameConstraints").into(),
            );
        }
        if !critical {
            return Err(format!(
                "name constraints: {me} has non-critical NameConstraints (must be critical)"
            )
            .into());
        }
        let empty = |t: &Option<Vec<_>>| t.as_ref().is_none_or(|v| v.is_empty());
        if empty(&nc.permitted_subtrees) && empty(&nc.excluded_subtrees) {
            return Err(format!(
                "name constraints: {me} has NameConstraints with neither permitted nor excluded subtrees"
            ).into());
        }
    }
    if let Some((critical, _)) = ext::<PolicyConstraints>(cert, "PolicyConstraints", me)? {
        if !critical {
            return Err(format!(
                "policy constraints: {me} has non-critical PolicyConstraints (must be critical)"
            )
            .into());
        }
    }
    if let Some((_, bc)) = ext::<BasicConstraints>(cert, "BasicConstraints", me)? {
        if bc.path_len_constraint.is_some() && !bc.ca {
            return Err(
                format!("basic constraints: {me} has a pathLenConstraint without cA").into(),
            );
        }
    }
    Ok(())
}

fn check_aia(cert: &Cert, me: &str) -> Result<(), Refusal> {
    match ext::<AuthorityInfoAccessSyntax>(cert, "AuthorityInfoAccess", me)? {
        Some((_, aia)) if aia.0.is_empty() => Err(format!(
            "authority information access: {me} has an empty AuthorityInfoAccess"
        )
        .into()),
        _ => Ok(()),
    }
}

/// The leaf's extended key usage (non-critical, no anyExtendedKeyUsage,
/// the purpose listed when the extension is present) and key usages.
fn check_leaf_usages(cert: &Cert, opts: &Options, me: &str) -> Result<(), Refusal> {
    if let Some((critical, eku)) = ext::<ExtendedKeyUsage>(cert, "ExtendedKeyUsage", me)? {
        if eku.0.is_empty() {
            return Err(format!("extended key usage: {me} has an empty ExtendedKeyUsage").into());
        }
        if let Some(want) = opts.purpose.oid() {
            if critical {
                return Err(
                    format!("extended key usage: {me} marks ExtendedKeyUsage critical").into(),
                );
            }
            if eku.0.contains(&oids::ANY_EXTENDED_KEY_USAGE) {
                return Err(format!(
                    "extended key usage: {me} claims anyExtendedKeyUsage instead of naming its purposes"
                ).into());
            }
            if !eku.0.contains(&want) {
                return Err(format!(
                    "extended key usage: {me} is not valid for the {:?} purpose",
                    opts.purpose
                )
                .into());
            }
        }
    }
    if !opts.key_usage.is_empty() {
        if let Some((_, ku)) = ext::<KeyUsage>(cert, "KeyUsage", me)? {
            if let Some(missing) = opts.key_usage.iter().find(|u| !ku.0.contains(u.bit())) {
                return Err(format!("key usage: {me} does not allow {missing:?}").into());
            }
        }
    }
    Ok(())
}

/// A root has no EKU (CABF 7.1.2.1); an intermediate's EKU, when present,
/// must allow the purpose.
fn check_ca_eku(cert: &Cert, role: Role, purpose: Purpose, me: &str) -> Result<(), Refusal> {
    let Some((_, eku)) = ext::<ExtendedKeyUsage>(cert, "ExtendedKeyUsage", me)? else {
        return Ok(());
    };
    if role == Role::Anchor {
        return Err(format!("extended key usage: {me} is a root with an ExtendedKeyUsage").into());
    }
    match purpose.oid() {
        Some(want) if !eku.0.contains(&want) && !eku.0.contains(&oids::ANY_EXTENDED_KEY_USAGE) => {
            Err(
                format!("extended key usage: {me} may not issue for the {purpose:?} purpose")
                    .into(),
            )
        }
        _ => Ok(()),
    }
}

fn ekus(cert: &Cert) -> Option<Vec<spki::ObjectIdentifier>> {
    let (_, eku) = cert
        .cert
        .tbs_certificate()
        .get_extension::<ExtendedKeyUsage>()
        .ok()??;
    (!eku.0.contains(&oids::ANY_EXTENDED_KEY_USAGE)).then_some(eku.0)
}

/// Each intermediate's EKUs, when it lists them, share at least one
/// purpose with the leaf's, when it lists them (as Go's crypto/x509).
pub fn check_eku_nesting(path: &[&Cert]) -> Result<(), Refusal> {
    let Some(leaf) = path.first().and_then(|l| ekus(l)) else {
        return Ok(());
    };
    for ca in path.iter().take(path.len().saturating_sub(1)).skip(1) {
        if ekus(ca).is_some_and(|e| !e.iter().any(|oid| leaf.contains(oid))) {
            return Err(format!(
                "extended key usage: {} may not issue for any purpose of the leaf",
                who(ca, Role::Intermediate)
            )
            .into());
        }
    }
    Ok(())
}
