//! Item 16 of the hardening review: a core dump after `sign` held 8 of
//! the 25 base64 lines of the CA key. Here `certkit sign` runs under gdb,
//! which stops it at `exit_group` (after every destructor, just before
//! the process ends) and dumps its memory with `gcore`; the dump must
//! hold no base64 line of the CA key's PEM and no private scalar (RSA
//! private exponent and primes, EC scalar), in either byte order (AWS-LC
//! keeps big numbers as little-endian words). No hook in the binary:
//! gdb is the observer. Skips with a message without gdb or ptrace.
//! The same holds for `json` (cfssljson), whose JSON parser unescapes the
//! key in scratch space of its own: every freed heap block is wiped
//! (the global allocator, src/main.rs).

use super::Dir;
use std::path::{Path, PathBuf};
use std::process::Command;

fn gdb() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("gdb"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        eprintln!("SKIP: gdb is not installed; the memory test needs it");
    }
    found
}

/// Runs certkit with `args` (shell redirections allowed) in `dir` under
/// gdb and returns its memory as it was at exit_group, or None (with a
/// SKIP message) when gdb cannot trace it. `done` names the file the run
/// must have written, proof that it ran to its end.
fn memory_at_exit(gdb: &Path, dir: &Path, args: &str, done: &str) -> Option<Vec<u8>> {
    let core = dir.join("certkit.core");
    let out = Command::new(gdb)
        .current_dir(dir)
        .args(["-batch", "-nx", "-q", "--readnever"])
        .args(["-iex", "set debuginfod enabled off"])
        .args(["-ex", "set pagination off"])
        .args(["-ex", "catch syscall exit_group"])
        .args(["-ex", &format!("run {args} 2> err.txt")])
        .args(["-ex", "info proc mappings"])
        .args(["-ex", &format!("gcore {}", core.display())])
        .args(["-ex", "kill"])
        .arg("--args")
        .arg(support::certkit())
        .output()
        .unwrap();
    let Ok(memory) = std::fs::read(&core) else {
        eprintln!(
            "SKIP: gdb could not trace certkit (ptrace not permitted?): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    };
    let err = std::fs::read_to_string(dir.join("err.txt")).unwrap_or_default();
    assert!(
        std::fs::read_to_string(dir.join(done)).is_ok_and(|o| o.contains("-----BEGIN")),
        "{args}: ran to its end under gdb: {err}"
    );
    assert_heap_dumped(&String::from_utf8_lossy(&out.stdout), &core);
    Some(memory)
}

/// The control: the dump holds the bytes of the process's heap (the
/// `[heap]` mapping gdb listed is a LOAD segment of the core file with
/// its contents), so finding no key in it means the heap held none.
/// (Every freed block is wiped, so no content of certkit's own is
/// certain to be left for a content check to find.)
fn assert_heap_dumped(gdb_output: &str, core: &Path) {
    let heap_start = gdb_output
        .lines()
        .find(|l| l.trim_end().ends_with("[heap]"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("gdb listed no [heap] mapping:\n{gdb_output}"));
    let heap_start = u64::from_str_radix(heap_start.trim_start_matches("0x"), 16).unwrap();
    let segments = Command::new("readelf")
        .args(["-lW"])
        .arg(core)
        .output()
        .unwrap();
    let segments = String::from_utf8_lossy(&segments.stdout);
    let dumped = segments.lines().any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        let hex = |s: &str| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok();
        f.first() == Some(&"LOAD")
            && f.get(2).and_then(|v| hex(v)) == Some(heap_start)
            && f.get(4).and_then(|v| hex(v)).is_some_and(|size| size > 0)
    });
    assert!(
        dumped,
        "the core holds the heap at {heap_start:#x}:\n{segments}"
    );
}

/// The numbers `openssl pkey -text` prints for a private key: every
/// hex block under a label (priv, privateExponent, prime1, ...).
fn private_numbers(dir: &Path, key: &str) -> Vec<Vec<u8>> {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(["pkey", "-in", key, "-text", "-noout"])
        .output()
        .expect("openssl is installed");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut numbers = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines().chain(std::iter::once("end:")) {
        if line.starts_with("    ") {
            if let Some((_, hex)) = current.as_mut() {
                hex.push_str(line.trim());
            }
            continue;
        }
        if let Some((label, hex)) = current.take() {
            let secret = ["priv", "privateExponent", "prime1", "prime2"];
            if secret.contains(&label.as_str()) {
                let bytes: Vec<u8> = hex
                    .split(':')
                    .filter(|b| !b.is_empty())
                    .map(|b| u8::from_str_radix(b, 16).unwrap())
                    .skip_while(|&b| b == 0)
                    .collect();
                numbers.push(bytes);
            }
        }
        current = line
            .strip_suffix(':')
            .map(|label| (label.to_string(), String::new()));
    }
    assert!(!numbers.is_empty(), "openssl printed the key's numbers");
    numbers
}

/// Which of `needles` (each at least 2 bytes) occur in `haystack`: one
/// pass over a dump of tens of megabytes, candidates picked by their
/// first two bytes (a debug build is too slow for a search per needle).
fn occurring(haystack: &[u8], needles: &[Vec<u8>]) -> Vec<bool> {
    let mut by_prefix: Vec<Vec<usize>> = vec![Vec::new(); 1 << 16];
    for (i, n) in needles.iter().enumerate() {
        by_prefix[usize::from(n[0]) << 8 | usize::from(n[1])].push(i);
    }
    let mut found = vec![false; needles.len()];
    for (pos, pair) in haystack.windows(2).enumerate() {
        for &i in &by_prefix[usize::from(pair[0]) << 8 | usize::from(pair[1])] {
            found[i] |= haystack[pos..].starts_with(&needles[i]);
        }
    }
    found
}

fn pem_lines(pem: &str) -> Vec<String> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
        .map(str::to_string)
        .collect()
}

