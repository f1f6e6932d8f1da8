//! Assembling one certificate: the decided fields (a [`Plan`]) become a
//! TBSCertificate through x509-cert's builder, with the standard
//! extensions, a validity window and a random serial, signed by AWS-LC.

use crate::error::{Error, Result};
use crate::issue::extensions::{
    authority_info_access, certificate_policies, copyable, crl_distribution_points, ocsp_no_check,
};
use crate::issue::extensions::{
    authority_key_id_extension, basic_constraints_extension, ext_key_usage_extension,
    key_usage_extension, subject_alt_name_extension, subject_key_id_extension,
};
use crate::keys::{pem_encode, BuilderSigner, SigningKey};
use crate::policy::Profile;
use crate::request::San;
use crate::serial::decimal_serial;
use const_oid::db::rfc5912;
use der::asn1::ObjectIdentifier;
use der::Encode;
use spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use std::time::{Duration, SystemTime};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

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

pub(crate) struct Plan {
    pub(crate) subject: Name,
    pub(crate) issuer: Name,
    pub(crate) spki: SubjectPublicKeyInfoOwned,
    pub(crate) sans: Vec<San>,
    pub(crate) authority_key_id: Option<Vec<u8>>,
    /// The CSR's requested extensions, for `copy_extensions` (and its
    /// DelegationUsage, copied always, as cfssl 1.6.5).
    pub(crate) requested: Vec<Extension>,
    /// A signing API request's extensions the profile allows.
    pub(crate) extra: Vec<Extension>,
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

pub(crate) fn issue(plan: Plan, profile: &Profile, signer_key: &dyn SigningKey) -> Result<Issued> {
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
    // cfssl 1.6.5 copies a CSR's DelegationUsage (RFC 9345) whatever the
    // profile says; the request asked for delegated credentials.
    if let Some(delegation) = plan
        .requested
        .iter()
        .find(|e| e.extn_id == crate::csr::DELEGATION_USAGE)
    {
        extensions.push(delegation.clone());
    }
    for ext in plan.extra {
        if extensions.iter().any(|e| e.extn_id == ext.extn_id) {
            return Err(Error::Policy(format!(
                "extensions: {} is already in the certificate (the profile decides it)",
                ext.extn_id
            )));
        }
        extensions.push(ext);
    }
    if profile.copy_extensions {
        let taken: Vec<ObjectIdentifier> = extensions.iter().map(|e| e.extn_id).collect();
        let (copies, skipped) = copyable(plan.requested, &taken, &profile.allowed_extensions);
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
/// notBefore is now minus the backdate (or the profile's `not_before`);
/// notAfter is notBefore plus the expiry (or the profile's `not_after`).
pub(crate) fn validity(profile: &Profile) -> Result<Validity> {
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
    // Certificates carry whole seconds: a notAfter less than a second
    // after notBefore would equal it, and the certificate never be valid.
    // (One already expired when issued is allowed: tests make them.)
    let not_after = whole_seconds(not_after);
    if not_after <= not_before {
        return Err(Error::Policy(format!(
            "profile {:?}: notAfter is not after notBefore (expiry {:?}, backdate {:?})",
            profile.name, profile.expiry, profile.backdate
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

fn whole_seconds(t: SystemTime) -> SystemTime {
    let since = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    SystemTime::UNIX_EPOCH + Duration::from_secs(since.as_secs())
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
