//! Renewing a certificate: the same subject, SANs and usages from the
//! same CA with a fresh validity, for the same key, another key, or a
//! freshly generated one; written in place with the old files kept.

use crate::csr::san_from_general_name;
use crate::error::{Error, Result};
use crate::issue::issuer::{parse_certificate, Issuer};
use crate::keys::{pem_encode, rsa_modulus_bits, KeyPair};
use crate::output::OutputFile;
use crate::policy::{usage_vocabulary, Profile, Usage};
use crate::request::{KeySpec, San};
use const_oid::db::rfc5912;
use der::{Decode, Encode};
use spki::{ObjectIdentifier, SubjectPublicKeyInfoOwned};
use std::path::{Path, PathBuf};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName,
    SubjectKeyIdentifier,
};
use x509_cert::Certificate;
use zeroize::Zeroizing;

/// Which key the renewed certificate certifies.
pub enum KeyChoice {
    /// The key the old certificate certifies (no private key needed).
    Keep,
    /// The given key.
    Use(KeyPair),
    /// A new key of the old key's algorithm and size.
    New,
}

/// A renewed certificate, and its key when one was generated.
pub struct Renewed {
    pub cert_pem: String,
    pub new_key_pem: Option<Zeroizing<String>>,
    pub serial: String,
    pub warnings: Vec<String>,
}

/// Renews `old` with `issuer`, under `profile` or, without one, the old
/// certificate's own usages and lifetime. `source` names it in messages.
pub fn renew(
    old: &Certificate,
    source: &str,
    issuer: &Issuer,
    profile: Option<&Profile>,
    key: KeyChoice,
) -> Result<Renewed> {
    let tbs = old.tbs_certificate();
    let is_ca = tbs
        .get_extension::<BasicConstraints>()
        .map_err(|e| Error::decode(source, format!("malformed basicConstraints: {e}")))?
        .is_some_and(|(_, bc)| bc.ca);
    if is_ca {
        return Err(Error::Refused(format!(
            "{source}: is a CA certificate; renew leaf certificates only"
        )));
    }
    if tbs.issuer() != issuer.certificate().tbs_certificate().subject()
        || !key_ids_match(old, issuer.certificate())
    {
        return Err(Error::Refused(format!(
            "{source}: was issued by {}, not by the given CA {}",
            crate::request::name::to_slash_string(tbs.issuer()),
            crate::request::name::to_slash_string(issuer.certificate().tbs_certificate().subject())
        )));
    }
    let derived;
    let profile = match profile {
        Some(p) => p,
        None => {
            derived = profile_from_certificate(old, source)?;
            &derived
        }
    };
    let (spki, new_key_pem) = match key {
        KeyChoice::Keep => (tbs.subject_public_key_info().clone(), None),
        KeyChoice::Use(k) => (spki_of(&k)?, None),
        KeyChoice::New => {
            let k = KeyPair::generate(key_spec_of(tbs.subject_public_key_info(), source)?)?;
            (spki_of(&k)?, Some(k.to_pem()?))
        }
    };
    let issued = issuer.reissue(tbs.subject(), &spki, sans_of(old, source)?, profile)?;
    Ok(Renewed {
        cert_pem: issued.cert_pem,
        new_key_pem,
        serial: issued.serial,
        warnings: issued.warnings,
    })
}

/// Reads the certificate to renew from PEM or DER.
pub fn read_certificate(bytes: &[u8], source: &str) -> Result<Certificate> {
    parse_certificate(bytes, source)
}

