//! `sign CSR SUBJECT`: a subject file overrides only what it sets and may
//! not ask for a CA. pkilint checks every certificate issued here.

use crate::IssuingDir;
use predicates::prelude::*;
use support::certfields::read;
use support::{field, Dir};

fn subject(pem: &str) -> Vec<(String, String)> {
    read(pem).1.subject_in_order
}

#[test]
fn sign_with_subject_file_overrides_only_what_it_sets() {
    let d = Dir::with_ca();
    let (csr, _) = d.leaf_csr();
    d.write(
        "subject.json",
        r#"{"CN": "renamed.example.com", "names": [{"O": "New Org"}, {"O": "Second Org"}]}"#,
    );
    let out = d.ok(&[
        "sign",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        csr,
        "subject.json",
    ]);
    let cert = field(&out, "cert");
    let in_order = subject(&cert);
    let names: Vec<(&str, &str)> = in_order
        .iter()
        .map(|(o, v)| (o.as_str(), v.as_str()))
        .collect();
    // The SUBJECT replaces CN and O; C and OU stay the CSR's; SANs stay.
    assert_eq!(
        names,
        [
            ("2.5.4.6", "US"),
            ("2.5.4.10", "New Org"),
            ("2.5.4.10", "Second Org"),
            ("2.5.4.11", "Kept"),
            ("2.5.4.3", "renamed.example.com")
        ]
    );
    assert!(read(&cert).0.dns.contains("leaf.example.com"));
    d.lint("subject.pem", &cert, Some("ca.pem"));
    // -csr FILE makes the first positional argument the SUBJECT, as in cfssl.
    let out = d.ok(&[
        "sign",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-csr",
        csr,
        "subject.json",
    ]);
    assert_eq!(subject(&field(&out, "cert")), subject(&cert));
}

#[test]
fn subject_file_with_a_ca_section_is_refused() {
    let d = Dir::with_ca();
    let (csr, _) = d.leaf_csr();
    d.write("subject.json", r#"{"CN": "x", "ca": {"pathlen": 0}}"#);
    d.cmd(&[
        "sign",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        csr,
        "subject.json",
    ])
    .failure()
    .code(1)
    .stdout("")
    .stderr(
        predicate::str::contains("subject.json")
            .and(predicate::str::contains("only allowed with initca")),
    );
}
