//! `certkit cluster init` and `cluster renew` as administrators run them:
//! the layout checked certificate by certificate against the Kubernetes
//! "PKI certificates and requirements" table, chains checked with
//! `openssl verify`, an mTLS handshake with `openssl s_server`/`s_client`,
//! and runs that fail leaving no output behind.

use predicates::str::contains;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::IpAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use support::cmd;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{parse_x509_certificate, X509Certificate};

const ECDSA_SPEC: &str = r#"{
  "cluster_name": "test",
  "cluster_domain": "cluster.test",
  "service_ip": "10.32.0.1",
  "nodes": [{"name": "cp-1", "ip": "192.0.2.11"}, {"name": "cp-2", "ip": "192.0.2.12"}],
  "load_balancers": ["lb.example.com"],
  "key": "ecdsa-p256",
  "keys": {"etcd/ca": "ecdsa-p384"},
  "ca_expiry": "48h",
  "leaf_expiry": "24h"
}"#;

fn init(spec: &str, out: &Path) -> assert_cmd::assert::Assert {
    cmd()
        .args(["cluster", "init", "-config", "-", "--out"])
        .arg(out)
        .write_stdin(spec)
        .assert()
}

/// What the requirements table says about one certificate.
struct Expected {
    name: &'static str,
    cn: &'static str,
    o: &'static [&'static str],
    sans: &'static [&'static str],
    key_usage: &'static [&'static str],
    ext_key_usage: &'static [&'static str],
    issuer_cn: &'static str,
    ca: bool,
}

const API_SANS: &[&str] = &[
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.test",
    "cp-1",
    "cp-2",
    "lb.example.com",
    "10.32.0.1",
    "192.0.2.11",
    "192.0.2.12",
];
const ETCD_SANS: &[&str] = &[
    "cp-1",
    "cp-2",
    "localhost",
    "192.0.2.11",
    "192.0.2.12",
    "127.0.0.1",
    "::1",
];

fn expected(rsa: bool) -> Vec<Expected> {
    let (ca_ku, leaf_ku): (&[&str], &[&str]) = if rsa {
        (
            &["digitalSignature", "keyEncipherment", "keyCertSign"],
            &["digitalSignature", "keyEncipherment"],
        )
    } else {
        (&["digitalSignature", "keyCertSign"], &["digitalSignature"])
    };
    let ca = |name, cn| Expected {
        name,
        cn,
        o: &[],
        sans: &[],
        key_usage: ca_ku,
        ext_key_usage: &[],
        issuer_cn: cn,
        ca: true,
    };
    let leaf = |name, cn, sans, eku, issuer_cn| Expected {
        name,
        cn,
        o: &[],
        sans,
        key_usage: leaf_ku,
        ext_key_usage: eku,
        issuer_cn,
        ca: false,
    };
    let mut kubelet_client = leaf(
        "apiserver-kubelet-client",
        "kube-apiserver-kubelet-client",
        &[],
        &["clientAuth"],
        "kubernetes",
    );
    kubelet_client.o = &["system:masters"];
    vec![
        ca("ca", "kubernetes"),
        ca("front-proxy-ca", "front-proxy-ca"),
        ca("etcd/ca", "etcd-ca"),
        leaf(
            "apiserver",
            "kube-apiserver",
            API_SANS,
            &["serverAuth"],
            "kubernetes",
        ),
        kubelet_client,
        leaf(
            "front-proxy-client",
            "front-proxy-client",
            &[],
            &["clientAuth"],
            "front-proxy-ca",
        ),
        leaf(
            "etcd/server",
            "kube-etcd",
            ETCD_SANS,
            &["serverAuth", "clientAuth"],
            "etcd-ca",
        ),
        leaf(
            "etcd/peer",
            "kube-etcd-peer",
            ETCD_SANS,
            &["serverAuth", "clientAuth"],
            "etcd-ca",
        ),
        leaf(
            "etcd/healthcheck-client",
            "kube-etcd-healthcheck-client",
            &[],
            &["clientAuth"],
            "etcd-ca",
        ),
        leaf(
            "apiserver-etcd-client",
            "kube-apiserver-etcd-client",
            &[],
            &["clientAuth"],
            "etcd-ca",
        ),
    ]
}

fn strings<'a>(
    it: impl Iterator<Item = &'a x509_parser::x509::AttributeTypeAndValue<'a>>,
) -> Vec<String> {
    it.map(|a| a.as_str().unwrap().to_string()).collect()
}

