//! `certkit serve` with real cfssl clients: Debian's cfssl 1.2.0 over
//! HTTP and TLS (sign -remote, gencert -remote, auth_remote profiles,
//! info -remote), current cfssl over mutual TLS, and cfssl 1.2.0's
//! certdb tools reading the rows certkit wrote.

use crate::recorded_serials;
use std::path::Path;
use std::process::Command;
use support::serve::*;
use support::to_files;

/// Runs cfssl with the CA trusted for TLS (1.2.0 has no -tls-remote-ca;
/// Go reads SSL_CERT_FILE).
fn cfssl(dir: &Path, bin: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .env("SSL_CERT_FILE", dir.join("ca.pem"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && !stdout.is_empty(),
        "cfssl {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("cfssl {args:?}: {e}: {stdout}"))
}

/// `openssl verify` against the test CA, then the named extension.
fn verified_ext(dir: &Path, pem_text: &str, ext: &str) -> String {
    write(dir, "check.pem", pem_text);
    run(
        dir,
        "openssl",
        &["verify", "-CAfile", "ca.pem", "check.pem"],
    );
    run(
        dir,
        "openssl",
        &["x509", "-in", "check.pem", "-noout", "-ext", ext],
    )
}

/// Every client form against one server; returns the serials issued.
fn cfssl_clients(dir: &Path, bin: &Path, remote: &str) -> Vec<String> {
    let mut serials = Vec::new();
    let plain = cfssl(dir, bin, &["sign", "-remote", remote, "svc.csr"]);
    let cert = plain["cert"].as_str().unwrap();
    assert!(cert.ends_with("-----END CERTIFICATE-----\n"));
    assert_eq!(
        plain["csr"].as_str().unwrap().trim(),
        read(dir, "svc.csr").trim()
    );
    let sans = verified_ext(dir, cert, "subjectAltName");
    assert!(
        sans.contains("DNS:svc.example.com") && sans.contains("IP Address:10.0.0.1"),
        "{sans}"
    );
    serials.push(serial_of(cert));

    let server = cfssl(
        dir,
        bin,
        &[
            "sign",
            "-remote",
            remote,
            "-profile",
            "server",
            "-hostname",
            "a.example.com,10.9.9.9",
            "-label",
            "primary",
            "svc.csr",
        ],
    );
    let cert = server["cert"].as_str().unwrap();
    let sans = verified_ext(dir, cert, "subjectAltName,extendedKeyUsage");
    assert!(
        sans.contains("DNS:a.example.com, IP Address:10.9.9.9"),
        "{sans}"
    );
    assert!(
        sans.contains("TLS Web Server Authentication") && !sans.contains("Client"),
        "{sans}"
    );
    serials.push(serial_of(cert));

    client_config(dir, remote);
    let authed = cfssl(
        dir,
        bin,
        &[
            "sign",
            "-config",
            "client-config.json",
            "-profile",
            "authed",
            "svc.csr",
        ],
    );
    let cert = authed["cert"].as_str().unwrap();
    let eku = verified_ext(dir, cert, "extendedKeyUsage");
    assert!(
        eku.contains("TLS Web Client Authentication") && !eku.contains("Server"),
        "{eku}"
    );
    serials.push(serial_of(cert));

    for args in [
        &[
            "gencert", "-remote", remote, "-profile", "server", "req.json",
        ][..],
        &[
            "gencert",
            "-config",
            "client-config.json",
            "-profile",
            "authed",
            "req.json",
        ],
    ] {
        let made = cfssl(dir, bin, args);
        let cert = made["cert"].as_str().unwrap();
        assert!(made["key"].as_str().unwrap().contains("PRIVATE KEY"));
        verified_ext(dir, cert, "subjectAltName");
        serials.push(serial_of(cert));
    }

    let info = cfssl(dir, bin, &["info", "-remote", remote, "-profile", "server"]);
    assert_eq!(
        info["certificate"].as_str().unwrap().trim(),
        read(dir, "ca.pem").trim()
    );
    assert_eq!(info["expiry"], "720h");
    assert_eq!(
        info["usages"],
        serde_json::json!(["signing", "key encipherment", "server auth"])
    );
    serials
}

#[test]
fn cfssl_1_2_client_over_http_and_tls_with_sqlite_certdb() {
    let Some(bin) = cfssl_1_2() else { return };
    let tmp = workdir();
    let dir = tmp.path();
    let mut issued = Vec::new();
    {
        let server = Server::certkit(dir, &recording_args());
        issued.extend(cfssl_clients(dir, &bin, &server.url));
        // The forms cfssl itself accepts for a remote: host:port and a bare host.
        let short = format!("localhost:{}", server.port);
        let out = cfssl(dir, &bin, &["sign", "-remote", &short, "svc.csr"]);
        issued.push(serial_of(out["cert"].as_str().unwrap()));
        assert!(
            server
                .log()
                .contains("path=\"/api/v1/cfssl/authsign\" status=200"),
            "{}",
            server.log()
        );
    }
    {
        let server = Server::certkit(dir, &[tls_args(), SQLITE_DB.to_vec()].concat());
        assert!(server.url.starts_with("https://"));
        let remote = format!("https://localhost:{}", server.port);
        issued.extend(cfssl_clients(dir, &bin, &remote));
    }
    // Every certificate a client received is in the database.
    let mut recorded = recorded_serials(&dir.join("db.json"));
    recorded.sort();
    issued.sort();
    assert_eq!(recorded, issued);

    // cfssl 1.2.0's certdb tools read certkit's rows: ocsprefresh signs an
    // OCSP response for each unexpired certificate, ocspdump prints them.
    run(
        dir,
        &bin,
        &[
            "ocsprefresh",
            "-db-config",
            "db.json",
            "-ca",
            "ca.pem",
            "-responder",
            "ca.pem",
            "-responder-key",
            "ca-key.pem",
        ],
    );
    let dump = run(dir, &bin, &["ocspdump", "-db-config", "db.json"]);
    assert_eq!(
        dump.lines().filter(|l| !l.trim().is_empty()).count(),
        issued.len(),
        "{dump}"
    );
    // And certkit reads the rows cfssl wrote.
    let config = certkit_certdb::DbConfig::load(dir.join("db.json").to_str().unwrap()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ocsp = rt.block_on(async {
        let db = certkit_certdb::CertDb::open(&config).await.unwrap();
        db.unexpired_ocsp().await.unwrap()
    });
    assert_eq!(ocsp.len(), issued.len());
    assert!(ocsp.iter().all(|r| issued.contains(&r.serial)));
}

#[test]
fn mutual_tls_current_cfssl_and_curl() {
    let tmp = workdir();
    let dir = tmp.path();
    let server = Server::certkit(
        dir,
        &[mutual_tls_args(), vec!["-min-tls-version", "1.2"]].concat(),
    );
    let url = format!("https://localhost:{}/api/v1/cfssl/sign", server.port);
    write(dir, "sign.json", &sign_body(dir, ""));
    let tls = ["--cacert", "ca.pem"];
    let ok = curl(
        dir,
        &[
            &tls[..],
            &[
                "--cert",
                "client-ok.pem",
                "--key",
                "client-ok-key.pem",
                "-d",
                "@sign.json",
                &url,
            ],
        ]
        .concat(),
    );
    assert_eq!(ok.status, 200, "{ok:?}");
    let bad = curl(
        dir,
        &[
            &tls[..],
            &[
                "--cert",
                "client-bad.pem",
                "--key",
                "client-bad-key.pem",
                "-d",
                "@sign.json",
                &url,
            ],
        ]
        .concat(),
    );
    assert_eq!(
        (bad.status, bad.body.as_str()),
        (403, "Invalid CN\n"),
        "{bad:?}"
    );
    assert!(bad.content_type.starts_with("text/plain"), "{bad:?}");
    let none = curl(dir, &[&tls[..], &["-d", "@sign.json", &url]].concat());
    assert_ne!(
        none.status, 200,
        "no client certificate must not be served: {none:?}"
    );

    let Some(current) = cfssl_current() else {
        return;
    };
    let remote = format!("https://127.0.0.1:{}", server.port);
    let out = run(
        dir,
        current.join("cfssl"),
        &[
            &["sign", "-remote", &remote][..],
            &MUTUAL_TLS_CLIENT,
            &["svc.csr"],
        ]
        .concat(),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    verified_ext(dir, v["cert"].as_str().unwrap(), "subjectAltName");
    client_config(dir, &remote);
    let out = run(
        dir,
        current.join("cfssl"),
        &[
            &[
                "gencert",
                "-config",
                "client-config.json",
                "-profile",
                "authed",
            ][..],
            &MUTUAL_TLS_CLIENT,
            &["req.json"],
        ]
        .concat(),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let eku = verified_ext(dir, v["cert"].as_str().unwrap(), "extendedKeyUsage");
    assert!(eku.contains("Client Authentication"), "{eku}");
}

/// S16: `-mutual-tls-cn` matches the whole CN. With the unanchored
/// `client-ok`, a certificate from the client CA with CN
/// `evil-client-ok-x` is refused (403); `client-ok` is served. cfssl
/// (and certkit before) searched, and served both.
#[test]
fn mutual_tls_cn_matches_the_whole_name() {
    let tmp = workdir();
    let dir = tmp.path();
    write(
        dir,
        "evil.json",
        r#"{"CN":"evil-client-ok-x","key":{"algo":"ecdsa","size":256}}"#,
    );
    to_files(
        dir,
        &[
            "gencert",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "-config",
            "any-config.json",
            "evil.json",
        ],
        b"",
        "evil",
    );
    let server = Server::certkit(
        dir,
        &[
            tls_args(),
            vec!["-mutual-tls-ca", "ca.pem", "-mutual-tls-cn", "client-ok"],
        ]
        .concat(),
    );
    let url = format!("https://localhost:{}/api/v1/cfssl/health", server.port);
    let as_client = |name: &str| {
        curl(
            dir,
            &[
                "--cacert",
                "ca.pem",
                "--cert",
                &format!("{name}.pem"),
                "--key",
                &format!("{name}-key.pem"),
                &url,
            ],
        )
    };
    let evil = as_client("evil");
    assert_eq!(
        (evil.status, evil.body.as_str()),
        (403, "Invalid CN\n"),
        "{evil:?}"
    );
    let ok = as_client("client-ok");
    assert_eq!(ok.status, 200, "{ok:?}");
}

/// A sign request's `extensions` (cfssl's signer.Extension: dotted `id`,
/// `critical`, hex `value`): certkit adds each one the profile's
/// `allowed_extensions` lists to the certificate and refuses the request
/// when one is not listed (400), as cfssl 1.6.5's signer does with a
/// SignRequest's Extensions; 1.6.5's HTTP API drops the field before its
/// signer sees it (the certificate has no such extension, and an
/// unlisted one is signed too), which the README's Migrating row says.
#[test]
fn sign_api_extensions_under_allowed_extensions() {
    let tmp = workdir();
    let dir = tmp.path();
    write(
        dir,
        "ext-config.json",
        r#"{"signing":{"default":{"expiry":"24h","usages":["digital signature","server auth"],"allowed_extensions":["1.2.3.4.5"]}}}"#,
    );
    let args = [
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        "ext-config.json",
    ];
    let allowed = r#","extensions":[{"id":"1.2.3.4.5","critical":false,"value":"0c0568656c6c6f"}]"#;
    let other = r#","extensions":[{"id":"1.2.3.4.6","critical":false,"value":"0500"}]"#;
    let custom = |answer: &Answer| -> Vec<(String, bool, Vec<u8>)> {
        let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        let der = pem::parse(json["result"]["certificate"].as_str().unwrap())
            .unwrap()
            .into_contents();
        let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
        cert.extensions()
            .iter()
            .filter(|e| e.oid.to_id_string().starts_with("1.2.3.4."))
            .map(|e| (e.oid.to_id_string(), e.critical, e.value.to_vec()))
            .collect()
    };
    let ours = Server::certkit(dir, &args);
    let url = format!("http://127.0.0.1:{}/api/v1/cfssl/sign", ours.port);
    let ok = post(dir, &url, &sign_body(dir, allowed));
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(
        custom(&ok),
        vec![("1.2.3.4.5".to_string(), false, b"\x0c\x05hello".to_vec())]
    );
    let refused = post(dir, &url, &sign_body(dir, other));
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("allowed_extensions"),
        "{}",
        refused.body
    );

    if let Some(current) = cfssl_current() {
        let theirs = Server::cfssl(dir, &current.join("cfssl"), &args);
        let url = format!("http://127.0.0.1:{}/api/v1/cfssl/sign", theirs.port);
        for body in [allowed, other] {
            let answer = post(dir, &url, &sign_body(dir, body));
            assert_eq!(answer.status, 200, "{}", answer.body);
            assert!(
                custom(&answer).is_empty(),
                "1.6.5's API now passes extensions on"
            );
        }
    }
}
