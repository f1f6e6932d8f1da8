//! `bundle` holds a chain to `verify`'s rules: a SHA-1-signed certificate
//! or a weak key is refused by default, naming the certificate and the
//! check, and the path search goes around it (a SHA-256 cross-signed
//! intermediate); `-allow-sha1` bundles it as cfssl does. Whatever
//! `bundle` outputs, the `verify` library accepts for the same roots
//! (checked over the repository's bundle fixtures; limbo's cases are in
//! tests/interop/limbo.rs).

use certkit_core::chain::bundle::chain::{build_with, BundleOptions, Pool};
use certkit_core::chain::certs::{parse_all, Cert};
use certkit_core::chain::verify::{verify, Check, Options, Purpose};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::SystemTime;
use support::chain::{certkit_chain, ok_in, pem_count, run_in};
use support::{certkit, require_tool};

/// `certkit bundle` of leaf.pem to root.pem through `int_bundle`.
fn bundle_args<'a>(int_bundle: &'a str, flavor: &'a str) -> [&'a str; 9] {
    [
        "bundle",
        "-cert",
        "leaf.pem",
        "-ca-bundle",
        "root.pem",
        "-int-bundle",
        int_bundle,
        "-flavor",
        flavor,
    ]
}

/// A certkit-made RSA chain (support::chain) plus int-sha1.pem.
fn chain_with_sha1_intermediate() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    certkit_chain(dir.path(), "rsa");
    sha1_intermediate(dir.path());
    dir
}

/// Re-signs certkit's intermediate (int.csr, same subject, key and
/// extensions) by the root with SHA-1, as an old CA would have: int-sha1.pem.
fn sha1_intermediate(dir: &Path) {
    let openssl = require_tool("openssl");
    let ext = "basicConstraints=critical,CA:TRUE,pathlen:0\n\
               keyUsage=critical,keyCertSign,cRLSign\n\
               subjectKeyIdentifier=hash\n\
               authorityKeyIdentifier=keyid\n";
    std::fs::write(dir.join("int.ext"), ext).unwrap();
    ok_in(
        dir,
        &openssl,
        &[
            "x509",
            "-req",
            "-sha1",
            "-in",
            "int.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root-key.pem",
            "-set_serial",
            "4660",
            "-days",
            "365",
            "-extfile",
            "int.ext",
            "-out",
            "int-sha1.pem",
        ],
        b"",
    );
    let text = ok_in(
        dir,
        &openssl,
        &["x509", "-in", "int-sha1.pem", "-noout", "-text"],
        b"",
    );
    assert!(
        String::from_utf8_lossy(&text).contains("sha1WithRSAEncryption"),
        "openssl made a SHA-1 signature"
    );
}

