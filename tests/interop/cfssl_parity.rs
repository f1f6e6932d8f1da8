//! cfssl's last flags and fields (issue 30), each run through certkit,
//! cfssl 1.6.5 (scripts/peers/cfssl-current) and, where it has it, Debian's
//! cfssl 1.2.0, and the results compared.

use std::path::Path;
use support::serve::cfssl_current;
use support::*;

/// A temporary directory holding an ECDSA CA named `cn` (ca.pem,
/// ca-key.pem), made by certkit.
fn ca_dir(cn: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    ca_in(
        tmp.path(),
        &format!(r#"{{"CN":"{cn}","key":{{"algo":"ecdsa","size":256}}}}"#),
    );
    tmp
}

/// leaf.json in `dir`: an ECDSA request for `name` (CN and host).
fn write_leaf(dir: &Path, name: &str) {
    std::fs::write(
        dir.join("leaf.json"),
        format!(r#"{{"CN":"{name}","hosts":["{name}"],"key":{{"algo":"ecdsa","size":256}}}}"#),
    )
    .unwrap();
}

/// What a cfssljson wrote in `dir`: (name, mode, contents), sorted.
fn written(dir: &Path) -> Vec<(String, u32, Vec<u8>)> {
    listing(dir)
        .into_iter()
        .map(|n| {
            let p = dir.join(&n);
            (n.clone(), mode(&p), std::fs::read(&p).unwrap())
        })
        .collect()
}

/// `encrypted_key` (a Red October-encrypted key, base64) is written as
/// it is to NAME-key.enc with mode 0600 by Debian's cfssljson and 1.6.5's,
/// and base64-encoded again on -stdout; certkit json does the same. Not
/// base64: nothing is written.
#[test]
fn json_writes_encrypted_key_as_cfssljson() {
    let blob: Vec<u8> = (0u8..=255).rev().collect();
    let response = format!(
        r#"{{"encrypted_key":"{}","cert":""}}"#,
        support::serve::b64(&blob)
    );
    let mut cfssljsons = vec![real_cfssljson()];
    cfssljsons.extend(cfssl_current().map(|d| d.join("cfssljson")));
    let ours_dir = tempfile::tempdir().unwrap();
    assert_ok(
        &run(
            ours_dir.path(),
            &certkit(),
            &["json", "-bare", "k"],
            Some(response.as_bytes()),
        ),
        "certkit json",
    );
    let ours = written(ours_dir.path());
    let text = support::serve::b64(&blob).into_bytes();
    assert_eq!(ours, vec![("k-key.enc".to_string(), 0o600, text)]);
    let stdout = |program: &Path, args: &[&str]| {
        let out = run(ours_dir.path(), program, args, Some(response.as_bytes()));
        assert_ok(&out, "json -stdout");
        out.stdout
    };
    let ours_stdout = stdout(&certkit(), &["json", "-bare", "-stdout"]);
    for cfssljson in cfssljsons {
        let theirs = tempfile::tempdir().unwrap();
        assert_ok(
            &run(
                theirs.path(),
                &cfssljson,
                &["-bare", "k"],
                Some(response.as_bytes()),
            ),
            "cfssljson",
        );
        assert_eq!(written(theirs.path()), ours, "{}", cfssljson.display());
        assert_eq!(stdout(&cfssljson, &["-bare", "-stdout"]), ours_stdout);
    }

    let bad = tempfile::tempdir().unwrap();
    let out = run(
        bad.path(),
        &certkit(),
        &["json", "-bare", "k"],
        Some(br#"{"encrypted_key":"not base64!","cert":""}"#),
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("encrypted_key") && err.lines().count() == 1,
        "{err}"
    );
    assert!(listing(bad.path()).is_empty());
}

/// cfssl 1.2.0 and 1.6.5 (each when present) and certkit, in that order.
fn cfssls_and_certkit() -> Vec<std::path::PathBuf> {
    let mut tools = vec![real_cfssl()];
    tools.extend(cfssl_current().map(|d| d.join("cfssl")));
    tools.push(certkit());
    tools
}

/// The CRL distribution points of a PEM certificate, as openssl prints them.
fn crl_points(dir: &Path, cert_pem: &str) -> String {
    std::fs::write(dir.join("probe.pem"), cert_pem).unwrap();
    let out = run(
        dir,
        &require_tool("openssl"),
        &[
            "x509",
            "-in",
            "probe.pem",
            "-noout",
            "-ext",
            "crlDistributionPoints",
        ],
        None,
    );
    assert_ok(&out, "openssl x509 -ext");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `gencert -crl URL`: cfssl 1.2.0 and 1.6.5 write URL as the only CRL
/// distribution point, replacing the profile's `crl_url` (or adding one);
/// certkit writes the same extension. `sign -crl` is ignored by both
/// cfssls (only gencert reads the flag); certkit applies it there too.
#[test]
fn crl_flag_is_the_crl_distribution_point() {
    let tmp = ca_dir("CRL Test CA");
    let dir = tmp.path();
    std::fs::write(
        dir.join("cfg.json"),
        r#"{"signing":{"default":{"expiry":"24h","usages":["digital signature","server auth"],"crl_url":"http://profile.example/ca.crl"}}}"#,
    )
    .unwrap();
    write_leaf(dir, "leaf.example");
    let url = "http://override.example/leaf.crl";
    let issue = |tool: &Path, args: &[&str]| -> (String, String) {
        let out = run(dir, tool, args, None);
        assert_ok(&out, &format!("{} {args:?}", tool.display()));
        let json = String::from_utf8_lossy(&out.stdout).into_owned();
        let csr = if json.contains("\"csr\"") {
            field(&json, "csr")
        } else {
            String::new()
        };
        (crl_points(dir, &field(&json, "cert")), csr)
    };
    let mut seen = Vec::new();
    for tool in cfssls_and_certkit() {
        let ca = ["-ca", "ca.pem", "-ca-key", "ca-key.pem"];
        let with_config = [&ca[..], &["-config", "cfg.json", "-crl", url, "leaf.json"]].concat();
        let without = [&ca[..], &["-crl", url, "leaf.json"]].concat();
        let (a, csr) = issue(&tool, &[&["gencert"][..], &with_config].concat());
        let (b, _) = issue(&tool, &[&["gencert"][..], &without].concat());
        std::fs::write(dir.join("leaf.csr"), csr).unwrap();
        let sign = [
            &["sign"][..],
            &ca,
            &["-config", "cfg.json", "-crl", url, "leaf.csr"],
        ]
        .concat();
        let (c, _) = issue(&tool, &sign);
        assert!(a.contains(url) && !a.contains("profile.example"), "{a}");
        assert_eq!(a, b);
        seen.push((tool, a, c));
    }
    let (_, ours_gencert, ours_sign) = seen.pop().unwrap();
    for (tool, gencert, sign) in seen {
        assert_eq!(gencert, ours_gencert, "{}", tool.display());
        // cfssl's sign does not read -crl: the profile's URL stays.
        assert!(sign.contains("http://profile.example/ca.crl"), "{sign}");
    }
    assert_eq!(ours_sign, ours_gencert);

    let out = run(
        dir,
        &certkit(),
        &[
            "gencert",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "-crl",
            "http://bad host/",
            "leaf.json",
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("-crl"));
}

/// The features certkit will not have say so, and what to do instead, in
/// their one warning line: `ct_log_servers` (1.6.5 fails to issue when no
/// log answers; certkit issues without SCTs), `lint_error_level` (zlint),
/// and multirootca's Red October keys (refused, naming the section).
#[test]
fn features_certkit_will_not_have_say_why_and_what_instead() {
    let tmp = ca_dir("Won't Test CA");
    let dir = tmp.path();
    std::fs::write(
        dir.join("cfg.json"),
        r#"{"signing":{"default":{"expiry":"24h","usages":["digital signature","server auth"],"ct_log_servers":["http://127.0.0.1:9/ct"],"lint_error_level":3}}}"#,
    )
    .unwrap();
    write_leaf(dir, "leaf.example");
    let args = [
        "gencert",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        "cfg.json",
        "leaf.json",
    ];
    if let Some(current) = cfssl_current() {
        let out = run(dir, &current.join("cfssl"), &args, None);
        assert!(!out.status.success(), "1.6.5 issued without its CT log");
    }
    let out = run(dir, &certkit(), &args, None);
    assert_ok(&out, "certkit gencert");
    let err = String::from_utf8_lossy(&out.stderr);
    for (field, instead) in [
        ("ct_log_servers", "ctclient"),
        ("lint_error_level", "pkilint"),
    ] {
        let line = err
            .lines()
            .find(|l| l.contains(field))
            .unwrap_or_else(|| panic!("{err}"));
        assert!(
            line.contains("[WARNING]")
                && line.contains("certkit will not")
                && line.contains(instead),
            "{line}"
        );
    }

    std::fs::write(
        dir.join("roots.conf"),
        "[primary]\nprivate = rofile://ca-key.pem\ncertificate = ca.pem\nconfig = cfg.json\n",
    )
    .unwrap();
    let out = run(
        dir,
        &require_tool("timeout"),
        &[
            "20",
            certkit().to_str().unwrap(),
            "multirootca",
            "-roots",
            "roots.conf",
            "-a",
            "127.0.0.1:0",
        ],
        None,
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = err.lines().filter(|l| l.contains("[ERROR]")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].contains("[primary]")
            && errors[0].contains("Red October")
            && errors[0].contains("file://"),
        "{err}"
    );
}

/// `bundle -cert leaf.p12 -password PW`: cfssl 1.2.0 and 1.6.5 open the
/// PKCS#12 file (openssl's legacy 3DES encryption, what Go reads), bundle
/// its certificate and print its key; certkit's output equals 1.6.5's
/// (and 1.2.0's, but for the `leaf_expires` 1.2.0 lacks). `-password-file`
/// gives the same; a wrong password is one error line and no output.
#[test]
fn bundle_reads_a_pkcs12_file_as_cfssl() {
    let tmp = ca_dir("P12 Test CA");
    let dir = tmp.path();
    std::fs::write(
        dir.join("cfg.json"),
        r#"{"signing":{"default":{"expiry":"8760h","usages":["digital signature","server auth"]},"profiles":{"int":{"expiry":"8760h","usages":["cert sign","crl sign"],"ca_constraint":{"is_ca":true,"max_path_len":0,"max_path_len_zero":true}}}}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("int.json"),
        r#"{"CN":"P12 Test Int","key":{"algo":"ecdsa","size":256}}"#,
    )
    .unwrap();
    write_leaf(dir, "p12.example");
    let ca = ["-config", "cfg.json"];
    to_files(
        dir,
        &[
            &[
                "gencert",
                "-ca",
                "ca.pem",
                "-ca-key",
                "ca-key.pem",
                "-profile",
                "int",
            ][..],
            &ca,
            &["int.json"],
        ]
        .concat(),
        b"",
        "int",
    );
    to_files(
        dir,
        &[
            &["gencert", "-ca", "int.pem", "-ca-key", "int-key.pem"][..],
            &ca,
            &["leaf.json"],
        ]
        .concat(),
        b"",
        "leaf",
    );
    let out = run(
        dir,
        &require_tool("openssl"),
        &[
            "pkcs12",
            "-export",
            "-in",
            "leaf.pem",
            "-inkey",
            "leaf-key.pem",
            "-out",
            "leaf.p12",
            "-passout",
            "pass:s3cret",
            "-keypbe",
            "PBE-SHA1-3DES",
            "-certpbe",
            "PBE-SHA1-3DES",
            "-macalg",
            "sha1",
        ],
        None,
    );
    assert_ok(&out, "openssl pkcs12 -export");
    std::fs::write(dir.join("p12.pass"), "s3cret\n").unwrap();
    let bundle = |tool: &Path, password: &[&str]| -> serde_json::Value {
        let args = [
            &[
                "bundle",
                "-cert",
                "leaf.p12",
                "-ca-bundle",
                "ca.pem",
                "-int-bundle",
                "int.pem",
                "-flavor",
                "optimal",
            ][..],
            password,
        ]
        .concat();
        let out = run(dir, tool, &args, None);
        assert_ok(&out, &format!("{} bundle", tool.display()));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let ours = bundle(&certkit(), &["-password", "s3cret"]);
    assert_eq!(
        ours["key"].as_str().unwrap(),
        std::fs::read_to_string(dir.join("leaf-key.pem"))
            .unwrap()
            .trim_end()
    );
    assert_eq!(
        ours["bundle"]
            .as_str()
            .unwrap()
            .matches("BEGIN CERTIFICATE")
            .count(),
        2
    );
    assert_eq!(bundle(&certkit(), &["-password-file", "p12.pass"]), ours);
    if let Some(current) = cfssl_current() {
        assert_eq!(
            bundle(&current.join("cfssl"), &["-password", "s3cret"]),
            ours
        );
    }
    let mut old = bundle(&real_cfssl(), &["-password", "s3cret"]);
    old["leaf_expires"] = ours["leaf_expires"].clone();
    assert_eq!(old, ours);

    let out = run(
        dir,
        &certkit(),
        &[
            "bundle",
            "-cert",
            "leaf.p12",
            "-password",
            "wrong",
            "-ca-bundle",
            "ca.pem",
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = err.lines().filter(|l| l.contains("[ERROR]")).collect();
    assert!(
        errors.len() == 1 && errors[0].contains("leaf.p12") && !err.contains("wrong"),
        "{err}"
    );
}

/// `certinfo -serial N -aki HEX -db-config db.json`: cfssl 1.6.5 (1.2.0
/// has no -serial) and certkit print the recorded certificate as `-cert`
/// prints it, on PostgreSQL (1.6.5's SQLite driver needs cgo); certkit on
/// SQLite too. An unknown serial is one error line and no output.
#[test]
fn certinfo_reads_a_recorded_certificate_as_cfssl_1_6() {
    let tmp = ca_dir("Certinfo DB CA");
    let dir = tmp.path();
    write_leaf(dir, "db.example");
    std::fs::write(
        dir.join("sqlite.json"),
        format!(
            r#"{{"driver":"sqlite3","data_source":"{}/certs.db"}}"#,
            dir.display()
        ),
    )
    .unwrap();
    let pg = support::postgres::Postgres::start();
    if let Some(pg) = &pg {
        std::fs::write(dir.join("pg.json"), pg.db_config()).unwrap();
    }
    let current = cfssl_current();
    let certinfo = |tool: &Path, args: &[&str]| -> serde_json::Value {
        let out = run(dir, tool, &[&["certinfo"][..], args].concat(), None);
        assert_ok(&out, &format!("{} certinfo {args:?}", tool.display()));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    for db in ["sqlite.json", "pg.json"]
        .into_iter()
        .filter(|d| dir.join(d).exists())
    {
        to_files(
            dir,
            &[
                "gencert",
                "-ca",
                "ca.pem",
                "-ca-key",
                "ca-key.pem",
                "-db-config",
                db,
                "leaf.json",
            ],
            b"",
            "leaf",
        );
        let from_file = certinfo(&certkit(), &["-cert", "leaf.pem"]);
        let serial = from_file["serial_number"].as_str().unwrap().to_string();
        let aki = from_file["authority_key_id"]
            .as_str()
            .unwrap()
            .replace(':', "");
        let lookup = ["-db-config", db, "-serial", &serial, "-aki", &aki];
        assert_eq!(certinfo(&certkit(), &lookup), from_file, "{db}");
        if let (Some(current), "pg.json") = (&current, db) {
            let cfssl = current.join("cfssl");
            let theirs = certinfo(&cfssl, &lookup);
            assert_eq!(theirs, certinfo(&cfssl, &["-cert", "leaf.pem"]));
            assert_eq!(theirs["serial_number"], from_file["serial_number"]);
            assert_eq!(
                theirs["pem"].as_str().map(str::trim),
                from_file["pem"].as_str().map(str::trim)
            );
        }
        let out = run(
            dir,
            &certkit(),
            &[
                "certinfo",
                "-db-config",
                db,
                "-serial",
                "12345",
                "-aki",
                &aki,
            ],
            None,
        );
        assert!(!out.status.success() && out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        let errors: Vec<&str> = err.lines().filter(|l| l.contains("[ERROR]")).collect();
        assert!(errors.len() == 1 && errors[0].contains("12345"), "{err}");
    }
    let out = run(
        dir,
        &certkit(),
        &["certinfo", "-serial", "1", "-aki", "ab"],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "-serial without -db-config is a usage error"
    );
}

/// The extensions of a PEM certificate outside the usual set: (OID,
/// critical, DER value), in order.
fn unusual_extensions(pem_text: &str) -> Vec<(String, bool, Vec<u8>)> {
    let der = ::pem::parse(pem_text).unwrap().into_contents();
    let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
    cert.extensions()
        .iter()
        .map(|e| (e.oid.to_id_string(), e.critical, e.value.to_vec()))
        .filter(|(oid, _, _)| !oid.starts_with("2.5.29.") && !oid.starts_with("1.3.6.1.5.5.7.1."))
        .collect()
}

/// The "Requested Extensions" of a PEM CSR as openssl prints them.
fn requested_extensions(dir: &Path, csr_pem: &str) -> String {
    std::fs::write(dir.join("probe.csr"), csr_pem).unwrap();
    let out = run(
        dir,
        &require_tool("openssl"),
        &["req", "-in", "probe.csr", "-noout", "-text"],
        None,
    );
    assert_ok(&out, "openssl req -text");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let start = text
        .find("Requested Extensions")
        .expect("no requested extensions");
    let end = text[start..]
        .find("Signature Algorithm")
        .map_or(text.len(), |e| start + e);
    text[start..end].to_string()
}

/// Request JSON `extensions` (Go's pkix.Extension: `id` arcs, `critical`,
/// base64 `value`) and `delegation_enabled` (RFC 9345 DelegationUsage):
/// cfssl 1.6.5 puts both in the CSR, and its signer copies DelegationUsage
/// always, the others only under `copy_extensions`; certkit's CSRs and
/// certificates carry the same extensions, byte for byte.
#[test]
fn request_extensions_and_delegation_go_in_the_csr_as_cfssl_1_6() {
    let Some(current) = cfssl_current() else {
        return;
    };
    let tmp = ca_dir("Extensions Test CA");
    let dir = tmp.path();
    std::fs::write(
        dir.join("req.json"),
        r#"{"CN":"dc.example","hosts":["dc.example"],"key":{"algo":"ecdsa","size":256},"delegation_enabled":true,
            "extensions":[{"id":[1,2,3,4,5],"critical":false,"value":"DAVoZWxsbw=="}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("plain.json"),
        r#"{"signing":{"default":{"expiry":"24h","usages":["digital signature","server auth"]}}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("copy.json"),
        r#"{"signing":{"default":{"expiry":"24h","usages":["digital signature","server auth"],"copy_extensions":true,"allowed_extensions":["1.2.3.4.5"]}}}"#,
    )
    .unwrap();
    let delegation = ("1.3.6.1.4.1.44363.44".to_string(), false, vec![5, 0]);
    let custom = ("1.2.3.4.5".to_string(), false, b"\x0c\x05hello".to_vec());
    let mut csrs = Vec::new();
    for (config, want) in [
        ("plain.json", vec![delegation.clone()]),
        ("copy.json", vec![delegation.clone(), custom.clone()]),
    ] {
        for tool in [current.join("cfssl"), certkit()] {
            let args = [
                "gencert",
                "-ca",
                "ca.pem",
                "-ca-key",
                "ca-key.pem",
                "-config",
                config,
                "req.json",
            ];
            let out = run(dir, &tool, &args, None);
            assert_ok(&out, &format!("{} gencert", tool.display()));
            let json = String::from_utf8_lossy(&out.stdout).into_owned();
            assert_eq!(
                unusual_extensions(&field(&json, "cert")),
                want,
                "{} {config}",
                tool.display()
            );
            csrs.push(requested_extensions(dir, &field(&json, "csr")));
        }
    }
    assert!(
        csrs[0].contains("1.3.6.1.4.1.44363.44") && csrs[0].contains("hello"),
        "{}",
        csrs[0]
    );
    assert!(csrs.windows(2).all(|w| w[0] == w[1]), "{csrs:#?}");

    std::fs::write(
        dir.join("bad.json"),
        r#"{"CN":"x","extensions":[{"id":"1.2.3","value":"AA=="}]}"#,
    )
    .unwrap();
    let out = run(dir, &certkit(), &["genkey", "bad.json"], None);
    assert!(!out.status.success() && out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("extensions[0]: id"));
}
