//! A private key certkit can sign with: generation with AWS-LC, the DER
//! constructors the format readers use, signing (also for x509-cert's
//! builder), PEM encoding and key identifiers.

use crate::error::{Error, Result};
use crate::keys::rsa::{RsaHash, RsaKey};
use crate::keys::SigningKey;
use crate::request::KeySpec;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _};
use const_oid::db::{rfc5912, rfc8410};
use der::asn1::{AnyRef, BitString};
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

/// A private key certkit can sign with.
pub enum KeyPair {
    Rsa(RsaKey),
    Ecdsa(EcdsaKeyPair, Curve),
    Ed25519(Ed25519KeyPair),
}

/// The NIST curves cfssl offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    fn from_size(size: u32) -> Option<Curve> {
        match size {
            256 => Some(Curve::P256),
            384 => Some(Curve::P384),
            521 => Some(Curve::P521),
            _ => None,
        }
    }

    pub(crate) fn from_oid(oid: &ObjectIdentifier) -> Option<Curve> {
        match *oid {
            rfc5912::SECP_256_R_1 => Some(Curve::P256),
            rfc5912::SECP_384_R_1 => Some(Curve::P384),
            rfc5912::SECP_521_R_1 => Some(Curve::P521),
            _ => None,
        }
    }

    /// Bits of the curve order, as cfssl reports key sizes.
    pub fn bits(self) -> u32 {
        match self {
            Curve::P256 => 256,
            Curve::P384 => 384,
            Curve::P521 => 521,
        }
    }

    /// Each curve signs with its matching hash, as cfssl and Go choose.
    fn signing_alg(self) -> &'static sig::EcdsaSigningAlgorithm {
        match self {
            Curve::P256 => &sig::ECDSA_P256_SHA256_ASN1_SIGNING,
            Curve::P384 => &sig::ECDSA_P384_SHA384_ASN1_SIGNING,
            Curve::P521 => &sig::ECDSA_P521_SHA512_ASN1_SIGNING,
        }
    }
}

/// AWS-LC's reason for refusing a key, said in words.
fn rejected(source: &str, kind: &str, e: aws_lc_rs::error::KeyRejected) -> Error {
    match e.to_string().as_str() {
        "TooSmall" => Error::decode(source, "RSA keys under 2048 bits are refused as too weak"),
        "TooLarge" => Error::decode(source, "RSA keys over 8192 bits are not supported"),
        why => Error::decode(source, format!("invalid {kind} key: {why}")),
    }
}

fn key_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Key(format!("{what}: {e}"))
}

impl KeyPair {
    /// Generates a new key as the request asks.
    pub fn generate(spec: KeySpec) -> Result<KeyPair> {
        use aws_lc_rs::rsa::KeySize;
        match spec {
            KeySpec::Rsa(bits) => {
                let size = match bits {
                    2048 => KeySize::Rsa2048,
                    3072 => KeySize::Rsa3072,
                    4096 => KeySize::Rsa4096,
                    8192 => KeySize::Rsa8192,
                    other => {
                        return Err(Error::Key(format!(
                            "RSA key size {other} is not supported (use 2048, 3072, 4096 or 8192)"
                        )))
                    }
                };
                // 4096 and 8192 bits take seconds: show that work is going on.
                let label = format!("generating an RSA-{bits} key");
                let key = crate::keys::slow_work::run(bits >= 4096, &label, || {
                    aws_lc_rs::rsa::KeyPair::generate(size)
                })
                .map_err(|e| key_err("generating RSA key", e))?;
                let pkcs8 = Zeroizing::new(
                    key.as_der()
                        .map_err(|e| key_err("encoding RSA key", e))?
                        .as_ref()
                        .to_vec(),
                );
                KeyPair::from_pkcs8_der(&pkcs8, "the generated key")
            }
            KeySpec::Ecdsa(bits) => {
                let curve = Curve::from_size(bits)
                    .ok_or_else(|| Error::Key(format!("ECDSA key size {bits} is not supported")))?;
                let key = EcdsaKeyPair::generate(curve.signing_alg())
                    .map_err(|e| key_err("generating ECDSA key", e))?;
                Ok(KeyPair::Ecdsa(key, curve))
            }
            KeySpec::Ed25519 => {
                let key =
                    Ed25519KeyPair::generate().map_err(|e| key_err("generating Ed25519 key", e))?;
                Ok(KeyPair::Ed25519(key))
            }
        }
    }

    pub(crate) fn from_pkcs1_der(der: &[u8], source: &str) -> Result<KeyPair> {
        Ok(KeyPair::Rsa(RsaKey::from_pkcs1_der(der, source)?))
    }

    pub(crate) fn from_sec1_der(der: &[u8], source: &str) -> Result<KeyPair> {
        let parsed = sec1::EcPrivateKey::try_from(der)
            .map_err(|e| Error::decode(source, format!("invalid EC key: {e}")))?;
        let curve = parsed
            .parameters
            .and_then(|p| p.named_curve())
            .and_then(|oid| Curve::from_oid(&oid))
            .ok_or_else(|| Error::decode(source, "EC key on an unsupported or unnamed curve"))?;
        let key = EcdsaKeyPair::from_private_key_der(curve.signing_alg(), der)
            .map_err(|e| rejected(source, "EC", e))?;
        Ok(KeyPair::Ecdsa(key, curve))
    }

