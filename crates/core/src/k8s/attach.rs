//! Putting a certificate made elsewhere (`certkit sign` on the PEM CSR,
//! another CA) into a CertificateSigningRequest object's
//! `status.certificate`, after checking it is for that request's key.

use super::document::Document;
use super::sign::check_signable;
use crate::csr::VerifiedCsr;
use crate::error::{Error, Result};
use crate::issue::issuer::parse_certificate;

/// Sets `status.certificate` of the document's one object to `chain_pem`
/// (leaf first). Refuses a certificate whose public key is not the one in
/// `spec.request`, and objects `sign` would refuse to write into.
pub fn attach_certificate(mut doc: Document, chain_pem: &[u8], source: &str) -> Result<Document> {
    let [item] = doc.items.as_mut_slice() else {
        return Err(Error::Refused(format!(
            "a certificate is for one CertificateSigningRequest, the input holds {}",
            doc.items.len()
        )));
    };
    let name = item.name().to_string();
    check_signable(item, false)
        .map_err(|why| Error::Refused(format!("CertificateSigningRequest {name}: {why}")))?;
    let csr = VerifiedCsr::parse(
        &item.request()?,
        &format!("CertificateSigningRequest {name}: spec.request"),
    )?;
    let leaf = parse_certificate(chain_pem, source)?;
    if leaf.tbs_certificate().subject_public_key_info() != csr.public_key() {
        return Err(Error::Refused(format!(
            "{source}: the certificate's public key is not the one in CertificateSigningRequest {name}'s spec.request"
        )));
    }
    let text = std::str::from_utf8(chain_pem).map_err(|_| Error::decode(source, "not PEM text"))?;
    item.set_certificate(text);
    Ok(doc)
}
