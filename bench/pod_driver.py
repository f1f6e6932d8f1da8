"""Drives one round of bench/pods.sh as kubelets would: creates N
PodCertificateRequests (certificates.k8s.io/v1) for a signer name from 4
threads, each with a stub PKCS#10 request, and watches for their status.
Prints one JSON line: per-request latency from the create call's response
to the Issued status seen on the watch, and issuances per second from the
first create to the last issuance.

usage: pod_driver.py KUBECONFIG SIGNER_NAME PREFIX N STUB_DER_FILE
"""
import base64
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from kubernetes import client, config, watch

NAMESPACE = "default"


def main():
    kubeconfig, signer, prefix, n, stub_file = sys.argv[1:6]
    n = int(n)
    config.load_kube_config(config_file=kubeconfig)
    api = client.CertificatesV1Api()
    stub = base64.b64encode(open(stub_file, "rb").read()).decode()
    names = [f"{prefix}-{i:04d}" for i in range(n)]

    issued = {}
    wanted = set(names)

    def watcher():
        w = watch.Watch()
        # Bounded: the stream ends after 300 s at most.
        for event in w.stream(api.list_namespaced_pod_certificate_request, NAMESPACE,
                              timeout_seconds=300):
            obj = event["object"]
            name = obj.metadata.name
            if name in wanted and name not in issued and obj.status and obj.status.certificate_chain:
                issued[name] = time.monotonic()
                if len(issued) == n:
                    w.stop()
                    break

    thread = threading.Thread(target=watcher, daemon=True)
    thread.start()
    time.sleep(0.5)  # the watch is established

    created = {}

    def create(i_name):
        i, name = i_name
        body = {
            "apiVersion": "certificates.k8s.io/v1",
            "kind": "PodCertificateRequest",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {
                "signerName": signer,
                "podName": f"pod-{i}",
                "podUID": f"00000000-0000-0000-0000-{i:012d}",
                "serviceAccountName": f"sa-{i % 10}",
                "serviceAccountUID": "00000000-0000-0000-0000-00000000000b",
                "nodeName": f"node-{i % 4}",
                "nodeUID": "00000000-0000-0000-0000-00000000000c",
                "maxExpirationSeconds": 86400,
                "stubPKCS10Request": stub,
            },
        }
        api.create_namespaced_pod_certificate_request(NAMESPACE, body)
        created[name] = time.monotonic()

    start = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(create, enumerate(names)))
    create_seconds = time.monotonic() - start
    thread.join(300)
    if len(issued) != n:
        print(json.dumps({"error": f"{len(issued)} of {n} issued"}))
        sys.exit(1)
    latencies = sorted(max(0.0, issued[k] - created[k]) for k in names)
    total = max(issued.values()) - start
    pct = lambda p: latencies[min(n - 1, int(p * n))]
    print(json.dumps({
        "signer": signer, "n": n,
        "p50_ms": round(pct(0.50) * 1000, 1), "p99_ms": round(pct(0.99) * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "create_s": round(create_seconds, 2), "total_s": round(total, 2),
        "per_s": round(n / total, 1),
    }))
    api.delete_collection_namespaced_pod_certificate_request(NAMESPACE)


if __name__ == "__main__":
    main()
