//! CA keys in a PKCS#11 token (SoftHSM2), checked with the tools that
//! hold the same token: OpenSC's pkcs11-tool and openssl's PKCS#11 engine
//! (libp11). The token lives in the test's temporary directory.
//! (SoftHSM2 never locks a PIN, so CKR_PIN_LOCKED is not tested here.)

use std::path::Path;
use std::process::{Command, Output};
use support::dir::field;
use support::softhsm::{module, SoftHsm, LABEL, PIN};
use support::{certkit, require_tool};

const CA_REQUEST: &str =
    r#"{"CN":"Token CA","names":[{"O":"certkit tests"}],"key":{"algo":"ecdsa","size":256}}"#;
const LEAF_REQUEST: &str =
    r#"{"CN":"leaf.example","hosts":["leaf.example"],"key":{"algo":"ecdsa","size":256}}"#;

pub(crate) fn certkit_in(hsm: &SoftHsm, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(support::certkit_dynamic());
    hsm.env(&mut cmd)
        .args(args)
        .current_dir(hsm.dir.path())
        .env_remove("CFSSL_CA_PK_PASSWORD");
    match stdin {
        Some(text) => {
            std::fs::write(hsm.path("stdin.json"), text).unwrap();
            cmd.stdin(std::fs::File::open(hsm.path("stdin.json")).unwrap());
        }
        None => {
            cmd.stdin(std::process::Stdio::null());
        }
    }
    cmd.output().unwrap()
}

