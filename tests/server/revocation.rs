//! CRLs and the OCSP responder from a responses file, checked by openssl
//! and pkilint: `gencrl` CRLs pass `openssl crl -verify` and make
//! `openssl verify -crl_check` reject the revoked leaf; `ocspsign`
//! responses served by `ocspserve -responses` give good, revoked (with
//! its reason) and, signed live, unknown; GET carries RFC 5019's caching
//! headers and honours If-None-Match.

use base64::Engine as _;
use support::pkilint;
use support::revocation::*;
use support::{assert_ok, sh};

#[test]
fn gencrl_is_accepted_by_openssl_and_pkilint() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_pki(d);
    std::fs::write(
        d.join("serials.txt"),
        format!("{}\n\n", decimal_serial(d, "revoked.pem")),
    )
    .unwrap();
    let out = sh(
        d,
        "certkit gencrl serials.txt ca.pem ca-key.pem 86400 | base64 -d > ca.crl
         openssl crl -inform DER -in ca.crl -out ca-crl.pem
         openssl crl -in ca-crl.pem -CAfile ca.pem -noout -verify
         openssl crl -in ca-crl.pem -noout -text > crl.txt
         cat ca.pem ca-crl.pem > trust.pem
         openssl verify -crl_check -CAfile trust.pem good.pem
         if openssl verify -crl_check -CAfile trust.pem revoked.pem > rejected.txt 2>&1; then
           echo 'revoked leaf accepted' >&2; exit 1
         fi",
    );
    assert_ok(&out, "gencrl and openssl");
    let text = std::fs::read_to_string(d.join("crl.txt")).unwrap();
    assert!(text.contains("Version 2"), "{text}");
    assert!(text.contains("X509v3 CRL Number"), "{text}");
    assert!(text.contains("X509v3 Authority Key Identifier"), "{text}");
    let rejected = std::fs::read_to_string(d.join("rejected.txt")).unwrap();
    assert!(rejected.contains("certificate revoked"), "{rejected}");
    pkilint::lint_crl(&d.join("ca-crl.pem"));
}

#[test]
fn gencrl_refuses_a_bad_serial_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_pki(d);
    std::fs::write(d.join("serials.txt"), "12\n0x13\n").unwrap();
    let out = sh(d, "certkit gencrl serials.txt ca.pem ca-key.pem");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("serials.txt:2"), "{err}");
}

/// `ocspsign` for good.pem (signed by the CA) and revoked.pem (by the
/// delegated responder, keyCompromise) into responses.txt.
fn sign_responses(d: &std::path::Path) {
    let out = sh(
        d,
        "certkit -loglevel 3 ocspsign -ca ca.pem -responder ca.pem -responder-key ca-key.pem \
           -cert good.pem | jq -r .ocspResponse > responses.txt
         certkit -loglevel 3 ocspsign -ca ca.pem -responder ocsp.pem -responder-key ocsp-key.pem \
           -cert revoked.pem -status revoked -reason keyCompromise -revoked-at 2024-01-31 \
           | jq -r .ocspResponse >> responses.txt",
    );
    assert_ok(&out, "ocspsign");
}

