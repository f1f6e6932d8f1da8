//! Output sets under faults, races and signals: a failed rename puts the
//! set back, two writers take turns, nothing is written twice.

use super::*;
use std::collections::BTreeMap;

/// Every file of a directory (recursively) with its contents.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(dir).unwrap().display().to_string();
            if path.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                stack.push(path);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// certkit with `args` in `cwd`, under strace with its `n`th rename(2)
/// failing with EBUSY, as renaming over a bind-mounted file (Docker, a
/// Kubernetes subPath) does. strace injects the fault at the system call,
/// so it works on the static binary, where an LD_PRELOAD shim would not.
fn with_nth_rename_failing(cwd: &Path, n: usize, args: &[&str]) -> std::process::Output {
    let renames = "rename,renameat,renameat2";
    std::process::Command::new("strace")
        .current_dir(cwd)
        .args(["-f", "-qq", "-o", "/dev/null", "-e"])
        .arg(format!("trace={renames}"))
        .arg("-e")
        .arg(format!("inject={renames}:error=EBUSY:when={n}"))
        .arg(support::certkit())
        .args(args)
        .output()
        .unwrap()
}

/// Whether strace can run a program and inject a fault here (it needs
/// ptrace); SKIP otherwise.
fn strace_injects() -> bool {
    let works = std::process::Command::new("strace")
        .args([
            "-qq",
            "-o",
            "/dev/null",
            "-e",
            "inject=getpid:retval=7",
            "true",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !works {
        eprintln!("SKIP: strace cannot inject faults here (missing, or no ptrace)");
    }
    works
}

/// Fails each rename of a command's output set in turn (the 1st, the 2nd,
/// ...) until the command gets through; each time it must exit 1 naming
/// the file whose rename failed and leave `dir` as it was. Returns the
/// files named, in order.
fn each_rename_failing(cwd: &Path, dir: &Path, args: &[&str], set: &[&str]) -> Vec<String> {
    let before = snapshot(dir);
    let mut named = Vec::new();
    for n in 1..=set.len() + 1 {
        let out = with_nth_rename_failing(cwd, n, args);
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            break;
        }
        assert_eq!(out.status.code(), Some(1), "rename {n}: {err}");
        let file = set
            .iter()
            .find(|f| err.contains(&format!("{f}: Device or resource busy")))
            .unwrap_or_else(|| panic!("rename {n}: the error names no file of {set:?}: {err}"));
        assert!(
            err.contains("no file of the set was changed"),
            "rename {n}: {err}"
        );
        assert_eq!(snapshot(dir), before, "rename {n} ({file}) failed: {err}");
        named.push(file.to_string());
    }
    named
}

const RENEW_WITH_A_NEW_KEY: &[&str] = &[
    "renew",
    "leaf.pem",
    "-ca",
    "ca.pem",
    "-ca-key",
    "ca-key.pem",
    "--new-key",
];

#[test]
fn a_failed_rename_leaves_the_old_set_whole() {
    if !strace_injects() {
        return;
    }
    let d = Dir::with_ca();
    d.write(
        "req.json",
        r#"{"CN":"svc","hosts":["svc.example"],"key":{"algo":"ecdsa","size":256}}"#,
    );
    let gencert = d.ok(&[
        "gencert",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "req.json",
    ]);
    d.write("gencert.json", &gencert);
    std::fs::create_dir(d.path("out")).unwrap();
    for f in ["out.pem", "out-key.pem", "out.csr"] {
        std::fs::write(d.path("out").join(f), format!("OLD {f}\n")).unwrap();
    }
    let set = ["out.pem", "out-key.pem", "out.csr"];
    let mut named = each_rename_failing(
        &d.path("out"),
        &d.path("out"),
        &["json", "-bare", "-f", "../gencert.json", "out"],
        &set,
    );
    named.sort();
    let mut expected = set.map(String::from).to_vec();
    expected.sort();
    assert_eq!(
        named, expected,
        "each file's rename should have failed once"
    );
    // Renewal with a new key: four files (certificate, key, two backups).
    d.ok(&["json", "-bare", "-f", "gencert.json", "leaf"]);
    let set = [
        "leaf.pem.bak",
        "leaf-key.pem.bak",
        "leaf.pem",
        "leaf-key.pem",
    ];
    let named = each_rename_failing(d.0.path(), d.0.path(), RENEW_WITH_A_NEW_KEY, &set);
    assert_eq!(
        named.len(),
        set.len(),
        "every rename should have failed once: {named:?}"
    );
    d.ok(RENEW_WITH_A_NEW_KEY);
    assert!(key_matches_cert(
        &d.path("leaf-key.pem"),
        &d.path("leaf.pem")
    ));
}

#[test]
fn a_directory_in_the_way_changes_nothing() {
    let d = Dir::with_ca();
    d.write(
        "req.json",
        r#"{"CN":"svc","key":{"algo":"ecdsa","size":256}}"#,
    );
    let genkey = d.ok(&["genkey", "req.json"]);
    std::fs::create_dir(d.path("out.csr")).unwrap();
    d.write("out-key.pem", "OLD\n");
    d.command()
        .args(["json", "-bare", "out"])
        .write_stdin(genkey)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("out.csr: is a directory"));
    assert_eq!(d.read("out-key.pem"), "OLD\n");
}

