//! `certkit bundle` on cfssl's own bundler test data, with the outcomes
//! cfssl's bundler tests (bundle_from_file_test.go, bundler_test.go)
//! expect: chain lengths, roots, keys, and error codes.
//!
//! Checked at the current time (late 2026): every chain used here is still
//! valid (the leaves and inter-L2 expire in June 2028, the root in 2035),
//! except the ones cfssl itself treats as expired (inter-L1-expired,
//! dsa2048) and the 3072-bit RSA leaf, expired in 2020, whose cases cfssl
//! has disabled too. inter-L1 is SHA-1 signed by a 1024-bit RSA root,
//! which `bundle` refuses by default as `verify` does: every certkit
//! command line here passes `-allow-sha1`, with which certkit builds
//! through it, as cfssl's tests expect, and reports it (status code bit 2
//! and SHA-1 deprecation messages). tests/cli/bundle_rules.rs has the default.
//!
//! Not reproduced: the cases on the GoDaddy certificates cfssl embeds in
//! its Go source (not in testdata), and TestForceBundle /
//! TestSHA2HomogeneityAgainstUbiquity / TestSHA2Warning, which sign new
//! intermediates with the 1024-bit test root key that certkit (rightly)
//! refuses to sign with.

use serde_json::Value;
use std::path::Path;
use support::certkit;
use support::chain::{bundler_fixture as fx, ok_in, pem_count, run_in};

/// Runs `certkit bundle -flavor optimal ARGS`; Ok(json) or Err(stderr).
fn bundle(args: &[&str]) -> Result<Value, String> {
    let mut full = vec!["bundle", "-allow-sha1", "-flavor", "optimal"];
    full.extend_from_slice(args);
    let out = run_in(Path::new("."), &certkit(), &full, b"");
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).unwrap())
    } else {
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty(), "no partial output on failure");
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn cfssl_chain(cert: &str, key: Option<&str>) -> Result<Value, String> {
    let (ca, ints, cert) = (fx("ca.pem"), fx("intermediates.crt"), fx(cert));
    let mut args = vec!["-cert", &cert, "-ca-bundle", &ca, "-int-bundle", &ints];
    let key = key.map(fx);
    if let Some(key) = &key {
        args.extend(["-key", key]);
    }
    bundle(&args)
}

fn expect_code(result: Result<Value, String>, code: u32) {
    let err = result.expect_err("bundling should fail");
    assert!(
        err.contains(&format!("(cfssl error {code})")),
        "expected code {code}: {err}"
    );
}

fn expect_len(result: Result<Value, String>, len: usize) -> Value {
    let json = result.unwrap_or_else(|e| panic!("bundling failed: {e}"));
    assert_eq!(pem_count(json["bundle"].as_str().unwrap()), len, "{json}");
    json
}

const LEAVES: [&str; 5] = ["ecdsa256", "ecdsa384", "ecdsa521", "rsa2048", "rsa4096"];

#[test]
fn every_leaf_bundles_to_three_certificates_with_the_test_root() {
    let root = std::fs::read_to_string(fx("ca.pem")).unwrap();
    for leaf in LEAVES {
        let cert = format!("cfssl-leaf-{leaf}.pem");
        let json = expect_len(cfssl_chain(&cert, None), 3);
        assert_eq!(json["root"].as_str().unwrap(), root.trim(), "{leaf}");
        assert_eq!(json["key"], "", "{leaf}");
        let crt = std::fs::read_to_string(fx(&cert)).unwrap();
        assert_eq!(json["crt"].as_str().unwrap(), crt.trim(), "{leaf}");
        assert!(
            json["bundle"].as_str().unwrap().starts_with(crt.trim()),
            "leaf first: {leaf}"
        );
        let expected_order: Vec<String> = [cert.as_str(), "inter-L2.pem", "inter-L1.pem"]
            .iter()
            .map(|f| std::fs::read_to_string(fx(f)).unwrap().trim().to_string())
            .collect();
        assert_eq!(
            json["bundle"].as_str().unwrap(),
            expected_order.join("\n"),
            "leaf, L2, L1: {leaf}"
        );
        let with_key = expect_len(
            cfssl_chain(&cert, Some(&format!("cfssl-leaf-{leaf}.key"))),
            3,
        );
        assert!(
            with_key["key"]
                .as_str()
                .unwrap()
                .contains("PRIVATE KEY-----"),
            "{leaf}"
        );
    }
}

