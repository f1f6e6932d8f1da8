//! `certkit verify` agrees with `openssl verify -purpose ... -verify_hostname`
//! on good chains and on chains broken in each way a chain breaks: wrong
//! host, expired, wrong EKU, pathlen exceeded, missing intermediate, and
//! an issuer that is not a CA. The broken chains are made with openssl,
//! since certkit refuses to issue them.

use std::path::Path;
use std::time::{Duration, SystemTime};
use support::chain::{ok_in, run_in};
use support::{certkit, require_tool};

/// Makes `name.pem` / `name.key` (P-256), signed by `issuer` (or self-signed).
fn make(dir: &Path, name: &str, issuer: Option<&str>, extensions: &str) {
    let openssl = require_tool("openssl");
    let ext_file = format!("{name}.ext");
    std::fs::write(
        dir.join(&ext_file),
        format!("[v3]\n{extensions}\nsubjectKeyIdentifier=hash\n"),
    )
    .unwrap();
    let subj = format!("/O=verify test/CN={name}");
    let key = format!("{name}.key");
    let csr = format!("{name}.csr");
    let pem = format!("{name}.pem");
    ok_in(
        dir,
        &openssl,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &csr,
            "-subj",
            &subj,
        ],
        b"",
    );
    let mut args = vec![
        "x509",
        "-req",
        "-in",
        &csr,
        "-days",
        "365",
        "-extfile",
        &ext_file,
        "-extensions",
        "v3",
        "-out",
        &pem,
    ];
    let (ca_pem, ca_key);
    match issuer {
        Some(issuer) => {
            ca_pem = format!("{issuer}.pem");
            ca_key = format!("{issuer}.key");
            args.extend(["-CA", &ca_pem, "-CAkey", &ca_key, "-set_serial", "0x1234"]);
        }
        None => args.extend(["-key", &key]),
    }
    ok_in(dir, &openssl, &args, b"");
}

const CA: &str = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign";
const CA_PATHLEN_0: &str =
    "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign";
const SERVER: &str =
    "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:good.example";
const CLIENT: &str =
    "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:good.example";
const NOT_CA: &str =
    "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyCertSign";

fn build_pki(dir: &Path) {
    make(dir, "root", None, CA);
    make(dir, "int", Some("root"), CA_PATHLEN_0);
    make(dir, "server", Some("int"), SERVER);
    make(dir, "client", Some("int"), CLIENT);
    make(dir, "int2", Some("int"), CA);
    make(dir, "deep", Some("int2"), SERVER);
    make(dir, "notca", Some("int"), NOT_CA);
    make(dir, "underleaf", Some("notca"), SERVER);
}

struct Case {
    name: &'static str,
    leaf: &'static str,
    intermediates: &'static [&'static str],
    purpose: &'static str,
    host: &'static str,
    years_ahead: u64,
    valid: bool,
}

const CASES: &[Case] = &[
    Case {
        name: "good server",
        leaf: "server",
        intermediates: &["int"],
        purpose: "server",
        host: "good.example",
        years_ahead: 0,
        valid: true,
    },
    Case {
        name: "good client",
        leaf: "client",
        intermediates: &["int"],
        purpose: "client",
        host: "good.example",
        years_ahead: 0,
        valid: true,
    },
    Case {
        name: "wrong host",
        leaf: "server",
        intermediates: &["int"],
        purpose: "server",
        host: "bad.example",
        years_ahead: 0,
        valid: false,
    },
    Case {
        name: "expired",
        leaf: "server",
        intermediates: &["int"],
        purpose: "server",
        host: "good.example",
        years_ahead: 2,
        valid: false,
    },
    Case {
        name: "client cert as server",
        leaf: "client",
        intermediates: &["int"],
        purpose: "server",
        host: "good.example",
        years_ahead: 0,
        valid: false,
    },
    Case {
        name: "server cert as client",
        leaf: "server",
        intermediates: &["int"],
        purpose: "client",
        host: "good.example",
        years_ahead: 0,
        valid: false,
    },
    Case {
        name: "pathlen exceeded",
        leaf: "deep",
        intermediates: &["int2", "int"],
        purpose: "server",
        host: "good.example",
        years_ahead: 0,
        valid: false,
    },
    Case {
        name: "missing intermediate",
        leaf: "server",
        intermediates: &[],
        purpose: "server",
        host: "good.example",
        years_ahead: 0,
        valid: false,
    },
    Case {
        name: "issuer not a CA",
        leaf: "underleaf",
        intermediates: &["notca", "int"],
        purpose: "server",
        host: "good.example",
        years_ahead: 0,
        valid: false,
    },
];

