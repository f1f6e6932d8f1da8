//! `serve -acme` with real ACME clients on 127.0.0.1: certbot (PyPI,
//! standalone http-01) and lego (Go module proxy, http-01). Each issued
//! certificate verifies against the CA, holds the requested names and is
//! in the certificate database; a challenge nobody serves fails with
//! RFC 8555's `connection` problem. The rate limits hold across replicas
//! and restarts (certbot's ACME library creating orders it never finishes).

use crate::recorded_serials;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::serve::{peer_script, workdir, Server};

/// The ACME server on TLS (lego requires https), validating http-01 at
/// `http01_port` with the test names resolved to 127.0.0.1.
fn acme_server(dir: &Path, http01_port: u16) -> Server {
    acme_server_on(dir, http01_port, "db.json")
}

/// [`acme_server`] on the database `db_json` configures.
fn acme_server_on(dir: &Path, http01_port: u16, db_json: &str) -> Server {
    acme_server_with(dir, http01_port, db_json, &[])
}

/// [`acme_server_on`] with more flags.
fn acme_server_with(dir: &Path, http01_port: u16, db_json: &str, extra: &[&str]) -> Server {
    let port = http01_port.to_string();
    Server::certkit(
        dir,
        &[
            &[
                "-ca",
                "ca.pem",
                "-ca-key",
                "ca-key.pem",
                "-config",
                "any-config.json",
                "-db-config",
                db_json,
                "-tls-cert",
                "tls.pem",
                "-tls-key",
                "tls-key.pem",
                "-acme",
                "-acme-http01-port",
                &port,
                "-acme-resolve",
                "acme.test:127.0.0.1",
                "-acme-resolve",
                "www.acme.test:127.0.0.1",
                "-acme-resolve",
                "lego.test:127.0.0.1",
            ][..],
            extra,
        ]
        .concat(),
    )
}

