//! Shared by the serve tests: a working directory with a CA, TLS and
//! client certificates, signing configs; a `certkit serve` (or `cfssl
//! serve`) started on a free port and killed by PID on drop; curl.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const KEY: &str = "0123456789abcdef0123456789abcdef";

/// Debian's cfssl 1.2.0, or None with a SKIP line.
pub fn cfssl_1_2() -> Option<PathBuf> {
    let p = PathBuf::from("/usr/bin/cfssl");
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "SKIP: Debian's cfssl 1.2.0 is not installed (scripts/test installs golang-cfssl)"
        );
        None
    }
}

/// A script of `scripts/peers/` (CERTKIT_PEER_SCRIPTS overrides the directory).
pub fn peer_script(name: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("CERTKIT_PEER_SCRIPTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::repo().join("scripts/peers"));
    let p = dir.join(name);
    p.exists().then_some(p)
}

/// Starts a database peer, `scripts/peers/NAME start DIR EXTRA…`, in a
/// fresh directory under /tmp (short: unix sockets); its script and
/// directory, or None (SKIP printed) when it cannot start.
pub fn start_peer(name: &str, extra: &[&std::ffi::OsStr]) -> Option<(PathBuf, tempfile::TempDir)> {
    let Some(script) = peer_script(name) else {
        eprintln!("SKIP: scripts/peers/{name} is not there");
        return None;
    };
    let dir = tempfile::Builder::new()
        .prefix(&format!("ck{name}"))
        .tempdir_in("/tmp")
        .unwrap();
    let ok = Command::new(&script)
        .arg("start")
        .arg(dir.path())
        .args(extra)
        .stdout(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        eprintln!("SKIP: scripts/peers/{name} could not start");
        return None;
    }
    Some((script, dir))
}

/// Current cfssl's bin dir (built once by scripts/peers/cfssl-current), or None.
pub fn cfssl_current() -> Option<PathBuf> {
    let Some(script) = peer_script("cfssl-current") else {
        eprintln!("SKIP: scripts/peers/cfssl-current is not there");
        return None;
    };
    let out = Command::new(script)
        .arg("build")
        .stderr(Stdio::inherit())
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("SKIP: current cfssl could not be built (Go module proxy unreachable?)");
        return None;
    }
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    dir.join("cfssl").exists().then_some(dir)
}

/// Runs a command in `dir`, asserting success; returns stdout.
pub fn run(dir: &Path, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> String {
    let out = Command::new(program.as_ref())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{:?} {args:?} failed: {}{}",
        program.as_ref(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn write(dir: &Path, name: &str, contents: &str) {
    std::fs::write(dir.join(name), contents).unwrap();
}

pub fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A directory with: ca.pem/ca-key.pem, tls.pem (localhost, 127.0.0.1),
/// client-ok.pem and client-bad.pem (CN client-ok / client-bad), svc.csr,
/// req.json, server-config.json (default, server, authed with key1),
/// db.json (SQLite in the directory).
pub fn workdir() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        "ca-csr.json",
        r#"{"CN":"Serve Test CA","key":{"algo":"ecdsa","size":256},"names":[{"O":"certkit"}]}"#,
    );
    crate::to_files(dir, &["initca", "ca-csr.json"], b"", "ca");
    write(
        dir,
        "any-config.json",
        r#"{"signing":{"default":{"expiry":"8760h","usages":["signing","key encipherment","server auth","client auth"]}}}"#,
    );
    write(
        dir,
        "tls.json",
        r#"{"CN":"localhost","hosts":["localhost","127.0.0.1"],"key":{"algo":"ecdsa","size":256}}"#,
    );
    let ca = [
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        "any-config.json",
    ];
    crate::to_files(
        dir,
        &[&["gencert"][..], &ca, &["tls.json"]].concat(),
        b"",
        "tls",
    );
    for cn in ["client-ok", "client-bad"] {
        write(
            dir,
            "client.json",
            &format!(r#"{{"CN":"{cn}","key":{{"algo":"ecdsa","size":256}}}}"#),
        );
        crate::to_files(
            dir,
            &[&["gencert"][..], &ca, &["client.json"]].concat(),
            b"",
            cn,
        );
    }
    write(
        dir,
        "req.json",
        r#"{"CN":"svc.example.com","hosts":["svc.example.com","10.0.0.1"],"key":{"algo":"ecdsa","size":256}}"#,
    );
    crate::to_files(dir, &["genkey", "req.json"], b"", "svc");
    write(
        dir,
        "server-config.json",
        &format!(
            r#"{{"signing":{{"default":{{"expiry":"8760h","usages":["signing","key encipherment","server auth","client auth"]}},
"profiles":{{"server":{{"expiry":"720h","usages":["signing","key encipherment","server auth"]}},
"authed":{{"expiry":"168h","usages":["signing","key encipherment","client auth"],"auth_key":"key1"}}}}}},
"auth_keys":{{"key1":{{"type":"standard","key":"{KEY}"}}}}}}"#
        ),
    );
    write(
        dir,
        "db.json",
        &format!(
            r#"{{"driver":"sqlite3","data_source":"{}/certs.db"}}"#,
            dir.display()
        ),
    );
    tmp
}

