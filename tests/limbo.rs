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

mod limbo_support;
use limbo_support::{Case, Expected};

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
    Some(limbo_support::parse(&text))
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
        crls.extend(parse_crls(pem.as_bytes())?);
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
}

fn tally(cases: &[Case], run: impl Fn(&Case) -> Result<(), String>) -> Tally {
    let mut t = Tally::default();
    for case in cases {
        let result = run(case);
        let excepted = EXCEPTIONS.iter().any(|(id, _)| *id == case.id);
        match (result, case.expected) {
            (Ok(()), Expected::Success) | (Err(_), Expected::Failure) => t.right += 1,
            (Ok(()), Expected::Failure) if excepted => {
                t.excepted.push(format!("{} (accepted)", case.id))
            }
            (Err(e), Expected::Success) if excepted => {
                t.excepted.push(format!("{} (refused: {e})", case.id))
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
}
