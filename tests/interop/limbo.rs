//! x509-limbo (C2SP), the public path-validation suite: every SERVER and
//! CLIENT case through the library's validator in-process, and a sample
//! through `certkit verify`. Fails on any wrong accept that is not a
//! written exception (README "certkit and openssl on x509-limbo") and on
//! more than 5 wrong rejects. The suite lives outside the repository, in
//! ../shared/limbo/limbo.json.gz; without it the tests say SKIP.

use certkit_core::chain::certs::{parse_all, Cert};
use certkit_core::chain::verify::{
    parse_crls, parse_time, verify, Check, KeyUse, Options, PeerName, Purpose,
};
use std::io::Read;
use std::path::PathBuf;
use std::time::SystemTime;

use support::limbo::{Case, Expected};

/// Cases where certkit deliberately disagrees with limbo's expectation:
/// one side of two contradicting cases, or a pedantic rule not taken.
/// README "certkit and openssl on x509-limbo" gives the reason for each.
const EXCEPTIONS: &[(&str, &str)] = &[
    ("webpki::cn::ipv4-hex-mismatch", CN),
    ("webpki::cn::ipv4-leading-zeros-mismatch", CN),
    ("webpki::cn::ipv6-uppercase-mismatch", CN),
    ("webpki::cn::ipv6-uncompressed-mismatch", CN),
    ("webpki::cn::ipv6-non-rfc5952-mismatch", CN),
    ("webpki::cn::punycode-not-in-san", CN),
    ("webpki::cn::utf8-vs-punycode-mismatch", CN),
    ("webpki::cn::not-in-san", CN),
    ("webpki::cn::case-mismatch", CN),
    ("webpki::eku::ee-without-eku", "contradicts rfc5280::eku::ee-without-eku; RFC 5280: no EKU, no restriction"),
    ("webpki::ca-as-leaf", "contradicts rfc5280::ca-as-leaf; RFC 5280 allows a CA as the leaf"),
    ("webpki::nc::permitted-dns-match-noncritical", "contradicts rfc5280::nc::permitted-dns-match-noncritical; RFC 5280: NameConstraints MUST be critical"),
    ("rfc5280::aki::cross-signed-root-missing-aki", "pedantic; a trust anchor's AKI plays no part, and cve::cve-2024-0567 trusts such a root"),
    ("webpki::san::public-suffix-private-namespace-wildcard-san", "PSL private section not used: online::s3.amazonaws.com has this very wildcard"),
];

const CN: &str =
    "the subject CN is never matched (RFC 9525), so it is not policed: Kubernetes' own \
apiserver and kubelet-serving certificates have a CN that is not a SAN";

const MAX_WRONG_REJECTS: usize = 5;

fn suite_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/limbo/limbo.json.gz")
}

fn load() -> Option<Vec<Case>> {
    let path = suite_path();
    let Ok(file) = std::fs::File::open(&path) else {
        eprintln!(
            "SKIP: {} is absent; the limbo tests need it",
            path.display()
        );
        return None;
    };
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("limbo.json.gz is gzip");
    Some(support::limbo::parse(&text))
}

