//! The checked-in man pages and completions must be what the clap
//! definitions generate today; `cargo run --example gen-docs` fixes this.

use std::collections::BTreeSet;
use std::path::Path;

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