#[test]
fn key_type_and_key_are_reported_as_cfssl_does() {
    let json = cfssl_chain("cfssl-leaf-ecdsa256.pem", Some("cfssl-leaf-ecdsa256.key")).unwrap();
    assert_eq!(json["key_type"], "256-bit ECDSA");
    assert_eq!(json["key_size"], 256);
    let key = std::fs::read_to_string(fx("cfssl-leaf-ecdsa256.key")).unwrap();
    assert_eq!(json["key"].as_str().unwrap(), key.trim());
    let json = cfssl_chain("cfssl-leaf-rsa2048.pem", Some("cfssl-leaf-rsa2048.key")).unwrap();
    assert_eq!(json["key_type"], "2048-bit RSA");
    let key = std::fs::read_to_string(fx("cfssl-leaf-rsa2048.key")).unwrap();
    assert_eq!(json["key"].as_str().unwrap(), key.trim());
    assert_eq!(
        json["status"]["code"].as_u64().unwrap() & 2,
        2,
        "SHA-1 inter-L1 and no metadata"
    );
    assert_eq!(
        json["hostnames"],
        serde_json::json!(["cfssl-leaf.com", "cloudflare-leaf.com"]),
        "CN and DNS SANs, sorted"
    );
}

/// Like cfssl's corruptCert (PEM that does not decode: 1002) and
/// garbageCert (a CERTIFICATE block that is not a certificate: 1003).
#[test]
fn corrupt_and_garbage_pem_from_stdin() {
    let ca = fx("ca.pem");
    for (input, code) in [
        (
            &b"-----BEGIN CERTIFICATE-----\nMII!!not base64!!\n-----END CERTIFICATE-----\n"[..],
            1002,
        ),
        (
            &b"-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n"[..],
            1003,
        ),
    ] {
        let out = run_in(
            Path::new("."),
            &certkit(),
            &["bundle", "-allow-sha1", "-cert", "-", "-ca-bundle", &ca],
            input,
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("(cfssl error {code})")),
            "{stderr}"
        );
        assert!(stderr.contains("<stdin>"), "names the input: {stderr}");
    }
}

#[test]
fn unreadable_and_undecodable_input() {
    expect_code(cfssl_chain("not_such_cert.pem", None), 1001);
    expect_code(cfssl_chain("empty.pem", None), 1002);
    expect_code(cfssl_chain("cfssl-leaf-ecdsa256.key", None), 1003);
    let (ca, leaf) = (fx("ca.pem"), fx("cfssl-leaf-ecdsa256.pem"));
    expect_code(
        bundle(&["-cert", &leaf, "-ca-bundle", "/nonexistent/ca.pem"]),
        4001,
    );
    expect_code(
        bundle(&[
            "-cert",
            &leaf,
            "-ca-bundle",
            &ca,
            "-int-bundle",
            "/nonexistent/int.pem",
        ]),
        3001,
    );
}

#[test]
fn chain_errors_have_cfssls_codes() {
    // The leaflet's issuer (a leaf) is nowhere: unknown authority.
    expect_code(cfssl_chain("cfssl-leaflet-rsa4096.pem", None), 1220);
    // With that leaf as an intermediate, inter-L1's pathlen 1 is exceeded.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fx("cfssl-leaf-rsa4096.pem"), dir.path().join("extra.pem")).unwrap();
    let (ca, ints, leaflet) = (
        fx("ca.pem"),
        fx("intermediates.crt"),
        fx("cfssl-leaflet-rsa4096.pem"),
    );
    let extra = dir.path().to_str().unwrap();
    expect_code(
        bundle(&[
            "-cert",
            &leaflet,
            "-ca-bundle",
            &ca,
            "-int-bundle",
            &ints,
            "-int-dir",
            extra,
        ]),
        1213,
    );
    // inter-L2 through the expired inter-L1 only.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fx("inter-L1-expired.pem"), dir.path().join("expired.pem")).unwrap();
    let (l2, empty) = (fx("inter-L2.pem"), fx("empty.pem"));
    let expired = dir.path().to_str().unwrap();
    expect_code(
        bundle(&[
            "-cert",
            &l2,
            "-ca-bundle",
            &ca,
            "-int-bundle",
            &empty,
            "-int-dir",
            expired,
        ]),
        1211,
    );
    // A "partial bundle" of two leaves does not chain.
    let (bad, l1) = (fx("bad-bundle.pem"), fx("inter-L1.pem"));
    expect_code(
        bundle(&["-cert", &bad, "-ca-bundle", &ca, "-int-bundle", &l1]),
        1220,
    );
    // A self-signed certificate is not a leaf to bundle.
    expect_code(bundle(&["-cert", &ca, "-ca-bundle", &ca]), 1100);
}

