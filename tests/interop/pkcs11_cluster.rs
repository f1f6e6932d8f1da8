//! `certkit cluster` with CA keys that stay in a PKCS#11 token (SoftHSM2):
//! `init --ca-key NAME=URI` makes those CAs for keys in the token and
//! writes their URI as NAME.key; `renew` and `init --reuse-ca` sign
//! through the token. openssl verifies every chain; the token's public
//! keys come from pkcs11-tool. Token failures are one line and change
//! nothing.

use crate::pkcs11::{certkit_in, ok, one_error_line, openssl_ok};
use std::path::Path;
use support::softhsm::SoftHsm;

const SPEC: &str = r#"{
  "cluster_name": "token",
  "nodes": [{"name": "cp-1", "ip": "192.0.2.11"}],
  "key": "ecdsa-p256",
  "ca_expiry": "48h",
  "leaf_expiry": "24h"
}"#;

/// The leaves each token CA signs.
const ROOT_LEAVES: &[&str] = &["apiserver", "apiserver-kubelet-client"];
const ETCD_LEAVES: &[&str] = &[
    "etcd/server",
    "etcd/peer",
    "etcd/healthcheck-client",
    "apiserver-etcd-client",
];

/// The token with two CA keys: the root's ECDSA, etcd's RSA.
fn token() -> SoftHsm {
    let hsm = SoftHsm::new();
    hsm.keygen("EC:prime256v1", "k8s-ca", "01");
    hsm.keygen("rsa:2048", "etcd-ca", "02");
    std::fs::write(hsm.path("cluster.json"), SPEC).unwrap();
    hsm
}

fn init_args<'a>(out: &'a str, root: &'a str, etcd: &'a str) -> Vec<&'a str> {
    vec![
        "cluster",
        "init",
        "-config",
        "cluster.json",
        "--out",
        out,
        "--ca-key",
        root,
        "--ca-key",
        etcd,
    ]
}

/// openssl verifies every leaf against its CA (the chain's signatures).
fn verify_leaves(dir: &Path) {
    for (ca, leaves) in [("ca", ROOT_LEAVES), ("etcd/ca", ETCD_LEAVES)] {
        for leaf in leaves {
            let out = openssl_ok(
                dir,
                &[
                    "verify",
                    "-CAfile",
                    &format!("pki/{ca}.crt"),
                    &format!("pki/{leaf}.crt"),
                ],
            );
            assert!(out.contains(": OK"), "{leaf} under {ca}: {out}");
        }
    }
}

/// The public key of a certificate, and of a token key (pkcs11-tool's
/// DER), both as openssl prints them.
fn cert_public_key(dir: &Path, cert: &str) -> String {
    openssl_ok(dir, &["x509", "-noout", "-pubkey", "-in", cert])
}

fn token_public_key(hsm: &SoftHsm, label: &str) -> String {
    std::fs::write(hsm.path("pub.der"), hsm.public_key_der(label)).unwrap();
    openssl_ok(
        hsm.dir.path(),
        &["pkey", "-pubin", "-inform", "DER", "-in", "pub.der"],
    )
}