/// The server flags of the work directory's shapes, one function each,
/// for `Server::certkit` and `Server::cfssl` alike.
///
/// `-ca ca.pem -ca-key ca-key.pem`: the work directory's CA, default policy.
pub fn ca_args() -> Vec<&'static str> {
    vec!["-ca", "ca.pem", "-ca-key", "ca-key.pem"]
}

/// [`ca_args`] with `-config server-config.json` (default, server, authed).
pub fn signing_args() -> Vec<&'static str> {
    [ca_args(), vec!["-config", "server-config.json"]].concat()
}

/// `-db-config db.json`: SQLite in the work directory.
pub const SQLITE_DB: [&str; 2] = ["-db-config", "db.json"];

/// [`signing_args`], recording into [`SQLITE_DB`].
pub fn recording_args() -> Vec<&'static str> {
    [signing_args(), SQLITE_DB.to_vec()].concat()
}

/// [`signing_args`] over TLS with tls.pem (localhost, 127.0.0.1).
pub fn tls_args() -> Vec<&'static str> {
    [
        signing_args(),
        vec!["-tls-cert", "tls.pem", "-tls-key", "tls-key.pem"],
    ]
    .concat()
}

/// [`tls_args`], requiring a client certificate from ca.pem whose CN is
/// `client-ok` (client-bad.pem is refused with 403).
pub fn mutual_tls_args() -> Vec<&'static str> {
    [
        tls_args(),
        vec!["-mutual-tls-ca", "ca.pem", "-mutual-tls-cn", "^client-ok$"],
    ]
    .concat()
}

/// The client's side of [`mutual_tls_args`] (certkit's and current
/// cfssl's `-remote` flags).
pub const MUTUAL_TLS_CLIENT: [&str; 6] = [
    "-tls-remote-ca",
    "ca.pem",
    "-mutual-tls-client-cert",
    "client-ok.pem",
    "-mutual-tls-client-key",
    "client-ok-key.pem",
];

/// A cfssl client config whose profiles sign through `remote` with key1.
pub fn client_config(dir: &Path, remote: &str) {
    let auth = r#"{"auth_remote":{"remote":"caserver","auth_key":"key1"}}"#;
    write(
        dir,
        "client-config.json",
        &format!(
            r#"{{"signing":{{"default":{auth},"profiles":{{"authed":{auth}}}}},
"auth_keys":{{"key1":{{"type":"standard","key":"{KEY}"}}}},"remotes":{{"caserver":"{remote}"}}}}"#
        ),
    );
}