#[test]
fn key_errors_have_cfssls_codes() {
    for (cert, key) in [
        ("cfssl-leaf-rsa4096.pem", "cfssl-leaf-ecdsa256.key"),
        ("cfssl-leaf-ecdsa256.pem", "cfssl-leaf-rsa4096.key"),
        ("cfssl-leaf-rsa2048.pem", "cfssl-leaf-rsa4096.key"),
        ("cfssl-leaf-ecdsa256.pem", "cfssl-leaf-ecdsa384.key"),
    ] {
        expect_code(cfssl_chain(cert, Some(key)), 2300);
    }
    expect_code(cfssl_chain("dsa2048.pem", None), 2200);
    expect_code(cfssl_chain("dsa2048.pem", Some("dsa2048.key")), 2003);
    expect_code(
        cfssl_chain("cfssl-leaf-ecdsa256.pem", Some("cfssl-leaf-ecdsa256.pem")),
        2003,
    );
}

#[test]
fn partial_and_reversed_bundles_are_completed() {
    expect_len(cfssl_chain("partial-bundle.pem", None), 3);
    let (ca, l1) = (fx("ca.pem"), fx("inter-L1.pem"));
    for input in ["partial-bundle.pem", "reverse-partial-bundle.pem"] {
        let cert = fx(input);
        let json = expect_len(
            bundle(&["-cert", &cert, "-ca-bundle", &ca, "-int-bundle", &l1]),
            3,
        );
        assert_eq!(json["status"]["rebundled"], true, "{input}");
    }
}

#[test]
fn a_shorter_path_through_a_directly_signed_intermediate_wins() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fx("inter-L2-direct.pem"), dir.path().join("direct.pem")).unwrap();
    let (ca, ints, leaf) = (
        fx("ca.pem"),
        fx("intermediates.crt"),
        fx("cfssl-leaf-ecdsa256.pem"),
    );
    let extra = dir.path().to_str().unwrap();
    let json = expect_len(
        bundle(&[
            "-cert",
            &leaf,
            "-ca-bundle",
            &ca,
            "-int-bundle",
            &ints,
            "-int-dir",
            extra,
        ]),
        2,
    );
    let direct = std::fs::read_to_string(fx("inter-L2-direct.pem")).unwrap();
    assert!(json["bundle"].as_str().unwrap().ends_with(direct.trim()));
}

/// cfssl bundles its client-auth test chain, whose leaves and
/// intermediate have empty subject and issuer names (RFC 5280 4.1.2.4
/// forbids an empty issuer). `verify` refuses the chain, so `bundle`
/// does too, naming the check (README "Migrating from cfssl").
#[test]
fn client_auth_chain_with_empty_names_is_refused_as_verify_refuses_it() {
    let (root, int) = (fx("client-auth/root.pem"), fx("client-auth/int.pem"));
    for leaf in ["client-auth/leaf-server.pem", "client-auth/leaf-client.pem"] {
        let cert = fx(leaf);
        let err = bundle(&["-cert", &cert, "-ca-bundle", &root, "-int-bundle", &int])
            .expect_err("an empty issuer name is refused");
        assert!(
            err.contains("issuer: leaf") && err.contains("empty issuer name"),
            "{err}"
        );
        assert!(err.contains("(cfssl error 1200)"), "{err}");
    }
}

/// cfssl's TestUbiquityBundleWithoutMetadata and TestUbiquitousBundle:
/// with inter-L1 also trusted as a root, optimal takes the short path;
/// ubiquitous without metadata does too and says so; with metadata where
/// only one platform trusts inter-L1, ubiquitous keeps the long path.
#[test]
fn ubiquity_with_and_without_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let ca = std::fs::read_to_string(fx("ca.pem")).unwrap();
    let l1 = std::fs::read_to_string(fx("inter-L1.pem")).unwrap();
    std::fs::write(dir.path().join("roots.pem"), format!("{ca}{l1}")).unwrap();
    std::fs::write(dir.path().join("ca.pem"), &ca).unwrap();
    let meta = r#"[{"name":"MacroSoft","weight":100,"hash_algo":"SHA2","key_algo":"ECDSA256","keystore":"roots.pem"},
                   {"name":"Godzilla","weight":100,"hash_algo":"SHA2","key_algo":"ECDSA256","keystore":"ca.pem"}]"#;
    std::fs::write(dir.path().join("meta.json"), meta).unwrap();
    let d = |f: &str| dir.path().join(f).to_string_lossy().into_owned();
    let (roots, ints, leaf, meta) = (
        d("roots.pem"),
        fx("intermediates.crt"),
        fx("cfssl-leaf-ecdsa256.pem"),
        d("meta.json"),
    );
    let base = [
        "bundle",
        "-allow-sha1",
        "-cert",
        &leaf,
        "-ca-bundle",
        &roots,
        "-int-bundle",
        &ints,
    ];
    let run = |extra: &[&str]| -> Value {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        serde_json::from_slice(&ok_in(Path::new("."), &certkit(), &args, b"")).unwrap()
    };
    let no_meta = run(&["-flavor", "ubiquitous"]);
    assert_eq!(pem_count(no_meta["bundle"].as_str().unwrap()), 2);
    let messages = no_meta["status"]["messages"].to_string();
    assert!(
        messages.contains("No platform metadata present"),
        "{messages}"
    );
    let optimal = run(&["-flavor", "optimal", "-metadata", &meta]);
    assert_eq!(pem_count(optimal["bundle"].as_str().unwrap()), 2);
    assert_eq!(
        optimal["status"]["untrusted_root_stores"],
        serde_json::json!(["Godzilla"])
    );
    assert_eq!(optimal["status"]["code"].as_u64().unwrap() & 2, 2);
    let ubiquitous = run(&["-flavor", "ubiquitous", "-metadata", &meta]);
    assert_eq!(pem_count(ubiquitous["bundle"].as_str().unwrap()), 3);
    assert_eq!(
        ubiquitous["status"]["untrusted_root_stores"],
        serde_json::json!([])
    );
}

