//! Shared by the security tests: a working directory holding a good CA,
//! a CSR, bad fixtures and old outputs, and a snapshot to prove a failed
//! run changed nothing.

use certkit_core::csr::{self, VerifiedCsr};
use certkit_core::keys::{pem_encode, KeyPair};
use certkit_core::request::{CaConfig, KeySpec, Request};
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::OnceLock;

/// Relative path to (contents, mode) for every file and directory.
pub type Snapshot = BTreeMap<String, (Vec<u8>, u32)>;

/// The files every working directory starts with.
struct Material {
    ca_pem: String,
    ca_key_pem: String,
    other_key_pem: String,
    server_csr: String,
    tampered_csr: String,
}

fn material() -> &'static Material {
    static MATERIAL: OnceLock<Material> = OnceLock::new();
    MATERIAL.get_or_init(|| {
        let ca = certkit_core::issue::initca::new_ca(&Request {
            cn: "Matrix CA".into(),
            ..Default::default()
        })
        .unwrap();
        let server = Request {
            cn: "svc".into(),
            hosts: vec!["svc.example".into(), "10.0.0.1".into()],
            ..Default::default()
        };
        let key = KeyPair::generate(KeySpec::Ecdsa(256)).unwrap();
        let server_csr = csr::build(&server, &key).unwrap();
        let mut der = pem::parse(server_csr.as_bytes()).unwrap().into_contents();
        let at = der.windows(3).position(|w| w == b"svc").unwrap();
        der[at] = b'S';
        Material {
            ca_pem: ca.cert_pem,
            ca_key_pem: ca.key_pem.to_string(),
            other_key_pem: KeyPair::generate(KeySpec::Ecdsa(256))
                .unwrap()
                .to_pem()
                .unwrap()
                .to_string(),
            server_csr,
            tampered_csr: pem_encode("CERTIFICATE REQUEST", &der),
        }
    })
}

/// A CSR asking to be a CA (BasicConstraints CA:TRUE).
pub fn ca_request_csr() -> String {
    let req = Request {
        cn: "Sub CA".into(),
        ca: Some(CaConfig::default()),
        ..Default::default()
    };
    let key = KeyPair::generate(KeySpec::Ecdsa(256)).unwrap();
    let pem = csr::build(&req, &key).unwrap();
    assert!(VerifiedCsr::parse(pem.as_bytes(), "sub")
        .unwrap()
        .requested_ca()
        .unwrap()
        .is_some());
    pem
}

fn write(dir: &Path, name: &str, contents: &[u8], mode: u32) {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A fresh working directory: good CA, keys and CSRs, the bad fixtures,
/// and old outputs (`out.pem`, `out-key.pem`, `out.csr`) that a failed run
/// must leave alone.
pub fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let m = material();
    write(
        d,
        "req.json",
        br#"{"CN":"svc","hosts":["svc.example","10.0.0.1"]}"#,
        0o644,
    );
    let config =
        std::fs::read(crate::fixtures().join("workflow/server-signing-config.json")).unwrap();
    write(d, "config.json", &config, 0o644);
    write(d, "ca.pem", m.ca_pem.as_bytes(), 0o644);
    write(d, "ca-key.pem", m.ca_key_pem.as_bytes(), 0o600);
    write(d, "other-key.pem", m.other_key_pem.as_bytes(), 0o600);
    write(d, "server.csr", m.server_csr.as_bytes(), 0o644);
    write(d, "tampered.csr", m.tampered_csr.as_bytes(), 0o644);
    for entry in std::fs::read_dir(crate::fixtures().join("bad_input")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        let mode = if name.ends_with("-key.pem") {
            0o600
        } else {
            0o644
        };
        write(d, &name, &std::fs::read(entry.path()).unwrap(), mode);
    }
    write(d, "out.pem", b"old certificate\n", 0o644);
    write(d, "out-key.pem", b"old key\n", 0o600);
    write(d, "out.csr", b"old csr\n", 0o644);
    dir
}

/// cfssl JSON holding a real certificate and key (the CA's), as
/// `certkit json` checks each PEM before writing it.
pub fn cert_and_key_json() -> Vec<u8> {
    let m = material();
    serde_json::json!({"cert": m.ca_pem, "key": m.ca_key_pem})
        .to_string()
        .into_bytes()
}

/// The CA key of [`cert_and_key_json`].
pub fn ca_key_pem() -> String {
    material().ca_key_pem.clone()
}

/// Every file and directory under `dir`, with contents and mode.
pub fn snapshot(dir: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    walk(dir, dir, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut Snapshot) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mode = meta.permissions().mode() & 0o7777;
        if meta.is_dir() {
            out.insert(rel, (Vec::new(), mode));
            walk(root, &path, out);
        } else {
            out.insert(rel, (std::fs::read(&path).unwrap(), mode));
        }
    }
}

/// Fails when `text` holds any base64 line of any private key file in
/// `dir`, or a PEM private key header.
pub fn assert_no_key_material(dir: &Path, text: &str) -> Result<(), String> {
    if text.contains("PRIVATE KEY-----") {
        return Err(format!("a private key header leaked: {text}"));
    }
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with("-key.pem") {
            continue;
        }
        let key = std::fs::read_to_string(&path).unwrap_or_default();
        for line in key
            .lines()
            .filter(|l| l.len() >= 16 && !l.starts_with("-----"))
        {
            if text.contains(line) {
                return Err(format!("{} leaked into the output", path.display()));
            }
        }
    }
    Ok(())
}
