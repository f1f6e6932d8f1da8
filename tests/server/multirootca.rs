//! `multirootca` (certkit run under that name): labeled CAs from a roots
//! file, cfssl 1.2.0's client choosing one by label, multirootca's
//! endpoints and error shapes.

use crate::recorded_serials;
use std::os::unix::fs::symlink;
use std::process::Command;
use support::serve::*;
use support::{certkit, to_files};

#[test]
fn labels_choose_the_ca_and_errors_have_multirootcas_shape() {
    let tmp = workdir();
    let dir = tmp.path();
    write(
        dir,
        "ca2-csr.json",
        r#"{"CN":"Second CA","key":{"algo":"ecdsa","size":256}}"#,
    );
    to_files(dir, &["initca", "ca2-csr.json"], b"", "ca2");
    write(
        dir,
        "roots.conf",
        "# two CAs\n[ primary ]\nprivate = file://ca-key.pem\ncertificate = ca.pem\nconfig = server-config.json\ndbconfig = db.json\n\n[ fenced ]\nprivate = file://ca2-key.pem\ncertificate = ca2.pem\nconfig = server-config.json\nnets = 10.0.0.0/8\n\n[second]\nprivate = ca2-key.pem\ncertificate = ca2.pem\nconfig = server-config.json\ndbconfig = db.json\n",
    );
    symlink(certkit(), dir.join("multirootca")).unwrap();
    let mut cmd = Command::new(dir.join("multirootca"));
    cmd.args(["-a", "127.0.0.1:0", "-roots", "roots.conf", "-l", "primary"]);
    let server = Server::spawn(dir, cmd);
    let authsign = format!("{}/api/v1/cfssl/authsign", server.url);

    // The label picks the CA; empty means -l.
    for (label, ca) in [("", "ca.pem"), ("primary", "ca.pem"), ("second", "ca2.pem")] {
        let inner = sign_body(dir, &format!(r#","profile":"authed","label":"{label}""#));
        let a = post(dir, &authsign, &authsign_body(&inner, KEY));
        assert_eq!(a.status, 200, "{a:?}");
        let v: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        write(dir, "got.pem", v["result"]["certificate"].as_str().unwrap());
        run(dir, "openssl", &["verify", "-CAfile", ca, "got.pem"]);
    }
    let info = post(
        dir,
        &format!("{}/api/v1/cfssl/info", server.url),
        r#"{"label":"second"}"#,
    );
    assert!(
        info.body
            .contains(&serde_json::to_string(&read(dir, "ca2.pem")).unwrap()[1..40]),
        "{info:?}"
    );

    let shape = |a: &Answer, status: u16, message: &str| {
        assert_eq!(a.status, status, "{a:?}");
        assert!(
            a.content_type.is_empty(),
            "multirootca sets no Content-Type: {a:?}"
        );
        let v: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        assert_eq!(v["errors"][0]["code"], 1, "{a:?}");
        assert_eq!(v["errors"][0]["message"], message, "{a:?}");
    };
    shape(&curl(dir, &[&authsign]), 405, "only POST is permitted");
    let with = |extra: &str| authsign_body(&sign_body(dir, extra), KEY);
    shape(
        &post(
            dir,
            &authsign,
            &with(r#","profile":"authed","label":"nope""#),
        ),
        400,
        "bad request",
    );
    shape(
        &post(dir, &authsign, &with(r#","profile":"nope""#)),
        400,
        "invalid profile",
    );
    shape(
        &post(dir, &authsign, &with(r#","profile":"server""#)),
        401,
        "authorisation required",
    );
    shape(
        &post(
            dir,
            &authsign,
            &with(r#","profile":"authed","label":"fenced""#),
        ),
        403,
        "not authorised",
    );
    let wrong = authsign_body(
        &sign_body(dir, r#","profile":"authed""#),
        "00112233445566778899aabbccddeeff",
    );
    shape(&post(dir, &authsign, &wrong), 400, "invalid token");
    let empty = authsign_body(r#"{"profile":"authed"}"#, KEY);
    shape(&post(dir, &authsign, &empty), 400, "invalid request");
    let sign = post(
        dir,
        &format!("{}/api/v1/cfssl/sign", server.url),
        &sign_body(dir, ""),
    );
    assert_eq!(sign.status, 404, "multirootca has no /sign: {sign:?}");
    let metrics = curl(dir, &[&format!("{}/metrics", server.url)]);
    assert!(
        metrics
            .body
            .contains("certkit_certificates_issued_total{label=\"second\",profile=\"authed\"} 1"),
        "{}",
        metrics.body
    );
    assert_eq!(recorded_serials(&dir.join("db.json")).len(), 3);

    // cfssl 1.2.0's client with an auth_remote profile and -label.
    let Some(bin) = cfssl_1_2() else { return };
    client_config(dir, &server.url);
    let out = run(
        dir,
        &bin,
        &[
            "sign",
            "-config",
            "client-config.json",
            "-profile",
            "authed",
            "-label",
            "second",
            "svc.csr",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    write(dir, "got.pem", v["cert"].as_str().unwrap());
    run(dir, "openssl", &["verify", "-CAfile", "ca2.pem", "got.pem"]);
}

/// S12: a misspelt key in the roots file stops the start, naming the file
/// and line: `net =` for `nets =` used to be ignored, leaving the CA open
/// to every address.
#[test]
fn an_unknown_key_in_the_roots_file_is_refused() {
    let tmp = workdir();
    let dir = tmp.path();
    write(
        dir,
        "roots.conf",
        "[backup]\nprivate = file://ca-key.pem\ncertificate = ca.pem\nconfig = server-config.json\nnet = 10.0.0.0/8\n",
    );
    symlink(certkit(), dir.join("multirootca")).unwrap();
    let out = Command::new("timeout")
        .arg("20")
        .arg(dir.join("multirootca"))
        .args(["-a", "127.0.0.1:0", "-roots", "roots.conf", "-l", "backup"])
        .current_dir(dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("roots.conf:5") && err.contains("\"net\""),
        "{err}"
    );
}
