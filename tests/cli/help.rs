//! Every command's `--help` teaches: a one-line purpose, every flag
//! described, an EXAMPLES section. And the examples are real: this test
//! takes them from the `--help` output and runs each one with bash in a
//! temporary directory, with `cfssl`/`cfssljson` symlinked to certkit and a
//! stand-in `kubectl` that returns a CSR as the API would.
//!
//! And the checked-in man pages and completions are what the clap
//! definitions generate today (`cargo run --example gen-docs` fixes them).

use std::collections::BTreeSet;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/workflow");

/// A signing config with a default and a `server` profile.
const SIGNING_JSON: &str = r#"{"signing": {
  "default": {"usages": ["digital signature", "key encipherment", "server auth"], "expiry": "8760h"},
  "profiles": {"server": {"usages": ["digital signature", "key encipherment", "server auth"], "expiry": "8760h"}}
}}"#;

/// Stands in for kubectl: one CertificateSigningRequest, approved, whose
/// spec.request is the current server.csr until a `replace` stores the
/// object sent back.
const FAKE_KUBECTL: &str = r#"#!/bin/sh
set -e
object() {
  if [ -s .kube-csr.json ]; then cat .kube-csr.json; else
    sed "s|@REQUEST@|$(base64 < server.csr | tr -d '\n')|" "$FIXTURES/csr-object.json.in"
  fi
}
case "$*" in
  'get csr '*' -o jsonpath={.spec.request}') base64 < server.csr | tr -d '\n' ;;
  'get csr -o yaml'|'get csr -o json') printf '{"apiVersion":"v1","kind":"List","items":[%s]}\n' "$(object)" ;;
  'get csr '*' -o json'|'get csr '*' -o yaml') object ;;
  'apply -f -') cat > .kube-applied; [ -s .kube-applied ]; echo "certificatesigningrequest created" ;;
  'certificate approve '*) echo "certificatesigningrequest approved" ;;
  'replace -f - --raw '*) cat > .kube-csr.tmp; [ -s .kube-csr.tmp ]; mv .kube-csr.tmp .kube-csr.json ;;
  *) echo "fake kubectl: unsupported: $*" >&2; exit 1 ;;
esac
"#;

/// Sets up the working directory the examples assume.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let certkit = support::certkit();
    for name in ["certkit", "cfssl", "cfssljson"] {
        symlink(&certkit, bin.join(name)).unwrap();
    }
    let kubectl = bin.join("kubectl");
    std::fs::write(&kubectl, FAKE_KUBECTL).unwrap();
    std::fs::set_permissions(&kubectl, std::fs::Permissions::from_mode(0o755)).unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    for (from, to) in [
        ("server-csr.json", "server.json"),
        ("server-csr.json", "server-csr.json"),
        ("ca-csr.json", "ca-csr.json"),
        ("server-signing-config.json", "server-signing-config.json"),
    ] {
        std::fs::copy(Path::new(FIXTURES).join(from), work.join(to)).unwrap();
    }
    std::fs::write(work.join("signing.json"), SIGNING_JSON).unwrap();
    std::fs::write(
        work.join("subject.json"),
        r#"{"CN": "svc", "names": [{"O": "ops"}]}"#,
    )
    .unwrap();
    // A legacy device's CSR, signed with SHA-1.
    let legacy = Command::new("openssl")
        .args(["req", "-new", "-newkey", "rsa:2048", "-nodes"])
        .args([
            "-keyout",
            "legacy-key.pem",
            "-subj",
            "/CN=legacy-device",
            "-sha1",
            "-out",
            "legacy.csr",
        ])
        .current_dir(&work)
        .output()
        .unwrap();
    assert!(
        legacy.status.success(),
        "{}",
        String::from_utf8_lossy(&legacy.stderr)
    );
    // A kubelet's serving request, for the kubelet-serving example.
    std::fs::write(
        work.join("node-1.json"),
        r#"{"CN":"system:node:node-1","names":[{"O":"system:nodes"}],"hosts":["node-1"]}"#,
    )
    .unwrap();
    let node = Command::new("bash")
        .args(["-o", "pipefail", "-ec"])
        .arg(format!(
            "{certkit} genkey node-1.json | {certkit} json -bare node-1",
            certkit = certkit.display()
        ))
        .current_dir(&work)
        .output()
        .unwrap();
    assert!(node.status.success());
    for pass in ["key.pass", "ca.pass", "p12.pass"] {
        std::fs::write(work.join(pass), format!("secret-{pass}\n")).unwrap();
    }
    // cfssljson's input without -bare: the API envelope around initca's output.
    let initca = Command::new(certkit)
        .args(["initca", "ca-csr.json"])
        .current_dir(&work)
        .output()
        .unwrap();
    assert!(initca.status.success());
    let result = String::from_utf8(initca.stdout).unwrap();
    let envelope = format!(r#"{{"success":true,"result":{result},"errors":[],"messages":[]}}"#);
    std::fs::write(work.join("response.json"), envelope).unwrap();
    (dir, work)
}

/// The command lines of a help text's EXAMPLES section: lines indented
/// four or more spaces, with backslash continuations kept together.
fn examples(help: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_examples = false;
    let mut continued = false;
    for line in help.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            in_examples = line == "EXAMPLES:";
            continue;
        }
        if !in_examples {
            continue;
        }
        match out.last_mut() {
            Some(last) if continued => {
                last.push('\n');
                last.push_str(line);
            }
            _ if line.starts_with("    ") => out.push(line.trim_start().to_string()),
            _ => {}
        }
        continued = line.ends_with('\\');
    }
    out
}

