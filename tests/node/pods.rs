//! Pod certificates on the real kubelet (Kubernetes 1.37.2): pods with a
//! `podCertificate` projected volume addressed to `certkit signer` and a
//! `clusterTrustBundle` projection of the CA it publishes.
//!
//! - a pod becomes Ready with a credential bundle that verifies against
//!   the CA and carries its SPIFFE ID;
//! - two pods (service accounts alice and bob) do mutual TLS with the
//!   host's real openssl (s_server / s_client, mounted read-only from the
//!   host into the busybox image), with only their projected volumes;
//! - a third pod whose certificate comes from another signer (another
//!   certkit with another CA) is refused by the server;
//! - the kubelet refreshes the certificate at `beginRefreshAt` and the new
//!   one appears in the running pod, with no restart. The API server
//!   refuses a notBefore more than 5 minutes before its clock and a
//!   beginRefreshAt before notBefore + 10 minutes, so the earliest refresh
//!   is about 5.5 minutes after issuance (`--pod-refresh-fraction 0` asks
//!   for exactly that), and the kubelet acts on it in a periodic pass up to
//!   a few minutes later: this test takes about 8-10 minutes.

use super::*;

const PODS: &str = "example.com/pods";
const OTHER: &str = "example.com/other-pods";
const POLICY: &str = r#"{"signing":{"default":{"usages":["digital signature","key encipherment","server auth","client auth"],"expiry":"24h"}}}"#;

/// A hostNetwork pod (the node's network namespace: 127.0.0.1 is shared)
/// running the host's openssl (Debian's /usr, /lib and /lib64 mounted
/// read-only into the busybox image, which has only /bin) with its
/// identity and the CA projected.
fn pod_manifest(name: &str, account: &str, signer: &str, command: &str) -> String {
    format!(
        r#"apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  serviceAccountName: {account}
  hostNetwork: true
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: localhost/certkit-test/busybox:1
    imagePullPolicy: Never
    env: [{{name: LD_LIBRARY_PATH, value: /usr/lib/x86_64-linux-gnu}}]
    command: ["sh", "-c", {command:?}]
    volumeMounts:
    - {{name: identity, mountPath: /identity, readOnly: true}}
    - {{name: usr, mountPath: /usr, readOnly: true}}
    - {{name: lib, mountPath: /lib, readOnly: true}}
    - {{name: lib64, mountPath: /lib64, readOnly: true}}
    - {{name: ssl, mountPath: /etc/ssl, readOnly: true}}
  volumes:
  - name: identity
    projected:
      sources:
      - podCertificate:
          signerName: {signer}
          keyType: ECDSAP256
          maxExpirationSeconds: 3600
          credentialBundlePath: credentialbundle.pem
      - clusterTrustBundle:
          signerName: {PODS}
          labelSelector: {{matchLabels: {{app.kubernetes.io/managed-by: certkit-signer}}}}
          path: ca.pem
  - {{name: usr, hostPath: {{path: /usr, type: Directory}}}}
  - {{name: lib, hostPath: {{path: /usr/lib, type: Directory}}}}
  - {{name: lib64, hostPath: {{path: /usr/lib64, type: Directory}}}}
  - {{name: ssl, hostPath: {{path: /etc/ssl, type: Directory}}}}
"#
    )
}

/// The pod's credential bundle, read through `kubectl exec`.
fn bundle(node: &Node, pod: &str) -> String {
    node.run(&format!(
        "kubectl exec {pod} -- cat /identity/credentialbundle.pem"
    ))
}

/// The leaf's serial (openssl reads the first certificate of the bundle).
fn serial(node: &Node, pod: &str) -> String {
    node.run(&format!(
        "kubectl exec {pod} -- cat /identity/credentialbundle.pem | openssl x509 -noout -serial"
    ))
}

