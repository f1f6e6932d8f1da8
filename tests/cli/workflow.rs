//! The workflow of shared/workflow.md, run literally through `cfssl` and
//! `cfssljson` symlinks to certkit, then checked with openssl.

use support::*;

const STEP1: &str = r#"cat <<EOF | cfssl genkey - | cfssljson -bare server
{
  "hosts": [
    "my-svc.my-namespace.svc.cluster.local",
    "my-pod.my-namespace.pod.cluster.local",
    "192.0.2.24",
    "10.0.34.2"
  ],
  "CN": "my-pod.my-namespace.pod.cluster.local",
  "key": {
    "algo": "ecdsa",
    "size": 256
  }
}
EOF"#;

const STEP3: &str = r#"cat <<EOF | cfssl gencert -initca - | cfssljson -bare ca
{
  "CN": "My Example Signer",
  "key": {
    "algo": "rsa",
    "size": 2048
  }
}
EOF"#;

/// Step 4 with the stand-in for `kubectl get csr ... -o jsonpath='{.spec.request}'`.
const STEP4: &str = r#"jq -r '.spec.request' csr-object.json | \
  base64 --decode | \
  cfssl sign -ca ca.pem -ca-key ca-key.pem -config server-signing-config.json - | \
  cfssljson -bare ca-signed-server"#;

/// Step 5 with the stand-in for `kubectl get csr ... -o json`.
const STEP5: &str = r#"cat csr-object.json | \
  jq '.status.certificate = "'$(base64 ca-signed-server.pem | tr -d '\n')'"' > csr-object-status.json"#;