/// A server process, killed (by PID) and reaped on drop.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT` or `https://…`.
    pub url: String,
    pub port: u16,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// `certkit serve ARGS -port 0`, waiting (bounded) for its listening line.
    pub fn certkit(dir: &Path, args: &[&str]) -> Server {
        let mut cmd = Command::new(crate::certkit());
        cmd.arg("serve").args(args).args(["-port", "0"]);
        Server::start(dir, cmd, "Now listening on ")
    }

    /// Any certkit personality that prints certkit's listening line.
    pub fn spawn(dir: &Path, cmd: Command) -> Server {
        Server::start(dir, cmd, "Now listening on ")
    }

    fn start(dir: &Path, mut cmd: Command, ready: &str) -> Server {
        let mut child = cmd
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = log.clone();
        let ready = ready.to_string();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find(&ready) {
                    let _ = tx.send(line[at + ready.len()..].trim().to_string());
                }
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let url = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("server did not start:\n{}", log.lock().unwrap());
            }
        };
        let port = url
            .rsplit(':')
            .next()
            .unwrap()
            .trim_end_matches('/')
            .parse()
            .unwrap();
        Server {
            child,
            url,
            port,
            log,
        }
    }

    /// `cfssl serve` (1.2.0 or current) on 127.0.0.1 and a free port.
    pub fn cfssl(dir: &Path, cfssl: &Path, args: &[&str]) -> Server {
        let port = crate::free_port();
        let mut cmd = Command::new(cfssl);
        cmd.arg("serve")
            .args(["-address", "127.0.0.1"])
            .args(args)
            .args(["-port", &port.to_string()]);
        let mut server = Server::start_polling(dir, cmd, port);
        server.port = port;
        server
    }

    /// Starts a server that prints no URL; polls until the port answers.
    fn start_polling(dir: &Path, mut cmd: Command, port: u16) -> Server {
        let child = cmd
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "server on port {port} did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
            port,
            log: Arc::new(Mutex::new(String::new())),
        }
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits (bounded) for a clean exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "server ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL, then reap.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What curl saw: status, Content-Type and body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

/// curl with extra args; `-w` appends the status and content type.
pub fn curl(dir: &Path, args: &[&str]) -> Answer {
    let out = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "20",
            "-w",
            "\n%{http_code} %{content_type}",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("curl must be installed");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (body, tail) = text.rsplit_once('\n').unwrap_or(("", &text));
    let (status, ct) = tail.split_once(' ').unwrap_or((tail, ""));
    Answer {
        status: status.parse().unwrap_or(0),
        content_type: ct.to_string(),
        body: body.to_string(),
    }
}

/// curl of `url` trusting ca.pem, with the client certificate `NAME.pem`
/// and key `NAME-key.pem` of the work directory.
pub fn curl_as(dir: &Path, name: &str, url: &str) -> Answer {
    let (cert, key) = (format!("{name}.pem"), format!("{name}-key.pem"));
    curl(
        dir,
        &["--cacert", "ca.pem", "--cert", &cert, "--key", &key, url],
    )
}

/// The JSON body of a sign request for the CSR in `svc.csr`.
pub fn sign_body(dir: &Path, extra: &str) -> String {
    let csr = serde_json::to_string(&read(dir, "svc.csr")).unwrap();
    format!(r#"{{"certificate_request":{csr}{extra}}}"#)
}

/// The decimal serial of a PEM certificate.
pub fn serial_of(pem_text: &str) -> String {
    let der = pem::parse(pem_text).unwrap().into_contents();
    certkit_core::chain::certs::Cert::from_der(&der)
        .unwrap()
        .serial_decimal()
}

/// An authsign body whose token is HMAC(key) over the inner request.
pub fn authsign_body(inner: &str, key_hex: &str) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &hex(key_hex));
    let token = aws_lc_rs::hmac::sign(&key, inner.as_bytes());
    format!(
        r#"{{"timestamp":1700000000,"token":"{}","request":"{}"}}"#,
        b64(token.as_ref()),
        b64(inner.as_bytes())
    )
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A POST of `body` (through a file) to `url`.
pub fn post(dir: &Path, url: &str, body: &str) -> Answer {
    write(dir, "body.json", body);
    curl(dir, &["-d", "@body.json", url])
}
