//! Key formats against openssl: openssl reads every key certkit writes
//! (PKCS#1, SEC1, PKCS#8, PEM and DER, plain and encrypted), and certkit
//! reads what `openssl genpkey`, `openssl pkcs8 -topk8 -v2 aes-256-cbc`
//! and `openssl genrsa -aes256` (PKCS#8, and legacy PEM with
//! `-traditional`) write, also as a CA key; and the real cfssl 1.2.0 signs
//! with a certkit PKCS#8 CA key and reads the same legacy encrypted key
//! with the same `CFSSL_CA_PK_PASSWORD`. openssl and cfssl must be
//! installed: these tests fail without them.

use std::path::Path;
use support::{cmd_in, to_files};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/workflow");
const PASSWORD: &str = "correct horse battery staple";

/// Runs openssl in `dir`, panicking with its stderr when it fails.
fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl must be installed");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs an openssl command line (words separated by spaces).
fn run_openssl(dir: &Path, line: &str) -> String {
    openssl(dir, &line.split_whitespace().collect::<Vec<_>>())
}

/// The public key of a private key file, as openssl sees it.
fn openssl_public_key(dir: &Path, key: &str, extra: &[&str]) -> String {
    let mut args = vec!["pkey", "-in", key, "-pubout"];
    args.extend_from_slice(extra);
    openssl(dir, &args)
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pw"), format!("{PASSWORD}\n")).unwrap();
    for (name, algo) in [
        ("ec", r#""ecdsa","size":256"#),
        ("rsa", r#""rsa","size":2048"#),
        ("ed", r#""ed25519""#),
    ] {
        let req = format!(
            r#"{{"CN":"{name}.example","hosts":["{name}.example"],"key":{{"algo":{algo}}}}}"#
        );
        std::fs::write(dir.path().join(format!("{name}.json")), req).unwrap();
    }
    dir
}

/// `certkit genkey [flags] REQ | certkit json -bare OUT`.
fn genkey(dir: &Path, req: &str, flags: &[&str], out: &str) -> String {
    to_files(dir, &[&["genkey"], flags, &[req]].concat(), b"", out);
    std::fs::read_to_string(dir.join(format!("{out}-key.pem"))).unwrap()
}

#[test]
fn openssl_reads_every_format_certkit_writes() {
    let dir = setup();
    let d = dir.path();
    let cases: &[(&str, &[&str], &str)] = &[
        ("ec.json", &[], "EC PRIVATE KEY"),
        ("ec.json", &["-key-format", "sec1"], "EC PRIVATE KEY"),
        ("ec.json", &["-key-format", "pkcs8"], "PRIVATE KEY"),
        ("rsa.json", &[], "RSA PRIVATE KEY"),
        ("rsa.json", &["-key-format=pkcs8"], "PRIVATE KEY"),
        ("ed.json", &[], "PRIVATE KEY"),
        (
            "ec.json",
            &["-key-password-file", "pw"],
            "ENCRYPTED PRIVATE KEY",
        ),
        (
            "rsa.json",
            &["-key-format", "pkcs8", "-key-password-file", "pw"],
            "ENCRYPTED PRIVATE KEY",
        ),
        (
            "ed.json",
            &["-key-password-file", "env:KEY_PASSWORD"],
            "ENCRYPTED PRIVATE KEY",
        ),
    ];
    for (i, (req, flags, label)) in cases.iter().enumerate() {
        let out = format!("k{i}");
        let mut cmd = cmd_in(d);
        cmd.env("KEY_PASSWORD", PASSWORD);
        let json = cmd.arg("genkey").args(*flags).arg(req).assert().success();
        let stdout = json.get_output().stdout.clone();
        cmd_in(d)
            .args(["json", "-bare", &out])
            .write_stdin(stdout)
            .assert()
            .success();
        let key_file = format!("{out}-key.pem");
        let pem = std::fs::read_to_string(d.join(&key_file)).unwrap();
        assert!(
            pem.starts_with(&format!("-----BEGIN {label}-----\n")),
            "{req} {flags:?}: {pem}"
        );
        let passin: &[&str] = if label.starts_with("ENCRYPTED") {
            &["-passin", "file:pw"]
        } else {
            &[]
        };
        let from_key = openssl_public_key(d, &key_file, passin);
        let from_csr = openssl(
            d,
            &["req", "-in", &format!("{out}.csr"), "-pubkey", "-noout"],
        );
        assert_eq!(from_key, from_csr, "{req} {flags:?}: key and CSR disagree");
    }
}

#[test]
fn openssl_refuses_an_encrypted_key_with_the_wrong_password() {
    let dir = setup();
    let d = dir.path();
    genkey(d, "ec.json", &["-key-password-file", "pw"], "enc");
    std::fs::write(d.join("wrong"), "wrong\n").unwrap();
    let status = std::process::Command::new("openssl")
        .args([
            "pkey",
            "-in",
            "enc-key.pem",
            "-passin",
            "file:wrong",
            "-noout",
        ])
        .current_dir(d)
        .output()
        .expect("openssl must be installed")
        .status;
    assert!(!status.success());
}

#[test]
fn key_convert_writes_der_and_pem_that_openssl_reads() {
    let dir = setup();
    let d = dir.path();
    genkey(d, "rsa.json", &[], "rsa");
    let want = openssl_public_key(d, "rsa-key.pem", &[]);
    let conversions: &[(&[&str], &[&str])] = &[
        (
            &["-key-format", "pkcs8", "-der", "-out", "k.der"],
            &["-inform", "DER"],
        ),
        (
            &["-key-format", "pkcs1", "-der", "-out", "k.der"],
            &["-inform", "DER"],
        ),
        (&["-key-format", "pkcs8", "-out", "k.der"], &[]),
        (
            &["-key-password-file", "pw", "-out", "k.der"],
            &["-passin", "file:pw"],
        ),
        (
            &["-key-password-file", "pw", "-der", "-out", "k.der"],
            &["-inform", "DER", "-passin", "file:pw"],
        ),
    ];
    for (flags, openssl_flags) in conversions {
        cmd_in(d)
            .args(["key", "convert"])
            .args(*flags)
            .arg("rsa-key.pem")
            .assert()
            .success();
        assert_eq!(
            openssl_public_key(d, "k.der", openssl_flags),
            want,
            "{flags:?}"
        );
        // And certkit reads its own output back, whatever the encoding.
        cmd_in(d)
            .args([
                "key",
                "convert",
                "-key-in-password-file",
                "pw",
                "-out",
                "back.pem",
                "k.der",
            ])
            .assert()
            .success();
        assert_eq!(
            openssl_public_key(d, "back.pem", &[]),
            want,
            "{flags:?} back"
        );
    }
}

#[test]
fn certkit_reads_what_openssl_writes() {
    let dir = setup();
    let d = dir.path();
    run_openssl(
        d,
        "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out ec.pem",
    );
    run_openssl(d, "genpkey -algorithm ED25519 -out ed.pem");
    run_openssl(
        d,
        "genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem",
    );
    run_openssl(d, "pkey -in ec.pem -outform DER -out ec.der");
    run_openssl(
        d,
        "pkcs8 -topk8 -v2 aes-256-cbc -in rsa.pem -passout file:pw -out rsa-pbes2.pem",
    );
    run_openssl(
        d,
        "pkcs8 -topk8 -v2 aes-256-cbc -scrypt -in ec.pem -passout file:pw -out ec-scrypt.pem",
    );
    run_openssl(
        d,
        "pkcs8 -topk8 -v2 aes-128-cbc -in ed.pem -outform DER -passout file:pw -out ed-pbes2.der",
    );
    run_openssl(
        d,
        "rsa -in rsa.pem -aes256 -traditional -passout file:pw -out rsa-legacy.pem",
    );
    run_openssl(d, "ec -in ec.pem -des3 -passout file:pw -out ec-legacy.pem");
    run_openssl(d, "genrsa -aes256 -passout file:pw -out genrsa.pem 2048");
    run_openssl(
        d,
        "genrsa -aes256 -traditional -passout file:pw -out genrsa-legacy.pem 2048",
    );
    run_openssl(
        d,
        "pkey -in genrsa.pem -passin file:pw -out genrsa-plain.pem",
    );
    run_openssl(
        d,
        "pkey -in genrsa-legacy.pem -passin file:pw -out genrsa-legacy-plain.pem",
    );
    let cases = [
        ("ec.pem", "ec.pem", "EC PRIVATE KEY"),
        ("ed.pem", "ed.pem", "PRIVATE KEY"),
        ("rsa.pem", "rsa.pem", "RSA PRIVATE KEY"),
        ("ec.der", "ec.pem", "EC PRIVATE KEY"),
        ("rsa-pbes2.pem", "rsa.pem", "RSA PRIVATE KEY"),
        ("ec-scrypt.pem", "ec.pem", "EC PRIVATE KEY"),
        ("ed-pbes2.der", "ed.pem", "PRIVATE KEY"),
        ("rsa-legacy.pem", "rsa.pem", "RSA PRIVATE KEY"),
        ("ec-legacy.pem", "ec.pem", "EC PRIVATE KEY"),
        ("genrsa.pem", "genrsa-plain.pem", "RSA PRIVATE KEY"),
        (
            "genrsa-legacy.pem",
            "genrsa-legacy-plain.pem",
            "RSA PRIVATE KEY",
        ),
    ];
    let legacy = std::fs::read_to_string(d.join("genrsa-legacy.pem")).unwrap();
    assert!(legacy.contains("Proc-Type: 4,ENCRYPTED"), "{legacy}");
    for (input, original, label) in cases {
        let out = cmd_in(d)
            .args(["key", "convert", "-key-in-password-file", "pw", input])
            .assert()
            .success();
        let pem = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        assert!(
            pem.starts_with(&format!("-----BEGIN {label}-----\n")),
            "{input}: {pem}"
        );
        std::fs::write(d.join("converted.pem"), &pem).unwrap();
        assert_eq!(
            openssl_public_key(d, "converted.pem", &[]),
            openssl_public_key(d, original, &[]),
            "{input}"
        );
    }
    // Without the password: one clear line, exit 1.
    cmd_in(d)
        .args(["key", "convert", "rsa-legacy.pem"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "rsa-legacy.pem: the key is encrypted",
        ));
}

/// A CA whose key openssl encrypted signs, given the password as a file,
/// through `env:`, or through cfssl's CFSSL_CA_PK_PASSWORD.
#[test]
fn encrypted_ca_keys_sign() {
    let dir = setup();
    let d = dir.path();
    to_files(
        d,
        &["initca", &format!("{FIXTURES}/ca-csr.json")],
        b"",
        "ca",
    );
    genkey(d, "ec.json", &[], "server");
    run_openssl(
        d,
        "pkcs8 -topk8 -v2 aes-256-cbc -in ca-key.pem -passout file:pw -out ca-pbes2.pem",
    );
    run_openssl(
        d,
        "rsa -in ca-key.pem -aes128 -traditional -passout file:pw -out ca-legacy.pem",
    );
    for key in ["ca-pbes2.pem", "ca-legacy.pem"] {
        let sign = |extra: &[&str], env: Option<&str>| {
            let mut cmd = cmd_in(d);
            if let Some(pw) = env {
                cmd.env("CFSSL_CA_PK_PASSWORD", pw).env("CA_PW", pw);
            }
            cmd.args(["sign", "-ca", "ca.pem", "-ca-key", key])
                .args(extra)
                .arg("server.csr")
                .assert()
        };
        sign(&["-ca-key-password-file", "pw"], None).success();
        sign(&["-ca-key-password-file", "env:CA_PW"], Some(PASSWORD)).success();
        sign(&[], Some(PASSWORD)).success();
        sign(&[], None)
            .code(1)
            .stderr(predicates::str::contains("the key is encrypted"));
        sign(&[], Some("wrong"))
            .code(1)
            .stderr(predicates::str::contains("wrong password"));
    }
    // The certificate the encrypted key signed verifies under the CA.
    let out = cmd_in(d)
        .args([
            "sign",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-pbes2.pem",
            "-ca-key-password-file",
            "pw",
            "server.csr",
        ])
        .assert()
        .success();
    let stdout = out.get_output().stdout.clone();
    cmd_in(d)
        .args(["json", "-bare", "signed"])
        .write_stdin(stdout)
        .assert()
        .success();
    run_openssl(d, "verify -CAfile ca.pem signed.pem");
}

fn cfssl(dir: &Path, args: &[&str], password: Option<&str>) -> String {
    let mut cmd = std::process::Command::new("cfssl");
    cmd.args(args)
        .current_dir(dir)
        .env_remove("CFSSL_CA_PK_PASSWORD");
    if let Some(pw) = password {
        cmd.env("CFSSL_CA_PK_PASSWORD", pw);
    }
    let out = cmd
        .output()
        .expect("cfssl (golang-cfssl) must be installed");
    assert!(
        out.status.success(),
        "cfssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// cfssl 1.2.0 signs with a CA key certkit wrote as PKCS#8, and both
/// read one legacy encrypted CA key with the same CFSSL_CA_PK_PASSWORD.
#[test]
fn cfssl_and_certkit_share_ca_keys() {
    let dir = setup();
    let d = dir.path();
    let ca_csr = format!("{FIXTURES}/ca-csr.json");
    to_files(d, &["initca", "-key-format", "pkcs8", &ca_csr], b"", "ca");
    let key = std::fs::read_to_string(d.join("ca-key.pem")).unwrap();
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    genkey(d, "ec.json", &[], "server");
    let signed = cfssl(
        d,
        &[
            "sign",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "server.csr",
        ],
        None,
    );
    assert!(signed.contains("BEGIN CERTIFICATE"), "{signed}");
    run_openssl(
        d,
        "rsa -in ca-key.pem -aes256 -traditional -passout file:pw -out ca-legacy.pem",
    );
    let args = [
        "sign",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-legacy.pem",
        "server.csr",
    ];
    let signed = cfssl(d, &args, Some(PASSWORD));
    assert!(signed.contains("BEGIN CERTIFICATE"), "{signed}");
    cmd_in(d)
        .env("CFSSL_CA_PK_PASSWORD", PASSWORD)
        .args(args)
        .assert()
        .success()
        .stdout(predicates::str::contains("BEGIN CERTIFICATE"));
}
