//! Path building stays bounded on hostile inputs: 14 self-issued
//! intermediates sharing a key (a naive search tries every order; this
//! took cfssl-style search minutes) and x509-limbo's pathological cases
//! (cycles, many cross-signed issuers, thousands of name constraints).
//! `bundle` and `verify` both answer with one clear error line. Their
//! speed is measured in benches/path_building.rs, not here.

use std::process::Command;

/// Runs certkit; returns its exit code and stderr.
fn certkit_status(args: &[&str]) -> (i32, String) {
    let out = Command::new(support::certkit())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn fourteen_self_issued_same_key_intermediates_fail_fast_and_clearly() {
    support::require_tool("openssl");
    let dir = tempfile::tempdir().unwrap();
    let (root, ints, leaf) = support::self_issued::self_issued_same_key(dir.path(), 14);
    let (root, ints, leaf) = (
        root.to_str().unwrap(),
        ints.to_str().unwrap(),
        leaf.to_str().unwrap(),
    );
    let (code, err) = certkit_status(&[
        "bundle",
        "-cert",
        leaf,
        "-int-bundle",
        ints,
        "-ca-bundle",
        root,
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("unknown authority") && err.lines().count() == 1,
        "{err}"
    );
    let (code, err) = certkit_status(&["verify", "-int-bundle", ints, "-ca-bundle", root, leaf]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no path") || err.contains("chain:"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
