//! The fuzz harnesses: one function per parser, each feeding arbitrary
//! bytes to certkit and to what runs on the parser's output. A panic is a
//! bug; an `Err` is the expected answer to bad input. The same functions
//! replay the kept crash inputs in `fixtures/fuzz/` under `cargo test`
//! (tests/cli/fuzz_regressions.rs includes this file).

use certkit_core::csr::VerifiedCsr;
use certkit_core::issue::issuer::{parse_certificate, Issuer};
use certkit_core::keys::KeyPair;
use certkit_core::output::plan_files;
use certkit_core::policy::SigningConfig;
use certkit_core::request::{sans_from_hosts, KeySpec, Request};
use std::sync::OnceLock;

/// A fixed ECDSA key, so harnesses can build CSRs without paying for
/// key generation on every input.
fn fixed_key() -> &'static KeyPair {
    static KEY: OnceLock<KeyPair> = OnceLock::new();
    KEY.get_or_init(|| KeyPair::generate(KeySpec::Ecdsa(256)).expect("generating the harness key"))
}

/// A fixed CA that signs every CSR which parses.
fn fixed_ca() -> &'static Issuer {
    static CA: OnceLock<Issuer> = OnceLock::new();
    CA.get_or_init(|| {
        let req = Request {
            cn: "Fuzz CA".into(),
            ..Default::default()
        };
        let ca = certkit_core::issue::initca::new_ca(&req).expect("making the harness CA");
        Issuer::load(
            ca.cert_pem.as_bytes(),
            "ca.pem",
            ca.key_pem.as_bytes(),
            "ca-key.pem",
        )
        .expect("loading the harness CA")
    })
}

/// Request JSON: parse, then type the hosts and build a CSR from it.
pub fn request_json(data: &[u8]) {
    if let Ok(parsed) = Request::from_json(data, "fuzz") {
        let _ = sans_from_hosts(&parsed.request.hosts);
        if let Ok(pem) = certkit_core::csr::build(&parsed.request, fixed_key()) {
            VerifiedCsr::parse(pem.as_bytes(), "built").expect("a CSR certkit built must verify");
        }
    }
}

/// Signing config JSON: parse, then look up every profile.
pub fn signing_config(data: &[u8]) {
    if let Ok(parsed) = SigningConfig::from_json(data, "fuzz") {
        let config = parsed.config;
        let _ = config.profile("");
        for name in config.profiles.keys() {
            config
                .profile(name)
                .expect("a listed profile must be found");
        }
    }
}

/// A CSR in PEM or DER: parse and verify its signature, read what it
/// asks for, and sign it with the harness CA.
pub fn csr(data: &[u8]) {
    if let Ok(csr) = VerifiedCsr::parse(data, "fuzz") {
        let _ = csr.sans();
        let _ = csr.requested_ca();
        let _ = csr.to_pem();
        let _ = fixed_ca().sign(&csr, &certkit_core::policy::Profile::cfssl_default(), None);
    }
}

/// cfssljson's input: plan the files, both as plain output and as an
/// API envelope.
pub fn cfssljson_input(data: &[u8]) {
    let _ = plan_files(data, "fuzz", "out", true);
    let _ = plan_files(data, "fuzz", "out", false);
}

/// A private key in PEM: parse, then use it.
pub fn key_pem(data: &[u8]) {
    if let Ok(key) = KeyPair::from_pem(data, "fuzz") {
        let _ = key.public_key_der();
        let _ = key.sign(b"fuzz");
        let _ = key.to_pem();
    }
}

/// A certificate in PEM or DER, and the same bytes loaded as a CA.
pub fn certificate(data: &[u8]) {
    let _ = parse_certificate(data, "fuzz");
    let _ = Issuer::load(data, "fuzz", b"", "none");
}

/// The harness CA's certificate, as a trust store for `bundle`.
fn fixed_ca_pem() -> &'static str {
    static PEM: OnceLock<String> = OnceLock::new();
    PEM.get_or_init(|| {
        use der::Encode;
        let der = fixed_ca()
            .certificate()
            .to_der()
            .expect("encoding the harness CA");
        certkit_core::keys::pem_encode("CERTIFICATE", &der)
    })
}

/// A chain for `bundle`: parse it, then build it against the harness CA
/// as the only root, choosing the best chain and forcing the given one.
pub fn bundle_chain(data: &[u8]) {
    use certkit_core::chain::bundle::{build, load_pool, parse_input, Flavor, Pools};
    let Ok(certs) = parse_input(data, "fuzz") else {
        return;
    };
    for flavor in [Flavor::Optimal, Flavor::Force] {
        let mut pools = Pools::default();
        load_pool(&mut pools.roots, fixed_ca_pem().as_bytes(), "ca.pem", 0)
            .expect("loading the harness CA as a root");
        let _ = build(
            certs.clone(),
            None,
            &mut pools,
            flavor,
            &[],
            std::time::SystemTime::now(),
        );
    }
}

