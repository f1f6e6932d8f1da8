//! Where cfssl is merely lenient, certkit under the cfssl names accepts
//! the same command lines and says what it ignored. Each script runs
//! literally through `cfssl`/`cfssljson` symlinks to certkit and against
//! Debian's cfssl 1.2.0 (and current cfssl when built); certkit must
//! succeed where they do and write the same files.

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
    runs[0].assert_stderr("extra argument \"-\" ignored");
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

/// `"hosts": [""]` (cfssl's test data, CoreOS and Kubernetes guides): the
/// empty entry is dropped with a warning, and `-hostname` still wins.
#[test]
fn empty_hosts_entries_are_dropped() {
    let mut files = with_ca();
    files.push((
        "empty-hosts.json",
        br#"{"CN":"etcd","hosts":[""]}"#.to_vec(),
    ));
    let runs = same_outcome(
        &files,
        "cfssl genkey empty-hosts.json | cfssljson -bare plain\n\
         cfssl gencert -ca=ca.pem -ca-key=ca-key.pem -hostname=etcd.example empty-hosts.json | cfssljson -bare named",
    );
    let ours = &runs[0];
    ours.assert_stderr("hosts: empty entries dropped");
    let csr = support::run(
        ours.dir.path(),
        &support::require_tool("openssl"),
        &["req", "-in", "plain.csr", "-noout", "-text"],
        None,
    );
    assert!(!String::from_utf8_lossy(&csr.stdout).contains("Subject Alternative Name"));
    let text = support::x509_text(ours.dir.path(), "named.pem");
    assert!(text.contains("DNS:etcd.example"), "{text}");
}

