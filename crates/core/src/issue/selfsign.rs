//! Self-signed certificates (`selfsign`): a new key, a CSR and a
//! certificate signed by that same key under a profile. For testing only.

use crate::error::{Error, Result};
use crate::issue::initca::NewCa;
use crate::keys::KeyPair;
use crate::policy::Profile;
use crate::request::Request;
use std::time::Duration;

/// cfssl's selfsign validity when no config is given: 2190h (three months).
pub const DEFAULT_EXPIRY: Duration = Duration::from_secs(2190 * 3600);

/// The profile selfsign uses without a config: cfssl's default usages
/// for three months.
pub fn default_profile() -> Profile {
    Profile {
        expiry: DEFAULT_EXPIRY,
        ..Profile::cfssl_default()
    }
}

/// Generates a key for `req`, with `hosts` (when not empty) replacing
/// its hosts, and self-signs its CSR under `profile`.
pub fn self_signed(req: &Request, hosts: &[String], profile: &Profile) -> Result<NewCa> {
    if req.ca.is_some() {
        return Err(Error::Request(
            "the \"ca\" section is only allowed with -initca (selfsign makes a leaf)".into(),
        ));
    }
    let mut req = req.clone();
    if !hosts.is_empty() {
        req.hosts = hosts.to_vec();
    }
    crate::issue::initca::self_signed_with_key(&req, KeyPair::generate(req.key)?, profile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::*;

    #[test]
    fn hostname_replaces_hosts_and_cert_is_self_signed() {
        let req = Request {
            cn: "self".into(),
            hosts: vec!["old.example".into()],
            ..Default::default()
        };
        let made = self_signed(
            &req,
            &["new.example".into(), "10.0.0.1".into()],
            &default_profile(),
        )
        .unwrap();
        let pem = ::pem::parse(made.cert_pem.as_bytes()).unwrap();
        let (_, cert) = X509Certificate::from_der(pem.contents()).unwrap();
        assert_eq!(cert.subject(), cert.issuer());
        let san = cert.subject_alternative_name().unwrap().unwrap().value;
        assert_eq!(san.general_names.len(), 2);
        assert_eq!(san.general_names[0], GeneralName::DNSName("new.example"));
        let days =
            (cert.validity().not_after.timestamp() - cert.validity().not_before.timestamp()) / 3600;
        assert_eq!(days, 2190);
    }
}