/// A profile that reproduces `cert`: its KeyUsage bits, its extended key
/// usages and its lifetime (notAfter - notBefore).
pub fn profile_from_certificate(cert: &Certificate, source: &str) -> Result<Profile> {
    let tbs = cert.tbs_certificate();
    let mut usages = Vec::new();
    if let Some((_, ku)) = tbs
        .get_extension::<KeyUsage>()
        .map_err(|e| Error::decode(source, format!("malformed keyUsage: {e}")))?
    {
        usages.extend(ku.0.into_iter().map(Usage::Key));
    }
    if let Some((_, eku)) = tbs
        .get_extension::<ExtendedKeyUsage>()
        .map_err(|e| Error::decode(source, format!("malformed extKeyUsage: {e}")))?
    {
        usages.extend(eku.0.iter().map(|oid| Usage::Ext(*oid)));
    }
    let validity = tbs.validity();
    let lifetime = validity
        .not_after
        .to_unix_duration()
        .checked_sub(validity.not_before.to_unix_duration())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| Error::decode(source, "notAfter is not after notBefore"))?;
    let vocabulary = usage_vocabulary();
    let usage_words = usages
        .iter()
        .map(|u| {
            match vocabulary
                .iter()
                .filter(|(_, v)| v == u)
                .max_by_key(|(word, _)| word.len())
            {
                Some((word, _)) => word.to_string(),
                None => format!("{u:?}"),
            }
        })
        .collect();
    Ok(Profile {
        name: "renewal".into(),
        usage_words,
        usages,
        expiry: lifetime,
        ..Profile::cfssl_default()
    })
}

/// Whether the old certificate's authority key identifier, when it has
/// one, names the CA's subject key identifier: two CAs may share a name.
fn key_ids_match(old: &Certificate, ca: &Certificate) -> bool {
    let aki = old
        .tbs_certificate()
        .get_extension::<AuthorityKeyIdentifier>()
        .ok()
        .flatten();
    let ski = ca
        .tbs_certificate()
        .get_extension::<SubjectKeyIdentifier>()
        .ok()
        .flatten();
    match (aki.and_then(|(_, a)| a.key_identifier), ski) {
        (Some(aki), Some((_, ski))) => aki == ski.0,
        _ => true,
    }
}

fn sans_of(cert: &Certificate, source: &str) -> Result<Vec<San>> {
    let san = cert
        .tbs_certificate()
        .get_extension::<SubjectAltName>()
        .map_err(|e| Error::decode(source, format!("malformed subjectAltName: {e}")))?;
    Ok(san
        .map(|(_, san)| san.0.iter().filter_map(san_from_general_name).collect())
        .unwrap_or_default())
}

fn spki_of(key: &KeyPair) -> Result<SubjectPublicKeyInfoOwned> {
    Ok(SubjectPublicKeyInfoOwned::from_der(&key.public_key_der()?)?)
}

/// The key request that makes a key like the one in `spki`.
fn key_spec_of(spki: &SubjectPublicKeyInfoOwned, source: &str) -> Result<KeySpec> {
    let unsupported = || {
        Error::Key(format!(
            "{source}: cannot make a new key like the certificate's"
        ))
    };
    match spki.algorithm.oid {
        rfc5912::RSA_ENCRYPTION => {
            let bits =
                rsa_modulus_bits(spki.subject_public_key.raw_bytes()).ok_or_else(unsupported)?;
            Ok(KeySpec::Rsa(bits as u32))
        }
        rfc5912::ID_EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .ok_or_else(unsupported)?;
            match curve {
                rfc5912::SECP_256_R_1 => Ok(KeySpec::Ecdsa(256)),
                rfc5912::SECP_384_R_1 => Ok(KeySpec::Ecdsa(384)),
                rfc5912::SECP_521_R_1 => Ok(KeySpec::Ecdsa(521)),
                _ => Err(unsupported()),
            }
        }
        const_oid::db::rfc8410::ID_ED_25519 => Ok(KeySpec::Ed25519),
        _ => Err(unsupported()),
    }
}

