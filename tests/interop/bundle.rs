//! `certkit bundle` against Debian's cfssl 1.2.0 `cfssl bundle` on chains
//! certkit made itself (root, intermediate with pathlen 0, leaf; ECDSA and
//! RSA), and PKCS#7 input made by openssl.

use serde_json::Value;
use std::collections::BTreeSet;
use support::chain::{certkit_chain, ok_in, pem_count};
use support::{certkit, require_tool};

fn real_cfssl() -> std::path::PathBuf {
    let p = std::path::PathBuf::from("/usr/bin/cfssl");
    assert!(
        p.is_file(),
        "Debian's cfssl is not installed; run scripts/test (apt-get install golang-cfssl)"
    );
    p
}

fn hostnames(v: &Value) -> BTreeSet<String> {
    v["hostnames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_string())
        .collect()
}

fn compare_with_cfssl(algo: &str, flavor: &str) {
    let dir = tempfile::tempdir().unwrap();
    certkit_chain(dir.path(), algo);
    let args = [
        "bundle",
        "-cert",
        "leaf.pem",
        "-ca-bundle",
        "root.pem",
        "-int-bundle",
        "int.pem",
        "-key",
        "leaf-key.pem",
        "-flavor",
        flavor,
    ];
    let ours: Value = serde_json::from_slice(&ok_in(dir.path(), &certkit(), &args, b"")).unwrap();
    let theirs: Value =
        serde_json::from_slice(&ok_in(dir.path(), &real_cfssl(), &args, b"")).unwrap();
    // cfssl 1.2.0 predates `leaf_expires`; newer cfssl and certkit add it.
    for field in [
        "bundle",
        "root",
        "issuer",
        "subject",
        "expires",
        "key_type",
        "key_size",
        "signature",
        "crt",
        "key",
        "ocsp",
        "ocsp_support",
        "crl_support",
    ] {
        assert_eq!(ours[field], theirs[field], "{algo}/{flavor}: {field}");
    }
    for field in ["rebundled", "expiring_SKIs", "untrusted_root_stores"] {
        assert_eq!(
            ours["status"][field], theirs["status"][field],
            "{algo}/{flavor}: status.{field}"
        );
    }
    assert_eq!(
        ours["status"]["code"], theirs["status"]["code"],
        "{algo}/{flavor}: status.code"
    );
    assert_eq!(
        ours["status"]["messages"], theirs["status"]["messages"],
        "{algo}/{flavor}: messages"
    );
    assert_eq!(
        hostnames(&ours),
        hostnames(&theirs),
        "{algo}/{flavor}: hostnames"
    );
    assert_eq!(
        pem_count(ours["bundle"].as_str().unwrap()),
        2,
        "leaf and intermediate, root apart"
    );
}

#[test]
fn ecdsa_chain_matches_cfssl() {
    compare_with_cfssl("ecdsa", "optimal");
    compare_with_cfssl("ecdsa", "ubiquitous");
}

#[test]
fn rsa_chain_matches_cfssl() {
    compare_with_cfssl("rsa", "optimal");
}

#[test]
fn force_with_a_reversed_chain_matches_cfssl() {
    let dir = tempfile::tempdir().unwrap();
    certkit_chain(dir.path(), "ecdsa");
    let leaf = std::fs::read_to_string(dir.path().join("leaf.pem")).unwrap();
    let int = std::fs::read_to_string(dir.path().join("int.pem")).unwrap();
    std::fs::write(dir.path().join("reversed.pem"), format!("{int}{leaf}")).unwrap();
    let args = [
        "bundle",
        "-cert",
        "reversed.pem",
        "-ca-bundle",
        "root.pem",
        "-flavor",
        "force",
    ];
    let ours: Value = serde_json::from_slice(&ok_in(dir.path(), &certkit(), &args, b"")).unwrap();
    let theirs: Value =
        serde_json::from_slice(&ok_in(dir.path(), &real_cfssl(), &args, b"")).unwrap();
    for field in ["bundle", "root", "subject", "expires"] {
        assert_eq!(ours[field], theirs[field], "force: {field}");
    }
    assert_eq!(ours["status"]["code"], theirs["status"]["code"]);
    assert_eq!(ours["status"]["rebundled"], theirs["status"]["rebundled"]);
}

#[test]
fn missing_intermediate_fails_like_cfssl() {
    let dir = tempfile::tempdir().unwrap();
    certkit_chain(dir.path(), "ecdsa");
    let args = ["bundle", "-cert", "leaf.pem", "-ca-bundle", "root.pem"];
    let ours = support::chain::run_in(dir.path(), &certkit(), &args, b"");
    let theirs = support::chain::run_in(dir.path(), &real_cfssl(), &args, b"");
    assert!(!ours.status.success() && !theirs.status.success());
    assert!(String::from_utf8_lossy(&theirs.stderr).contains("\"code\":1220"));
    assert!(String::from_utf8_lossy(&ours.stderr).contains("(cfssl error 1220)"));
}

#[test]
fn pkcs7_input_from_openssl_bundles_like_pem() {
    let openssl = require_tool("openssl");
    let dir = tempfile::tempdir().unwrap();
    certkit_chain(dir.path(), "ecdsa");
    let p7 = ok_in(
        dir.path(),
        &openssl,
        &[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            "leaf.pem",
            "-certfile",
            "int.pem",
            "-outform",
            "DER",
        ],
        b"",
    );
    std::fs::write(dir.path().join("chain.p7b"), &p7).unwrap();
    let p7_pem = ok_in(
        dir.path(),
        &openssl,
        &[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            "leaf.pem",
            "-certfile",
            "int.pem",
        ],
        b"",
    );
    std::fs::write(dir.path().join("chain.p7.pem"), &p7_pem).unwrap();
    let pem_args = [
        "bundle",
        "-cert",
        "leaf.pem",
        "-ca-bundle",
        "root.pem",
        "-int-bundle",
        "int.pem",
    ];
    let expected: Value =
        serde_json::from_slice(&ok_in(dir.path(), &certkit(), &pem_args, b"")).unwrap();
    for input in ["chain.p7b", "chain.p7.pem"] {
        let args = ["bundle", "-cert", input, "-ca-bundle", "root.pem"];
        let got: Value =
            serde_json::from_slice(&ok_in(dir.path(), &certkit(), &args, b"")).unwrap();
        assert_eq!(got["bundle"], expected["bundle"], "{input}");
        assert_eq!(got["root"], expected["root"], "{input}");
    }
}

/// cfssljson 1.2.0 writes NAME-bundle.pem as the chain alone, what servers
/// send; certkit json writes the same, and NAME-root.pem besides, which
/// cfssljson 1.2.0 never writes.
#[test]
fn json_bare_extends_what_cfssljson_writes_for_a_bundle() {
    let cfssljson = std::path::PathBuf::from("/usr/bin/cfssljson");
    assert!(
        cfssljson.is_file(),
        "Debian's cfssljson is not installed; run scripts/test"
    );
    let dir = tempfile::tempdir().unwrap();
    certkit_chain(dir.path(), "ecdsa");
    let args = [
        "bundle",
        "-cert",
        "leaf.pem",
        "-ca-bundle",
        "root.pem",
        "-int-bundle",
        "int.pem",
    ];
    let json = ok_in(dir.path(), &certkit(), &args, b"");
    ok_in(dir.path(), &cfssljson, &["-bare", "theirs"], &json);
    ok_in(dir.path(), &certkit(), &["json", "-bare", "ours"], &json);
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    let (theirs, ours, root) = (
        read("theirs-bundle.pem"),
        read("ours-bundle.pem"),
        read("ours-root.pem"),
    );
    assert_eq!(ours, theirs, "the same chain, without the root");
    assert_eq!(root.trim(), read("root.pem").trim());
    assert!(!dir.path().join("theirs-root.pem").exists());
}
