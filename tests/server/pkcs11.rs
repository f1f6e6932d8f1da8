//! `serve` with its CA key in a PKCS#11 token (SoftHSM2 in the test's
//! temporary directory): it signs through the token from concurrent
//! requests, says clearly that the token is gone while it is removed,
//! and signs again once it is back, without a restart.

use std::path::Path;
use std::process::Command;
use support::dir::field;
use support::serve::{post, run, Server};
use support::softhsm::{SoftHsm, PIN};

fn certkit_ok(hsm: &SoftHsm, args: &[&str], stdin: &str) -> String {
    std::fs::write(hsm.path("stdin.json"), stdin).unwrap();
    let out = hsm
        .env(&mut Command::new(support::certkit_dynamic()))
        .args(args)
        .current_dir(hsm.dir.path())
        .stdin(std::fs::File::open(hsm.path("stdin.json")).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A token CA (ca.pem, key "ca" in the token) and a leaf CSR (svc.csr).
fn token_ca(hsm: &SoftHsm) {
    hsm.keygen("EC:prime256v1", "ca", "01");
    let ca = certkit_ok(
        hsm,
        &["gencert", "-initca", "-ca-key", &hsm.uri("ca"), "-"],
        r#"{"CN":"Token Serve CA","key":{"algo":"ecdsa","size":256}}"#,
    );
    std::fs::write(hsm.path("ca.pem"), field(&ca, "cert")).unwrap();
    let leaf = certkit_ok(
        hsm,
        &["genkey", "-"],
        r#"{"CN":"svc.example","hosts":["svc.example"],"key":{"algo":"ecdsa","size":256}}"#,
    );
    std::fs::write(hsm.path("svc.csr"), field(&leaf, "csr")).unwrap();
}

/// certkit ARGS as a server in the token's directory, SOFTHSM2_CONF set.
fn spawn(hsm: &SoftHsm, args: &[&str]) -> Server {
    let mut cmd = Command::new(support::certkit_dynamic());
    hsm.env(&mut cmd).args(args);
    Server::spawn(hsm.dir.path(), cmd)
}

fn sign_body(dir: &Path) -> String {
    let csr = std::fs::read_to_string(dir.join("svc.csr")).unwrap();
    format!(
        r#"{{"certificate_request":{}}}"#,
        serde_json::to_string(&csr).unwrap()
    )
}

/// Signs svc.csr through the server; the certificate must verify
/// under ca.pem with openssl.
fn signs(dir: &Path, url: &str, name: &str) {
    let answer = post(dir, &format!("{url}/api/v1/cfssl/sign"), &sign_body(dir));
    assert_eq!(answer.status, 200, "{answer:?}");
    let v: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    let cert = v["result"]["certificate"].as_str().unwrap();
    std::fs::write(dir.join(name), cert).unwrap();
    let out = run(dir, "openssl", &["verify", "-CAfile", "ca.pem", name]);
    assert!(out.contains(": OK"), "{out}");
}

#[test]
fn serve_signs_through_the_token_and_comes_back_after_it_is_removed() {
    let hsm = SoftHsm::new();
    token_ca(&hsm);
    let dir = hsm.dir.path();
    let uri = hsm.uri("ca");
    let server = spawn(
        &hsm,
        &["serve", "-port", "0", "-ca", "ca.pem", "-ca-key", &uri],
    );
    signs(dir, &server.url, "first.pem");

    // Concurrent requests share the one logged-in session safely.
    let body = sign_body(dir);
    let url = format!("{}/api/v1/cfssl/sign", server.url);
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let (body, url) = (body.clone(), url.clone());
            let sub = dir.join(format!("c{i}"));
            std::fs::create_dir(&sub).unwrap();
            std::thread::spawn(move || post(&sub, &url, &body))
        })
        .collect();
    for h in handles {
        let answer = h.join().unwrap();
        assert_eq!(answer.status, 200, "{answer:?}");
    }

    // The token goes away: a clear error, and the server keeps running.
    hsm.remove_token();
    let answer = post(dir, &url, &body);
    assert_ne!(answer.status, 200, "{answer:?}");
    assert!(
        answer.body.contains("no token \\\"certkit\\\""),
        "{answer:?}"
    );

    // It comes back: the server logs in again and signs.
    hsm.restore_token();
    signs(dir, &server.url, "after.pem");
    assert!(!server.log().contains(PIN), "the PIN is in the log");
}

