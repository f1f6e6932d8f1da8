//! The one seam between issuance and a private key: a key that signs a
//! message and tells its public key and signature algorithm. A PEM key
//! (AWS-LC, `KeyPair`, which implements it in `pair.rs`) and a key that stays in a PKCS#11 token
//! (certkit-pkcs11) both implement it, so certificates, CSRs, CRLs and
//! OCSP responses are signed the same way whatever holds the key.

use crate::error::Result;
use der::Decode;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoRef};

/// A private key certkit can sign with, wherever it lives. Implementations
/// are shared by a server's worker threads, hence `Send + Sync`.
pub trait SigningKey: Send + Sync {
    /// The DER SubjectPublicKeyInfo of the public half.
    fn public_key_der(&self) -> Result<Vec<u8>>;

    /// The signature algorithm [`SigningKey::sign`] produces, chosen as
    /// cfssl does: RSA by modulus size, ECDSA by curve, Ed25519 pure.
    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned;

    /// Signs `message` (hashing it as the algorithm says) and returns the
    /// signature as X.509 carries it (DER ECDSA-Sig-Value for ECDSA).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>>;

    /// The key's algorithm and size, as cfssl names them ("rsa-2048").
    fn describe(&self) -> String;

    /// Whether this private key is the one for the given SubjectPublicKeyInfo.
    fn matches(&self, spki_der: &[u8]) -> Result<bool> {
        let ours = self.public_key_der()?;
        let ours = SubjectPublicKeyInfoRef::from_der(&ours)?;
        let theirs = SubjectPublicKeyInfoRef::from_der(spki_der)?;
        Ok(ours.algorithm.oid == theirs.algorithm.oid
            && ours.subject_public_key.raw_bytes() == theirs.subject_public_key.raw_bytes())
    }
}

/// A CA-side key as commands hold it: from a PEM file or from a token.
pub type CaKey = Box<dyn SigningKey>;
