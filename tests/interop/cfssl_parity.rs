//! cfssl's last flags and fields (issue 30), each run through certkit,
//! cfssl 1.6.5 (scripts/peers/cfssl-current) and, where it has it, Debian's
//! cfssl 1.2.0, and the results compared.

use std::path::Path;
use support::serve::cfssl_current;
use support::*;

/// What a cfssljson wrote in `dir`: (name, mode, contents), sorted.
fn written(dir: &Path) -> Vec<(String, u32, Vec<u8>)> {
    listing(dir)
        .into_iter()
        .map(|n| {
            let p = dir.join(&n);
            (n.clone(), mode(&p), std::fs::read(&p).unwrap())
        })
        .collect()
}

/// `encrypted_key` (a Red October-encrypted key, base64) is written as
/// it is to NAME-key.enc with mode 0600 by Debian's cfssljson and 1.6.5's,
/// and base64-encoded again on -stdout; certkit json does the same. Not
/// base64: nothing is written.
#[test]
fn json_writes_encrypted_key_as_cfssljson() {
    let blob: Vec<u8> = (0u8..=255).rev().collect();
    let response = format!(
        r#"{{"encrypted_key":"{}","cert":""}}"#,
        support::serve::b64(&blob)
    );
    let mut cfssljsons = vec![real_cfssljson()];
    cfssljsons.extend(cfssl_current().map(|d| d.join("cfssljson")));
    let ours_dir = tempfile::tempdir().unwrap();
    assert_ok(
        &run(
            ours_dir.path(),
            &certkit(),
            &["json", "-bare", "k"],
            Some(response.as_bytes()),
        ),
        "certkit json",
    );
    let ours = written(ours_dir.path());
    let text = support::serve::b64(&blob).into_bytes();
    assert_eq!(ours, vec![("k-key.enc".to_string(), 0o600, text)]);
    let stdout = |program: &Path, args: &[&str]| {
        let out = run(ours_dir.path(), program, args, Some(response.as_bytes()));
        assert_ok(&out, "json -stdout");
        out.stdout
    };
    let ours_stdout = stdout(&certkit(), &["json", "-bare", "-stdout"]);
    for cfssljson in cfssljsons {
        let theirs = tempfile::tempdir().unwrap();
        assert_ok(
            &run(
                theirs.path(),
                &cfssljson,
                &["-bare", "k"],
                Some(response.as_bytes()),
            ),
            "cfssljson",
        );
        assert_eq!(written(theirs.path()), ours, "{}", cfssljson.display());
        assert_eq!(stdout(&cfssljson, &["-bare", "-stdout"]), ours_stdout);
    }

    let bad = tempfile::tempdir().unwrap();
    let out = run(
        bad.path(),
        &certkit(),
        &["json", "-bare", "k"],
        Some(br#"{"encrypted_key":"not base64!","cert":""}"#),
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("encrypted_key") && err.lines().count() == 1,
        "{err}"
    );
    assert!(listing(bad.path()).is_empty());
}