fn help_of(args: &[&str]) -> String {
    let out = Command::new(support::certkit())
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?} --help failed");
    String::from_utf8(out.stdout).unwrap()
}

fn run_example(work: &Path, path: &str, example: &str) {
    let out = Command::new("bash")
        .args(["-o", "pipefail", "-ec", example])
        .current_dir(work)
        .env("PATH", path)
        .env_remove("CFSSL_CA_PK_PASSWORD")
        .env("FIXTURES", FIXTURES)
        .output()
        .expect("bash must be installed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "example failed:\n{example}\n{stderr}");
    assert!(
        !stderr.contains("[ERROR]"),
        "example logged an error:\n{example}\n{stderr}"
    );
}

#[test]
fn every_example_in_the_help_runs() {
    let (dir, work) = workspace();
    let path = format!(
        "{}:{}",
        dir.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Ordered so each example finds what earlier ones wrote.
    let commands: [&[&str]; 31] = [
        &["json"],
        &["genkey"],
        &["initca"],
        &["gencert"],
        &["sign"],
        &["key"],
        &["key", "convert"],
        &["pkcs12"],
        &["version"],
        &[],
        &["k8s", "request"],
        &["k8s"],
        &["k8s", "show"],
        // Signs the current server.csr again, for attach's certificate.
        &["sign"],
        &["k8s", "attach"],
        &["bundle"],
        &["verify"],
        &["certinfo"],
        &["print-defaults"],
        &["selfsign"],
        &["gencsr"],
        &["cluster"],
        &["cluster", "print-defaults"],
        &["cluster", "init"],
        &["cluster", "renew"],
        &["check-expiration"],
        &["renew"],
        &["batch"],
        &["gencrl"],
        &["ocspsign"],
        &["install-links"],
    ];
    for command in commands {
        let found = examples(&help_of(command));
        assert!(
            !found.is_empty(),
            "certkit {command:?} --help has no examples"
        );
        // Each command's examples start from a fresh, approved object.
        let _ = std::fs::remove_file(work.join(".kube-csr.json"));
        for example in found {
            run_example(&work, &path, &example);
        }
    }
    let read = |name: &str| {
        std::fs::read_to_string(work.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    assert!(read("server-pkcs8-key.pem").starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(read("server-encrypted-key.pem").starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
    assert!(read("ca-encrypted-key.pem").starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
    assert!(read("ca-key.plain.pem").starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    assert!(read("ca-signed-server.pem").starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert!(work.join("server.p12").exists() && work.join("server-env.p12").exists());
    let linked = std::fs::read_link(work.join("cfssl-bin/cfssljson")).unwrap();
    assert_eq!(linked, support::certkit().canonicalize().unwrap());
    let verify = Command::new("openssl")
        .args([
            "verify",
            "-CAfile",
            "ca-encrypted.pem",
            "server4.pem",
            "server2.pem",
        ])
        .current_dir(&work)
        .output()
        .expect("openssl must be installed");
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn example_extraction_joins_continuations() {
    let help = "Usage: x\n\nEXAMPLES:\n  Say it:\n    a | \\\n      b\n    c\n\nFILES:\n    not-an-example\n";
    assert_eq!(examples(help), ["a | \\\n      b", "c"]);
}

/// Every command, nested ones included, has a purpose line, help for
/// every flag and an EXAMPLES section.
#[test]
fn every_command_documents_itself() {
    fn check(cmd: &clap::Command, path: &str) {
        let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
        assert!(!about.trim().is_empty(), "{path}: no one-line purpose");
        let after = cmd
            .get_after_help()
            .map(|a| a.to_string())
            .unwrap_or_default();
        assert!(after.contains("EXAMPLES:"), "{path}: no EXAMPLES section");
        for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
            assert!(
                arg.get_help().is_some(),
                "{path}: flag {} has no description",
                arg.get_id()
            );
        }
        // clap's generated `help` subcommand is not ours to document.
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            check(sub, &format!("{path} {}", sub.get_name()));
        }
    }
    let mut cmd = certkit::command();
    cmd.build();
    check(&cmd, "certkit");
}

// The checked-in man pages and completions must be what the clap
// definitions generate today; `cargo run --example gen-docs` fixes this.

fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn man_pages_and_completions_are_current() {
    let fresh = tempfile::tempdir().unwrap();
    certkit::docs::write_all(fresh.path()).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let stale = "stale: run `cargo run --example gen-docs` and commit man/ and completions/";
    for dir in ["man", "completions"] {
        let want = listing(&fresh.path().join(dir));
        assert_eq!(
            listing(&repo.join(dir)),
            want,
            "{dir}/ file list is {stale}"
        );
        for name in want {
            let generated = std::fs::read(fresh.path().join(dir).join(&name)).unwrap();
            let checked_in = std::fs::read(repo.join(dir).join(&name)).unwrap();
            assert!(generated == checked_in, "{dir}/{name} is {stale}");
        }
    }
}

#[test]
fn completions_know_every_command() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bash = std::fs::read_to_string(repo.join("completions/certkit.bash")).unwrap();
    for command in [
        "genkey", "gencert", "initca", "sign", "json", "pkcs12", "key",
    ] {
        assert!(bash.contains(command), "bash completion lacks {command}");
    }
    assert!(bash.contains("--key-format"));
}