fn stderr_of(dir: &Path, args: &[&str]) -> String {
    let out = run_in(dir, &certkit(), args, b"");
    assert_eq!(out.status.code(), Some(1), "{args:?} must fail");
    assert!(out.stdout.is_empty(), "no partial output");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Debian's cfssl 1.2.0 is built with Go 1.19, whose crypto/x509 refuses
/// SHA-1 signatures ("unknown authority") unless GODEBUG=x509sha1=1, the
/// behaviour of the Go releases cfssl 1.2.0 was written for.
fn cfssl_with_sha1(dir: &Path, args: &[&str]) -> Value {
    let out = Command::new("/usr/bin/cfssl")
        .args(args)
        .current_dir(dir)
        .env("GODEBUG", "x509sha1=1")
        .output()
        .expect("Debian's cfssl is installed (scripts/test)");
    assert!(
        out.status.success(),
        "cfssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_sha1_intermediate_is_refused_by_name_unless_allowed_then_bundled_as_cfssl_does() {
    let tmp = chain_with_sha1_intermediate();
    let dir = tmp.path();
    let args = bundle_args("int-sha1.pem", "optimal");
    let err = stderr_of(dir, &args);
    assert!(
        err.contains(r#"signature: intermediate "CN=Test Intermediate"#)
            && err.contains("SHA1WithRSA")
            && err.contains("-allow-sha1")
            && err.contains("(cfssl error 1200)"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one error line: {err}");

    let allowed = [&args[..], &["-allow-sha1"]].concat();
    let ours: Value = serde_json::from_slice(&ok_in(dir, &certkit(), &allowed, b"")).unwrap();
    let mut theirs = cfssl_with_sha1(dir, &args);
    let mut ours_cmp = ours.clone();
    // cfssl 1.2.0 predates `leaf_expires`; certkit sorts `hostnames`;
    // cfssl lists the SHA-1 platforms in Go's random map order.
    ours_cmp.as_object_mut().unwrap().remove("leaf_expires");
    let sort = |list: &mut Value| {
        let mut items: Vec<Value> = list.as_array().unwrap().clone();
        items.sort_by_key(|h| h.to_string());
        *list = Value::Array(items);
    };
    for v in [&mut ours_cmp, &mut theirs] {
        sort(&mut v["hostnames"]);
        sort(&mut v["status"]["messages"]);
    }
    assert_eq!(ours_cmp, theirs, "certkit -allow-sha1 and cfssl 1.2.0");
    assert!(
        ours["status"]["messages"]
            .to_string()
            .contains("SHA-1 deprecation"),
        "the status still reports the SHA-1 link: {}",
        ours["status"]
    );

    // verify's rules are the same, with the same flag.
    let verify = [
        "-ca-bundle",
        "root.pem",
        "-int-bundle",
        "int-sha1.pem",
        "leaf.pem",
    ];
    let err = stderr_of(dir, &[&["verify"], &verify[..]].concat());
    assert!(err.contains("is signed with SHA1WithRSA"), "{err}");
    let allowed = [&["verify", "-allow-sha1"], &verify[..]].concat();
    ok_in(dir, &certkit(), &allowed, b"");
}

#[test]
fn the_search_goes_around_a_sha1_link_to_a_sha256_cross_signed_intermediate() {
    let tmp = chain_with_sha1_intermediate();
    let dir = tmp.path();
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    // The SHA-1 certificate first, so the search meets it first.
    std::fs::write(
        dir.join("both.pem"),
        format!("{}{}", read("int-sha1.pem"), read("int.pem")),
    )
    .unwrap();
    for flavor in ["optimal", "ubiquitous"] {
        let args = bundle_args("both.pem", flavor);
        let json: Value = serde_json::from_slice(&ok_in(dir, &certkit(), &args, b"")).unwrap();
        let chain = json["bundle"].as_str().unwrap();
        assert_eq!(pem_count(chain), 2, "{flavor}");
        assert!(chain.ends_with(read("int.pem").trim()), "{flavor}: {chain}");
    }
}

#[test]
fn mkbundle_skips_sha1_and_weak_keys_unless_allowed() {
    let tmp = chain_with_sha1_intermediate();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("certs")).unwrap();
    for f in ["root.pem", "int.pem", "int-sha1.pem"] {
        std::fs::copy(dir.join(f), dir.join("certs").join(f)).unwrap();
    }
    let weak_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cfssl/bundler/ca.pem");
    std::fs::copy(weak_root, dir.join("certs/weak-root.pem")).unwrap();
    let out = run_in(
        dir,
        &certkit(),
        &["mkbundle", "-f", "strict.crt", "certs"],
        b"",
    );
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let strict = std::fs::read_to_string(dir.join("strict.crt")).unwrap();
    assert_eq!(pem_count(&strict), 2, "root and the SHA-256 intermediate");
    assert!(
        stderr.contains("int-sha1.pem: skipping a certificate")
            && stderr.contains("is signed with SHA1WithRSA"),
        "{stderr}"
    );
    assert!(
        stderr.contains("weak-root.pem: skipping a certificate") && stderr.contains("1024-bit"),
        "{stderr}"
    );
    let args = ["mkbundle", "-allow-sha1", "-f", "legacy.crt", "certs"];
    ok_in(dir, &certkit(), &args, b"");
    let legacy = std::fs::read_to_string(dir.join("legacy.crt")).unwrap();
    assert_eq!(pem_count(&legacy), 4);
}

fn certs_of(path: &Path) -> Vec<Cert> {
    parse_all(&std::fs::read(path).unwrap()).unwrap_or_default()
}

/// Every certificate of the files under `dir` (recursively).
fn certs_under(dir: &Path, out: &mut Vec<Cert>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            certs_under(&path, out);
        } else if matches!(
            path.extension().and_then(|x| x.to_str()),
            Some("pem" | "crt")
        ) {
            out.extend(certs_of(&path));
        }
    }
}

/// Each certificate of the set as the leaf, each as the only root, all
/// the others as intermediates: whenever `bundle` builds a chain,
/// `verify` (any purpose, no name, same time) accepts it for that root,
/// with and without `-allow-sha1` on both sides. Returns the chains seen.
fn bundle_implies_verify(certs: &[Cert], at: SystemTime) -> usize {
    let mut chains_seen = 0;
    for allow_sha1 in [false, true] {
        let options = BundleOptions { allow_sha1 };
        let verify_options = Options {
            purpose: Purpose::Any,
            allow_sha1,
            ..Options::server(at)
        };
        for (r, root) in certs.iter().enumerate() {
            let mut roots = Pool::default();
            roots.add(root.clone());
            let mut ints = Pool::default();
            certs
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != r)
                .for_each(|(_, c)| ints.add(c.clone()));
            for leaf in certs {
                let Ok(chains) = build_with(leaf, &roots, &ints, at, options) else {
                    continue;
                };
                for chain in chains {
                    chains_seen += 1;
                    let check = Check {
                        leaf: &chain[0],
                        intermediates: &chain[1..chain.len() - 1],
                        roots: std::slice::from_ref(root),
                        crls: &[],
                        options: &verify_options,
                    };
                    if let Err(e) = verify(&check) {
                        panic!(
                            "bundle (allow_sha1 {allow_sha1}) built a chain of {} for {:?} that verify refuses: {e}",
                            chain.len(),
                            leaf.common_name()
                        );
                    }
                }
            }
        }
    }
    chains_seen
}

#[test]
fn whatever_bundle_outputs_verify_accepts_over_the_fixtures() {
    let at = SystemTime::now();
    let mut certs = Vec::new();
    certs_under(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cfssl/bundler"),
        &mut certs,
    );
    let fixtures = certs.len();
    let dir = tempfile::tempdir().unwrap();
    for algo in ["ecdsa", "rsa"] {
        let sub = dir.path().join(algo);
        std::fs::create_dir(&sub).unwrap();
        certkit_chain(&sub, algo);
        if algo == "rsa" {
            sha1_intermediate(&sub);
        }
        for f in ["root.pem", "int.pem", "int-sha1.pem", "leaf.pem"] {
            if sub.join(f).exists() {
                certs.extend(certs_of(&sub.join(f)));
            }
        }
    }
    let seen = bundle_implies_verify(&certs, at);
    println!(
        "{} certificates ({fixtures} from fixtures/cfssl/bundler): {seen} chains bundled, all verified",
        certs.len()
    );
    assert!(seen >= 20, "the property was exercised: {seen} chains");
}
