//! Keys never reach stderr: every command run at `-loglevel 0` (debug),
//! on success and on refusal, logs nothing of any private key involved.

use std::path::Path;
use support::cmd_in;
use support::workspace::{assert_no_key_material, workspace};

/// Runs certkit in `dir` and returns (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
    let out = cmd_in(dir)
        .args(args)
        .write_stdin(stdin.to_string())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn debug_logs_of_every_command_hold_no_key() {
    let dir = workspace();
    let d = dir.path();
    let request = r#"{"CN":"svc","hosts":["svc.example"]}"#;
    let steps: [(&[&str], &str); 6] = [
        (&["-loglevel", "0", "genkey", "-"], request),
        (&["-loglevel", "0", "initca", "-"], r#"{"CN":"Debug CA"}"#),
        (
            &[
                "-loglevel",
                "0",
                "gencert",
                "-ca",
                "ca.pem",
                "-ca-key",
                "ca-key.pem",
                "-",
            ],
            request,
        ),
        (
            &[
                "-loglevel",
                "0",
                "sign",
                "-ca",
                "ca.pem",
                "-ca-key",
                "ca-key.pem",
                "server.csr",
            ],
            "",
        ),
        (
            &[
                "-loglevel",
                "0",
                "sign",
                "-ca",
                "ca.pem",
                "-ca-key",
                "other-key.pem",
                "server.csr",
            ],
            "",
        ),
        (
            &[
                "-loglevel",
                "0",
                "gencert",
                "-ca",
                "ca.pem",
                "-ca-key",
                "not-ca-key.pem",
                "-",
            ],
            request,
        ),
    ];
    for (args, stdin) in steps {
        let (code, stdout, stderr) = run(d, args, stdin);
        assert!(code == Some(0) || code == Some(1), "{args:?}: {stderr}");
        assert_no_key_material(d, &stderr).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        // Keys made by this run are on stdout only: write them where the
        // check looks, then check stderr against them too.
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(&stdout) {
            if let Some(key) = json.get("key").and_then(|k| k.as_str()) {
                std::fs::write(d.join("made-key.pem"), key).unwrap();
                assert_no_key_material(d, &stderr).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            }
        }
    }
    let response = std::fs::read_to_string(d.join("made-key.pem")).unwrap();
    let cert = std::fs::read_to_string(d.join("ca.pem")).unwrap();
    let json = serde_json::json!({ "key": response, "cert": cert }).to_string();
    let (code, _, stderr) = run(d, &["-loglevel", "0", "json", "-bare", "debug-out"], &json);
    assert_eq!(code, Some(0), "{stderr}");
    assert_no_key_material(d, &stderr).unwrap();
}
