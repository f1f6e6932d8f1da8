//! Property tests: random valid requests give certificates that
//! `openssl verify` accepts and whose subject and SANs are the request's.
//! (Random bytes against every parser: tests/cli/fuzz_regressions.rs.)

use proptest::prelude::*;
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::Path;
use std::process::Command;
use support::cmd_in;
use support::workspace::workspace;
use x509_parser::extensions::GeneralName;
use x509_parser::x509::X509Name;

/// A random valid request: a subject, typed hosts, a key.
#[derive(Debug, Clone)]
struct Req {
    cn: String,
    c: String,
    st: String,
    l: String,
    o: String,
    ou: String,
    hosts: BTreeSet<String>,
    key: (&'static str, u32),
}

fn word() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9.-]{0,20}"
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z][a-z0-9]{0,10}(\\.[a-z][a-z0-9]{0,10}){0,3}",
        2 => any::<[u8; 4]>().prop_map(|b| IpAddr::from(b).to_string()),
        1 => any::<[u8; 16]>().prop_map(|b| IpAddr::from(b).to_string()),
        1 => "[a-z]{1,8}@[a-z]{1,8}\\.example",
        1 => "spiffe://[a-z]{1,8}/ns/[a-z]{1,8}",
    ]
}

fn key() -> impl Strategy<Value = (&'static str, u32)> {
    prop_oneof![
        4 => Just(("ecdsa", 256)),
        2 => Just(("ecdsa", 384)),
        1 => Just(("ecdsa", 521)),
        1 => Just(("rsa", 2048)),
    ]
}

fn request() -> impl Strategy<Value = Req> {
    (
        word(),
        "[A-Z]{2}",
        word(),
        word(),
        word(),
        word(),
        proptest::collection::btree_set(host(), 1..6),
        key(),
    )
        .prop_map(|(cn, c, st, l, o, ou, hosts, key)| Req {
            cn,
            c,
            st,
            l,
            o,
            ou,
            hosts,
            key,
        })
}

fn request_json(r: &Req) -> String {
    serde_json::json!({
        "CN": r.cn,
        "names": [{ "C": r.c, "ST": r.st, "L": r.l, "O": r.o, "OU": r.ou }],
        "hosts": r.hosts,
        "key": { "algo": r.key.0, "size": r.key.1 },
    })
    .to_string()
}

fn values(name: &X509Name<'_>, oid: &x509_parser::der_parser::oid::Oid<'_>) -> Vec<String> {
    name.iter_by_oid(oid)
        .map(|a| a.as_str().expect("a string attribute").to_string())
        .collect()
}

/// The hosts a certificate's SAN extension names, in the request's syntax.
fn sans(cert: &x509_parser::certificate::X509Certificate<'_>) -> BTreeSet<String> {
    let san = cert
        .subject_alternative_name()
        .unwrap()
        .expect("a SAN extension");
    san.value
        .general_names
        .iter()
        .map(|name| match name {
            GeneralName::DNSName(s) | GeneralName::RFC822Name(s) | GeneralName::URI(s) => {
                s.to_string()
            }
            GeneralName::IPAddress(b) => match b.len() {
                4 => IpAddr::from(<[u8; 4]>::try_from(*b).unwrap()).to_string(),
                _ => IpAddr::from(<[u8; 16]>::try_from(*b).unwrap()).to_string(),
            },
            other => panic!("unexpected SAN {other:?}"),
        })
        .collect()
}

/// The certificate's key as a request names it: ("ecdsa", 384), ("rsa", 2048).
fn key_of(cert: &x509_parser::certificate::X509Certificate<'_>) -> (&'static str, u32) {
    use x509_parser::oid_registry as oids;
    use x509_parser::public_key::PublicKey;
    let spki = cert.public_key();
    match spki.parsed().unwrap() {
        PublicKey::RSA(rsa) => ("rsa", rsa.key_size() as u32),
        PublicKey::EC(_) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .unwrap();
            let bits = [
                (oids::OID_EC_P256, 256),
                (oids::OID_NIST_EC_P384, 384),
                (oids::OID_NIST_EC_P521, 521),
            ]
            .into_iter()
            .find(|(oid, _)| *oid == curve)
            .map(|(_, bits)| bits)
            .unwrap_or(0);
            ("ecdsa", bits)
        }
        other => panic!("unexpected key {other:?}"),
    }
}

fn openssl_verify(dir: &Path) -> (bool, String) {
    let out = Command::new("openssl")
        .args(["verify", "-CAfile", "ca.pem", "leaf.pem"])
        .current_dir(dir)
        .output()
        .expect("openssl must be installed (scripts/test installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn random_requests_give_verifiable_certificates_that_say_what_was_asked(r in request()) {
        use x509_parser::oid_registry as oids;
        let dir = workspace();
        let out = cmd_in(dir.path())
            .args(["gencert", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "-"])
            .write_stdin(request_json(&r))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert!(out.status.success(), "{}", stderr);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let cert_pem = json["cert"].as_str().unwrap();
        std::fs::write(dir.path().join("leaf.pem"), cert_pem).unwrap();
        let (ok, text) = openssl_verify(dir.path());
        prop_assert!(ok, "openssl verify: {}", text);

        let der = pem::parse(cert_pem).unwrap().into_contents();
        let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
        let subject = cert.subject();
        prop_assert_eq!(values(subject, &oids::OID_X509_COMMON_NAME), vec![r.cn.clone()]);
        prop_assert_eq!(values(subject, &oids::OID_X509_COUNTRY_NAME), vec![r.c.clone()]);
        prop_assert_eq!(values(subject, &oids::OID_X509_STATE_OR_PROVINCE_NAME), vec![r.st.clone()]);
        prop_assert_eq!(values(subject, &oids::OID_X509_LOCALITY_NAME), vec![r.l.clone()]);
        prop_assert_eq!(values(subject, &oids::OID_X509_ORGANIZATION_NAME), vec![r.o.clone()]);
        prop_assert_eq!(values(subject, &oids::OID_X509_ORGANIZATIONAL_UNIT), vec![r.ou.clone()]);
        let wanted: BTreeSet<String> = r
            .hosts
            .iter()
            .map(|h| h.parse::<IpAddr>().map(|ip| ip.to_string()).unwrap_or_else(|_| h.clone()))
            .collect();
        prop_assert_eq!(sans(&cert), wanted);
        prop_assert_eq!(key_of(&cert), r.key);
    }
}
