//! The signing-policy commands as users run them: `sign CSR SUBJECT`,
//! `selfsign`, `print-defaults`, `gencsr -key`, `gencert -renewca` and
//! `-initca -ca-key`, and the profile fields that refuse or add things
//! (name_whitelist, copy_extensions, URLs). pkilint checks every
//! certificate issued here.

use predicates::prelude::*;
use std::path::Path;
use support::certfields::read;
use support::pkilint;
use support::{field, Dir};
use tempfile::TempDir;

/// What these tests add to support's Dir: their CA and leaf request,
/// and pkilint over what they issue.
trait CommandsDir {
    fn with_ca() -> Dir;
    fn lint(&self, name: &str, pem: &str, issuer: Option<&str>);
    fn leaf_csr(&self) -> (&'static str, &'static str);
}

impl CommandsDir for Dir {
    /// A directory with an ECDSA CA (ca.pem, ca-key.pem) and a request.
    fn with_ca() -> Dir {
        let d = Dir::with_ca_from(
            r#"{"CN": "Commands CA", "names": [{"C": "US", "O": "Example"}], "ca": {"pathlen": 1}}"#,
        );
        d.write(
            "leaf.json",
            r#"{"CN": "leaf.example.com", "hosts": ["leaf.example.com", "10.0.0.7"],
                "names": [{"C": "US", "O": "Old Org", "OU": "Kept"}]}"#,
        );
        d
    }

    /// Saves a certificate and lints it (with its issuer when given).
    fn lint(&self, name: &str, pem: &str, issuer: Option<&str>) {
        self.write(name, pem);
        pkilint::lint_cert(&self.path(name));
        if let Some(issuer) = issuer {
            pkilint::lint_chain(&self.path(issuer), &self.path(name));
        }
    }

    /// A CSR for leaf.json with a fresh key: (csr file, key file).
    fn leaf_csr(&self) -> (&'static str, &'static str) {
        let out = self.ok(&["genkey", "leaf.json"]);
        self.write("leaf.csr", &field(&out, "csr"));
        self.write("leaf-key.pem", &field(&out, "key"));
        ("leaf.csr", "leaf-key.pem")
    }
}

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
fn name_whitelist_refuses_names_outside_it() {
    let d = Dir::with_ca();
    let (csr, _) = d.leaf_csr();
    d.write(
        "config.json",
        r#"{"signing": {"default": {"usages": ["digital signature", "server auth"], "expiry": "1h",
            "name_whitelist": "^([a-z0-9-]+\\.)*example\\.com$|^10\\.0\\.0\\.7$"}}}"#,
    );
    let base = [
        "sign",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        "config.json",
    ];
    let out = d.ok(&[&base[..], &[csr]].concat());
    d.lint("allowed.pem", &field(&out, "cert"), Some("ca.pem"));
    d.cmd(
        &[
            &base[..],
            &["-hostname", "leaf.example.com.attacker.net", csr],
        ]
        .concat(),
    )
    .failure()
    .stdout("")
    .stderr(predicate::str::contains(
        "\"leaf.example.com.attacker.net\" does not match",
    ));
    d.write(
        "loose.json",
        r#"{"signing": {"default": {"usages": ["server auth"], "expiry": "1h", "name_whitelist": "example\\.com"}}}"#,
    );
    let loose = d
        .cmd(&[
            "sign",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "-config",
            "loose.json",
            "-hostname",
            "evil-example.com.attacker.net",
            csr,
        ])
        .success();
    assert!(String::from_utf8_lossy(&loose.get_output().stderr).contains("not anchored"));
}

#[test]
fn copy_extensions_copies_only_what_the_issuer_does_not_decide() {
    let d = Dir::with_ca();
    // openssl makes a CSR asking for its own key usage, EKU and a custom extension.
    let (_, key) = d.leaf_csr();
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-new",
            "-key",
            key,
            "-subj",
            "/CN=copy.example.com",
            "-out",
            "copy.csr",
        ])
        .args(["-addext", "subjectAltName=DNS:copy.example.com"])
        .args(["-addext", "keyUsage=critical,keyCertSign"])
        .args(["-addext", "extendedKeyUsage=codeSigning"])
        .args(["-addext", "1.3.6.1.4.1.44947.1.2=ASN1:UTF8String:copied"])
        .current_dir(d.0.path())
        .status()
        .expect("openssl is needed (scripts/test installs it)");
    assert!(status.success());
    let cfg = r#"{"signing": {"profiles": {
        "copy": {"usages": ["digital signature", "server auth"], "expiry": "1h", "copy_extensions": true,
                 "allowed_extensions": ["1.3.6.1.4.1.44947.1.2"]},
        "plain": {"usages": ["digital signature", "server auth"], "expiry": "1h"}}}}"#;
    d.write("config.json", cfg);
    let sign = |profile: &str| {
        let out = d.ok(&[
            "sign",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "-config",
            "config.json",
            "-profile",
            profile,
            "copy.csr",
        ]);
        field(&out, "cert")
    };
    let copied = sign("copy");
    let (f, _) = read_allowing_custom(&copied);
    assert_eq!(
        f.0, 1,
        "digitalSignature only: the CSR's keyCertSign is not copied"
    );
    assert_eq!(
        f.1,
        ["1.3.6.1.5.5.7.3.1"],
        "serverAuth only: the CSR's codeSigning is not copied"
    );
    assert!(f.2, "the custom extension allowed by the profile is copied");
    d.lint("copied.pem", &copied, Some("ca.pem"));
    let (plain, _) = read_allowing_custom(&sign("plain"));
    assert!(!plain.2, "without copy_extensions nothing is copied");
}

