//! Issuing certificates: a loaded CA (certificate and key, checked to
//! match and to be a CA), and the one place where a certificate's fields
//! are decided from a verified CSR and a signing profile.

use crate::csr::{extension, san_extension, VerifiedCsr};
use crate::error::{Error, Result};
use crate::issue::extensions::{
    authority_info_access, certificate_policies, copyable, crl_distribution_points, ocsp_no_check,
};
use crate::keys::{key_identifier, pem_encode, BuilderSigner, KeyPair};
use crate::policy::{Profile, Usage};
use crate::request::name::{common_name, override_subject};
use crate::request::{sans_from_hosts, Request, San};
use const_oid::db::rfc5912;
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use std::time::{Duration, SystemTime};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::{Certificate, TbsCertificate};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// A certificate authority that can sign: its certificate and its key.
pub struct Issuer {
    cert: Certificate,
    key: KeyPair,
    ski: Vec<u8>,
    path_len: Option<u8>,
    allow_beyond_ca_expiry: bool,
}

/// A freshly issued certificate.
#[derive(Debug, Clone)]
pub struct Issued {
    pub cert_pem: String,
    pub cert_der: Vec<u8>,
    /// The serial number in decimal, as cfssl logs it.
    pub serial: String,
    /// Things the caller should tell the user (dropped usages, no hosts).
    pub warnings: Vec<String>,
}

impl Issuer {
    /// Loads a CA from its certificate and key (PEM). Refuses a key that
    /// does not belong to the certificate and a certificate that is not a
    /// CA (BasicConstraints CA:TRUE, keyCertSign when KeyUsage is present).
    pub fn load(
        cert_pem: &[u8],
        cert_source: &str,
        key_pem: &[u8],
        key_source: &str,
    ) -> Result<Issuer> {
        Self::with_key(
            cert_pem,
            cert_source,
            KeyPair::from_pem(key_pem, key_source)?,
            key_source,
        )
    }

    /// Like [`Issuer::load`], with the key already decoded (or decrypted).
    pub fn with_key(
        cert_pem: &[u8],
        cert_source: &str,
        key: KeyPair,
        key_source: &str,
    ) -> Result<Issuer> {
        let cert = parse_certificate(cert_pem, cert_source)?;
        refuse_expired_ca(&cert, cert_source)?;
        let tbs = cert.tbs_certificate();
        let spki_der = tbs.subject_public_key_info().to_der()?;
        if !key.matches(&spki_der)? {
            return Err(Error::Key(format!(
                "{key_source}: private key does not match the CA certificate {cert_source}"
            )));
        }
        let bc = tbs
            .get_extension::<BasicConstraints>()
            .map_err(|e| Error::decode(cert_source, format!("malformed basicConstraints: {e}")))?;
        let Some((_, bc)) = bc.filter(|(_, bc)| bc.ca) else {
            return Err(Error::Refused(format!(
                "{cert_source}: the certificate is not a CA (no BasicConstraints CA:TRUE)"
            )));
        };
        if let Some((_, ku)) = tbs
            .get_extension::<KeyUsage>()
            .map_err(|e| Error::decode(cert_source, format!("malformed keyUsage: {e}")))?
        {
            if !ku.0.contains(KeyUsages::KeyCertSign) {
                return Err(Error::Refused(format!(
                    "{cert_source}: the CA certificate's KeyUsage lacks cert sign"
                )));
            }
        }
        let ski = match tbs.get_extension::<SubjectKeyIdentifier>().ok().flatten() {
            Some((_, ski)) => ski.0.as_bytes().to_vec(),
            None => key_identifier(&spki_der)?,
        };
        Ok(Issuer {
            path_len: bc.path_len_constraint,
            cert,
            key,
            ski,
            allow_beyond_ca_expiry: false,
        })
    }