#[test]
fn ocspserve_from_a_responses_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_pki(d);
    sign_responses(d);
    for (n, line) in std::fs::read_to_string(d.join("responses.txt"))
        .unwrap()
        .lines()
        .enumerate()
    {
        let der = base64::engine::general_purpose::STANDARD
            .decode(line)
            .unwrap();
        let path = d.join(format!("response{n}.der"));
        std::fs::write(&path, der).unwrap();
        pkilint::lint_ocsp_response(&path);
    }

    // As cfssl: pre-signed responses only, unauthorized for the rest.
    let plain = start_certkit(d, &["-responses", "responses.txt"]);
    let good = openssl_ocsp(d, plain.port, "good.pem", &["-no_nonce"]);
    assert_status(&good, "good.pem", "good");
    let revoked = openssl_ocsp(d, plain.port, "revoked.pem", &["-no_nonce"]);
    assert_key_compromise(&revoked, "revoked.pem");
    assert!(
        revoked.contains("Revocation Time: Jan 31 00:00:00 2024 GMT"),
        "{revoked}"
    );
    let stranger = openssl_ocsp(d, plain.port, "stranger.pem", &["-no_nonce"]);
    assert!(stranger.contains("unauthorized"), "{stranger}");
    drop(plain);

    // With a responder: unknown, nonces echoed, SHA-256 CertIDs.
    let live = start_certkit(
        d,
        &[&["-responses", "responses.txt"][..], &LIVE_SIGNER].concat(),
    );
    let stranger = openssl_ocsp(d, live.port, "stranger.pem", &[]);
    assert_status(&stranger, "stranger.pem", "unknown");
    assert!(stranger.contains("OCSP Nonce"), "{stranger}");
    assert!(!stranger.contains("WARNING: no nonce"), "{stranger}");
    let good = openssl_ocsp(d, live.port, "good.pem", &["-sha256"]);
    assert_status(&good, "good.pem", "good");
    assert!(good.contains("Hash Algorithm: sha256"), "{good}");
    let revoked = openssl_ocsp(d, live.port, "revoked.pem", &[]);
    assert_key_compromise(&revoked, "revoked.pem");
}

#[test]
fn ocspserve_reads_a_responses_file_of_several_mib() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_pki(d);
    sign_responses(d);
    // A CA's file: thousands of lines, past the 1 MiB cap of other inputs.
    let lines = std::fs::read_to_string(d.join("responses.txt")).unwrap();
    let mut big = String::new();
    while big.len() < 3 << 20 {
        big.push_str(&lines);
    }
    std::fs::write(d.join("big.txt"), &big).unwrap();
    let served = start_certkit(d, &["-responses", "big.txt"]);
    let good = openssl_ocsp(d, served.port, "good.pem", &["-no_nonce"]);
    assert_status(&good, "good.pem", "good");
    let revoked = openssl_ocsp(d, served.port, "revoked.pem", &["-no_nonce"]);
    assert_key_compromise(&revoked, "revoked.pem");
    drop(served);

    // A bad line near the end is refused, naming the file and the line.
    let bad_line = big.lines().count() + 1;
    big.push_str("bm90IGFuIE9DU1AgcmVzcG9uc2U=\n");
    big.push_str(&lines);
    std::fs::write(d.join("bad.txt"), &big).unwrap();
    let out = sh(d, "certkit ocspserve -port 0 -responses bad.txt");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("bad.txt:{bad_line}")), "{err}");
}

#[test]
fn get_requests_carry_rfc5019_caching_headers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_pki(d);
    sign_responses(d);
    let out = sh(
        d,
        "openssl ocsp -issuer ca.pem -cert good.pem -no_nonce -reqout req.der",
    );
    assert_ok(&out, "openssl ocsp -reqout");
    let req = std::fs::read(d.join("req.der")).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&req);
    let path: String = b64
        .chars()
        .map(|c| match c {
            '+' => "%2B".to_string(),
            '/' => "%2F".to_string(),
            '=' => "%3D".to_string(),
            c => c.to_string(),
        })
        .collect();
    let server = start_certkit(d, &["-responses", "responses.txt"]);
    let get = format!("GET /{path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let (head, body) = http(server.port, get.as_bytes());
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains("content-type: application/ocsp-response"),
        "{head}"
    );
    assert!(head.contains("last-modified: "), "{head}");
    assert!(head.contains("expires: "), "{head}");
    let max_age: u64 = head
        .split("max-age=")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no max-age: {head}"));
    assert!(max_age > 0 && max_age <= 96 * 3600, "{head}");
    assert!(
        head.contains("public, no-transform, must-revalidate"),
        "{head}"
    );
    let etag = head
        .lines()
        .find_map(|l| l.strip_prefix("etag: "))
        .unwrap_or_else(|| panic!("no etag: {head}"))
        .to_uppercase();
    let served = std::fs::read_to_string(d.join("responses.txt")).unwrap();
    let first = base64::engine::general_purpose::STANDARD
        .decode(served.lines().next().unwrap())
        .unwrap();
    assert_eq!(body, first, "GET serves the stored response byte for byte");

    let again = format!(
        "GET /{path} HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n"
    );
    let (head, body) = http(server.port, again.as_bytes());
    assert!(head.starts_with("http/1.1 304"), "{head}");
    assert!(body.is_empty());

    let post = [
        format!(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/ocsp-request\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            req.len()
        )
        .into_bytes(),
        req,
    ]
    .concat();
    let (head, body) = http(server.port, &post);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert_eq!(body, first);

    let junk = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc";
    let (head, body) = http(server.port, junk.as_bytes());
    assert!(head.starts_with("http/1.1 400"), "{head}");
    assert_eq!(body, [0x30, 0x03, 0x0a, 0x01, 0x01], "malformedRequest");
}

