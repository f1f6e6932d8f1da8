//! Encoders for the profile-driven certificate extensions (AIA, CRL
//! distribution points, certificate policies, OCSP no-check) and the
//! filter for CSR extensions a profile copies. Each returns `None` when
//! the profile does not ask for it; `certificate` decides the order.
//! Also the standard extensions every certificate gets (key usage, EKU,
//! basic constraints, key identifiers, SAN).

use crate::csr::{extension, san_extension};
use crate::error::{Error, Result};
use crate::keys::key_identifier;
use crate::policy::certpolicy::{encode_policies, CertificatePolicy};
use crate::policy::{Profile, Usage};
use crate::request::San;
use const_oid::db::rfc5912;
use der::asn1::{Ia5String, Null, ObjectIdentifier, OctetString};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AccessDescription, AuthorityInfoAccessSyntax, CrlDistributionPoints};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectKeyIdentifier,
};
pub use x509_cert::ext::Extension;
use x509_cert::name::Name;

/// id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1).
pub const ID_PKIX_OCSP_NOCHECK: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.5");

/// Extensions the issuer always decides itself; a CSR never supplies them
/// (a CSR must not make itself a CA or choose its own usages).
pub const NEVER_COPIED: [ObjectIdentifier; 6] = [
    rfc5912::ID_CE_BASIC_CONSTRAINTS,
    rfc5912::ID_CE_KEY_USAGE,
    rfc5912::ID_CE_EXT_KEY_USAGE,
    rfc5912::ID_CE_SUBJECT_KEY_IDENTIFIER,
    rfc5912::ID_CE_AUTHORITY_KEY_IDENTIFIER,
    rfc5912::ID_CE_SUBJECT_ALT_NAME,
];

fn uri(url: &str, field: &str) -> Result<GeneralName> {
    Ia5String::new(url)
        .map(GeneralName::UniformResourceIdentifier)
        .map_err(|_| Error::Policy(format!("{field}: {url:?} must be an ASCII URL")))
}

/// Authority information access: the OCSP responder, then the CA issuer
/// URLs, as Go orders them.
pub fn authority_info_access(ocsp_url: &str, issuer_urls: &[String]) -> Result<Option<Extension>> {
    let mut access = Vec::new();
    if !ocsp_url.is_empty() {
        access.push(AccessDescription {
            access_method: rfc5912::ID_AD_OCSP,
            access_location: uri(ocsp_url, "ocsp_url")?,
        });
    }
    for url in issuer_urls {
        access.push(AccessDescription {
            access_method: rfc5912::ID_AD_CA_ISSUERS,
            access_location: uri(url, "issuer_urls")?,
        });
    }
    if access.is_empty() {
        return Ok(None);
    }
    Ok(Some(extension(
        rfc5912::ID_PE_AUTHORITY_INFO_ACCESS,
        false,
        &AuthorityInfoAccessSyntax(access),
    )?))
}

/// One CRL distribution point with the URL as its full name.
pub fn crl_distribution_points(url: &str) -> Result<Option<Extension>> {
    if url.is_empty() {
        return Ok(None);
    }
    let point = DistributionPoint {
        distribution_point: Some(DistributionPointName::FullName(vec![uri(url, "crl_url")?])),
        reasons: None,
        crl_issuer: None,
    };
    Ok(Some(extension(
        rfc5912::ID_CE_CRL_DISTRIBUTION_POINTS,
        false,
        &CrlDistributionPoints(vec![point]),
    )?))
}

/// Certificate policies with their qualifiers.
pub fn certificate_policies(policies: &[CertificatePolicy]) -> Result<Option<Extension>> {
    if policies.is_empty() {
        return Ok(None);
    }
    Ok(Some(Extension {
        extn_id: rfc5912::ID_CE_CERTIFICATE_POLICIES,
        critical: false,
        extn_value: OctetString::new(encode_policies(policies)?)?,
    }))
}

/// id-pkix-ocsp-nocheck with its NULL value.
pub fn ocsp_no_check(wanted: bool) -> Result<Option<Extension>> {
    if !wanted {
        return Ok(None);
    }
    Ok(Some(extension(ID_PKIX_OCSP_NOCHECK, false, &Null)?))
}

/// A signing API request's `extensions` (cfssl's `signer.Extension`: a
/// dotted `id`, `critical`, a hex `value`), each refused unless the
/// profile's `allowed_extensions` lists its OID, as cfssl 1.6.5 does.
pub fn request_extensions(
    requested: &[(String, bool, String)],
    allowed: &[ObjectIdentifier],
) -> Result<Vec<Extension>> {
    let mut out = Vec::with_capacity(requested.len());
    for (i, (id, critical, value)) in requested.iter().enumerate() {
        let oid = ObjectIdentifier::new(id)
            .map_err(|_| Error::Policy(format!("extensions[{i}].id: {id:?} is not an OID")))?;
        if !allowed.contains(&oid) {
            return Err(Error::Policy(format!(
                "extensions[{i}]: {oid} is not in the profile's allowed_extensions"
            )));
        }
        let value = hex::decode(value)
            .map_err(|_| Error::Policy(format!("extensions[{i}].value: not hex")))?;
        if out.iter().any(|e: &Extension| e.extn_id == oid) {
            return Err(Error::Policy(format!("extensions[{i}]: {oid} given twice")));
        }
        out.push(Extension {
            extn_id: oid,
            critical: *critical,
            extn_value: OctetString::new(value)?,
        });
    }
    Ok(out)
}

