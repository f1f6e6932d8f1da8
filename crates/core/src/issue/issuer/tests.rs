//! The issuer's unit tests.
use super::*;
use crate::request::{KeySpec, Request};
use const_oid::db::rfc5912;
use std::time::Duration;

/// A new CA made from `req`, loaded as an issuer, with its PEM.
fn ca_from(req: &Request) -> (Issuer, String) {
    let made = crate::issue::initca::new_ca(req).unwrap();
    let issuer = Issuer::load(
        made.cert_pem.as_bytes(),
        "ca.pem",
        made.key_pem.as_bytes(),
        "ca-key.pem",
    )
    .unwrap();
    (issuer, made.cert_pem)
}

fn ca(spec: KeySpec) -> (Issuer, String) {
    let req = Request {
        cn: "Test CA".into(),
        key: spec,
        ..Default::default()
    };
    ca_from(&req)
}

#[test]
fn leaf_gets_profile_usages_and_csr_subject() {
    let (issuer, _) = ca(KeySpec::Ecdsa(256));
    let leaf_req = Request {
        cn: "leaf".into(),
        hosts: vec!["a.example".into()],
        ..Default::default()
    };
    let key = KeyPair::generate(leaf_req.key).unwrap();
    let csr =
        VerifiedCsr::parse(crate::csr::build(&leaf_req, &key).unwrap().as_bytes(), "t").unwrap();
    let issued = issuer.sign(&csr, &Profile::cfssl_default(), None).unwrap();
    assert!(issued
        .warnings
        .iter()
        .any(|w| w.contains("key encipherment")));
    let cert = Certificate::from_der(&issued.cert_der).unwrap();
    assert_eq!(cert.tbs_certificate().subject(), csr.subject());
    let (_, bc) = cert
        .tbs_certificate()
        .get_extension::<BasicConstraints>()
        .unwrap()
        .unwrap();
    assert!(!bc.ca);
    let (_, ku) = cert
        .tbs_certificate()
        .get_extension::<KeyUsage>()
        .unwrap()
        .unwrap();
    assert!(ku.0.contains(KeyUsages::DigitalSignature));
    assert!(!ku.0.contains(KeyUsages::KeyEncipherment));
}

#[test]
fn ca_request_against_leaf_profile_is_refused() {
    let (issuer, _) = ca(KeySpec::Ecdsa(256));
    let req = Request {
        cn: "sub".into(),
        ca: Some(Default::default()),
        ..Default::default()
    };
    let key = KeyPair::generate(req.key).unwrap();
    let csr = VerifiedCsr::parse(crate::csr::build(&req, &key).unwrap().as_bytes(), "t").unwrap();
    let err = issuer
        .sign(&csr, &Profile::cfssl_default(), None)
        .unwrap_err();
    assert!(matches!(err, Error::Refused(_)), "{err}");
}

#[test]
fn mismatched_ca_key_is_refused() {
    let (_, cert_pem) = ca(KeySpec::Ecdsa(256));
    let other = KeyPair::generate(KeySpec::Ecdsa(256))
        .unwrap()
        .to_pem()
        .unwrap();
    let err = Issuer::load(cert_pem.as_bytes(), "ca.pem", other.as_bytes(), "other.pem")
        .err()
        .unwrap();
    assert!(err.to_string().contains("does not match"), "{err}");
}

fn short_lived_ca() -> (Issuer, String) {
    let req = Request {
        cn: "Short CA".into(),
        ca: Some(crate::request::CaConfig {
            expiry: Some(Duration::from_secs(3600)),
            ..Default::default()
        }),
        ..Default::default()
    };
    ca_from(&req)
}

fn leaf_csr(hosts: &[&str]) -> VerifiedCsr {
    let req = Request {
        cn: "leaf.example.com".into(),
        hosts: hosts.iter().map(|h| h.to_string()).collect(),
        ..Default::default()
    };
    let key = KeyPair::generate(req.key).unwrap();
    VerifiedCsr::parse(crate::csr::build(&req, &key).unwrap().as_bytes(), "t").unwrap()
}

