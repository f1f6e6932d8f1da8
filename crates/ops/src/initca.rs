//! `initca` and `gencert -initca` / `-renewca`: a new self-signed CA, a CA
//! certificate for an existing key, and a renewed CA certificate.

use crate::load;
use certkit_core::error::{Result, UsageError};
use certkit_core::input::{display_path, read_input};
use certkit_core::issue::{initca, renew_ca};
use certkit_core::keys::format::KeyEncoder;
use certkit_core::keys::{CaKey, KeyPair, SigningKey};
use certkit_core::output::cert_json;
use certkit_core::report::Report;
use certkit_core::request::Request;
use certkit_pkcs11::is_pkcs11_uri;
use std::path::Path;
use zeroize::Zeroizing;

/// A new CA from the request at `path`: cert, csr and key (encoded by
/// `keys`) as cfssl's JSON; `cn` replaces the request's CN.
pub fn new_ca(path: &Path, cn: Option<&str>, keys: &KeyEncoder) -> Result<Report> {
    let mut report = Report::default();
    let req = load::request_with_cn(path, cn, &mut report)?;
    report.info("generating a new CA key and certificate from CSR");
    report.info("generate received request");
    report.info(format!("generating key: {}", req.key));
    let ca = initca::new_ca(&req)?;
    report.info("encoded CSR");
    report.warn_all(&ca.warnings);
    report.info(format!(
        "signed certificate with serial number {}",
        ca.serial
    ));
    report.output = cert_json(
        Some(&ca.cert_pem),
        Some(&ca.csr_pem),
        Some(&keys.pem(&ca.key)?),
    );
    Ok(report)
}

/// `gencert -initca -ca-key KEY`: a new CA certificate and CSR for an
/// existing key; the key is not printed. `cn` replaces the request's CN.
pub fn new_ca_with_key(path: &Path, cn: Option<&str>, key_path: &Path) -> Result<Report> {
    let mut report = Report::default();
    let req = load::request_with_cn(path, cn, &mut report)?;
    let key = existing_key(key_path)?;
    report.info("re-generate a CA certificate from CSR and CA key");
    self_signed_for_key(report, &req, key.as_ref())
}

/// The CA certificate and CSR for `key` (which is not printed), into
/// `report`.
fn self_signed_for_key(mut report: Report, req: &Request, key: &dyn SigningKey) -> Result<Report> {
    let ca = initca::new_ca_with_key(req, key)?;
    report.warn_all(&ca.warnings);
    report.info(format!(
        "signed certificate with serial number {}",
        ca.serial
    ));
    report.output = cert_json(Some(&ca.cert_pem), Some(&ca.csr_pem), None);
    Ok(report)
}

/// `gencert -initca -ca-key pkcs11:URI -new-token-key`: generates the
/// request's key inside the token (sensitive, not extractable), then the
/// CA certificate and CSR for it. Nothing of the key is printed.
pub fn new_ca_in_token(path: &Path, cn: Option<&str>, key_uri: &Path) -> Result<Report> {
    let mut report = Report::default();
    let req = load::request_with_cn(path, cn, &mut report)?;
    let uri = key_uri
        .to_str()
        .filter(|u| is_pkcs11_uri(u))
        .ok_or_else(|| UsageError::missing("-new-token-key needs -ca-key pkcs11:URI"))?;
    let key = certkit_pkcs11::generate(uri, req.key)?;
    report.info(format!(
        "generated a {} key in the token: {}",
        key.describe(),
        load::ca_key_name(key_uri)
    ));
    self_signed_for_key(report, &req, &key)
}

/// `gencert -renewca -ca CERT -ca-key KEY`: the renewed certificate.
pub fn renew(ca: Option<&Path>, ca_key: Option<&Path>) -> Result<Report> {
    let ca =
        ca.ok_or_else(|| UsageError::missing("-renewca needs the CA certificate (use -ca FILE)"))?;
    let ca_key = ca_key
        .ok_or_else(|| UsageError::missing("-renewca needs the CA key (use -ca-key FILE)"))?;
    let mut report = Report::default();
    let key = existing_key(ca_key)?;
    report.info("re-generate a CA certificate from CA cert and key");
    let renewed = renew_ca::renew_ca(
        &read_input(ca)?,
        &display_path(ca),
        key.as_ref(),
        &load::ca_key_name(ca_key),
    )?;
    report.info(format!(
        "signed certificate with serial number {}",
        renewed.serial
    ));
    report.output = cert_json(Some(&renewed.cert_pem), None, None);
    Ok(report)
}

/// The CA key of `-initca -ca-key` and `-renewca`: a key in a token
/// (`pkcs11:` URI), or an unencrypted PEM key as cfssl reads it.
fn existing_key(path: &Path) -> Result<CaKey> {
    if path.to_str().is_some_and(is_pkcs11_uri) {
        return load::ca_key(path, None);
    }
    let key_pem = Zeroizing::new(read_input(path)?);
    Ok(Box::new(KeyPair::from_pem(&key_pem, &display_path(path))?))
}