#[test]
fn verify_asks_the_ocsp_responder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_pki(d);
    sign_responses(d);
    let server = start_certkit(
        d,
        &[&["-responses", "responses.txt"][..], &LIVE_SIGNER].concat(),
    );
    let url = format!("http://127.0.0.1:{}", server.port);
    let verify = |cert: &str, ocsp: &str| {
        sh(
            d,
            &format!("certkit verify -ca-bundle ca.pem -purpose any {ocsp} {cert}"),
        )
    };
    assert_ok(
        &verify("good.pem", &format!("--ocsp={url}")),
        "verify --ocsp good",
    );
    let revoked = verify("revoked.pem", &format!("-ocsp={url}"));
    assert_eq!(revoked.status.code(), Some(1));
    let err = String::from_utf8_lossy(&revoked.stderr);
    assert!(
        err.contains("revoked at 2024-01-31T00:00:00Z (keyCompromise)"),
        "{err}"
    );

    // Without a URL, the responder the certificate's AIA names.
    let config = format!(
        r#"{{"signing":{{"default":{{"expiry":"24h","usages":["digital signature","server auth"],"ocsp_url":"{url}"}}}}}}"#
    );
    std::fs::write(d.join("aia.json"), config).unwrap();
    let out = sh(
        d,
        "certkit -loglevel 3 gencert -ca ca.pem -ca-key ca-key.pem -config aia.json leaf.json | certkit json -bare aia",
    );
    assert_ok(&out, "issuing with an OCSP URL");
    let unknown = verify("aia.pem", "--ocsp");
    assert_eq!(unknown.status.code(), Some(1));
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        err.contains(&format!("OCSP ({url}): the responder does not know")),
        "{err}"
    );
    assert_ok(&verify("aia.pem", ""), "verify without --ocsp");
}

/// S7: ocspserve runs on serve's listener. A connection that sends
/// nothing is closed at the header deadline (it used to be held for
/// ever); with `-max-connections 1` a client queued behind such a
/// connection is answered once it is closed; `-tls-cert` serves HTTPS.
#[test]
fn ocspserve_closes_idle_connections_caps_them_and_speaks_tls() {
    use std::io::Read;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_pki(d);
    sign_responses(d);
    let closed_within = |port: u16, limit: Duration| {
        let mut idle = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        idle.set_read_timeout(Some(limit)).unwrap();
        let started = Instant::now();
        let read = idle.read(&mut [0u8; 16]);
        // EOF or a reset: the server hung up; a timeout: it did not.
        assert!(
            matches!(read, Ok(0))
                || read
                    .as_ref()
                    .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
            "idle connection still open after {:?}: {read:?}",
            started.elapsed()
        );
    };
    let plain = start_certkit(d, &["-responses", "responses.txt"]);
    closed_within(plain.port, Duration::from_secs(20));
    drop(plain);

    let out = sh(
        d,
        r#"echo '{"CN":"127.0.0.1","hosts":["127.0.0.1"],"key":{"algo":"ecdsa","size":256}}' > tls.json
           certkit -loglevel 3 gencert -ca ca.pem -ca-key ca-key.pem -config config.json tls.json \
             | certkit -loglevel 3 json -bare tls
           openssl ocsp -issuer ca.pem -cert good.pem -no_nonce -reqout req.der"#,
    );
    assert_ok(&out, "TLS certificate and OCSP request");
    let tls = start_certkit(
        d,
        &[
            "-responses",
            "responses.txt",
            "-tls-cert",
            "tls.pem",
            "-tls-key",
            "tls-key.pem",
            "-max-connections",
            "1",
        ],
    );
    let hog = std::net::TcpStream::connect(("127.0.0.1", tls.port)).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let out = sh(
        d,
        &format!(
            "curl -sS --max-time 30 --cacert ca.pem --data-binary @req.der \
               -H 'Content-Type: application/ocsp-request' -o resp.der https://127.0.0.1:{}/
             openssl ocsp -respin resp.der -issuer ca.pem -cert good.pem -CAfile ca.pem",
            tls.port
        ),
    );
    drop(hog);
    assert_ok(&out, "OCSP over HTTPS behind an idle connection");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("good.pem: good"), "{text}");
}

