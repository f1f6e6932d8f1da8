//! PKCS#12 (.p12/.pfx) files: a private key with its certificate and CA
//! chain under one password, as Java keystores, Windows and browsers
//! import them. Written with p12-keystore: PBES2 (PBKDF2-SHA256,
//! AES-256-CBC) for keys and certificates, HMAC-SHA256 for the MAC.

use crate::error::{Error, Result};
use crate::keys::KeyPair;
use p12_keystore::{
    Certificate, KeyStore, KeyStoreEntry, Pkcs12ImportPolicy, PrivateKey, PrivateKeyChain,
};

fn p12_err(e: impl std::fmt::Display) -> Error {
    Error::Encoding(format!("PKCS#12: {e}"))
}

/// The DER certificates of every CERTIFICATE block in a PEM input, in order.
pub fn pem_certificates(pem_text: &[u8], source: &str) -> Result<Vec<Vec<u8>>> {
    let blocks =
        pem::parse_many(pem_text).map_err(|e| Error::decode(source, format!("not PEM: {e}")))?;
    let certs: Vec<Vec<u8>> = blocks
        .into_iter()
        .filter(|b| b.tag() == "CERTIFICATE")
        .map(|b| b.into_contents())
        .collect();
    if certs.is_empty() {
        return Err(Error::decode(source, "no CERTIFICATE PEM block found"));
    }
    Ok(certs)
}

/// A PKCS#12 file holding `key` and `chain` (DER, the key's certificate
/// first, then its issuers) under the entry name `alias`.
pub fn build(key: &KeyPair, chain: &[Vec<u8>], alias: &str, password: &[u8]) -> Result<Vec<u8>> {
    let password = std::str::from_utf8(password)
        .map_err(|_| Error::decode("PKCS#12 password", "must be UTF-8 text"))?;
    let leaf = chain
        .first()
        .ok_or_else(|| Error::decode("PKCS#12", "no certificate given"))?;
    let certs = chain
        .iter()
        .enumerate()
        .map(|(i, der)| {
            Certificate::from_der(der).map_err(|e| {
                Error::decode(
                    format!("certificate {}", i + 1),
                    format!("invalid certificate: {e}"),
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let spki = leaf_spki(leaf)?;
    if !key.matches(&spki)? {
        return Err(Error::Key(
            "the private key does not belong to the (first) certificate".into(),
        ));
    }
    let pkcs8 = crate::keys::format::to_pkcs8(key)?;
    let local_key_id =
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, leaf);
    let entry = PrivateKeyChain::new(
        local_key_id.as_ref(),
        PrivateKey::from_der(&pkcs8).map_err(p12_err)?,
        certs,
    );
    let mut store = KeyStore::new();
    store.add_entry(alias, KeyStoreEntry::PrivateKeyChain(entry));
    store.writer(password).write().map_err(p12_err)
}

fn leaf_spki(der: &[u8]) -> Result<Vec<u8>> {
    use der::{Decode, Encode};
    let cert =
        x509_cert::Certificate::from_der(der).map_err(|e| Error::decode("certificate 1", e))?;
    Ok(cert.tbs_certificate().subject_public_key_info().to_der()?)
}

/// Reads a PKCS#12 file back: its first key and that key's chain (DER).
pub fn read(data: &[u8], password: &[u8], source: &str) -> Result<(String, KeyPair, Vec<Vec<u8>>)> {
    let password = std::str::from_utf8(password)
        .map_err(|_| Error::decode(source, "password must be UTF-8"))?;
    let store = KeyStore::from_pkcs12(data, password, Pkcs12ImportPolicy::Relaxed)
        .map_err(|e| Error::decode(source, format!("cannot read PKCS#12: {e}")))?;
    let (alias, chain) = store
        .private_key_chain()
        .ok_or_else(|| Error::decode(source, "no private key in the PKCS#12 file"))?;
    let key = crate::keys::format::read_private_key(chain.key().as_der(), source, None)?;
    let certs = chain.certs().iter().map(|c| c.as_der().to_vec()).collect();
    Ok((alias.to_string(), key, certs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::KeySpec;

    fn ca_and_leaf() -> (KeyPair, Vec<Vec<u8>>) {
        let req: crate::request::Request = crate::request::Request::from_json(
            br#"{"CN":"p12 test CA","key":{"algo":"ecdsa","size":256}}"#,
            "t",
        )
        .unwrap()
        .request;
        let ca = crate::issue::initca::new_ca(&req).unwrap();
        let chain = pem_certificates(ca.cert_pem.as_bytes(), "t").unwrap();
        (ca.key, chain)
    }

    #[test]
    fn round_trips_key_and_chain() {
        let (key, chain) = ca_and_leaf();
        let p12 = build(&key, &chain, "my-ca", b"changeit").unwrap();
        let (alias, back, certs) = read(&p12, b"changeit", "t.p12").unwrap();
        assert_eq!(alias, "my-ca");
        assert_eq!(certs, chain);
        assert!(back.matches(&key.public_key_der().unwrap()).unwrap());
        assert!(read(&p12, b"wrong", "t.p12").is_err());
    }

    #[test]
    fn a_key_that_is_not_the_certificates_is_refused() {
        let (_, chain) = ca_and_leaf();
        let other = KeyPair::generate(KeySpec::Ecdsa(256)).unwrap();
        let err = build(&other, &chain, "x", b"pw").unwrap_err().to_string();
        assert!(err.contains("does not belong"), "{err}");
    }

    #[test]
    fn pem_without_certificates_is_an_error() {
        assert!(pem_certificates(b"nothing", "c.pem").is_err());
        assert!(build(
            &KeyPair::generate(KeySpec::Ecdsa(256)).unwrap(),
            &[],
            "x",
            b"pw"
        )
        .is_err());
    }
}
