//! Helpers shared by the integration tests: the certkit binary, symlinks
//! as cfssl/cfssljson, and the reference tools the interop tests call.
#![allow(dead_code)]

pub mod dir;
pub mod scripts;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The certkit binary under test.
pub fn certkit() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_certkit"))
}

/// The repository's fixtures directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A fixture's path as a string, for command lines.
pub fn fixture(rel: &str) -> String {
    fixtures().join(rel).to_string_lossy().into_owned()
}

/// A directory holding `cfssl` and `cfssljson` symlinks to certkit, to put
/// first on PATH so command lines run literally as users type them.
pub fn symlink_bin(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for name in ["cfssl", "cfssljson", "certkit"] {
        std::os::unix::fs::symlink(certkit(), bin.join(name)).unwrap();
    }
    bin
}

/// The path of a reference tool; the interop tests fail, not skip, when it
/// is missing (scripts/test installs them).
pub fn require_tool(name: &str) -> PathBuf {
    for dir in std::env::var("PATH").unwrap_or_default().split(':') {
        let p = Path::new(dir).join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!("{name} is not installed; run scripts/test, which installs it");
}

/// Debian's cfssl 1.2.0, never our symlink.
pub fn real_cfssl() -> PathBuf {
    let p = PathBuf::from("/usr/bin/cfssl");
    assert!(
        p.is_file(),
        "Debian's cfssl is not installed; run scripts/test (apt-get install golang-cfssl)"
    );
    p
}

/// Debian's cfssljson.
pub fn real_cfssljson() -> PathBuf {
    let p = PathBuf::from("/usr/bin/cfssljson");
    assert!(
        p.is_file(),
        "Debian's cfssljson is not installed; run scripts/test (apt-get install golang-cfssl)"
    );
    p
}

/// Runs a shell script in `dir` with the symlinks first on PATH.
pub fn sh(dir: &Path, script: &str) -> Output {
    let bin = dir.join("bin");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .arg("-euo")
        .arg("pipefail")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("PATH", path)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Asserts a command output succeeded, showing its stderr when not.
pub fn assert_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a program with arguments in `dir` and stdin from `input`.
pub fn run(dir: &Path, program: &Path, args: &[&str], input: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(data) = input {
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(data).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// `openssl x509 -text` of a certificate file.
pub fn x509_text(dir: &Path, file: &str) -> String {
    let out = run(
        dir,
        &require_tool("openssl"),
        &["x509", "-in", file, "-noout", "-text"],
        None,
    );
    assert_ok(&out, "openssl x509");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The files in a directory, sorted, excluding the `bin` symlink dir.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "bin")
        .collect();
    names.sort();
    names
}

/// The permission bits of a file.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