/// S1: a responses file is looked up by serial and issuer. A request with
/// good.pem's serial but another CA's issuer hashes gets `unauthorized`
/// (it used to get good.pem's response, looked up by serial alone), and
/// a live signer for that other CA answers `unknown`, not good.pem's
/// status.
#[test]
fn ocspserve_matches_stored_responses_by_issuer_too() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_pki(d);
    sign_responses(d);
    let out = sh(
        d,
        &format!(
            r#"echo '{{"CN":"Other CA","key":{{"algo":"ecdsa","size":256}}}}' > other.json
               certkit -loglevel 3 gencert -initca other.json | certkit -loglevel 3 json -bare other
               openssl ocsp -issuer other.pem -serial 0x{} -no_nonce -reqout other-req.der"#,
            hex_serial(d, "good.pem")
        ),
    );
    assert_ok(&out, "another CA and a request naming it");
    let post = |port: u16| {
        sh(
            d,
            &format!(
                "curl -sS --max-time 20 --data-binary @other-req.der \
                   -H 'Content-Type: application/ocsp-request' -o other-resp.der http://127.0.0.1:{port}/
                 openssl ocsp -respin other-resp.der -resp_text -noverify 2>&1 || true"
            ),
        )
    };
    let plain = start_certkit(d, &["-responses", "responses.txt"]);
    let text = String::from_utf8_lossy(&post(plain.port).stdout).to_string();
    assert!(text.contains("unauthorized"), "{text}");
    drop(plain);
    let live = start_certkit(
        d,
        &[
            "-responses",
            "responses.txt",
            "-ca",
            "other.pem",
            "-responder",
            "other.pem",
            "-responder-key",
            "other-key.pem",
        ],
    );
    let text = String::from_utf8_lossy(&post(live.port).stdout).to_string();
    assert!(text.contains("Cert Status: unknown"), "{text}");
}

/// A certificate's serial number in hex, as openssl's `-serial 0x` takes it.
fn hex_serial(d: &std::path::Path, cert: &str) -> String {
    let out = sh(d, &format!("openssl x509 -in {cert} -noout -serial"));
    assert_ok(&out, "openssl x509 -serial");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .trim_start_matches("serial=")
        .to_string()
}