#[test]
fn workflow_runs_unchanged_through_cfssl_symlinks() {
    require_tool("jq");
    let openssl = require_tool("openssl");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    symlink_bin(dir);
    std::fs::copy(
        fixtures().join("workflow/server-signing-config.json"),
        dir.join("server-signing-config.json"),
    )
    .unwrap();

    assert_ok(&sh(dir, STEP1), "step 1");
    assert_eq!(mode(&dir.join("server-key.pem")), 0o600);
    assert!(std::fs::read_to_string(dir.join("server.csr"))
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE REQUEST-----"));

    // Step 2: the CSR as kubectl carries it, base64 unwrapped.
    let request = sh(dir, "cat server.csr | base64 | tr -d '\\n'");
    assert_ok(&request, "step 2");
    let object = std::fs::read_to_string(fixtures().join("workflow/csr-object.json.in"))
        .unwrap()
        .replace("@REQUEST@", &String::from_utf8(request.stdout).unwrap());
    std::fs::write(dir.join("csr-object.json"), object).unwrap();

    assert_ok(&sh(dir, STEP3), "step 3");
    assert_eq!(
        listing(dir).iter().filter(|n| n.starts_with("ca")).count(),
        3,
        "{:?}",
        listing(dir)
    );
    assert_eq!(mode(&dir.join("ca-key.pem")), 0o600);

    let step4 = sh(dir, STEP4);
    assert_ok(&step4, "step 4");
    assert!(String::from_utf8_lossy(&step4.stderr).contains("key encipherment dropped"));

    let verify = run(
        dir,
        &openssl,
        &["verify", "-CAfile", "ca.pem", "ca-signed-server.pem"],
        None,
    );
    assert_ok(&verify, "openssl verify");
    assert_eq!(
        String::from_utf8_lossy(&verify.stdout).trim(),
        "ca-signed-server.pem: OK"
    );

    let text = x509_text(dir, "ca-signed-server.pem");
    assert!(
        text.contains("Subject: CN = my-pod.my-namespace.pod.cluster.local"),
        "{text}"
    );
    assert!(text.contains(
        "DNS:my-svc.my-namespace.svc.cluster.local, DNS:my-pod.my-namespace.pod.cluster.local, IP Address:192.0.2.24, IP Address:10.0.34.2"
    ), "{text}");
    assert!(
        text.contains("X509v3 Key Usage: critical\n                Digital Signature\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "X509v3 Extended Key Usage: \n                TLS Web Server Authentication\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("X509v3 Basic Constraints: critical\n                CA:FALSE"),
        "{text}"
    );
    assert!(
        text.contains("Signature Algorithm: sha256WithRSAEncryption"),
        "{text}"
    );
    // The config asks for 876000h, past the CA's own 43800h: certkit caps
    // notAfter at the CA's and says so; cfssl's behaviour is a flag away.
    let (_, leaf_not_after) = validity(dir, "ca-signed-server.pem");
    let (_, ca_not_after) = validity(dir, "ca.pem");
    assert_eq!(leaf_not_after, ca_not_after);
    assert!(String::from_utf8_lossy(&step4.stderr).contains("--allow-beyond-ca-expiry"));
    let uncapped = STEP4
        .replace(" - | \\", " -allow-beyond-ca-expiry - | \\")
        .replace("-bare ca-signed-server", "-bare uncapped");
    assert_ok(&sh(dir, &uncapped), "step 4 without the cap");
    let (not_before, not_after) = validity(dir, "uncapped.pem");
    assert_eq!((not_after - not_before).whole_hours(), 876000);

    assert_ok(&sh(dir, STEP5), "step 5");
    let status: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("csr-object-status.json")).unwrap())
            .unwrap();
    use base64::Engine;
    let cert = base64::engine::general_purpose::STANDARD
        .decode(status["status"]["certificate"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        cert,
        std::fs::read(dir.join("ca-signed-server.pem")).unwrap()
    );
}

/// notBefore and notAfter of a certificate file, as openssl reads them.
fn validity(dir: &std::path::Path, file: &str) -> (time::OffsetDateTime, time::OffsetDateTime) {
    let out = run(
        dir,
        &require_tool("openssl"),
        &[
            "x509",
            "-in",
            file,
            "-noout",
            "-startdate",
            "-enddate",
            "-dateopt",
            "iso_8601",
        ],
        None,
    );
    assert_ok(&out, "openssl dates");
    let dates = String::from_utf8_lossy(&out.stdout).into_owned();
    let parse = |prefix: &str| {
        let line = dates.lines().find(|l| l.starts_with(prefix)).unwrap();
        let value = line.trim_start_matches(prefix).trim().replace(' ', "T");
        time::OffsetDateTime::parse(
            &value,
            &time::format_description::well_known::Iso8601::DEFAULT,
        )
        .unwrap()
    };
    (parse("notBefore="), parse("notAfter="))
}

#[test]
fn own_names_run_the_same_workflow() {
    let openssl = require_tool("openssl");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    symlink_bin(dir);
    let fx = fixtures().join("workflow");
    let script = format!(
        "certkit genkey {fx}/server-csr.json | certkit json -bare server
         certkit initca {fx}/ca-csr.json | certkit json -bare ca
         certkit sign -ca ca.pem -ca-key ca-key.pem -config {fx}/server-signing-config.json server.csr | certkit json -bare signed",
        fx = fx.display()
    );
    assert_ok(&sh(dir, &script), "certkit workflow");
    assert_eq!(
        listing(dir),
        [
            "ca-key.pem",
            "ca.csr",
            "ca.pem",
            "server-key.pem",
            "server.csr",
            "signed.csr",
            "signed.pem"
        ]
    );
    assert_ok(
        &run(
            dir,
            &openssl,
            &["verify", "-CAfile", "ca.pem", "signed.pem"],
            None,
        ),
        "verify",
    );
}

#[test]
fn go_style_flags_work_in_every_spelling() {
    let openssl = require_tool("openssl");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    symlink_bin(dir);
    let fx = fixtures().join("workflow");
    let setup = format!(
        "cfssl genkey {fx}/server-csr.json | cfssljson -bare server
         cfssl gencert -initca {fx}/ca-csr.json | cfssljson -bare ca",
        fx = fx.display()
    );
    assert_ok(&sh(dir, &setup), "setup");
    for (i, flags) in [
        "-ca ca.pem -ca-key ca-key.pem",
        "-ca=ca.pem -ca-key=ca-key.pem",
        "--ca ca.pem --ca-key ca-key.pem",
        "--ca=ca.pem --ca-key=ca-key.pem",
    ]
    .iter()
    .enumerate()
    {
        let script = format!("cfssl sign {flags} -csr server.csr | cfssljson -bare=true out{i}");
        assert_ok(&sh(dir, &script), flags);
        assert_ok(
            &run(
                dir,
                &openssl,
                &["verify", "-CAfile", "ca.pem", &format!("out{i}.pem")],
                None,
            ),
            flags,
        );
    }
}

#[test]
fn genkey_prints_one_sorted_json_object() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(
        tmp.path(),
        &certkit(),
        &["genkey", &fixture("workflow/server-csr.json")],
        None,
    );
    assert_ok(&out, "genkey");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.ends_with("}\n") && text.matches('\n').count() == 1,
        "{text}"
    );
    assert!(
        text.starts_with("{\"csr\":\"-----BEGIN CERTIFICATE REQUEST-----\\n"),
        "{text}"
    );
    assert!(
        text.contains("\",\"key\":\"-----BEGIN EC PRIVATE KEY-----\\n"),
        "{text}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("[INFO] generate received request"),
        "{stderr}"
    );
}

#[test]
fn version_prints_cfssl_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &certkit(), &["version"], None);
    assert_ok(&out, "version");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with(&format!("Version: {}\n", env!("CARGO_PKG_VERSION"))));
    // .cargo/config.toml builds AWS-LC without the CPU-jitter entropy source
    // (build.rs records it): every test process would otherwise start 40 ms
    // slower.
    assert!(
        stdout.contains("Entropy: the kernel (getrandom) and the CPU (RDRAND)\n"),
        "{stdout}"
    );
}
