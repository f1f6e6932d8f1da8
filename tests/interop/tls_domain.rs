//! `certinfo -domain` and `bundle -domain/-ip`: the chain a live TLS
//! server presents, read from `openssl s_server` on 127.0.0.1 (leaf and
//! intermediate made by Debian's cfssl), compared with what cfssl 1.2.0
//! and current cfssl print for the same server or the same files.

use serde_json::Value;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::scripts::*;

const CONFIG: &str = r#"{"signing":{"default":{"usages":["digital signature","server auth"],"expiry":"8760h"},"profiles":{"int":{"usages":["cert sign","crl sign"],"expiry":"8760h","ca_constraint":{"is_ca":true,"max_path_len":0,"max_path_len_zero":true}}}}}"#;

const MAKE_CHAIN: &str = "\
echo '{\"CN\":\"Probe Root\",\"key\":{\"algo\":\"ecdsa\",\"size\":256}}' > root.json
echo '{\"CN\":\"Probe Int\",\"key\":{\"algo\":\"ecdsa\",\"size\":256}}' > int.json
echo '{\"CN\":\"localhost\",\"key\":{\"algo\":\"ecdsa\",\"size\":256}}' > leaf.json
cfssl gencert -initca root.json | cfssljson -bare root
cfssl genkey int.json | cfssljson -bare int
cfssl sign -ca root.pem -ca-key root-key.pem -config cfg.json -profile int int.csr | cfssljson -bare int
cfssl gencert -ca int.pem -ca-key int-key.pem -config cfg.json -hostname localhost,127.0.0.1 leaf.json | cfssljson -bare leaf
";

/// `openssl s_server` serving leaf.pem with int.pem, stopped on drop.
struct TlsServer {
    child: Child,
    port: u16,
}

impl TlsServer {
    fn start(dir: &Path) -> TlsServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(support::require_tool("openssl"))
            .args(["s_server", "-accept", &format!("127.0.0.1:{port}")])
            .args([
                "-cert",
                "leaf.pem",
                "-key",
                "leaf-key.pem",
                "-cert_chain",
                "int.pem",
            ])
            .args(["-www", "-quiet"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = TlsServer { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "openssl s_server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chain_files() -> (tempfile::TempDir, Vec<(&'static str, Vec<u8>)>) {
    let made = run_script(
        &tools()[1],
        &[("cfg.json", CONFIG.as_bytes().to_vec())],
        MAKE_CHAIN,
    );
    assert!(made.ok(), "{}", made.stderr());
    let files = ["root.pem", "int.pem", "leaf.pem", "leaf-key.pem"]
        .into_iter()
        .map(|n| (n, made.read(n).into_bytes()))
        .collect();
    (made.dir, files)
}

#[test]
fn certinfo_domain_describes_the_served_certificate() {
    let (dir, files) = chain_files();
    let server = TlsServer::start(dir.path());
    let script = format!(
        "cfssl certinfo -domain 127.0.0.1:{} > out.json",
        server.port
    );
    let runs = same_outcome(&files, &script);
    let ours: Value = serde_json::from_str(&runs[0].read("out.json")).unwrap();
    for theirs in &runs[1..] {
        let reference: Value = serde_json::from_str(&theirs.read("out.json")).unwrap();
        for (key, value) in reference.as_object().unwrap() {
            // cfssl 1.2.0 drops the leading zero of key ID bytes ("0D" as "D").
            if key.ends_with("_key_id") && theirs.label == "cfssl 1.2.0" {
                continue;
            }
            assert_eq!(&ours[key], value, "{key} differs from {}", theirs.label);
        }
    }
    assert_eq!(ours["subject"]["common_name"], "localhost");
}

/// cfssl's `bundle -domain` always dials port 443, so the reference here
/// is cfssl bundling the same chain from files.
#[test]
fn bundle_domain_bundles_the_served_chain() {
    let (dir, files) = chain_files();
    let server = TlsServer::start(dir.path());
    let port = server.port;
    let certkit = &tools()[0];
    let ours = run_script(
        certkit,
        &files,
        &format!(
            "cfssl bundle -domain localhost:{port} -ip 127.0.0.1 -ca-bundle root.pem > ip.json\n\
             cfssl-bundle -domain 127.0.0.1:{port} -ca-bundle root.pem > direct.json\n\
             cfssl bundle -cert leaf.pem -int-bundle int.pem -ca-bundle root.pem > files.json"
        ),
    );
    assert!(ours.ok(), "{}", ours.stderr());
    let reference = run_script(
        &tools()[1],
        &files,
        "cfssl bundle -cert leaf.pem -int-bundle int.pem -ca-bundle root.pem > files.json",
    );
    let theirs: Value = serde_json::from_str(&reference.read("files.json")).unwrap();
    for out in ["ip.json", "direct.json", "files.json"] {
        let got: Value = serde_json::from_str(&ours.read(out)).unwrap();
        for key in ["bundle", "root", "crt", "subject", "hostnames"] {
            assert_eq!(got[key], theirs[key], "{out}: {key}");
        }
    }
    // A leaf not valid for the name is refused, as cfssl refuses it.
    let wrong = run_script(
        certkit,
        &files,
        &format!("cfssl bundle -domain wrong.example:{port} -ip 127.0.0.1 -ca-bundle root.pem"),
    );
    assert_eq!(wrong.out.status.code(), Some(1));
    wrong.assert_stderr("not valid for wrong.example");
}
