//! Differential tests against Debian's cfssl 1.2.0: for each key
//! algorithm, request shape and signing profile, certkit and cfssl both
//! issue (or both refuse), and the normalized certificates are equal
//! except for the deliberate differences named in `expected_from_cfssl`.
//! pkilint checks every certificate certkit issues here.
//!
//! Keys are made once per algorithm (a CA key and one subject key; CSRs
//! for the request shapes come from `certkit gencsr -key`), so RSA-4096
//! is generated twice in the whole suite. The request-to-certificate path
//! (`gencert`, `gencert -initca`) runs with ECDSA P-256 keys.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::certfields::{read, CertFields, Extra, KEY_ENCIPHERMENT};
use support::pkilint;
use tempfile::TempDir;

/// One profile per kind of certificate the issue names, using only what
/// cfssl 1.2.0 understands.
const CONFIG: &str = r#"{
  "signing": {
    "default": {"usages": ["digital signature", "key encipherment", "server auth"], "expiry": "876000h"},
    "profiles": {
      "server": {"usages": ["signing", "key encipherment", "server auth"], "expiry": "8760h"},
      "client": {"usages": ["signing", "key encipherment", "client auth"], "expiry": "8760h"},
      "peer": {"usages": ["signing", "key encipherment", "server auth", "client auth"], "expiry": "8760h"},
      "intermediate": {"usages": ["cert sign", "crl sign"], "expiry": "43800h",
        "ca_constraint": {"is_ca": true, "max_path_len": 0, "max_path_len_zero": true}},
      "full": {"usages": ["digital signature", "key encipherment", "server auth", "client auth", "ocsp signing"],
        "expiry": "720h", "backdate": "1h",
        "issuer_urls": ["http://ca.example.com/ca.der", "http://backup.example.com/ca.der"],
        "ocsp_url": "http://ocsp.example.com", "crl_url": "http://crl.example.com/ca.crl",
        "ocsp_no_check": true,
        "policies": [
          {"ID": "1.3.6.1.4.1.44947.1.1.1", "qualifiers": [
            {"type": "id-qt-cps", "value": "https://cps.example.com/cps"},
            {"type": "id-qt-unotice", "value": "Issued for interoperability tests"}]},
          {"ID": "2.23.140.1.2.1"}]}
    }
  }
}"#;

/// `None` is the default profile (no -profile flag).
const PROFILES: [Option<&str>; 6] = [
    None,
    Some("server"),
    Some("client"),
    Some("peer"),
    Some("intermediate"),
    Some("full"),
];

/// Where the key type changes nothing but the key, fewer profiles do:
/// one leaf profile with key encipherment, the CA profile, and the one
/// with every URL field and policies.
const KEY_PROFILES: [Option<&str>; 4] = [None, Some("server"), Some("intermediate"), Some("full")];

/// Request shapes, without the key section (added per algorithm).
const SHAPES: [(&str, &str); 4] = [
    (
        "org",
        r#""CN": "svc.example.com", "hosts": ["svc.example.com"],
           "names": [{"C": "US", "ST": "California", "L": "San Francisco", "O": "Example", "OU": "Platform"},
                     {"OU": "Security"}, {"O": "Example Two", "OU": "Ops"}],
           "serialnumber": "SN-0042""#,
    ),
    (
        "hosts",
        r#""CN": "mixed.example.com",
           "hosts": ["mixed.example.com", "www.mixed.example.com", "192.0.2.10", "10.0.34.2",
                     "2001:db8::10", "ops@example.com", "spiffe://cluster.local/ns/default/sa/web"],
           "names": [{"O": "Example"}]"#,
    ),
    (
        "ca",
        r#""CN": "Example Sub CA", "names": [{"C": "US", "O": "Example"}],
           "ca": {"pathlen": 1, "expiry": "87600h"}"#,
    ),
    ("bare", r#""CN": "bare.example.com""#),
];

fn tool(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("{name} is not on PATH: install golang-cfssl (scripts/test does)")
        })
}

fn run(program: &Path, args: &[&str], dir: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()))
}

/// The named PEM field of a command's JSON output, or the failure.
fn pem_field(out: &Output, field: &str) -> Result<String, String> {
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    v.get(field)
        .and_then(|c| c.as_str())
        .map(str::to_string)
        .ok_or_else(|| format!("no {field:?} in {}", String::from_utf8_lossy(&out.stdout)))
}

