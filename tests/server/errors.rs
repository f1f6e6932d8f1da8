//! The raw API with curl: every refusal answered as cfssl's contract
//! says (envelope, status, code, message, Content-Type), and where
//! certkit is deliberately stricter, the stricter answer.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use support::serve::*;

/// Asserts a refusal: status, then the single error's code and message.
fn refused(a: &Answer, status: u16, code: u64, message: &str) {
    assert_eq!(a.status, status, "{a:?}");
    assert_eq!(a.content_type, "text/plain; charset=utf-8", "{a:?}");
    assert!(a.body.ends_with('\n'), "{a:?}");
    let v: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    assert_eq!(v["success"], false, "{a:?}");
    assert!(v["result"].is_null(), "{a:?}");
    assert_eq!(v["errors"][0]["code"], code, "{a:?}");
    let got = v["errors"][0]["message"].as_str().unwrap();
    assert!(got.contains(message), "want {message:?} in {a:?}");
}

#[test]
fn refusals_follow_the_contract() {
    let tmp = workdir();
    let dir = tmp.path();
    let server = Server::certkit(
        dir,
        &[signing_args(), vec!["-max-body-bytes", "65536"]].concat(),
    );
    let sign = format!("{}/api/v1/cfssl/sign", server.url);
    let authsign = format!("{}/api/v1/cfssl/authsign", server.url);

    // Success: the envelope byte for byte around the result.
    let ok = post(
        dir,
        &sign,
        &sign_body(
            dir,
            r#","profile":"server","NotBefore":"0001-01-01T00:00:00Z","metadata":null"#,
        ),
    );
    assert_eq!(
        (ok.status, ok.content_type.as_str()),
        (200, "application/json"),
        "{ok:?}"
    );
    assert!(
        ok.body.starts_with(
            r#"{"success":true,"result":{"certificate":"-----BEGIN CERTIFICATE-----\n"#
        ),
        "{ok:?}"
    );
    assert!(
        ok.body
            .ends_with("-----END CERTIFICATE-----\\n\"},\"errors\":[],\"messages\":[]}\n"),
        "{ok:?}"
    );

    refused(
        &post(dir, &sign, "{}"),
        400,
        400,
        "missing parameter 'certificate_request'",
    );
    refused(
        &post(dir, &sign, "nope"),
        400,
        400,
        "Unable to parse sign request",
    );
    let get = curl(dir, &[&sign]);
    refused(&get, 405, 405, "Method is not allowed:\"GET\"");
    refused(
        &post(
            dir,
            &sign,
            r#"{"certificate_request":"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"}"#,
        ),
        400,
        1003,
        "",
    );
    // A profile with auth_key refuses /sign.
    refused(
        &post(dir, &sign, &sign_body(dir, r#","profile":"authed""#)),
        400,
        400,
        "authentication required",
    );
    // Deliberately stricter: an unknown profile is refused, not signed under the default.
    refused(
        &post(dir, &sign, &sign_body(dir, r#","profile":"nope""#)),
        400,
        5400,
        "unknown profile",
    );
    // The body limit.
    let big = sign_body(dir, &format!(r#","pad":"{}""#, "x".repeat(70_000)));
    refused(&post(dir, &sign, &big), 413, 413, "larger than 65536 bytes");

    // authsign: the right token signs; a wrong one, a missing one, a
    // profile without a key and a body that is not JSON do not.
    let inner = sign_body(
        dir,
        r#","profile":"authed","hosts":["h1.example.com","10.2.3.4"],"subject":{"CN":"authsub","names":[{"O":"AO"}]}"#,
    );
    let good = post(dir, &authsign, &authsign_body(&inner, KEY));
    assert_eq!(good.status, 200, "{good:?}");
    let cert: serde_json::Value = serde_json::from_str(&good.body).unwrap();
    write(
        dir,
        "auth.pem",
        cert["result"]["certificate"].as_str().unwrap(),
    );
    let text = run(
        dir,
        "openssl",
        &[
            "x509",
            "-in",
            "auth.pem",
            "-noout",
            "-subject",
            "-ext",
            "subjectAltName,extendedKeyUsage",
        ],
    );
    assert!(
        text.contains("O = AO, CN = authsub") || text.contains("O=AO, CN=authsub"),
        "{text}"
    );
    assert!(
        text.contains("DNS:h1.example.com, IP Address:10.2.3.4")
            && text.contains("Client Authentication"),
        "{text}"
    );

    refused(
        &post(
            dir,
            &authsign,
            &authsign_body(&inner, "00112233445566778899aabbccddeeff"),
        ),
        400,
        400,
        "invalid token",
    );
    // A token over the hex text of the key, not the key's bytes.
    let hex_key = KEY.bytes().map(|b| format!("{b:02x}")).collect::<String>();
    refused(
        &post(dir, &authsign, &authsign_body(&inner, &hex_key)),
        400,
        400,
        "invalid token",
    );
    let missing = format!(r#"{{"request":"{}"}}"#, STANDARD.encode(&inner));
    refused(&post(dir, &authsign, &missing), 400, 400, "invalid token");
    let keyless = sign_body(dir, r#","profile":"server""#);
    refused(
        &post(dir, &authsign, &authsign_body(&keyless, KEY)),
        400,
        400,
        "no authentication provider",
    );
    refused(&post(dir, &authsign, "x"), 400, 400, "");
    let not_base64 = r#"{"token":"AAAA","request":{"a":1}}"#;
    refused(&post(dir, &authsign, not_base64), 400, 400, "");
    let bad_inner = format!(
        r#"{{"token":"AAAA","request":"{}"}}"#,
        STANDARD.encode("nope")
    );
    refused(
        &post(dir, &authsign, &bad_inner),
        400,
        400,
        "Unable to parse authenticated sign request",
    );

    // info, health, unknown paths, metrics.
    let info = post(
        dir,
        &format!("{}/api/v1/cfssl/info", server.url),
        r#"{"label":"","profile":"server"}"#,
    );
    assert!(
        info.body
            .contains(r#""usages":["signing","key encipherment","server auth"],"expiry":"720h"}"#),
        "{info:?}"
    );
    let health = curl(dir, &[&format!("{}/api/v1/cfssl/health", server.url)]);
    assert_eq!(
        health.body,
        "{\"success\":true,\"result\":{\"healthy\":true},\"errors\":[],\"messages\":[]}\n"
    );
    let missing = curl(dir, &[&format!("{}/api/v1/cfssl/nothing", server.url)]);
    assert_eq!(
        (missing.status, missing.body.as_str()),
        (404, "404 page not found\n")
    );
    let metrics = curl(dir, &[&format!("{}/metrics", server.url)]);
    assert!(
        metrics
            .body
            .contains("certkit_certificates_issued_total{label=\"\",profile=\"server\"} 1"),
        "{}",
        metrics.body
    );
    assert!(
        metrics
            .body
            .contains("certkit_http_requests_total{endpoint=\"sign\",status=\"400\"}"),
        "{}",
        metrics.body
    );

    // newkey, newcert (refusing a profile with auth_key), init_ca, certinfo.
    let req = read(dir, "req.json");
    let newkey = post(dir, &format!("{}/api/v1/cfssl/newkey", server.url), &req);
    let v: serde_json::Value = serde_json::from_str(&newkey.body).unwrap();
    assert!(v["result"]["private_key"]
        .as_str()
        .unwrap()
        .contains("EC PRIVATE KEY"));
    assert_eq!(
        v["result"]["sums"]["certificate_request"]["sha-256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    let newcert_url = format!("{}/api/v1/cfssl/newcert", server.url);
    let newcert = post(
        dir,
        &newcert_url,
        &format!(r#"{{"request":{req},"profile":"server"}}"#),
    );
    let v: serde_json::Value = serde_json::from_str(&newcert.body).unwrap();
    assert!(
        v["result"]["certificate"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----"),
        "{newcert:?}"
    );
    refused(
        &post(
            dir,
            &newcert_url,
            &format!(r#"{{"request":{req},"profile":"authed"}}"#),
        ),
        400,
        400,
        "authentication required",
    );
    let init = post(
        dir,
        &format!("{}/api/v1/cfssl/init_ca", server.url),
        &read(dir, "ca-csr.json"),
    );
    assert!(
        init.body
            .contains("\"certificate\":\"-----BEGIN CERTIFICATE-----"),
        "{init:?}"
    );
    let certinfo = post(
        dir,
        &format!("{}/api/v1/cfssl/certinfo", server.url),
        &format!(
            r#"{{"certificate":{}}}"#,
            serde_json::to_string(&read(dir, "ca.pem")).unwrap()
        ),
    );
    assert!(
        certinfo.body.contains("\"common_name\":\"Serve Test CA\""),
        "{certinfo:?}"
    );
}

#[test]
fn sign_exists_only_with_a_keyless_profile() {
    let tmp = workdir();
    let dir = tmp.path();
    write(
        dir,
        "all-authed.json",
        &format!(
            r#"{{"signing":{{"default":{{"expiry":"1h","usages":["server auth"],"auth_key":"key1"}}}},"auth_keys":{{"key1":{{"type":"standard","key":"{KEY}"}}}}}}"#
        ),
    );
    let server = Server::certkit(
        dir,
        &[ca_args(), vec!["-config", "all-authed.json"]].concat(),
    );
    let sign = post(
        dir,
        &format!("{}/api/v1/cfssl/sign", server.url),
        &sign_body(dir, ""),
    );
    assert_eq!(sign.status, 404, "{sign:?}");
    let inner = sign_body(dir, "");
    let auth = post(
        dir,
        &format!("{}/api/v1/cfssl/authsign", server.url),
        &authsign_body(&inner, KEY),
    );
    assert_eq!(auth.status, 200, "{auth:?}");
}

#[test]
fn sigterm_finishes_and_exits_cleanly() {
    let tmp = workdir();
    let dir = tmp.path();
    let mut server = Server::certkit(dir, &ca_args());
    let ok = post(
        dir,
        &format!("{}/api/v1/cfssl/sign", server.url),
        &sign_body(dir, ""),
    );
    assert_eq!(ok.status, 200);
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    assert!(server.log().contains("shut down"), "{}", server.log());
}

/// S6: a request body trickled a byte at a time is cut off at the body
/// deadline (408) and its connection is freed. With `-max-connections 1`
/// the health check waits behind the trickler only until that deadline
/// (it used to wait for as long as the trickler kept sending).
#[test]
fn a_trickled_body_is_cut_off_and_frees_its_connection() {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};
    let tmp = workdir();
    let dir = tmp.path();
    let server = Server::certkit(dir, &[&ca_args()[..], &["-max-connections", "1"]].concat());
    let mut slow = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    slow.write_all(
        b"POST /api/v1/cfssl/sign HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
    )
    .unwrap();
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let trickle = {
        let mut writer = slow.try_clone().unwrap();
        let stop = stop.clone();
        // One byte a second for at most 70 s, until the server hangs up.
        std::thread::spawn(move || {
            for _ in 0..70 {
                std::thread::sleep(Duration::from_secs(1));
                if stop.load(Ordering::Relaxed) || writer.write_all(b" ").is_err() {
                    break;
                }
            }
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    let health = curl(
        dir,
        &[
            "--max-time",
            "45",
            &format!("{}/api/v1/cfssl/health", server.url),
        ],
    );
    let waited = started.elapsed();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = slow.read_to_end(&mut answer);
    stop.store(true, Ordering::Relaxed);
    trickle.join().unwrap();
    assert_eq!(health.status, 200, "after {waited:?}: {health:?}");
    assert!(waited < Duration::from_secs(40), "{waited:?}");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("request body not received in time"),
        "{answer}"
    );
}

/// S8: key generation runs off the async workers: `/health` answers
/// promptly while two RSA-8192 `newkey` requests are being computed (on
/// a 2-core host it used to wait for one of them to finish, seconds).
#[test]
fn health_answers_while_rsa_keys_are_generated() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let tmp = workdir();
    let dir = tmp.path();
    let server = Server::certkit(dir, &ca_args());
    write(
        dir,
        "rsa.json",
        r#"{"CN":"big","key":{"algo":"rsa","size":8192}}"#,
    );
    let url = format!("{}/api/v1/cfssl/newkey", server.url);
    let mut keygens: Vec<_> = (0..2)
        .map(|_| {
            Command::new("curl")
                .args(["-s", "-o", "/dev/null", "--max-time", "120"])
                .args(["-d", "@rsa.json", &url])
                .current_dir(dir)
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    let started = Instant::now();
    let health = curl(dir, &[&format!("{}/api/v1/cfssl/health", server.url)]);
    let took = started.elapsed();
    let still_running = keygens
        .iter_mut()
        .filter_map(|k| k.try_wait().ok())
        .filter(Option::is_none)
        .count();
    for keygen in &mut keygens {
        let _ = keygen.kill();
        let _ = keygen.wait();
    }
    assert_eq!(health.status, 200, "{health:?}");
    assert!(
        took < Duration::from_secs(3),
        "/health took {took:?} with {still_running} key generations running"
    );
}

/// S13: an auth key under 16 bytes is warned about at start (one line
/// naming the key and its length, never the key); the server still
/// starts, as cfssl's does. It used to start silently.
#[test]
fn a_short_auth_key_is_warned_about() {
    let tmp = workdir();
    let dir = tmp.path();
    write(
        dir,
        "short-config.json",
        r#"{"signing":{"default":{"expiry":"1h","usages":["server auth"],"auth_key":"w"}},
"auth_keys":{"w":{"type":"standard","key":"9c"},"long":{"type":"standard","key":"0123456789abcdef0123456789abcdef"}}}"#,
    );
    let server = Server::certkit(
        dir,
        &[&ca_args()[..], &["-config", "short-config.json"]].concat(),
    );
    let log = server.log();
    let warnings: Vec<_> = log.lines().filter(|l| l.contains("auth key")).collect();
    assert_eq!(warnings.len(), 1, "{log}");
    assert!(
        warnings[0].contains("[WARNING]") && warnings[0].contains("\"w\" is 1 bytes"),
        "{log}"
    );
    assert!(!warnings[0].contains("9c"), "{log}");
}

/// S15: refusals tell an unauthenticated caller nothing about the
/// server's config: an unknown profile is "unknown profile" (it used to
/// list every profile, auth-only ones included) and a name outside a
/// profile's name_whitelist is named without the expression (it used to
/// be echoed). The server's log keeps the profile list.
#[test]
fn refusals_list_no_profiles_and_echo_no_whitelist() {
    let tmp = workdir();
    let dir = tmp.path();
    write(
        dir,
        "fenced-config.json",
        &format!(
            r#"{{"signing":{{"default":{{"expiry":"1h","usages":["server auth"]}},
"profiles":{{"fenced":{{"expiry":"1h","usages":["server auth"],"name_whitelist":"^svc\\.secret-zone\\.example$"}},
"authed":{{"expiry":"1h","usages":["client auth"],"auth_key":"key1"}}}}}},
"auth_keys":{{"key1":{{"type":"standard","key":"{KEY}"}}}}}}"#
        ),
    );
    let server = Server::certkit(
        dir,
        &[&ca_args()[..], &["-config", "fenced-config.json"]].concat(),
    );
    let sign = format!("{}/api/v1/cfssl/sign", server.url);
    let unknown = post(dir, &sign, &sign_body(dir, r#","profile":"nosuch""#));
    refused(&unknown, 400, 5400, "unknown profile");
    assert!(
        !unknown.body.contains("authed") && !unknown.body.contains("fenced"),
        "{unknown:?}"
    );
    let fenced = post(dir, &sign, &sign_body(dir, r#","profile":"fenced""#));
    refused(
        &fenced,
        400,
        5300,
        "is not allowed by the profile's name_whitelist",
    );
    assert!(!fenced.body.contains("secret-zone"), "{fenced:?}");
    assert!(server.log().contains("authed"), "{}", server.log());
}
