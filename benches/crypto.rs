//! The floor: what the cryptography and encoding alone cost in-process,
//! with no process start, no file I/O and no argument parsing. Compare
//! with `bench/compare.sh`'s whole-process figures to see what the
//! command line adds. Run with `cargo bench --bench crypto`.

use certkit_core::csr::VerifiedCsr;
use certkit_core::issue::issuer::{parse_certificate, Issuer};
use certkit_core::keys::{verify_signature, KeyPair};
use certkit_core::policy::Profile;
use certkit_core::request::{KeySpec, Request};
use criterion::{criterion_group, criterion_main, Criterion};
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use std::hint::black_box;
use std::time::Duration;

/// The workflow's server request (ECDSA P-256, two DNS and two IP SANs).
fn server_request() -> Request {
    Request {
        cn: "my-pod.my-namespace.pod.cluster.local".into(),
        hosts: vec![
            "my-svc.my-namespace.svc.cluster.local".into(),
            "my-pod.my-namespace.pod.cluster.local".into(),
            "192.0.2.24".into(),
            "10.0.34.2".into(),
        ],
        key: KeySpec::Ecdsa(256),
        ..Default::default()
    }
}

/// A CA of the given key type, loaded as `sign` loads one.
fn ca(spec: KeySpec) -> (Issuer, String) {
    let req = Request {
        cn: "Bench CA".into(),
        key: spec,
        ..Default::default()
    };
    let made = certkit_core::issue::initca::new_ca(&req).expect("CA");
    let issuer = Issuer::load(
        made.cert_pem.as_bytes(),
        "ca.pem",
        made.key_pem.as_bytes(),
        "ca-key.pem",
    )
    .expect("load CA");
    (issuer, made.cert_pem)
}

fn server_csr_pem() -> String {
    let req = server_request();
    let key = KeyPair::generate(req.key).expect("key");
    certkit_core::csr::build(&req, &key).expect("CSR")
}

fn keygen(c: &mut Criterion) {
    let mut group = c.benchmark_group("keygen");
    group.bench_function("p256", |b| {
        b.iter(|| KeyPair::generate(black_box(KeySpec::Ecdsa(256))).expect("key"))
    });
    group.bench_function("p256_with_csr_and_pem", |b| {
        let req = server_request();
        b.iter(|| {
            let key = KeyPair::generate(req.key).expect("key");
            let csr = certkit_core::csr::build(&req, &key).expect("CSR");
            (csr, key.to_pem().expect("PEM"))
        })
    });
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("rsa2048", |b| {
        b.iter(|| KeyPair::generate(black_box(KeySpec::Rsa(2048))).expect("key"))
    });
    group.finish();
}

fn sign(c: &mut Criterion) {
    let csr = VerifiedCsr::parse(server_csr_pem().as_bytes(), "server.csr").expect("CSR");
    let profile = Profile::cfssl_default();
    let mut group = c.benchmark_group("sign_p256_csr");
    for (name, spec) in [
        ("ca_rsa2048", KeySpec::Rsa(2048)),
        ("ca_p256", KeySpec::Ecdsa(256)),
    ] {
        let (issuer, _) = ca(spec);
        group.bench_function(name, |b| {
            b.iter(|| issuer.sign(black_box(&csr), &profile, None).expect("sign"))
        });
    }
    group.finish();
}

fn csr_parse(c: &mut Criterion) {
    let pem = server_csr_pem();
    c.bench_function("csr_parse_verify_p256", |b| {
        b.iter(|| VerifiedCsr::parse(black_box(pem.as_bytes()), "server.csr").expect("CSR"))
    });
}

/// One link of a chain: the leaf's signature checked with its CA's key.
fn chain_verify(c: &mut Criterion) {
    let csr = VerifiedCsr::parse(server_csr_pem().as_bytes(), "server.csr").expect("CSR");
    let mut group = c.benchmark_group("verify_leaf_signature");
    for (name, spec) in [
        ("ca_rsa2048", KeySpec::Rsa(2048)),
        ("ca_p256", KeySpec::Ecdsa(256)),
    ] {
        let (issuer, ca_pem) = ca(spec);
        let leaf = issuer
            .sign(&csr, &Profile::cfssl_default(), None)
            .expect("sign");
        let leaf = parse_certificate(leaf.cert_pem.as_bytes(), "leaf").expect("leaf");
        let ca_cert = parse_certificate(ca_pem.as_bytes(), "ca").expect("CA");
        let spki_der = ca_cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .expect("SPKI");
        let alg_der = leaf.signature_algorithm().to_der().expect("algorithm");
        let tbs_der = leaf.tbs_certificate().to_der().expect("TBS");
        let signature = leaf.signature().raw_bytes().to_vec();
        group.bench_function(name, |b| {
            b.iter(|| {
                let spki = SubjectPublicKeyInfoRef::from_der(&spki_der).expect("SPKI");
                let alg = AlgorithmIdentifierRef::from_der(&alg_der).expect("algorithm");
                verify_signature(&spki, &alg, black_box(&tbs_der), &signature).expect("verifies")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, keygen, sign, csr_parse, chain_verify);
criterion_main!(benches);