/// What `copy_extensions` copies without the profile naming it: the
/// extensions that grant no usage and no authority. Anything else a CSR
/// asks for (Netscape Cert Type "SSL CA", Microsoft Application Policies
/// as in ESC15, NameConstraints, AIA or CRL pointers to any URL,
/// certificate policies) is copied only when the profile's
/// `allowed_extensions` lists it, as cfssl's signing API reads that field.
pub const COPIED_BY_DEFAULT: [ObjectIdentifier; 4] = [
    // TLS Feature (OCSP must-staple): restricts, grants nothing.
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.24"),
    // S/MIME capabilities: the holder's cipher preferences.
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.15"),
    // Netscape comment: free text.
    ObjectIdentifier::new_unwrap("2.16.840.1.113730.1.13"),
    // Subject directory attributes: descriptive.
    ObjectIdentifier::new_unwrap("2.5.29.9"),
];

/// The CSR extensions `copy_extensions` may copy: those of
/// `COPIED_BY_DEFAULT` or the profile's `allowed`, never one of
/// `NEVER_COPIED`, none the issuer already decided (`taken`), each OID
/// once. Returns the copies and a warning for each one left out.
pub fn copyable(
    requested: Vec<Extension>,
    taken: &[ObjectIdentifier],
    allowed: &[ObjectIdentifier],
) -> (Vec<Extension>, Vec<String>) {
    let mut copies: Vec<Extension> = Vec::new();
    let mut warnings = Vec::new();
    for ext in requested {
        let oid = ext.extn_id;
        if oid == rfc5912::ID_CE_SUBJECT_ALT_NAME {
            continue; // handled as hosts
        }
        if NEVER_COPIED.contains(&oid)
            || taken.contains(&oid)
            || copies.iter().any(|c| c.extn_id == oid)
        {
            warnings.push(format!(
                "the CSR's extension {oid} was not copied: the issuer decides it"
            ));
            continue;
        }
        if !COPIED_BY_DEFAULT.contains(&oid) && !allowed.contains(&oid) {
            warnings.push(format!(
                "the CSR's extension {oid} was not copied: it may carry usage or authority; list it in the profile's allowed_extensions to copy it"
            ));
            continue;
        }
        copies.push(ext);
    }
    (copies, warnings)
}

pub(crate) fn key_usage_extension(
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
pub(crate) fn ext_key_usage_extension(profile: &Profile) -> Result<Option<Extension>> {
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
pub(crate) fn basic_constraints_extension(profile: &Profile) -> Result<Extension> {
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
pub(crate) fn subject_key_id_extension(spki_der: &[u8]) -> Result<Extension> {
    let ski = SubjectKeyIdentifier(OctetString::new(key_identifier(spki_der)?)?);
    extension(rfc5912::ID_CE_SUBJECT_KEY_IDENTIFIER, false, &ski)
}

/// AuthorityKeyIdentifier: the issuer's key identifier (none when self-signed).
pub(crate) fn authority_key_id_extension(
    issuer_key_id: Option<Vec<u8>>,
) -> Result<Option<Extension>> {
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
pub(crate) fn subject_alt_name_extension(
    sans: &[San],
    subject: &Name,
) -> Result<Option<Extension>> {
    if sans.is_empty() {
        return Ok(None);
    }
    Ok(Some(extension(
        rfc5912::ID_CE_SUBJECT_ALT_NAME,
        subject.is_empty(),
        &san_extension(sans)?,
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_settings_give_no_extension() {
        assert!(authority_info_access("", &[]).unwrap().is_none());
        assert!(crl_distribution_points("").unwrap().is_none());
        assert!(certificate_policies(&[]).unwrap().is_none());
        assert!(ocsp_no_check(false).unwrap().is_none());
    }

    #[test]
    fn aia_puts_ocsp_first() {
        let ext =
            authority_info_access("http://ocsp.example", &["http://ca.example/ca.der".into()])
                .unwrap()
                .unwrap();
        let aia: AuthorityInfoAccessSyntax =
            der::Decode::from_der(ext.extn_value.as_bytes()).unwrap();
        assert_eq!(aia.0[0].access_method, rfc5912::ID_AD_OCSP);
        assert_eq!(aia.0[1].access_method, rfc5912::ID_AD_CA_ISSUERS);
        assert!(authority_info_access("http://é", &[]).is_err());
    }

    #[test]
    fn ocsp_no_check_is_null() {
        let ext = ocsp_no_check(true).unwrap().unwrap();
        assert_eq!(ext.extn_value.as_bytes(), &[0x05, 0x00]);
    }

    #[test]
    fn copy_filter_never_lets_a_csr_choose_constraints() {
        let ext = |oid: ObjectIdentifier| Extension {
            extn_id: oid,
            critical: false,
            extn_value: OctetString::new(vec![5, 0]).unwrap(),
        };
        let custom = ObjectIdentifier::new_unwrap("1.2.3.4");
        let requested = vec![
            ext(rfc5912::ID_CE_BASIC_CONSTRAINTS),
            ext(rfc5912::ID_CE_KEY_USAGE),
            ext(rfc5912::ID_CE_SUBJECT_ALT_NAME),
            ext(custom),
            ext(custom),
            ext(rfc5912::ID_CE_CRL_DISTRIBUTION_POINTS),
        ];
        let (copies, warnings) = copyable(
            requested.clone(),
            &[rfc5912::ID_CE_CRL_DISTRIBUTION_POINTS],
            &[custom],
        );
        assert_eq!(copies.len(), 1);
        assert_eq!(copies[0].extn_id, custom);
        assert_eq!(warnings.len(), 4, "{warnings:?}");
        let (copies, warnings) = copyable(requested, &[], &[]);
        assert!(copies.is_empty(), "{copies:?}");
        assert_eq!(warnings.len(), 5, "{warnings:?}");
        let must_staple = ext(COPIED_BY_DEFAULT[0]);
        let (copies, _) = copyable(vec![must_staple], &[], &[]);
        assert_eq!(copies.len(), 1);
    }
}
