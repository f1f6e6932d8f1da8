//! An intermediate CA (the root kept offline): `certkit signer -ca int.pem
//! -ca-key int-key.pem --bundle FILE` against the real kube-apiserver. The
//! CSR's status.certificate and the PodCertificateRequest's
//! status.certificateChain are the leaf then the bundle, and verify with
//! openssl against the root alone; the ClusterTrustBundle holds the root
//! (or, with a bundle that stops at the intermediate, the intermediate and
//! one warning); a bundle broken at run time is refused on reload.

use super::{wait_until, Cluster, Signer};
use serde_json::Value;
use std::time::Duration;

/// A signer for `signer_name` with the intermediate's key and `bundle`.
fn start(c: &Cluster, name: &str, signer_name: &str, bundle: &str) -> Signer {
    let cmd = crate::signer_under_intermediate(bundle);
    let kubeconfig = c.env["KUBECONFIG"].clone();
    Signer::start_command(
        c,
        name,
        &kubeconfig,
        cmd,
        &[
            &format!("--signer-name={signer_name}"),
            "--reload-interval=1s",
        ],
    )
}

/// The PEM blocks of `chain`, each as written.
fn blocks(chain: &str) -> Vec<String> {
    chain
        .split_inclusive("-----END CERTIFICATE-----\n")
        .filter(|b| b.contains("BEGIN CERTIFICATE"))
        .map(str::to_string)
        .collect()
}

fn read(c: &Cluster, file: &str) -> String {
    std::fs::read_to_string(c.work.join(file)).unwrap()
}

/// Writes `chain`'s leaf to NAME-leaf.pem and the rest to NAME-rest.pem;
/// the leaf must verify against root.pem through the rest, and must not
/// without it (the check can fail), and hold `key`'s public key.
fn verify_against_the_root(c: &Cluster, name: &str, chain: &str, key: &str) {
    let certs = blocks(chain);
    assert!(certs.len() >= 2, "{name}: no intermediates in {chain}");
    std::fs::write(c.work.join(format!("{name}-leaf.pem")), &certs[0]).unwrap();
    std::fs::write(c.work.join(format!("{name}-rest.pem")), certs[1..].concat()).unwrap();
    c.run(&format!(
        "openssl verify -CAfile root.pem -untrusted {name}-rest.pem {name}-leaf.pem
         [ \"$(openssl x509 -in {name}-leaf.pem -noout -pubkey)\" = \"$(openssl pkey -in {key} -pubout)\" ]"
    ));
    let cut = c.sh(&format!("openssl verify -CAfile root.pem {name}-leaf.pem"));
    assert!(
        !cut.status.success(),
        "{name}: the leaf alone must not verify against the root"
    );
    assert!(
        String::from_utf8_lossy(&cut.stdout).contains("unable to get local issuer certificate")
            || String::from_utf8_lossy(&cut.stderr)
                .contains("unable to get local issuer certificate"),
        "{name}: {cut:?}"
    );
}

/// An approved CSR for `signer_name`; its decoded status.certificate.
fn issued_csr(c: &Cluster, name: &str, signer_name: &str) -> String {
    c.run(&format!(
        "certkit k8s request -name {name} -signer-name {signer_name} server.csr | kubectl apply -f - >/dev/null
         kubectl certificate approve {name} >/dev/null"
    ));
    c.wait_condition(name, "Approved,Issued", Duration::from_secs(30));
    super::base64_decode(c.csr(name)["status"]["certificate"].as_str().unwrap())
}

fn trust_bundle(c: &Cluster, signer_name: &str) -> String {
    let name = format!("{}:certkit", signer_name.replace('/', ":"));
    c.run(&format!(
        "kubectl get clustertrustbundle {name} -o jsonpath='{{.spec.trustBundle}}' 2>/dev/null || true"
    ))
}

/// The signer's log lines warning that the published anchor is not a root.
fn anchor_warnings(signer: &Signer) -> Vec<Value> {
    signer
        .log()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["message"] == "trust anchor is not self-signed")
        .collect()
}

