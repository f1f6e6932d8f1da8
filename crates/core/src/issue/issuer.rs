//! Issuing certificates: a loaded CA (certificate and key, checked to
//! match and to be a CA) and its `sign`, which decides a certificate's
//! fields from a verified CSR and a signing profile (`certificate`
//! assembles and signs them).

use crate::csr::VerifiedCsr;
use crate::error::{Error, Result};
pub use crate::issue::certificate::Issued;
use crate::issue::certificate::{issue, validity, Plan};
use crate::keys::{key_identifier, CaKey, KeyPair, SigningKey};
use crate::policy::whitelist::check_single_common_name;
use crate::policy::Profile;
use crate::request::name::override_subject;
use crate::request::{check_san, sans_from_hosts, Request, San};
use der::{Decode, Encode};
use spki::SubjectPublicKeyInfoOwned;
use std::time::SystemTime;
use x509_cert::certificate::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::name::Name;

/// A certificate authority that can sign: its certificate and its key.
pub struct Issuer {
    cert: Certificate,
    key: CaKey,
    ski: Vec<u8>,
    path_len: Option<u8>,
    allow_beyond_ca_expiry: bool,
    allow_empty_subject: bool,
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
            Box::new(KeyPair::from_pem(key_pem, key_source)?),
            key_source,
        )
    }

    /// Like [`Issuer::load`], with the key already decoded (or decrypted),
    /// or a key that stays in a token.
    pub fn with_key(
        cert_pem: &[u8],
        cert_source: &str,
        key: CaKey,
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
            allow_empty_subject: false,
        })
    }

    /// The CA certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// The CA's private key (for CRLs and OCSP responses it signs itself).
    pub fn key(&self) -> &dyn SigningKey {
        self.key.as_ref()
    }

    /// The CA's key identifier: its SubjectKeyIdentifier, else the SHA-1
    /// of its public key. Certificates it issues carry it as their AKI.
    pub fn key_id(&self) -> &[u8] {
        &self.ski
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
                ..SignOptions::default()
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
        let path_len_warnings = self.check_ca_request(csr, profile)?;
        let sans = match options.hosts {
            Some(hosts) => sans_from_hosts(hosts),
            None => csr.sans()?,
        };
        let subject = match options.subject {
            Some(overrides) => override_subject(csr.subject(), overrides)?,
            None => csr.subject().clone(),
        };
        let unnamed = check_names(profile, &subject, &sans, self.allow_empty_subject)?;
        let plan = Plan {
            subject,
            issuer: self.cert.tbs_certificate().subject().clone(),
            spki: csr.public_key().clone(),
            sans,
            authority_key_id: Some(self.ski.clone()),
            requested: csr.requested_extensions()?,
            extra: options.extensions.to_vec(),
        };
        let mut issued = self.issue_capped(plan, profile)?;
        issued.warnings.extend(unnamed);
        issued.warnings.extend(path_len_warnings);
        Ok(issued)
    }

    /// Refuses a CA request the profile or the issuer's pathlen forbids.
    /// The profile alone decides the new CA's BasicConstraints, as in
    /// cfssl 1.2.0 and current: a CSR's pathlen is only checked against
    /// the issuer's. Where certkit would have chosen otherwise (keeping
    /// the CSR's pathlen, stating the issuer's limit) it says so; the
    /// issuer's pathLenConstraint still binds every validator.
    fn check_ca_request(&self, csr: &VerifiedCsr, profile: &Profile) -> Result<Vec<String>> {
        let requested = csr.requested_ca()?;
        if requested.is_some() && !profile.ca_constraint.is_ca {
            return Err(Error::Refused(format!(
                "the CSR asks for a CA certificate but profile {:?} does not allow CA certificates",
                profile.name
            )));
        }
        let mut warnings = Vec::new();
        if !profile.ca_constraint.is_ca {
            return Ok(warnings);
        }
        let asked = requested.and_then(|bc| bc.path_len_constraint);
        match (self.path_len, profile.ca_constraint.path_len()) {
            (Some(0), _) => {
                return Err(Error::Refused(
                    "the issuer's pathlen of 0 forbids issuing CA certificates".into(),
                ))
            }
            (Some(limit), Some(n)) if n >= limit => {
                return Err(Error::Refused(format!(
                    "the issuer's pathlen of {limit} requires the new CA's max_path_len to be below {limit}"
                )))
            }
            // cfssl's policy check: "Policy violation request".
            (Some(limit), None) if asked.is_some_and(|n| n >= limit) => {
                return Err(Error::Refused(format!(
                    "the CSR asks for pathlen {} but the issuer's pathlen of {limit} requires less",
                    asked.unwrap_or_default()
                )))
            }
            (Some(limit), None) => warnings.push(format!(
                "profile {:?} sets no max_path_len: the new CA has no pathlen, as cfssl issues it; validators still apply the issuer's pathlen of {limit} (set max_path_len below {limit} to state it)",
                profile.name
            )),
            _ => {}
        }
        if let (Some(n), None) = (asked, profile.ca_constraint.path_len()) {
            warnings.push(format!(
                "the CSR asks for pathlen {n} but profile {:?} sets no max_path_len: the certificate has none, as cfssl issues it (set max_path_len to keep it)",
                profile.name
            ));
        }
        Ok(warnings)
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
        let unnamed = check_names(profile, subject, &sans, self.allow_empty_subject)?;
        let plan = Plan {
            subject: subject.clone(),
            issuer: self.cert.tbs_certificate().subject().clone(),
            spki: spki.clone(),
            sans,
            authority_key_id: Some(self.ski.clone()),
            requested: Vec::new(),
            extra: Vec::new(),
        };
        let mut issued = self.issue_capped(plan, profile)?;
        issued.warnings.extend(unnamed);
        Ok(issued)
    }

    /// Issues under `profile`, its validity cut back to the CA's own
    /// notAfter unless the caller allowed going beyond it.
    fn issue_capped(&self, plan: Plan, profile: &Profile) -> Result<Issued> {
        let capped = cap_at_ca_expiry(&self.cert, profile, self.allow_beyond_ca_expiry)?;
        let mut issued = issue(
            plan,
            capped.as_ref().map_or(profile, |(p, _)| p),
            self.key.as_ref(),
        )?;
        issued.warnings.extend(capped.map(|(_, warning)| warning));
        Ok(issued)
    }
}

