//! The fuzz harnesses (fuzz/src/lib.rs) under `cargo test`: every input
//! kept in `fixtures/fuzz/<target>/` (inputs that once crashed, and the
//! seeds) is replayed, and proptest feeds each parser random bytes and
//! random mutations of a valid input. Passing means: no panic.

#[path = "../../fuzz/src/lib.rs"]
mod harness;

use proptest::prelude::*;
use std::path::Path;

type Harness = fn(&[u8]);

/// Each fuzz target with its harness and a valid input to mutate.
const TARGETS: [(&str, Harness, &str); 14] = [
    (
        "request_json",
        harness::request_json,
        "workflow/server-csr.json",
    ),
    (
        "signing_config",
        harness::signing_config,
        "workflow/server-signing-config.json",
    ),
    ("csr", harness::csr, "cfssl/ca.csr"),
    (
        "cfssljson_input",
        harness::cfssljson_input,
        "fuzz/cfssljson_input/seed-genkey.json",
    ),
    ("key_pem", harness::key_pem, "cfssl/ca-key.pem"),
    ("certificate", harness::certificate, "cfssl/ca.pem"),
    (
        "bundle_chain",
        harness::bundle_chain,
        "cfssl/bundler/partial-bundle.pem",
    ),
    ("csr_object", harness::csr_object, "k8s/csr-approved.json"),
    (
        "yaml_document",
        harness::yaml_document,
        "k8s/csr-approved.yaml",
    ),
    (
        "san_names",
        harness::san_names,
        "fuzz/san_names/seed-hosts.txt",
    ),
    ("crl", harness::crl, "fuzz/crl/seed-two-serials.der"),
    (
        "ocsp_request",
        harness::ocsp_request,
        "fuzz/ocsp_request/seed-nonce.der",
    ),
    (
        "ocsp_response",
        harness::ocsp_response,
        "fuzz/ocsp_response/seed-revoked.der",
    ),
    (
        "roots_file",
        harness::roots_file,
        "fuzz/roots_file/seed-two-roots.conf",
    ),
];

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(rel),
    )
    .unwrap()
}

#[test]
fn kept_fuzz_inputs_replay_without_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fuzz");
    let mut replayed = 0;
    for (name, run, _) in TARGETS {
        let Ok(entries) = std::fs::read_dir(root.join(name)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            run(&std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no inputs under {}", root.display());
}

fn target_index() -> impl Strategy<Value = usize> {
    0..TARGETS.len()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_a_parser(i in target_index(), data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        (TARGETS[i].1)(&data);
    }

    #[test]
    fn mutated_valid_inputs_never_panic_a_parser(
        i in target_index(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let (_, run, seed) = TARGETS[i];
        let mut data = fixture(seed);
        for (at, byte) in edits {
            let at = at.index(data.len());
            data[at] = byte;
        }
        run(&data);
        run(&data[..cut.index(data.len() + 1)]);
    }
}

/// The revocation seeds reach past parsing: a mutation of them exercises
/// the signature, CertID and date checks, not only the DER decoder.
#[test]
fn revocation_seeds_pass_every_check() {
    use certkit_core::chain::verify::{crl::check, parse_crls, role::Role};
    use certkit_core::revocation::ocsp::{check_response, parse_request, read_response};
    use std::time::{Duration, SystemTime};
    // The seeds were current for a week after they were made: check them
    // as of then.
    let ca = harness::fixture_ca();
    for seed in ["seed-good.der", "seed-revoked.der"] {
        let der = fixture(&format!("fuzz/ocsp_response/{seed}"));
        let summary = read_response(&der).unwrap();
        let then = summary.this_update + Duration::from_secs(60);
        check_response(&der, ca, &summary.serial, None, then).unwrap();
    }
    for seed in ["seed-nonce.der", "seed-no-nonce.der"] {
        parse_request(&fixture(&format!("fuzz/ocsp_request/{seed}"))).unwrap();
    }
    for seed in ["seed-two-serials.der", "seed-two-serials.pem"] {
        let crls = parse_crls(&fixture(&format!("fuzz/crl/{seed}"))).unwrap();
        assert_eq!(crls.len(), 1);
        let this_update = crls[0].list.tbs_cert_list.this_update.to_unix_duration();
        let then = SystemTime::UNIX_EPOCH + this_update + Duration::from_secs(60);
        // The CA's own serial is not on its CRL, which it signed.
        check(ca, Role::Intermediate, ca, &crls, then).unwrap();
    }
}
