//! Interoperability with Debian's cfssl 1.2.0 and cfssljson, both ways,
//! and with CSRs made by `openssl req`.

use std::path::Path;
use support::*;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A written file: name, mode and contents.
type WrittenFile = (String, u32, Vec<u8>);

/// Runs both cfssljson implementations on the same JSON in separate
/// directories and returns (name, mode, contents) of what each wrote.
fn both_writers(json: &[u8], args: &[&str]) -> (Vec<WrittenFile>, Vec<WrittenFile>) {
    let ours = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();
    let mut ck_args = vec!["json"];
    ck_args.extend_from_slice(args);
    assert_ok(
        &run(ours.path(), &certkit(), &ck_args, Some(json)),
        "certkit json",
    );
    assert_ok(
        &run(theirs.path(), &real_cfssljson(), args, Some(json)),
        "cfssljson",
    );
    let collect = |dir: &Path| {
        listing(dir)
            .into_iter()
            .map(|n| {
                let p = dir.join(&n);
                (n, mode(&p), std::fs::read(&p).unwrap())
            })
            .collect::<Vec<_>>()
    };
    (collect(ours.path()), collect(theirs.path()))
}

#[test]
fn cfssljson_and_certkit_json_write_the_same_files_from_certkit_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(
        tmp.path(),
        &certkit(),
        &["gencert", "-initca", &fixture("workflow/ca-csr.json")],
        None,
    );
    assert_ok(&out, "certkit initca");
    let (ours, theirs) = both_writers(&out.stdout, &["-bare", "ca"]);
    assert_eq!(ours.len(), 3);
    assert_eq!(ours, theirs);
    assert!(ours
        .iter()
        .any(|(n, m, _)| n == "ca-key.pem" && *m == 0o600));
}

#[test]
fn certkit_json_writes_what_cfssljson_writes_from_cfssl_output() {
    let tmp = tempfile::tempdir().unwrap();
    let csr = fixtures().join("workflow/server-csr.json");
    let out = run(
        tmp.path(),
        &real_cfssl(),
        &["genkey", csr.to_str().unwrap()],
        None,
    );
    assert_ok(&out, "cfssl genkey");
    let (ours, theirs) = both_writers(&out.stdout, &["-bare", "server"]);
    assert_eq!(ours.len(), 2);
    assert_eq!(ours, theirs);

    // The API envelope, without -bare, and -stdout.
    let envelope = format!(
        "{{\"success\":true,\"result\":{},\"errors\":[],\"messages\":[]}}",
        String::from_utf8_lossy(&out.stdout)
    );
    let (ours, theirs) = both_writers(envelope.as_bytes(), &["server"]);
    assert_eq!(ours, theirs);
    let (ours, theirs) = both_writers(&out.stdout, &["-bare", "-stdout"]);
    assert_eq!((ours.len(), theirs.len()), (0, 0));
    let a = run(
        tmp.path(),
        &certkit(),
        &["json", "-bare", "-stdout"],
        Some(&out.stdout),
    );
    let b = run(
        tmp.path(),
        &real_cfssljson(),
        &["-bare", "-stdout"],
        Some(&out.stdout),
    );
    assert_ok(&a, "certkit json -stdout");
    assert_eq!(a.stdout, b.stdout);
}

/// Makes a CA with the given tool, returning nothing: ca.pem and ca-key.pem land in `dir`.
fn make_ca(dir: &Path, tool: &Path) {
    let out = run(
        dir,
        tool,
        &["gencert", "-initca", &fixture("workflow/ca-csr.json")],
        None,
    );
    assert_ok(&out, "initca");
    assert_ok(
        &run(dir, &certkit(), &["json", "-bare", "ca"], Some(&out.stdout)),
        "json",
    );
}

fn verify(dir: &Path, cert: &str) {
    let out = run(
        dir,
        &require_tool("openssl"),
        &["verify", "-CAfile", "ca.pem", cert],
        None,
    );
    assert_ok(&out, &format!("openssl verify {cert}"));
}

#[test]
fn cfssl_signs_a_certkit_csr_with_a_certkit_ca() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_ca(dir, &certkit());
    let out = run(
        dir,
        &certkit(),
        &["genkey", &fixture("workflow/server-csr.json")],
        None,
    );
    assert_ok(&out, "genkey");
    assert_ok(
        &run(
            dir,
            &certkit(),
            &["json", "-bare", "server"],
            Some(&out.stdout),
        ),
        "json",
    );
    let config = fixtures().join("workflow/server-signing-config.json");
    let signed = run(
        dir,
        &real_cfssl(),
        &[
            "sign",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "-config",
            config.to_str().unwrap(),
            "server.csr",
        ],
        None,
    );
    assert_ok(&signed, "cfssl sign");
    assert_ok(
        &run(
            dir,
            &certkit(),
            &["json", "-bare", "signed"],
            Some(&signed.stdout),
        ),
        "json",
    );
    verify(dir, "signed.pem");
    assert!(x509_text(dir, "signed.pem").contains("IP Address:192.0.2.24"));
}

