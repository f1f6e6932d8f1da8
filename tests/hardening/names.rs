//! Names and extensions a CSR must not smuggle into a certificate.

use super::*;

/// A CSR made by openssl with the given -subj and optional -addext.
fn openssl_csr(d: &Dir, name: &str, subj: &str, addext: &[&str]) -> String {
    let mut line = format!(
        "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout {name}-key.pem -out {name}.csr -subj '{subj}'"
    );
    for ext in addext {
        line.push_str(&format!(" -addext '{ext}'"));
    }
    d.sh(&format!("{line} 2>/dev/null"));
    format!("{name}.csr")
}

const WHITELISTED: &str = r#"{"signing":{"default":{"usages":["server auth"],"expiry":"1h",
    "name_whitelist":"^[a-z0-9-]+\\.example\\.com$"}}}"#;

#[test]
fn whitelist_checks_every_common_name_and_refuses_two() {
    let d = Dir::with_ca();
    let csr = openssl_csr(&d, "two", "/CN=ok.example.com/CN=evil.attacker.net", &[]);
    let (ok, out, err) = d.sign(WHITELISTED, &[], &csr);
    assert!(!ok && out.is_empty(), "{out}");
    assert!(err.contains("2 common names"), "{err}");
    // Allowed by the profile, the whitelist still sees the second CN.
    let allowing = WHITELISTED.replace(
        "\"expiry\"",
        "\"allow_multiple_common_names\":true,\"expiry\"",
    );
    let (ok, _, err) = d.sign(&allowing, &[], &csr);
    assert!(!ok, "signed a CN outside the whitelist");
    assert!(
        err.contains("\"evil.attacker.net\" does not match"),
        "{err}"
    );
    let fine = openssl_csr(
        &d,
        "one",
        "/CN=ok.example.com",
        &["subjectAltName=DNS:www.example.com"],
    );
    let (ok, _, err) = d.sign(WHITELISTED, &[], &fine);
    assert!(ok, "{err}");
}

#[test]
fn whitelist_checks_ip_sans_and_subject_email() {
    let d = Dir::with_ca();
    let ip = openssl_csr(
        &d,
        "ip",
        "/CN=ok.example.com",
        &["subjectAltName=IP:10.9.9.9"],
    );
    let (ok, _, err) = d.sign(WHITELISTED, &[], &ip);
    assert!(!ok && err.contains("IP address \"10.9.9.9\""), "{err}");
    let mail = openssl_csr(
        &d,
        "mail",
        "/CN=ok.example.com/emailAddress=root@evil.net",
        &[],
    );
    let (ok, _, err) = d.sign(WHITELISTED, &[], &mail);
    assert!(!ok && err.contains("emailAddress"), "{err}");
}