/// (KeyUsage bits, EKU OIDs, custom extension present) read with
/// x509-parser, which `certfields::read` would refuse for the custom OID.
fn read_allowing_custom(pem_text: &str) -> ((u16, Vec<String>, bool), ()) {
    use x509_parser::extensions::ParsedExtension;
    use x509_parser::prelude::*;
    let block = ::pem::parse(pem_text.as_bytes()).unwrap();
    let (_, cert) = X509Certificate::from_der(block.contents()).unwrap();
    let mut out = (0u16, Vec::new(), false);
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::KeyUsage(ku) => out.0 = ku.flags,
            ParsedExtension::ExtendedKeyUsage(eku) => {
                if eku.server_auth {
                    out.1.push("1.3.6.1.5.5.7.3.1".to_string());
                }
                if eku.code_signing {
                    out.1.push("1.3.6.1.5.5.7.3.3".to_string());
                }
            }
            _ if ext.oid.to_id_string() == "1.3.6.1.4.1.44947.1.2" => out.2 = true,
            _ => {}
        }
    }
    (out, ())
}

#[test]
fn full_profile_urls_and_policies_land_in_the_certificate() {
    let d = Dir::with_ca();
    let (csr, _) = d.leaf_csr();
    d.write(
        "config.json",
        r#"{"signing": {"default": {"usages": ["digital signature", "server auth"], "expiry": "1h",
            "issuer_urls": ["http://ca.example.com/ca.der"], "ocsp_url": "http://ocsp.example.com",
            "crl_url": "http://crl.example.com/ca.crl", "ocsp_no_check": true,
            "policies": [{"ID": "2.23.140.1.2.2", "qualifiers": [{"type": "id-qt-cps", "value": "https://cps.example.com"}]}]},
          "profiles": {"inherits": {"usages": ["client auth"], "expiry": "2h"}}}}"#,
    );
    let sign = |extra: &[&str]| {
        let args = [
            &[
                "sign",
                "-ca",
                "ca.pem",
                "-ca-key",
                "ca-key.pem",
                "-config",
                "config.json",
            ][..],
            extra,
            &[csr],
        ]
        .concat();
        field(&d.ok(&args), "cert")
    };
    let cert = sign(&[]);
    let (f, _) = read(&cert);
    assert_eq!(
        f.aia,
        [
            (
                "1.3.6.1.5.5.7.48.1".to_string(),
                "http://ocsp.example.com".to_string()
            ),
            (
                "1.3.6.1.5.5.7.48.2".to_string(),
                "http://ca.example.com/ca.der".to_string()
            )
        ]
    );
    assert_eq!(f.cdp, ["http://crl.example.com/ca.crl"]);
    assert_eq!(f.policies[0].0, "2.23.140.1.2.2");
    assert!(f.ocsp_no_check);
    d.lint("full.pem", &cert, Some("ca.pem"));
    // A named profile inherits the default's URLs, as in cfssl.
    let inherited = sign(&["-profile", "inherits"]);
    let (g, _) = read(&inherited);
    assert_eq!((g.aia, g.cdp), (f.aia, f.cdp));
    assert!(g.policies.is_empty() && !g.ocsp_no_check);
    d.lint("inherits.pem", &inherited, Some("ca.pem"));
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

#[test]
fn unknown_profile_and_bad_configs_fail_with_one_line() {
    let d = Dir::with_ca();
    let (csr, _) = d.leaf_csr();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cfssl/config");
    let cfg = fixtures.join("valid_config.json");
    d.cmd(&[
        "sign",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        cfg.to_str().unwrap(),
        "-profile",
        "nope",
        csr,
    ])
    .failure()
    .code(1)
    .stdout("")
    .stderr(predicate::str::contains("no profile named \"nope\""));
    let bad = fixtures.join("invalid_remotes.json");
    d.cmd(&[
        "sign",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        bad.to_str().unwrap(),
        csr,
    ])
    .failure()
    .code(1)
    .stderr(predicate::str::contains("localhoster"));
}
