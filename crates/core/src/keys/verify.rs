//! Signature verification for certificates and CSRs, including the legacy
//! algorithms only `-allow-sha1` accepts.

use crate::keys::pair::{rsa_modulus_bits, Curve};
use aws_lc_rs::signature::{self as sig};
use const_oid::db::{rfc5912, rfc8410};
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("signature does not verify")]
    DoesNotVerify,
    #[error("malformed RSA public key")]
    MalformedRsaKey,
    #[error("RSA key of {0} bits is too small (at least 2048)")]
    RsaKeyTooSmall(usize),
    #[error("unsupported RSA signature algorithm {0}")]
    UnsupportedRsaAlgorithm(ObjectIdentifier),
    /// Only the legacy verifier reads 1024..2048-bit RSA keys, and with
    /// fewer algorithms.
    #[error("unsupported RSA signature algorithm {algorithm} for a {bits}-bit key")]
    UnsupportedLegacyRsaAlgorithm {
        algorithm: ObjectIdentifier,
        bits: usize,
    },
    #[error("EC public key on an unsupported curve")]
    UnsupportedCurve,
    #[error("unsupported ECDSA signature algorithm {0}")]
    UnsupportedEcdsaAlgorithm(ObjectIdentifier),
    #[error("unsupported key/signature algorithm pair {key} / {signature}")]
    UnsupportedPair {
        key: ObjectIdentifier,
        signature: ObjectIdentifier,
    },
}

/// Checks `signature` over `message` by the key in `spki` with the
/// signature algorithm `alg` (as found in a certificate or CSR).
pub fn verify_signature(
    spki: &SubjectPublicKeyInfoRef<'_>,
    alg: &spki::AlgorithmIdentifierRef<'_>,
    message: &[u8],
    signature: &[u8],
) -> std::result::Result<(), SignatureError> {
    verify_with(spki, alg, message, signature, false)
}

/// ecdsa-with-SHA1, which const-oid's database lacks.
pub const ECDSA_WITH_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");

/// Like [`verify_signature`], but also accepts RSA keys of 1024 to 2047
/// bits and ECDSA with SHA-1: for reading existing chains (bundle,
/// certinfo), whose weak links are reported rather than hidden. Never
/// for accepting a CSR.
pub fn verify_legacy_signature(
    spki: &SubjectPublicKeyInfoRef<'_>,
    alg: &spki::AlgorithmIdentifierRef<'_>,
    message: &[u8],
    signature: &[u8],
) -> std::result::Result<(), SignatureError> {
    verify_with(spki, alg, message, signature, true)
}

/// The 1024..2048-bit RSA verifiers, only for [`verify_legacy_signature`].
fn legacy_rsa(
    sig_oid: ObjectIdentifier,
    bits: usize,
) -> std::result::Result<&'static dyn sig::VerificationAlgorithm, SignatureError> {
    match sig_oid {
        rfc5912::SHA_1_WITH_RSA_ENCRYPTION => {
            Ok(&sig::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY)
        }
        rfc5912::SHA_256_WITH_RSA_ENCRYPTION => {
            Ok(&sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY)
        }
        rfc5912::SHA_512_WITH_RSA_ENCRYPTION => {
            Ok(&sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY)
        }
        other => Err(SignatureError::UnsupportedLegacyRsaAlgorithm {
            algorithm: other,
            bits,
        }),
    }
}

fn verify_with(
    spki: &SubjectPublicKeyInfoRef<'_>,
    alg: &spki::AlgorithmIdentifierRef<'_>,
    message: &[u8],
    signature: &[u8],
    legacy: bool,
) -> std::result::Result<(), SignatureError> {
    let key = spki.subject_public_key.raw_bytes();
    if legacy && spki.algorithm.oid == rfc5912::RSA_ENCRYPTION {
        if let Some(bits @ 1024..2048) = rsa_modulus_bits(key) {
            return sig::UnparsedPublicKey::new(legacy_rsa(alg.oid, bits)?, key)
                .verify(message, signature)
                .map_err(|_| SignatureError::DoesNotVerify);
        }
    }
    let verifier: &'static dyn sig::VerificationAlgorithm = match (spki.algorithm.oid, alg.oid) {
        (rfc5912::RSA_ENCRYPTION, sig_oid) => {
            let bits = rsa_modulus_bits(key).ok_or(SignatureError::MalformedRsaKey)?;
            if bits < 2048 {
                return Err(SignatureError::RsaKeyTooSmall(bits));
            }
            match sig_oid {
                rfc5912::SHA_256_WITH_RSA_ENCRYPTION => &sig::RSA_PKCS1_2048_8192_SHA256,
                rfc5912::SHA_384_WITH_RSA_ENCRYPTION => &sig::RSA_PKCS1_2048_8192_SHA384,
                rfc5912::SHA_512_WITH_RSA_ENCRYPTION => &sig::RSA_PKCS1_2048_8192_SHA512,
                rfc5912::SHA_1_WITH_RSA_ENCRYPTION => {
                    &sig::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY
                }
                other => return Err(SignatureError::UnsupportedRsaAlgorithm(other)),
            }
        }
        (rfc5912::ID_EC_PUBLIC_KEY, sig_oid) => {
            let curve = spki
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .and_then(|oid| Curve::from_oid(&oid))
                .ok_or(SignatureError::UnsupportedCurve)?;
            match (curve, sig_oid) {
                (Curve::P256, ECDSA_WITH_SHA1) if legacy => &sig::ECDSA_P256_SHA1_ASN1,
                (Curve::P256, rfc5912::ECDSA_WITH_SHA_256) => &sig::ECDSA_P256_SHA256_ASN1,
                (Curve::P256, rfc5912::ECDSA_WITH_SHA_384) => &sig::ECDSA_P256_SHA384_ASN1,
                (Curve::P256, rfc5912::ECDSA_WITH_SHA_512) => &sig::ECDSA_P256_SHA512_ASN1,
                (Curve::P384, rfc5912::ECDSA_WITH_SHA_256) => &sig::ECDSA_P384_SHA256_ASN1,
                (Curve::P384, rfc5912::ECDSA_WITH_SHA_384) => &sig::ECDSA_P384_SHA384_ASN1,
                (Curve::P384, rfc5912::ECDSA_WITH_SHA_512) => &sig::ECDSA_P384_SHA512_ASN1,
                (Curve::P521, rfc5912::ECDSA_WITH_SHA_256) => &sig::ECDSA_P521_SHA256_ASN1,
                (Curve::P521, rfc5912::ECDSA_WITH_SHA_384) => &sig::ECDSA_P521_SHA384_ASN1,
                (Curve::P521, rfc5912::ECDSA_WITH_SHA_512) => &sig::ECDSA_P521_SHA512_ASN1,
                (_, other) => return Err(SignatureError::UnsupportedEcdsaAlgorithm(other)),
            }
        }
        (rfc8410::ID_ED_25519, rfc8410::ID_ED_25519) => &sig::ED25519,
        (key_oid, sig_oid) => {
            return Err(SignatureError::UnsupportedPair {
                key: key_oid,
                signature: sig_oid,
            })
        }
    };
    sig::UnparsedPublicKey::new(verifier, key)
        .verify(message, signature)
        .map_err(|_| SignatureError::DoesNotVerify)
}
