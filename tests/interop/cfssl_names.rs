//! certkit under cfssl's other names and output shapes: `certinfo -csr`
//! in Go's x509.CertificateRequest shape, `cfssl-certinfo`,
//! `cfssl-bundle`, `cfssl-newkey`, `mkbundle`; compared with Debian's
//! cfssl 1.2.0 and current cfssl (when built).

use serde_json::Value;
use support::scripts::*;

/// Three CSRs: ECDSA from cfssl's genkey (DNS, IP, email SANs), RSA from
/// openssl with a critical BasicConstraints, a repeated O, an email
/// attribute and a URI SAN.
const MAKE_CSRS: &str = "\
echo '{\"CN\":\"svc\",\"hosts\":[\"svc.example\",\"10.0.0.1\",\"ops@svc.example\"],\"names\":[{\"O\":\"Org\",\"C\":\"US\"}]}' > s.json
/usr/bin/cfssl genkey s.json 2>/dev/null | /usr/bin/cfssljson -bare ecdsa
openssl genrsa -out rsa-key.pem 2048 2>/dev/null
openssl req -new -key rsa-key.pem -subj '/CN=r/O=a/O=b/emailAddress=x@y.z/serialNumber=42' \
  -addext basicConstraints=critical,CA:TRUE,pathlen:0 \
  -addext 'subjectAltName=URI:spiffe://td/ns/a,DNS:a.example,IP:::1' -out rsa.csr
";

/// Parses cfssl-style JSON whose big integers (an RSA modulus: 617
/// digits) overflow f64: digit runs of 20 or more become strings, the
/// same on both sides, so they are compared exactly.
fn parse_go_json(text: &str) -> Value {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let mut in_string = false;
    let mut prev = ' ';
    for c in text.chars().chain(std::iter::once(' ')) {
        if !in_string && c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if digits.len() >= 20 {
            out.push_str(&format!("\"{digits}\""));
        } else {
            out.push_str(&digits);
        }
        digits.clear();
        if c == '"' && prev != '\\' {
            in_string = !in_string;
        }
        prev = c;
        out.push(c);
    }
    serde_json::from_str(&out).unwrap()
}

/// Go's keys as cfssl prints them; certkit must print each with the same
/// value. cfssl 1.2.0's older Go shows a critical extension's Value in
/// `Attributes` as null where current Go shows true.
#[test]
fn certinfo_csr_prints_gos_certificate_request() {
    let made = run_script(&tools()[1], &[], MAKE_CSRS);
    assert!(made.ok(), "{}", made.stderr());
    let files: Vec<(&str, Vec<u8>)> = ["ecdsa.csr", "rsa.csr"]
        .into_iter()
        .map(|n| (n, made.read(n).into_bytes()))
        .collect();
    for (csr, _) in &files {
        let script =
            format!("cfssl certinfo -csr {csr} > out.json\ncfssl-certinfo -csr {csr} > out2.json");
        let runs = run_all(&files, &script);
        let ours: Value = parse_go_json(&runs[0].read("out.json"));
        let ours2: Value = parse_go_json(&runs[0].read("out2.json"));
        assert_eq!(
            ours, ours2,
            "cfssl-certinfo prints what cfssl certinfo does"
        );
        assert!(ours["subject"].is_object(), "certkit's own keys follow");
        for theirs in &runs[1..] {
            let reference: Value = parse_go_json(&theirs.read("out.json"));
            let keys = reference.as_object().unwrap();
            assert!(keys.len() >= 16, "{keys:?}");
            for (key, value) in keys {
                if key == "Attributes" && theirs.label == "cfssl 1.2.0" {
                    continue;
                }
                assert_eq!(
                    &ours[key], value,
                    "{csr}: {key} differs from {}",
                    theirs.label
                );
            }
        }
    }
}

/// `cfssl-newkey` is genkey; `cfssl-bundle` is bundle, and cfssljson
/// writes NAME-bundle.pem as the chain alone (cfssljson 1.2.0; current
/// cfssljson writes nothing for `cfssl bundle` output), plus NAME-root.pem.
#[test]
fn newkey_and_bundle_names() {
    let (ca, key) = cfssl_ca(r#"{"CN":"Names Root","key":{"algo":"ecdsa","size":256}}"#);
    let files = vec![
        ("ca.pem", ca),
        ("ca-key.pem", key),
        (
            "leaf.json",
            br#"{"CN":"leaf","hosts":["leaf.example"]}"#.to_vec(),
        ),
    ];
    same_outcome(&files, "cfssl-newkey leaf.json | cfssljson -bare newkey");
    let script = "cfssl gencert -ca ca.pem -ca-key ca-key.pem leaf.json | cfssljson -bare leaf\n\
                  cfssl-bundle -cert leaf.pem -ca-bundle ca.pem > bundle.json\n\
                  cfssljson -bare served < bundle.json";
    let runs = run_all(&files, script);
    let (ours, old) = (&runs[0], &runs[1]);
    assert!(ours.ok() && old.ok(), "{}\n{}", ours.stderr(), old.stderr());
    let bundle: Value = serde_json::from_str(&ours.read("bundle.json")).unwrap();
    assert_eq!(
        ours.read("served-bundle.pem"),
        bundle["bundle"].as_str().unwrap()
    );
    assert!(old.files.contains(&"served-bundle.pem".to_string()));
    assert_eq!(
        ours.files,
        [old.files.clone(), vec!["served-root.pem".to_string()]].concat(),
        "cfssljson 1.2.0's files and the root"
    );
}

/// mkbundle (current cfssl) and cfssl-mkbundle (Debian): the valid
/// certificates of a directory in one file; the expired one, a key and a
/// text file are skipped (certkit with `-allow-sha1`: see the script).
#[test]
fn mkbundle_collects_valid_certificates() {
    let fx = |n: &str| std::fs::read(support::fixtures().join("cfssl/bundler").join(n)).unwrap();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("certs/ca.pem", fx("ca.pem")),
        ("certs/inter-L1.pem", fx("inter-L1.pem")),
        ("certs/sub/inter-L2.pem", fx("inter-L2.pem")),
        ("certs/inter-L1-expired.pem", fx("inter-L1-expired.pem")),
        ("certs/ca.key", fx("ca.key")),
        ("certs/readme.txt", b"not a certificate\n".to_vec()),
    ];
    // ca.pem is a 1024-bit root and inter-L1 is SHA-1-signed: certkit
    // skips both unless -allow-sha1 (as bundle and verify refuse them),
    // which cfssl's mkbundle does not know, so only certkit gets it.
    let script = "MK=mkbundle; command -v mkbundle >/dev/null || MK=cfssl-mkbundle\n\
                  ALLOW=; case \"$(readlink -f \"$(command -v $MK)\")\" in *certkit) ALLOW=-allow-sha1;; esac\n\
                  $MK $ALLOW -f int.crt certs";
    let runs = same_outcome(&files, script);
    let blocks = |run: &Run| {
        let mut b: Vec<String> = run
            .read("int.crt")
            .split("-----END CERTIFICATE-----")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        b.sort();
        b
    };
    assert_eq!(blocks(&runs[0]).len(), 3);
    for theirs in &runs[1..] {
        assert_eq!(blocks(&runs[0]), blocks(theirs), "{}", theirs.label);
    }
}
