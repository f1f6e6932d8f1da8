//! certkit as the client (`sign -remote`, `gencert -remote`, profiles
//! with `auth_remote`, `info -remote`) of Debian's `cfssl serve` 1.2.0
//! over HTTP, of current cfssl over mutual TLS, and of `certkit serve`.

use std::path::Path;
use support::certkit;
use support::serve::*;

fn certkit_json<S: AsRef<str>>(dir: &Path, args: &[S]) -> serde_json::Value {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let args = args.as_slice();
    let out = run(dir, certkit(), args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

/// The client forms against `remote` (as given on the command line).
fn client_forms(dir: &Path, remote: &str, tls: &[&str]) {
    let with =
        |args: &[&str]| -> Vec<String> { args.iter().chain(tls).map(|s| s.to_string()).collect() };
    let plain = certkit_json(
        dir,
        &with(&[
            "sign",
            "-remote",
            remote,
            "-profile",
            "server",
            "-hostname",
            "x.example.com,10.1.1.1",
            "svc.csr",
        ]),
    );
    write(dir, "c.pem", plain["cert"].as_str().unwrap());
    run(dir, "openssl", &["verify", "-CAfile", "ca.pem", "c.pem"]);
    let ext = run(
        dir,
        "openssl",
        &[
            "x509",
            "-in",
            "c.pem",
            "-noout",
            "-ext",
            "subjectAltName,extendedKeyUsage",
        ],
    );
    assert!(
        ext.contains("DNS:x.example.com, IP Address:10.1.1.1") && !ext.contains("Client"),
        "{ext}"
    );
    assert_eq!(plain["csr"].as_str().unwrap(), read(dir, "svc.csr"));

    // -remote replaces the config's address; auth_remote still signs with a token.
    client_config(dir, "http://127.0.0.1:1");
    let authed = certkit_json(
        dir,
        &with(&[
            "sign",
            "-remote",
            remote,
            "-config",
            "client-config.json",
            "-profile",
            "authed",
            "svc.csr",
        ]),
    );
    write(dir, "c.pem", authed["cert"].as_str().unwrap());
    let ext = run(
        dir,
        "openssl",
        &["x509", "-in", "c.pem", "-noout", "-ext", "extendedKeyUsage"],
    );
    assert!(
        ext.contains("Client Authentication") && !ext.contains("Server"),
        "{ext}"
    );

    let made = certkit_json(
        dir,
        &with(&[
            "gencert",
            "-remote",
            remote,
            "-config",
            "client-config.json",
            "-profile",
            "authed",
            "req.json",
        ]),
    );
    assert!(made["key"].as_str().unwrap().contains("EC PRIVATE KEY"));
    write(dir, "c.pem", made["cert"].as_str().unwrap());
    run(dir, "openssl", &["verify", "-CAfile", "ca.pem", "c.pem"]);

    let info = certkit_json(
        dir,
        &with(&["info", "-remote", remote, "-profile", "server"]),
    );
    assert_eq!(
        info["certificate"].as_str().unwrap().trim(),
        read(dir, "ca.pem").trim()
    );
    assert_eq!(info["expiry"], "720h");
}

#[test]
fn client_of_cfssl_1_2_serve_with_ip_port() {
    let Some(bin) = cfssl_1_2() else { return };
    let tmp = workdir();
    let dir = tmp.path();
    let server = Server::cfssl(dir, &bin, &signing_args());
    // IP:port, which cfssl's own client cannot use (cfssl#961).
    client_forms(dir, &format!("127.0.0.1:{}", server.port), &[]);
    // The address from the config alone, and the server's refusal passed on.
    client_config(dir, &server.url);
    let made = certkit_json(
        dir,
        &[
            "gencert",
            "-config",
            "client-config.json",
            "-profile",
            "authed",
            "req.json",
        ],
    );
    assert!(made["cert"].as_str().unwrap().contains("BEGIN CERTIFICATE"));
    let out = std::process::Command::new(certkit())
        .args([
            "sign",
            "-remote",
            &server.url,
            "-profile",
            "authed",
            "svc.csr",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("authentication required") && out.stdout.is_empty(),
        "{stderr}"
    );
}

#[test]
fn client_of_certkit_serve_over_mutual_tls() {
    let tmp = workdir();
    let dir = tmp.path();
    let server = Server::certkit(dir, &mutual_tls_args());
    client_forms(
        dir,
        &format!("https://127.0.0.1:{}", server.port),
        &MUTUAL_TLS_CLIENT,
    );
}

#[test]
fn client_of_current_cfssl_serve_over_mutual_tls() {
    let Some(current) = cfssl_current() else {
        return;
    };
    let tmp = workdir();
    let dir = tmp.path();
    let server = Server::cfssl(dir, &current.join("cfssl"), &mutual_tls_args());
    client_forms(
        dir,
        &format!("https://127.0.0.1:{}", server.port),
        &MUTUAL_TLS_CLIENT,
    );
}

/// `-remote "a,b"`: an ordered failover group, as cfssl 1.6.5's client.
/// The first member refuses connections (a port nobody listens on), the
/// second is a cfssl 1.6.5 server: cfssl 1.6.5's `sign` and certkit's
/// both get a certificate from the second, signed by its CA; `info` too.
/// All members down: certkit fails with one line naming each.
#[test]
fn remote_group_fails_over_in_order_as_cfssl_1_6() {
    let tmp = workdir();
    let dir = tmp.path();
    // URLs: cfssl's client does not take IP:PORT (cfssl#961).
    let dead = format!("http://127.0.0.1:{}", support::free_port());
    let live = Server::certkit(dir, &signing_args());
    let mut servers = vec![live];
    let current = cfssl_current();
    if let Some(current) = &current {
        servers.push(Server::cfssl(dir, &current.join("cfssl"), &signing_args()));
    }
    for server in &servers {
        let group = format!("{dead},http://127.0.0.1:{}", server.port);
        let sign = [
            "sign",
            "-remote",
            group.as_str(),
            "-profile",
            "server",
            "svc.csr",
        ];
        let mut clients = vec![certkit()];
        clients.extend(current.as_ref().map(|c| c.join("cfssl")));
        for client in &clients {
            let json: serde_json::Value = serde_json::from_str(&run(dir, client, &sign)).unwrap();
            write(dir, "c.pem", json["cert"].as_str().unwrap());
            run(dir, "openssl", &["verify", "-CAfile", "ca.pem", "c.pem"]);
        }
        let info = certkit_json(dir, &["info", "-remote", group.as_str()]);
        assert_eq!(
            info["certificate"].as_str().map(str::trim),
            Some(read(dir, "ca.pem").trim())
        );
    }
    let other_dead = format!("127.0.0.1:{}", support::free_port());
    let dead = dead.trim_start_matches("http://");
    let out = std::process::Command::new(certkit())
        .args([
            "sign",
            "-remote",
            &format!("{dead},{other_dead}"),
            "svc.csr",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(!out.status.success() && out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = err.lines().filter(|l| l.contains("[ERROR]")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].contains(dead) && errors[0].contains(&other_dead),
        "{err}"
    );
}