fn certbot(dir: &Path, server: &Server, args: &[&str]) -> Output {
    Command::new(support::require_tool("certbot"))
        .current_dir(dir)
        .env("REQUESTS_CA_BUNDLE", dir.join("ca.pem"))
        .args([
            "--non-interactive",
            "--agree-tos",
            "--register-unsafely-without-email",
        ])
        .args([
            "--config-dir",
            "cb/config",
            "--work-dir",
            "cb/work",
            "--logs-dir",
            "cb/logs",
        ])
        .args(["--server", &format!("{}/acme/directory", server.url)])
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Checks a certificate file as the tests require: openssl verifies it
/// against the CA, its SANs (DNS names and IP addresses) are `names`,
/// and it is in the database.
fn check_issued(dir: &Path, cert: &str, names: &[&str]) -> String {
    let verify = support::run(
        dir,
        Path::new("openssl"),
        &["verify", "-CAfile", "ca.pem", cert],
        None,
    );
    support::assert_ok(&verify, "openssl verify");
    let sans = support::run(
        dir,
        Path::new("openssl"),
        &["x509", "-in", cert, "-noout", "-ext", "subjectAltName"],
        None,
    );
    let sans = String::from_utf8_lossy(&sans.stdout);
    let mut found: Vec<&str> = sans
        .split([',', '\n'])
        .filter_map(|s| {
            let s = s.trim();
            s.strip_prefix("DNS:")
                .or_else(|| s.strip_prefix("IP Address:"))
        })
        .collect();
    found.sort();
    assert_eq!(found, names, "{cert}: {sans}");
    let serial = support::revocation::decimal_serial(dir, cert);
    assert!(
        recorded_serials(&dir.join("db.json")).contains(&serial),
        "{cert} (serial {serial}) is not in the database"
    );
    serial
}

#[test]
fn certbot_http01_issues_and_renews() {
    let tmp = workdir();
    let dir = tmp.path();
    let http01 = support::free_port();
    let server = acme_server(dir, http01);
    let port = http01.to_string();
    let standalone = [
        "certonly",
        "--standalone",
        "--http-01-address",
        "127.0.0.1",
        "--http-01-port",
        &port,
        "--cert-name",
        "acme",
        "-d",
        "acme.test",
        "-d",
        "www.acme.test",
    ];
    let out = certbot(dir, &server, &standalone);
    assert!(
        out.status.success(),
        "certbot certonly: {}\n{}",
        text(&out),
        server.log()
    );
    let first = check_issued(
        dir,
        "cb/config/live/acme/cert.pem",
        &["acme.test", "www.acme.test"],
    );
    let chain = std::fs::read_to_string(dir.join("cb/config/live/acme/fullchain.pem")).unwrap();
    assert_eq!(support::chain::pem_count(&chain), 2, "fullchain: {chain}");

    let out = certbot(
        dir,
        &server,
        &["renew", "--force-renewal", "--no-random-sleep-on-renew"],
    );
    assert!(
        out.status.success(),
        "certbot renew: {}\n{}",
        text(&out),
        server.log()
    );
    let second = check_issued(
        dir,
        "cb/config/live/acme/cert.pem",
        &["acme.test", "www.acme.test"],
    );
    assert_ne!(first, second, "renewal issued no new certificate");

    // The first certificate revoked by its own key (jwk), the second by
    // the account (kid); both then revoked in the CRL and in OCSP.
    let by_key = certbot(
        dir,
        &server,
        &[
            "revoke",
            "--no-delete-after-revoke",
            "--reason",
            "keycompromise",
            "--cert-path",
            "cb/config/archive/acme/cert1.pem",
            "--key-path",
            "cb/config/archive/acme/privkey1.pem",
        ],
    );
    assert!(
        by_key.status.success(),
        "certbot revoke by key: {}\n{}",
        text(&by_key),
        server.log()
    );
    let by_account = certbot(
        dir,
        &server,
        &[
            "revoke",
            "--no-delete-after-revoke",
            "--cert-path",
            "cb/config/archive/acme/cert2.pem",
        ],
    );
    assert!(
        by_account.status.success(),
        "certbot revoke by account: {}\n{}",
        text(&by_account),
        server.log()
    );
    let again = certbot(
        dir,
        &server,
        &[
            "revoke",
            "--no-delete-after-revoke",
            "--cert-path",
            "cb/config/archive/acme/cert2.pem",
        ],
    );
    assert!(
        text(&again).contains("already revoked"),
        "second revoke: {}",
        text(&again)
    );
    let crl = crl_text(dir, &server);
    let ocsp = ocsp_text(dir);
    for cert in [
        "cb/config/archive/acme/cert1.pem",
        "cb/config/archive/acme/cert2.pem",
    ] {
        let hex = serial_hex(dir, cert);
        assert!(
            crl.contains(&format!("Serial Number: {hex}")),
            "{cert} ({hex}) not in the CRL: {crl}"
        );
        let entry = ocsp
            .split("Serial Number: ")
            .find(|e| e.starts_with(&hex))
            .unwrap_or_else(|| panic!("{cert} ({hex}) has no OCSP response: {ocsp}"));
        assert!(entry.contains("Cert Status: revoked"), "{cert}: {entry}");
    }
}

/// A certificate's serial in uppercase hex, as openssl prints it.
fn serial_hex(dir: &Path, cert: &str) -> String {
    let out = support::run(
        dir,
        Path::new("openssl"),
        &["x509", "-in", cert, "-noout", "-serial"],
        None,
    );
    support::assert_ok(&out, "openssl x509 -serial");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .trim_start_matches("serial=")
        .to_uppercase()
}

/// The server's CRL (`GET crl`) as `openssl crl -text` prints it.
fn crl_text(dir: &Path, server: &Server) -> String {
    let answer = support::serve::curl(
        dir,
        &[
            "--cacert",
            "ca.pem",
            &format!("{}/api/v1/cfssl/crl", server.url),
        ],
    );
    assert_eq!(answer.status, 200, "{answer:?}");
    let v: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD
        .decode(v["result"].as_str().unwrap())
        .unwrap();
    std::fs::write(dir.join("acme.crl"), der).unwrap();
    let out = support::run(
        dir,
        Path::new("openssl"),
        &[
            "crl", "-inform", "DER", "-in", "acme.crl", "-noout", "-text",
        ],
        None,
    );
    support::assert_ok(&out, "openssl crl");
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// `ocsprefresh` then `ocspdump` over the database, each response as
/// `openssl ocsp -resp_text` prints it.
fn ocsp_text(dir: &Path) -> String {
    support::symlink_bin(dir);
    let out = support::sh(
        dir,
        "certkit ocsprefresh -db-config db.json -ca ca.pem -responder ca.pem -responder-key ca-key.pem \
         && certkit ocspdump -db-config db.json > dump.txt",
    );
    support::assert_ok(&out, "ocsprefresh, ocspdump");
    let dump = std::fs::read_to_string(dir.join("dump.txt")).unwrap();
    let mut all = String::new();
    for (n, line) in dump.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        use base64::Engine;
        let der = base64::engine::general_purpose::STANDARD
            .decode(line.trim())
            .unwrap();
        let file = format!("resp{n}.der");
        std::fs::write(dir.join(&file), der).unwrap();
        let out = support::run(
            dir,
            Path::new("openssl"),
            &["ocsp", "-respin", &file, "-resp_text", "-noverify"],
            None,
        );
        support::assert_ok(&out, "openssl ocsp -respin");
        all.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    all
}

#[test]
fn certbot_unserved_challenge_fails_with_connection_problem() {
    let tmp = workdir();
    let dir = tmp.path();
    // The server validates on one port; certbot answers on another.
    let server = acme_server(dir, support::free_port());
    let elsewhere = support::free_port().to_string();
    let out = certbot(
        dir,
        &server,
        &[
            "certonly",
            "--standalone",
            "--http-01-address",
            "127.0.0.1",
            "--http-01-port",
            &elsewhere,
            "-d",
            "acme.test",
        ],
    );
    assert!(!out.status.success(), "certbot succeeded: {}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("Type:   connection"),
        "certbot: {said}\n{}",
        server.log()
    );
    assert!(recorded_serials(&dir.join("db.json")).is_empty());
}

/// lego, built once from the Go module proxy (scripts/peers/lego), or None
/// with a SKIP line when it cannot be built.
fn lego() -> Option<PathBuf> {
    let script = peer_script("lego")?;
    let out = Command::new(script).arg("build").output().ok()?;
    if !out.status.success() {
        eprintln!("SKIP: lego could not be built (Go module proxy unreachable?)");
        return None;
    }
    Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// An External Account Binding key (32 bytes, base64url) and its id.
const EAB_KID: &str = "team-a";
const EAB_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

/// lego with the test CA trusted, a fixed account e-mail, its files in
/// `dir/lego`, and the ACME directory at `directory`.
fn lego_command(lego: &Path, dir: &Path, directory: &str) -> Command {
    let mut command = Command::new(lego);
    command
        .current_dir(dir)
        .env("LEGO_CA_CERTIFICATES", dir.join("ca.pem"))
        .args([
            "--accept-tos",
            "--email",
            "ops@example.com",
            "--path",
            "lego",
        ])
        .args(["--server", directory]);
    command
}

/// lego's `run` for `lego.test` over http-01 on `http01`, with `extra` flags.
fn lego_run(lego: &Path, dir: &Path, server: &Server, http01: u16, extra: &[&str]) -> Output {
    lego_command(lego, dir, &format!("{}/acme/directory", server.url))
        .args(extra)
        .args([
            "--domains",
            "lego.test",
            "--http",
            "--http.port",
            &format!("127.0.0.1:{http01}"),
            "run",
        ])
        .output()
        .unwrap()
}

/// lego (with `extra` flags) gets a certificate for lego.test from
/// `server` over http-01; checked as every issued certificate is.
fn lego_issues(lego: &Path, dir: &Path, server: &Server, http01: u16, extra: &[&str]) {
    let out = lego_run(lego, dir, server, http01, extra);
    assert!(
        out.status.success(),
        "lego {extra:?}: {}\n{}",
        text(&out),
        server.log()
    );
    check_issued(dir, "lego/certificates/lego.test.crt", &["lego.test"]);
}

#[test]
fn lego_with_external_account_binding() {
    let Some(lego) = lego() else { return };
    let tmp = workdir();
    let dir = tmp.path();
    support::serve::write(dir, "eab.json", &format!(r#"{{"{EAB_KID}":"{EAB_KEY}"}}"#));
    let http01 = support::free_port();
    let server = acme_server_with(dir, http01, "db.json", &["-acme-eab-keys", "eab.json"]);
    let directory = support::serve::curl(
        dir,
        &[
            "--cacert",
            "ca.pem",
            &format!("{}/acme/directory", server.url),
        ],
    );
    assert!(
        directory.body.contains(r#""externalAccountRequired":true"#),
        "{directory:?}"
    );

    let without = lego_run(&lego, dir, &server, http01, &[]);
    assert!(!without.status.success());
    assert!(
        text(&without).contains("Server requires External Account Binding"),
        "lego without EAB: {}",
        text(&without)
    );
    let wrong_key = "AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
    let wrong = lego_run(
        &lego,
        dir,
        &server,
        http01,
        &["--eab", "--kid", EAB_KID, "--hmac", wrong_key],
    );
    assert!(!wrong.status.success());
    assert!(
        text(&wrong).contains("MAC does not verify"),
        "lego with a wrong key: {}",
        text(&wrong)
    );
    assert!(
        !server.log().contains(wrong_key) && !server.log().contains(EAB_KEY),
        "a key in the log"
    );

    lego_issues(
        &lego,
        dir,
        &server,
        http01,
        &["--eab", "--kid", EAB_KID, "--hmac", EAB_KEY],
    );
    assert!(
        server
            .log()
            .contains(&format!("external account {EAB_KID:?}")),
        "{}",
        server.log()
    );
}

#[test]
fn lego_http01_issues_and_revokes_with_renewal_info() {
    let Some(lego) = lego() else { return };
    let tmp = workdir();
    let dir = tmp.path();
    let http01 = support::free_port();
    let server = acme_server(dir, http01);
    lego_issues(&lego, dir, &server, http01, &[]);
    let cert = "lego/certificates/lego.test.crt";

    // ARI (RFC 9773): the window is ahead while the certificate is good,
    // and has passed once it is revoked.
    let now = std::time::SystemTime::now();
    let (start, _) = renewal_window(dir, &server, cert);
    assert!(
        start > now,
        "a fresh certificate's renewal window starts now or earlier"
    );
    let out = lego_command(&lego, dir, &format!("{}/acme/directory", server.url))
        .args(["--domains", "lego.test", "revoke", "--keep"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "lego revoke: {}\n{}",
        text(&out),
        server.log()
    );
    let (_, end) = renewal_window(dir, &server, cert);
    assert!(
        end <= std::time::SystemTime::now(),
        "a revoked certificate's window is still ahead"
    );
    let crl = crl_text(dir, &server);
    let hex = serial_hex(dir, cert);
    assert!(
        crl.contains(&format!("Serial Number: {hex}")),
        "{hex} not in the CRL: {crl}"
    );
}

/// The ACME tables on cfssl's third driver (MySQL/MariaDB, whose keys are
/// varchar): lego's whole http-01 order on a MariaDB-backed serve, the
/// certificate recorded there.
#[test]
fn lego_http01_on_mariadb() {
    let Some(lego) = lego() else { return };
    let Some(db) = support::mariadb::MariaDb::start() else {
        return;
    };
    let tmp = workdir();
    let dir = tmp.path();
    std::fs::write(dir.join("db.json"), db.db_config()).unwrap();
    let http01 = support::free_port();
    let server = acme_server(dir, http01);
    lego_issues(&lego, dir, &server, http01, &[]);
}

/// The certificate's ARI certID: base64url of its AKI key identifier and
/// of its serial's DER integer bytes.
fn cert_id(dir: &Path, cert: &str) -> String {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let hex_bytes = |text: &str| -> Vec<u8> {
        let digits: String = text.chars().filter(|c| c.is_ascii_hexdigit()).collect();
        (0..digits.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap())
            .collect()
    };
    let aki = support::revocation::aki_hex(dir, cert);
    let mut serial = hex_bytes(&serial_hex(dir, cert));
    if serial[0] >= 0x80 {
        serial.insert(0, 0);
    }
    format!("{}.{}", b64(&hex_bytes(&aki)), b64(&serial))
}

/// GET renewalInfo: the suggested window's start and end.
fn renewal_window(
    dir: &Path,
    server: &Server,
    cert: &str,
) -> (std::time::SystemTime, std::time::SystemTime) {
    let url = format!("{}/acme/renewal-info/{}", server.url, cert_id(dir, cert));
    let answer = support::serve::curl(dir, &["--cacert", "ca.pem", &url]);
    assert_eq!(answer.status, 200, "{answer:?}");
    let v: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    let at = |name: &str| {
        let text = v["suggestedWindow"][name]
            .as_str()
            .unwrap_or_else(|| panic!("{v}"));
        let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .unwrap();
        std::time::SystemTime::from(t)
    };
    (at("start"), at("end"))
}

/// A TCP forwarder standing in for a load balancer in front of two
/// replicas: connections go to the current backend; `switch` moves it and
/// closes the connections open so far (the client reconnects, to the new
/// backend). Its threads stop when it is dropped.
struct Balancer {
    port: u16,
    backend: Arc<AtomicU16>,
    open: Arc<Mutex<Vec<TcpStream>>>,
    stop: Arc<AtomicBool>,
}

impl Balancer {
    fn start(backend: u16) -> Balancer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let balancer = Balancer {
            port,
            backend: Arc::new(AtomicU16::new(backend)),
            open: Arc::default(),
            stop: Arc::default(),
        };
        let (backend, open, stop) = (
            balancer.backend.clone(),
            balancer.open.clone(),
            balancer.stop.clone(),
        );
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                client.set_nonblocking(false).unwrap();
                let Ok(server) = TcpStream::connect(("127.0.0.1", backend.load(Ordering::SeqCst)))
                else {
                    continue;
                };
                open.lock().unwrap().push(client.try_clone().unwrap());
                open.lock().unwrap().push(server.try_clone().unwrap());
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        balancer
    }

    fn switch(&self, backend: u16) {
        self.backend.store(backend, Ordering::SeqCst);
        for stream in self.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.switch(0);
    }
}

/// A child process killed by PID on drop.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Two replicas on one PostgreSQL database behind a balancer: certbot's
/// order is created on the first; its auth hook then kills the first and
/// the balancer sends everything after (challenge, validation, finalize,
/// download) to the second, which finishes the order from the database.
#[test]
fn second_replica_on_postgres_finishes_an_order() {
    let Some(pg) = support::postgres::Postgres::start() else {
        return;
    };
    let tmp = workdir();
    let dir = tmp.path();
    support::serve::write(dir, "pg.json", &pg.db_config());
    let http01 = support::free_port();
    let mut first = acme_server_on(dir, http01, "pg.json");
    let second = acme_server_on(dir, http01, "pg.json");
    let balancer = Balancer::start(first.port);
    // The http-01 files, served by Python's http.server.
    std::fs::create_dir_all(dir.join("webroot/.well-known/acme-challenge")).unwrap();
    let _web = Child(
        Command::new("python3")
            .args([
                "-m",
                "http.server",
                &http01.to_string(),
                "--bind",
                "127.0.0.1",
                "--directory",
                "webroot",
            ])
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    support::serve::write(
        dir,
        "hook.sh",
        "#!/bin/sh\nprintf %s \"$CERTBOT_VALIDATION\" > webroot/.well-known/acme-challenge/$CERTBOT_TOKEN\ntouch switch\n\
         i=0; while [ ! -e switched ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done\n",
    );
    std::fs::set_permissions(
        dir.join("hook.sh"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let url = format!("https://127.0.0.1:{}/acme/directory", balancer.port);
    let mut certbot = Command::new(support::require_tool("certbot"));
    certbot
        .current_dir(dir)
        .env("REQUESTS_CA_BUNDLE", dir.join("ca.pem"))
        .args([
            "--non-interactive",
            "--agree-tos",
            "--register-unsafely-without-email",
        ])
        .args([
            "--config-dir",
            "cb/config",
            "--work-dir",
            "cb/work",
            "--logs-dir",
            "cb/logs",
        ])
        .args([
            "--server",
            &url,
            "certonly",
            "--manual",
            "--preferred-challenges",
            "http",
        ])
        .args([
            "--manual-auth-hook",
            "./hook.sh",
            "--cert-name",
            "acme",
            "-d",
            "acme.test",
        ]);
    let run = std::thread::spawn(move || certbot.output().unwrap());
    // The hook's signal: the first replica dies, the second takes over.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !dir.join("switch").exists() && !run.is_finished() {
        assert!(Instant::now() < deadline, "certbot never ran its hook");
        std::thread::sleep(Duration::from_millis(50));
    }
    let first_log = first.log();
    first.kill9();
    balancer.switch(second.port);
    std::fs::write(dir.join("switched"), "").unwrap();
    let out = run.join().unwrap();
    assert!(
        out.status.success(),
        "certbot: {}\nfirst:\n{first_log}\nsecond:\n{}",
        text(&out),
        second.log()
    );
    assert!(
        first_log.contains("new order"),
        "the first replica took no order:\n{first_log}"
    );
    assert!(
        !first_log.contains("issued"),
        "the first replica finalized:\n{first_log}"
    );
    assert!(
        second.log().contains("issued"),
        "the second replica did not finalize:\n{}",
        second.log()
    );
    let serial = support::revocation::decimal_serial(dir, "cb/config/live/acme/cert.pem");
    assert!(recorded_serials(&dir.join("pg.json")).contains(&serial));
}

/// `-acme-failures-per-hour 1 -acme-orders-per-hour 2`: after one failed
/// validation the account's next challenge is refused, and its third
/// order in the hour too, each with RFC 8555's `rateLimited`.
#[test]
fn certbot_is_rate_limited() {
    let tmp = workdir();
    let dir = tmp.path();
    let http01 = support::free_port();
    let server = acme_server_with(
        dir,
        http01,
        "db.json",
        &["-acme-failures-per-hour", "1", "-acme-orders-per-hour", "2"],
    );
    let port = http01.to_string();
    let elsewhere = support::free_port().to_string();
    let attempt = |answer_on: &str| {
        certbot(
            dir,
            &server,
            &[
                "certonly",
                "--standalone",
                "--http-01-address",
                "127.0.0.1",
                "--http-01-port",
                answer_on,
                "-d",
                "acme.test",
            ],
        )
    };
    let failed = attempt(&elsewhere);
    assert!(
        text(&failed).contains("Type:   connection"),
        "first: {}",
        text(&failed)
    );
    let refused_challenge = attempt(&port);
    assert!(!refused_challenge.status.success());
    assert!(
        text(&refused_challenge).contains("failed validations by this account"),
        "second: {}\n{}",
        text(&refused_challenge),
        server.log()
    );
    let refused_order = attempt(&port);
    assert!(!refused_order.status.success());
    assert!(
        text(&refused_order).contains("more than 2 new orders"),
        "third: {}",
        text(&refused_order)
    );
    // certbot's debug log holds the problem documents as received.
    let log = std::fs::read_to_string(dir.join("cb/logs/letsencrypt.log")).unwrap();
    assert!(
        log.contains("urn:ietf:params:acme:error:rateLimited"),
        "{log}"
    );
    assert!(recorded_serials(&dir.join("db.json")).is_empty());
}

/// Runs `acme/rate_cases.py` (certbot's ACME library) in `phase` against
/// `bases`: its `case status type retry-after` lines.
fn rate_cases(dir: &Path, phase: &str, bases: &[&str]) -> String {
    let certbot = support::require_tool("certbot");
    let python = certbot.parent().unwrap().join("python3");
    let out = Command::new(python)
        .env("REQUESTS_CA_BUNDLE", dir.join("ca.pem"))
        .arg(support::repo().join("tests/server/acme/rate_cases.py"))
        .arg(dir.join("ca.pem"))
        .arg(dir.join("rate-state.json"))
        .arg(phase)
        .args(bases)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rate_cases.py {phase}: {}",
        text(&out)
    );
    text(&out)
}

/// The `case`'s line: status, problem type, Retry-After (`-` when absent).
fn rate_case<'a>(said: &'a str, case: &str) -> (&'a str, &'a str, &'a str) {
    let line = said
        .lines()
        .find_map(|l| l.strip_prefix(case).and_then(|l| l.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no {case} in:\n{said}"));
    let mut words = line.split(' ');
    let mut next = || words.next().unwrap_or("-");
    (next(), next(), next())
}

/// A refusal as the limits answer it: 429 `rateLimited`, Retry-After
/// within the hour (the oldest counted event's age taken off).
fn assert_rate_limited(said: &str, case: &str) {
    let (status, kind, retry) = rate_case(said, case);
    assert_eq!(
        (status, kind),
        ("429", "urn:ietf:params:acme:error:rateLimited"),
        "{case}:\n{said}"
    );
    let retry: u32 = retry
        .parse()
        .unwrap_or_else(|_| panic!("{case}: Retry-After {retry:?}"));
    assert!(
        (3000..=3600).contains(&retry),
        "{case}: Retry-After {retry}"
    );
}

/// `-acme-orders-per-hour 3 -acme-failures-per-hour 1` on two replicas of
/// one database, counted there: one account's orders alternate between
/// the replicas and the 4th and 5th are refused, whichever replica gets
/// them; the failed validation on the first replica refuses a challenge
/// on the second; with both stopped, a replica started on the database
/// still refuses the order and the challenge.
fn rate_limits_hold_across_replicas(dir: &Path, db_json: &str) {
    // Nothing listens on the http-01 port: the validation fails at once.
    let http01 = support::free_port();
    let limits = ["-acme-orders-per-hour", "3", "-acme-failures-per-hour", "1"];
    let mut a = acme_server_with(dir, http01, db_json, &limits);
    let mut b = acme_server_with(dir, http01, db_json, &limits);
    let said = rate_cases(dir, "first", &[&a.url, &b.url]);
    let logs = || format!("{said}\nA:\n{}\nB:\n{}", a.log(), b.log());
    for case in ["order-1-on-a", "order-2-on-b", "order-3-on-a"] {
        assert_eq!(rate_case(&said, case).0, "201", "{case}: {}", logs());
    }
    assert_eq!(rate_case(&said, "validation-1").0, "invalid", "{}", logs());
    for case in ["order-4-on-b", "order-5-on-a", "challenge-2-on-b"] {
        assert_rate_limited(&said, case);
    }
    a.terminate();
    b.kill9();
    let c = acme_server_with(dir, http01, db_json, &limits);
    let again = rate_cases(dir, "again", &[&c.url]);
    for case in ["order-6-after-restart", "challenge-2-after-restart"] {
        assert_rate_limited(&again, case);
    }
}

/// 12 new orders of one account at once, half on each of two replicas,
/// with `-acme-orders-per-hour 3`: exactly 3 are created, the rest are
/// `rateLimited` (the count and the insert are one step between replicas).
fn rate_limits_hold_when_replicas_race(dir: &Path, db_json: &str) {
    let limits = ["-acme-orders-per-hour", "3"];
    let a = acme_server_with(dir, support::free_port(), db_json, &limits);
    let b = acme_server_with(dir, support::free_port(), db_json, &limits);
    let said = rate_cases(dir, "race", &[&a.url, &b.url, "12"]);
    let answers: Vec<_> = said
        .lines()
        .filter_map(|l| l.strip_prefix("race "))
        .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    let count = |what: &str| answers.iter().filter(|a| *a == what).count();
    assert_eq!(answers.len(), 12, "{said}");
    assert_eq!(
        (
            count("201 -"),
            count("429 urn:ietf:params:acme:error:rateLimited")
        ),
        (3, 9),
        "{said}\nA:\n{}\nB:\n{}",
        a.log(),
        b.log()
    );
}

/// Runs `scenario` in a work directory whose `pg.json` configures a
/// throwaway PostgreSQL (none: SKIP, as `Postgres::start` says).
fn on_postgres(scenario: fn(&Path, &str)) {
    let Some(pg) = support::postgres::Postgres::start() else {
        return;
    };
    let tmp = workdir();
    support::serve::write(tmp.path(), "pg.json", &pg.db_config());
    scenario(tmp.path(), "pg.json");
}

/// The same on a throwaway MariaDB (`maria.json`).
fn on_mariadb(scenario: fn(&Path, &str)) {
    let Some(db) = support::mariadb::MariaDb::start() else {
        return;
    };
    let tmp = workdir();
    support::serve::write(tmp.path(), "maria.json", &db.db_config());
    scenario(tmp.path(), "maria.json");
}

#[test]
fn rate_limits_hold_across_replicas_on_postgres() {
    on_postgres(rate_limits_hold_across_replicas);
}

#[test]
fn rate_limits_hold_when_replicas_race_on_postgres() {
    on_postgres(rate_limits_hold_when_replicas_race);
}

#[test]
fn rate_limits_hold_across_replicas_on_mariadb() {
    on_mariadb(rate_limits_hold_across_replicas);
}

#[test]
fn rate_limits_hold_when_replicas_race_on_mariadb() {
    on_mariadb(rate_limits_hold_when_replicas_race);
}

/// The same on SQLite: two replicas on one file (one host), and restarts.
#[test]
fn rate_limits_hold_across_replicas_on_sqlite() {
    rate_limits_hold_across_replicas(workdir().path(), "db.json");
}

#[test]
fn rate_limits_hold_when_replicas_race_on_sqlite() {
    rate_limits_hold_when_replicas_race(workdir().path(), "db.json");
}

/// tls-alpn-01 (RFC 8737) with lego's TLS solver, for a DNS name and for
/// an IP identifier (RFC 8738, the SNI its reverse name); 127.0.0.1 is
/// reachable only because `-acme-resolve 127.0.0.1:127.0.0.1` allows it.
/// The name comes through the default directory (`-acme-profile short`,
/// 48h), the IP through `/acme/long/directory` (`-acme-directories long`,
/// 72h): each certificate has its directory's profile's expiry.
#[test]
fn lego_tls_alpn01_for_a_name_and_an_ip() {
    let Some(lego) = lego() else { return };
    let tmp = workdir();
    let dir = tmp.path();
    let usages = r#""usages":["signing","key encipherment","server auth"]"#;
    support::serve::write(
        dir,
        "any-config.json",
        &format!(
            r#"{{"signing":{{"default":{{"expiry":"8760h",{usages}}},"profiles":{{"short":{{"expiry":"48h",{usages}}},"long":{{"expiry":"72h",{usages}}}}}}}}}"#
        ),
    );
    let tls_port = support::free_port();
    let port = tls_port.to_string();
    let server = acme_server_with(
        dir,
        support::free_port(),
        "db.json",
        &[
            "-acme-tlsalpn01-port",
            &port,
            "-acme-resolve",
            "127.0.0.1:127.0.0.1",
            "-acme-profile",
            "short",
            "-acme-directories",
            "long",
        ],
    );
    for (domain, directory, hours) in [("lego.test", "/acme", 48), ("127.0.0.1", "/acme/long", 72)]
    {
        let out = lego_command(&lego, dir, &format!("{}{directory}/directory", server.url))
            .args([
                "--domains",
                domain,
                "--tls",
                "--tls.port",
                &format!("127.0.0.1:{tls_port}"),
                "run",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "lego --tls {domain}: {}\n{}",
            text(&out),
            server.log()
        );
        let cert = format!("lego/certificates/{domain}.crt");
        check_issued(dir, &cert, &[domain]);
        let dates = support::run(
            dir,
            Path::new("openssl"),
            &["x509", "-in", &cert, "-noout", "-startdate", "-enddate"],
            None,
        );
        let dates = String::from_utf8_lossy(&dates.stdout).to_string();
        let at = |field: &str| {
            let text = dates
                .lines()
                .find_map(|l| l.strip_prefix(field))
                .unwrap_or_else(|| panic!("{dates}"));
            let format = time::macros::format_description!(
                "[month repr:short] [day padding:space] [hour]:[minute]:[second] [year] GMT"
            );
            time::PrimitiveDateTime::parse(text.trim(), format)
                .unwrap_or_else(|e| panic!("{text}: {e}"))
                .assume_utc()
        };
        let life = at("notAfter=") - at("notBefore=");
        assert!(
            life <= time::Duration::hours(hours) && life > time::Duration::hours(hours - 1),
            "{cert} from {directory}: {dates}"
        );
    }
}

/// `-acme-allowed-domains`: an order naming anything else is refused at
/// new-order with rejectedIdentifier (nothing validated, nothing issued);
/// a name the list allows is issued as before.
#[test]
fn lego_names_outside_the_allowed_domains_are_rejected() {
    let Some(lego) = lego() else { return };
    let tmp = workdir();
    let dir = tmp.path();
    let http01 = support::free_port();
    let server = acme_server_with(
        dir,
        http01,
        "db.json",
        &["-acme-allowed-domains", "acme.test,/lego-[0-9]+\\.test/"],
    );
    let out = lego_run(&lego, dir, &server, http01, &[]);
    assert!(!out.status.success(), "lego.test was issued");
    assert!(
        text(&out).contains("rejectedIdentifier") && text(&out).contains("-acme-allowed-domains"),
        "{}",
        text(&out)
    );
    assert!(!dir.join("lego/certificates/lego.test.crt").exists());
    let server = acme_server_with(dir, http01, "db.json", &["-acme-allowed-domains", ".test"]);
    lego_issues(&lego, dir, &server, http01, &[]);
}

/// Without `-acme-resolve`, an IP identifier on loopback is not validated:
/// the server will not aim a validation at itself.
#[test]
fn lego_loopback_ip_is_refused_without_resolve() {
    let Some(lego) = lego() else { return };
    let tmp = workdir();
    let dir = tmp.path();
    let tls_port = support::free_port();
    let port = tls_port.to_string();
    let server = acme_server_with(
        dir,
        support::free_port(),
        "db.json",
        &["-acme-tlsalpn01-port", &port],
    );
    let out = lego_command(&lego, dir, &format!("{}/acme/directory", server.url))
        .args([
            "--domains",
            "127.0.0.1",
            "--tls",
            "--tls.port",
            &format!("127.0.0.1:{tls_port}"),
            "run",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success(), "lego: {}", text(&out));
    assert!(
        text(&out).contains("urn:ietf:params:acme:error:connection")
            && text(&out).contains("may not reach"),
        "lego: {}",
        text(&out)
    );
    assert!(recorded_serials(&dir.join("db.json")).is_empty());
}

/// TSIG key of the test's bind9 (HMAC-SHA512, base64 of 64 bytes).
const TSIG_SECRET: &str =
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==";

/// Debian's bind9, primary for acme.test on 127.0.0.1:`port`, taking
/// dynamic updates signed with [`TSIG_SECRET`]; killed by PID on drop.
fn start_bind9(dir: &Path, port: u16) -> Child {
    let named = support::require_tool("named");
    let root = dir.join("bind");
    std::fs::create_dir_all(&root).unwrap();
    let r = root.display();
    support::serve::write(
        &root,
        "acme.test.zone",
        "$TTL 5\n@ IN SOA ns.acme.test. admin.acme.test. 1 60 60 600 5\n@ IN NS ns.acme.test.\nns IN A 127.0.0.1\n",
    );
    support::serve::write(
        &root,
        "named.conf",
        &format!(
            r#"options {{
  directory "{r}"; pid-file "{r}/named.pid"; session-keyfile "{r}/session.key";
  managed-keys-directory "{r}"; listen-on port {port} {{ 127.0.0.1; }}; listen-on-v6 {{ none; }};
  recursion no; dnssec-validation no;
}};
controls {{ }};
key "certkit-test" {{ algorithm hmac-sha512; secret "{TSIG_SECRET}"; }};
zone "acme.test" {{ type primary; file "{r}/acme.test.zone"; allow-update {{ key "certkit-test"; }}; }};
"#
        ),
    );
    let child = Child(
        Command::new(named)
            .args(["-g", "-c"])
            .arg(root.join("named.conf"))
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(root.join("named.log")).unwrap())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(root.join("named.log"))
        .unwrap_or_default()
        .contains("running")
    {
        assert!(
            Instant::now() < deadline,
            "named did not start: {}",
            std::fs::read_to_string(root.join("named.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    child
}

/// dns-01 with certbot's RFC 2136 plugin against bind9 (dynamic update
/// with a TSIG key), for a name and a wildcard; the server asks bind9
/// through `-acme-dns-resolver`.
#[test]
fn certbot_dns01_rfc2136_with_bind9() {
    let tmp = workdir();
    let dir = tmp.path();
    let dns_port = support::free_port();
    let _bind = start_bind9(dir, dns_port);
    let resolver = format!("127.0.0.1:{dns_port}");
    let server = acme_server_with(
        dir,
        support::free_port(),
        "db.json",
        &["-acme-dns-resolver", &resolver],
    );
    support::serve::write(
        dir,
        "rfc2136.ini",
        &format!(
            "dns_rfc2136_server = 127.0.0.1\ndns_rfc2136_port = {dns_port}\ndns_rfc2136_name = certkit-test\n\
             dns_rfc2136_secret = {TSIG_SECRET}\ndns_rfc2136_algorithm = HMAC-SHA512\n"
        ),
    );
    std::fs::set_permissions(
        dir.join("rfc2136.ini"),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let out = certbot(
        dir,
        &server,
        &[
            "certonly",
            "--dns-rfc2136",
            "--dns-rfc2136-credentials",
            "rfc2136.ini",
            "--dns-rfc2136-propagation-seconds",
            "1",
            "--cert-name",
            "wild",
            "-d",
            "acme.test",
            "-d",
            "*.acme.test",
        ],
    );
    assert!(
        out.status.success(),
        "certbot dns-01: {}\n{}",
        text(&out),
        server.log()
    );
    check_issued(
        dir,
        "cb/config/live/wild/cert.pem",
        &["*.acme.test", "acme.test"],
    );
}

/// JWS and account edge cases, driven by certbot's ACME library
/// (`acme/jws_cases.py`): each request's status and problem type.
#[test]
fn jws_and_account_edge_cases() {
    let tmp = workdir();
    let dir = tmp.path();
    let server = acme_server(dir, support::free_port());
    // certbot's interpreter, which has its acme library and josepy.
    let certbot = support::require_tool("certbot");
    let python = certbot.parent().unwrap().join("python3");
    let script = support::repo().join("tests/server/acme/jws_cases.py");
    let out = Command::new(python)
        .env("REQUESTS_CA_BUNDLE", dir.join("ca.pem"))
        .arg(script)
        .arg(&server.url)
        .arg(dir.join("ca.pem"))
        .output()
        .unwrap();
    let said = text(&out);
    assert!(
        out.status.success(),
        "jws_cases.py: {said}\n{}",
        server.log()
    );
    let error = |kind: &str| format!("urn:ietf:params:acme:error:{kind}");
    for (case, status, kind) in [
        ("new-account", "201", "-".to_string()),
        ("bad-nonce", "400", error("badNonce")),
        ("first-use", "200", "-".to_string()),
        ("reused-nonce", "400", error("badNonce")),
        ("wrong-url", "403", error("unauthorized")),
        ("tampered", "400", error("malformed")),
        ("content-type", "415", error("malformed")),
        ("rs512", "400", error("badSignatureAlgorithm")),
        ("rs256", "201", "-".to_string()),
        ("key-change", "200", "-".to_string()),
        ("new-key-finds-account", "200", "-".to_string()),
        ("old-key-finds-none", "400", error("accountDoesNotExist")),
        ("deactivate", "200", "-".to_string()),
        ("order-after-deactivation", "403", error("unauthorized")),
    ] {
        // Every answer, errors included, carries a fresh nonce (RFC 8555 6.5).
        let line = format!("{case} {status} {kind} nonce");
        assert!(
            said.lines().any(|l| l == line),
            "expected {line:?} in:\n{said}"
        );
    }
    assert!(said.lines().any(|l| l == "same-account True"), "{said}");
}

/// An order's notAfter (what cert-manager sends for a `duration`) is
/// honoured within the profile's expiry and refused beyond it.
#[test]
fn lego_not_after_within_the_profile() {
    let Some(lego) = lego() else { return };
    let tmp = workdir();
    let dir = tmp.path();
    let http01 = support::free_port();
    let server = acme_server(dir, http01);
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap();
    let rfc3339 = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let too_late = rfc3339(now + time::Duration::hours(9000));
    let run_with = |not_after: &str| {
        lego_command(&lego, dir, &format!("{}/acme/directory", server.url))
            .args([
                "--domains",
                "lego.test",
                "--http",
                "--http.port",
                &format!("127.0.0.1:{http01}"),
            ])
            .args(["run", "--not-after", not_after])
            .output()
            .unwrap()
    };
    let out = run_with(&too_late);
    assert!(
        !out.status.success(),
        "lego --not-after {too_late}: {}",
        text(&out)
    );
    assert!(
        text(&out).contains("malformed") && text(&out).contains("notAfter"),
        "{}",
        text(&out)
    );
    let wanted = now + time::Duration::hours(30);
    let out = run_with(&rfc3339(wanted));
    assert!(
        out.status.success(),
        "lego --not-after: {}\n{}",
        text(&out),
        server.log()
    );
    let cert = "lego/certificates/lego.test.crt";
    check_issued(dir, cert, &["lego.test"]);
    let end = support::run(
        dir,
        Path::new("openssl"),
        &["x509", "-in", cert, "-noout", "-enddate"],
        None,
    );
    let end = String::from_utf8_lossy(&end.stdout)
        .trim()
        .trim_start_matches("notAfter=")
        .to_string();
    let format = time::macros::format_description!(
        "[month repr:short] [day padding:space] [hour]:[minute]:[second] [year] GMT"
    );
    let got = time::PrimitiveDateTime::parse(&end, format)
        .unwrap()
        .assume_utc();
    assert_eq!(got, wanted, "notAfter {end}");
}
