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