/// CertificateSigningRequest objects (JSON or YAML, one or a List): read
/// every field `sign` reads, then render the document back.
pub fn csr_object(data: &[u8]) {
    use certkit_core::k8s::SignInput;
    if let Ok(SignInput::Objects(doc)) = SignInput::classify(data, "fuzz") {
        for item in &doc.items {
            let _ = item.name();
            let _ = item.request();
            let _ = item.signer_name();
            let _ = item.usages();
            let _ = item.expiration_seconds();
            let _ = item.approval();
            let _ = item.has_certificate();
        }
        let _ = doc.render();
    }
}

/// YAML as `k8s show` reads it: the one-pass nesting bound, then (when
/// it holds) the parse. The bound must never panic and must keep the
/// parser's work linear.
pub fn yaml_document(data: &[u8]) {
    use certkit_core::k8s::document::{check_yaml_nesting, looks_like_yaml_object, Document};
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = looks_like_yaml_object(text);
        if check_yaml_nesting(text, "fuzz").is_ok() {
            let _ = Document::parse(data, "fuzz");
        }
    }
}

/// Names as they reach a certificate: typed as hosts, each SAN checked
/// (DNS syntax, email domains), then the whole set against a whitelist
/// and the common name as a subject.
pub fn san_names(data: &[u8]) {
    use certkit_core::policy::whitelist::NameWhitelist;
    use certkit_core::request::{check_hosts, check_san, dns::check_dns_name};
    let text = String::from_utf8_lossy(data);
    let hosts: Vec<String> = text.split('\n').map(str::to_string).collect();
    for host in &hosts {
        let _ = check_dns_name(host);
    }
    let _ = check_hosts(&hosts, "fuzz");
    let sans = sans_from_hosts(&hosts);
    for san in &sans {
        let _ = check_san(san);
    }
    static WHITELIST: OnceLock<NameWhitelist> = OnceLock::new();
    let whitelist = WHITELIST.get_or_init(|| {
        NameWhitelist::compile(r"^([a-z0-9-]+\.)*example\.com$", "fuzz", &mut Vec::new())
            .expect("compiling the harness whitelist")
    });
    let request = Request {
        cn: hosts.first().cloned().unwrap_or_default(),
        ..Default::default()
    };
    if let Ok(subject) = certkit_core::request::name::subject_from_request(&request) {
        let _ = whitelist.check(&subject, &sans);
    }
}

/// A fixed issuer for the revocation harnesses: the CA that signed the
/// seeds in `fixtures/fuzz/{crl,ocsp_response}/` (made by certkit for
/// them; its key was not kept).
pub fn fixture_ca() -> &'static certkit_core::chain::certs::Cert {
    static CA: OnceLock<certkit_core::chain::certs::Cert> = OnceLock::new();
    CA.get_or_init(|| {
        let pem = include_bytes!("../../fixtures/fuzz/revocation-ca.pem");
        certkit_core::chain::certs::parse_all(pem)
            .ok()
            .and_then(|certs| certs.into_iter().next())
            .expect("parsing fixtures/fuzz/revocation-ca.pem")
    })
}

/// CRLs as `verify --crl FILE` reads them: parse (PEM or DER), then check
/// the CA itself against them (issuer match, cRLSign, signature, dates,
/// the serial list).
pub fn crl(data: &[u8]) {
    use certkit_core::chain::verify::{crl::check, parse_crls, role::Role};
    if let Ok(crls) = parse_crls(data) {
        let ca = fixture_ca();
        let _ = check(
            ca,
            Role::Intermediate,
            ca,
            &crls,
            std::time::SystemTime::now(),
        );
    }
}

/// OCSP requests as `ocspserve` and `serve` read them from the network
/// (a POST body, or the DER behind a GET path's base64).
pub fn ocsp_request(data: &[u8]) {
    let _ = certkit_core::revocation::ocsp::parse_request(data);
}

/// OCSP responses as `verify --ocsp` reads them from a responder: the
/// summary, then the full check (signer, CertID, nonce, dates) against
/// the fixture CA.
pub fn ocsp_response(data: &[u8]) {
    use certkit_core::revocation::ocsp::{check_response, read_response};
    let serial = read_response(data).map_or_else(|_| vec![1], |summary| summary.serial);
    let now = std::time::SystemTime::now();
    let _ = check_response(data, fixture_ca(), &serial, None, now);
    let _ = check_response(data, fixture_ca(), &serial, Some(b"nonce"), now);
}

/// multirootca's roots file as `multirootca -roots` reads it: sections,
/// keys (unknown and repeated ones refused), `private` schemes, `nets`.
pub fn roots_file(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = certkit_server::multiroot::roots::parse(text, "roots.conf");
    }
}
