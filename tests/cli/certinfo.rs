//! `certkit certinfo`: cfssl's fields, compared with Debian cfssl 1.2.0's
//! `certinfo` on the same certificates, plus what certkit adds (typed
//! SANs, usages, constraints, fingerprints, decoded CSRs, several
//! certificates per file).

use serde_json::Value;
use std::path::Path;
use support::certkit;
use support::chain::{bundler_fixture as fx, certkit_chain, ok_in, run_in};

fn certinfo(args: &[&str], stdin: &[u8]) -> Value {
    let mut full = vec!["certinfo"];
    full.extend_from_slice(args);
    serde_json::from_slice(&ok_in(Path::new("."), &certkit(), &full, stdin)).unwrap()
}

/// Key identifiers as bytes: cfssl 1.2.0 prints them without zero padding.
fn key_id(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap();
    if s.is_empty() {
        return Vec::new();
    }
    s.split(':')
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

#[test]
fn cfssl_fields_match_cfssl_certinfo() {
    let cfssl = std::path::PathBuf::from("/usr/bin/cfssl");
    assert!(
        cfssl.is_file(),
        "Debian's cfssl is not installed; run scripts/test"
    );
    let dir = tempfile::tempdir().unwrap();
    certkit_chain(dir.path(), "ecdsa");
    let made: Vec<String> = ["root.pem", "int.pem", "leaf.pem"]
        .iter()
        .map(|f| dir.path().join(f).to_string_lossy().into_owned())
        .collect();
    let fixtures = [
        "inter-L2.pem",
        "cfssl-leaf-rsa2048.pem",
        "ca.pem",
        "client-auth/leaf-server.pem",
    ]
    .map(fx);
    for cert in made.iter().chain(fixtures.iter()) {
        let ours = certinfo(&["-cert", cert], b"");
        let theirs: Value = serde_json::from_slice(&ok_in(
            Path::new("."),
            &cfssl,
            &["certinfo", "-cert", cert],
            b"",
        ))
        .unwrap();
        for field in [
            "subject",
            "issuer",
            "serial_number",
            "sans",
            "not_before",
            "not_after",
            "sigalg",
            "pem",
        ] {
            assert_eq!(ours[field], theirs[field], "{cert}: {field}");
        }
        for field in ["authority_key_id", "subject_key_id"] {
            assert_eq!(
                key_id(&ours[field]),
                key_id(&theirs[field]),
                "{cert}: {field}"
            );
        }
    }
}

#[test]
fn certificate_details_beyond_cfssl() {
    let dir = tempfile::tempdir().unwrap();
    certkit_chain(dir.path(), "ecdsa");
    let leaf = dir.path().join("leaf.pem").to_string_lossy().into_owned();
    let info = certinfo(&["-cert", &leaf], b"");
    assert_eq!(
        info["sans"],
        serde_json::json!(["svc.example.com", "alt.example.com", "192.0.2.7"])
    );
    let types: Vec<&str> = info["san_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["dns", "dns", "ip"]);
    assert_eq!(
        info["extended_key_usages"],
        serde_json::json!(["server auth"])
    );
    assert_eq!(info["basic_constraints"]["ca"], false);
    assert_eq!(
        info["public_key"],
        serde_json::json!({"algorithm": "ecdsa", "size": 256})
    );
    let openssl = support::require_tool("openssl");
    let fp = ok_in(
        dir.path(),
        &openssl,
        &[
            "x509",
            "-in",
            "leaf.pem",
            "-noout",
            "-fingerprint",
            "-sha256",
        ],
        b"",
    );
    let fp = String::from_utf8(fp).unwrap();
    assert!(
        fp.trim()
            .ends_with(info["fingerprints"]["sha256"].as_str().unwrap()),
        "{fp}"
    );
    let int = certinfo(
        &["-cert", &dir.path().join("int.pem").to_string_lossy()],
        b"",
    );
    assert_eq!(
        int["basic_constraints"],
        serde_json::json!({"ca": true, "path_len": 0})
    );
    assert_eq!(
        int["key_usages"],
        serde_json::json!(["cert sign", "crl sign"])
    );
}

#[test]
fn several_certificates_give_one_entry_each() {
    let chain = std::fs::read(fx("intermediates.crt")).unwrap();
    let info = certinfo(&["-cert", "-"], &chain);
    let entries = info
        .as_array()
        .expect("an array for a multi-certificate file");
    assert_eq!(entries.len(), 2);
    assert!(entries
        .iter()
        .all(|e| e["subject"]["common_name"] == "cloudflare-inter.com"));
}

#[test]
fn csr_is_decoded_not_dumped() {
    let csr = fx("cfssl-leaf-ecdsa256.csr");
    let info = certinfo(&["-csr", &csr], b"");
    assert_eq!(info["subject"]["common_name"], "cloudflare-leaf.com");
    assert_eq!(
        info["sans"],
        serde_json::json!(["cloudflare-leaf.com", "wwwcloudflare-leaf.com"])
    );
    assert_eq!(
        info["public_key"],
        serde_json::json!({"algorithm": "ecdsa", "size": 256})
    );
    assert_eq!(info["signature_valid"], true);
    assert_eq!(info["extensions"][0]["name"], "id-ce-subjectAltName");
}

#[test]
fn bad_input_is_one_line_and_exit_1() {
    for (args, stdin) in [
        (
            vec!["certinfo", "-cert", "-"],
            b"not a certificate".as_slice(),
        ),
        (
            vec!["certinfo", "-csr", "-"],
            b"-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n".as_slice(),
        ),
        (
            vec!["certinfo", "-cert", "/nonexistent.pem"],
            b"".as_slice(),
        ),
    ] {
        let out = run_in(Path::new("."), &certkit(), &args, stdin);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty());
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).trim().lines().count(),
            1,
            "{args:?}"
        );
    }
    let out = run_in(Path::new("."), &certkit(), &["certinfo"], b"");
    assert_eq!(
        out.status.code(),
        Some(2),
        "neither -cert nor -csr is a usage error"
    );
}

/// A positive serial whose top bit is set (DER adds a 0x00 octet) prints
/// as the positive number, as openssl and cfssl 1.2.0 print it. A guard:
/// certkit already read it right (checked for issue 24); this keeps it so.
#[test]
fn a_serial_with_its_top_bit_set_is_positive() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sh = |script: &str| {
        let out = std::process::Command::new("bash")
            .args(["-euo", "pipefail", "-c", script])
            .current_dir(d)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    sh(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout k.pem \
          -out c.pem -subj /CN=top-bit -days 1 -set_serial 0xF23456789ABCDEF0 2>/dev/null",
    );
    let ours = ok_in(d, &certkit(), &["certinfo", "-cert", "c.pem"], b"");
    let ours: Value = serde_json::from_slice(&ours).unwrap();
    assert_eq!(ours["serial_number"], "17452669531959647984");
    if std::path::Path::new("/usr/bin/cfssl").exists() {
        let theirs: Value =
            serde_json::from_str(&sh("/usr/bin/cfssl certinfo -cert c.pem")).unwrap();
        assert_eq!(ours["serial_number"], theirs["serial_number"]);
    } else {
        eprintln!("SKIP: Debian's cfssl 1.2.0 is not installed");
    }
}
