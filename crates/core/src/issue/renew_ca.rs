//! Renewal: the request a certificate was made from (cfssl's
//! ExtractCertificateRequest), and `gencert -renewca`, which re-issues a
//! CA with its own key, subject, hosts and pathlen for a validity of the
//! same length starting now.

use crate::csr::san_from_general_name;
use crate::error::{Error, Result};
use crate::issue::initca::{new_ca_with_key, SelfSigned};
use crate::issue::issuer::parse_certificate;
use crate::keys::SigningKey;
use crate::request::name::atv_string;
use crate::request::{CaConfig, NameEntry, Request, San};
use const_oid::db::{rfc2985, rfc4519};
use der::Encode;
use std::time::Duration;
use x509_cert::ext::pkix::{BasicConstraints, SubjectAltName};
use x509_cert::Certificate;

/// The request behind `cert`: its subject attributes (one `names` entry
/// per value, so the order survives), its SANs as hosts, and for a CA its
/// pathlen and validity length.
pub fn request_from_certificate(cert: &Certificate, source: &str) -> Result<Request> {
    let tbs = cert.tbs_certificate();
    let mut req = Request::default();
    for atv in tbs.subject().iter() {
        let value = atv_string(atv);
        let mut entry = NameEntry::default();
        match atv.oid {
            rfc4519::CN => {
                req.cn = value;
                continue;
            }
            rfc4519::SERIAL_NUMBER => {
                req.serial_number = value;
                continue;
            }
            rfc4519::C => entry.c = value,
            rfc4519::ST => entry.st = value,
            rfc4519::L => entry.l = value,
            rfc4519::O => entry.o = value,
            rfc4519::OU => entry.ou = value,
            rfc2985::PKCS_9_AT_EMAIL_ADDRESS => entry.e = value,
            other => entry.oids.push((other.to_string(), value)),
        }
        req.names.push(entry);
    }
    let san = tbs
        .get_extension::<SubjectAltName>()
        .map_err(|e| Error::decode(source, format!("malformed subjectAltName: {e}")))?;
    if let Some((_, san)) = san {
        req.hosts = san
            .0
            .iter()
            .filter_map(san_from_general_name)
            .map(|s| host_text(&s))
            .collect();
    }
    let bc = tbs
        .get_extension::<BasicConstraints>()
        .map_err(|e| Error::decode(source, format!("malformed basicConstraints: {e}")))?;
    if let Some((_, bc)) = bc.filter(|(_, bc)| bc.ca) {
        let validity = tbs.validity();
        let length = validity
            .not_after
            .to_unix_duration()
            .saturating_sub(validity.not_before.to_unix_duration());
        req.ca = Some(CaConfig {
            pathlen: bc.path_len_constraint,
            pathlenzero: bc.path_len_constraint == Some(0),
            expiry: Some(Duration::from_secs(length.as_secs())),
            backdate: None,
        });
    }
    req.key = crate::request::KeySpec::default();
    Ok(req)
}

fn host_text(san: &San) -> String {
    match san {
        San::Dns(s) | San::Email(s) | San::Uri(s) => s.clone(),
        San::Ip(ip) => ip.to_string(),
    }
}

/// Renews a CA from its certificate (PEM) and key (a PEM key or one in a
/// token): refuses a non-CA certificate and a key that does not belong
/// to it.
pub fn renew_ca(
    cert_pem: &[u8],
    cert_source: &str,
    key: &dyn SigningKey,
    key_source: &str,
) -> Result<SelfSigned> {
    let cert = parse_certificate(cert_pem, cert_source)?;
    if !key.matches(&cert.tbs_certificate().subject_public_key_info().to_der()?)? {
        return Err(Error::Key(format!(
            "{key_source}: private key does not match the CA certificate {cert_source}"
        )));
    }
    let req = request_from_certificate(&cert, cert_source)?;
    if req.ca.is_none() {
        return Err(Error::Refused(format!(
            "{cert_source}: the certificate is not a CA"
        )));
    }
    new_ca_with_key(&req, key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyPair;
    use crate::request::KeySpec;

    #[test]
    fn renewed_ca_keeps_key_subject_and_pathlen() {
        let req = Request {
            cn: "Renew Me".into(),
            names: vec![NameEntry {
                c: "US".into(),
                o: "Example".into(),
                ..Default::default()
            }],
            hosts: vec!["10.0.0.1".into()],
            ca: Some(CaConfig {
                pathlen: Some(2),
                expiry: Some(Duration::from_secs(1000 * 3600)),
                ..Default::default()
            }),
            key: KeySpec::Ecdsa(256),
            ..Default::default()
        };
        let old = crate::issue::initca::new_ca(&req).unwrap();
        let new = renew_ca(old.cert_pem.as_bytes(), "ca.pem", &old.key, "ca-key.pem").unwrap();
        let old_cert = parse_certificate(old.cert_pem.as_bytes(), "old").unwrap();
        let new_cert = parse_certificate(new.cert_pem.as_bytes(), "new").unwrap();
        let (o, n) = (old_cert.tbs_certificate(), new_cert.tbs_certificate());
        assert_eq!(o.subject(), n.subject());
        assert_eq!(o.subject_public_key_info(), n.subject_public_key_info());
        assert_ne!(o.serial_number(), n.serial_number());
        let again = request_from_certificate(&new_cert, "new").unwrap();
        assert_eq!(again.ca.as_ref().unwrap().pathlen, Some(2));
        assert_eq!(
            again.ca.unwrap().expiry,
            Some(Duration::from_secs(1000 * 3600))
        );
        assert_eq!(again.hosts, vec!["10.0.0.1".to_string()]);
    }

    #[test]
    fn wrong_key_or_leaf_is_refused() {
        let req = Request {
            cn: "CA".into(),
            ..Default::default()
        };
        let ca = crate::issue::initca::new_ca(&req).unwrap();
        let other = KeyPair::generate(KeySpec::Ecdsa(256)).unwrap();
        let e = renew_ca(ca.cert_pem.as_bytes(), "ca.pem", &other, "k.pem")
            .err()
            .unwrap();
        assert!(e.to_string().contains("does not match"), "{e}");
    }
}
