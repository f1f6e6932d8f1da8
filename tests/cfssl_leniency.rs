//! Where cfssl is merely lenient, certkit under the cfssl names accepts
//! the same command lines and says what it ignored. Each script runs
//! literally through `cfssl`/`cfssljson` symlinks to certkit and against
//! Debian's cfssl 1.2.0 (and current cfssl when built); certkit must
//! succeed where they do and write the same files.

mod support;
use support::scripts::*;

const CA_CSR: &str = r#"{"CN":"Leniency CA","key":{"algo":"ecdsa","size":256}}"#;
const SERVER_CSR: &str = r#"{"CN":"svc","hosts":["svc.example","10.0.0.1"]}"#;

fn with_ca() -> Vec<(&'static str, Vec<u8>)> {
    let (ca, key) = cfssl_ca(CA_CSR);
    vec![
        ("ca.pem", ca),
        ("ca-key.pem", key),
        ("ca-csr.json", CA_CSR.as_bytes().to_vec()),
        ("server-csr.json", SERVER_CSR.as_bytes().to_vec()),
    ]
}

#[test]
fn cfssljson_ignores_a_trailing_dash() {
    let files = with_ca();
    let runs = same_outcome(
        &files,
        "cfssl gencert -initca ca-csr.json | cfssljson -bare newca -",
    );
    assert!(runs[0].files.contains(&"newca-key.pem".to_string()));
    assert!(
        runs[0].stderr().contains("extra argument \"-\" ignored"),
        "{}",
        runs[0].stderr()
    );
}

/// cfssl 1.2.0 ignores extra arguments on its commands; current cfssl
/// refuses them ("only one argument is accepted") on gencert, genkey and
/// sign. certkit runs the scripts written for 1.2.0, with a warning.
#[test]
fn commands_ignore_extra_positional_arguments() {
    let files = with_ca();
    let script = "cfssl genkey server-csr.json extra.json | cfssljson -bare server extra\n\
         cfssl gencert -ca ca.pem -ca-key ca-key.pem server-csr.json more | cfssljson -bare leaf";
    let runs = run_all(&files, script);
    assert_same(&runs[0], &runs[1], script);
    assert!(runs[0].files.contains(&"leaf.pem".to_string()));
    if let Some(current) = runs.get(2) {
        assert!(!current.ok(), "current cfssl now accepts extra arguments");
    }
}

#[test]
fn every_command_accepts_every_cfssl_flag() {
    let files = with_ca();
    // NixOS's Kubernetes PKI module, and flags seen on sign and gencert.
    let runs = same_outcome(
        &files,
        "cfssl genkey -initca -ca=ca.pem -ca-key=ca-key.pem ca-csr.json | cfssljson -bare ca2\n\
         cfssl genkey server-csr.json | cfssljson -bare server\n\
         cfssl sign -ca ca.pem -ca-key ca-key.pem -cert nothing.pem server.csr | cfssljson -bare s1\n\
         cfssl gencert -ca ca.pem -ca-key ca-key.pem -csr nothing.csr server-csr.json | cfssljson -bare s2",
    );
    let stderr = runs[0].stderr();
    for ignored in [
        "-ca=ca.pem",
        "-ca-key=ca-key.pem",
        "-cert nothing.pem",
        "-csr nothing.csr",
    ] {
        assert!(
            stderr.contains(&format!(
                "{ignored} is a cfssl flag this command does not use"
            )),
            "no warning for {ignored}: {stderr}"
        );
    }
}

#[test]
fn the_certkit_name_stays_strict() {
    let files = with_ca();
    let certkit = &tools()[0];
    for script in [
        "certkit gencert -initca ca-csr.json | certkit json -bare ca -",
        "certkit genkey -ca ca.pem ca-csr.json",
    ] {
        let run = run_script(certkit, &files, script);
        assert_eq!(run.out.status.code(), Some(2), "{script}: {}", run.stderr());
    }
}