#[test]
fn pod_certificates_on_a_real_node() {
    let _one = one_at_a_time();
    let before = HostState::now();
    let Some(mut node) = Node::start_control_plane() else {
        return;
    };
    let cgroup_root = format!("/certkit-node-{}", node.env["HOLDER_PID"]);
    std::fs::write(node.work.join("signing.json"), POLICY).unwrap();
    // One signer for the kubelet's own certificates and the pods'; the
    // refresh hint at the earliest point the API allows.
    let signer = OutsideSigner::start(
        &node,
        &[
            &format!("--signer-name={KUBELET_CLIENT},{KUBELET_SERVING},{PODS}"),
            "--approve-kubelet-client",
            "--approve-kubelet-serving",
            "--pod-refresh-fraction=0",
        ],
    );
    // Another signer, another CA: what the third pod's certificate comes from.
    node.host_sh(
        "certkit genkey -initca $REPO/fixtures/workflow/ca-csr.json | certkit json -bare other-ca",
    );
    let other = OutsideSigner::start_with(
        &node,
        "other-signer.log",
        &node.work.join("other-ca.pem"),
        &node.work.join("other-ca-key.pem"),
        &[
            &format!("--signer-name={OTHER}"),
            "--cluster-trust-bundle=false",
        ],
    );
    kubelet_joins_through_certkit(&node);

    eprintln!("== a pod with a podCertificate volume becomes Ready with its SPIFFE ID");
    let server = "openssl s_server -accept 127.0.0.1:18443 -tls1_2 -www \
        -cert /identity/credentialbundle.pem -key /identity/credentialbundle.pem \
        -CAfile /identity/ca.pem -Verify 1 -verify_return_error";
    std::fs::write(
        node.work.join("alice.yaml"),
        pod_manifest("alice", "alice", PODS, server),
    )
    .unwrap();
    std::fs::write(
        node.work.join("bob.yaml"),
        pod_manifest("bob", "bob", PODS, "exec /bin/sleep 3600"),
    )
    .unwrap();
    std::fs::write(
        node.work.join("mallory.yaml"),
        pod_manifest("mallory", "mallory", OTHER, "exec /bin/sleep 3600"),
    )
    .unwrap();
    let t0 = Instant::now();
    node.run(
        "for sa in alice bob mallory; do kubectl create serviceaccount $sa >/dev/null; done
         kubectl apply -f alice.yaml -f bob.yaml -f mallory.yaml >/dev/null
         kubectl wait --for=condition=Ready pod/alice pod/bob pod/mallory --timeout=120s",
    );
    eprintln!("three pods Ready {:?} after creation", t0.elapsed());
    let version = node.sh("kubectl exec bob -- openssl version");
    assert!(
        version.status.success(),
        "the host's openssl in a pod: {}",
        text(&version)
    );
    // The server keeps running (its log says why if it does not).
    std::thread::sleep(Duration::from_secs(1));
    let phase = node.run("kubectl get pod alice -o jsonpath='{.status.phase}'");
    assert_eq!(
        phase,
        "Running",
        "alice: {}",
        text(&node.sh("kubectl logs alice"))
    );
    let alice = bundle(&node, "alice");
    assert!(alice.starts_with("-----BEGIN PRIVATE KEY-----"), "{alice}");
    std::fs::write(node.work.join("alice.pem"), &alice).unwrap();
    let sans = node.run(
        "openssl verify -CAfile \"$D/pki/ca.crt\" alice.pem >&2
         [ \"$(openssl x509 -in alice.pem -noout -pubkey)\" = \"$(openssl pkey -in alice.pem -pubout)\" ]
         openssl x509 -in alice.pem -noout -ext subjectAltName",
    );
    assert!(
        sans.contains("URI:spiffe://cluster.local/ns/default/sa/alice"),
        "{sans}"
    );
    // The trust bundle in the pod is the CA certkit published.
    let ca_in_pod = node.run("kubectl exec bob -- cat /identity/ca.pem");
    let ca = std::fs::read_to_string(node.d.join("pki/ca.crt")).unwrap();
    assert_eq!(ca_in_pod.trim(), ca.trim());

    eprintln!("== mutual TLS between two pods with only their projected volumes");
    let client = "openssl s_client -connect 127.0.0.1:18443 -tls1_2 \
        -cert /identity/credentialbundle.pem -key /identity/credentialbundle.pem \
        -CAfile /identity/ca.pem -verify_return_error";
    let bob_sees = node.run(&format!(
        "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | kubectl exec -i bob -- sh -c '{client} -ign_eof 2>&1'"
    ));
    assert!(
        bob_sees.contains("Verify return code: 0 (ok)"),
        "{bob_sees}"
    );
    assert!(
        bob_sees.contains("HTTP/1.0 200 ok"),
        "alice answered: {bob_sees}"
    );
    // alice's status page names the client certificate's issuer chain it
    // verified; the server-side check is shown by mallory's refusal below.
    let mallory = node.sh(&format!(
        "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | kubectl exec -i mallory -- sh -c '{client} -ign_eof 2>&1'"
    ));
    let mallory_sees = text(&mallory);
    assert!(!mallory_sees.contains("HTTP/1.0 200 ok"), "{mallory_sees}");
    assert!(
        mallory_sees.contains("alert") || mallory_sees.contains("verify error"),
        "mallory (a certificate from another signer) must be refused: {mallory_sees}"
    );
    let other_issued = std::fs::read_to_string(node.work.join("other-signer.log")).unwrap();
    assert!(
        other_issued.contains("spiffe://cluster.local/ns/default/sa/mallory"),
        "{other_issued}"
    );

    eprintln!("== the kubelet refreshes the certificate in place at beginRefreshAt");
    // The kubelet acts on beginRefreshAt late by design (kubelet 1.37's
    // podcertificate manager): it adds a random 0-5 minutes to it
    // (`jitterDuration`) and looks in a pass every 1-2 minutes
    // (`JitterUntil(1 min, factor 1.0)`), so up to 7 minutes after
    // beginRefreshAt, itself up to 10 minutes after issuance. The first of
    // the two pods to get a new certificate is checked; 15 minutes is the
    // worst case of the later one, from here, with room for a loaded host
    // (10 minutes once timed out on a machine shared with other builds).
    let first = [serial(&node, "alice"), serial(&node, "bob")];
    let mut refreshed = "";
    let took = wait_until("a certificate refreshed", Duration::from_secs(900), || {
        for (i, pod) in ["alice", "bob"].into_iter().enumerate() {
            if serial(&node, pod) != first[i] {
                refreshed = pod;
                return true;
            }
        }
        false
    });
    eprintln!("{refreshed}'s certificate refreshed {took:?} after the first check");
    std::fs::write(node.work.join("refreshed.pem"), bundle(&node, refreshed)).unwrap();
    let sans = node.run(
        "openssl verify -CAfile \"$D/pki/ca.crt\" refreshed.pem >&2
         [ \"$(openssl x509 -in refreshed.pem -noout -pubkey)\" = \"$(openssl pkey -in refreshed.pem -pubout)\" ]
         openssl x509 -in refreshed.pem -noout -ext subjectAltName",
    );
    assert!(
        sans.contains(&format!(
            "URI:spiffe://cluster.local/ns/default/sa/{refreshed}"
        )),
        "{sans}"
    );
    let restarts = node.run(&format!(
        "kubectl get pod {refreshed} -o jsonpath='{{.status.containerStatuses[0].restartCount}}'"
    ));
    assert_eq!(restarts.trim(), "0", "refreshed in place, no restart");
    let pcrs = node.json("get podcertificaterequests.certificates.k8s.io");
    let requests = pcrs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["spec"]["podName"] == refreshed)
        .count();
    assert!(requests >= 2, "a second request for {refreshed}: {pcrs}");
    let log = signer.log();
    assert!(log.contains("\"kind\":\"PodCertificateRequest\""), "{log}");

    drop(other);
    drop(signer);
    let stop = node.stop();
    eprintln!("stopped in {stop:?}");
    let left = HostState::leftovers(&node.d, &cgroup_root);
    assert!(left.is_empty(), "left on the host: {left:#?}");
    assert_eq!(HostState::now(), before, "the host changed");
}
