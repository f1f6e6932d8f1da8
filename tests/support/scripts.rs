//! Runs one shell script, literally as a user's script, against every
//! implementation at hand: certkit through `cfssl`/`cfssljson`/... symlinks,
//! Debian's cfssl 1.2.0, and current cfssl when `scripts/peers/cfssl-current
//! build` gives one (else a SKIP line says why).

use super::{certkit, listing, require_tool};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// One implementation: a label and the directory put first on PATH
/// (`None`: PATH as it is, i.e. Debian's /usr/bin/cfssl).
#[derive(Clone, Debug)]
pub struct Tool {
    pub label: &'static str,
    pub bin: Option<PathBuf>,
}

/// The names certkit answers to as cfssl tools, symlinked in tests.
pub const LINK_NAMES: &[&str] = &[
    "cfssl",
    "cfssljson",
    "cfssl-json",
    "cfssl-certinfo",
    "cfssl-bundle",
    "cfssl-newkey",
    "mkbundle",
    "cfssl-mkbundle",
];

/// What one run of a script left: exit status, output and the files in
/// its directory.
#[derive(Debug)]
pub struct Run {
    pub label: &'static str,
    pub dir: tempfile::TempDir,
    pub out: Output,
    pub files: Vec<String>,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    pub fn ok(&self) -> bool {
        self.out.status.success()
    }
    /// Asserts that stderr says `text` (a warning, say).
    pub fn assert_stderr(&self, text: &str) {
        let stderr = self.stderr();
        assert!(
            stderr.contains(text),
            "{}: no {text:?} in: {stderr}",
            self.label
        );
    }
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name))
            .unwrap_or_else(|e| panic!("{}: {name}: {e}", self.label))
    }
}

/// The bin directory of current cfssl, built once by the peers script,
/// or None (with the reason printed once) when it cannot be had.
pub fn current_cfssl() -> Option<PathBuf> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN.get_or_init(|| {
        let script = crate::repo().join("scripts/peers/cfssl-current");
        if !script.is_file() {
            eprintln!("SKIP current cfssl: {} is not there", script.display());
            return None;
        }
        let out = Command::new(&script)
            .arg("build")
            .stderr(Stdio::inherit())
            .output()
            .unwrap();
        let bin = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if !out.status.success() || !bin.join("cfssl").is_file() {
            eprintln!(
                "SKIP current cfssl: scripts/peers/cfssl-current build failed ({})",
                out.status
            );
            return None;
        }
        Some(bin)
    })
    .clone()
}

/// certkit (through symlinks), Debian's cfssl 1.2.0 and current cfssl
/// when at hand.
pub fn tools() -> Vec<Tool> {
    static LINKS: OnceLock<tempfile::TempDir> = OnceLock::new();
    let links = LINKS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        for name in LINK_NAMES.iter().chain(&["certkit"]) {
            std::os::unix::fs::symlink(certkit(), dir.path().join(name)).unwrap();
        }
        dir
    });
    let mut tools = vec![
        Tool {
            label: "certkit",
            bin: Some(links.path().to_path_buf()),
        },
        Tool {
            label: "cfssl 1.2.0",
            bin: None,
        },
    ];
    require_tool("cfssl");
    if let Some(bin) = current_cfssl() {
        tools.push(Tool {
            label: "cfssl current",
            bin: Some(bin),
        });
    }
    tools
}

/// Runs `script` with bash -eu -o pipefail in a fresh directory holding
/// `files` (name, contents), with `tool` first on PATH.
pub fn run_script(tool: &Tool, files: &[(&str, Vec<u8>)], script: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    for (name, contents) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    let path = std::env::var("PATH").unwrap_or_default();
    let path = match &tool.bin {
        Some(bin) => format!("{}:{path}", bin.display()),
        None => path,
    };
    let out = Command::new("timeout")
        .args(["120", "bash", "-eu", "-o", "pipefail", "-c", script])
        .current_dir(dir.path())
        .env("PATH", path)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let files = listing(dir.path());
    Run {
        label: tool.label,
        dir,
        out,
        files,
    }
}

/// Runs the script against every tool, certkit's run first.
pub fn run_all(files: &[(&str, Vec<u8>)], script: &str) -> Vec<Run> {
    tools()
        .iter()
        .map(|t| run_script(t, files, script))
        .collect()
}

/// Asserts that certkit succeeded where the reference did (or failed
/// where it failed) and wrote the same set of files.
pub fn assert_same(ours: &Run, theirs: &Run, script: &str) {
    assert_eq!(
        (ours.ok(), &ours.files),
        (theirs.ok(), &theirs.files),
        "{script}\ncertkit and {} disagree\ncertkit stderr: {}\n{} stderr: {}",
        theirs.label,
        ours.stderr(),
        theirs.label,
        theirs.stderr()
    );
}

/// Runs the script against every tool and asserts that certkit succeeds
/// where the references do and writes the same set of files. Returns
/// every run, certkit's first.
pub fn same_outcome(files: &[(&str, Vec<u8>)], script: &str) -> Vec<Run> {
    let runs = run_all(files, script);
    for theirs in &runs[1..] {
        assert_same(&runs[0], theirs, script);
    }
    runs
}

/// A CA (ECDSA P-256) made by Debian's cfssl, as `ca.pem` and `ca-key.pem`.
pub fn cfssl_ca(csr_json: &str) -> (Vec<u8>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca-csr.json"), csr_json).unwrap();
    let out = Command::new("bash")
        .args([
            "-eu",
            "-o",
            "pipefail",
            "-c",
            "/usr/bin/cfssl gencert -initca ca-csr.json 2>/dev/null | /usr/bin/cfssljson -bare ca",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "cfssl initca failed");
    (
        std::fs::read(dir.path().join("ca.pem")).unwrap(),
        std::fs::read(dir.path().join("ca-key.pem")).unwrap(),
    )
}

/// Asserts that what `said` reads from each of `files` (fields of a
/// certificate, say) is the same in certkit's run as in every reference's.
pub fn assert_same_per_file<T: PartialEq + std::fmt::Debug>(
    runs: &[Run],
    files: &[&str],
    said: impl Fn(&Run, &str) -> T,
) {
    for file in files {
        let ours = said(&runs[0], file);
        for theirs in &runs[1..] {
            assert_eq!(
                ours,
                said(theirs, file),
                "{file}: certkit and {}",
                theirs.label
            );
        }
    }
}