/// Where the key of `cert` lives: `x.crt` has `x.key` (kubeadm), `x.pem`
/// has `x-key.pem` (cfssljson).
pub fn key_path_for(cert: &Path) -> PathBuf {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    // Bytes, not text: a path need not be UTF-8.
    let bytes = cert.as_os_str().as_bytes();
    let name = if let Some(stem) = bytes.strip_suffix(b".crt") {
        [stem, b".key"].concat()
    } else if let Some(stem) = bytes.strip_suffix(b".pem") {
        [stem, b"-key.pem"].concat()
    } else {
        [bytes, b".key"].concat()
    };
    PathBuf::from(std::ffi::OsString::from_vec(name))
}

/// The files that put a renewal in place: backups of the old certificate
/// (and old key, when replaced) as NAME.bak unless `backup` is off, then
/// the new certificate (followed by any chain the old file held after its
/// leaf) and key. Write them as one set (`certkit_files::atomic::write_all`).
pub fn renewal_files(
    cert_path: &Path,
    old_cert: &[u8],
    renewed: &Renewed,
    backup: bool,
) -> Result<Vec<OutputFile>> {
    let file = |path: &Path, contents: Vec<u8>, mode: u32| OutputFile {
        name: path.to_path_buf(),
        contents,
        mode,
        binary: false,
    };
    let bak = |path: &Path| {
        let mut name = path.as_os_str().to_owned();
        name.push(".bak");
        PathBuf::from(name)
    };
    let mut files = Vec::new();
    if backup {
        files.push(file(&bak(cert_path), old_cert.to_vec(), 0o644));
    }
    if let Some(key_pem) = &renewed.new_key_pem {
        let key_path = key_path_for(cert_path);
        if backup && key_path.exists() {
            let old_key = Zeroizing::new(crate::input::read_input(&key_path)?);
            files.push(file(&bak(&key_path), old_key.to_vec(), 0o600));
        }
        files.push(file(&key_path, key_pem.as_bytes().to_vec(), 0o600));
    }
    let contents = [renewed.cert_pem.clone(), rest_of_chain(old_cert)].concat();
    files.push(file(cert_path, contents.into_bytes(), 0o644));
    Ok(files)
}

/// The certificates after the first in a PEM file (a leaf followed by its
/// chain), which the renewed file keeps after the new leaf.
fn rest_of_chain(old_cert: &[u8]) -> String {
    pem::parse_many(old_cert)
        .unwrap_or_default()
        .iter()
        .filter(|b| b.tag() == "CERTIFICATE")
        .skip(1)
        .map(|b| pem_encode("CERTIFICATE", b.contents()))
        .collect()
}

