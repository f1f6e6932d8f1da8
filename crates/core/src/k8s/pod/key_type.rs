//! The key types a PodCertificateRequest may carry (the API names six),
//! read from the stub request's public key.

use crate::chain::certs::{key_kind, KeyKind};
use spki::SubjectPublicKeyInfoOwned;

/// A key type as `podCertificate.keyType` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    Rsa3072,
    Rsa4096,
    EcdsaP256,
    EcdsaP384,
    EcdsaP521,
    Ed25519,
}

impl KeyType {
    pub const ALL: [KeyType; 6] = [
        KeyType::Rsa3072,
        KeyType::Rsa4096,
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
        KeyType::EcdsaP521,
        KeyType::Ed25519,
    ];

    /// The API's name (`keyType`).
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Rsa3072 => "RSA3072",
            KeyType::Rsa4096 => "RSA4096",
            KeyType::EcdsaP256 => "ECDSAP256",
            KeyType::EcdsaP384 => "ECDSAP384",
            KeyType::EcdsaP521 => "ECDSAP521",
            KeyType::Ed25519 => "ED25519",
        }
    }

    /// Parses an API name, case-insensitively.
    pub fn parse(name: &str) -> Option<KeyType> {
        KeyType::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The key type of a public key; `None` for any other key (the API
    /// server refuses those at creation, so this is defence in depth).
    pub fn of(spki: &SubjectPublicKeyInfoOwned) -> Option<KeyType> {
        match key_kind(spki) {
            KeyKind::Rsa(3072) => Some(KeyType::Rsa3072),
            KeyKind::Rsa(4096) => Some(KeyType::Rsa4096),
            KeyKind::Ecdsa(256) => Some(KeyType::EcdsaP256),
            KeyKind::Ecdsa(384) => Some(KeyType::EcdsaP384),
            KeyKind::Ecdsa(521) => Some(KeyType::EcdsaP521),
            KeyKind::Ed25519 => Some(KeyType::Ed25519),
            _ => None,
        }
    }
}

impl std::fmt::Display for KeyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr::VerifiedCsr;
    use crate::keys::KeyPair;
    use crate::request::{KeySpec, Request};

    /// The public key of a stub request as the kubelet makes one: empty
    /// subject, signed with a fresh key of `spec`.
    pub(crate) fn spki_of(spec: KeySpec) -> SubjectPublicKeyInfoOwned {
        let key = KeyPair::generate(spec).unwrap();
        let csr = VerifiedCsr::built(&Request::default(), &key).unwrap();
        csr.public_key().clone()
    }

    #[test]
    fn names_round_trip() {
        for k in KeyType::ALL {
            assert_eq!(KeyType::parse(k.name()), Some(k));
        }
        assert_eq!(KeyType::parse("ecdsap256"), Some(KeyType::EcdsaP256));
        assert_eq!(KeyType::parse("RSA2048"), None);
    }

    #[test]
    fn keys_are_classified() {
        let of = |spec| KeyType::of(&spki_of(spec));
        assert_eq!(of(KeySpec::Ecdsa(256)), Some(KeyType::EcdsaP256));
        assert_eq!(of(KeySpec::Ecdsa(384)), Some(KeyType::EcdsaP384));
        assert_eq!(of(KeySpec::Ed25519), Some(KeyType::Ed25519));
        assert_eq!(of(KeySpec::Rsa(2048)), None, "not an API key type");
    }
}
