//! Revocation: cfssl's reason names (`reason`), decimal serial numbers
//! (`serial`, re-exported from the crate root where issuing shares it),
//! RFC 5280 CRLs (`crl`) and RFC 6960 / RFC 5019 OCSP
//! requests and responses (`ocsp`). Everything is built with RustCrypto's
//! x509-cert and x509-ocsp types and signed by the CA or responder key
//! through [`crate::keys::KeyPair`] (AWS-LC); nothing here does I/O.

pub mod crl;
pub mod ocsp;
pub mod reason;

pub use crate::serial;
pub use reason::Reason;

/// A fresh ECDSA CA for the unit tests.
#[cfg(test)]
pub(crate) fn test_ca() -> crate::issue::issuer::Issuer {
    test_ca_and_key().0
}

/// A fresh ECDSA CA for the unit tests, and a copy of its key.
#[cfg(test)]
pub(crate) fn test_ca_and_key() -> (crate::issue::issuer::Issuer, crate::keys::KeyPair) {
    let req = crate::request::Request {
        cn: "Revocation Test CA".into(),
        ..Default::default()
    };
    let made = crate::issue::initca::new_ca(&req).unwrap();
    let issuer = crate::issue::issuer::Issuer::load(
        made.cert_pem.as_bytes(),
        "ca.pem",
        made.key_pem.as_bytes(),
        "ca-key.pem",
    )
    .unwrap();
    (issuer, made.key)
}
