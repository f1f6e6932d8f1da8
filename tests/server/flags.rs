//! `certkit serve`'s remaining cfssl flags, side by side with Debian's
//! cfssl 1.2.0 serving the same files: `-responder`/`-responder-key` (the
//! `ocspsign` endpoint and its signer), `-int-dir` and `-metadata` (the
//! bundler), and `-remote` (refused with one line).

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use support::serve::*;
use support::{certkit, free_port, to_files};

/// workdir() plus: ocsp.pem (a delegated OCSP responder ca.pem issued),
/// int.pem (an intermediate under ca.pem), leaf.pem under int.pem, and
/// other.pem (another CA).
fn pki() -> tempfile::TempDir {
    let tmp = workdir();
    let dir = tmp.path();
    let ecdsa = r#""key":{"algo":"ecdsa","size":256}"#;
    write(
        dir,
        "pki-config.json",
        r#"{"signing":{"default":{"expiry":"8760h","usages":["signing","server auth"]},
"profiles":{"ocsp":{"expiry":"8760h","usages":["digital signature","ocsp signing"],"ocsp_no_check":true},
"int":{"expiry":"43800h","usages":["cert sign","crl sign"],"ca_constraint":{"is_ca":true,"max_path_len":0,"max_path_len_zero":true}}}}}"#,
    );
    let gencert = |issuer: &str, profile: &str, json: &str, name: &str| {
        write(dir, "subject.json", json);
        let (cert, key) = (format!("{issuer}.pem"), format!("{issuer}-key.pem"));
        let args = [
            "gencert",
            "-ca",
            &cert,
            "-ca-key",
            &key,
            "-config",
            "pki-config.json",
            "-profile",
            profile,
            "subject.json",
        ];
        to_files(dir, &args, b"", name);
    };
    gencert(
        "ca",
        "ocsp",
        &format!(r#"{{"CN":"OCSP Responder",{ecdsa}}}"#),
        "ocsp",
    );
    gencert(
        "ca",
        "int",
        &format!(r#"{{"CN":"Serve Int",{ecdsa}}}"#),
        "int",
    );
    let leaf = format!(r#"{{"CN":"leaf.example.com","hosts":["leaf.example.com"],{ecdsa}}}"#);
    gencert("int", "", &leaf, "leaf");
    write(
        dir,
        "other.json",
        &format!(r#"{{"CN":"Other CA",{ecdsa}}}"#),
    );
    to_files(dir, &["gencert", "-initca", "other.json"], b"", "other");
    tmp
}

/// Status, envelope success and first error code: what both servers
/// must agree on (their messages' wording differs).
fn shape(a: &Answer) -> Value {
    let v: Value = serde_json::from_str(&a.body).unwrap_or(Value::Null);
    serde_json::json!({
        "status": a.status,
        "json": v.is_object(),
        "success": v["success"],
        "code": v["errors"][0]["code"],
        "response": v["result"]["ocspResponse"].is_string(),
    })
}

fn ocsp_body(dir: &Path, cert: &str, extra: &str) -> String {
    let pem = serde_json::to_string(&read(dir, cert)).unwrap();
    format!(r#"{{"certificate":{pem}{extra}}}"#)
}

/// The DER response of a successful `ocspsign` answer.
fn response_der(answer: &Answer) -> Vec<u8> {
    use base64::Engine;
    let v: Value = serde_json::from_str(&answer.body).unwrap();
    base64::engine::general_purpose::STANDARD
        .decode(v["result"]["ocspResponse"].as_str().unwrap())
        .unwrap()
}

/// certkit and cfssl 1.2.0 serving ca.pem with `-responder CERT
/// -responder-key KEY`.
fn with_responder(dir: &Path, cfssl: &Path, cert: &str, key: &str) -> (Server, Server) {
    let args = [ca_args(), vec!["-responder", cert, "-responder-key", key]].concat();
    (
        Server::certkit(dir, &args),
        Server::cfssl(dir, cfssl, &args),
    )
}

/// `openssl ocsp -respin` on a response about `cert`, checked against
/// ca.pem (and, with `va`, trusting only that responder certificate):
/// the text it prints, or its failure.
fn openssl_reads(dir: &Path, answer: &Answer, cert: &str, va: Option<&str>) -> (bool, String) {
    let der = response_der(answer);
    std::fs::write(dir.join("resp.der"), &der).unwrap();
    let mut cmd = Command::new("openssl");
    cmd.args(["ocsp", "-respin", "resp.der", "-no_nonce", "-resp_text"])
        .current_dir(dir);
    match va {
        // Only that certificate can be the signer: no -issuer to fall back on.
        Some(va) => cmd.args(["-VAfile", va]),
        None => cmd.args(["-issuer", "ca.pem", "-cert", cert, "-CAfile", "ca.pem"]),
    };
    let out = cmd.output().expect("openssl must be installed");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (
        out.status.success() && text.contains("Response verify OK"),
        text,
    )
}

/// certkit's own reader: the response about `cert` verifies under ca.pem.
fn certkit_reads(
    dir: &Path,
    answer: &Answer,
    cert: &str,
) -> certkit_core::revocation::ocsp::Status {
    use certkit_core::chain::certs::Cert;
    let der = response_der(answer);
    let ca = Cert::from_der(pem::parse(read(dir, "ca.pem")).unwrap().contents()).unwrap();
    let leaf = Cert::from_der(pem::parse(read(dir, cert)).unwrap().contents()).unwrap();
    let serial = leaf
        .cert
        .tbs_certificate()
        .serial_number()
        .as_bytes()
        .to_vec();
    certkit_core::revocation::ocsp::check_response(
        &der,
        &ca,
        &serial,
        None,
        std::time::SystemTime::now(),
    )
    .unwrap_or_else(|e| panic!("certkit cannot read the response: {e}"))
}

#[test]
fn ocspsign_exists_with_a_responder_and_signs_with_it_as_cfssl_1_2() {
    let Some(cfssl) = cfssl_1_2() else { return };
    let tmp = pki();
    let dir = tmp.path();
    let url = |s: &Server| format!("{}/api/v1/cfssl/ocspsign", s.url);

    // Without -responder: no endpoint (cfssl: "signer not initialized").
    let ours = Server::certkit(dir, &ca_args());
    let theirs = Server::cfssl(dir, &cfssl, &ca_args());
    let body = ocsp_body(dir, "tls.pem", "");
    let (a, b) = (
        post(dir, &url(&ours), &body),
        post(dir, &url(&theirs), &body),
    );
    assert_eq!(
        (a.status, &a.body),
        (404, &"404 page not found\n".to_string())
    );
    assert_eq!((a.status, &a.body), (b.status, &b.body), "cfssl {b:?}");
    assert!(
        ours.log().contains("ocspsign is disabled"),
        "{}",
        ours.log()
    );
    drop((ours, theirs));

    let (ours, theirs) = with_responder(dir, &cfssl, "ocsp.pem", "ocsp-key.pem");
    let cases: Vec<(&str, String)> = vec![
        ("good", ocsp_body(dir, "tls.pem", "")),
        (
            "unknown",
            ocsp_body(dir, "tls.pem", r#","status":"unknown""#),
        ),
        (
            "revoked on a day",
            ocsp_body(
                dir,
                "tls.pem",
                r#","status":"revoked","reason":1,"revoked_at":"2024-01-02""#,
            ),
        ),
        (
            "revoked now",
            ocsp_body(dir, "tls.pem", r#","status":"revoked","reason":4"#),
        ),
        ("another CA's certificate", ocsp_body(dir, "other.pem", "")),
        ("an intermediate's leaf", ocsp_body(dir, "leaf.pem", "")),
        ("not a certificate", r#"{"certificate":"junk"}"#.into()),
        (
            "bad status",
            ocsp_body(dir, "tls.pem", r#","status":"bogus""#),
        ),
        (
            "bad date",
            ocsp_body(
                dir,
                "tls.pem",
                r#","status":"revoked","revoked_at":"2020-13-45""#,
            ),
        ),
        ("not JSON", "notjson".into()),
    ];
    for (what, body) in &cases {
        let (a, b) = (post(dir, &url(&ours), body), post(dir, &url(&theirs), body));
        assert_eq!(shape(&a), shape(&b), "{what}:\ncertkit {a:?}\ncfssl {b:?}");
        if a.status != 200 {
            continue;
        }
        // Both responses verify under the CA, carry the responder
        // certificate, and verify trusting that responder alone.
        for (who, answer) in [("certkit", &a), ("cfssl", &b)] {
            let (ok, text) = openssl_reads(dir, answer, "tls.pem", None);
            assert!(ok, "{what}: {who}'s response:\n{text}");
            assert!(
                text.contains("CN=OCSP Responder") || text.contains("CN = OCSP Responder"),
                "{who}: {text}"
            );
            let (ok, text) = openssl_reads(dir, answer, "tls.pem", Some("ocsp.pem"));
            assert!(
                ok,
                "{what}: {who}'s response is not the responder's:\n{text}"
            );
            certkit_reads(dir, answer, "tls.pem");
        }
    }
    let get = (curl(dir, &[&url(&ours)]), curl(dir, &[&url(&theirs)]));
    assert_eq!(shape(&get.0), shape(&get.1));
    assert_eq!(get.0.status, 405);
    drop((ours, theirs));

    // The CA as its own responder: no certificate in the response, and
    // it does not verify as ocsp.pem's.
    let (ours, theirs) = with_responder(dir, &cfssl, "ca.pem", "ca-key.pem");
    let body = ocsp_body(dir, "tls.pem", "");
    for answer in [
        post(dir, &url(&ours), &body),
        post(dir, &url(&theirs), &body),
    ] {
        assert_eq!(answer.status, 200, "{answer:?}");
        let (ok, text) = openssl_reads(dir, &answer, "tls.pem", None);
        assert!(ok && !text.contains("Certificate:"), "{text}");
        assert!(!openssl_reads(dir, &answer, "tls.pem", Some("ocsp.pem")).0);
        certkit_reads(dir, &answer, "tls.pem");
    }
}

/// certkit serve's exit code and stderr for ARGS (it refuses before
/// listening, so this returns).
fn refused(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new("timeout")
        .arg("20")
        .arg(certkit())
        .arg("serve")
        .args(args)
        .args(["-port", "0"])
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn a_bad_responder_stops_the_start() {
    let tmp = pki();
    let dir = tmp.path();
    // A key that is not the responder certificate's; a responder another
    // CA issued (cfssl starts and signs responses no client accepts).
    for (cert, key, says) in [
        ("ocsp.pem", "ca-key.pem", "does not match"),
        ("other.pem", "other-key.pem", "other.pem"),
    ] {
        let (code, err) = refused(
            dir,
            &[&ca_args()[..], &["-responder", cert, "-responder-key", key]].concat(),
        );
        assert_eq!(code, 1, "{err}");
        assert_eq!(
            err.lines().filter(|l| l.contains("[ERROR]")).count(),
            1,
            "{err}"
        );
        assert!(err.contains(says), "{err}");
    }
    // One without the other is a usage error.
    let (code, err) = refused(dir, &[&ca_args()[..], &["-responder", "ocsp.pem"]].concat());
    assert_eq!(code, 2, "{err}");
}

/// A bundle request for leaf.pem alone (or with int.pem) with a flavor.
fn bundle_body(dir: &Path, files: &[&str], flavor: &str) -> String {
    let pem: String = files.iter().map(|f| read(dir, f)).collect();
    serde_json::json!({ "certificate": pem, "flavor": flavor }).to_string()
}

/// What the bundle answers must agree on.
fn bundle_shape(a: &Answer) -> Value {
    let v: Value = serde_json::from_str(&a.body).unwrap_or_else(|e| panic!("{e}: {a:?}"));
    let r = &v["result"];
    let trim = |x: &Value| x.as_str().map(|s| s.trim().to_string());
    serde_json::json!({
        "status": a.status,
        "code": v["errors"][0]["code"],
        "bundle": trim(&r["bundle"]),
        "root": trim(&r["root"]),
        "status_code": r["status"]["code"],
        "untrusted_root_stores": r["status"]["untrusted_root_stores"],
    })
}

/// leaf.pem and int.pem bundled by both servers: the same answer's shape.
fn same_bundle(dir: &Path, (ours, theirs): (&Server, &Server), flavor: &str) -> Value {
    let url = |s: &Server| format!("{}/api/v1/cfssl/bundle", s.url);
    let body = bundle_body(dir, &["leaf.pem", "int.pem"], flavor);
    let (a, b) = (post(dir, &url(ours), &body), post(dir, &url(theirs), &body));
    assert_eq!(
        bundle_shape(&a),
        bundle_shape(&b),
        "{flavor}:\ncertkit {a:?}\ncfssl {b:?}"
    );
    bundle_shape(&a)
}

#[test]
fn metadata_steers_ubiquitous_bundles_as_cfssl_1_2() {
    let Some(cfssl) = cfssl_1_2() else { return };
    let tmp = pki();
    let dir = tmp.path();
    // int.pem is trusted as a root too, but only by one of two platforms:
    // optimal takes the short chain, ubiquitous with metadata the long one.
    write(
        dir,
        "roots.pem",
        &(read(dir, "ca.pem") + &read(dir, "int.pem")),
    );
    write(
        dir,
        "meta.json",
        r#"[{"name":"Everyone","weight":100,"hash_algo":"SHA2","key_algo":"ECDSA256","keystore":"roots.pem"},
{"name":"Cautious","weight":100,"hash_algo":"SHA2","key_algo":"ECDSA256","keystore":"ca.pem"}]"#,
    );
    let base = [
        ca_args(),
        vec!["-ca-bundle", "roots.pem", "-int-bundle", "int.pem"],
    ]
    .concat();
    let with = [base.clone(), vec!["-metadata", "meta.json"]].concat();
    let mut seen = Vec::new();
    for args in [&base, &with] {
        let ours = Server::certkit(dir, args);
        let theirs = Server::cfssl(dir, &cfssl, args);
        for flavor in ["ubiquitous", "optimal"] {
            seen.push(same_bundle(dir, (&ours, &theirs), flavor)["root"].clone());
        }
    }
    // Only ubiquitous with metadata ends at ca.pem.
    let ca = Value::String(read(dir, "ca.pem").trim().to_string());
    assert_eq!(seen.iter().filter(|r| **r == ca).count(), 1, "{seen:?}");
    assert_eq!(seen[2], ca, "{seen:?}");

    // A metadata file that does not parse stops both servers' start.
    write(dir, "bad-meta.json", "[{\"bad");
    let bad = [base.clone(), vec!["-metadata", "bad-meta.json"]].concat();
    let (code, err) = refused(dir, &bad);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("bad-meta.json"), "{err}");
    let theirs = Command::new("timeout")
        .args([
            "20",
            cfssl.to_str().unwrap(),
            "serve",
            "-port",
            &free_port().to_string(),
        ])
        .args(&bad)
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(theirs.status.code(), Some(1), "{theirs:?}");
}

#[test]
fn int_dir_feeds_the_bundler_and_a_missing_one_is_cfssls_empty_stash() {
    let Some(cfssl) = cfssl_1_2() else { return };
    let tmp = pki();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("stash")).unwrap();
    std::fs::copy(dir.join("int.pem"), dir.join("stash/int.pem")).unwrap();
    let url = |s: &Server| format!("{}/api/v1/cfssl/bundle", s.url);
    let chain = format!(
        "{}\n{}",
        read(dir, "leaf.pem").trim(),
        read(dir, "int.pem").trim()
    );
    for stash in ["stash", "missing-stash"] {
        let args = [ca_args(), vec!["-ca-bundle", "ca.pem", "-int-dir", stash]].concat();
        let ours = Server::certkit(dir, &args);
        let theirs = Server::cfssl(dir, &cfssl, &args);
        // The leaf alone, first (cfssl keeps the intermediates it is
        // given for later requests): certkit completes it from -int-dir;
        // cfssl 1.2.0 only writes what it fetches over AIA there (the
        // leaf names no AIA: 1220), which certkit does not do (README).
        let body = bundle_body(dir, &["leaf.pem"], "optimal");
        let (a, b) = (
            post(dir, &url(&ours), &body),
            post(dir, &url(&theirs), &body),
        );
        assert_eq!(b.status, 400, "{b:?}");
        if stash == "stash" {
            assert_eq!(bundle_shape(&a)["bundle"], chain.as_str(), "{a:?}");
        } else {
            assert_eq!(bundle_shape(&a), bundle_shape(&b), "{a:?}\n{b:?}");
            assert!(
                ours.log()
                    .contains("-int-dir missing-stash: no such directory"),
                "{}",
                ours.log()
            );
        }
        // The chain given whole: the same answer.
        let answer = same_bundle(dir, (&ours, &theirs), "optimal");
        assert_eq!(answer["bundle"], chain.as_str(), "{stash}");
    }
}

#[test]
fn remote_front_end_reaches_a_mutual_tls_backend() {
    let tmp = workdir();
    let dir = tmp.path();
    let backend = Server::certkit(dir, &mutual_tls_args());
    client_config(dir, &backend.url);
    // Current cfssl's client TLS flags (1.2.0's serve has none).
    let tls = [
        &["-config", "client-config.json", "-remote", &backend.url][..],
        &MUTUAL_TLS_CLIENT[..],
    ]
    .concat();
    let front = Server::certkit(dir, &tls);
    let csr = serde_json::to_string(&read(dir, "svc.csr")).unwrap();
    let body = format!(r#"{{"certificate_request":{csr},"profile":"authed"}}"#);
    let a = post(dir, &format!("{}/api/v1/cfssl/sign", front.url), &body);
    assert_eq!(a.status, 200, "{a:?}");
    // Without the client certificate the backend's handshake fails: 7400.
    let bare = Server::certkit(dir, &tls[..6]);
    let b = post(dir, &format!("{}/api/v1/cfssl/sign", bare.url), &body);
    assert_eq!(b.status, 400, "{b:?}");
    assert!(b.body.contains("7400"), "{b:?}");
    // The client TLS flags mean nothing without -remote: a usage error.
    let (code, err) = refused(
        dir,
        &[&ca_args()[..], &["-tls-remote-ca", "ca.pem"]].concat(),
    );
    assert_eq!(code, 2, "{err}");
}

#[test]
fn remote_front_end_forwards_signing_as_cfssl_1_2() {
    let Some(cfssl) = cfssl_1_2() else { return };
    let tmp = workdir();
    let dir = tmp.path();
    let backend = Server::certkit(dir, &signing_args());
    // Profiles that sign on the remote: the default posts to /authsign
    // with key1 (the backend's default has no key: refused), authed too
    // (signed under the backend's authed profile).
    client_config(dir, &backend.url);
    let front = ["-config", "client-config.json", "-remote", &backend.url];
    let ours = Server::certkit(dir, &front);
    let theirs = Server::cfssl(dir, &cfssl, &front);
    assert!(
        ours.log().contains("signing forwarded to"),
        "{}",
        ours.log()
    );
    let csr = serde_json::to_string(&read(dir, "svc.csr")).unwrap();
    let cases: Vec<(&str, &str, String)> = vec![
        (
            "sign authed",
            "sign",
            format!(r#"{{"certificate_request":{csr},"profile":"authed"}}"#),
        ),
        (
            "sign authed with hosts",
            "sign",
            format!(
                r#"{{"certificate_request":{csr},"profile":"authed","hosts":["b.example.com"]}}"#
            ),
        ),
        (
            "sign default (the backend wants no token)",
            "sign",
            sign_body(dir, ""),
        ),
        (
            "sign a bad CSR",
            "sign",
            r#"{"certificate_request":"junk","profile":"authed"}"#.into(),
        ),
        ("info", "info", "{}".into()),
        ("info authed", "info", r#"{"profile":"authed"}"#.into()),
        (
            "newcert authed",
            "newcert",
            format!(
                r#"{{"request":{},"profile":"authed"}}"#,
                read(dir, "req.json")
            ),
        ),
    ];
    for (what, endpoint, body) in &cases {
        let url = |s: &Server| format!("{}/api/v1/cfssl/{endpoint}", s.url);
        let (a, b) = (post(dir, &url(&ours), body), post(dir, &url(&theirs), body));
        let (va, vb): (Value, Value) = (
            serde_json::from_str(&a.body).unwrap_or_else(|e| panic!("{what}: {e} {a:?}")),
            serde_json::from_str(&b.body).unwrap_or_else(|e| panic!("{what}: {e} {b:?}")),
        );
        assert_eq!(
            (a.status, &va["success"], &va["errors"][0]["code"]),
            (b.status, &vb["success"], &vb["errors"][0]["code"]),
            "{what}:\ncertkit {a:?}\ncfssl {b:?}"
        );
        if a.status != 200 {
            continue;
        }
        // The backend's CA signed both, under the same profile.
        let text = |v: &Value| {
            let pem = v["result"]["certificate"].as_str().unwrap().to_string();
            write(dir, "got.pem", &pem);
            run(
                dir,
                "openssl",
                &[
                    "x509",
                    "-in",
                    "got.pem",
                    "-noout",
                    "-issuer",
                    "-ext",
                    "extendedKeyUsage,subjectAltName",
                ],
            )
        };
        let (ta, tb) = (text(&va), text(&vb));
        assert!(ta.contains("Serve Test CA"), "{what}: {ta}");
        assert_eq!(ta, tb, "{what}");
        if *endpoint == "info" {
            assert_eq!(va["result"], vb["result"], "{what}");
        }
    }
    assert!(
        backend.log().contains("/api/v1/cfssl/authsign"),
        "{}",
        backend.log()
    );
}

/// S17: `-max-connections 0` is a usage error for serve and ocspserve (it
/// used to start, log that it listens, and never answer).
#[test]
fn zero_max_connections_is_refused() {
    let tmp = pki();
    let dir = tmp.path();
    let (code, err) = refused(dir, &[&ca_args()[..], &["-max-connections", "0"]].concat());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("at least 1"), "{err}");
    let out = Command::new("timeout")
        .arg("20")
        .arg(certkit())
        .args(["ocspserve", "-port", "0", "-db-config", "db.json"])
        .args(["-max-connections", "0"])
        .current_dir(dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("at least 1"), "{err}");
}

/// S14: `-remote HOST:PORT` with `-tls-remote-ca` speaks TLS (it used to
/// send the request, HMAC token included, over plain HTTP to the TLS
/// port, and fail); `-remote http://…` with TLS files is refused.
#[test]
fn remote_host_port_with_tls_files_speaks_tls() {
    let tmp = workdir();
    let dir = tmp.path();
    let backend = Server::certkit(dir, &tls_args());
    let host_port = format!("127.0.0.1:{}", backend.port);
    client_config(dir, &backend.url);
    let front = Server::certkit(
        dir,
        &[
            "-config",
            "client-config.json",
            "-remote",
            &host_port,
            "-tls-remote-ca",
            "ca.pem",
        ],
    );
    assert!(
        front
            .log()
            .contains(&format!("signing forwarded to https://{host_port}")),
        "{}",
        front.log()
    );
    let csr = serde_json::to_string(&read(dir, "svc.csr")).unwrap();
    let body = format!(r#"{{"certificate_request":{csr},"profile":"authed"}}"#);
    let a = post(dir, &format!("{}/api/v1/cfssl/sign", front.url), &body);
    assert_eq!(a.status, 200, "{a:?}");
    let plain = format!("http://{host_port}");
    let (code, err) = refused(
        dir,
        &[
            "-config",
            "client-config.json",
            "-remote",
            &plain,
            "-tls-remote-ca",
            "ca.pem",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("need https"), "{err}");
}

/// S3/S4: without `-admin-cn` one start-up warning names the open
/// endpoints that change or attest state; `ocspsign` refuses a status the
/// database contradicts (a "good" for a revoked certificate used to be
/// signed); with `-admin-cn` (and `-mutual-tls-ca`) those endpoints answer
/// only clients whose certificate's CN matches, and the rest stay open.
#[test]
fn stateful_endpoints_warn_refuse_contradictions_and_take_an_admin_cn() {
    let tmp = pki();
    let dir = tmp.path();
    let responder = ["-responder", "ocsp.pem", "-responder-key", "ocsp-key.pem"];
    let server = Server::certkit(dir, &[&recording_args()[..], &responder].concat());
    let warned: Vec<_> = server
        .log()
        .lines()
        .filter(|l| l.contains("[WARNING]") && l.contains("answer any client"))
        .map(String::from)
        .collect();
    assert_eq!(warned.len(), 1, "{}", server.log());
    for name in ["revoke", "ocspsign", "crl"] {
        assert!(warned[0].contains(name), "{}", warned[0]);
    }
    let api = format!("{}/api/v1/cfssl", server.url);
    let signed = post(dir, &format!("{api}/sign"), &sign_body(dir, ""));
    assert_eq!(signed.status, 200, "{signed:?}");
    let v: Value = serde_json::from_str(&signed.body).unwrap();
    let cert = v["result"]["certificate"].as_str().unwrap().to_string();
    let serial = serial_of(&cert);
    write(dir, "leaf.pem", &cert);
    let aki = run(dir, certkit(), &["certinfo", "-cert", "leaf.pem"]);
    let aki: Value = serde_json::from_str(&aki).unwrap();
    let aki = aki["authority_key_id"].as_str().unwrap().to_string();
    let revoke =
        format!(r#"{{"serial":"{serial}","authority_key_id":"{aki}","reason":"keyCompromise"}}"#);
    let revoked = post(dir, &format!("{api}/revoke"), &revoke);
    assert_eq!(revoked.status, 200, "{revoked:?}");
    let cert_json = serde_json::to_string(&cert).unwrap();
    let good = post(
        dir,
        &format!("{api}/ocspsign"),
        &format!(r#"{{"certificate":{cert_json},"status":"good"}}"#),
    );
    assert_eq!(good.status, 400, "{good:?}");
    assert!(good.body.contains("database says revoked"), "{good:?}");
    let honest = post(
        dir,
        &format!("{api}/ocspsign"),
        &format!(r#"{{"certificate":{cert_json},"status":"revoked","reason":1}}"#),
    );
    assert_eq!(honest.status, 200, "{honest:?}");
    drop(server);

    let admin = Server::certkit(
        dir,
        &[
            &tls_args()[..],
            &SQLITE_DB,
            &["-mutual-tls-ca", "ca.pem", "-admin-cn", "client-ok"],
        ]
        .concat(),
    );
    assert!(
        !admin.log().contains("answer any client"),
        "{}",
        admin.log()
    );
    let api = format!("https://localhost:{}/api/v1/cfssl", admin.port);
    write(dir, "revoke.json", &revoke);
    write(dir, "sign.json", &sign_body(dir, ""));
    let as_client = |name: &str, args: &[&str]| {
        let cert = format!("{name}.pem");
        let key = format!("{name}-key.pem");
        curl(
            dir,
            &[
                &["--cacert", "ca.pem", "--cert", &cert, "--key", &key][..],
                args,
            ]
            .concat(),
        )
    };
    let refused = as_client(
        "client-bad",
        &["-d", "@revoke.json", &format!("{api}/revoke")],
    );
    assert_eq!(refused.status, 403, "{refused:?}");
    let signs = as_client("client-bad", &["-d", "@sign.json", &format!("{api}/sign")]);
    assert_eq!(signs.status, 200, "{signs:?}");
    let allowed = as_client(
        "client-ok",
        &["-d", "@revoke.json", &format!("{api}/revoke")],
    );
    assert_eq!(allowed.status, 200, "{allowed:?}");
}

/// `-disable newcert,newkey`: cfssl 1.6.5 answers those with Go's 404
/// and serves the rest; certkit the same. An unknown name: cfssl ignores
/// it (the endpoint it meant stays on); certkit refuses to start with one
/// line naming it. `scan` (an endpoint certkit does not have) is accepted;
/// `/` turns off the page (cfssl's static page, certkit's web page).
#[test]
fn disable_turns_endpoints_off_as_cfssl_1_6() {
    let tmp = workdir();
    let dir = tmp.path();
    let args = [&ca_args()[..], &["-disable", "newcert,newkey,scan,/"]].concat();
    let mut servers = vec![("certkit", Server::certkit(dir, &args))];
    if let Some(current) = cfssl_current() {
        servers.push((
            "cfssl 1.6.5",
            Server::cfssl(dir, &current.join("cfssl"), &args),
        ));
    }
    let mut seen = Vec::new();
    for (name, server) in &servers {
        let url = |e: &str| format!("{}/api/v1/cfssl/{e}", server.url);
        let newcert = post(dir, &url("newcert"), r#"{"request":{"CN":"x"}}"#);
        let newkey = post(dir, &url("newkey"), r#"{"CN":"x"}"#);
        let sign = post(dir, &url("sign"), &sign_body(dir, ""));
        let page = curl(dir, &[&format!("{}/", server.url)]);
        assert_eq!(page.status, 404, "{name}: GET / {}", page.body);
        assert_eq!((newcert.status, newkey.status), (404, 404), "{name}");
        assert_eq!(newcert.body.trim(), "404 page not found", "{name}");
        assert_eq!(sign.status, 200, "{name}: {}", sign.body);
        seen.push((newcert.status, newcert.body, newkey.status, sign.status));
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
    assert!(servers[0]
        .1
        .log()
        .contains("endpoint 'newcert' is explicitly disabled"));

    let (code, err) = refused(
        dir,
        &[&ca_args()[..], &["-disable", "newcert,nwecert"]].concat(),
    );
    assert_eq!(code, 1, "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.contains("[ERROR]")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].contains("-disable") && errors[0].contains("\"nwecert\""),
        "{err}"
    );
}