struct Lab {
    dir: TempDir,
    cfssl: PathBuf,
    algo: &'static str,
    size: u32,
}

impl Lab {
    /// A lab with a CA and a subject key of the given algorithm.
    fn new(algo: &'static str, size: u32) -> Lab {
        let lab = Lab {
            dir: TempDir::new().unwrap(),
            cfssl: tool("cfssl"),
            algo,
            size,
        };
        lab.write("config.json", CONFIG);
        lab.write(
            "ca.json",
            &lab.request(r#""CN": "Interop Root CA", "names": [{"C": "US", "O": "Example"}]"#),
        );
        let ca = lab.certkit(&["gencert", "-initca", "ca.json"]);
        lab.write("ca.pem", &pem_field(&ca, "cert").unwrap());
        lab.write("ca-key.pem", &pem_field(&ca, "key").unwrap());
        pkilint::lint_cert(&lab.path("ca.pem"));
        let key = lab.certkit(&["genkey", "ca.json"]);
        lab.write("subject-key.pem", &pem_field(&key, "key").unwrap());
        lab
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    fn request(&self, shape: &str) -> String {
        format!(
            r#"{{{shape}, "key": {{"algo": "{}", "size": {}}}}}"#,
            self.algo, self.size
        )
    }

    fn certkit(&self, args: &[&str]) -> Output {
        // cfssl lets a certificate outlive its CA; certkit caps it at the
        // CA's notAfter unless told otherwise, which this comparison does.
        let mut args = args.to_vec();
        let signs = matches!(args.first(), Some(&"sign") | Some(&"gencert"));
        if signs && !args.contains(&"-initca") && !args.contains(&"-renewca") {
            args.insert(1, "-allow-beyond-ca-expiry");
        }
        run(&support::certkit(), &args, self.dir.path())
    }

    fn cfssl(&self, args: &[&str]) -> Output {
        run(&self.cfssl, args, self.dir.path())
    }

    /// Lints a certificate certkit issued, alone and with its issuer.
    fn lint(&self, name: &str, pem: &str, issuer: &str) {
        self.write(name, pem);
        pkilint::lint_cert(&self.path(name));
        pkilint::lint_chain(&self.path(issuer), &self.path(name));
    }

    /// `sign` of one shape's CSR (for the subject key) under `profiles`.
    fn sign_matrix(&self, shape: &str, profiles: &[Option<&str>]) {
        let (name, body) = SHAPES.iter().find(|(n, _)| *n == shape).unwrap();
        let json = format!("{name}.json");
        let csr_file = format!("{name}.csr");
        self.write(&json, &self.request(body));
        let csr = self.certkit(&["gencsr", "-key", "subject-key.pem", &json]);
        self.write(&csr_file, &pem_field(&csr, "csr").unwrap());
        let mut issued = Vec::new();
        for &profile in profiles {
            let mut args = vec![
                "sign",
                "-ca",
                "ca.pem",
                "-ca-key",
                "ca-key.pem",
                "-config",
                "config.json",
            ];
            if let Some(p) = profile {
                args.extend(["-profile", p]);
            }
            args.push(&csr_file);
            let what = format!("{} {name} sign profile {profile:?}", self.label());
            let ours = pem_field(&self.certkit(&args), "cert");
            let theirs = pem_field(&self.cfssl(&args), "cert");
            if let Some((ours, theirs)) = compare(&what, ours, theirs) {
                // Same CSR, same CA: the key identifiers match exactly.
                let ((o_fields, o), (_, t)) = (read(&ours), read(&theirs));
                assert_eq!(
                    (&o.ski, &o.aki),
                    (&t.ski, &t.aki),
                    "{what}: key identifiers"
                );
                check_requested_order_and_uris(&what, name, &o_fields, &o);
                self.lint(
                    &format!("{name}-{}.pem", profile.unwrap_or("default")),
                    &ours,
                    "ca.pem",
                );
                issued.push(profile);
            }
        }
        // A CA request is refused by every profile that may not make CAs
        // (by both tools); everything else is issued.
        let expected: Vec<Option<&str>> = profiles
            .iter()
            .copied()
            .filter(|p| *name != "ca" || *p == Some("intermediate"))
            .collect();
        assert_eq!(
            issued,
            expected,
            "{} {name}: which profiles issued",
            self.label()
        );
    }

    /// `gencert` from one shape's request JSON under `profiles`.
    fn gencert_matrix(&self, shape: &str, profiles: &[Option<&str>]) {
        let (name, body) = SHAPES.iter().find(|(n, _)| *n == shape).unwrap();
        let json = format!("gen-{name}.json");
        self.write(&json, &self.request(body));
        for profile in profiles {
            let mut args = vec![
                "gencert",
                "-ca",
                "ca.pem",
                "-ca-key",
                "ca-key.pem",
                "-config",
                "config.json",
            ];
            if let Some(p) = profile {
                args.extend(["-profile", p]);
            }
            args.push(&json);
            let what = format!("{} {name} gencert profile {profile:?}", self.label());
            let ours = pem_field(&self.certkit(&args), "cert");
            let theirs = pem_field(&self.cfssl(&args), "cert");
            if let Some((ours, _)) = compare(&what, ours, theirs) {
                let (o_fields, o) = read(&ours);
                check_requested_order_and_uris(&what, name, &o_fields, &o);
                self.lint(
                    &format!("gen-{name}-{}.pem", profile.unwrap_or("default")),
                    &ours,
                    "ca.pem",
                );
            }
        }
    }

    fn label(&self) -> String {
        format!("{}-{}", self.algo, self.size)
    }
}

/// Both issue and agree, or both refuse. Returns the PEMs when issued.
fn compare(
    what: &str,
    ours: Result<String, String>,
    theirs: Result<String, String>,
) -> Option<(String, String)> {
    match (ours, theirs) {
        (Ok(ours), Ok(theirs)) => {
            let (o, o_extra) = read(&ours);
            let (t, t_extra) = read(&theirs);
            assert_eq!(
                o,
                expected_from_cfssl(t, &t_extra, &o),
                "{what}: certkit differs from cfssl"
            );
            check_certkit_side(what, &o, &o_extra);
            Some((ours, theirs))
        }
        (Err(_), Err(_)) => None,
        (Ok(_), Err(e)) => panic!("{what}: certkit issued, cfssl refused: {e}"),
        (Err(e), Ok(_)) => panic!("{what}: cfssl issued, certkit refused: {e}"),
    }
}

/// cfssl's certificate turned into what certkit deliberately issues
/// instead; each change says why.
fn expected_from_cfssl(mut cfssl: CertFields, extra: &Extra, ours: &CertFields) -> CertFields {
    // RFC 5480 / RFC 8410: keyEncipherment is for RSA keys only; cfssl
    // 1.2.0 sets it on EC keys too, and pkilint reports that as an ERROR.
    if !extra.subject_is_rsa {
        cfssl.key_usage &= !KEY_ENCIPHERMENT;
    }
    // cfssl 1.2.0 has no URI SANs: gencert files "spiffe://..." as a
    // dNSName and sign drops the CSR's URIs. certkit issues them as URIs
    // (checked against the request in `check_requested_uris`).
    let uris: Vec<String> = cfssl
        .dns
        .iter()
        .filter(|d| d.contains("://"))
        .cloned()
        .collect();
    for uri in uris {
        cfssl.dns.remove(&uri);
        cfssl.uri.insert(uri);
    }
    assert!(
        cfssl.uri.is_subset(&ours.uri),
        "cfssl has URIs certkit lacks: {:?}",
        cfssl.uri
    );
    cfssl.uri = ours.uri.clone();
    // Multi-valued RDNs (cfssl's "O=a + O=b") are flattened by `read`, so
    // the subject compares attribute by attribute, in order.
    cfssl
}

/// What certkit guarantees beyond matching cfssl.
fn check_certkit_side(what: &str, ours: &CertFields, extra: &Extra) {
    assert!(
        extra.rdn_sizes.iter().all(|&n| n == 1),
        "{what}: certkit must put one value per RDN"
    );
    if !extra.subject_is_rsa {
        assert_eq!(
            ours.key_usage & KEY_ENCIPHERMENT,
            0,
            "{what}: keyEncipherment on a non-RSA key"
        );
    }
    assert!(
        ours.has_ski && ours.has_aki,
        "{what}: SKI and AKI are required"
    );
}

/// certkit keeps the request's attribute order and its URI SANs (on
/// leaves; CA certificates keep IP SANs only).
fn check_requested_order_and_uris(what: &str, shape: &str, ours: &CertFields, extra: &Extra) {
    let is_ca = ours.basic_constraints.is_some_and(|(ca, _)| ca);
    match shape {
        "org" => {
            let ous: Vec<&str> = extra
                .subject_in_order
                .iter()
                .filter(|(oid, _)| oid == "2.5.4.11")
                .map(|(_, v)| v.as_str())
                .collect();
            assert_eq!(ous, ["Platform", "Security", "Ops"], "{what}: OU order");
        }
        "hosts" if is_ca => {
            assert!(
                ours.dns.is_empty() && ours.email.is_empty() && ours.uri.is_empty(),
                "{what}: CA keeps IPs only"
            );
            assert_eq!(ours.ip.len(), 3, "{what}");
        }
        "hosts" => {
            let uris: Vec<&str> = ours.uri.iter().map(String::as_str).collect();
            assert_eq!(
                uris,
                ["spiffe://cluster.local/ns/default/sa/web"],
                "{what}: URI SAN"
            );
        }
        _ => {}
    }
}

// ECDSA P-256: every shape under every profile, split so tests run in
// parallel.
#[test]
fn ecdsa_p256_org_and_bare_every_profile() {
    let lab = Lab::new("ecdsa", 256);
    lab.sign_matrix("org", &PROFILES);
    lab.sign_matrix("bare", &PROFILES);
}

#[test]
fn ecdsa_p256_hosts_and_ca_every_profile() {
    let lab = Lab::new("ecdsa", 256);
    lab.sign_matrix("hosts", &PROFILES);
    lab.sign_matrix("ca", &PROFILES);
}

/// The request path: key, CSR and certificate in one step.
#[test]
fn ecdsa_p256_gencert_from_request() {
    let lab = Lab::new("ecdsa", 256);
    lab.gencert_matrix("org", &[None]);
    lab.gencert_matrix("hosts", &[None, Some("full")]);
    lab.gencert_matrix("bare", &[Some("peer")]);
    // A "ca" section outside initca: both refuse.
    lab.gencert_matrix("ca", &[Some("intermediate")]);
}

#[test]
fn ecdsa_p256_initca_with_pathlen() {
    let lab = Lab::new("ecdsa", 256);
    let (_, body) = SHAPES[2];
    lab.write("root.json", &lab.request(body));
    let ours = pem_field(&lab.certkit(&["gencert", "-initca", "root.json"]), "cert").unwrap();
    let theirs = pem_field(&lab.cfssl(&["gencert", "-initca", "root.json"]), "cert").unwrap();
    let ((o, o_extra), (t, t_extra)) = (read(&ours), read(&theirs));
    assert_eq!(o.basic_constraints, Some((true, Some(1))));
    assert_eq!(o.validity_secs, 87600 * 3600);
    assert_eq!(
        o,
        expected_from_cfssl(t, &t_extra, &o),
        "initca: certkit differs from cfssl"
    );
    assert!(o_extra.rdn_sizes.iter().all(|&n| n == 1));
    lab.write("root.pem", &ours);
    pkilint::lint_cert(&lab.path("root.pem"));
}

#[test]
fn ecdsa_p384_and_p521() {
    for size in [384, 521] {
        let lab = Lab::new("ecdsa", size);
        lab.sign_matrix("hosts", &KEY_PROFILES);
        lab.sign_matrix("ca", &KEY_PROFILES);
    }
}

#[test]
fn rsa_2048_and_3072() {
    for size in [2048, 3072] {
        let lab = Lab::new("rsa", size);
        lab.sign_matrix("hosts", &KEY_PROFILES);
        lab.sign_matrix("ca", &KEY_PROFILES);
    }
}

#[test]
fn rsa_4096() {
    let lab = Lab::new("rsa", 4096);
    lab.sign_matrix("org", &KEY_PROFILES);
}

/// Ed25519 is a deliberate difference: cfssl 1.2.0 can neither generate
/// the key nor verify the CSR, certkit issues (with an Ed25519 CA too).
#[test]
fn ed25519_only_certkit_issues() {
    let lab = Lab::new("ed25519", 0);
    let (_, body) = SHAPES[1];
    lab.write("ed.json", &lab.request(body));
    let gen = [
        "gencert",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        "config.json",
        "-profile",
        "peer",
        "ed.json",
    ];
    assert!(
        pem_field(&lab.cfssl(&gen), "cert").is_err(),
        "cfssl 1.2.0 unexpectedly made an Ed25519 certificate"
    );
    let cert = pem_field(&lab.certkit(&gen), "cert").unwrap();
    let (f, extra) = read(&cert);
    assert_eq!(
        f.signature_algorithm, "1.3.101.112",
        "Ed25519 CA signs with Ed25519"
    );
    assert_eq!(f.key_usage & KEY_ENCIPHERMENT, 0);
    check_requested_order_and_uris("ed25519 gencert", "hosts", &f, &extra);
    lab.lint("ed.pem", &cert, "ca.pem");
    let csr = lab.certkit(&["gencsr", "-key", "subject-key.pem", "ed.json"]);
    lab.write("ed.csr", &pem_field(&csr, "csr").unwrap());
    let sign = [
        "sign",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        "config.json",
        "-profile",
        "full",
        "ed.csr",
    ];
    assert!(
        pem_field(&lab.cfssl(&sign), "cert").is_err(),
        "cfssl 1.2.0 unexpectedly signed an Ed25519 CSR"
    );
    lab.lint(
        "ed-full.pem",
        &pem_field(&lab.certkit(&sign), "cert").unwrap(),
        "ca.pem",
    );
}

/// The linter can fail: cfssl 1.2.0's certificate for the workflow's own
/// request and config has keyEncipherment on an EC key.
#[test]
#[should_panic(expected = "pkix.key_usage_value_prohibited_for_ec")]
fn pkilint_rejects_cfssl_workflow_leaf() {
    let lab = Lab::new("ecdsa", 256);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/workflow");
    let req = fixtures.join("server-csr.json");
    let cfg = fixtures.join("server-signing-config.json");
    let args = [
        "gencert",
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
    ];
    let out = lab.cfssl(&[&args[..], &[cfg.to_str().unwrap(), req.to_str().unwrap()]].concat());
    lab.write("cfssl-server.pem", &pem_field(&out, "cert").unwrap());
    pkilint::lint_cert(&lab.path("cfssl-server.pem"));
}

/// print-defaults prints cfssl's templates byte for byte (the list in
/// cfssl's map order, which varies, so as a set of lines).
#[test]
fn print_defaults_match_cfssl() {
    let dir = TempDir::new().unwrap();
    let cfssl = tool("cfssl");
    for kind in ["config", "csr", "list"] {
        let ours = run(&support::certkit(), &["print-defaults", kind], dir.path());
        let theirs = run(&cfssl, &["print-defaults", kind], dir.path());
        assert!(ours.status.success() && theirs.status.success(), "{kind}");
        let lines = |o: &Output| {
            let mut l: Vec<String> = String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(str::to_string)
                .collect();
            if kind == "list" {
                l.sort();
            }
            l
        };
        assert_eq!(lines(&ours), lines(&theirs), "print-defaults {kind}");
        if kind != "list" {
            assert_eq!(ours.stdout, theirs.stdout, "print-defaults {kind} bytes");
        }
    }
}

#[test]
fn spiffe_false_positive_is_narrow() {
    assert!(pkilint::is_known_false_positive(
        "    pkix.invalid_uri_syntax (ERROR): Invalid URI syntax: \"spiffe://cluster.local/ns/default/sa/web\""
    ));
    assert!(!pkilint::is_known_false_positive(
        "    pkix.invalid_uri_syntax (ERROR): Invalid URI syntax: \"spiffe://Bad Domain/x\""
    ));
    assert!(!pkilint::is_known_false_positive(
        "    pkix.invalid_uri_syntax (ERROR): Invalid URI syntax: \"http//x\""
    ));
    assert!(!pkilint::is_known_false_positive(
        "    pkix.other (ERROR): Invalid URI syntax: \"spiffe://a/b\""
    ));
}