fn sans(cert: &X509Certificate) -> BTreeSet<String> {
    let Some(ext) = cert.subject_alternative_name().unwrap() else {
        return BTreeSet::new();
    };
    ext.value
        .general_names
        .iter()
        .map(|n| match n {
            GeneralName::DNSName(d) => d.to_string(),
            GeneralName::IPAddress(b) if b.len() == 4 => {
                IpAddr::from(<[u8; 4]>::try_from(*b).unwrap()).to_string()
            }
            GeneralName::IPAddress(b) => {
                IpAddr::from(<[u8; 16]>::try_from(*b).unwrap()).to_string()
            }
            other => panic!("unexpected SAN {other:?}"),
        })
        .collect()
}

fn key_usage(cert: &X509Certificate) -> Vec<&'static str> {
    let ku = cert.key_usage().unwrap().expect("KeyUsage present").value;
    let mut out = Vec::new();
    for (set, name) in [
        (ku.digital_signature(), "digitalSignature"),
        (ku.non_repudiation(), "nonRepudiation"),
        (ku.key_encipherment(), "keyEncipherment"),
        (ku.data_encipherment(), "dataEncipherment"),
        (ku.key_agreement(), "keyAgreement"),
        (ku.key_cert_sign(), "keyCertSign"),
        (ku.crl_sign(), "cRLSign"),
    ] {
        if set {
            out.push(name);
        }
    }
    out
}

fn ext_key_usage(cert: &X509Certificate) -> Vec<&'static str> {
    let Some(eku) = cert.extended_key_usage().unwrap() else {
        return Vec::new();
    };
    assert!(
        eku.value.other.is_empty() && !eku.value.any,
        "unexpected EKUs"
    );
    let mut out = Vec::new();
    if eku.value.server_auth {
        out.push("serverAuth");
    }
    if eku.value.client_auth {
        out.push("clientAuth");
    }
    out
}

fn check_layout(out: &Path, rsa: bool) {
    for want in expected(rsa) {
        let pem_bytes = std::fs::read(out.join(format!("{}.crt", want.name))).unwrap();
        let der = pem::parse(&pem_bytes).unwrap().into_contents();
        let (_, cert) = parse_x509_certificate(&der).unwrap();
        let name = want.name;
        assert_eq!(
            strings(cert.subject().iter_common_name()),
            [want.cn],
            "{name} CN"
        );
        assert_eq!(
            strings(cert.subject().iter_organization()),
            want.o,
            "{name} O"
        );
        assert_eq!(
            strings(cert.issuer().iter_common_name()),
            [want.issuer_cn],
            "{name} issuer"
        );
        let want_sans: BTreeSet<String> = want.sans.iter().map(|s| s.to_string()).collect();
        assert_eq!(sans(&cert), want_sans, "{name} SANs");
        assert_eq!(key_usage(&cert), want.key_usage, "{name} KeyUsage");
        assert_eq!(ext_key_usage(&cert), want.ext_key_usage, "{name} EKU");
        let bc = cert
            .basic_constraints()
            .unwrap()
            .expect("BasicConstraints present")
            .value;
        assert_eq!(bc.ca, want.ca, "{name} CA flag");
        let key_mode = std::fs::metadata(out.join(format!("{name}.key")))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(key_mode & 0o777, 0o600, "{name}.key mode");
    }
}

fn openssl_verify(out: &Path, ca: &str, cert: &str) -> bool {
    std::process::Command::new("openssl")
        .current_dir(out)
        .args([
            "verify",
            "-x509_strict",
            "-CAfile",
            &format!("{ca}.crt"),
            &format!("{cert}.crt"),
        ])
        .output()
        .expect("openssl must be installed")
        .status
        .success()
}

fn check_chains(out: &Path) {
    for want in expected(false) {
        let ca = match want.issuer_cn {
            "kubernetes" => "ca",
            "front-proxy-ca" => "front-proxy-ca",
            _ => "etcd/ca",
        };
        assert!(
            openssl_verify(out, ca, want.name),
            "{} does not verify against {ca}",
            want.name
        );
    }
    assert!(
        !openssl_verify(out, "ca", "etcd/server"),
        "etcd/server must not verify against the Kubernetes CA"
    );
    assert!(!openssl_verify(out, "ca", "front-proxy-client"));
}

#[test]
fn ecdsa_layout_matches_the_requirements_and_chains_verify() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pki");
    init(ECDSA_SPEC, &out).success();
    check_layout(&out, false);
    check_chains(&out);
    let etcd_ca = std::fs::read_to_string(out.join("etcd/ca.key")).unwrap();
    let described = std::process::Command::new("openssl")
        .args(["pkey", "-noout", "-text", "-in"])
        .arg(out.join("etcd/ca.key"))
        .output()
        .unwrap();
    assert!(etcd_ca.starts_with("-----BEGIN EC PRIVATE KEY-----"));
    assert!(
        String::from_utf8_lossy(&described.stdout).contains("secp384r1"),
        "etcd/ca key should be P-384"
    );
}