#[test]
fn gencrl_ocspsign_and_ocspserve_sign_through_the_token() {
    let hsm = SoftHsm::new();
    token_ca(&hsm);
    let dir = hsm.dir.path();
    let uri = hsm.uri("ca");
    let leaf = certkit_ok(
        &hsm,
        &["sign", "-ca", "ca.pem", "-ca-key", &uri, "svc.csr"],
        "",
    );
    std::fs::write(dir.join("leaf.pem"), field(&leaf, "cert")).unwrap();
    let serial = support::serve::serial_of(&field(&leaf, "cert"));

    // gencrl: openssl verifies the CRL with the CA certificate.
    std::fs::write(dir.join("serials.txt"), format!("{serial}\n")).unwrap();
    let crl = certkit_ok(
        &hsm,
        &["gencrl", "serials.txt", "ca.pem", &uri, "86400"],
        "",
    );
    let der = b64_decode(crl.trim());
    std::fs::write(dir.join("ca.crl"), der).unwrap();
    let out = run(
        dir,
        "openssl",
        &[
            "crl", "-inform", "DER", "-in", "ca.crl", "-CAfile", "ca.pem", "-noout", "-verify",
            "-text",
        ],
    );
    assert!(
        out.contains(&format!("Serial Number: {}", hex_serial(dir))),
        "{out}"
    );

    // ocspsign: openssl verifies the response signed by the token key.
    let signed = certkit_ok(
        &hsm,
        &[
            "ocspsign",
            "-ca",
            "ca.pem",
            "-responder",
            "ca.pem",
            "-responder-key",
            &uri,
            "-cert",
            "leaf.pem",
            "-status",
            "revoked",
            "-reason",
            "keyCompromise",
        ],
        "",
    );
    let v: serde_json::Value = serde_json::from_str(&signed).unwrap();
    let der = b64_decode(v["ocspResponse"].as_str().unwrap());
    std::fs::write(dir.join("resp.der"), der).unwrap();
    let out = Command::new("openssl")
        .args([
            "ocsp",
            "-respin",
            "resp.der",
            "-issuer",
            "ca.pem",
            "-cert",
            "leaf.pem",
            "-CAfile",
            "ca.pem",
            "-no_nonce",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("Response verify OK") && text.contains("leaf.pem: revoked"),
        "{text}"
    );

    // ocspserve signs live with the token key.
    std::fs::write(dir.join("responses.txt"), "").unwrap();
    let server = spawn(
        &hsm,
        &[
            "ocspserve",
            "-port",
            "0",
            "-responses",
            "responses.txt",
            "-ca",
            "ca.pem",
            "-responder",
            "ca.pem",
            "-responder-key",
            &uri,
        ],
    );
    let text = support::revocation::openssl_ocsp(dir, server.port, "leaf.pem", &[]);
    support::revocation::assert_status(&text, "leaf.pem", "unknown");
}

/// leaf.pem's serial as openssl prints it in a CRL (upper-case hex).
fn hex_serial(dir: &Path) -> String {
    run(
        dir,
        "openssl",
        &["x509", "-in", "leaf.pem", "-noout", "-serial"],
    )
    .trim()
    .trim_start_matches("serial=")
    .to_string()
}

fn b64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

#[test]
fn multirootca_takes_a_token_key_in_its_roots_file() {
    use support::serve::{authsign_body, KEY};
    let hsm = SoftHsm::new();
    token_ca(&hsm);
    let dir = hsm.dir.path();
    std::fs::write(
        dir.join("config.json"),
        format!(
            r#"{{"signing":{{"default":{{"auth_key":"k","expiry":"8760h","usages":["signing","server auth"]}}}},"auth_keys":{{"k":{{"type":"standard","key":"{KEY}"}}}}}}"#
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("roots.conf"),
        format!(
            "[token]\nprivate = {}\ncertificate = ca.pem\nconfig = config.json\n",
            hsm.uri("ca")
        ),
    )
    .unwrap();
    std::os::unix::fs::symlink(support::certkit_dynamic(), dir.join("multirootca")).unwrap();
    let mut cmd = Command::new(dir.join("multirootca"));
    hsm.env(&mut cmd)
        .args(["-a", "127.0.0.1:0", "-roots", "roots.conf", "-l", "token"]);
    let server = Server::spawn(dir, cmd);
    let answer = post(
        dir,
        &format!("{}/api/v1/cfssl/authsign", server.url),
        &authsign_body(&sign_body(dir), KEY),
    );
    assert_eq!(answer.status, 200, "{answer:?}");
    let v: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    std::fs::write(
        dir.join("got.pem"),
        v["result"]["certificate"].as_str().unwrap(),
    )
    .unwrap();
    let out = run(dir, "openssl", &["verify", "-CAfile", "ca.pem", "got.pem"]);
    assert!(out.contains("got.pem: OK"), "{out}");
}
