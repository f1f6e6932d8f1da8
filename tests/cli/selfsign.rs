//! `selfsign`, `gencsr -key` and `print-defaults` (whose templates work as
//! inputs). pkilint checks every certificate issued here.

use crate::IssuingDir;
use predicates::prelude::*;
use support::certfields::read;
use support::{field, Dir};

#[test]
fn selfsign_makes_a_self_signed_leaf_for_the_hostname() {
    let d = Dir::with_ca();
    let assert = d
        .cmd(&["selfsign", "self.example.com,127.0.0.1", "leaf.json"])
        .success();
    let out = assert.get_output();
    assert!(String::from_utf8_lossy(&out.stderr).contains("Self-signed certificates are dangerous"));
    let json = String::from_utf8(out.stdout.clone()).unwrap();
    let cert = field(&json, "cert");
    let (fields, extra) = read(&cert);
    assert_eq!(fields.dns.iter().collect::<Vec<_>>(), ["self.example.com"]);
    assert_eq!(fields.ip.iter().collect::<Vec<_>>(), ["127.0.0.1"]);
    // Three months from notBefore (cfssl counts them from "now", 5 minutes later).
    assert_eq!(fields.validity_secs, 2190 * 3600);
    assert!(!field(&json, "key").is_empty() && !field(&json, "csr").is_empty());
    assert_eq!(
        extra.aki, extra.ski,
        "a self-signed leaf names its own key (RFC 5280 4.2.1.1)"
    );
    d.lint("self.pem", &cert, None);
    d.cmd(&["selfsign", "x.example", "ca.json"])
        .failure()
        .stderr(predicate::str::contains("\"ca\" section"));
}

#[test]
fn print_defaults_templates_work_as_inputs() {
    let d = Dir::with_ca();
    d.cmd(&["print-defaults", "list"])
        .success()
        .stdout("Default configurations are available for:\n\tconfig\n\tcsr\n");
    d.write("config.json", &d.ok(&["print-defaults", "config"]));
    d.write("csr.json", &d.ok(&["print-defaults", "csr"]));
    let out = d.ok(&[
        "gencert",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        "config.json",
        "-profile",
        "www",
        "csr.json",
    ]);
    let cert = field(&out, "cert");
    assert_eq!(read(&cert).0.validity_secs, 8760 * 3600);
    d.lint("www.pem", &cert, Some("ca.pem"));
    d.cmd(&["print-defaults", "cert"])
        .failure()
        .code(1)
        .stderr(predicate::str::contains("\"cert\""));
}

#[test]
fn gencsr_makes_a_csr_for_an_existing_key() {
    let d = Dir::with_ca();
    let (_, key) = d.leaf_csr();
    let out = d.ok(&[
        "gencsr",
        "-key",
        key,
        "-hostname",
        "renewed.example.com",
        "leaf.json",
    ]);
    assert_eq!(
        field(&out, "key"),
        std::fs::read_to_string(d.path(key)).unwrap()
    );
    d.write("renewed.csr", &field(&out, "csr"));
    let signed = d.ok(&[
        "sign",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "renewed.csr",
    ]);
    let cert = field(&signed, "cert");
    assert_eq!(
        read(&cert).0.dns.iter().collect::<Vec<_>>(),
        ["renewed.example.com"]
    );
    // The certificate is for the old key: same SKI as a CSR genkey made with it.
    let old = d.ok(&["sign", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "leaf.csr"]);
    assert_eq!(read(&cert).1.ski, read(&field(&old, "cert")).1.ski);
    d.lint("renewed.pem", &cert, Some("ca.pem"));
    d.cmd(&["gencsr", "leaf.json"]).failure().code(2);
    // -cert: the subject and hosts of the current certificate.
    d.write("renewed.pem", &cert);
    let again = d.ok(&["gencsr", "-key", key, "-cert", "renewed.pem"]);
    d.write("again.csr", &field(&again, "csr"));
    let resigned = field(
        &d.ok(&[
            "sign",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "again.csr",
        ]),
        "cert",
    );
    let (r, rx) = read(&resigned);
    assert_eq!(rx.subject_in_order, read(&cert).1.subject_in_order);
    assert_eq!(r.dns, read(&cert).0.dns);
    d.lint("resigned.pem", &resigned, Some("ca.pem"));
}
