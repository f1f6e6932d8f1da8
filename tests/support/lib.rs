//! What the integration tests share (each binary is `tests/NAME/main.rs`):
//! the binary under test and the "CA in a directory" most tests start
//! from (here), working directories (`dir`, `workspace`), certificate
//! chains (`chain`, `self_issued`), servers and databases (`serve`,
//! `postgres`, `revocation`), a SoftHSM2 token (`softhsm`), scripts run
//! against cfssl (`scripts`), and
//! the reference checks (`certfields`, `pkilint`, `limbo`). A helper that
//! one module alone needs stays in that module.
//!
//! If you're adding a helper that two test modules need, it goes here.

pub mod certfields;
pub mod chain;
pub mod dir;
pub mod limbo;
pub mod mariadb;
pub mod pkilint;
pub mod postgres;
pub mod revocation;
pub mod scripts;
pub mod self_issued;
pub mod serve;
pub mod softhsm;
pub mod workspace;

pub use dir::{field, Dir};

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The certkit binary under test. Cargo builds it for the root package's
/// integration tests and names it in `CARGO_BIN_EXE_certkit` when it runs
/// them; a test binary run by hand finds it beside its own directory
/// (target/debug/certkit), which is what assert_cmd falls back to.
pub fn certkit() -> PathBuf {
    assert_cmd::cargo::cargo_bin("certkit")
}

/// certkit linked dynamically, as `CERTKIT_STATIC=0 cargo install`
/// builds it: the binary that can load PKCS#11 modules, which a static
/// certkit refuses to (README "CA keys in a token"). Built once, in
/// target/dynamic (scripts/test builds it before the tests; a test run by
/// hand builds it on first use).
pub fn certkit_dynamic() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            let target = root.join("target/dynamic");
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let out = Command::new(cargo)
                .current_dir(&root)
                .env("CERTKIT_STATIC", "0")
                .args([
                    "build",
                    "--locked",
                    "--quiet",
                    "--bin",
                    "certkit",
                    "--target-dir",
                ])
                .arg(&target)
                .output()
                .expect("cargo runs");
            assert!(
                out.status.success(),
                "building the dynamically linked certkit failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let bin = target.join("debug/certkit");
            let version = Command::new(&bin).arg("version").output().unwrap();
            assert!(
                String::from_utf8_lossy(&version.stdout).contains("Linked: dynamic"),
                "{} should be linked dynamically",
                bin.display()
            );
            bin
        })
        .clone()
}

/// certkit as a command to build on (assert_cmd, so `.assert()` and
/// `.write_stdin()` work).
pub fn cmd() -> assert_cmd::Command {
    assert_cmd::Command::new(certkit())
}

/// certkit run in `dir`, without the CA key password of whoever runs
/// the tests (CFSSL_CA_PK_PASSWORD would change what the key commands do).
pub fn cmd_in(dir: &Path) -> assert_cmd::Command {
    let mut cmd = cmd();
    cmd.current_dir(dir).env_remove("CFSSL_CA_PK_PASSWORD");
    cmd
}

/// `certkit ARGS | certkit json -bare NAME` in `dir`, `stdin` fed to the
/// first; both must succeed.
pub fn to_files(dir: &Path, args: &[&str], stdin: &[u8], name: &str) {
    let out = cmd_in(dir).args(args).write_stdin(stdin).assert().success();
    let json = out.get_output().stdout.clone();
    cmd_in(dir)
        .args(["json", "-bare", name])
        .write_stdin(json)
        .assert()
        .success();
}

/// The CA in a directory: `gencert -initca` of the JSON `request`, as
/// ca.pem and ca-key.pem in `dir` (and nothing else, so a test's listing
/// of `dir` holds only what it wrote).
pub fn ca_in(dir: &Path, request: &str) {
    let out = cmd_in(dir)
        .args(["gencert", "-initca", "-"])
        .write_stdin(request)
        .assert()
        .success();
    let json = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    std::fs::write(dir.join("ca.pem"), field(&json, "cert")).unwrap();
    std::fs::write(dir.join("ca-key.pem"), field(&json, "key")).unwrap();
}

/// The repository's root.
pub fn repo() -> PathBuf {
    // This crate is tests/support.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf()
}

/// The repository's fixtures directory.
pub fn fixtures() -> PathBuf {
    repo().join("fixtures")
}

/// A fixture's path as a string, for command lines.
pub fn fixture(rel: &str) -> String {
    fixtures().join(rel).to_string_lossy().into_owned()
}

/// A port nothing listens on right now, for servers that cannot take 0.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
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
