//! Scripts in the shapes found in public repositories (Makefiles with
//! continued lines, CI shell scripts, `cfssljson -bare` without a name,
//! `-cn` overrides, renaming the outputs), written here, run literally
//! through the cfssl symlinks and against cfssl 1.2.0 and current cfssl.

use support::scripts::*;

fn inputs() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("ca-csr.json", br#"{"CN":"Example CA","key":{"algo":"rsa","size":2048},"names":[{"C":"US","O":"Example"}]}"#.to_vec()),
        ("server-csr.json", br#"{"CN":"api","hosts":["api.example","127.0.0.1"],"key":{"algo":"ecdsa","size":256}}"#.to_vec()),
        ("client-csr.json", br#"{"CN":"client","hosts":[""],"key":{"algo":"ecdsa","size":256}}"#.to_vec()),
        ("ca-config.json", br#"{"signing":{"default":{"expiry":"168h"},"profiles":{"server":{"expiry":"8760h","usages":["signing","key encipherment","server auth"]},"client":{"expiry":"8760h","usages":["signing","key encipherment","client auth"]}}}}"#.to_vec()),
        ("Makefile", b"CA_FILES := ca.csr ca-key.pem ca.pem\n\
all: server.pem client.pem\n\
$(CA_FILES): ca-csr.json\n\
\tcfssl gencert \\\n\t\t-initca ca-csr.json \\\n\t| cfssljson -bare ca\n\
server.pem: server-csr.json ca-config.json $(CA_FILES)\n\
\tcfssl gencert \\\n\t\t-ca ca.pem \\\n\t\t-ca-key ca-key.pem \\\n\t\t-config ca-config.json \\\n\t\t-profile server \\\n\t\tserver-csr.json \\\n\t| cfssljson -bare server\n\
client.pem: client-csr.json ca-config.json $(CA_FILES)\n\
\tcfssl gencert -ca=ca.pem -ca-key=ca-key.pem -config=ca-config.json -profile=client -cn=\"admin\" client-csr.json | cfssljson -bare client\n".to_vec()),
    ]
}

#[test]
fn a_makefile_builds_the_same_files() {
    let runs = same_outcome(&inputs(), "make -s");
    for run in &runs {
        let client = support::x509_text(run.dir.path(), "client.pem");
        assert!(
            client.contains("CN = admin") || client.contains("CN=admin"),
            "{}: {client}",
            run.label
        );
    }
}

#[test]
fn a_ci_script_with_renames_and_an_unnamed_bare() {
    same_outcome(
        &inputs(),
        "set -o errexit -o nounset\n\
         cfssl genkey -initca ca-csr.json | cfssljson -bare ca\n\
         mv ca-key.pem ca.key && mv ca.pem ca.crt\n\
         cfssl gencert -ca ca.crt -ca-key ca.key -hostname='api,api.svc' server-csr.json | cfssljson -bare\n\
         test -s cert.pem && test -s cert-key.pem\n\
         cfssl certinfo -cert cert.pem | grep -q '\"common_name\": \"api\"'\n\
         openssl verify -CAfile ca.crt cert.pem",
    );
}

/// An etcd guide's shape: GNU-style `--initca=true` and `--bare`, a base
/// name with a directory, a one-hour CA signing a year-long certificate
/// (certkit caps it at the CA's expiry, with a warning).
#[test]
fn an_etcd_guide_with_double_dash_flags_and_paths() {
    let mut files = inputs();
    files.push((
        "etcd-root-ca-csr.json",
        br#"{"CN":"etcd-root-ca","key":{"algo":"rsa","size":2048},"names":[{"O":"etcd","OU":"etcd Security","C":"US"}],"ca":{"expiry":"1h"}}"#.to_vec(),
    ));
    files.push(("certs/.keep", Vec::new()));
    let runs = same_outcome(
        &files,
        "cfssl gencert --initca=true ./etcd-root-ca-csr.json | cfssljson --bare ./etcd-root-ca\n\
         cfssl gencert --ca ./etcd-root-ca.pem --ca-key ./etcd-root-ca-key.pem \\\n\
           --config ca-config.json --profile=server --hostname=10.0.0.10,127.0.0.1 \\\n\
           server-csr.json | cfssljson --bare certs/etcd-server",
    );
    let listing = support::listing(&runs[0].dir.path().join("certs"));
    assert_eq!(
        listing,
        [
            ".keep",
            "etcd-server-key.pem",
            "etcd-server.csr",
            "etcd-server.pem"
        ]
    );
    runs[0].assert_stderr("notAfter capped");
}

/// Install roles that name cfssljson `cfssl-json`, with the trailing `-`.
#[test]
fn cfssl_json_is_cfssljson() {
    let certkit = &tools()[0];
    let run = run_script(
        certkit,
        &inputs(),
        "cfssl gencert -initca ca-csr.json | cfssl-json -bare ca -\ntest -s ca-key.pem",
    );
    assert!(run.ok(), "{}", run.stderr());
}

/// In the manner of cfssl's `bundler/testdata/client-auth/build_certs.sh`
/// (written here from its description, not copied): requests wrapped in
/// `{"request": ...}`, which cfssl's gencert reads as an empty request, so
/// the intermediate and both leaves have an empty subject and no SAN. The
/// root is a plain request: both cfssl versions refuse an empty initca
/// ("missing subject information"), as certkit does. Under cfssl's names
/// certkit builds the same chain, with a warning per unnamed certificate.
#[test]
fn a_client_auth_chain_from_wrapped_requests() {
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("config.json", br#"{"signing":{"default":{"expiry":"8760h"},"profiles":{"intermediate":{"expiry":"8760h","usages":["cert sign","crl sign"],"ca_constraint":{"is_ca":true}},"server":{"expiry":"8760h","usages":["signing","key encipherment","server auth"]},"client":{"expiry":"8760h","usages":["signing","key encipherment","client auth"]}}}}"#.to_vec()),
        ("root.json", br#"{"CN":"Client Auth Root","key":{"algo":"ecdsa","size":256}}"#.to_vec()),
        ("int.json", br#"{"request":{"CN":"Client Auth Intermediate","key":{"algo":"ecdsa","size":256}}}"#.to_vec()),
        ("leaf-server.json", br#"{"request":{"CN":"server.example","hosts":["server.example"]}}"#.to_vec()),
        ("leaf-client.json", br#"{"request":{"CN":"client"}}"#.to_vec()),
    ];
    let script = "cfssl gencert -initca root.json | cfssljson -bare root\n\
         cfssl gencert -ca root.pem -ca-key root-key.pem -config config.json -profile intermediate int.json | cfssljson -bare int\n\
         cfssl gencert -ca int.pem -ca-key int-key.pem -config config.json -profile server leaf-server.json | cfssljson -bare leaf-server\n\
         cfssl gencert -ca int.pem -ca-key int-key.pem -config config.json -profile client leaf-client.json | cfssljson -bare leaf-client";
    let runs = same_outcome(&files, script);
    runs[0].assert_stderr("the certificate names no one");
    // Subject, issuer, BasicConstraints, SAN and EKU of each certificate.
    let said = |run: &Run, file: &str| {
        let out = support::run(
            run.dir.path(),
            &support::require_tool("openssl"),
            &[
                "x509",
                "-in",
                file,
                "-noout",
                "-subject",
                "-issuer",
                "-ext",
                "basicConstraints,subjectAltName,extendedKeyUsage",
            ],
            None,
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_same_per_file(
        &runs,
        &["root.pem", "int.pem", "leaf-server.pem", "leaf-client.pem"],
        said,
    );
    assert!(said(&runs[0], "leaf-client.pem").contains("subject=\nissuer=\n"));
}