/// HashiCorp Nomad's TLS guide: `-profile=client` with no `-config` signs
/// with cfssl's default profile, with a warning.
#[test]
fn a_profile_without_a_config_uses_the_default() {
    let files = with_ca();
    let runs = same_outcome(
        &files,
        r#"echo '{"CN":"cli"}' | cfssl gencert -ca=ca.pem -ca-key=ca-key.pem -profile=client - | cfssljson -bare cli"#,
    );
    runs[0].assert_stderr("no -config given");
    // A profile missing from a config that has profiles stays an error.
    let mut files = files;
    files.push(("config.json", br#"{"signing":{"default":{"expiry":"1h","usages":["server auth"]},"profiles":{"server":{"expiry":"1h","usages":["server auth"]}}}}"#.to_vec()));
    let run = run_script(&tools()[0], &files, "cfssl gencert -ca=ca.pem -ca-key=ca-key.pem -config=config.json -profile=client server-csr.json");
    assert_eq!(run.out.status.code(), Some(1), "{}", run.stderr());
}

/// HashiCorp Nomad's TLS guide sends `{}`: an empty subject and no SAN,
/// which RFC 5280 forbids. Under cfssl's names certkit issues what cfssl
/// issues, with one warning; under `certkit` it refuses, naming the flag
/// (README "Migrating from cfssl"). `sign` of such a CSR likewise.
#[test]
fn nomads_empty_request_is_issued_as_cfssl_does() {
    let files = with_ca();
    let script = "echo '{}' | cfssl gencert -ca=nomad-agent-ca.pem -ca-key=nomad-agent-ca-key.pem -profile=client - | cfssljson -bare cli\n\
         echo '{}' | cfssl genkey - | cfssljson -bare empty\n\
         cfssl sign -ca nomad-agent-ca.pem -ca-key nomad-agent-ca-key.pem empty.csr | cfssljson -bare signed";
    let files: Vec<(&str, Vec<u8>)> = files
        .into_iter()
        .map(|(name, pem)| match name {
            "ca.pem" => ("nomad-agent-ca.pem", pem),
            "ca-key.pem" => ("nomad-agent-ca-key.pem", pem),
            _ => (name, pem),
        })
        .collect();
    let runs = same_outcome(&files, script);
    runs[0].assert_stderr("the certificate names no one");
    // What each certificate says: subject, SAN, EKU. certkit drops
    // keyEncipherment for the EC key (its own README row), so KeyUsage
    // is compared without it.
    let said = |run: &Run, file: &str| {
        let text = support::x509_text(run.dir.path(), file);
        let line_after = |header: &str| {
            let mut lines = text.lines();
            lines.find(|l| l.contains(header));
            lines
                .next()
                .unwrap_or("")
                .trim()
                .replace(", Key Encipherment", "")
        };
        let subject = text
            .lines()
            .find(|l| l.trim_start().starts_with("Subject:"))
            .unwrap_or("")
            .trim()
            .to_string();
        (
            subject,
            text.contains("Subject Alternative Name"),
            line_after("X509v3 Key Usage"),
            line_after("X509v3 Extended Key Usage"),
        )
    };
    for file in ["cli.pem", "signed.pem"] {
        let ours = said(&runs[0], file);
        assert_eq!(ours.0, "Subject:", "{file}: {ours:?}");
        assert!(!ours.1, "{file}: no SAN");
    }
    assert_same_per_file(&runs, &["cli.pem", "signed.pem"], said);
    // Under its own name certkit stays strict and names the flag.
    for certkit in [
        "echo '{}' | certkit gencert -ca=nomad-agent-ca.pem -ca-key=nomad-agent-ca-key.pem -profile=client -",
        "echo '{}' | cfssl genkey - | cfssljson -bare empty\n\
         certkit sign -ca nomad-agent-ca.pem -ca-key nomad-agent-ca-key.pem empty.csr",
    ] {
        let refused = run_script(&tools()[0], &files, certkit);
        assert!(!refused.ok(), "{}", refused.stderr());
        refused.assert_stderr("-allow-empty-subject issues it anyway");
        let allowed = run_script(
            &tools()[0],
            &files,
            &certkit.replace("-ca=", "-allow-empty-subject -ca=").replace("-ca n", "-allow-empty-subject -ca n"),
        );
        assert!(allowed.ok(), "{}", allowed.stderr());
        allowed.assert_stderr("the certificate names no one");
    }
}

/// A profile whose validity starts after the CA expires: capping would
/// leave nothing, so it is issued as configured, with a warning.
#[test]
fn the_ca_expiry_cap_never_turns_a_valid_config_into_an_error() {
    let short_ca = r#"{"CN":"Short CA","key":{"algo":"ecdsa","size":256},"ca":{"expiry":"2h"}}"#;
    let (ca, key) = cfssl_ca(short_ca);
    let at = |hours: i64| {
        (time::OffsetDateTime::now_utc() + time::Duration::hours(hours))
            .replace_nanosecond(0)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let config = format!(
        r#"{{"signing":{{"default":{{"usages":["server auth"],"expiry":"720h","not_before":"{}","not_after":"{}"}}}}}}"#,
        at(3),
        at(24 * 30)
    );
    let files = vec![
        ("ca.pem", ca),
        ("ca-key.pem", key),
        ("late.json", config.into_bytes()),
        ("server-csr.json", SERVER_CSR.as_bytes().to_vec()),
    ];
    let runs = same_outcome(
        &files,
        "cfssl gencert -ca ca.pem -ca-key ca-key.pem -config late.json server-csr.json | cfssljson -bare late",
    );
    runs[0].assert_stderr("issued as configured");
    let ends = |run: &Run| {
        support::run(
            run.dir.path(),
            &support::require_tool("openssl"),
            &["x509", "-in", "late.pem", "-noout", "-enddate"],
            None,
        )
        .stdout
    };
    assert_eq!(ends(&runs[0]), ends(&runs[1]));
}

/// cfssl's signer/local/testdata case: a CA profile without
/// `max_path_len` signing CA CSRs under a pathlen-1 issuer. cfssl 1.2.0 and
/// current ignore the CSR's BasicConstraints (the profile decides:
/// `CA:TRUE`, no pathlen), whether the CSR asks for pathlen 0 or for none;
/// certkit issues the same, warning where it would have chosen otherwise.
/// The issuer's pathlen still binds validators: a CA under the new one
/// does not verify.
#[test]
fn a_ca_only_profile_issues_the_profiles_basic_constraints() {
    let (ca, key) =
        cfssl_ca(r#"{"CN":"Root","key":{"algo":"ecdsa","size":256},"ca":{"pathlen":1}}"#);
    let files = vec![
        ("ca.pem", ca),
        ("ca-key.pem", key),
        ("ca-only.json", br#"{"signing":{"default":{"expiry":"8760h"},"profiles":{"ca":{"usages":["cert sign","crl sign"],"ca_constraint":{"is_ca":true},"expiry":"8760h"}}}}"#.to_vec()),
    ];
    let runs = same_outcome(
        &files,
        "openssl ecparam -name prime256v1 -genkey -noout -out int-key.pem\n\
         openssl req -new -key int-key.pem -subj /CN=Int0 -addext basicConstraints=critical,CA:TRUE,pathlen:0 -out int0.csr\n\
         openssl req -new -key int-key.pem -subj /CN=Int -addext basicConstraints=critical,CA:TRUE -out int.csr\n\
         cfssl sign -ca ca.pem -ca-key ca-key.pem -config ca-only.json -profile ca int0.csr | cfssljson -bare int0\n\
         cfssl sign -ca ca.pem -ca-key ca-key.pem -config ca-only.json -profile ca int.csr | cfssljson -bare int",
    );
    runs[0].assert_stderr("the CSR asks for pathlen 0 but profile \"ca\" sets no max_path_len");
    runs[0].assert_stderr("validators still apply the issuer's pathlen of 1");
    let basic_constraints = |run: &Run, file: &str| {
        let text = support::x509_text(run.dir.path(), file);
        let mut lines = text.lines();
        lines.find(|l| l.contains("X509v3 Basic Constraints"));
        lines.next().unwrap_or("").trim().to_string()
    };
    assert_eq!(basic_constraints(&runs[0], "int.pem"), "CA:TRUE");
    assert_same_per_file(&runs, &["int0.pem", "int.pem"], basic_constraints);
    // A CA under the pathlen-less intermediate is issued, but the root's
    // pathlen of 1 leaves no room for it in a chain: openssl refuses its
    // leaf.
    let ours = &runs[0];
    let sub = run_script(
        &tools()[0],
        &[
            ("ca.pem", ours.read("ca.pem").into_bytes()),
            ("int.pem", ours.read("int.pem").into_bytes()),
            ("int-key.pem", ours.read("int-key.pem").into_bytes()),
            ("ca-only.json", files[2].1.clone()),
        ],
        "openssl ecparam -name prime256v1 -genkey -noout -out sub-key.pem\n\
         openssl req -new -key sub-key.pem -subj /CN=Sub -addext basicConstraints=critical,CA:TRUE -out sub.csr\n\
         cfssl sign -ca int.pem -ca-key int-key.pem -config ca-only.json -profile ca sub.csr | cfssljson -bare sub\n\
         openssl verify -CAfile ca.pem -untrusted int.pem sub.pem\n\
         echo '{\"CN\":\"leaf\"}' | cfssl gencert -ca sub.pem -ca-key sub-key.pem - | cfssljson -bare leaf\n\
         cat int.pem sub.pem > chain.pem\n\
         ! openssl verify -CAfile ca.pem -untrusted chain.pem leaf.pem 2> verify.err\n\
         grep -q 'path length constraint exceeded' verify.err",
    );
    assert!(sub.ok(), "{}", sub.stderr());
}

/// Config fields cfssl acts on and certkit does not (pre-issuance
/// linting, CT submission), and a field of the OCSP section neither
/// knows, are accepted with a warning naming each, never silently.
#[test]
fn unimplemented_config_fields_are_named() {
    let mut files = with_ca();
    files.push(("quiet.json", br#"{"signing":{"default":{"usages":["digital signature","server auth"],"expiry":"720h","ignored_lints":["e_sub_cert_aia_missing"],"allowed_extensions":["1.2.3.4"]}},"ocsp":{"ca_cert_file":"ca.pem"}}"#.to_vec()));
    let runs = same_outcome(
        &files,
        "cfssl gencert -ca ca.pem -ca-key ca-key.pem -config quiet.json server-csr.json | cfssljson -bare q",
    );
    for field in ["ocsp.ca_cert_file:", "ignored_lints:"] {
        runs[0].assert_stderr(field);
    }
    // Current cfssl would lint (and refuse lint errors); 1.2.0 ignores
    // the field, as certkit does, with a warning.
    files.push(("lint.json", br#"{"signing":{"default":{"usages":["digital signature","server auth"],"expiry":"720h","lint_error_level":6}}}"#.to_vec()));
    let script = "cfssl gencert -ca ca.pem -ca-key ca-key.pem -config lint.json server-csr.json | cfssljson -bare l";
    let tools = tools();
    let (ours, old) = (
        run_script(&tools[0], &files, script),
        run_script(&tools[1], &files, script),
    );
    assert_same(&ours, &old, script);
    ours.assert_stderr("lint_error_level: certificates are not linted");
    // cfssl submits to CT logs (and waits on them); certkit does not.
    files.push(("ct.json", br#"{"signing":{"default":{"usages":["digital signature","server auth"],"expiry":"720h","ct_log_servers":["https://ct.example/log"]}}}"#.to_vec()));
    let ct = run_script(&tools[0], &files, "cfssl gencert -ca ca.pem -ca-key ca-key.pem -config ct.json server-csr.json | cfssljson -bare c");
    assert!(ct.ok(), "{}", ct.stderr());
    ct.assert_stderr("ct_log_servers: precertificates are not submitted");
}
