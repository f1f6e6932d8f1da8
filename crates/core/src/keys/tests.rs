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

/// keys/rsa.rs leaves out AWS-LC's key check because the fault check on
/// every signature stands in for it: a key with one wrong CRT value must
/// make no signature, with or without blinding.
#[test]
fn an_rsa_key_whose_parts_disagree_signs_nothing() {
    use der::asn1::UintRef;
    let key = KeyPair::generate(KeySpec::Rsa(2048)).unwrap();
    let pkcs1 = format::encode(&key, format::KeyFormat::Pkcs1).unwrap();
    let parsed = pkcs1::RsaPrivateKey::<UintRef<'_>>::from_der(&pkcs1).unwrap();
    let mut dp = parsed.exponent1.as_bytes().to_vec();
    let last = dp.len() - 1;
    dp[last] ^= 2;
    let broken = pkcs1::RsaPrivateKey {
        exponent1: UintRef::new(&dp).unwrap(),
        ..parsed
    }
    .to_der()
    .unwrap();
    for blinding_off in [false, true] {
        if blinding_off {
            rsa::one_signature_per_process();
        }
        let good = KeyPair::from_pkcs1_der(&pkcs1, "good").unwrap();
        assert_eq!(good.sign(b"tbs").unwrap().len(), 256);
        let bad = KeyPair::from_pkcs1_der(&broken, "broken").unwrap();
        let err = bad.sign(b"tbs").err().unwrap().to_string();
        assert!(err.contains("do not agree"), "{err}");
    }
}

#[test]
fn rsa_keys_keep_their_encoding_and_refuse_small_moduli() {
    let key = KeyPair::generate(KeySpec::Rsa(2048)).unwrap();
    let pkcs1 = format::encode(&key, format::KeyFormat::Pkcs1).unwrap();
    let pkcs8 = format::to_pkcs8(&key).unwrap();
    // The PKCS#8 form is what openssl and aws-lc-rs read.
    let theirs = aws_lc_rs::rsa::KeyPair::from_pkcs8(&pkcs8).unwrap();
    let ours = KeyPair::from_pkcs8_der(&pkcs8, "pkcs8").unwrap();
    assert_eq!(
        format::encode(&ours, format::KeyFormat::Pkcs1).unwrap(),
        pkcs1
    );
    use aws_lc_rs::encoding::AsDer;
    let their_spki = aws_lc_rs::signature::KeyPair::public_key(&theirs)
        .as_der()
        .unwrap();
    assert_eq!(ours.public_key_der().unwrap(), their_spki.as_ref());
    // cfssl's bundler fixtures have a 1024-bit CA.
    let small = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/cfssl/bundler/ca.key"
    ))
    .unwrap();
    let err = KeyPair::from_pem(&small, "ca.key")
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("under 2048 bits"), "{err}");
}
