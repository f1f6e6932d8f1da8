//! Unit tests of keys: generation, PEM round trips, signatures.
use super::*;
use crate::request::KeySpec;
use der::{Decode, Encode};
use spki::SubjectPublicKeyInfoRef;

#[test]
fn every_algorithm_generates_signs_and_round_trips() {
    for spec in [
        KeySpec::Rsa(2048),
        KeySpec::Ecdsa(256),
        KeySpec::Ecdsa(384),
        KeySpec::Ecdsa(521),
        KeySpec::Ed25519,
    ] {
        let key = KeyPair::generate(spec).unwrap();
        let pem = key.to_pem().unwrap();
        let back = KeyPair::from_pem(pem.as_bytes(), "test").unwrap();
        let spki = key.public_key_der().unwrap();
        assert!(back.matches(&spki).unwrap(), "{spec}");
        let sig = back.sign(b"hello").unwrap();
        let spki_ref = SubjectPublicKeyInfoRef::from_der(&spki).unwrap();
        let alg = key.signature_algorithm();
        let alg_der = alg.to_der().unwrap();
        let alg_ref = spki::AlgorithmIdentifierRef::from_der(&alg_der).unwrap();
        verify_signature(&spki_ref, &alg_ref, b"hello", &sig).unwrap();
        assert!(verify_signature(&spki_ref, &alg_ref, b"hellO", &sig).is_err());
    }
}

#[test]
fn legacy_verification_accepts_1024_bit_rsa_only_when_asked() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/cfssl/bundler/");
    let read = |f: &str| {
        let pem = pem::parse(std::fs::read(format!("{dir}{f}")).unwrap()).unwrap();
        x509_cert::Certificate::from_der(pem.contents()).unwrap()
    };
    let (root, l1) = (read("ca.pem"), read("inter-L1.pem"));
    let spki = root
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap();
    let spki = SubjectPublicKeyInfoRef::from_der(&spki).unwrap();
    let alg = l1.signature_algorithm().to_der().unwrap();
    let alg = spki::AlgorithmIdentifierRef::from_der(&alg).unwrap();
    let tbs = l1.tbs_certificate().to_der().unwrap();
    let signature = l1.signature().raw_bytes();
    assert!(verify_signature(&spki, &alg, &tbs, signature)
        .unwrap_err()
        .to_string()
        .contains("too small"));
    verify_legacy_signature(&spki, &alg, &tbs, signature).unwrap();
}

#[test]
fn pem_labels_are_cfssls() {
    let rsa = KeyPair::generate(KeySpec::Rsa(2048))
        .unwrap()
        .to_pem()
        .unwrap();
    assert!(rsa.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    let ec = KeyPair::generate(KeySpec::Ecdsa(256))
        .unwrap()
        .to_pem()
        .unwrap();
    assert!(ec.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
    let ed = KeyPair::generate(KeySpec::Ed25519)
        .unwrap()
        .to_pem()
        .unwrap();
    assert!(ed.starts_with("-----BEGIN PRIVATE KEY-----\n"));
}

#[test]
fn different_keys_do_not_match() {
    let a = KeyPair::generate(KeySpec::Ecdsa(256)).unwrap();
    let b = KeyPair::generate(KeySpec::Ecdsa(256)).unwrap();
    assert!(!a.matches(&b.public_key_der().unwrap()).unwrap());
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    assert!(KeyPair::from_pem(b"nonsense", "k").is_err());
    let bogus = pem_encode("EC PRIVATE KEY", b"\x30\x03\x02\x01\x01");
    assert!(KeyPair::from_pem(bogus.as_bytes(), "k").is_err());
    let bogus = pem_encode("RSA PRIVATE KEY", b"\x30\x00");
    assert!(KeyPair::from_pem(bogus.as_bytes(), "k").is_err());
}

#[test]
fn secret_pem_encoding_matches_the_public_encoder() {
    for spec in [KeySpec::Rsa(2048), KeySpec::Ecdsa(384), KeySpec::Ed25519] {
        let key = KeyPair::generate(spec).unwrap();
        let pem = key.to_pem().unwrap();
        let block = pem::parse(pem.as_bytes()).unwrap();
        assert_eq!(*pem, pem_encode(block.tag(), block.contents()), "{spec}");
    }
}

#[test]
fn small_rsa_keys_are_refused_in_words() {
    let pem = include_bytes!("../../../../fixtures/bad_input/rsa1024-ca-key.pem");
    let err = KeyPair::from_pem(pem, "small.pem")
        .err()
        .unwrap()
        .to_string();
    assert_eq!(
        err,
        "small.pem: RSA keys under 2048 bits are refused as too weak"
    );
}