/// The certificates of PEM strings; one that does not parse refuses the
/// case, as `certkit verify` refuses a file holding it.
fn certs(pems: &[String]) -> Result<Vec<Cert>, String> {
    let mut out = Vec::new();
    for pem in pems {
        out.extend(parse_all(pem.as_bytes()).map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// The verification options a case asks for.
fn options(case: &Case) -> Result<Options, String> {
    let mut names = Vec::new();
    for n in &case.names {
        let name = match n.kind.as_str() {
            "DNS" => PeerName::host(&n.value),
            "IP" => PeerName::ip(&n.value),
            _ => PeerName::email(&n.value),
        };
        names.push(name.map_err(|e| e.to_string())?);
    }
    let purpose = match case.extended_key_usage.first().map(String::as_str) {
        Some(eku) => purpose_of(eku),
        None if case.client => Purpose::Client,
        None => Purpose::Server,
    };
    let at = match &case.validation_time {
        Some(t) => parse_time(t).map_err(|e| e.to_string())?,
        None => SystemTime::now(),
    };
    Ok(Options {
        names,
        purpose,
        key_usage: case.key_usage.iter().map(|k| key_use_of(k)).collect(),
        max_depth: case.max_chain_depth.map(|d| d as usize),
        at,
        allow_sha1: false,
    })
}

fn purpose_of(eku: &str) -> Purpose {
    match eku {
        "serverAuth" => Purpose::Server,
        "clientAuth" => Purpose::Client,
        "codeSigning" => Purpose::CodeSigning,
        "emailProtection" => Purpose::EmailProtection,
        "OCSPSigning" => Purpose::OcspSigning,
        "timeStamping" => Purpose::TimeStamping,
        "anyExtendedKeyUsage" => Purpose::Any,
        other => panic!("limbo EKU {other} has no purpose"),
    }
}

fn key_use_of(ku: &str) -> KeyUse {
    match ku {
        "digitalSignature" => KeyUse::DigitalSignature,
        "contentCommitment" | "nonRepudiation" => KeyUse::ContentCommitment,
        "keyEncipherment" => KeyUse::KeyEncipherment,
        "dataEncipherment" => KeyUse::DataEncipherment,
        "keyAgreement" => KeyUse::KeyAgreement,
        "keyCertSign" => KeyUse::KeyCertSign,
        "cRLSign" => KeyUse::CrlSign,
        "encipherOnly" => KeyUse::EncipherOnly,
        "decipherOnly" => KeyUse::DecipherOnly,
        other => panic!("limbo key usage {other} unknown"),
    }
}

/// The library's verdict on a case: Ok, or the refusal.
fn run_in_process(case: &Case) -> Result<(), String> {
    let options = options(case)?;
    let mut leaf = certs(std::slice::from_ref(&case.leaf))?;
    let (intermediates, roots) = (certs(&case.intermediates)?, certs(&case.trusted)?);
    let mut crls = Vec::new();
    for pem in &case.crls {
        crls.extend(parse_crls(pem.as_bytes()).map_err(|e| e.to_string())?);
    }
    let check = Check {
        leaf: &leaf.remove(0),
        intermediates: &intermediates,
        roots: &roots,
        crls: &crls,
        options: &options,
    };
    verify(&check).map(|_| ()).map_err(|e| e.to_string())
}

/// How the validator did on the suite.
#[derive(Default)]
struct Tally {
    right: usize,
    wrong_accepts: Vec<String>,
    wrong_rejects: Vec<String>,
    excepted: Vec<String>,
    /// Right refusals by the check named first in the message.
    by_check: std::collections::BTreeMap<String, usize>,
}

/// The check a refusal names: the words before the first colon after
/// the file name and "refused:" prefixes.
fn check_named(msg: &str) -> String {
    let msg = msg.rsplit("refused: ").next().unwrap_or(msg);
    let msg = msg.split_once(".pem: ").map_or(msg, |(_, m)| m);
    msg.split(':').next().unwrap_or_default().to_string()
}

fn tally(cases: &[Case], run: impl Fn(&Case) -> Result<(), String>) -> Tally {
    let mut t = Tally::default();
    for case in cases {
        let result = run(case);
        let excepted = EXCEPTIONS.iter().find(|(id, _)| *id == case.id);
        match (result, case.expected) {
            (Ok(()), Expected::Success) => t.right += 1,
            (Err(e), Expected::Failure) => {
                if std::env::var_os("LIMBO_VERBOSE").is_some() {
                    println!("  refused as expected: {}: {e}", case.id);
                }
                t.right += 1;
                *t.by_check.entry(check_named(&e)).or_default() += 1;
            }
            (Ok(()), Expected::Failure) if excepted.is_some() => {
                let why = excepted.map_or("", |(_, why)| why);
                t.excepted.push(format!("{} (accepted): {why}", case.id))
            }
            (Err(e), Expected::Success) if excepted.is_some() => {
                let why = excepted.map_or("", |(_, why)| why);
                t.excepted
                    .push(format!("{} (refused: {e}): {why}", case.id))
            }
            (Ok(()), Expected::Failure) => t.wrong_accepts.push(case.id.clone()),
            (Err(e), Expected::Success) => t.wrong_rejects.push(format!("{}: {e}", case.id)),
        }
    }
    t
}

fn report(what: &str, cases: usize, t: &Tally) {
    println!(
        "limbo ({what}): {cases} cases, {} right, {} wrong accepts, {} wrong rejects, {} written exceptions",
        t.right,
        t.wrong_accepts.len(),
        t.wrong_rejects.len(),
        t.excepted.len()
    );
    println!("  right refusals by check: {:?}", t.by_check);
    for id in &t.excepted {
        println!("  exception: {id}");
    }
    for id in &t.wrong_accepts {
        println!("  WRONG ACCEPT: {id}");
    }
    for id in &t.wrong_rejects {
        println!("  WRONG REJECT: {id}");
    }
}

fn assert_tally(t: &Tally) {
    assert!(
        t.wrong_accepts.is_empty(),
        "wrong accepts outside the written exceptions: {:?}",
        t.wrong_accepts
    );
    assert!(
        t.wrong_rejects.len() <= MAX_WRONG_REJECTS,
        "{} wrong rejects (at most {MAX_WRONG_REJECTS})",
        t.wrong_rejects.len()
    );
}

#[test]
fn limbo_in_process() {
    let Some(cases) = load() else { return };
    let cases: Vec<Case> = cases.into_iter().collect();
    let t = tally(&cases, run_in_process);
    report("in-process", cases.len(), &t);
    assert_tally(&t);
    pathological_cases_through_bundle(&cases);
}

/// bundle shares verify's bounded search: limbo's pathological cases
/// (cycles, many issuers, thousands of name constraints) end in one
/// clear error, the valid one in a chain.
fn pathological_cases_through_bundle(cases: &[Case]) {
    use certkit_core::chain::bundle::chain::{build, Pool};
    for case in cases.iter().filter(|c| c.id.starts_with("pathological::")) {
        let pool = |pems: &[String]| {
            let mut pool = Pool::default();
            certs(pems).unwrap().into_iter().for_each(|c| pool.add(c));
            pool
        };
        let leaf = certs(std::slice::from_ref(&case.leaf)).unwrap().remove(0);
        let at = options(case).unwrap().at;
        let result = build(&leaf, &pool(&case.trusted), &pool(&case.intermediates), at);
        println!(
            "bundle {}: {:?}",
            case.id,
            result.as_ref().map(|c| c.len()).map_err(|e| e.message())
        );
        match (case.expected, result) {
            (Expected::Success, Ok(_)) => {}
            (Expected::Failure, Err(e)) => {
                assert!(e.message().starts_with("x509: "), "{}", e.message())
            }
            (Expected::Failure, Ok(_)) if case.id.starts_with("pathological::nc-dos") => {
                panic!(
                    "{}: bundle must refuse thousands of name constraints",
                    case.id
                )
            }
            (Expected::Failure, Ok(_)) => panic!("{}: bundle built a chain", case.id),
            (Expected::Success, Err(e)) => panic!("{}: {}", case.id, e.message()),
        }
    }
}

/// bundle and verify share one set of rules: for every case, whenever
/// `bundle` (default options) builds a chain, the `verify` library
/// accepts that chain for the case's roots at the case's time, for any
/// purpose and no name (bundle is told neither).
#[test]
fn whatever_bundle_builds_verify_accepts() {
    use certkit_core::chain::bundle::chain::{build, Pool};
    let Some(cases) = load() else { return };
    let (mut bundled, mut violations) = (0usize, Vec::new());
    for case in &cases {
        let (Ok(mut leaf), Ok(ints), Ok(roots)) = (
            certs(std::slice::from_ref(&case.leaf)),
            certs(&case.intermediates),
            certs(&case.trusted),
        ) else {
            continue;
        };
        let Ok(at) = options(case).map(|o| o.at) else {
            continue;
        };
        let leaf = leaf.remove(0);
        let pool = |certs: &[Cert]| {
            let mut pool = Pool::default();
            certs.iter().for_each(|c| pool.add(c.clone()));
            pool
        };
        let Ok(chains) = build(&leaf, &pool(&roots), &pool(&ints), at) else {
            continue;
        };
        let options = Options {
            purpose: Purpose::Any,
            ..Options::server(at)
        };
        for chain in chains {
            bundled += 1;
            let check = Check {
                leaf: &chain[0],
                intermediates: &chain[1..chain.len() - 1],
                roots: &roots,
                crls: &[],
                options: &options,
            };
            if let Err(e) = verify(&check) {
                violations.push(format!("{}: {e}", case.id));
            }
        }
    }
    println!(
        "limbo: {bundled} chains bundled over {} cases, {} refused by verify",
        cases.len(),
        violations.len()
    );
    assert!(bundled > 1000, "the property was exercised: {bundled}");
    assert!(violations.is_empty(), "{violations:#?}");
}

/// `certkit verify`'s flags for a case, its files written into `dir`.
fn command_line(case: &Case, dir: &std::path::Path) -> Vec<String> {
    let write = |name: &str, pems: &[String]| {
        let path = dir.join(name);
        std::fs::write(&path, pems.join("\n")).unwrap();
        path.to_string_lossy().into_owned()
    };
    let mut args = vec![
        "verify".to_string(),
        "-ca-bundle".into(),
        write("roots.pem", &case.trusted),
    ];
    if !case.intermediates.is_empty() {
        args.extend(["-int-bundle".into(), write("ints.pem", &case.intermediates)]);
    }
    for (i, crl) in case.crls.iter().enumerate() {
        args.extend([
            "-crl".into(),
            write(&format!("crl{i}.pem"), std::slice::from_ref(crl)),
        ]);
    }
    for n in &case.names {
        let flag = match n.kind.as_str() {
            "DNS" => "-hostname",
            "IP" => "-ip",
            _ => "-email",
        };
        args.extend([flag.to_string(), n.value.clone()]);
    }
    let purpose = match case.extended_key_usage.first().map(String::as_str) {
        Some(eku) => format!("{:?}", purpose_of(eku)),
        None if case.client => "client".into(),
        None => "server".into(),
    };
    let purpose = match purpose.as_str() {
        "CodeSigning" => "code-signing".into(),
        "EmailProtection" => "email-protection".into(),
        "OcspSigning" => "ocsp-signing".into(),
        "TimeStamping" => "time-stamping".into(),
        other => other.to_ascii_lowercase(),
    };
    args.extend(["-purpose".into(), purpose]);
    for ku in &case.key_usage {
        let flag = format!("{:?}", key_use_of(ku));
        let kebab: String = flag
            .chars()
            .enumerate()
            .flat_map(|(i, c)| {
                let dash = (i > 0 && c.is_ascii_uppercase()).then_some('-');
                dash.into_iter()
                    .chain(std::iter::once(c.to_ascii_lowercase()))
            })
            .collect();
        args.extend(["-key-usage".into(), kebab]);
    }
    if let Some(depth) = case.max_chain_depth {
        args.extend(["-max-depth".into(), depth.to_string()]);
    }
    if let Some(at) = &case.validation_time {
        args.extend(["-at".into(), at.clone()]);
    }
    args.push(write("leaf.pem", std::slice::from_ref(&case.leaf)));
    args
}

/// The binary's verdict on a case: exit 0, or its stderr.
fn run_binary(case: &Case) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(support::certkit())
        .args(command_line(case, dir.path()))
        .output()
        .unwrap();
    match out.status.code() {
        Some(0) => Ok(()),
        Some(1) => Err(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        other => panic!(
            "{}: certkit verify exited {other:?}: {}",
            case.id,
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// Every third case outside BetterTLS and every 300th of BetterTLS (about
/// a hundred) through `certkit verify`, which must agree with the library.
#[test]
fn limbo_sample_through_the_binary() {
    let Some(cases) = load() else { return };
    let (better, other): (Vec<&Case>, Vec<&Case>) =
        cases.iter().partition(|c| c.id.starts_with("bettertls::"));
    let sample: Vec<Case> = other
        .iter()
        .step_by(3)
        .chain(better.iter().step_by(300))
        .map(|c| (*c).clone())
        .collect();
    for case in &sample {
        assert_eq!(
            run_binary(case).is_ok(),
            run_in_process(case).is_ok(),
            "{}: the binary and the library disagree",
            case.id
        );
    }
    let t = tally(&sample, run_binary);
    report("certkit verify, a sample", sample.len(), &t);
    assert_tally(&t);
}
