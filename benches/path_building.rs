//! Path building on hostile inputs, for `bundle` (all chains) and
//! `verify` (the first valid one): x509-limbo's pathological cases
//! (cycles, many cross-signed issuers, thousands of name constraints;
//! read from ../shared/limbo when present) and a leaf with 14 self-issued
//! intermediates sharing one key (made with openssl when present). Each
//! must end in well under 100 ms. Run with `cargo bench --bench path_building`.

use certkit_core::chain::bundle::chain::{build, Pool};
use certkit_core::chain::certs::{parse_all, Cert};
use certkit_core::chain::verify::{verify, Check, Options};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::io::Read;
use std::time::{Duration, SystemTime};
use support::self_issued;

struct Input {
    name: String,
    leaf: Cert,
    intermediates: Vec<Cert>,
    roots: Vec<Cert>,
    at: SystemTime,
}

fn certs(pems: &[String]) -> Vec<Cert> {
    pems.iter()
        .flat_map(|p| parse_all(p.as_bytes()).expect("certificate"))
        .collect()
}

fn limbo_inputs() -> Vec<Input> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/limbo/limbo.json.gz");
    let Ok(file) = std::fs::File::open(path) else {
        eprintln!("SKIP limbo cases: {path} is absent");
        return Vec::new();
    };
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("gzip");
    support::limbo::parse(&text)
        .into_iter()
        .filter(|c| c.id.starts_with("pathological::"))
        .map(|c| Input {
            name: c.id.trim_start_matches("pathological::").to_string(),
            leaf: certs(std::slice::from_ref(&c.leaf)).remove(0),
            intermediates: certs(&c.intermediates),
            roots: certs(&c.trusted),
            at: SystemTime::now(),
        })
        .collect()
}

fn self_issued_input(dir: &std::path::Path) -> Option<Input> {
    if std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_err()
    {
        eprintln!("SKIP self-issued case: openssl is not installed");
        return None;
    }
    let (root, ints, leaf) = self_issued::self_issued_same_key(dir, 14);
    let read = |p: std::path::PathBuf| parse_all(&std::fs::read(p).unwrap()).unwrap();
    Some(Input {
        name: "14-self-issued-same-key".into(),
        leaf: read(leaf).remove(0),
        intermediates: read(ints),
        roots: read(root),
        at: SystemTime::now(),
    })
}

fn pool(certs: &[Cert]) -> Pool {
    let mut pool = Pool::default();
    certs.iter().cloned().for_each(|c| pool.add(c));
    pool
}

fn path_building(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let inputs: Vec<Input> = limbo_inputs()
        .into_iter()
        .chain(self_issued_input(dir.path()))
        .collect();
    let mut group = c.benchmark_group("path_building");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(2));
    for input in &inputs {
        let (roots, ints) = (pool(&input.roots), pool(&input.intermediates));
        group.bench_function(format!("bundle/{}", input.name), |b| {
            b.iter(|| black_box(build(&input.leaf, &roots, &ints, input.at)).is_ok())
        });
        let options = Options::server(input.at);
        group.bench_function(format!("verify/{}", input.name), |b| {
            b.iter(|| {
                let check = Check {
                    leaf: &input.leaf,
                    intermediates: &input.intermediates,
                    roots: &input.roots,
                    crls: &[],
                    options: &options,
                };
                black_box(verify(&check)).is_ok()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, path_building);
criterion_main!(benches);