#[test]
fn renew_applies_the_profiles_whitelist() {
    let d = Dir::with_ca();
    let csr = openssl_csr(&d, "leaf", "/CN=leaf.other.org", &[]);
    let open = r#"{"signing":{"default":{"usages":["server auth"],"expiry":"1h"}}}"#;
    let (ok, out, err) = d.sign(open, &[], &csr);
    assert!(ok, "{err}");
    d.write("leaf.pem", &field(&out, "cert"));
    d.write("config.json", WHITELISTED);
    let out = d
        .command()
        .args([
            "renew",
            "leaf.pem",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "-config",
            "config.json",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "renewed outside the whitelist");
    assert!(
        err.contains("does not match the profile's name_whitelist"),
        "{err}"
    );
}

#[test]
fn four_hundred_whitelisted_profiles_load_quickly_and_sign() {
    let d = Dir::with_ca();
    let profiles: Vec<String> = (0..400)
        .map(|i| format!(r#""p{i}":{{"usages":["server auth"],"expiry":"1h","name_whitelist":"^([a-z0-9-]{{1,30}}\\.){{1,20}}p{i}\\.example\\.com$"}}"#))
        .collect();
    let config = format!(
        r#"{{"signing":{{"default":{{"usages":["server auth"],"expiry":"1h"}},"profiles":{{{}}}}}}}"#,
        profiles.join(",")
    );
    let csr = openssl_csr(&d, "p7", "/CN=a.b.p7.example.com", &[]);
    // Compiling every expression at load took over 3 GB and aborted.
    let (ok, _, err) = d.sign(&config, &["-profile", "p7"], &csr);
    assert!(ok, "{err}");
    let (ok, _, err) = d.sign(&config, &["-profile", "p8"], &csr);
    assert!(!ok && err.contains("does not match"), "{err}");
}

/// The extension OIDs of a PEM certificate.
fn extension_oids(pem_text: &str) -> Vec<String> {
    use x509_parser::prelude::*;
    let block = ::pem::parse(pem_text.as_bytes()).unwrap();
    let (_, cert) = X509Certificate::from_der(block.contents()).unwrap();
    cert.extensions()
        .iter()
        .map(|e| e.oid.to_id_string())
        .collect()
}

#[test]
fn copy_extensions_copies_no_authority() {
    let d = Dir::with_ca();
    let csr = openssl_csr(
        &d,
        "greedy",
        "/CN=greedy.example.com",
        &[
            "nsCertType=sslCA,objCA",
            "1.3.6.1.4.1.311.21.10=DER:300c300a06082b06010505070301",
            "nameConstraints=permitted;DNS:.evil.net",
            "authorityInfoAccess=caIssuers;URI:http://evil.net/ca.crt",
            "crlDistributionPoints=URI:http://evil.net/ca.crl",
            "certificatePolicies=1.2.3.4",
            "tlsfeature=status_request",
        ],
    );
    let config = r#"{"signing":{"default":{"usages":["digital signature","server auth"],"expiry":"1h","copy_extensions":true}}}"#;
    let (ok, out, err) = d.sign(config, &[], &csr);
    assert!(ok, "{err}");
    let oids = extension_oids(&field(&out, "cert"));
    for refused in [
        "2.16.840.1.113730.1.1",
        "1.3.6.1.4.1.311.21.10",
        "2.5.29.30",
        "1.3.6.1.5.5.7.1.1",
        "2.5.29.31",
        "2.5.29.32",
    ] {
        assert!(
            !oids.contains(&refused.to_string()),
            "{refused} copied: {oids:?}"
        );
        assert!(
            err.contains(&format!("extension {refused} was not copied")),
            "{err}"
        );
    }
    assert!(
        oids.contains(&"1.3.6.1.5.5.7.1.24".to_string()),
        "must-staple kept: {oids:?}"
    );
    // The profile widens the list, as cfssl's allowed_extensions does.
    let widened = config.replace(
        "\"copy_extensions\":true",
        "\"copy_extensions\":true,\"allowed_extensions\":[\"2.5.29.32\"]",
    );
    let (ok, out, err) = d.sign(&widened, &[], &csr);
    assert!(ok, "{err}");
    assert!(extension_oids(&field(&out, "cert")).contains(&"2.5.29.32".to_string()));
}

#[test]
fn dns_names_are_validated_in_requests_and_csrs() {
    let d = Dir::with_ca();
    d.write(
        "req.json",
        r#"{"CN":"svc","hosts":["ok.example.com","evil.com\u0000.example.com"]}"#,
    );
    d.cmd(&["genkey", "req.json"])
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains("hosts[1]"));
    for bad in ["-lead.example.com", "a..example.com", "*.*.example.com"] {
        let csr = openssl_csr(
            &d,
            "bad",
            "/CN=svc",
            &[&format!("subjectAltName=DNS:{bad}")],
        );
        let (ok, out, err) = d.sign(
            r#"{"signing":{"default":{"usages":["server auth"],"expiry":"1h"}}}"#,
            &[],
            &csr,
        );
        assert!(!ok && out.is_empty(), "{bad} signed");
        assert!(err.contains("SAN DNS name"), "{err}");
    }
    // -hostname goes through the same check.
    let csr = openssl_csr(&d, "good", "/CN=svc", &[]);
    let (ok, _, err) = d.sign(
        r#"{"signing":{"default":{"usages":["server auth"],"expiry":"1h"}}}"#,
        &["-hostname", "a b.example.com"],
        &csr,
    );
    assert!(
        !ok && err.contains("control character or a space") || err.contains("character"),
        "{err}"
    );
}
