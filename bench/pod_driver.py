"""Drives one round of bench/pods.sh as kubelets would: creates N
PodCertificateRequests (certificates.k8s.io/v1) for a signer name from 4
threads, each with a stub PKCS#10 request, and watches for their status.
Prints one JSON line: per-request latency from the create call's response
to the Issued status seen on the watch, and issuances per second from the
first create to the last issuance.

usage: pod_driver.py KUBECONFIG SIGNER_NAME PREFIX N STUB_DER_FILE
"""
import base64
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from kubernetes import client, config

from k8s_rounds import ROUND_SECONDS, report, watch_issued

NAMESPACE = "default"


def main():
    kubeconfig, signer, prefix, n, stub_file = sys.argv[1:6]
    n = int(n)
    config.load_kube_config(config_file=kubeconfig)
    api = client.CertificatesV1Api()
    stub = base64.b64encode(open(stub_file, "rb").read()).decode()
    names = [f"{prefix}-{i:04d}" for i in range(n)]

    issued, done = watch_issued(
        api.list_namespaced_pod_certificate_request, [NAMESPACE], names,
        lambda obj: obj.status and obj.status.certificate_chain)

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
    done.wait(ROUND_SECONDS)
    report(signer, names, created, issued, start, "create_s", create_seconds)
    api.delete_collection_namespaced_pod_certificate_request(NAMESPACE)


if __name__ == "__main__":
    main()
