//! `gencert`: `-renewca` (same key, subject and pathlen) and `-initca`
//! with what the request adds to the new CA (`crl_url`). pkilint checks
//! every certificate issued here.

use crate::IssuingDir;
use predicates::prelude::*;
use support::certfields::read;
use support::{field, Dir};
use tempfile::TempDir;

#[test]
fn renewca_keeps_key_subject_and_pathlen() {
    let d = Dir::with_ca();
    let old = std::fs::read_to_string(d.path("ca.pem")).unwrap();
    let out = d.ok(&[
        "gencert",
        "-renewca",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
    ]);
    let new = field(&out, "cert");
    assert!(serde_json::from_str::<serde_json::Value>(&out)
        .unwrap()
        .get("key")
        .is_none());
    let ((old_f, old_x), (new_f, new_x)) = (read(&old), read(&new));
    assert_eq!(old_x.subject_in_order, new_x.subject_in_order);
    assert_eq!(old_x.ski, new_x.ski, "same key");
    assert_eq!(new_f.basic_constraints, Some((true, Some(1))));
    assert_eq!(old_f.validity_secs, new_f.validity_secs);
    assert_ne!(old, new);
    d.lint("renewed-ca.pem", &new, None);
    // -initca with -ca-key: the CA again from its request, with the old key.
    let out = d.ok(&["gencert", "-initca", "-ca-key", "ca-key.pem", "ca.json"]);
    assert_eq!(read(&field(&out, "cert")).1.ski, old_x.ski);
    d.cmd(&["gencert", "-renewca", "-ca", "ca.pem"])
        .failure()
        .stderr(predicate::str::contains("-ca-key"));
}

#[test]
fn request_crl_url_goes_into_the_new_ca() {
    let d = Dir(TempDir::new().unwrap());
    d.write(
        "root.json",
        r#"{"CN": "CRL Root", "crl_url": "http://crl.example.com/root.crl"}"#,
    );
    let cert = field(&d.ok(&["gencert", "-initca", "root.json"]), "cert");
    assert_eq!(read(&cert).0.cdp, ["http://crl.example.com/root.crl"]);
    d.lint("root.pem", &cert, None);
}