/// The most SANs one certificate may carry: 1000 names of the longest
/// legal length keep a certificate near 350 KB of PEM, well within the
/// 1 MiB that `certkit json` reads back.
pub const MAX_SANS: usize = 1000;

/// The profile's checks of every name that reaches a certificate: one
/// CN unless allowed, and the name whitelist over every CN, subject email
/// and SAN. Signing and renewal both pass here. Returns the warning for
/// an allowed certificate that names no one: whoever allowed it (the flag,
/// or a script run under cfssl's name) still hears that it breaks RFC 5280.
fn check_names(
    profile: &Profile,
    subject: &Name,
    sans: &[San],
    allow_empty_subject: bool,
) -> Result<Option<String>> {
    let mut unnamed = None;
    if subject.iter().next().is_none() && sans.is_empty() {
        if !allow_empty_subject {
            return Err(Error::Refused(
                "the certificate would name no one: the subject is empty and there is no SAN (RFC 5280 4.1.2.6); -allow-empty-subject issues it anyway, as cfssl does".into(),
            ));
        }
        unnamed = Some(
            "the certificate names no one: the subject is empty and there is no SAN (RFC 5280 4.1.2.6); issued as cfssl does (certkit refuses it without -allow-empty-subject)".to_string(),
        );
    }
    if sans.len() > MAX_SANS {
        return Err(Error::Refused(format!(
            "{} subject alternative names; certkit issues at most {MAX_SANS}, so that its output stays within what certkit json reads (1 MiB)",
            sans.len()
        )));
    }
    for san in sans {
        check_san(san).map_err(|e| {
            let (what, value) = match san {
                San::Dns(n) => ("DNS name", n.clone()),
                San::Email(n) => ("email address", n.clone()),
                San::Uri(n) => ("URI", n.clone()),
                San::Ip(ip) => ("IP address", ip.to_string()),
            };
            Error::Refused(format!("SAN {what} {:?} {e}", crate::text::clip(&value)))
        })?;
    }
    check_single_common_name(subject, profile.allow_multiple_common_names, &profile.name)?;
    if let Some(whitelist) = &profile.name_whitelist {
        whitelist.check(subject, sans)?;
    }
    Ok(unnamed)
}