fn read(hsm: &SoftHsm, file: &str) -> Vec<u8> {
    std::fs::read(hsm.path(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn a_cluster_whose_ca_keys_are_in_a_token_issues_and_renews_its_leaves() {
    let hsm = token();
    let (root, etcd) = (hsm.uri("k8s-ca"), hsm.uri("etcd-ca"));
    let (root_arg, etcd_arg) = (format!("ca={root}"), format!("etcd/ca={etcd}"));
    let out = certkit_in(&hsm, &init_args("pki", &root_arg, &etcd_arg), None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = hsm.dir.path();

    // The token CAs' key files name the key; the other CA's is a key.
    assert_eq!(read(&hsm, "pki/ca.key"), format!("{root}\n").into_bytes());
    assert_eq!(
        read(&hsm, "pki/etcd/ca.key"),
        format!("{etcd}\n").into_bytes()
    );
    let front = String::from_utf8(read(&hsm, "pki/front-proxy-ca.key")).unwrap();
    assert!(front.contains("PRIVATE KEY"), "{front}");
    for file in ["pki/ca.key", "pki/etcd/ca.key"] {
        let text = String::from_utf8(read(&hsm, file)).unwrap();
        assert!(!text.contains("PRIVATE KEY"), "{file}: {text}");
    }
    // The CAs are the token's keys, and they signed the leaves.
    assert_eq!(
        cert_public_key(dir, "pki/ca.crt"),
        token_public_key(&hsm, "k8s-ca")
    );
    assert_eq!(
        cert_public_key(dir, "pki/etcd/ca.crt"),
        token_public_key(&hsm, "etcd-ca")
    );
    verify_leaves(dir);

    // Renewing every leaf signs through the token; the CAs stay as they are.
    let ca_before = read(&hsm, "pki/ca.crt");
    let leaf_before = read(&hsm, "pki/etcd/server.crt");
    ok(&hsm, &["cluster", "renew", "all", "--out", "pki"], None);
    assert_ne!(read(&hsm, "pki/etcd/server.crt"), leaf_before);
    assert_eq!(read(&hsm, "pki/etcd/server.crt.bak"), leaf_before);
    assert_eq!(read(&hsm, "pki/ca.crt"), ca_before);
    assert_eq!(read(&hsm, "pki/ca.key"), format!("{root}\n").into_bytes());
    assert_eq!(
        read(&hsm, "pki/etcd/ca.key"),
        format!("{etcd}\n").into_bytes()
    );
    verify_leaves(dir);

    // New leaves under the kept token CAs: the key files are kept as they are.
    let apiserver_before = read(&hsm, "pki/apiserver.crt");
    ok(
        &hsm,
        &[
            "cluster",
            "init",
            "-config",
            "cluster.json",
            "--out",
            "pki",
            "--reuse-ca",
        ],
        None,
    );
    assert_ne!(read(&hsm, "pki/apiserver.crt"), apiserver_before);
    assert_eq!(read(&hsm, "pki/ca.crt"), ca_before);
    assert_eq!(read(&hsm, "pki/ca.key"), format!("{root}\n").into_bytes());
    assert_eq!(
        read(&hsm, "pki/etcd/ca.key"),
        format!("{etcd}\n").into_bytes()
    );
    verify_leaves(dir);
}

#[test]
fn a_wrong_pin_or_a_missing_token_is_one_line_and_changes_nothing() {
    let hsm = token();
    std::fs::write(hsm.path("wrong-pin"), "000000\n").unwrap();
    let wrong_pin = |uri: String| {
        uri.replace(
            &format!("file:{}", hsm.path("pin").display()),
            &format!("file:{}", hsm.path("wrong-pin").display()),
        )
    };

    // init: a wrong PIN leaves no directory behind. (The first key opened:
    // a PKCS#11 login holds for the whole token in a process.)
    let (root_arg, etcd_arg) = (
        format!("ca={}", hsm.uri("k8s-ca")),
        format!("etcd/ca={}", hsm.uri("etcd-ca")),
    );
    let bad_root = format!("ca={}", wrong_pin(hsm.uri("k8s-ca")));
    let out = certkit_in(&hsm, &init_args("pki", &bad_root, &etcd_arg), None);
    let err = one_error_line(&out);
    assert!(err.contains("--ca-key ca:"), "{err}");
    assert!(err.contains("wrong PIN (CKR_PIN_INCORRECT)"), "{err}");
    assert!(!hsm.path("pki").exists(), "a failed init left pki/");

    // A key that is not in the token, and a CA name not in the layout.
    let missing = format!("etcd/ca={}", hsm.uri("no-such-key"));
    let err = one_error_line(&certkit_in(
        &hsm,
        &init_args("pki", &root_arg, &missing),
        None,
    ));
    assert!(err.contains("no private key"), "{err}");
    let kubelet = format!("kubelet={}", hsm.uri("etcd-ca"));
    let err = one_error_line(&certkit_in(
        &hsm,
        &init_args("pki", &root_arg, &kubelet),
        None,
    ));
    assert!(err.contains("--ca-key") && err.contains("kubelet"), "{err}");
    assert!(!hsm.path("pki").exists(), "a failed init left pki/");

    ok(&hsm, &init_args("pki", &root_arg, &etcd_arg), None);
    let before = read(&hsm, "pki/apiserver.crt");

    // renew: the token taken away, then a key file whose PIN is wrong.
    hsm.remove_token();
    let out = certkit_in(&hsm, &["cluster", "renew", "all", "--out", "pki"], None);
    hsm.restore_token();
    let err = one_error_line(&out);
    assert!(err.contains("no token"), "{err}");
    assert_eq!(read(&hsm, "pki/apiserver.crt"), before);
    assert!(!hsm.path("pki/apiserver.crt.bak").exists());

    std::fs::write(
        hsm.path("pki/ca.key"),
        format!("{}\n", wrong_pin(hsm.uri("k8s-ca"))),
    )
    .unwrap();
    let out = certkit_in(
        &hsm,
        &["cluster", "renew", "apiserver", "--out", "pki"],
        None,
    );
    let err = one_error_line(&out);
    assert!(err.contains("wrong PIN (CKR_PIN_INCORRECT)"), "{err}");
    assert_eq!(read(&hsm, "pki/apiserver.crt"), before);
    assert!(!hsm.path("pki/apiserver.crt.bak").exists());
}

#[test]
fn new_token_keys_are_generated_in_the_token_as_the_spec_says() {
    let hsm = SoftHsm::new();
    std::fs::write(
        hsm.path("cluster.json"),
        SPEC.replace(
            r#""key": "ecdsa-p256","#,
            r#""key": "ecdsa-p256", "keys": {"etcd/ca": "rsa-2048"},"#,
        ),
    )
    .unwrap();
    let (root_arg, etcd_arg) = (
        format!("ca={}", hsm.uri("k8s-ca")),
        format!("etcd/ca={}", hsm.uri("etcd-ca")),
    );
    let mut args = init_args("pki", &root_arg, &etcd_arg);

    // Refused before any key is generated: --cfssl-out, an existing directory.
    let with_cfssl = [
        args.as_slice(),
        &["--new-token-keys", "--cfssl-out", "cfssl"],
    ]
    .concat();
    let err = one_error_line(&certkit_in(&hsm, &with_cfssl, None));
    assert!(err.contains("--cfssl-out"), "{err}");
    std::fs::create_dir(hsm.path("pki")).unwrap();
    args.push("--new-token-keys");
    let err = one_error_line(&certkit_in(&hsm, &args, None));
    assert!(err.contains("pki"), "{err}");
    let objects = String::from_utf8(hsm.pkcs11_tool(&["--list-objects"])).unwrap();
    assert!(
        !objects.contains("k8s-ca"),
        "a key was generated: {objects}"
    );
    std::fs::remove_dir(hsm.path("pki")).unwrap();

    ok(&hsm, &args, None);
    let dir = hsm.dir.path();
    assert_eq!(
        cert_public_key(dir, "pki/ca.crt"),
        token_public_key(&hsm, "k8s-ca")
    );
    assert_eq!(
        cert_public_key(dir, "pki/etcd/ca.crt"),
        token_public_key(&hsm, "etcd-ca")
    );
    let etcd_ca = openssl_ok(dir, &["x509", "-noout", "-text", "-in", "pki/etcd/ca.crt"]);
    assert!(etcd_ca.contains("rsaEncryption"), "{etcd_ca}");
    // Private, sensitive and never extractable in the token.
    let objects =
        String::from_utf8(hsm.pkcs11_tool(&["--list-objects", "--type", "privkey"])).unwrap();
    assert_eq!(objects.matches("never extractable").count(), 2, "{objects}");
    verify_leaves(dir);
    // --reuse-ca keeps the CAs: refused with a token key, before generating.
    let reuse = [args.as_slice(), &["--reuse-ca"]].concat();
    let err = one_error_line(&certkit_in(&hsm, &reuse, None));
    assert!(err.contains("--reuse-ca"), "{err}");
    let after =
        String::from_utf8(hsm.pkcs11_tool(&["--list-objects", "--type", "privkey"])).unwrap();
    assert_eq!(after, objects, "a key was generated");
    // Generating again would make a second key of the same name: refused.
    let err = one_error_line(&certkit_in(
        &hsm,
        &init_args("pki2", &root_arg, &etcd_arg)
            .into_iter()
            .chain(["--new-token-keys"])
            .collect::<Vec<_>>(),
        None,
    ));
    assert!(err.contains("--ca-key ca"), "{err}");
    assert!(!hsm.path("pki2").exists());
}