#[test]
fn certkit_signs_a_cfssl_csr_with_a_cfssl_ca() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_ca(dir, &real_cfssl());
    let out = run(
        dir,
        &real_cfssl(),
        &["genkey", &fixture("cfssl/csr.json")],
        None,
    );
    assert_ok(&out, "cfssl genkey");
    assert_ok(
        &run(
            dir,
            &real_cfssljson(),
            &["-bare", "server"],
            Some(&out.stdout),
        ),
        "cfssljson",
    );
    let signed = run(
        dir,
        &certkit(),
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
    assert_ok(&signed, "certkit sign");
    assert_ok(
        &run(
            dir,
            &real_cfssljson(),
            &["-bare", "signed"],
            Some(&signed.stdout),
        ),
        "cfssljson",
    );
    verify(dir, "signed.pem");
    let text = x509_text(dir, "signed.pem");
    assert!(
        text.contains("DNS:cloudflare.com, DNS:www.cloudflare.com"),
        "{text}"
    );
    assert!(
        text.contains("O = CloudFlare, OU = Systems Engineering"),
        "{text}"
    );
}

#[test]
fn certkit_signs_openssl_csrs_with_any_requested_extensions() {
    let openssl = require_tool("openssl");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_ca(dir, &certkit());
    for (name, newkey) in [("ec", "ec:-"), ("rsa", "rsa:2048")] {
        let mut args = vec!["req", "-new", "-nodes", "-keyout", "k.pem", "-out"];
        let csr = format!("{name}.csr");
        args.push(&csr);
        if newkey == "ec:-" {
            args.extend(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]);
        } else {
            args.extend(["-newkey", newkey]);
        }
        args.extend([
            "-subj",
            "/O=system:nodes/CN=system:node:worker-1",
            "-addext",
            "subjectAltName=DNS:worker-1,IP:10.0.0.7",
            "-addext",
            "keyUsage=critical,digitalSignature,keyEncipherment",
            "-addext",
            "extendedKeyUsage=serverAuth",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ]);
        assert_ok(&run(dir, &openssl, &args, None), "openssl req");
        let signed = run(
            dir,
            &certkit(),
            &["sign", "-ca", "ca.pem", "-ca-key", "ca-key.pem", &csr],
            None,
        );
        assert_ok(&signed, "certkit sign");
        assert_ok(
            &run(
                dir,
                &certkit(),
                &["json", "-bare", name],
                Some(&signed.stdout),
            ),
            "json",
        );
        verify(dir, &format!("{name}.pem"));
        let text = x509_text(dir, &format!("{name}.pem"));
        assert!(text.contains("DNS:worker-1, IP Address:10.0.0.7"), "{text}");
        assert!(
            text.contains("Subject: O = system:nodes, CN = system:node:worker-1"),
            "{text}"
        );
    }
}

#[test]
fn cfssl_accepts_certkit_keys_and_certkit_accepts_cfssl_keys() {
    // cfssl signs with a certkit-made CA key, certkit with a cfssl-made one.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        "ec-ca.json",
        r#"{"CN":"EC CA","key":{"algo":"ecdsa","size":384}}"#,
    );
    for (ca_tool, signer) in [(certkit(), real_cfssl()), (real_cfssl(), certkit())] {
        let out = run(dir, &ca_tool, &["gencert", "-initca", "ec-ca.json"], None);
        assert_ok(&out, "initca");
        assert_ok(
            &run(dir, &certkit(), &["json", "-bare", "ca"], Some(&out.stdout)),
            "json",
        );
        let leaf = run(
            dir,
            &signer,
            &[
                "gencert",
                "-ca",
                "ca.pem",
                "-ca-key",
                "ca-key.pem",
                &fixture("workflow/server-csr.json"),
            ],
            None,
        );
        assert_ok(&leaf, "gencert");
        assert_ok(
            &run(
                dir,
                &certkit(),
                &["json", "-bare", "leaf"],
                Some(&leaf.stdout),
            ),
            "json",
        );
        verify(dir, "leaf.pem");
        assert!(x509_text(dir, "leaf.pem").contains("ecdsa-with-SHA384"));
    }
}