pub(crate) fn ok(hsm: &SoftHsm, args: &[&str], stdin: Option<&str>) -> String {
    let out = certkit_in(hsm, args, stdin);
    assert!(
        out.status.success(),
        "certkit {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn openssl(dir: &Path, args: &[&str]) -> Output {
    Command::new(require_tool("openssl"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

pub(crate) fn openssl_ok(dir: &Path, args: &[&str]) -> String {
    let out = openssl(dir, args);
    assert!(
        out.status.success(),
        "openssl {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `gencert -initca -ca-key URI`: the self-signed CA of the token key,
/// written to ca.pem; no key in the output.
fn initca(hsm: &SoftHsm, object: &str) {
    let json = ok(
        hsm,
        &["gencert", "-initca", "-ca-key", &hsm.uri(object), "-"],
        Some(CA_REQUEST),
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        v.get("key").is_none_or(|k| k.as_str() == Some("")),
        "a token key was printed: {json}"
    );
    std::fs::write(hsm.path("ca.pem"), field(&json, "cert")).unwrap();
}

/// `certkit sign -ca CA -ca-key URI CSR` with the token key `object`,
/// the certificate written to OUT.
fn sign_to(hsm: &SoftHsm, ca: &str, object: &str, csr: &str, out: &str) {
    let json = ok(
        hsm,
        &["sign", "-ca", ca, "-ca-key", &hsm.uri(object), csr],
        None,
    );
    std::fs::write(hsm.path(out), field(&json, "cert")).unwrap();
}

/// A leaf CSR made by certkit genkey, in leaf.csr.
fn leaf_csr(hsm: &SoftHsm) {
    let json = ok(hsm, &["genkey", "-"], Some(LEAF_REQUEST));
    std::fs::write(hsm.path("leaf.csr"), field(&json, "csr")).unwrap();
}

#[test]
fn ecdsa_and_rsa_token_keys_make_a_ca_and_sign_csrs_openssl_verifies() {
    let hsm = SoftHsm::new();
    for (n, (key_type, want_alg)) in [
        ("EC:prime256v1", "ecdsa-with-SHA256"),
        ("EC:secp384r1", "ecdsa-with-SHA384"),
        ("rsa:2048", "sha256WithRSAEncryption"),
        ("rsa:3072", "sha384WithRSAEncryption"),
    ]
    .into_iter()
    .enumerate()
    {
        let label = format!("ca{n}");
        hsm.keygen(key_type, &label, &format!("0{n}"));
        initca(&hsm, &label);
        // The certificate's public key is the token's, as pkcs11-tool
        // reads it (OpenSC 0.23 cannot read a P-384 one: "cannot create
        // EVP_PKEY"; openssl's engine reads that one).
        let token_pub = if key_type == "EC:secp384r1" {
            let uri = format!("pkcs11:token={LABEL};object={label};type=public");
            openssl_engine(
                &hsm,
                &[
                    "pkey", "-engine", "pkcs11", "-inform", "engine", "-pubin", "-in", &uri,
                    "-pubout",
                ],
            )
        } else {
            std::fs::write(hsm.path("token.pub.der"), hsm.public_key_der(&label)).unwrap();
            openssl_ok(hsm.dir.path(), &["pkey", "-pubin", "-in", "token.pub.der"])
        };
        let cert_pub = openssl_ok(
            hsm.dir.path(),
            &["x509", "-in", "ca.pem", "-noout", "-pubkey"],
        );
        assert!(cert_pub.contains("BEGIN PUBLIC KEY"), "{cert_pub}");
        assert_eq!(token_pub, cert_pub, "{key_type}");
        openssl_ok(hsm.dir.path(), &["verify", "-CAfile", "ca.pem", "ca.pem"]);

        leaf_csr(&hsm);
        sign_to(&hsm, "ca.pem", &label, "leaf.csr", "leaf.pem");
        let verified = openssl_ok(hsm.dir.path(), &["verify", "-CAfile", "ca.pem", "leaf.pem"]);
        assert!(verified.contains("leaf.pem: OK"), "{key_type}: {verified}");
        let text = openssl_ok(
            hsm.dir.path(),
            &["x509", "-in", "leaf.pem", "-noout", "-text"],
        );
        assert!(
            text.contains(&format!("Signature Algorithm: {want_alg}")),
            "{key_type}: {text}"
        );
    }
}

/// openssl's engine configuration for the same token.
fn engine_conf(hsm: &SoftHsm) -> std::path::PathBuf {
    let engine = [
        "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so",
        "/usr/lib/aarch64-linux-gnu/engines-3/pkcs11.so",
    ]
    .into_iter()
    .find(|p| Path::new(p).is_file())
    .expect(
        "openssl's PKCS#11 engine is not installed; run scripts/test (libengine-pkcs11-openssl)",
    );
    let conf = hsm.path("openssl-engine.cnf");
    std::fs::write(
        &conf,
        format!(
            "openssl_conf = conf\n[conf]\nengines = engines\n[engines]\npkcs11 = pkcs11_section\n[pkcs11_section]\nengine_id = pkcs11\ndynamic_path = {engine}\nMODULE_PATH = {}\ninit = 0\n",
            module().display()
        ),
    )
    .unwrap();
    conf
}

fn openssl_engine(hsm: &SoftHsm, args: &[&str]) -> String {
    let out = hsm
        .env(&mut Command::new(require_tool("openssl")))
        .env("OPENSSL_CONF", engine_conf(hsm))
        .args(args)
        .current_dir(hsm.dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn openssl_with_the_same_token_agrees_with_certkit() {
    let hsm = SoftHsm::new();
    hsm.keygen("EC:prime256v1", "ca", "01");
    hsm.keygen("rsa:2048", "svc", "02");
    let engine_uri =
        |object: &str| format!("pkcs11:token={LABEL};object={object};type=private;pin-value={PIN}");

    // openssl makes the root with the token key; certkit signs under it
    // with the same key; openssl verifies certkit's certificate.
    openssl_engine(
        &hsm,
        &[
            "req",
            "-x509",
            "-new",
            "-engine",
            "pkcs11",
            "-keyform",
            "engine",
            "-key",
            &engine_uri("ca"),
            "-subj",
            "/CN=openssl root",
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-out",
            "openssl-root.pem",
        ],
    );
    leaf_csr(&hsm);
    sign_to(&hsm, "openssl-root.pem", "ca", "leaf.csr", "leaf.pem");
    let verified = openssl_ok(
        hsm.dir.path(),
        &["verify", "-CAfile", "openssl-root.pem", "leaf.pem"],
    );
    assert!(verified.contains("leaf.pem: OK"), "{verified}");

    // openssl signs a CSR with another token key; certkit accepts it and
    // signs it with the CA key in the token.
    openssl_engine(
        &hsm,
        &[
            "req",
            "-new",
            "-engine",
            "pkcs11",
            "-keyform",
            "engine",
            "-key",
            &engine_uri("svc"),
            "-subj",
            "/CN=svc.example",
            "-addext",
            "subjectAltName=DNS:svc.example",
            "-out",
            "svc.csr",
        ],
    );
    sign_to(&hsm, "openssl-root.pem", "ca", "svc.csr", "svc.pem");
    openssl_ok(
        hsm.dir.path(),
        &["verify", "-CAfile", "openssl-root.pem", "svc.pem"],
    );
    std::fs::write(hsm.path("svc.pub.der"), hsm.public_key_der("svc")).unwrap();
    assert_eq!(
        openssl_ok(hsm.dir.path(), &["pkey", "-pubin", "-in", "svc.pub.der"]),
        openssl_ok(
            hsm.dir.path(),
            &["x509", "-in", "svc.pem", "-noout", "-pubkey"]
        )
    );
}

pub(crate) fn one_error_line(out: &Output) -> String {
    assert!(!out.status.success());
    assert!(
        out.stdout.is_empty(),
        "output on failure: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!err.contains(PIN), "the PIN is in the message: {err}");
    err
}

#[test]
fn token_errors_are_one_line_without_the_pin() {
    let hsm = SoftHsm::new();
    hsm.keygen("EC:prime256v1", "ca", "01");
    leaf_csr(&hsm);
    initca(&hsm, "ca");
    let sign = |uri: &str| {
        certkit_in(
            &hsm,
            &["sign", "-ca", "ca.pem", "-ca-key", uri, "leaf.csr"],
            None,
        )
    };
    let good = hsm.uri("ca");

    std::fs::write(hsm.path("wrong-pin"), "000000\n").unwrap();
    let wrong = good.replace(
        &format!("file:{}", hsm.path("pin").display()),
        &format!("file:{}", hsm.path("wrong-pin").display()),
    );
    let err = one_error_line(&sign(&wrong));
    assert!(err.contains("wrong PIN (CKR_PIN_INCORRECT)"), "{err}");

    let err = one_error_line(&sign(&good.replace("object=ca", "object=nope")));
    assert!(err.contains("no private key \"nope\""), "{err}");
    let err = one_error_line(&sign(&good.replace("token=certkit", "token=elsewhere")));
    assert!(err.contains("no token \"elsewhere\""), "{err}");
    let err = one_error_line(&sign(
        &good.replace(module().to_str().unwrap(), "/nonexistent/module.so"),
    ));
    assert!(
        err.contains("/nonexistent/module.so") && err.contains("cannot be loaded"),
        "{err}"
    );
    let err = one_error_line(&sign(&format!("pkcs11:token={LABEL};object=ca")));
    assert!(
        err.contains("no module given") && err.contains("CERTKIT_PKCS11_MODULE"),
        "{err}"
    );
    let err = one_error_line(&sign(&good.replace("type=private", "kind=private")));
    assert!(err.contains("kind"), "{err}");

    // A token key that is not the CA certificate's.
    hsm.keygen("EC:prime256v1", "other", "02");
    let err = one_error_line(&sign(&hsm.uri("other")));
    assert!(err.contains("does not match the CA certificate"), "{err}");

    // Keys certkit cannot sign certificates with: RSA-1024, and a
    // secp256k1 key.
    hsm.keygen("rsa:1024", "weak", "03");
    let err = one_error_line(&sign(&hsm.uri("weak")));
    assert!(
        err.contains("key \"weak\"") && err.contains("RSA-1024 is not supported"),
        "{err}"
    );
    hsm.keygen("EC:secp256k1", "koblitz", "04");
    let err = one_error_line(&sign(&hsm.uri("koblitz")));
    assert!(err.contains("1.3.132.0.10 is not supported"), "{err}");

    // The default module from the environment; the PIN from env:VAR
    // (quietly) or from pin-value (with a warning), never echoed.
    for (uri, warned) in [
        (
            format!("pkcs11:token={LABEL};object=ca?pin-source=env:TOKEN_PIN"),
            false,
        ),
        (
            format!("pkcs11:token={LABEL};object=ca?pin-value={PIN}"),
            true,
        ),
    ] {
        let mut cmd = Command::new(support::certkit_dynamic());
        let out = hsm
            .env(&mut cmd)
            .env("CERTKIT_PKCS11_MODULE", module())
            .env("TOKEN_PIN", PIN)
            .args(["sign", "-ca", "ca.pem", "-ca-key", &uri, "leaf.csr"])
            .current_dir(hsm.dir.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert_eq!(
            err.contains("pin-value puts the PIN in the process arguments"),
            warned,
            "{err}"
        );
        assert_eq!(err.matches(PIN).count(), 0, "{err}");
    }
}

#[test]
fn initca_can_generate_the_key_inside_the_token_never_to_leave_it() {
    let hsm = SoftHsm::new();
    for (label, request) in [
        (
            "root-ec",
            r#"{"CN":"Token Root","key":{"algo":"ecdsa","size":256}}"#,
        ),
        (
            "root-ed",
            r#"{"CN":"Token Root Ed25519","key":{"algo":"ed25519"}}"#,
        ),
    ] {
        let args = [
            "gencert",
            "-initca",
            "-new-token-key",
            "-ca-key",
            &hsm.uri(label),
            "-",
        ];
        let json = ok(&hsm, &args, Some(request));
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(
            v.get("key").is_none_or(|k| k.as_str() == Some("")),
            "{json}"
        );
        std::fs::write(hsm.path("ca.pem"), field(&json, "cert")).unwrap();
        openssl_ok(hsm.dir.path(), &["verify", "-CAfile", "ca.pem", "ca.pem"]);

        // The token holds it sensitive and never extractable, and its
        // public key is the certificate's.
        let listing = String::from_utf8_lossy(&hsm.pkcs11_tool(&[
            "--list-objects",
            "--type",
            "privkey",
            "--label",
            label,
        ]))
        .into_owned();
        assert!(
            listing.contains("sensitive") && listing.contains("never extractable"),
            "{listing}"
        );
        std::fs::write(hsm.path("token.pub.der"), hsm.public_key_der(label)).unwrap();
        assert_eq!(
            openssl_ok(hsm.dir.path(), &["pkey", "-pubin", "-in", "token.pub.der"]),
            openssl_ok(
                hsm.dir.path(),
                &["x509", "-in", "ca.pem", "-noout", "-pubkey"]
            )
        );

        // It signs leaves; and a second generation under that name is refused.
        leaf_csr(&hsm);
        let leaf = ok(
            &hsm,
            &[
                "sign",
                "-ca",
                "ca.pem",
                "-ca-key",
                &hsm.uri(label),
                "leaf.csr",
            ],
            None,
        );
        std::fs::write(hsm.path("leaf.pem"), field(&leaf, "cert")).unwrap();
        openssl_ok(hsm.dir.path(), &["verify", "-CAfile", "ca.pem", "leaf.pem"]);
        let again = one_error_line(&certkit_in(&hsm, &args, Some(request)));
        assert!(again.contains("already exists"), "{again}");
    }
}

/// The static certkit (build.rs's default where glibc's static archives
/// are installed) cannot load a module safely: glibc gives it a second C
/// library whose thread data overwrites AWS-LC's (it aborted on its next
/// random number). It says so in one line naming the module and the fix,
/// before loading anything, and writes nothing.
#[test]
fn a_static_certkit_refuses_to_load_a_module_and_says_how_to_get_one_that_can() {
    let version = Command::new(certkit()).arg("version").output().unwrap();
    if !String::from_utf8_lossy(&version.stdout).contains("Linked: static") {
        eprintln!("SKIP: the certkit under test is linked dynamically (CERTKIT_STATIC=0)");
        return;
    }
    let hsm = SoftHsm::new();
    hsm.keygen("EC:prime256v1", "ca", "01");
    std::fs::write(hsm.path("ca.json"), CA_REQUEST).unwrap();
    for args in [
        vec!["gencert", "-initca", "-ca-key", &hsm.uri("ca"), "ca.json"],
        vec![
            "gencert",
            "-initca",
            "-new-token-key",
            "-ca-key",
            &hsm.uri("new"),
            "ca.json",
        ],
    ] {
        let mut cmd = Command::new(certkit());
        let out = hsm
            .env(&mut cmd)
            .args(&args)
            .current_dir(hsm.dir.path())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} should fail cleanly, not abort"
        );
        assert!(out.stdout.is_empty(), "{args:?} wrote output");
        let err = one_error_line(&out);
        assert!(
            err.contains(&module().display().to_string())
                && err.contains("linked statically")
                && err.contains("CERTKIT_STATIC=0"),
            "{err}"
        );
    }
}