fn profile(json: &str) -> Profile {
    let cfg = format!(r#"{{"signing":{{"default":{json}}}}}"#);
    crate::policy::SigningConfig::from_json(cfg.as_bytes(), "c.json")
        .unwrap()
        .config
        .default
}

#[test]
fn profile_extensions_follow_go_order() {
    let (issuer, _) = ca(KeySpec::Ecdsa(256));
    let p = profile(
        r#"{"usages":["signing","server auth"],"expiry":"1h","ocsp_url":"http://o.example","crl_url":"http://c.example/x.crl",
            "ocsp_no_check":true,"policies":[{"ID":"1.2.3.4"}]}"#,
    );
    let issued = issuer
        .sign(&leaf_csr(&["leaf.example.com"]), &p, None)
        .unwrap();
    let cert = Certificate::from_der(&issued.cert_der).unwrap();
    let oids: Vec<String> = cert
        .tbs_certificate()
        .extensions()
        .unwrap()
        .iter()
        .map(|e| e.extn_id.to_string())
        .collect();
    assert_eq!(
        oids,
        [
            "2.5.29.15",
            "2.5.29.37",
            "2.5.29.19",
            "2.5.29.14",
            "2.5.29.35",
            "1.3.6.1.5.5.7.1.1",
            "2.5.29.17",
            "2.5.29.31",
            "2.5.29.32",
            "1.3.6.1.5.5.7.48.1.5"
        ]
    );
}

#[test]
fn whitelist_and_remote_profiles_refuse() {
    let (issuer, _) = ca(KeySpec::Ecdsa(256));
    let p = profile(
        r#"{"usages":["server auth"],"expiry":"1h","name_whitelist":"^leaf\\.example\\.com$"}"#,
    );
    assert!(issuer
        .sign(&leaf_csr(&["leaf.example.com"]), &p, None)
        .is_ok());
    let err = issuer
        .sign(&leaf_csr(&["other.example.com"]), &p, None)
        .unwrap_err();
    assert!(matches!(err, Error::NotWhitelisted { .. }), "{err}");
    let mut remote = p.clone();
    remote.remote_settings.remote = "localhost".into();
    let err = issuer
        .sign(&leaf_csr(&["leaf.example.com"]), &remote, None)
        .unwrap_err();
    assert!(err.to_string().contains("remote"), "{err}");
}

#[test]
fn copied_extensions_never_include_basic_constraints() {
    let (issuer, _) = ca(KeySpec::Ecdsa(256));
    let req = Request {
        cn: "sneaky".into(),
        ca: Some(Default::default()),
        ..Default::default()
    };
    let key = KeyPair::generate(req.key).unwrap();
    let csr = VerifiedCsr::parse(crate::csr::build(&req, &key).unwrap().as_bytes(), "t").unwrap();
    let p = profile(
        r#"{"usages":["cert sign"],"expiry":"1h","copy_extensions":true,
            "ca_constraint":{"is_ca":true,"max_path_len":0,"max_path_len_zero":true}}"#,
    );
    let issued = issuer.sign(&csr, &p, None).unwrap();
    assert!(
        issued.warnings.iter().any(|w| w.contains("2.5.29.19")),
        "{:?}",
        issued.warnings
    );
    let cert = Certificate::from_der(&issued.cert_der).unwrap();
    let exts = cert.tbs_certificate().extensions().unwrap();
    let bcs = exts
        .iter()
        .filter(|e| e.extn_id == rfc5912::ID_CE_BASIC_CONSTRAINTS)
        .count();
    assert_eq!(bcs, 1, "only the profile's BasicConstraints");
    let (_, bc) = cert
        .tbs_certificate()
        .get_extension::<BasicConstraints>()
        .unwrap()
        .unwrap();
    assert_eq!(bc.path_len_constraint, Some(0));
}