    pub(crate) fn from_pkcs8_der(der: &[u8], source: &str) -> Result<KeyPair> {
        let info = pkcs8::PrivateKeyInfoRef::try_from(der)
            .map_err(|e| Error::decode(source, format!("invalid PKCS#8 key: {e}")))?;
        let bad = |e: aws_lc_rs::error::KeyRejected| rejected(source, "PKCS#8", e);
        match info.algorithm.oid {
            rfc5912::RSA_ENCRYPTION => Ok(KeyPair::Rsa(RsaKey::from_pkcs1_der(
                info.private_key.as_bytes(),
                source,
            )?)),
            rfc5912::ID_EC_PUBLIC_KEY => {
                let curve = info
                    .algorithm
                    .parameters
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                    .and_then(|oid| Curve::from_oid(&oid))
                    .ok_or_else(|| Error::decode(source, "EC key on an unsupported curve"))?;
                let key = EcdsaKeyPair::from_pkcs8(curve.signing_alg(), der).map_err(bad)?;
                Ok(KeyPair::Ecdsa(key, curve))
            }
            rfc8410::ID_ED_25519 => Ok(KeyPair::Ed25519(
                Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(bad)?,
            )),
            other => Err(Error::decode(
                source,
                format!("unsupported key algorithm {other}"),
            )),
        }
    }

    /// The DER SubjectPublicKeyInfo of the public half.
    pub fn public_key_der(&self) -> Result<Vec<u8>> {
        let der = match self {
            KeyPair::Rsa(key) => return rsa_spki(key.public_pkcs1_der()),
            KeyPair::Ecdsa(key, _) => key.public_key().as_der().map(|d| d.as_ref().to_vec()),
            KeyPair::Ed25519(key) => key.public_key().as_der().map(|d| d.as_ref().to_vec()),
        };
        der.map_err(|e| key_err("encoding public key", e))
    }

    /// The key's algorithm and size, as cfssl names them ("rsa-2048").
    pub fn describe(&self) -> String {
        match self {
            KeyPair::Rsa(key) => format!("rsa-{}", key.modulus_len() * 8),
            KeyPair::Ecdsa(_, curve) => format!("ecdsa-{}", curve.bits()),
            KeyPair::Ed25519(_) => "ed25519".into(),
        }
    }

    /// Whether this is an RSA key (the only kind keyEncipherment fits).
    pub fn is_rsa(&self) -> bool {
        matches!(self, KeyPair::Rsa(_))
    }

    /// The signature algorithm this key signs certificates with, chosen as
    /// cfssl does: RSA by modulus size, ECDSA by curve, Ed25519 pure.
    pub fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        let (oid, null_params) = match self {
            KeyPair::Rsa(key) => {
                let bits = key.modulus_len() * 8;
                let oid = if bits < 3072 {
                    rfc5912::SHA_256_WITH_RSA_ENCRYPTION
                } else if bits < 4096 {
                    rfc5912::SHA_384_WITH_RSA_ENCRYPTION
                } else {
                    rfc5912::SHA_512_WITH_RSA_ENCRYPTION
                };
                (oid, true)
            }
            KeyPair::Ecdsa(_, Curve::P256) => (rfc5912::ECDSA_WITH_SHA_256, false),
            KeyPair::Ecdsa(_, Curve::P384) => (rfc5912::ECDSA_WITH_SHA_384, false),
            KeyPair::Ecdsa(_, Curve::P521) => (rfc5912::ECDSA_WITH_SHA_512, false),
            KeyPair::Ed25519(_) => (rfc8410::ID_ED_25519, false),
        };
        AlgorithmIdentifierOwned {
            oid,
            parameters: null_params.then(|| der::asn1::Any::from(AnyRef::NULL)),
        }
    }

    /// Signs `message` with the algorithm of [`Self::signature_algorithm`].
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let rng = SystemRandom::new();
        match self {
            KeyPair::Rsa(key) => {
                let bits = key.modulus_len() * 8;
                let hash = if bits < 3072 {
                    RsaHash::Sha256
                } else if bits < 4096 {
                    RsaHash::Sha384
                } else {
                    RsaHash::Sha512
                };
                key.sign(hash, message)
            }
            KeyPair::Ecdsa(key, _) => Ok(key
                .sign(&rng, message)
                .map_err(|e| key_err("ECDSA signing", e))?
                .as_ref()
                .to_vec()),
            KeyPair::Ed25519(key) => Ok(key.sign(message).as_ref().to_vec()),
        }
    }

    /// Whether this private key is the one for the given SubjectPublicKeyInfo.
    pub fn matches(&self, spki_der: &[u8]) -> Result<bool> {
        let ours = self.public_key_der()?;
        let ours = SubjectPublicKeyInfoRef::from_der(&ours)?;
        let theirs = SubjectPublicKeyInfoRef::from_der(spki_der)?;
        Ok(ours.algorithm.oid == theirs.algorithm.oid
            && ours.subject_public_key.raw_bytes() == theirs.subject_public_key.raw_bytes())
    }
}