/// The DER SubjectPublicKeyInfo of a certificate, for comparing keys.
pub fn public_key_der(cert: &Certificate) -> Result<Vec<u8>> {
    Ok(cert.tbs_certificate().subject_public_key_info().to_der()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr::VerifiedCsr;
    use crate::request::Request;

    fn ca() -> Issuer {
        let made = crate::issue::initca::new_ca(&Request {
            cn: "CA".into(),
            ..Default::default()
        })
        .unwrap();
        Issuer::load(
            made.cert_pem.as_bytes(),
            "ca",
            made.key_pem.as_bytes(),
            "ca-key",
        )
        .unwrap()
    }

    fn leaf(issuer: &Issuer, words: &[&str], hours: u64) -> Certificate {
        let req = Request {
            cn: "etcd".into(),
            hosts: vec!["etcd.local".into(), "10.0.0.1".into()],
            ..Default::default()
        };
        let key = KeyPair::generate(req.key).unwrap();
        let csr =
            VerifiedCsr::parse(crate::csr::build(&req, &key).unwrap().as_bytes(), "t").unwrap();
        let profile = Profile {
            usage_words: words.iter().map(|w| w.to_string()).collect(),
            usages: words
                .iter()
                .filter_map(|w| crate::policy::parse_usage(w))
                .collect(),
            expiry: std::time::Duration::from_secs(hours * 3600),
            ..Profile::cfssl_default()
        };
        let issued = issuer.sign(&csr, &profile, None).unwrap();
        Certificate::from_der(&issued.cert_der).unwrap()
    }

    #[test]
    fn renewal_keeps_subject_sans_usages_and_key() {
        let issuer = ca();
        let old = leaf(&issuer, &["digital signature", "client auth"], 2);
        let renewed = renew(&old, "old", &issuer, None, KeyChoice::Keep).unwrap();
        assert!(renewed.new_key_pem.is_none());
        let new = read_certificate(renewed.cert_pem.as_bytes(), "new").unwrap();
        let (o, n) = (old.tbs_certificate(), new.tbs_certificate());
        assert_eq!(o.subject(), n.subject());
        assert_eq!(public_key_der(&old).unwrap(), public_key_der(&new).unwrap());
        assert_eq!(sans_of(&old, "o").unwrap(), sans_of(&new, "n").unwrap());
        let (po, pn) = (
            profile_from_certificate(&old, "o").unwrap(),
            profile_from_certificate(&new, "n").unwrap(),
        );
        assert_eq!(po.usages, pn.usages);
        assert_eq!(pn.usage_words, ["digital signature", "client auth"]);
        assert_eq!(po.expiry, pn.expiry);
        assert_ne!(o.serial_number(), n.serial_number());
    }

    #[test]
    fn new_key_has_the_old_algorithm() {
        let issuer = ca();
        let old = leaf(&issuer, &["signing", "server auth"], 1);
        let renewed = renew(&old, "old", &issuer, None, KeyChoice::New).unwrap();
        let key = KeyPair::from_pem(renewed.new_key_pem.as_ref().unwrap().as_bytes(), "k").unwrap();
        assert_eq!(key.describe(), "ecdsa-256");
        let new = read_certificate(renewed.cert_pem.as_bytes(), "new").unwrap();
        assert!(key.matches(&public_key_der(&new).unwrap()).unwrap());
        assert_ne!(public_key_der(&old).unwrap(), public_key_der(&new).unwrap());
    }

    #[test]
    fn wrong_ca_and_ca_certificates_are_refused() {
        let issuer = ca();
        let other = ca();
        let old = leaf(&issuer, &["signing"], 1);
        let err = renew(&old, "old.pem", &other, None, KeyChoice::Keep)
            .err()
            .unwrap();
        assert!(err.to_string().contains("old.pem: was issued by"), "{err}");
        let err = renew(
            issuer.certificate(),
            "ca.pem",
            &issuer,
            None,
            KeyChoice::Keep,
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("CA certificate"), "{err}");
    }

    #[test]
    fn a_chain_after_the_leaf_is_kept() {
        let issuer = ca();
        let old = leaf(&issuer, &["signing"], 1);
        let old_pem = pem_encode("CERTIFICATE", &old.to_der().unwrap());
        let ca_pem = pem_encode("CERTIFICATE", &issuer.certificate().to_der().unwrap());
        let bundle = [old_pem.clone(), ca_pem.clone()].concat();
        let renewed = renew(&old, "old", &issuer, None, KeyChoice::Keep).unwrap();
        let files =
            renewal_files(Path::new("leaf.pem"), bundle.as_bytes(), &renewed, true).unwrap();
        let written = String::from_utf8(files.last().unwrap().contents.clone()).unwrap();
        assert_eq!(written, [renewed.cert_pem.clone(), ca_pem].concat());
        assert_eq!(files[0].name, Path::new("leaf.pem.bak"));
        assert_eq!(files[0].contents, bundle.as_bytes());
    }

    #[test]
    fn key_paths_follow_kubeadm_and_cfssljson() {
        assert_eq!(
            key_path_for(Path::new("pki/apiserver.crt")),
            PathBuf::from("pki/apiserver.key")
        );
        assert_eq!(
            key_path_for(Path::new("server.pem")),
            PathBuf::from("server-key.pem")
        );
    }
}