#[test]
fn force_keeps_a_valid_given_chain_and_refuses_a_broken_one() {
    let (ca, partial) = (fx("ca.pem"), fx("reverse-partial-bundle.pem"));
    let out = ok_in(
        Path::new("."),
        &certkit(),
        &[
            "bundle",
            "-allow-sha1",
            "-cert",
            &partial,
            "-ca-bundle",
            &ca,
            "-flavor",
            "force",
        ],
        b"",
    );
    let json: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(pem_count(json["bundle"].as_str().unwrap()), 2);
    assert_eq!(json["root"], "");
    let forward = std::fs::read_to_string(fx("partial-bundle.pem")).unwrap();
    assert_eq!(
        json["bundle"].as_str().unwrap(),
        forward.trim(),
        "reversed input comes back leaf first"
    );
    let bad = fx("bad-bundle.pem");
    let out = run_in(
        Path::new("."),
        &certkit(),
        &[
            "bundle",
            "-allow-sha1",
            "-cert",
            &bad,
            "-ca-bundle",
            &ca,
            "-flavor",
            "force",
        ],
        b"",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("(cfssl error 1200)"));
}

#[test]
fn der_and_stdin_input_and_json_bare_files() {
    let dir = tempfile::tempdir().unwrap();
    let pem = std::fs::read(fx("cfssl-leaf-ecdsa256.pem")).unwrap();
    let der = pem::parse(&pem).unwrap().into_contents();
    let (ca, ints) = (fx("ca.pem"), fx("intermediates.crt"));
    let args = [
        "bundle",
        "-allow-sha1",
        "-cert",
        "-",
        "-ca-bundle",
        &ca,
        "-int-bundle",
        &ints,
        "-flavor",
        "optimal",
    ];
    let from_der = ok_in(dir.path(), &certkit(), &args, &der);
    let from_pem = ok_in(dir.path(), &certkit(), &args, &pem);
    let (a, b): (Value, Value) = (
        serde_json::from_slice(&from_der).unwrap(),
        serde_json::from_slice(&from_pem).unwrap(),
    );
    assert_eq!(a["bundle"], b["bundle"]);
    ok_in(
        dir.path(),
        &certkit(),
        &["json", "-bare", "server"],
        &from_pem,
    );
    let bundle_file = std::fs::read_to_string(dir.path().join("server-bundle.pem")).unwrap();
    let root_file = std::fs::read_to_string(dir.path().join("server-root.pem")).unwrap();
    assert_eq!(pem_count(&bundle_file), 3, "the chain, without the root");
    assert_eq!(
        root_file.trim(),
        std::fs::read_to_string(&ca).unwrap().trim()
    );
    assert_eq!(bundle_file, b["bundle"].as_str().unwrap());
}

/// A cfssl command line runs unchanged through a `cfssl` symlink.
#[test]
fn cfssl_symlink_runs_the_cfssl_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfssl = dir.path().join("cfssl");
    std::os::unix::fs::symlink(certkit(), &cfssl).unwrap();
    let (ca, ints, leaf) = (
        fx("ca.pem"),
        fx("intermediates.crt"),
        fx("cfssl-leaf-ecdsa256.pem"),
    );
    let args = [
        "bundle",
        "-allow-sha1",
        "-cert",
        &leaf,
        "-ca-bundle",
        &ca,
        "-int-bundle",
        &ints,
        "-flavor=optimal",
    ];
    let json: Value = serde_json::from_slice(&ok_in(dir.path(), &cfssl, &args, b"")).unwrap();
    assert_eq!(pem_count(json["bundle"].as_str().unwrap()), 3);
}