#[test]
fn two_writers_of_one_set_take_turns() {
    let d = Dir::with_ca();
    d.write(
        "req.json",
        r#"{"CN":"svc","key":{"algo":"ecdsa","size":256}}"#,
    );
    for name in ["a", "b"] {
        let out = d.ok(&[
            "gencert",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "req.json",
        ]);
        d.write(&format!("{name}.json"), &out);
    }
    let cert_of = |name: &str| field(&d.read(&format!("{name}.json")), "cert");
    let key_of = |name: &str| field(&d.read(&format!("{name}.json")), "key");
    for round in 0..15 {
        let writers: Vec<_> = ["a", "b"]
            .iter()
            .map(|name| {
                std::process::Command::new(support::certkit())
                    .current_dir(d.0.path())
                    .args(["json", "-bare", "-f", &format!("{name}.json"), "out"])
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut w in writers {
            assert!(w.wait().unwrap().success());
        }
        let (cert, key) = (d.read("out.pem"), d.read("out-key.pem"));
        let pair = ["a", "b"].iter().find(|n| cert == cert_of(n));
        let pair = pair.unwrap_or_else(|| panic!("round {round}: unknown certificate"));
        assert_eq!(
            key,
            key_of(pair),
            "round {round}: certificate of {pair}, another key"
        );
    }
}

#[test]
fn a_held_lock_makes_a_writer_wait_then_fail_clearly() {
    let d = Dir::with_ca();
    if std::process::Command::new("flock")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("SKIP: flock(1) is not installed");
        return;
    }
    d.write(
        "req.json",
        r#"{"CN":"svc","key":{"algo":"ecdsa","size":256}}"#,
    );
    let genkey = d.ok(&["genkey", "req.json"]);
    let mut holder = std::process::Command::new("flock")
        .arg(d.0.path())
        .args(["sleep", "3"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    d.command()
        .env("CERTKIT_LOCK_WAIT", "0.5")
        .args(["json", "-bare", "out"])
        .write_stdin(genkey.clone())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("another process"));
    assert!(!d.path("out-key.pem").exists());
    // Without a short limit it waits for the holder and then writes.
    d.command()
        .args(["json", "-bare", "out"])
        .write_stdin(genkey)
        .assert()
        .success();
    assert!(d.path("out-key.pem").exists());
    let _ = holder.wait();
}

#[test]
fn batch_refuses_two_requests_that_name_one_file() {
    let d = Dir::with_ca();
    std::fs::create_dir(d.path("reqs")).unwrap();
    let req = r#"{"CN":"svc","hosts":["svc.example"],"key":{"algo":"ecdsa","size":256}}"#;
    d.write("reqs/x.json", req);
    d.write("reqs/x-key.json", req);
    d.write("config.json", SERVER_CONFIG);
    d.cmd(&batch_args("reqs"))
        .code(1)
        .stderr(predicates::str::contains("x-key.pem"));
    assert!(!d.path("out/x.pem").exists());
}

const CLUSTER_SPEC: &str = r#"{"nodes":[{"name":"cp-1","ip":"10.0.0.11"}],"key":"ecdsa-p256","leaf_expiry":"24h","ca_expiry":"48h"}"#;

/// Every path under `dir` whose name ends with `suffix`.
fn files_ending(dir: &Path, suffix: &str) -> Vec<String> {
    snapshot(dir)
        .into_keys()
        .filter(|k| k.trim_end_matches('/').ends_with(suffix))
        .collect()
}

/// Starts certkit held (debug builds) after it has staged `staged`
/// temporary files, and returns once they are all there.
fn spawn_held(d: &Dir, args: &[&str], staged: usize) -> std::process::Child {
    let child = std::process::Command::new(support::certkit())
        .current_dir(d.0.path())
        .args(args)
        .env("CERTKIT_TEST_PAUSE_BEFORE_RENAME", "60")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while files_ending(d.0.path(), ".tmp").len() < staged {
        assert!(
            std::time::Instant::now() < deadline,
            "the staged files never appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child
}

/// `cluster init` held with its 22 files staged.
fn held_cluster_init(d: &Dir) -> std::process::Child {
    d.write("cluster.json", CLUSTER_SPEC);
    spawn_held(
        d,
        &[
            "cluster",
            "init",
            "-config",
            "cluster.json",
            "--out",
            "pki",
            "--cfssl-out",
            "cfssl",
        ],
        22,
    )
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the pause before rename exists only in debug builds"
)]
fn a_signal_during_cluster_init_leaves_no_key_and_no_cfssl_out() {
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let d = Dir::empty();
        let child = held_cluster_init(&d);
        std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let left: Vec<String> = snapshot(d.0.path()).into_keys().collect();
        assert_eq!(left, ["cluster.json"], "SIG{signal} left files behind");
    }
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the pause before rename exists only in debug builds"
)]
fn the_next_run_cleans_what_a_kill_9_left() {
    let d = Dir::empty();
    let mut child = held_cluster_init(&d);
    child.kill().unwrap();
    let _ = child.wait();
    let staging: Vec<String> = snapshot(d.0.path())
        .into_keys()
        .filter(|k| k.starts_with(".pki.new-") && k.ends_with('/') && k.matches('/').count() == 1)
        .collect();
    assert_eq!(
        staging.len(),
        1,
        "kill -9 should leave the staging directory"
    );
    d.cmd(&["cluster", "init", "-config", "cluster.json", "--out", "pki"])
        .success()
        .stderr(predicates::str::contains("unfinished staging directory"));
    let top: Vec<String> = std::fs::read_dir(d.0.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(top.is_empty(), "{top:?}");
}

#[test]
fn reuse_ca_and_force_keep_foreign_files_and_follow_a_symlink() {
    let d = Dir::empty();
    d.write("cluster.json", CLUSTER_SPEC);
    d.ok(&[
        "cluster",
        "init",
        "-config",
        "cluster.json",
        "--out",
        "real",
    ]);
    std::os::unix::fs::symlink("real", d.path("pki")).unwrap();
    d.ok(&["cluster", "renew", "all", "--out", "pki"]);
    d.write("real/extra-ca-bundle.pem", "bundle\n");
    std::fs::create_dir(d.path("real/notes")).unwrap();
    d.write("real/notes/README", "ours\n");
    let ca = d.read("real/ca.crt");
    for flag in ["--reuse-ca", "--force"] {
        d.cmd(&[
            "cluster",
            "init",
            "-config",
            "cluster.json",
            "--out",
            "pki",
            flag,
        ])
        .success()
        .stderr(predicates::str::contains("kept"));
        assert!(d
            .path("pki")
            .symlink_metadata()
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(d.read("real/extra-ca-bundle.pem"), "bundle\n");
        assert_eq!(d.read("real/notes/README"), "ours\n");
        assert!(
            d.path("real/apiserver.crt.bak").exists(),
            "{flag} lost renew's backup"
        );
        assert!(key_matches_cert(
            &d.path("real/apiserver.key"),
            &d.path("real/apiserver.crt")
        ));
    }
    assert_ne!(d.read("real/ca.crt"), ca, "--force makes new CAs");
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the pause before rename exists only in debug builds"
)]
fn a_killed_batch_leaves_one_directory_the_next_run_removes() {
    let d = Dir::with_ca();
    let requests: Vec<String> = (0..40)
        .map(|i| {
            format!(
                r#"{{"CN":"s{i}","hosts":["s{i}.example"],"key":{{"algo":"ecdsa","size":256}}}}"#
            )
        })
        .collect();
    d.write("requests.json", &format!("[{}]", requests.join(",")));
    d.write("config.json", SERVER_CONFIG);
    let args = batch_args("requests.json");
    std::fs::create_dir(d.path("out")).unwrap();
    d.write("out/keep.txt", "mine\n");
    for _ in 0..2 {
        let mut child = spawn_held(&d, &args, 120);
        child.kill().unwrap();
        let _ = child.wait();
        // Every temporary key is inside one staging directory, none in out/.
        let stray: Vec<String> = files_ending(&d.path("out"), ".tmp");
        assert!(stray.is_empty(), "{stray:?}");
    }
    d.cmd(&args)
        .success()
        .stderr(predicates::str::contains("unfinished staging directory"));
    let hidden: Vec<String> = std::fs::read_dir(d.0.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
    assert_eq!(d.read("out/keep.txt"), "mine\n");
    let keys = files_ending(&d.path("out"), "-key.pem");
    assert_eq!(keys.len(), 40, "{keys:?}");
    for key in keys {
        let cert = key.replace("-key.pem", ".pem");
        assert!(
            key_matches_cert(&d.path("out").join(&key), &d.path("out").join(&cert)),
            "{key}"
        );
    }
}

#[test]
fn a_new_batch_directory_appears_whole_with_its_mode_under_umask_000() {
    let d = Dir::with_ca();
    d.write(
        "requests.json",
        r#"[{"CN":"a","hosts":["a.example"]},{"CN":"b","hosts":["b.example"]}]"#,
    );
    d.write("config.json", SERVER_CONFIG);
    d.sh("umask 000; \"$CERTKIT\" batch -ca ca.pem -ca-key ca-key.pem -config config.json -out out requests.json 2>/dev/null");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(d.path("out"))
        .unwrap()
        .permissions()
        .mode()
        & 0o7777;
    assert_eq!(mode, 0o755);
    // A failing batch leaves no directory at all (it left an empty 0777 one).
    d.write(
        "bad.json",
        r#"[{"CN":"a","hosts":["a.example"]},{"names":[]}]"#,
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 000; \"$CERTKIT\" batch -ca ca.pem -ca-key ca-key.pem -config config.json -out out2 bad.json")
        .current_dir(d.0.path())
        .env("CERTKIT", support::certkit())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!d.path("out2").exists());
}

#[test]
fn keys_are_refused_below_a_directory_others_can_write() {
    use std::os::unix::fs::PermissionsExt;
    let d = Dir::with_ca();
    std::fs::create_dir_all(d.path("ww/deeper")).unwrap();
    std::fs::set_permissions(d.path("ww"), std::fs::Permissions::from_mode(0o777)).unwrap();
    d.write("cluster.json", CLUSTER_SPEC);
    d.cmd(&[
        "cluster",
        "init",
        "-config",
        "cluster.json",
        "--out",
        "ww/deeper/pki",
    ])
    .code(1)
    .stderr(predicates::str::contains("writable by everyone"));
    assert!(!d.path("ww/deeper/pki").exists());
    let leftovers: Vec<_> = std::fs::read_dir(d.path("ww/deeper")).unwrap().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    d.write("config.json", SERVER_CONFIG);
    d.write("requests.json", r#"[{"CN":"a","hosts":["a.example"]}]"#);
    let mut args = batch_args("requests.json");
    args[8] = "ww/deeper/out";
    d.cmd(&args)
        .code(1)
        .stderr(predicates::str::contains("writable by everyone"));
}

#[test]
fn a_non_utf8_directory_is_written_where_it_says() {
    use std::os::unix::ffi::OsStringExt;
    let d = Dir::empty();
    d.write("cluster.json", CLUSTER_SPEC);
    let out =
        d.0.path()
            .join(std::ffi::OsString::from_vec(b"pki-\xff".to_vec()));
    d.command()
        .args(["cluster", "init", "-config", "cluster.json", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("etcd/ca.key").is_file());
    let entries: Vec<_> = std::fs::read_dir(d.0.path()).unwrap().collect();
    assert_eq!(entries.len(), 2, "{entries:?}");
}

/// File arguments are paths, not text: the main workflow runs in a
/// directory whose name is not UTF-8 (byte 0xff), reading and writing
/// there, and an error names such a path with the byte escaped.
#[test]
fn the_main_workflow_runs_in_a_non_utf8_directory() {
    let d = Dir::empty();
    d.write(
        "ca.json",
        r#"{"CN": "Byte CA", "key": {"algo": "ecdsa", "size": 256}}"#,
    );
    d.write(
        "req.json",
        r#"{"CN": "svc", "hosts": ["svc.example"], "key": {"algo": "ecdsa", "size": 256}}"#,
    );
    d.write(
        "config.json",
        r#"{"signing": {"default": {"usages": ["digital signature", "server auth"], "expiry": "24h"}}}"#,
    );
    let out = d.sh(
        "set -e; D=$(printf 'd\\377'); mkdir \"$D\"; cp ca.json req.json config.json \"$D\"/
         \"$CERTKIT\" gencert -initca \"$D/ca.json\" | \"$CERTKIT\" json -bare \"$D/ca\"
         \"$CERTKIT\" genkey \"$D/req.json\" | \"$CERTKIT\" json -bare \"$D/svc\"
         \"$CERTKIT\" sign -ca \"$D/ca.pem\" -ca-key \"$D/ca-key.pem\" -config \"$D/config.json\" \\
             \"$D/svc.csr\" > \"$D/signed.json\"
         \"$CERTKIT\" json -f \"$D/signed.json\" -bare \"$D/svc\"
         \"$CERTKIT\" gencert -ca \"$D/ca.pem\" -ca-key \"$D/ca-key.pem\" \"$D/req.json\" | \"$CERTKIT\" json -bare \"$D/other\"
         \"$CERTKIT\" verify -ca-bundle \"$D/ca.pem\" -hostname svc.example \"$D/svc.pem\"
         \"$CERTKIT\" bundle -cert \"$D/svc.pem\" -ca-bundle \"$D/ca.pem\" > \"$D/bundle.json\"
         \"$CERTKIT\" key convert -key-format pkcs8 -out \"$D/svc-key.p8\" \"$D/svc-key.pem\"
         \"$CERTKIT\" certinfo -cert \"$D/svc.pem\"",
    );
    let info: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(info["subject"]["common_name"], "svc", "{info}");
    assert_eq!(info["issuer"]["common_name"], "Byte CA", "{info}");
    use std::os::unix::ffi::OsStrExt;
    let dir = d.0.path().join(std::ffi::OsStr::from_bytes(b"d\xff"));
    for name in [
        "ca.pem",
        "ca-key.pem",
        "svc-key.pem",
        "svc.csr",
        "svc.pem",
        "other.pem",
        "bundle.json",
        "svc-key.p8",
    ] {
        assert!(
            dir.join(name).is_file(),
            "{name} written in the 0xff directory"
        );
    }
    let missing = d
        .command()
        .arg("certinfo")
        .arg("-cert")
        .arg(dir.join("gone.pem"))
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&missing.get_output().stderr).into_owned();
    assert!(
        stderr.contains("d\\xff/gone.pem"),
        "the byte escaped: {stderr}"
    );
}
