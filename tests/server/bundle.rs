//! `certkit serve -ca-bundle -int-bundle`: the `bundle` endpoint and
//! `"bundle": true` on sign, side by side with Debian's cfssl 1.2.0 (the
//! bundle endpoint) and current cfssl (sign's bundle, which 1.2.0 lacks)
//! serving the same CA and bundle files, over curl.

use serde_json::Value;
use std::path::Path;
use support::serve::*;
use support::{certkit, to_files};

/// In a fresh work directory: root.pem, int.pem (signed by the root; the
/// serving CA), leaf.pem (+ key) under int, stray.pem under another root,
/// leaf.csr, and chain.pem (int then leaf: a chain given root-first).
fn chained_pki() -> tempfile::TempDir {
    let tmp = workdir();
    let dir = tmp.path();
    let ecdsa = r#""key":{"algo":"ecdsa","size":256}"#;
    write(
        dir,
        "root.json",
        &format!(r#"{{"CN":"Bundle Root",{ecdsa}}}"#),
    );
    write(
        dir,
        "int.json",
        &format!(r#"{{"CN":"Bundle Int",{ecdsa}}}"#),
    );
    write(
        dir,
        "leaf.json",
        &format!(r#"{{"CN":"leaf.example.com","hosts":["leaf.example.com"],{ecdsa}}}"#),
    );
    write(
        dir,
        "pki-config.json",
        r#"{"signing":{"default":{"expiry":"8760h","usages":["signing","key encipherment","server auth"]},
"profiles":{"int":{"expiry":"43800h","usages":["cert sign","crl sign"],"ca_constraint":{"is_ca":true,"max_path_len":0,"max_path_len_zero":true}}}}}"#,
    );
    to_files(dir, &["gencert", "-initca", "root.json"], b"", "root");
    to_files(dir, &["gencert", "-initca", "root.json"], b"", "other");
    to_files(dir, &["genkey", "int.json"], b"", "int");
    let ca = |name: &str| {
        [
            "-ca".to_string(),
            format!("{name}.pem"),
            "-ca-key".into(),
            format!("{name}-key.pem"),
            "-config".into(),
            "pki-config.json".into(),
        ]
    };
    let args = |name: &str, tail: &[&str]| -> Vec<String> {
        let mut v = ca(name).to_vec();
        v.extend(tail.iter().map(|s| s.to_string()));
        v
    };
    let int = args("root", &["-profile", "int", "int.csr"]);
    let int: Vec<&str> = int.iter().map(String::as_str).collect();
    to_files(dir, &[&["sign"][..], &int].concat(), b"", "int");
    for (name, issuer) in [("leaf", "int"), ("stray", "other")] {
        let a = args(issuer, &["leaf.json"]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        to_files(dir, &[&["gencert"][..], &a].concat(), b"", name);
    }
    write(
        dir,
        "chain.pem",
        &(read(dir, "int.pem") + &read(dir, "leaf.pem")),
    );
    tmp
}

/// A bundle request for PEM files, with extra members.
fn bundle_body(dir: &Path, files: &[&str], extra: &[(&str, &str)]) -> String {
    let pem: String = files.iter().map(|f| read(dir, f)).collect();
    let mut body = serde_json::json!({ "certificate": pem });
    for (k, v) in extra {
        body[*k] = Value::String(v.to_string());
    }
    body.to_string()
}

/// Status, envelope and the parts of a bundle result both servers must
/// agree on (their messages' wording differs).
fn shape(a: &Answer) -> Value {
    let v: Value = serde_json::from_str(&a.body).unwrap_or_else(|e| panic!("{e}: {a:?}"));
    assert!(a.body.ends_with('\n'), "{a:?}");
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 4, "{a:?}");
    let r = &v["result"];
    let trim = |x: &Value| x.as_str().map(|s| s.trim().to_string());
    serde_json::json!({
        "status": a.status,
        "json": a.content_type.starts_with("application/json"),
        "success": v["success"],
        "code": v["errors"][0]["code"],
        "bundle": trim(&r["bundle"]),
        "crt": trim(&r["crt"]),
        "root": trim(&r["root"]),
        "key": r["key"].as_str().map(|k| !k.is_empty()),
        "hostnames": r["hostnames"],
        "issuer": r["issuer"],
        "subject": r["subject"],
        "key_type": r["key_type"],
        "status_code": r["status"]["code"],
        "rebundled": r["status"]["rebundled"],
    })
}

#[test]
fn bundle_endpoint_answers_as_cfssl_1_2() {
    let Some(cfssl) = cfssl_1_2() else { return };
    let tmp = chained_pki();
    let dir = tmp.path();
    let files = [
        "-ca",
        "int.pem",
        "-ca-key",
        "int-key.pem",
        "-config",
        "pki-config.json",
        "-ca-bundle",
        "root.pem",
        "-int-bundle",
        "int.pem",
    ];
    let ours = Server::certkit(dir, &files);
    let theirs = Server::cfssl(dir, &cfssl, &files);
    let leaf_key = read(dir, "leaf-key.pem");
    let bad_pem =
        r#"{"certificate":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}"#;
    let cases: Vec<(&str, String)> = vec![
        ("leaf alone", bundle_body(dir, &["leaf.pem"], &[])),
        (
            "chain root-first, key, optimal",
            bundle_body(
                dir,
                &["chain.pem"],
                &[("private_key", &leaf_key), ("flavor", "optimal")],
            ),
        ),
        (
            "force",
            bundle_body(dir, &["leaf.pem", "int.pem"], &[("flavor", "force")]),
        ),
        (
            "hostname matches",
            bundle_body(dir, &["leaf.pem"], &[("domain", "leaf.example.com")]),
        ),
        (
            "hostname does not match",
            bundle_body(dir, &["leaf.pem"], &[("domain", "wrong.example.com")]),
        ),
        (
            "IP not in the certificate",
            bundle_body(dir, &["leaf.pem"], &[("ip", "10.0.0.1")]),
        ),
        ("chains to no root", bundle_body(dir, &["stray.pem"], &[])),
        (
            "key of another certificate",
            bundle_body(
                dir,
                &["leaf.pem"],
                &[("private_key", &read(dir, "root-key.pem"))],
            ),
        ),
        ("bad PEM", bad_pem.to_string()),
        ("not a certificate", r#"{"certificate":"hello"}"#.into()),
        ("no certificate", "{}".into()),
    ];
    let url = |s: &Server| format!("{}/api/v1/cfssl/bundle", s.url);
    for (what, body) in &cases {
        let a = post(dir, &url(&ours), body);
        let b = post(dir, &url(&theirs), body);
        assert_eq!(shape(&a), shape(&b), "{what}:\ncertkit {a:?}\ncfssl {b:?}");
    }
    // The good answer is the chain to serve: leaf and intermediate, the
    // root beside it, as `certkit bundle` prints.
    let good = shape(&post(dir, &url(&ours), &cases[0].1));
    let want = format!(
        "{}\n{}",
        read(dir, "leaf.pem").trim(),
        read(dir, "int.pem").trim()
    );
    assert_eq!(good["bundle"], want.as_str());
    assert_eq!(good["root"], read(dir, "root.pem").trim());
    let cli = run(
        dir,
        certkit(),
        &[
            "bundle",
            "-cert",
            "leaf.pem",
            "-ca-bundle",
            "root.pem",
            "-int-bundle",
            "int.pem",
        ],
    );
    let endpoint: Value = serde_json::from_str(&post(dir, &url(&ours), &cases[0].1).body).unwrap();
    let cli: Value = serde_json::from_str(&cli).unwrap();
    assert_eq!(
        endpoint["result"], cli,
        "the endpoint answers `certkit bundle`'s JSON"
    );

    // The wrong method, as every endpoint.
    let get = curl(dir, &[&url(&ours)]);
    let get_theirs = curl(dir, &[&url(&theirs)]);
    assert_eq!(shape(&get), shape(&get_theirs));
    assert_eq!(get.status, 405);

    // `domain` alone: cfssl dials the server; certkit refuses.
    let domain = post(dir, &url(&ours), r#"{"domain":"leaf.example.com"}"#);
    assert_eq!(domain.status, 400, "{domain:?}");
    assert!(domain.body.contains("does not dial out"), "{domain:?}");
    // An unknown flavor is refused (cfssl bundles it as optimal).
    let flavor = post(
        dir,
        &url(&ours),
        &bundle_body(dir, &["leaf.pem"], &[("flavor", "best")]),
    );
    assert_eq!(flavor.status, 400, "{flavor:?}");
}

#[test]
fn without_ca_bundle_the_endpoint_uses_the_system_roots_as_cfssl() {
    let Some(cfssl) = cfssl_1_2() else { return };
    let tmp = chained_pki();
    let dir = tmp.path();
    let files = ["-ca", "int.pem", "-ca-key", "int-key.pem"];
    let ours = Server::certkit(dir, &files);
    let theirs = Server::cfssl(dir, &cfssl, &files);
    let body = bundle_body(dir, &["leaf.pem", "int.pem"], &[]);
    let a = post(dir, &format!("{}/api/v1/cfssl/bundle", ours.url), &body);
    let b = post(dir, &format!("{}/api/v1/cfssl/bundle", theirs.url), &body);
    assert_eq!(shape(&a), shape(&b), "certkit {a:?}\ncfssl {b:?}");
    assert_eq!((a.status, shape(&a)["code"].as_u64()), (400, Some(1220)));
}

/// `sign` with `"bundle": true` on `url`: the parsed answer.
fn sign_bundled(dir: &Path, url: &str) -> (Answer, Value) {
    let csr = serde_json::to_string(&read(dir, "leaf.csr")).unwrap();
    let a = post(
        dir,
        &format!("{url}/api/v1/cfssl/sign"),
        &format!(r#"{{"certificate_request":{csr},"bundle":true}}"#),
    );
    let v = serde_json::from_str(&a.body).unwrap_or(Value::Null);
    (a, v)
}

#[test]
fn sign_with_bundle_true_answers_as_current_cfssl() {
    let tmp = chained_pki();
    let dir = tmp.path();
    let ca = ["-ca", "int.pem", "-ca-key", "int-key.pem"];
    let bundles = ["-ca-bundle", "root.pem", "-int-bundle", "int.pem"];
    let with = Server::certkit(dir, &[&ca[..], &bundles[..]].concat());
    let (a, v) = sign_bundled(dir, &with.url);
    assert_eq!(a.status, 200, "{a:?}");
    let cert = v["result"]["certificate"].as_str().unwrap();
    let bundle = &v["result"]["bundle"];
    assert_eq!(
        bundle["bundle"].as_str().unwrap(),
        format!("{}\n{}", cert.trim(), read(dir, "int.pem").trim()),
        "the new certificate's optimal chain"
    );
    assert_eq!(bundle["root"], read(dir, "root.pem").trim());
    assert_eq!(v["messages"], serde_json::json!([]));

    // Without both files: the certificate and cfssl main's 5300 message.
    let without = Server::certkit(dir, &[&ca[..], &["-ca-bundle", "root.pem"]].concat());
    let (a, v) = sign_bundled(dir, &without.url);
    assert_eq!(a.status, 200, "{a:?}");
    assert!(v["result"]["bundle"].is_null(), "{a:?}");
    assert_eq!(v["messages"][0]["code"], 5300, "{a:?}");

    // A CA that chains to none of the roots: the request fails (cfssl too).
    let stray = Server::certkit(
        dir,
        &[
            &["-ca", "other.pem", "-ca-key", "other-key.pem"][..],
            &bundles[..],
        ]
        .concat(),
    );
    let (refused, _) = sign_bundled(dir, &stray.url);
    assert_eq!(refused.status, 400, "{refused:?}");
    assert!(
        stray
            .log()
            .contains("does not chain to a root of -ca-bundle"),
        "{}",
        stray.log()
    );
    assert!(!with.log().contains("does not chain"), "{}", with.log());

    let Some(current) = cfssl_current() else {
        return;
    };
    let bin = current.join("cfssl");
    let compare = |ca: &[&str], bundles: &[&str], ours: &Answer| {
        let args = [ca, bundles].concat();
        let theirs = Server::cfssl(dir, &bin, &args);
        let (b, w) = sign_bundled(dir, &theirs.url);
        let v: Value = serde_json::from_str(&ours.body).unwrap();
        assert_eq!(ours.status, b.status, "certkit {ours:?}\ncfssl {b:?}");
        assert_eq!(v["errors"][0]["code"], w["errors"][0]["code"]);
        assert_eq!(v["messages"], w["messages"]);
        let part = |x: &Value, k: &str| x["result"]["bundle"][k].clone();
        for k in ["root", "issuer", "subject", "hostnames", "key_type"] {
            assert_eq!(part(&v, k), part(&w, k), "{k}");
        }
        // Same chain shape: the leaf (each server's own) and the intermediate.
        let tail = |x: &Value| {
            let b = part(x, "bundle");
            b.as_str().map(|s| {
                s.split("-----END CERTIFICATE-----")
                    .skip(1)
                    .collect::<String>()
            })
        };
        assert_eq!(tail(&v), tail(&w));
    };
    let (ok, _) = sign_bundled(dir, &with.url);
    compare(&ca, &bundles, &ok);
    let (none, _) = sign_bundled(dir, &without.url);
    compare(&ca, &["-ca-bundle", "root.pem"], &none);
    compare(
        &["-ca", "other.pem", "-ca-key", "other-key.pem"],
        &bundles,
        &refused,
    );

    // cfssl 1.2.0 has no bundler on sign at all: it drops the request's
    // bundle silently, which certkit does not copy.
    if let Some(old) = cfssl_1_2() {
        let args = [&ca[..], &bundles[..]].concat();
        let theirs = Server::cfssl(dir, &old, &args);
        let (b, w) = sign_bundled(dir, &theirs.url);
        assert_eq!(b.status, 200, "{b:?}");
        assert!(w["result"]["bundle"].is_null() && w["messages"] == serde_json::json!([]));
    }
}

#[test]
fn newcert_with_bundle_true_carries_the_chain() {
    let tmp = chained_pki();
    let dir = tmp.path();
    let server = Server::certkit(
        dir,
        &[
            "-ca",
            "int.pem",
            "-ca-key",
            "int-key.pem",
            "-ca-bundle",
            "root.pem",
            "-int-bundle",
            "int.pem",
        ],
    );
    let body = format!(r#"{{"request":{},"bundle":true}}"#, read(dir, "leaf.json"));
    let a = post(dir, &format!("{}/api/v1/cfssl/newcert", server.url), &body);
    assert_eq!(a.status, 200, "{a:?}");
    let v: Value = serde_json::from_str(&a.body).unwrap();
    assert_eq!(v["result"]["bundle"]["root"], read(dir, "root.pem").trim());
}