/// A pathlen-0 CSR under a pathlen-1 CA, with a profile that only sets
/// is_ca: signed with the profile's BasicConstraints (no pathlen), as by
/// cfssl 1.2.0 and current, and a warning for the dropped request.
#[test]
fn a_ca_profile_without_pathlen_ignores_the_csrs() {
    let (issuer, _) = ca_from(&Request {
        cn: "Root".into(),
        ca: Some(crate::request::CaConfig {
            pathlen: Some(1),
            ..Default::default()
        }),
        ..Default::default()
    });
    let req = Request {
        cn: "Int".into(),
        ca: Some(crate::request::CaConfig {
            pathlen: Some(0),
            pathlenzero: true,
            ..Default::default()
        }),
        ..Default::default()
    };
    let key = KeyPair::generate(req.key).unwrap();
    let csr = VerifiedCsr::parse(crate::csr::build(&req, &key).unwrap().as_bytes(), "t").unwrap();
    assert_eq!(
        csr.requested_ca().unwrap().unwrap().path_len_constraint,
        Some(0)
    );
    let p = profile(r#"{"usages":["cert sign"],"expiry":"1h","ca_constraint":{"is_ca":true}}"#);
    let issued = issuer.sign(&csr, &p, None).unwrap();
    let cert = Certificate::from_der(&issued.cert_der).unwrap();
    let (_, bc) = cert
        .tbs_certificate()
        .get_extension::<BasicConstraints>()
        .unwrap()
        .unwrap();
    assert_eq!((bc.ca, bc.path_len_constraint), (true, None));
    assert_warned(&issued, "the CSR asks for pathlen 0");
}

/// Asserts that one of the issuance's warnings says `text`.
fn assert_warned(issued: &Issued, text: &str) {
    assert!(
        issued.warnings.iter().any(|w| w.contains(text)),
        "{:?}",
        issued.warnings
    );
}

fn not_after(issued: &Issued) -> SystemTime {
    let cert = Certificate::from_der(&issued.cert_der).unwrap();
    cert.tbs_certificate().validity().not_after.to_system_time()
}

fn ca_not_after(issuer: &Issuer) -> SystemTime {
    issuer
        .certificate()
        .tbs_certificate()
        .validity()
        .not_after
        .to_system_time()
}

#[test]
fn validity_beyond_the_ca_expiry_is_capped_unless_allowed() {
    let (mut issuer, _) = short_lived_ca();
    let ca_not_after = ca_not_after(&issuer);
    let issued = issuer
        .sign(&leaf_csr(&["a.example"]), &Profile::cfssl_default(), None)
        .unwrap();
    assert_eq!(not_after(&issued), ca_not_after);
    assert_warned(&issued, "--allow-beyond-ca-expiry");
    let mut short = Profile::cfssl_default();
    short.expiry = Duration::from_secs(600);
    let issued = issuer
        .sign(&leaf_csr(&["a.example"]), &short, None)
        .unwrap();
    assert!(not_after(&issued) < ca_not_after);
    assert!(!issued.warnings.iter().any(|w| w.contains("capped")));
    issuer.allow_beyond_ca_expiry(true);
    let issued = issuer
        .sign(&leaf_csr(&["a.example"]), &Profile::cfssl_default(), None)
        .unwrap();
    assert!(not_after(&issued) > ca_not_after);
}

/// A profile that starts after the CA expires cannot be capped: it is
/// issued as configured, with a warning, never refused.
#[test]
fn a_profile_starting_after_the_ca_expiry_is_issued_as_configured() {
    let (issuer, _) = short_lived_ca();
    let ca_not_after = ca_not_after(&issuer);
    let mut later = Profile::cfssl_default();
    let start = time::OffsetDateTime::from(ca_not_after) + time::Duration::days(1);
    later.not_before = Some(start);
    later.not_after = Some(start + time::Duration::days(30));
    let issued = issuer
        .sign(&leaf_csr(&["a.example"]), &later, None)
        .unwrap();
    assert_eq!(
        not_after(&issued),
        SystemTime::from(start + time::Duration::days(30))
    );
    assert_warned(&issued, "issued as configured");
}

#[test]
fn an_expired_ca_is_refused() {
    let req = Request {
        cn: "Old CA".into(),
        ca: Some(crate::request::CaConfig {
            expiry: Some(Duration::from_secs(60)),
            backdate: Some(Duration::from_secs(3600)),
            ..Default::default()
        }),
        ..Default::default()
    };
    let made = crate::issue::initca::new_ca(&req).unwrap();
    let err = Issuer::load(
        made.cert_pem.as_bytes(),
        "old.pem",
        made.key_pem.as_bytes(),
        "k.pem",
    )
    .err()
    .unwrap();
    assert!(
        err.to_string()
            .starts_with("refused: old.pem: the CA certificate expired on"),
        "{err}"
    );
}

#[test]
fn nameless_and_oversized_certificates_are_refused() {
    let (issuer, _) = ca(KeySpec::Ecdsa(256));
    let p = Profile::cfssl_default();
    let nameless = Request::default();
    let key = KeyPair::generate(nameless.key).unwrap();
    let csr =
        VerifiedCsr::parse(crate::csr::build(&nameless, &key).unwrap().as_bytes(), "t").unwrap();
    let err = issuer.sign(&csr, &p, None).unwrap_err().to_string();
    assert!(err.contains("name no one"), "{err}");
    let hosts: Vec<String> = (0..=MAX_SANS).map(|i| format!("h{i}.example")).collect();
    let err = issuer
        .sign(&leaf_csr(&["a.example"]), &p, Some(&hosts))
        .unwrap_err()
        .to_string();
    assert!(err.contains("at most 1000"), "{err}");
}

#[test]
fn a_validity_that_cannot_be_valid_is_refused() {
    let (issuer, _) = ca(KeySpec::Ecdsa(256));
    let mut p = Profile::cfssl_default();
    p.expiry = Duration::from_nanos(1);
    p.backdate = Duration::ZERO;
    let err = issuer
        .sign(&leaf_csr(&["a.example"]), &p, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not after notBefore"), "{err}");
    p.expiry = Duration::from_secs(1);
    assert!(issuer.sign(&leaf_csr(&["a.example"]), &p, None).is_ok());
}
