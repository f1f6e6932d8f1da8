//! PodCertificateRequests (certificates.k8s.io/v1) against the real
//! kube-apiserver, created as a kubelet creates them (a stub PKCS#10
//! request from openssl with an empty subject) and issued by `certkit
//! signer`: the API server itself validates every status write (chain,
//! times equal to the leaf's, refresh window, lifetime >= 1 h).

use super::{each_issued_once, wait_until, Cluster, Signer};
use serde_json::{json, Value};
use std::time::Duration;

/// Creates a PodCertificateRequest in `default` for a pod that need not
/// exist (the API server accepts one from an admin without it).
pub(super) fn create(
    c: &Cluster,
    name: &str,
    signer: &str,
    stub: &str,
    sa: &str,
    max: Option<u32>,
) {
    let der = std::fs::read(c.work.join(stub)).unwrap();
    let mut spec = json!({
        "signerName": signer,
        "podName": format!("{name}-pod"),
        "podUID": "00000000-0000-0000-0000-00000000000a",
        "serviceAccountName": sa,
        "serviceAccountUID": "00000000-0000-0000-0000-00000000000b",
        "nodeName": "node1",
        "nodeUID": "00000000-0000-0000-0000-00000000000c",
        "stubPKCS10Request": super::base64_encode(&der),
    });
    if let Some(max) = max {
        spec["maxExpirationSeconds"] = json!(max);
    }
    let object = json!({
        "apiVersion": "certificates.k8s.io/v1",
        "kind": "PodCertificateRequest",
        "metadata": {"name": name, "namespace": "default"},
        "spec": spec,
    });
    std::fs::write(c.work.join(format!("{name}.json")), object.to_string()).unwrap();
    c.run(&format!("kubectl create -f {name}.json >/dev/null"));
}

fn get(c: &Cluster, name: &str) -> Value {
    serde_json::from_str(&c.run(&format!(
        "kubectl get podcertificaterequests.certificates.k8s.io {name} -o json"
    )))
    .unwrap()
}

