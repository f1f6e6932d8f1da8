//! Hostile and odd inputs: deep YAML, validity edges, nameless requests.

use super::*;

#[test]
fn deep_yaml_is_refused_quickly_by_k8s_show_and_sign() {
    let d = Dir::with_ca();
    // 80,000 levels took 46 s in k8s show; a 1 MiB one given to sign ran
    // for more than 10 minutes.
    let deep = format!(
        "kind: CertificateSigningRequest\na: {}{}\n",
        "[".repeat(80_000),
        "]".repeat(80_000)
    );
    d.write("deep.yaml", &deep);
    d.cmd(&["k8s", "show", "deep.yaml"])
        .code(1)
        .stderr(predicates::str::contains("nested deeper"));
    let junk = format!("a: {}", "[".repeat(1 << 19));
    d.write("junk.csr", &junk);
    d.cmd(&["sign", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "junk.csr"])
        .code(1)
        .stdout("");
}

/// notAfter of a PEM certificate, as seconds since the epoch.
fn not_after(pem_text: &str) -> i64 {
    use x509_parser::prelude::*;
    let block = ::pem::parse(pem_text.as_bytes()).unwrap();
    let (_, cert) = X509Certificate::from_der(block.contents()).unwrap();
    cert.validity().not_after.timestamp()
}

#[test]
fn expiration_seconds_is_the_usable_lifetime_from_now() {
    let d = Dir::with_ca();
    d.write(
        "req.json",
        r#"{"CN":"svc","hosts":["svc.example"],"key":{"algo":"ecdsa","size":256}}"#,
    );
    let object = d.ok(&[
        "k8s",
        "request",
        "-name",
        "svc",
        "-signer-name",
        "example.com/serving",
        "-expiration-seconds",
        "600",
        "-key-out",
        "svc-key.pem",
        "-o",
        "json",
        "req.json",
    ]);
    d.write("svc.json", &object);
    d.write("config.json", r#"{"signing":{"default":{"usages":["digital signature","key encipherment","server auth"],"expiry":"24h"}}}"#);
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let signed = d.ok(&[
        "sign",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        "config.json",
        "-ignore-approval",
        "svc.json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&signed).unwrap();
    use base64::Engine;
    let pem_bytes = base64::engine::general_purpose::STANDARD
        .decode(v["status"]["certificate"].as_str().unwrap())
        .unwrap();
    let usable = not_after(&String::from_utf8(pem_bytes).unwrap()) - start;
    assert!(
        (598..=602).contains(&usable),
        "usable for {usable}s, asked for 600"
    );
}

#[test]
fn a_validity_of_one_nanosecond_is_refused() {
    let d = Dir::with_ca();
    d.write(
        "req.json",
        r#"{"CN":"svc","hosts":["svc.example"],"key":{"algo":"ecdsa","size":256}}"#,
    );
    d.write(
        "config.json",
        r#"{"signing":{"default":{"usages":["server auth"],"expiry":"1ns","backdate":"0s"}}}"#,
    );
    d.cmd(&[
        "gencert",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        "config.json",
        "req.json",
    ])
    .code(1)
    .stdout("")
    .stderr(predicates::str::contains("notAfter is not after notBefore"));
}

#[test]
fn a_csr_naming_no_one_is_refused() {
    let d = Dir::with_ca();
    d.sh("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout k.pem -out empty.csr -subj / 2>/dev/null");
    d.cmd(&[
        "sign",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "empty.csr",
    ])
    .code(1)
    .stdout("")
    .stderr(predicates::str::contains("name no one"));
}

#[test]
fn a_csr_after_openssl_text_is_read_as_openssl_reads_it() {
    let d = Dir::with_ca();
    d.sh("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout k.pem -subj /CN=svc -addext subjectAltName=DNS:svc.example 2>/dev/null | openssl req -text > text.csr");
    assert!(d.read("text.csr").starts_with("Certificate Request:"));
    let out = d.ok(&["sign", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "text.csr"]);
    assert!(field(&out, "cert").starts_with("-----BEGIN CERTIFICATE-----"));
}

#[test]
fn cfssljson_writes_nothing_that_is_not_what_its_name_promises() {
    let d = Dir::empty();
    d.command()
        .args(["json", "-bare", "out"])
        .write_stdin(r#"{"cert":"garbage","key":"garbage"}"#)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "field \"cert\" is not PEM certificates",
        ));
    assert_eq!(std::fs::read_dir(d.0.path()).unwrap().count(), 0);
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let d = Dir::with_ca();
    d.write(
        "esc.json",
        r#"{"CN":"x\u001b]0;owned\u0007\r[ERROR] forged","key":{"algo":"ecdsa","size":256}}"#,
    );
    let out = d.ok(&[
        "gencert",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "esc.json",
    ]);
    d.write("esc.pem", &field(&out, "cert"));
    let table = d.ok(&["check-expiration", "esc.pem"]);
    assert!(
        !table.contains('\u{1b}') && !table.contains('\r'),
        "{table:?}"
    );
    assert!(table.contains("\\u{1b}]0;owned"), "{table}");
    // An error naming the CN escapes it too.
    d.write(
        "config.json",
        r#"{"signing":{"default":{"usages":["server auth"],"expiry":"1h","name_whitelist":"^ok$"}}}"#,
    );
    let csr = d.ok(&["genkey", "esc.json"]);
    d.write("esc.csr", &field(&csr, "csr"));
    let out = d
        .command()
        .args([
            "sign",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "-config",
            "config.json",
            "esc.csr",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(!err.contains('\u{1b}') && !err.contains('\r'), "{err:?}");
}

#[test]
fn errors_are_bounded_and_usage_errors_are_one_line_and_a_hint() {
    let d = Dir::empty();
    d.write(
        "big.json",
        &format!(r#"{{"CN":"{}"}}"#, "a".repeat(100_000)),
    );
    let out = d.command().args(["genkey", "big.json"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    let line = err.lines().find(|l| l.contains("[ERROR]")).unwrap();
    assert!(
        line.len() < 1200 && line.ends_with("characters)"),
        "{} bytes",
        line.len()
    );
    for args in [
        &["sign", "--bogus"][..],
        &["version", "extra"],
        &["genkey", "-loglevel", "9", "x"],
    ] {
        let out = d.command().args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{args:?}: {err}");
        assert!(
            lines[0].starts_with("error: ") && lines[1].starts_with("hint: "),
            "{err}"
        );
    }
}

#[test]
fn a_fifo_in_the_intermediates_directory_is_skipped() {
    let d = Dir::with_ca();
    d.write(
        "req.json",
        r#"{"CN":"svc","hosts":["svc.example"],"key":{"algo":"ecdsa","size":256}}"#,
    );
    let out = d.ok(&[
        "gencert",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "req.json",
    ]);
    d.write("svc.pem", &field(&out, "cert"));
    std::fs::create_dir(d.path("ints")).unwrap();
    d.sh("mkfifo ints/blocking.pem");
    // Bounded: reading the FIFO used to block forever.
    let json = d.sh("timeout 60 \"$CERTKIT\" bundle -cert svc.pem -ca-bundle ca.pem -int-dir ints");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let messages = v["status"]["messages"].to_string();
    assert!(
        messages.contains("blocking.pem: skipped, not a regular file"),
        "{messages}"
    );
}