    /// The CA certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// Signs a verified CSR under `profile`. The subject is the CSR's,
    /// byte for byte; SANs are the CSR's unless `hosts` replaces them.
    pub fn sign(
        &self,
        csr: &VerifiedCsr,
        profile: &Profile,
        hosts: Option<&[String]>,
    ) -> Result<Issued> {
        self.sign_with(
            csr,
            profile,
            &SignOptions {
                hosts,
                subject: None,
            },
        )
    }

    /// Signs a verified CSR under `profile` with a request's overrides:
    /// hosts that replace the SANs, a SUBJECT whose non-empty attributes
    /// replace the CSR's. The profile's name whitelist is checked last.
    pub fn sign_with(
        &self,
        csr: &VerifiedCsr,
        profile: &Profile,
        options: &SignOptions,
    ) -> Result<Issued> {
        self.check_ca_request(csr, profile)?;
        let sans = match options.hosts {
            Some(hosts) => sans_from_hosts(hosts),
            None => csr.sans()?,
        };
        let subject = match options.subject {
            Some(overrides) => override_subject(csr.subject(), overrides)?,
            None => csr.subject().clone(),
        };
        if let Some(whitelist) = &profile.name_whitelist {
            whitelist.check(&common_name(&subject), &sans)?;
        }
        let plan = Plan {
            subject,
            issuer: self.cert.tbs_certificate().subject().clone(),
            spki: csr.public_key().clone(),
            sans,
            authority_key_id: Some(self.ski.clone()),
            requested: csr.requested_extensions()?,
        };
        self.issue_capped(plan, profile)
    }

