//! Creating a self-signed CA from a request, as `cfssl gencert -initca`.

use crate::csr::VerifiedCsr;
use crate::error::Result;
use crate::issue::issuer::self_sign;
use crate::keys::{KeyPair, SigningKey};
use crate::policy::Profile;
use crate::request::Request;
use zeroize::Zeroizing;

/// A new CA: its key, CSR and self-signed certificate, all PEM.
pub struct NewCa {
    pub key: KeyPair,
    pub key_pem: Zeroizing<String>,
    pub csr_pem: String,
    pub cert_pem: String,
    pub serial: String,
    pub warnings: Vec<String>,
}

/// The signing profile initca uses for `req`: cfssl's CA defaults with
/// the request's `ca` section (expiry, backdate, pathlen) and `crl_url`
/// applied.
pub fn ca_profile(req: &Request) -> Profile {
    let mut profile = Profile::ca_default();
    if let Some(ca) = &req.ca {
        if let Some(expiry) = ca.expiry {
            profile.expiry = expiry;
        }
        if let Some(backdate) = ca.backdate {
            profile.backdate = backdate;
        }
        profile.ca_constraint.max_path_len = ca.pathlen;
        profile.ca_constraint.max_path_len_zero = ca.pathlenzero;
    }
    // cfssl: the request's crl_url becomes the CA certificate's CRL DP.
    profile.crl_url = req.crl_url.clone();
    profile
}

/// Generates a key and CSR for `req` and self-signs it as a CA.
pub fn new_ca(req: &Request) -> Result<NewCa> {
    self_signed_with_key(req, KeyPair::generate(req.key)?, &ca_profile(req))
}

/// A CA for `req` with an existing key (`gencert -initca -ca-key`, a key
/// in a token, and renewal): a new CSR, self-signed under the request's
/// CA profile. The key is not part of the result, so a token key is never
/// asked for its value.
pub fn new_ca_with_key(req: &Request, key: &dyn SigningKey) -> Result<SelfSigned> {
    self_signed(req, key, &ca_profile(req))
}

/// A self-signed certificate and its CSR, without the key.
pub struct SelfSigned {
    pub csr_pem: String,
    pub cert_pem: String,
    pub serial: String,
    pub warnings: Vec<String>,
}

/// A CSR for `req` made with `key` and self-signed under `profile`.
pub fn self_signed(req: &Request, key: &dyn SigningKey, profile: &Profile) -> Result<SelfSigned> {
    let csr = VerifiedCsr::built(req, key)?;
    let csr_pem = csr.to_pem();
    let issued = self_sign(&csr, key, profile)?;
    Ok(SelfSigned {
        csr_pem,
        cert_pem: issued.cert_pem,
        serial: issued.serial,
        warnings: issued.warnings,
    })
}

/// [`self_signed`] with a key certkit generated, which comes back with
/// the result: a root (initca) or a test leaf (selfsign).
pub fn self_signed_with_key(req: &Request, key: KeyPair, profile: &Profile) -> Result<NewCa> {
    let made = self_signed(req, &key, profile)?;
    Ok(NewCa {
        key_pem: key.to_pem()?,
        key,
        csr_pem: made.csr_pem,
        cert_pem: made.cert_pem,
        serial: made.serial,
        warnings: made.warnings,
    })
}
