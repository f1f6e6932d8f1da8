//! Shared by the revocation tests: a CA with leaves and a delegated OCSP
//! responder made by certkit, `certkit ocspserve` started on a free port
//! (stopped by PID when dropped), and `openssl ocsp` against it.

use crate::{assert_ok, certkit, sh};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Makes in `dir`: ca.pem/ca-key.pem, leaves good.pem, revoked.pem,
/// stranger.pem (never given a status), and ocsp.pem (OCSPSigning,
/// id-pkix-ocsp-nocheck), with `bin/cfssl` symlinked to certkit.
pub fn make_pki(dir: &Path) {
    crate::symlink_bin(dir);
    std::fs::write(
        dir.join("ca.json"),
        r#"{"CN":"Revocation Test CA","key":{"algo":"ecdsa","size":256}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("leaf.json"),
        r#"{"CN":"leaf.example","hosts":["leaf.example"],"key":{"algo":"ecdsa","size":256}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("config.json"),
        r#"{"signing":{"default":{"expiry":"8760h","usages":["digital signature","server auth","client auth"]},
            "profiles":{"ocsp":{"expiry":"8760h","usages":["digital signature","ocsp signing"],"ocsp_no_check":true}}}}"#,
    )
    .unwrap();
    let out = sh(
        dir,
        "certkit() { command certkit -loglevel 3 \"$@\"; }
         certkit gencert -initca ca.json | certkit json -bare ca
         for n in good revoked stranger; do
           certkit gencert -ca ca.pem -ca-key ca-key.pem -config config.json leaf.json | certkit json -bare $n
         done
         certkit gencert -ca ca.pem -ca-key ca-key.pem -config config.json -profile ocsp leaf.json | certkit json -bare ocsp",
    );
    assert_ok(&out, "making the test PKI");
}

/// A certificate's serial number in decimal, as cfssl's database has it.
pub fn decimal_serial(dir: &Path, cert: &str) -> String {
    let pem = std::fs::read(dir.join(cert)).unwrap();
    let der = pem::parse(pem).unwrap().into_contents();
    let (_, c) = x509_parser::parse_x509_certificate(&der).unwrap();
    c.tbs_certificate.serial.to_string()
}

/// A certificate's AKI in hex, as cfssl's database has it.
pub fn aki_hex(dir: &Path, cert: &str) -> String {
    let pem = std::fs::read(dir.join(cert)).unwrap();
    let der = pem::parse(pem).unwrap().into_contents();
    let (_, c) = x509_parser::parse_x509_certificate(&der).unwrap();
    for ext in c.extensions() {
        if let x509_parser::extensions::ParsedExtension::AuthorityKeyIdentifier(aki) =
            ext.parsed_extension()
        {
            let id = aki.key_identifier.as_ref().unwrap();
            return id.0.iter().map(|b| format!("{b:02x}")).collect();
        }
    }
    panic!("{cert} has no AKI")
}

/// A running responder (certkit's or cfssl's), killed by PID on drop.
pub struct Responder {
    child: Child,
    pub port: u16,
}

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `certkit ocspserve -port 0 ARGS` in `dir`, once it listens.
pub fn start_certkit(dir: &Path, args: &[&str]) -> Responder {
    let mut child = Command::new(certkit())
        .arg("ocspserve")
        .args(["-port", "0"])
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    // The lines are read on a thread (which keeps draining stderr so the
    // server never blocks on a full pipe) and waited for with a deadline.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = String::new();
    let port = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = rx.recv_timeout(left) else {
            let _ = child.kill();
            panic!("ocspserve did not listen within 30 s:\n{seen}");
        };
        seen.push_str(&line);
        seen.push('\n');
        if let Some(addr) = line.split("Now listening on ").nth(1) {
            break addr.rsplit(':').next().unwrap().trim().parse().unwrap();
        }
    };
    Responder { child, port }
}

/// Starts `program ARGS` (cfssl's ocspserve on `port`) and waits, at most
/// 10 s, until it accepts connections.
pub fn start_program(dir: &Path, program: &Path, args: &[&str], port: u16) -> Responder {
    let child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let responder = Responder { child, port };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{program:?} did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    responder
}

/// `openssl ocsp -issuer ca.pem -cert CERT -url ... -resp_text` (with a
/// nonce unless `-no_nonce` is in `extra`): its stdout and stderr.
pub fn openssl_ocsp(dir: &Path, port: u16, cert: &str, extra: &[&str]) -> String {
    let url = format!("http://127.0.0.1:{port}");
    let out = Command::new("openssl")
        .arg("ocsp")
        .args(extra)
        .args(["-issuer", "ca.pem", "-cert", cert, "-url", &url])
        .args(["-CAfile", "ca.pem", "-resp_text", "-timeout", "10"])
        .current_dir(dir)
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Asserts openssl verified the response and found `status` for `cert`.
pub fn assert_status(text: &str, cert: &str, status: &str) {
    assert!(text.contains("Response verify OK"), "{cert}: {text}");
    assert!(
        text.contains(&format!("{cert}: {status}")),
        "{cert}: expected {status}: {text}"
    );
}

/// Asserts openssl found `cert` revoked for keyCompromise.
pub fn assert_key_compromise(text: &str, cert: &str) {
    assert_status(text, cert, "revoked");
    assert!(text.contains("Reason: keyCompromise"), "{cert}: {text}");
}

/// The flags that make `ocspserve` sign live with the delegated responder.
pub const LIVE_SIGNER: [&str; 6] = [
    "-ca",
    "ca.pem",
    "-responder",
    "ocsp.pem",
    "-responder-key",
    "ocsp-key.pem",
];

/// One raw HTTP/1.1 exchange (for the caching headers): the status line
/// and headers, lower-cased names, and the body.
pub fn http(port: u16, request: &[u8]) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response");
    let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
    (head, response[split + 4..].to_vec())
}

/// The path of a file in `dir`.
pub fn at(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}
