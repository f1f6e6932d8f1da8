//! A hostile input for path building, made with openssl: a leaf issued
//! by `CN=Int`, and `n` self-issued `CN=Int` CA certificates sharing one
//! key (so each verifies every other), none of them issued by the root.
//! A naive search tries every order of the `n`; a bounded one answers
//! "no path" at once. Shared by tests/hardening/pathological.rs and the
//! path-building benchmark.

use std::path::{Path, PathBuf};
use std::process::Command;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Files in `dir`: `root.pem`, `ints.pem` (the `n` intermediates) and
/// `leaf.pem`; returns their paths in that order.
pub fn self_issued_same_key(dir: &Path, n: usize) -> (PathBuf, PathBuf, PathBuf) {
    let ca_ext = [
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ];
    for key in ["root.key", "int.key", "leaf.key"] {
        openssl(
            dir,
            &[
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-noout",
                "-out",
                key,
            ],
        );
    }
    let mut root = vec![
        "req", "-x509", "-new", "-key", "root.key", "-subj", "/CN=Root", "-days", "30", "-out",
        "root.pem",
    ];
    root.extend(ca_ext);
    openssl(dir, &root);
    let mut ints = String::new();
    for i in 1..=n {
        let (serial, out) = (format!("{}", 1000 + i), format!("int{i}.pem"));
        let mut args = vec![
            "req",
            "-x509",
            "-new",
            "-key",
            "int.key",
            "-subj",
            "/CN=Int",
            "-set_serial",
            &serial,
            "-days",
            "30",
            "-out",
            &out,
        ];
        args.extend(ca_ext);
        openssl(dir, &args);
        ints.push_str(&std::fs::read_to_string(dir.join(&out)).unwrap());
    }
    std::fs::write(dir.join("ints.pem"), ints).unwrap();
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=CA:FALSE\nsubjectAltName=DNS:leaf.example.com\nextendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-subj",
            "/CN=leaf.example.com",
            "-out",
            "leaf.csr",
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "int1.pem",
            "-CAkey",
            "int.key",
            "-set_serial",
            "7",
            "-days",
            "20",
            "-extfile",
            "leaf.ext",
            "-out",
            "leaf.pem",
        ],
    );
    (
        dir.join("root.pem"),
        dir.join("ints.pem"),
        dir.join("leaf.pem"),
    )
}