#[test]
fn rsa_2048_layout_with_service_account_keys() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pki");
    let spec = ECDSA_SPEC
        .replace(r#""key": "ecdsa-p256","#, "")
        .replace(r#""etcd/ca": "ecdsa-p384""#, "");
    init(&spec, &out).success();
    check_layout(&out, true);
    check_chains(&out);
    let sa_pub = std::fs::read_to_string(out.join("sa.pub")).unwrap();
    assert!(sa_pub.starts_with("-----BEGIN PUBLIC KEY-----"), "{sa_pub}");
    assert!(std::fs::read_to_string(out.join("sa.key"))
        .unwrap()
        .starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    let derived = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(out.join("sa.key"))
        .output()
        .unwrap();
    assert!(derived.status.success());
    assert_eq!(
        String::from_utf8(derived.stdout).unwrap(),
        sa_pub,
        "sa.pub is sa.key's public half"
    );
    assert_eq!(
        std::fs::metadata(out.join("sa.key"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
}

/// An `openssl s_server` that is always killed.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_etcd_server(out: &Path) -> (Server, u16) {
    let port = free_port();
    let mut child = std::process::Command::new("openssl")
        .current_dir(out)
        .args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-tls1_2",
        ])
        .args([
            "-cert",
            "etcd/server.crt",
            "-key",
            "etcd/server.key",
            "-CAfile",
            "etcd/ca.crt",
        ])
        .args(["-Verify", "1", "-verify_return_error"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl must be installed");
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("ACCEPT") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("s_server did not start listening");
    (server, port)
}

fn handshake(out: &Path, port: u16, client: &str, trust: &str) -> bool {
    std::process::Command::new("timeout")
        .current_dir(out)
        .args([
            "20",
            "openssl",
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-tls1_2",
        ])
        .args([
            "-cert",
            &format!("{client}.crt"),
            "-key",
            &format!("{client}.key"),
        ])
        .args([
            "-CAfile",
            trust,
            "-verify_return_error",
            "-verify_ip",
            "127.0.0.1",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("timeout and openssl must be installed")
        .status
        .success()
}

#[test]
fn mtls_between_apiserver_etcd_client_and_etcd_server() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pki");
    init(ECDSA_SPEC, &out).success();
    let (_server, port) = start_etcd_server(&out);
    assert!(
        handshake(&out, port, "apiserver-etcd-client", "etcd/ca.crt"),
        "the etcd client must be accepted"
    );
    assert!(
        !handshake(&out, port, "apiserver-kubelet-client", "etcd/ca.crt"),
        "a client from the Kubernetes CA must be refused by etcd"
    );
    assert!(
        !handshake(&out, port, "apiserver-etcd-client", "ca.crt"),
        "etcd's server certificate must not verify against the Kubernetes CA"
    );
}

fn dir_entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn bad_node_ip_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pki");
    let spec = ECDSA_SPEC.replace("192.0.2.12", "192.0.2.300");
    init(&spec, &out)
        .failure()
        .code(1)
        .stderr(contains("nodes[1].ip"));
    assert!(dir_entries(dir.path()).is_empty());
}

#[test]
fn failure_halfway_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pki");
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "x").unwrap();
    // The cfssl inputs are written after the whole PKI is staged; failing
    // there must remove the staged tree too.
    cmd()
        .args(["cluster", "init", "-config", "-", "--out"])
        .arg(&out)
        .arg("--cfssl-out")
        .arg(blocker.join("cfssl"))
        .write_stdin(ECDSA_SPEC)
        .assert()
        .failure()
        .code(1)
        .stderr(contains("not-a-dir"));
    assert_eq!(dir_entries(dir.path()), ["not-a-dir"]);
    // An output directory that cannot be created at all.
    init(ECDSA_SPEC, &blocker.join("pki")).failure().code(1);
    assert_eq!(dir_entries(dir.path()), ["not-a-dir"]);
}

#[test]
fn existing_directory_needs_force_and_reuse_ca_keeps_the_cas() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pki");
    init(ECDSA_SPEC, &out).success();
    let read = |p: &str| std::fs::read(out.join(p)).unwrap();
    let (ca, etcd_ca, leaf, sa) = (
        read("ca.crt"),
        read("etcd/ca.key"),
        read("apiserver.crt"),
        read("sa.key"),
    );
    init(ECDSA_SPEC, &out)
        .failure()
        .code(1)
        .stderr(contains("--force"));
    assert_eq!(
        read("apiserver.crt"),
        leaf,
        "a refused run must not touch the directory"
    );

    cmd()
        .args(["cluster", "init", "-config", "-", "--reuse-ca", "--out"])
        .arg(&out)
        .write_stdin(ECDSA_SPEC)
        .assert()
        .success()
        .stderr(contains("reused CAs"));
    assert_eq!(read("ca.crt"), ca);
    assert_eq!(read("etcd/ca.key"), etcd_ca);
    assert_eq!(
        read("sa.key"),
        sa,
        "the service-account key survives --reuse-ca"
    );
    assert_ne!(read("apiserver.crt"), leaf);
    check_chains(&out);

    cmd()
        .args(["cluster", "init", "-config", "-", "--force", "--out"])
        .arg(&out)
        .write_stdin(ECDSA_SPEC)
        .assert()
        .success();
    assert_ne!(read("ca.crt"), ca, "--force makes new CAs");
    assert_eq!(
        dir_entries(dir.path()),
        ["pki"],
        "no staging directories left behind"
    );
}

#[test]
fn cfssl_out_makes_the_same_set_with_real_cfssl() {
    let dir = tempfile::tempdir().unwrap();
    let cfssl_dir = dir.path().join("cfssl");
    cmd()
        .args(["cluster", "init", "-config", "-", "--out"])
        .arg(dir.path().join("pki"))
        .arg("--cfssl-out")
        .arg(&cfssl_dir)
        .write_stdin(ECDSA_SPEC)
        .assert()
        .success();
    let run = std::process::Command::new("sh")
        .arg(cfssl_dir.join("gencert.sh"))
        .output()
        .expect("sh must be installed");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        run.stderr.windows(6).any(|w| w == b"[INFO]"),
        "gencert.sh must have run cfssl"
    );
    let verify = std::process::Command::new("openssl")
        .current_dir(&cfssl_dir)
        .args([
            "verify",
            "-CAfile",
            "etcd-ca.pem",
            "etcd-server.pem",
            "apiserver-etcd-client.pem",
        ])
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn cluster_renew_extends_leaves_and_keeps_keys() {
    let dir = tempfile::tempdir().unwrap();
    let out: PathBuf = dir.path().join("pki");
    init(ECDSA_SPEC, &out).success();
    let before = std::fs::read(out.join("apiserver.crt")).unwrap();
    let key_before = std::fs::read(out.join("apiserver.key")).unwrap();
    cmd()
        .args(["cluster", "renew", "apiserver", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_ne!(std::fs::read(out.join("apiserver.crt")).unwrap(), before);
    assert_eq!(
        std::fs::read(out.join("apiserver.crt.bak")).unwrap(),
        before
    );
    assert_eq!(
        std::fs::read(out.join("apiserver.key")).unwrap(),
        key_before
    );
    check_layout(&out, false);
    check_chains(&out);

    // A new key for one leaf: the key changes, still matches, old one kept.
    let peer_key = std::fs::read(out.join("etcd/peer.key")).unwrap();
    cmd()
        .args(["cluster", "renew", "etcd/peer", "--new-key", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_ne!(std::fs::read(out.join("etcd/peer.key")).unwrap(), peer_key);
    assert_eq!(
        std::fs::read(out.join("etcd/peer.key.bak")).unwrap(),
        peer_key
    );
    let pubkey = |args: &[&str]| {
        std::process::Command::new("openssl")
            .current_dir(&out)
            .args(args)
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(
        pubkey(&["x509", "-noout", "-pubkey", "-in", "etcd/peer.crt"]),
        pubkey(&["pkey", "-pubout", "-in", "etcd/peer.key"]),
        "the new etcd/peer key matches its certificate"
    );
    assert!(openssl_verify(&out, "etcd/ca", "etcd/peer"));
    cmd()
        .args(["cluster", "renew", "kubelet", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .code(1)
        .stderr(contains("\"kubelet\""));
}

#[test]
fn print_defaults_is_a_spec_init_accepts() {
    let example = cmd().args(["cluster", "print-defaults"]).assert().success();
    let text = String::from_utf8(example.get_output().stdout.clone()).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["nodes"].as_array().unwrap().len(), 3);
    let dir = tempfile::tempdir().unwrap();
    let spec = text.replace(r#""key": "rsa-2048""#, r#""key": "ecdsa-p256""#);
    init(&spec, &dir.path().join("pki")).success();
}