/// cfssl's TestECDSAWarning: inter-L2 (ECDSA P-384) through the SHA-1
/// inter-L1 gets the SHA-2 and ECDSA warnings and bit 2.
#[test]
fn ecdsa_and_sha2_warnings() {
    let (ca, l1_sha1, l2) = (fx("ca.pem"), fx("inter-L1-sha1.pem"), fx("inter-L2.pem"));
    let json = bundle(&["-cert", &l2, "-ca-bundle", &ca, "-int-bundle", &l1_sha1]).unwrap();
    assert_eq!(json["status"]["code"].as_u64().unwrap() & 2, 2);
    let messages = json["status"]["messages"].to_string();
    assert!(
        messages.contains("advanced hash functions such as SHA2"),
        "{messages}"
    );
    assert!(messages.contains("ECDSA signatures"), "{messages}");
}

/// cfssl's TestChromeWarning: a leaf signed (by certkit) under the SHA-1
/// intermediate draws each platform's SHA-1 deprecation message.
#[test]
fn sha1_intermediate_draws_deprecation_messages() {
    let dir = tempfile::tempdir().unwrap();
    let (l1_sha1, key, csr) = (
        fx("inter-L1-sha1.pem"),
        fx("inter-L1.key"),
        fx("cfssl-leaf-ecdsa256.csr"),
    );
    let signed = ok_in(
        dir.path(),
        &certkit(),
        &["sign", "-ca", &l1_sha1, "-ca-key", &key, &csr],
        b"",
    );
    ok_in(dir.path(), &certkit(), &["json", "-bare", "leaf"], &signed);
    let leaf = dir.path().join("leaf.pem").to_string_lossy().into_owned();
    let ca = fx("ca.pem");
    let args = [
        "bundle",
        "-allow-sha1",
        "-cert",
        &leaf,
        "-ca-bundle",
        &ca,
        "-int-bundle",
        &l1_sha1,
    ];
    let json: Value = serde_json::from_slice(&ok_in(dir.path(), &certkit(), &args, b"")).unwrap();
    assert_eq!(json["status"]["code"].as_u64().unwrap() & 2, 2);
    let messages: Vec<&str> = json["status"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    for platform in [
        "Google Chrome",
        "Mozilla Firefox",
        "Microsoft Windows Vista and later",
    ] {
        let expected =
            format!("{platform} shows the SSL connection is untrusted due to SHA-1 deprecation");
        assert!(messages.contains(&expected.as_str()), "{messages:?}");
    }
}

/// cfssl's TestUpdateIntermediate and TestForceBundleNoFallback: a leaf
/// (signed by certkit under inter-L1) with its intermediate is kept as is;
/// the leaf alone is rebundled; forced, the leaf alone stays alone.
#[test]
fn rebundled_says_whether_the_chain_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (l1, key, csr, ca) = (
        fx("inter-L1.pem"),
        fx("inter-L1.key"),
        fx("cfssl-leaf-ecdsa256.csr"),
        fx("ca.pem"),
    );
    let signed = ok_in(
        dir.path(),
        &certkit(),
        &["sign", "-ca", &l1, "-ca-key", &key, &csr],
        b"",
    );
    ok_in(dir.path(), &certkit(), &["json", "-bare", "leaf"], &signed);
    let leaf = std::fs::read_to_string(dir.path().join("leaf.pem")).unwrap();
    let chain = format!("{leaf}{}", std::fs::read_to_string(&l1).unwrap());
    let run = |input: &str, extra: &[&str]| -> Value {
        let mut args = vec!["bundle", "-allow-sha1", "-cert", "-", "-ca-bundle", &ca];
        args.extend_from_slice(extra);
        serde_json::from_slice(&ok_in(dir.path(), &certkit(), &args, input.as_bytes())).unwrap()
    };
    assert_eq!(run(&chain, &[])["status"]["rebundled"], false);
    let alone = run(&leaf, &["-int-bundle", &l1]);
    assert_eq!(alone["status"]["rebundled"], true);
    assert_eq!(pem_count(alone["bundle"].as_str().unwrap()), 2);
    let forced = run(&leaf, &["-int-bundle", &l1, "-flavor", "force"]);
    assert_eq!(forced["status"]["rebundled"], false);
    assert_eq!(pem_count(forced["bundle"].as_str().unwrap()), 1);
}