/// A PEM key signs through the same seam as a token key.
impl SigningKey for KeyPair {
    fn public_key_der(&self) -> Result<Vec<u8>> {
        KeyPair::public_key_der(self)
    }

    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        KeyPair::signature_algorithm(self)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        KeyPair::sign(self, message)
    }

    fn describe(&self) -> String {
        KeyPair::describe(self)
    }

    fn matches(&self, spki_der: &[u8]) -> Result<bool> {
        KeyPair::matches(self, spki_der)
    }
}

/// An RSA public key as SubjectPublicKeyInfo (rsaEncryption, NULL
/// parameters, as RFC 3279 has it).
fn rsa_spki(public_pkcs1: &[u8]) -> Result<Vec<u8>> {
    let spki = spki::SubjectPublicKeyInfoRef {
        algorithm: spki::AlgorithmIdentifierRef {
            oid: rfc5912::RSA_ENCRYPTION,
            parameters: Some(AnyRef::NULL),
        },
        subject_public_key: der::asn1::BitStringRef::from_bytes(public_pkcs1)?,
    };
    Ok(spki.to_der()?)
}

/// A signer for RustCrypto's builders: it supplies the public key and the
/// algorithm identifier; the signature itself comes from [`KeyPair::sign`].
pub struct BuilderSigner<'a> {
    key: &'a dyn SigningKey,
    public_key: PublicKeyDer,
}

impl<'a> BuilderSigner<'a> {
    pub fn new(key: &'a dyn SigningKey) -> Result<Self> {
        Ok(BuilderSigner {
            key,
            public_key: PublicKeyDer(key.public_key_der()?),
        })
    }

    /// Signs `tbs` and wraps the signature as the BIT STRING X.509 wants.
    pub fn sign_bits(&self, tbs: &[u8]) -> Result<BitString> {
        Ok(BitString::from_bytes(&self.key.sign(tbs)?)?)
    }
}

/// A DER SubjectPublicKeyInfo, for the builders' key plumbing.
#[derive(Clone)]
pub struct PublicKeyDer(Vec<u8>);

impl spki::EncodePublicKey for PublicKeyDer {
    fn to_public_key_der(&self) -> spki::Result<spki::Document> {
        Ok(spki::Document::try_from(self.0.as_slice())?)
    }
}

impl signature::Keypair for BuilderSigner<'_> {
    type VerifyingKey = PublicKeyDer;
    fn verifying_key(&self) -> PublicKeyDer {
        self.public_key.clone()
    }
}

impl spki::DynSignatureAlgorithmIdentifier for BuilderSigner<'_> {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(self.key.signature_algorithm())
    }
}

/// Encodes private key DER as PEM (as [`pem_encode`] does) into a buffer
/// sized up front and zeroized on drop, so no copy of the key is left
/// behind in freed memory.
pub fn pem_encode_secret(label: &str, der: &[u8]) -> Result<Zeroizing<String>> {
    use der::pem::LineEnding;
    let len = der::pem::encoded_len(label, LineEnding::LF, der)
        .map_err(|e| key_err("encoding key PEM", e))?;
    let mut buf = Zeroizing::new(vec![0u8; len]);
    der::pem::encode(label, LineEnding::LF, der, &mut buf)
        .map_err(|e| key_err("encoding key PEM", e))?;
    String::from_utf8(std::mem::take(&mut *buf))
        .map(Zeroizing::new)
        .map_err(|_| key_err("encoding key PEM", "not UTF-8"))
}

/// Encodes DER as PEM with Unix line endings and 64-column lines, as Go does.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let block = pem::Pem::new(label, der);
    pem::encode_config(
        &block,
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

/// The bit length of an RSA modulus in a PKCS#1 RSAPublicKey.
pub fn rsa_modulus_bits(pkcs1_der: &[u8]) -> Option<usize> {
    let key = pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(pkcs1_der).ok()?;
    let bytes = key.modulus.as_bytes();
    let first = bytes.iter().position(|&b| b != 0)?;
    Some((bytes.len() - first) * 8 - bytes[first].leading_zeros() as usize)
}

/// The SHA-1 of the subject public key bits: the key identifier cfssl and
/// RFC 5280 (method 1) put in SKI and AKI.
pub fn key_identifier(spki_der: &[u8]) -> Result<Vec<u8>> {
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der)?;
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
        spki.subject_public_key.raw_bytes(),
    );
    Ok(digest.as_ref().to_vec())
}

/// Encodes a DER value, mapping failure to certkit's error.
pub fn to_der(value: &impl Encode) -> Result<Vec<u8>> {
    Ok(value.to_der()?)
}