/// thisUpdate to nextUpdate of a DER OCSP response, in seconds, and its
/// status line for `cert`, as `openssl ocsp` reads it (checked against ca.pem).
fn response_window(d: &std::path::Path, der: &[u8], cert: &str) -> (i64, String) {
    std::fs::write(d.join("window.der"), der).unwrap();
    let out = sh(
        d,
        &format!(
            "openssl ocsp -respin window.der -issuer ca.pem -CAfile ca.pem -cert {cert} -resp_text > text.txt 2>&1 || exit 1
             this=$(grep -m1 'This Update:' text.txt | sed 's/.*This Update: //')
             next=$(grep -m1 'Next Update:' text.txt | sed 's/.*Next Update: //')
             echo $(( $(date -d \"$next\" +%s) - $(date -d \"$this\" +%s) ))
             grep -m1 '^{cert}:' text.txt"
        ),
    );
    assert_ok(&out, "openssl ocsp -respin");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (seconds, status) = text.split_once('\n').unwrap();
    (seconds.trim().parse().unwrap(), status.trim().to_string())
}

/// The config's `ocsp` section (CACertFile, ResponderCertFile, KeyFile,
/// Interval in Go's nanoseconds) configures `ocspsign`, `ocsprefresh`
/// and `serve`'s responder when their flags are absent. cfssl 1.6.5 parses the section
/// but its commands never read it (its `ocspsign -config` still needs the
/// flags); the response certkit signs from the section equals, in status
/// and validity, the one 1.6.5 signs from the same files given as flags.
#[test]
fn the_config_ocsp_section_configures_the_signer() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    make_pki(d);
    std::fs::write(
        d.join("ocsp-config.json"),
        r#"{"signing":{"default":{"expiry":"8760h","usages":["digital signature","server auth"]}},
            "ocsp":{"CACertFile":"ca.pem","ResponderCertFile":"ocsp.pem","KeyFile":"ocsp-key.pem","Interval":86400000000000}}"#,
    )
    .unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let response = |program: &std::path::Path, args: &[&str]| -> Vec<u8> {
        let out = support::run(d, program, args, None);
        assert_ok(&out, &format!("{} {args:?}", program.display()));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        b64.decode(json["ocspResponse"].as_str().unwrap()).unwrap()
    };
    let ours = response(
        &support::certkit(),
        &[
            "ocspsign",
            "-config",
            "ocsp-config.json",
            "-cert",
            "good.pem",
        ],
    );
    let ours = response_window(d, &ours, "good.pem");
    assert_eq!(ours, (86400, "good.pem: good".to_string()));
    let out = support::run(
        d,
        &support::certkit(),
        &[
            "ocspsign",
            "-config",
            "ocsp-config.json",
            "-cert",
            "good.pem",
            "-interval",
            "1h",
        ],
        None,
    );
    assert_ok(&out, "ocspsign -interval over the section");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let der = b64.decode(json["ocspResponse"].as_str().unwrap()).unwrap();
    assert_eq!(response_window(d, &der, "good.pem").0, 3600, "flags win");

    if let Some(current) = support::serve::cfssl_current() {
        let cfssl = current.join("cfssl");
        let out = support::run(
            d,
            &cfssl,
            &[
                "ocspsign",
                "-config",
                "ocsp-config.json",
                "-cert",
                "good.pem",
            ],
            None,
        );
        assert!(
            !out.status.success(),
            "cfssl 1.6.5 does not read the section"
        );
        let theirs = response(
            &cfssl,
            &[
                "ocspsign",
                "-ca",
                "ca.pem",
                "-responder",
                "ocsp.pem",
                "-responder-key",
                "ocsp-key.pem",
                "-interval",
                "24h",
                "-cert",
                "good.pem",
            ],
        );
        assert_eq!(response_window(d, &theirs, "good.pem"), ours);
    }

    // ocsprefresh: the section gives the responder and interval too.
    std::fs::write(
        d.join("db.json"),
        format!(
            r#"{{"driver":"sqlite3","data_source":"{}/certs.db"}}"#,
            d.display()
        ),
    )
    .unwrap();
    let recorded = sh(
        d,
        "certkit gencert -ca ca.pem -ca-key ca-key.pem -config config.json -db-config db.json leaf.json | certkit json -bare recorded
         certkit ocsprefresh -db-config db.json -config ocsp-config.json
         certkit ocspdump -db-config db.json | base64 -d > dumped.der",
    );
    assert_ok(&recorded, "ocsprefresh -config");
    let dumped = std::fs::read(d.join("dumped.der")).unwrap();
    assert_eq!(
        response_window(d, &dumped, "recorded.pem"),
        (86400, "recorded.pem: good".to_string())
    );

    // serve: the section gives ocspsign its responder and interval.
    let server = support::serve::Server::certkit(
        d,
        &[
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "-config",
            "ocsp-config.json",
        ],
    );
    let body = serde_json::json!({
        "certificate": std::fs::read_to_string(d.join("good.pem")).unwrap(),
        "status": "good",
    });
    let answer = support::serve::post(
        d,
        &format!("{}/api/v1/cfssl/ocspsign", server.url),
        &body.to_string(),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    let der = b64
        .decode(json["result"]["ocspResponse"].as_str().unwrap())
        .unwrap();
    assert_eq!(response_window(d, &der, "good.pem"), ours);
}