pub(super) fn intermediate_ca(c: &Cluster) {
    let started = std::time::Instant::now();
    eprintln!("== an intermediate CA with --bundle: chains in both statuses, the root in the trust bundle");
    c.run(
        r#"echo '{"CN":"certkit test root","key":{"algo":"ecdsa","size":256}}' > root-csr.json
         echo '{"CN":"certkit test intermediate","key":{"algo":"ecdsa","size":256}}' > int-csr.json
         echo '{"signing":{"profiles":{"intermediate":{"usages":["cert sign","crl sign"],"expiry":"8760h",
           "ca_constraint":{"is_ca":true,"max_path_len":0,"max_path_len_zero":true}}}}}' > int-config.json
         certkit gencert -initca root-csr.json | certkit json -bare root
         certkit gencert -ca root.pem -ca-key root-key.pem -config int-config.json -profile intermediate int-csr.json |
           certkit json -bare int
         cat int.pem root.pem > int-root.pem
         cp int.pem short.pem
         openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out chain-pod.key
         openssl req -new -key chain-pod.key -subj / -outform DER -out chain-pod.stub"#,
    );
    let (root, int) = (read(c, "root.pem"), read(c, "int.pem"));

    let signer = start(c, "chain", "example.com/chain", "int-root.pem");
    let chain = issued_csr(c, "chain-csr", "example.com/chain");
    assert_eq!(
        blocks(&chain)[1..],
        [int.clone(), root.clone()],
        "status.certificate: the leaf, then the bundle as given"
    );
    verify_against_the_root(c, "chain-csr", &chain, "server-key.pem");

    super::pods::create(
        c,
        "chain-pod",
        "example.com/chain",
        "chain-pod.stub",
        "sa-chain",
        None,
    );
    let pod = super::pods::wait_decided(c, "chain-pod");
    assert_eq!(pod["status"]["conditions"][0]["type"], "Issued", "{pod}");
    let pod_chain = pod["status"]["certificateChain"].as_str().unwrap();
    assert_eq!(
        blocks(pod_chain)[1..],
        [int.clone(), root.clone()],
        "status.certificateChain: the leaf, then the bundle"
    );
    verify_against_the_root(c, "chain-pod", pod_chain, "chain-pod.key");

    wait_until(
        "the root in the trust bundle",
        Duration::from_secs(10),
        || trust_bundle(c, "example.com/chain").trim() == root.trim(),
    );
    assert!(
        anchor_warnings(&signer).is_empty(),
        "a bundle up to the root needs no warning"
    );
    drop(signer);

    // The Secret deploy/ and the chart document for an intermediate CA.
    c.run(
        "kubectl -n certkit-system create secret generic certkit-signer-ca --type=kubernetes.io/tls \\
           --from-file=tls.crt=int.pem --from-file=tls.key=int-key.pem --from-file=chain.pem=int-root.pem \\
           --dry-run=server -o name",
    );

    eprintln!("== --bundle with the intermediate only: the intermediate published, one warning");
    let signer = start(c, "chain-short", "example.com/chain-short", "short.pem");
    let chain = issued_csr(c, "chain-short-csr", "example.com/chain-short");
    assert_eq!(&blocks(&chain)[1..], std::slice::from_ref(&int));
    verify_against_the_root(c, "chain-short-csr", &chain, "server-key.pem");
    wait_until(
        "the intermediate in the trust bundle",
        Duration::from_secs(10),
        || trust_bundle(c, "example.com/chain-short").trim() == int.trim(),
    );
    let warnings = anchor_warnings(&signer);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let detail = warnings[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("--bundle short.pem")
            && detail.contains("/CN=certkit test intermediate")
            && detail.contains("not self-signed"),
        "{detail}"
    );

    eprintln!(
        "== the bundle is reloaded with the CA: a broken one is refused, a good one published"
    );
    c.run("cat root.pem int.pem > short.pem.tmp && mv short.pem.tmp short.pem");
    wait_until(
        "the reversed bundle refused",
        Duration::from_secs(15),
        || {
            signer
                .log()
                .contains("does not load: still signing with the old one")
        },
    );
    let refused = signer
        .log()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| {
            v["message"]
                .as_str()
                .unwrap_or("")
                .contains("does not load")
        })
        .unwrap();
    let error = refused["error"].as_str().unwrap();
    assert!(
        error.contains("short.pem")
            && error.contains(
                "certificate 1 is /CN=certkit test root, expected /CN=certkit test intermediate"
            ),
        "{refused}"
    );
    // Still the old CA and bundle: the next certificate chains as before.
    let chain = issued_csr(c, "chain-short-kept", "example.com/chain-short");
    assert_eq!(&blocks(&chain)[1..], std::slice::from_ref(&int));
    c.run("cp int-root.pem short.pem.tmp && mv short.pem.tmp short.pem");
    wait_until(
        "the root first in the reloaded trust bundle",
        Duration::from_secs(15),
        || trust_bundle(c, "example.com/chain-short").starts_with(root.trim()),
    );
    let chain = issued_csr(c, "chain-short-reloaded", "example.com/chain-short");
    assert_eq!(blocks(&chain)[1..], [int.clone(), root.clone()]);
    assert_eq!(
        anchor_warnings(&signer).len(),
        1,
        "no warning for the bundle that reaches the root"
    );
    eprintln!(
        "   intermediate-CA scenarios: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