#[test]
fn verify_agrees_with_openssl() {
    let openssl = require_tool("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    build_pki(d);
    for case in CASES {
        let mut ints = String::new();
        for i in case.intermediates {
            ints.push_str(&std::fs::read_to_string(d.join(format!("{i}.pem"))).unwrap());
        }
        std::fs::write(d.join("ints.pem"), ints).unwrap();
        let at = SystemTime::now() + Duration::from_secs(case.years_ahead * 366 * 24 * 3600 + 3600);
        let epoch = at
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string();
        let rfc3339 = time::OffsetDateTime::from(at)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let leaf = format!("{}.pem", case.leaf);
        let ssl_purpose = if case.purpose == "server" {
            "sslserver"
        } else {
            "sslclient"
        };
        let mut ssl_args = vec![
            "verify",
            "-CAfile",
            "root.pem",
            "-purpose",
            ssl_purpose,
            "-verify_hostname",
            case.host,
        ];
        ssl_args.extend(["-attime", &epoch]);
        if !case.intermediates.is_empty() {
            ssl_args.extend(["-untrusted", "ints.pem"]);
        }
        ssl_args.push(&leaf);
        let theirs = run_in(d, &openssl, &ssl_args, b"");
        let mut our_args = vec![
            "verify",
            "-ca-bundle",
            "root.pem",
            "-purpose",
            case.purpose,
            "-hostname",
            case.host,
        ];
        our_args.extend(["-at", &rfc3339]);
        if !case.intermediates.is_empty() {
            our_args.extend(["-int-bundle", "ints.pem"]);
        }
        our_args.push(&leaf);
        let ours = run_in(d, &certkit(), &our_args, b"");
        let stderr = String::from_utf8_lossy(&ours.stderr);
        assert_eq!(
            theirs.status.success(),
            case.valid,
            "{}: openssl disagrees with the case: {}",
            case.name,
            String::from_utf8_lossy(&theirs.stdout)
        );
        assert_eq!(
            ours.status.success(),
            case.valid,
            "{}: certkit: {stderr}",
            case.name
        );
        if !case.valid {
            assert_eq!(ours.status.code(), Some(1), "{}", case.name);
            assert!(
                stderr.contains(&leaf),
                "{}: the message names the input: {stderr}",
                case.name
            );
            assert_eq!(
                stderr.trim().lines().count(),
                1,
                "{}: one line: {stderr}",
                case.name
            );
        }
    }
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(format!("{name}.pem"))).unwrap()
}

#[test]
fn reasons_name_the_failed_check() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    build_pki(d);
    let reason = |args: &[&str]| {
        String::from_utf8_lossy(&run_in(d, &certkit(), args, b"").stderr).into_owned()
    };
    let r = reason(&[
        "verify",
        "-ca-bundle",
        "root.pem",
        "-int-bundle",
        "int.pem",
        "-hostname",
        "bad.example",
        "server.pem",
    ]);
    assert!(r.contains("hostname") && r.contains("bad.example"), "{r}");
    let r = reason(&[
        "verify",
        "-ca-bundle",
        "root.pem",
        "-int-bundle",
        "int.pem",
        "-purpose",
        "server",
        "client.pem",
    ]);
    assert!(r.contains("extended key usage"), "{r}");
    let r = reason(&[
        "verify",
        "-ca-bundle",
        "root.pem",
        "-int-bundle",
        "int.pem",
        "-at",
        "2100-01-01T00:00:00Z",
        "server.pem",
    ]);
    assert!(
        r.contains("validity") && r.contains("leaf") && r.contains("CN=server"),
        "{r}"
    );
    std::fs::write(
        d.join("deep-ints.pem"),
        [read(d, "int2"), read(d, "int")].concat(),
    )
    .unwrap();
    let r = reason(&[
        "verify",
        "-ca-bundle",
        "root.pem",
        "-int-bundle",
        "deep-ints.pem",
        "deep.pem",
    ]);
    assert!(r.contains("path length") && r.contains("CN=int,"), "{r}");
    std::fs::write(
        d.join("notca-ints.pem"),
        [read(d, "notca"), read(d, "int")].concat(),
    )
    .unwrap();
    let r = reason(&[
        "verify",
        "-ca-bundle",
        "root.pem",
        "-int-bundle",
        "notca-ints.pem",
        "underleaf.pem",
    ]);
    assert!(r.contains("not a CA") && r.contains("CN=notca"), "{r}");
    let r = reason(&["verify", "-ca-bundle", "root.pem", "server.pem"]);
    assert!(r.contains("no path"), "{r}");
    let ok = run_in(
        d,
        &certkit(),
        &[
            "verify",
            "-ca-bundle",
            "root.pem",
            "-int-bundle",
            "int.pem",
            "-purpose",
            "any",
            "client.pem",
        ],
        b"",
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

/// `bundle` builds its own chains (as cfssl does, not with webpki): it
/// must refuse the same broken chains, with cfssl's codes.
#[test]
fn bundle_refuses_the_same_broken_chains() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    build_pki(d);
    std::fs::write(
        d.join("deep-ints.pem"),
        [read(d, "int2"), read(d, "int")].concat(),
    )
    .unwrap();
    std::fs::write(
        d.join("notca-ints.pem"),
        [read(d, "notca"), read(d, "int")].concat(),
    )
    .unwrap();
    for (leaf, ints, code) in [
        ("server.pem", "int.pem", None),
        ("deep.pem", "deep-ints.pem", Some(1213)),
        ("underleaf.pem", "notca-ints.pem", Some(1210)),
    ] {
        let args = [
            "bundle",
            "-cert",
            leaf,
            "-ca-bundle",
            "root.pem",
            "-int-bundle",
            ints,
            "-flavor",
            "optimal",
        ];
        let out = run_in(d, &certkit(), &args, b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        match code {
            None => assert!(out.status.success(), "{leaf}: {stderr}"),
            Some(code) => assert!(
                stderr.contains(&format!("(cfssl error {code})")),
                "{leaf}: {stderr}"
            ),
        }
    }
}