/// The one terminal condition, waited for.
pub(super) fn wait_decided(c: &Cluster, name: &str) -> Value {
    let mut object = Value::Null;
    wait_until(&format!("{name} decided"), Duration::from_secs(30), || {
        object = get(c, name);
        object["status"]["conditions"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    });
    let conditions = object["status"]["conditions"].as_array().unwrap();
    assert_eq!(conditions.len(), 1, "{object}");
    object
}

/// Checks an issued request with openssl and returns (notBefore,
/// notAfter, beginRefreshAt) in Unix seconds.
fn check_issued(c: &Cluster, name: &str, key: &str, spiffe: &str, dns: &str) -> [i64; 3] {
    let object = wait_decided(c, name);
    assert_eq!(
        object["status"]["conditions"][0]["type"], "Issued",
        "{object}"
    );
    let chain = object["status"]["certificateChain"].as_str().unwrap();
    assert_eq!(
        chain.matches("BEGIN CERTIFICATE").count(),
        1,
        "the leaf (no intermediates)"
    );
    std::fs::write(c.work.join(format!("{name}.pem")), chain).unwrap();
    let text = c.run(&format!(
        "openssl verify -CAfile ca.pem {name}.pem >&2
         [ \"$(openssl x509 -in {name}.pem -noout -pubkey)\" = \"$(openssl pkey -in {key} -pubout)\" ]
         openssl x509 -in {name}.pem -noout -subject -ext subjectAltName"
    ));
    assert!(text.contains(&format!("URI:{spiffe}")), "{text}");
    assert!(text.contains(&format!("DNS:{dns}")), "{text}");
    assert!(
        text.lines().next().unwrap().trim() == "subject=",
        "empty subject: {text}"
    );
    let field = |f: &str| -> i64 {
        c.run(&format!(
            "date -d {} +%s",
            object["status"][f].as_str().unwrap()
        ))
        .trim()
        .parse()
        .unwrap()
    };
    [
        field("notBefore"),
        field("notAfter"),
        field("beginRefreshAt"),
    ]
}

pub(super) fn pod_certificate_requests(c: &Cluster) {
    eprintln!("== PodCertificateRequests: SPIFFE ID, lifetime, refresh window, Denied, Failed");
    c.run(
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out pod-ec.key
         openssl genpkey -algorithm ED25519 -out pod-ed.key
         openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out pod-rsa.key 2>/dev/null
         for k in ec ed rsa; do openssl req -new -key pod-$k.key -subj / -outform DER -out pod-$k.stub; done",
    );
    // Under deploy/'s RBAC (sa.kubeconfig, made by the seed scenario):
    // the ClusterRole is enough for pod certificates too.
    let signer = Signer::start(
        c,
        "pods",
        "sa.kubeconfig",
        &[
            "--signer-name=example.com/serving",
            "--trust-domain=test.example",
            "--pod-key-types=ECDSAP256,RSA3072",
            "--pod-dns-name={serviceaccount}.{namespace}.svc",
            "--cluster-trust-bundle=false",
        ],
    );
    create(
        c,
        "pod-ec",
        "example.com/serving",
        "pod-ec.stub",
        "sa-ec",
        Some(3600),
    );
    create(
        c,
        "pod-rsa",
        "example.com/serving",
        "pod-rsa.stub",
        "sa-rsa",
        None,
    );
    create(
        c,
        "pod-ed",
        "example.com/serving",
        "pod-ed.stub",
        "sa-ed",
        None,
    );

    let [nb, na, refresh] = check_issued(
        c,
        "pod-ec",
        "pod-ec.key",
        "spiffe://test.example/ns/default/sa/sa-ec",
        "sa-ec.default.svc",
    );
    assert_eq!(
        na - nb,
        3600,
        "maxExpirationSeconds, under the profile's expiry"
    );
    assert!(
        refresh >= nb + 1800 && refresh <= nb + 2880,
        "beginRefreshAt at 50-80 %: {nb} {refresh} {na}"
    );
    let [nb, na, refresh] = check_issued(
        c,
        "pod-rsa",
        "pod-rsa.key",
        "spiffe://test.example/ns/default/sa/sa-rsa",
        "sa-rsa.default.svc",
    );
    assert_eq!(na - nb, 86400, "the API's default maxExpirationSeconds");
    assert!(
        refresh >= nb + 43200 && refresh <= nb + 69120,
        "{nb} {refresh} {na}"
    );

    let denied = wait_decided(c, "pod-ed");
    let condition = &denied["status"]["conditions"][0];
    assert_eq!(condition["type"], "Denied", "{denied}");
    assert_eq!(condition["reason"], "UnsupportedKeyType");
    let message = condition["message"].as_str().unwrap();
    assert!(
        message.contains("ED25519") && message.contains("ECDSAP256, RSA3072"),
        "{message}"
    );
    assert!(denied["status"]["certificateChain"].is_null());

    let decisions = signer.decisions();
    let issued: Vec<&Value> = decisions
        .iter()
        .filter(|d| d["decision"] == "issued")
        .collect();
    assert_eq!(issued.len(), 2, "{decisions:?}");
    assert!(issued.iter().all(|d| d["kind"] == "PodCertificateRequest"
        && d["spiffe_id"]
            .as_str()
            .unwrap()
            .starts_with("spiffe://test.example/")));
    let metrics = signer.metrics();
    for line in [
        "certkit_signer_pod_issued_total{signer=\"example.com/serving\"} 2",
        "certkit_signer_pod_denied_total{signer=\"example.com/serving\"} 1",
        "certkit_signer_pod_request_to_issue_seconds_count 2",
    ] {
        assert!(metrics.contains(line), "{line} missing:\n{metrics}");
    }
    drop(signer);

    eprintln!("== --pod-verify: a request for a pod that does not exist Fails with the rule");
    let verify = Signer::start(
        c,
        "pods-verify",
        &c.env["KUBECONFIG"],
        &[
            "--signer-name=example.com/pods-verify",
            "--pod-verify",
            "--cluster-trust-bundle=false",
        ],
    );
    create(
        c,
        "pod-ghost",
        "example.com/pods-verify",
        "pod-ec.stub",
        "sa",
        None,
    );
    let failed = wait_decided(c, "pod-ghost");
    let condition = &failed["status"]["conditions"][0];
    assert_eq!(condition["type"], "Failed", "{failed}");
    assert_eq!(condition["reason"], "SignerValidationFailure");
    assert!(
        condition["message"]
            .as_str()
            .unwrap()
            .contains("pod default/pod-ghost-pod does not exist"),
        "{failed}"
    );
    drop(verify);
    pods_never_issued_twice(c);
}

/// Two signers without leader election race for the same requests: the
/// resourceVersion on the status write lets exactly one issue each.
fn pods_never_issued_twice(c: &Cluster) {
    const N: usize = 20;
    eprintln!("== two signers without leader election racing for {N} PodCertificateRequests");
    let a = Signer::racer(c, "pod-race-a", "example.com/pods-race");
    let b = Signer::racer(c, "pod-race-b", "example.com/pods-race");
    for i in 0..N {
        create(
            c,
            &format!("pod-race-{i:02}"),
            "example.com/pods-race",
            "pod-ec.stub",
            "sa",
            None,
        );
    }
    each_issued_once([&a, &b], "pcr", N);
    for i in 0..N {
        let object = get(c, &format!("pod-race-{i:02}"));
        assert_eq!(object["status"]["conditions"][0]["type"], "Issued");
    }
    eprintln!(
        "   {N} requests: {} issued by one, {} by the other",
        a.decisions().len(),
        b.decisions().len()
    );
}
