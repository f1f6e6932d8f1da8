//! A token key's kind and public half, read from its attributes (never
//! its value), and the signature algorithm and mechanism it signs with.

use const_oid::db::{rfc5912, rfc8410};
use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitString, OctetString, PrintableStringRef, UintRef};
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// What a token key is, as far as choosing a signature goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Rsa { bits: usize },
    EcP256,
    EcP384,
    Ed25519,
}

impl KeyKind {
    /// cfssl's name for the key ("rsa-2048").
    pub fn describe(self) -> String {
        match self {
            KeyKind::Rsa { bits } => format!("rsa-{bits}"),
            KeyKind::EcP256 => "ecdsa-256".into(),
            KeyKind::EcP384 => "ecdsa-384".into(),
            KeyKind::Ed25519 => "ed25519".into(),
        }
    }

    /// The algorithm certkit signs with, as for a PEM key: RSA's hash by
    /// modulus size, ECDSA's by curve, Ed25519 pure.
    pub fn signature_algorithm(self) -> AlgorithmIdentifierOwned {
        let (oid, null) = match self {
            KeyKind::Rsa { bits } if bits < 3072 => (rfc5912::SHA_256_WITH_RSA_ENCRYPTION, true),
            KeyKind::Rsa { bits } if bits < 4096 => (rfc5912::SHA_384_WITH_RSA_ENCRYPTION, true),
            KeyKind::Rsa { .. } => (rfc5912::SHA_512_WITH_RSA_ENCRYPTION, true),
            KeyKind::EcP256 => (rfc5912::ECDSA_WITH_SHA_256, false),
            KeyKind::EcP384 => (rfc5912::ECDSA_WITH_SHA_384, false),
            KeyKind::Ed25519 => (rfc8410::ID_ED_25519, false),
        };
        AlgorithmIdentifierOwned {
            oid,
            parameters: null.then(|| der::asn1::Any::from(AnyRef::NULL)),
        }
    }
}

/// Why a key's attributes do not make a key certkit can use.
pub type Unusable = String;

/// The SubjectPublicKeyInfo of an RSA key from its modulus and exponent.
pub fn rsa_spki(modulus: &[u8], exponent: &[u8]) -> Result<(KeyKind, Vec<u8>), Unusable> {
    let bits = significant_bits(modulus);
    if !(2048..=8192).contains(&bits) {
        return Err(format!(
            "RSA-{bits} is not supported (use 2048 to 4096 bits)"
        ));
    }
    let key = pkcs1::RsaPublicKey {
        modulus: UintRef::new(modulus).map_err(|e| e.to_string())?,
        public_exponent: UintRef::new(exponent).map_err(|e| e.to_string())?,
    };
    let der = key.to_der().map_err(|e| e.to_string())?;
    let spki = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: rfc5912::RSA_ENCRYPTION,
            parameters: Some(der::asn1::Any::from(AnyRef::NULL)),
        },
        subject_public_key: BitString::from_bytes(&der).map_err(|e| e.to_string())?,
    };
    Ok((
        KeyKind::Rsa { bits },
        spki.to_der().map_err(|e| e.to_string())?,
    ))
}

/// The SubjectPublicKeyInfo of an EC or Edwards key from CKA_EC_PARAMS
/// and CKA_EC_POINT (a DER OCTET STRING, or the bare point in some
/// modules).
pub fn ec_spki(params: &[u8], point: &[u8]) -> Result<(KeyKind, Vec<u8>), Unusable> {
    let point = match OctetString::from_der(point) {
        Ok(os) => os.as_bytes().to_vec(),
        Err(_) => point.to_vec(),
    };
    let (kind, algorithm) = if let Ok(oid) = ObjectIdentifier::from_der(params) {
        match oid {
            rfc5912::SECP_256_R_1 | rfc5912::SECP_384_R_1 => {
                let kind = if oid == rfc5912::SECP_256_R_1 {
                    KeyKind::EcP256
                } else {
                    KeyKind::EcP384
                };
                let alg = AlgorithmIdentifierOwned {
                    oid: rfc5912::ID_EC_PUBLIC_KEY,
                    parameters: Some(der::asn1::Any::encode_from(&oid).map_err(|e| e.to_string())?),
                };
                (kind, alg)
            }
            rfc8410::ID_ED_25519 => (KeyKind::Ed25519, ed25519_alg()),
            other => {
                return Err(format!(
                    "the curve {other} is not supported (use P-256, P-384 or Ed25519)"
                ))
            }
        }
    } else if PrintableStringRef::from_der(params).is_ok_and(|s| s.as_str() == "edwards25519") {
        (KeyKind::Ed25519, ed25519_alg())
    } else {
        return Err("the key's curve (CKA_EC_PARAMS) is not a named curve".into());
    };
    let spki = SubjectPublicKeyInfoOwned {
        algorithm,
        subject_public_key: BitString::from_bytes(&point).map_err(|e| e.to_string())?,
    };
    Ok((kind, spki.to_der().map_err(|e| e.to_string())?))
}

fn ed25519_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: rfc8410::ID_ED_25519,
        parameters: None,
    }
}

fn significant_bits(be: &[u8]) -> usize {
    match be.iter().position(|&b| b != 0) {
        Some(i) => (be.len() - i) * 8 - be[i].leading_zeros() as usize,
        None => 0,
    }
}

/// ECDSA-Sig-Value (RFC 3279): how X.509 carries the r and s that
/// PKCS#11 returns concatenated.
#[derive(der::Sequence)]
struct EcdsaSigValue<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

/// PKCS#11's raw r||s ECDSA signature as DER.
pub fn ecdsa_der(raw: &[u8]) -> Result<Vec<u8>, Unusable> {
    if raw.is_empty() || raw.len() % 2 != 0 {
        return Err(format!(
            "the token returned a {}-byte ECDSA signature",
            raw.len()
        ));
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let value = EcdsaSigValue {
        r: UintRef::new(r).map_err(|e| e.to_string())?,
        s: UintRef::new(s).map_err(|e| e.to_string())?,
    };
    value.to_der().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_ecdsa_becomes_der_that_aws_lc_reads() {
        use aws_lc_rs::rand::SystemRandom;
        use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, KeyPair, UnparsedPublicKey};
        let key = EcdsaKeyPair::generate(&sig::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let raw = key.sign(&SystemRandom::new(), b"tbs").unwrap();
        let der = ecdsa_der(raw.as_ref()).unwrap();
        UnparsedPublicKey::new(&sig::ECDSA_P256_SHA256_ASN1, key.public_key().as_ref())
            .verify(b"tbs", &der)
            .unwrap();
        assert!(ecdsa_der(&[1, 2, 3]).is_err());
    }
}