/// A CA with the key `key` (request JSON), its cfssl JSON output kept as
/// `ca-out.json`, and a leaf CSR to sign.
fn ca_and_csr(key: &str) -> Dir {
    let d = Dir::empty();
    d.write(
        "ca.json",
        &format!(r#"{{"CN": "Memory CA", "key": {key}}}"#),
    );
    d.sh("\"$CERTKIT\" gencert -initca ca.json > ca-out.json");
    d.sh("\"$CERTKIT\" json -bare ca < ca-out.json");
    d.write(
        "req.json",
        r#"{"CN": "leaf", "hosts": ["leaf.example"], "key": {"algo": "ecdsa", "size": 256}}"#,
    );
    d.sh("\"$CERTKIT\" genkey req.json | \"$CERTKIT\" json -bare leaf");
    d
}

const KEYS: [&str; 2] = [
    r#"{"algo": "ecdsa", "size": 256}"#,
    r#"{"algo": "rsa", "size": 2048}"#,
];

#[test]
fn sign_leaves_no_copy_of_the_ca_key_in_memory() {
    let Some(gdb) = gdb() else { return };
    for key in KEYS {
        let d = ca_and_csr(key);
        let args = "sign -ca ca.pem -ca-key ca-key.pem leaf.csr > out.json";
        let Some(memory) = memory_at_exit(&gdb, d.0.path(), args, "out.json") else {
            return;
        };
        assert_no_ca_key_in(&memory, &d, &format!("sign, {key}"));
    }
}

/// cfssljson reads the key as an escaped JSON string: the parser's
/// scratch space held it unwiped until every freed block was wiped.
#[test]
fn cfssljson_leaves_no_copy_of_the_key_in_memory() {
    let Some(gdb) = gdb() else { return };
    for key in KEYS {
        let d = ca_and_csr(key);
        let args = "json -bare copy < ca-out.json";
        let Some(memory) = memory_at_exit(&gdb, d.0.path(), args, "copy-key.pem") else {
            return;
        };
        assert_eq!(d.read("copy-key.pem"), d.read("ca-key.pem"));
        assert_no_ca_key_in(&memory, &d, &format!("json, {key}"));
    }
}

/// Everything searched for in one pass: the CA key's base64 lines and its
/// private numbers in both byte orders.
fn assert_no_ca_key_in(memory: &[u8], d: &Dir, what: &str) {
    let public = pem_lines(&d.read("ca.pem"));
    // An RSA key's first lines encode its modulus, which the
    // certificate holds too: when both encodings line up (one time
    // in three), such a line is public text, not a leak.
    let cert_text: String = public.concat();
    let key_lines: Vec<String> = pem_lines(&d.read("ca-key.pem"))
        .into_iter()
        .filter(|l| !cert_text.contains(l.as_str()))
        .collect();
    let numbers = private_numbers(d.0.path(), "ca-key.pem");
    let mut needles: Vec<Vec<u8>> = key_lines.iter().map(|l| l.as_bytes().to_vec()).collect();
    for n in &numbers {
        needles.push(n.clone());
        needles.push(n.iter().rev().copied().collect());
    }
    let found = occurring(memory, &needles);
    let (found_lines, found_numbers) = found.split_at(key_lines.len());
    let leaked: Vec<&String> = key_lines
        .iter()
        .zip(found_lines)
        .filter_map(|(l, &f)| f.then_some(l))
        .collect();
    assert!(
        leaked.is_empty(),
        "{what}: {} of {} base64 lines of the CA key in memory at exit: {leaked:?}",
        leaked.len(),
        key_lines.len()
    );
    assert!(
        !found_numbers.iter().any(|&f| f),
        "{what}: a private number of the CA key is in memory at exit ({} of {} searches)",
        found_numbers.iter().filter(|&&f| f).count(),
        found_numbers.len()
    );
}