    /// Refuses a CA request the profile or the issuer's pathlen forbids.
    fn check_ca_request(&self, csr: &VerifiedCsr, profile: &Profile) -> Result<()> {
        if csr.requested_ca()?.is_some() && !profile.ca_constraint.is_ca {
            return Err(Error::Refused(format!(
                "the CSR asks for a CA certificate but profile {:?} does not allow CA certificates",
                profile.name
            )));
        }
        if profile.ca_constraint.is_ca {
            match self.path_len {
                Some(0) => {
                    return Err(Error::Refused(
                        "the issuer's pathlen of 0 forbids issuing CA certificates".into(),
                    ))
                }
                Some(limit) if profile.ca_constraint.path_len().is_none_or(|n| n >= limit) => {
                    return Err(Error::Refused(format!(
                        "the issuer's pathlen of {limit} requires the new CA's max_path_len to be below {limit}"
                    )))
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl Issuer {
    /// Issues a leaf certificate for a subject, public key and SANs taken
    /// from elsewhere (an existing certificate being renewed), since the
    /// holder's private key need not be at hand to sign a CSR.
    pub fn reissue(
        &self,
        subject: &Name,
        spki: &SubjectPublicKeyInfoOwned,
        sans: Vec<San>,
        profile: &Profile,
    ) -> Result<Issued> {
        if profile.ca_constraint.is_ca {
            return Err(Error::Refused(
                "renewal issues leaf certificates only, not CAs".into(),
            ));
        }
        let plan = Plan {
            subject: subject.clone(),
            issuer: self.cert.tbs_certificate().subject().clone(),
            spki: spki.clone(),
            sans,
            authority_key_id: Some(self.ski.clone()),
            requested: Vec::new(),
        };
        self.issue_capped(plan, profile)
    }

    /// Issues under `profile`, its validity cut back to the CA's own
    /// notAfter unless the caller allowed going beyond it.
    fn issue_capped(&self, plan: Plan, profile: &Profile) -> Result<Issued> {
        let capped = cap_at_ca_expiry(&self.cert, profile, self.allow_beyond_ca_expiry)?;
        let mut issued = issue(plan, capped.as_ref().map_or(profile, |(p, _)| p), &self.key)?;
        issued.warnings.extend(capped.map(|(_, warning)| warning));
        Ok(issued)
    }
}

/// What a signing request may change beyond the CSR and the profile.
#[derive(Debug, Default, Clone, Copy)]
pub struct SignOptions<'a> {
    /// Hosts that replace the CSR's SANs (`-hostname`).
    pub hosts: Option<&'a [String]>,
    /// A SUBJECT (`sign CSR SUBJECT`) whose non-empty attributes win.
    pub subject: Option<&'a Request>,
}

/// Self-signs a CSR with its own key: how initca makes a root (and
/// selfsign a leaf). A root omits the AKI, as Go does and RFC 5280
/// allows; a self-signed leaf names its own key, since only self-signed
/// CA certificates may omit it.
pub fn self_sign(csr: &VerifiedCsr, key: &KeyPair, profile: &Profile) -> Result<Issued> {
    let own_key_id = key_identifier(&csr.public_key().to_der()?)?;
    let plan = Plan {
        subject: csr.subject().clone(),
        issuer: csr.subject().clone(),
        spki: csr.public_key().clone(),
        sans: csr.sans()?,
        authority_key_id: (!profile.ca_constraint.is_ca).then_some(own_key_id),
        requested: csr.requested_extensions()?,
    };
    issue(plan, profile, key)
}

/// What a certificate will say, before the profile's rules apply.
struct Plan {
    subject: Name,
    issuer: Name,
    spki: SubjectPublicKeyInfoOwned,
    sans: Vec<San>,
    authority_key_id: Option<Vec<u8>>,
    /// The CSR's requested extensions, for `copy_extensions`.
    requested: Vec<Extension>,
}

/// The decided TBS contents, handed to x509-cert's builder.
struct Decided {
    subject: Name,
    issuer: Name,
    extensions: Vec<Extension>,
}

impl BuilderProfile for Decided {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(self.extensions.clone())
    }
}

fn issue(plan: Plan, profile: &Profile, signer_key: &KeyPair) -> Result<Issued> {
    if profile.remote_settings.is_remote() {
        return Err(Error::Policy(format!(
            "profile {:?} signs through a remote cfssl server, which certkit does not support",
            profile.name
        )));
    }
    if profile.usages.is_empty() {
        return Err(Error::Policy(format!(
            "profile {:?} has no usages to sign with",
            profile.name
        )));
    }
    let mut warnings = Vec::new();
    let spki_der = plan.spki.to_der()?;
    let subject_is_rsa = plan.spki.algorithm.oid == rfc5912::RSA_ENCRYPTION;
    let is_ca = profile.ca_constraint.is_ca;

    // CA certificates keep IP SANs only, as cfssl does.
    let sans: Vec<San> = if is_ca {
        plan.sans
            .into_iter()
            .filter(|s| matches!(s, San::Ip(_)))
            .collect()
    } else {
        plan.sans
    };
    if !is_ca && sans.is_empty() {
        warnings.push(
            "this certificate lacks a \"hosts\" field, which makes it unsuitable for websites"
                .into(),
        );
    }

    // Extensions in Go's order, so certificates compare easily with cfssl's.
    let decided: Vec<Option<Extension>> = vec![
        key_usage_extension(profile, subject_is_rsa, &mut warnings)?,
        ext_key_usage_extension(profile)?,
        Some(basic_constraints_extension(profile)?),
        Some(subject_key_id_extension(&spki_der)?),
        authority_key_id_extension(plan.authority_key_id)?,
        authority_info_access(&profile.ocsp_url, &profile.issuer_urls)?,
        subject_alt_name_extension(&sans, &plan.subject)?,
        crl_distribution_points(&profile.crl_url)?,
        certificate_policies(&profile.policies)?,
        ocsp_no_check(profile.ocsp_no_check)?,
    ];
    let mut extensions: Vec<Extension> = decided.into_iter().flatten().collect();
    if profile.copy_extensions {
        let taken: Vec<ObjectIdentifier> = extensions.iter().map(|e| e.extn_id).collect();
        let (copies, skipped) = copyable(plan.requested, &taken);
        extensions.extend(copies);
        warnings.extend(skipped);
    }

    let validity = validity(profile)?;
    let serial = random_serial()?;
    let serial_decimal = decimal_serial(serial.as_bytes());
    let decided = Decided {
        subject: plan.subject,
        issuer: plan.issuer,
        extensions,
    };
    let signer = BuilderSigner::new(signer_key)?;
    let mut builder = CertificateBuilder::new(decided, serial, validity, plan.spki)?;
    let tbs = builder.finalize(&signer)?;
    let signature = signer.sign_bits(&tbs)?;
    let cert = builder.assemble(signature, &signer)?;
    let cert_der = cert.to_der()?;
    Ok(Issued {
        cert_pem: pem_encode("CERTIFICATE", &cert_der),
        cert_der,
        serial: serial_decimal,
        warnings,
    })
}

/// KeyUsage from the profile (critical). keyEncipherment is dropped for
/// non-RSA keys: RFC 5480 forbids it for EC keys, RFC 8410 for Ed25519.
fn key_usage_extension(
    profile: &Profile,
    subject_is_rsa: bool,
    warnings: &mut Vec<String>,
) -> Result<Option<Extension>> {
    let mut key_usage = KeyUsage(Default::default());
    for usage in &profile.usages {
        match *usage {
            Usage::Key(KeyUsages::KeyEncipherment) if !subject_is_rsa => {
                if !warnings.iter().any(|w| w.contains("key encipherment")) {
                    warnings.push(
                        "key encipherment dropped: the subject key is not RSA (RFC 5480 forbids it for EC keys)".into(),
                    );
                }
            }
            Usage::Key(bit) => key_usage.0 |= bit,
            Usage::Ext(_) => {}
        }
    }
    if key_usage.0.is_empty() {
        return Ok(None);
    }
    Ok(Some(extension(rfc5912::ID_CE_KEY_USAGE, true, &key_usage)?))
}

/// ExtendedKeyUsage from the profile, each purpose once, in config order.
fn ext_key_usage_extension(profile: &Profile) -> Result<Option<Extension>> {
    let mut purposes: Vec<ObjectIdentifier> = Vec::new();
    for usage in &profile.usages {
        if let Usage::Ext(oid) = *usage {
            if !purposes.contains(&oid) {
                purposes.push(oid);
            }
        }
    }
    if purposes.is_empty() {
        return Ok(None);
    }
    Ok(Some(extension(
        rfc5912::ID_CE_EXT_KEY_USAGE,
        false,
        &ExtendedKeyUsage(purposes),
    )?))
}

/// BasicConstraints (critical), with the profile's pathlen for CAs.
fn basic_constraints_extension(profile: &Profile) -> Result<Extension> {
    let is_ca = profile.ca_constraint.is_ca;
    let bc = BasicConstraints {
        ca: is_ca,
        path_len_constraint: if is_ca {
            profile.ca_constraint.path_len()
        } else {
            None
        },
    };
    extension(rfc5912::ID_CE_BASIC_CONSTRAINTS, true, &bc)
}

/// SubjectKeyIdentifier: SHA-1 of the subject public key, as cfssl.
fn subject_key_id_extension(spki_der: &[u8]) -> Result<Extension> {
    let ski = SubjectKeyIdentifier(OctetString::new(key_identifier(spki_der)?)?);
    extension(rfc5912::ID_CE_SUBJECT_KEY_IDENTIFIER, false, &ski)
}

/// AuthorityKeyIdentifier: the issuer's key identifier (none when self-signed).
fn authority_key_id_extension(issuer_key_id: Option<Vec<u8>>) -> Result<Option<Extension>> {
    let Some(id) = issuer_key_id else {
        return Ok(None);
    };
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(OctetString::new(id)?),
        ..Default::default()
    };
    Ok(Some(extension(
        rfc5912::ID_CE_AUTHORITY_KEY_IDENTIFIER,
        false,
        &aki,
    )?))
}

/// SubjectAltName; critical when the subject is empty (RFC 5280 4.2.1.6).
fn subject_alt_name_extension(sans: &[San], subject: &Name) -> Result<Option<Extension>> {
    if sans.is_empty() {
        return Ok(None);
    }
    Ok(Some(extension(
        rfc5912::ID_CE_SUBJECT_ALT_NAME,
        subject.is_empty(),
        &san_extension(sans)?,
    )?))
}

/// notBefore is now minus the backdate (or the profile's `not_before`);
/// notAfter is notBefore plus the expiry (or the profile's `not_after`).
fn validity(profile: &Profile) -> Result<Validity> {
    let now = SystemTime::now();
    let now = SystemTime::UNIX_EPOCH
        + Duration::from_secs(
            now.duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs(),
        );
    let not_before = match profile.not_before {
        Some(t) => system_time(t)?,
        None => now.checked_sub(profile.backdate).unwrap_or(now),
    };
    let not_after = match profile.not_after {
        Some(t) => system_time(t)?,
        None => not_before.checked_add(profile.expiry).ok_or_else(|| {
            Error::Policy(format!(
                "profile {:?}: expiry is too far in the future",
                profile.name
            ))
        })?,
    };
    if not_after <= not_before {
        return Err(Error::Policy(format!(
            "profile {:?}: notAfter is not after notBefore",
            profile.name
        )));
    }
    let time = |t: SystemTime| {
        Time::try_from(t).map_err(|e| {
            Error::Policy(format!(
                "profile {:?}: validity out of range: {e}",
                profile.name
            ))
        })
    };
    Ok(Validity::new(time(not_before)?, time(not_after)?))
}

fn system_time(t: time::OffsetDateTime) -> Result<SystemTime> {
    let secs = t.unix_timestamp();
    u64::try_from(secs)
        .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
        .map_err(|_| Error::Policy(format!("time {t} is before 1970")))
}

/// A random positive 20-byte serial number (RFC 5280's maximum length).
fn random_serial() -> Result<SerialNumber> {
    let mut bytes = [0u8; 20];
    aws_lc_rs::rand::fill(&mut bytes)
        .map_err(|_| Error::Encoding("random number generator failed".into()))?;
    bytes[0] &= 0x7f;
    if bytes[0] == 0 {
        bytes[0] = 0x01;
    }
    Ok(SerialNumber::new(&bytes)?)
}

/// Renders big-endian unsigned bytes in decimal.
pub fn decimal_serial(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = vec![0];
    for &byte in bytes {
        let mut carry = byte as u32;
        for d in digits.iter_mut() {
            let v = (*d as u32) * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
    digits.iter().rev().map(|d| (b'0' + d) as char).collect()
}

impl Issuer {
    /// Lets [`Issuer::sign`] issue certificates that outlive the CA, as
    /// cfssl silently does (`--allow-beyond-ca-expiry`).
    pub fn allow_beyond_ca_expiry(&mut self, allow: bool) {
        self.allow_beyond_ca_expiry = allow;
    }
}

/// An expired CA signs nothing: what it issues cannot be validated.
fn refuse_expired_ca(cert: &Certificate, source: &str) -> Result<()> {
    let not_after = cert.tbs_certificate().validity().not_after;
    if not_after.to_system_time() <= SystemTime::now() {
        return Err(Error::Refused(format!(
            "{source}: the CA certificate expired on {not_after}; refusing to sign with it"
        )));
    }
    Ok(())
}

/// A certificate that outlives its CA stops validating when the CA
/// expires, earlier than its notAfter promises. Unless allowed (cfssl's
/// silent behaviour), a profile whose validity runs past the CA's notAfter
/// is capped there, with a warning; `None` when no cap is needed.
fn cap_at_ca_expiry(
    ca: &Certificate,
    profile: &Profile,
    allow: bool,
) -> Result<Option<(Profile, String)>> {
    let ca_not_after = ca.tbs_certificate().validity().not_after;
    let wanted = validity(profile)?.not_after;
    if allow || wanted.to_system_time() <= ca_not_after.to_system_time() {
        return Ok(None);
    }
    let mut capped = profile.clone();
    capped.not_after = Some(time::OffsetDateTime::from(ca_not_after.to_system_time()));
    let warning = format!(
        "notAfter capped at the CA certificate's {ca_not_after} (profile {:?} asked for {wanted}); \
         --allow-beyond-ca-expiry issues past it as cfssl does",
        profile.name
    );
    Ok(Some((capped, warning)))
}

/// Parses the first certificate from PEM (or DER).
pub fn parse_certificate(input: &[u8], source: &str) -> Result<Certificate> {
    let der = if input.trim_ascii_start().starts_with(b"-----BEGIN") {
        let blocks =
            pem::parse_many(input).map_err(|e| Error::decode(source, format!("not PEM: {e}")))?;
        blocks
            .into_iter()
            .find(|b| b.tag() == "CERTIFICATE")
            .ok_or_else(|| Error::decode(source, "no CERTIFICATE PEM block found"))?
            .into_contents()
    } else if input.first() == Some(&0x30) {
        input.to_vec()
    } else {
        return Err(Error::decode(source, "not a PEM or DER certificate"));
    };
    Certificate::from_der(&der)
        .map_err(|e| Error::decode(source, format!("malformed certificate: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{KeySpec, Request};

    #[test]
    fn decimal_serial_matches_known_values() {
        assert_eq!(decimal_serial(&[0]), "0");
        assert_eq!(decimal_serial(&[1, 0]), "256");
        assert_eq!(
            decimal_serial(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            "18446744073709551615"
        );
    }

    /// A new CA made from `req`, loaded as an issuer, with its PEM.
    fn ca_from(req: &Request) -> (Issuer, String) {
        let made = crate::issue::initca::new_ca(req).unwrap();
        let issuer = Issuer::load(
            made.cert_pem.as_bytes(),
            "ca.pem",
            made.key_pem.as_bytes(),
            "ca-key.pem",
        )
        .unwrap();
        (issuer, made.cert_pem)
    }

    fn ca(spec: KeySpec) -> (Issuer, String) {
        let req = Request {
            cn: "Test CA".into(),
            key: spec,
            ..Default::default()
        };
        ca_from(&req)
    }

    #[test]
    fn leaf_gets_profile_usages_and_csr_subject() {
        let (issuer, _) = ca(KeySpec::Ecdsa(256));
        let leaf_req = Request {
            cn: "leaf".into(),
            hosts: vec!["a.example".into()],
            ..Default::default()
        };
        let key = KeyPair::generate(leaf_req.key).unwrap();
        let csr = VerifiedCsr::parse(crate::csr::build(&leaf_req, &key).unwrap().as_bytes(), "t")
            .unwrap();
        let issued = issuer.sign(&csr, &Profile::cfssl_default(), None).unwrap();
        assert!(issued
            .warnings
            .iter()
            .any(|w| w.contains("key encipherment")));
        let cert = Certificate::from_der(&issued.cert_der).unwrap();
        assert_eq!(cert.tbs_certificate().subject(), csr.subject());
        let (_, bc) = cert
            .tbs_certificate()
            .get_extension::<BasicConstraints>()
            .unwrap()
            .unwrap();
        assert!(!bc.ca);
        let (_, ku) = cert
            .tbs_certificate()
            .get_extension::<KeyUsage>()
            .unwrap()
            .unwrap();
        assert!(ku.0.contains(KeyUsages::DigitalSignature));
        assert!(!ku.0.contains(KeyUsages::KeyEncipherment));
    }

    #[test]
    fn ca_request_against_leaf_profile_is_refused() {
        let (issuer, _) = ca(KeySpec::Ecdsa(256));
        let req = Request {
            cn: "sub".into(),
            ca: Some(Default::default()),
            ..Default::default()
        };
        let key = KeyPair::generate(req.key).unwrap();
        let csr =
            VerifiedCsr::parse(crate::csr::build(&req, &key).unwrap().as_bytes(), "t").unwrap();
        let err = issuer
            .sign(&csr, &Profile::cfssl_default(), None)
            .unwrap_err();
        assert!(matches!(err, Error::Refused(_)), "{err}");
    }

    #[test]
    fn mismatched_ca_key_is_refused() {
        let (_, cert_pem) = ca(KeySpec::Ecdsa(256));
        let other = KeyPair::generate(KeySpec::Ecdsa(256))
            .unwrap()
            .to_pem()
            .unwrap();
        let err = Issuer::load(cert_pem.as_bytes(), "ca.pem", other.as_bytes(), "other.pem")
            .err()
            .unwrap();
        assert!(err.to_string().contains("does not match"), "{err}");
    }

    fn short_lived_ca() -> (Issuer, String) {
        let req = Request {
            cn: "Short CA".into(),
            ca: Some(crate::request::CaConfig {
                expiry: Some(Duration::from_secs(3600)),
                ..Default::default()
            }),
            ..Default::default()
        };
        ca_from(&req)
    }

    fn leaf_csr(hosts: &[&str]) -> VerifiedCsr {
        let req = Request {
            cn: "leaf.example.com".into(),
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            ..Default::default()
        };
        let key = KeyPair::generate(req.key).unwrap();
        VerifiedCsr::parse(crate::csr::build(&req, &key).unwrap().as_bytes(), "t").unwrap()
    }

    fn profile(json: &str) -> Profile {
        let cfg = format!(r#"{{"signing":{{"default":{json}}}}}"#);
        crate::policy::SigningConfig::from_json(cfg.as_bytes(), "c.json")
            .unwrap()
            .config
            .default
    }

    #[test]
    fn profile_extensions_follow_go_order() {
        let (issuer, _) = ca(KeySpec::Ecdsa(256));
        let p = profile(
            r#"{"usages":["signing","server auth"],"expiry":"1h","ocsp_url":"http://o.example","crl_url":"http://c.example/x.crl",
                "ocsp_no_check":true,"policies":[{"ID":"1.2.3.4"}]}"#,
        );
        let issued = issuer
            .sign(&leaf_csr(&["leaf.example.com"]), &p, None)
            .unwrap();
        let cert = Certificate::from_der(&issued.cert_der).unwrap();
        let oids: Vec<String> = cert
            .tbs_certificate()
            .extensions()
            .unwrap()
            .iter()
            .map(|e| e.extn_id.to_string())
            .collect();
        assert_eq!(
            oids,
            [
                "2.5.29.15",
                "2.5.29.37",
                "2.5.29.19",
                "2.5.29.14",
                "2.5.29.35",
                "1.3.6.1.5.5.7.1.1",
                "2.5.29.17",
                "2.5.29.31",
                "2.5.29.32",
                "1.3.6.1.5.5.7.48.1.5"
            ]
        );
    }

    #[test]
    fn whitelist_and_remote_profiles_refuse() {
        let (issuer, _) = ca(KeySpec::Ecdsa(256));
        let p = profile(
            r#"{"usages":["server auth"],"expiry":"1h","name_whitelist":"^leaf\\.example\\.com$"}"#,
        );
        assert!(issuer
            .sign(&leaf_csr(&["leaf.example.com"]), &p, None)
            .is_ok());
        let err = issuer
            .sign(&leaf_csr(&["other.example.com"]), &p, None)
            .unwrap_err();
        assert!(matches!(err, Error::Refused(_)), "{err}");
        let mut remote = p.clone();
        remote.remote_settings.remote = "localhost".into();
        let err = issuer
            .sign(&leaf_csr(&["leaf.example.com"]), &remote, None)
            .unwrap_err();
        assert!(err.to_string().contains("remote"), "{err}");
    }

    #[test]
    fn copied_extensions_never_include_basic_constraints() {
        let (issuer, _) = ca(KeySpec::Ecdsa(256));
        let req = Request {
            cn: "sneaky".into(),
            ca: Some(Default::default()),
            ..Default::default()
        };
        let key = KeyPair::generate(req.key).unwrap();
        let csr =
            VerifiedCsr::parse(crate::csr::build(&req, &key).unwrap().as_bytes(), "t").unwrap();
        let p = profile(
            r#"{"usages":["cert sign"],"expiry":"1h","copy_extensions":true,
                "ca_constraint":{"is_ca":true,"max_path_len":0,"max_path_len_zero":true}}"#,
        );
        let issued = issuer.sign(&csr, &p, None).unwrap();
        assert!(
            issued.warnings.iter().any(|w| w.contains("2.5.29.19")),
            "{:?}",
            issued.warnings
        );
        let cert = Certificate::from_der(&issued.cert_der).unwrap();
        let exts = cert.tbs_certificate().extensions().unwrap();
        let bcs = exts
            .iter()
            .filter(|e| e.extn_id == rfc5912::ID_CE_BASIC_CONSTRAINTS)
            .count();
        assert_eq!(bcs, 1, "only the profile's BasicConstraints");
        let (_, bc) = cert
            .tbs_certificate()
            .get_extension::<BasicConstraints>()
            .unwrap()
            .unwrap();
        assert_eq!(bc.path_len_constraint, Some(0));
    }

    fn not_after(issued: &Issued) -> SystemTime {
        let cert = Certificate::from_der(&issued.cert_der).unwrap();
        cert.tbs_certificate().validity().not_after.to_system_time()
    }

    #[test]
    fn validity_beyond_the_ca_expiry_is_capped_unless_allowed() {
        let (mut issuer, _) = short_lived_ca();
        let ca_not_after = issuer
            .certificate()
            .tbs_certificate()
            .validity()
            .not_after
            .to_system_time();
        let issued = issuer
            .sign(&leaf_csr(&["a.example"]), &Profile::cfssl_default(), None)
            .unwrap();
        assert_eq!(not_after(&issued), ca_not_after);
        assert!(
            issued
                .warnings
                .iter()
                .any(|w| w.contains("--allow-beyond-ca-expiry")),
            "{:?}",
            issued.warnings
        );
        let mut short = Profile::cfssl_default();
        short.expiry = Duration::from_secs(600);
        let issued = issuer
            .sign(&leaf_csr(&["a.example"]), &short, None)
            .unwrap();
        assert!(not_after(&issued) < ca_not_after);
        assert!(!issued.warnings.iter().any(|w| w.contains("capped")));
        issuer.allow_beyond_ca_expiry(true);
        let issued = issuer
            .sign(&leaf_csr(&["a.example"]), &Profile::cfssl_default(), None)
            .unwrap();
        assert!(not_after(&issued) > ca_not_after);
    }

    #[test]
    fn an_expired_ca_is_refused() {
        let req = Request {
            cn: "Old CA".into(),
            ca: Some(crate::request::CaConfig {
                expiry: Some(Duration::from_secs(60)),
                backdate: Some(Duration::from_secs(3600)),
                ..Default::default()
            }),
            ..Default::default()
        };
        let made = crate::issue::initca::new_ca(&req).unwrap();
        let err = Issuer::load(
            made.cert_pem.as_bytes(),
            "old.pem",
            made.key_pem.as_bytes(),
            "k.pem",
        )
        .err()
        .unwrap();
        assert!(
            err.to_string()
                .starts_with("refused: old.pem: the CA certificate expired on"),
            "{err}"
        );
    }
}