/// What a signing request may change beyond the CSR and the profile.
#[derive(Debug, Default, Clone, Copy)]
pub struct SignOptions<'a> {
    /// Hosts that replace the CSR's SANs (`-hostname`).
    pub hosts: Option<&'a [String]>,
    /// A SUBJECT (`sign CSR SUBJECT`) whose non-empty attributes win.
    pub subject: Option<&'a Request>,
    /// A signing API request's `extensions`, each OID one the profile's
    /// `allowed_extensions` lists (checked by
    /// [`crate::issue::extensions::request_extensions`]).
    pub extensions: &'a [x509_cert::ext::Extension],
}

/// Self-signs a CSR with its own key: how initca makes a root (and
/// selfsign a leaf). A root omits the AKI, as Go does and RFC 5280
/// allows; a self-signed leaf names its own key, since only self-signed
/// CA certificates may omit it.
pub fn self_sign(csr: &VerifiedCsr, key: &dyn SigningKey, profile: &Profile) -> Result<Issued> {
    let own_key_id = key_identifier(&csr.public_key().to_der()?)?;
    let plan = Plan {
        subject: csr.subject().clone(),
        issuer: csr.subject().clone(),
        spki: csr.public_key().clone(),
        sans: csr.sans()?,
        authority_key_id: (!profile.ca_constraint.is_ca).then_some(own_key_id),
        requested: csr.requested_extensions()?,
        extra: Vec::new(),
    };
    issue(plan, profile, key)
}

/// What a certificate will say, before the profile's rules apply.
impl Issuer {
    /// Lets [`Issuer::sign`] issue certificates that outlive the CA, as
    /// cfssl silently does (`--allow-beyond-ca-expiry`).
    pub fn allow_beyond_ca_expiry(&mut self, allow: bool) {
        self.allow_beyond_ca_expiry = allow;
    }

    /// Issues certificates with an empty subject and no SAN, as cfssl does
    /// (`echo '{}' | cfssl gencert ...`); RFC 5280 forbids them, so by
    /// default they are refused.
    pub fn allow_empty_subject(&mut self, allow: bool) {
        self.allow_empty_subject = allow;
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
/// is capped there, with a warning; `None` when no cap is needed. The cap
/// never turns a valid config into an error: where it would leave no
/// validity (a profile's `not_before` at or after the CA's notAfter), the
/// certificate is issued as configured, with a warning.
fn cap_at_ca_expiry(
    ca: &Certificate,
    profile: &Profile,
    allow: bool,
) -> Result<Option<(Profile, String)>> {
    let ca_not_after = ca.tbs_certificate().validity().not_after;
    let wanted = validity(profile)?;
    let (wanted_from, wanted) = (wanted.not_before, wanted.not_after);
    if allow || wanted.to_system_time() <= ca_not_after.to_system_time() {
        return Ok(None);
    }
    if wanted_from.to_system_time() >= ca_not_after.to_system_time() {
        let warning = format!(
            "profile {:?} starts at {wanted_from}, after the CA certificate's notAfter \
             {ca_not_after}: issued as configured, but it will not validate with this CA",
            profile.name
        );
        return Ok(Some((profile.clone(), warning)));
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
mod tests;
