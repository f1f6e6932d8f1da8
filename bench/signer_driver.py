"""Drives one round of bench/signer.sh: creates N CertificateSigningRequests
for a signer name, approves them (4 threads, as several administrators or an
approver would), and watches for their certificates. Prints one JSON line:
per-request latency from the approval's response to the certificate being
seen on the watch, and throughput from the first approval to the last
certificate.

usage: signer_driver.py KUBECONFIG SIGNER_NAME PREFIX N CSR_PEM_FILE
"""
import base64
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from kubernetes import client, config, watch


def main():
    kubeconfig, signer, prefix, n, csr_file = sys.argv[1:6]
    n = int(n)
    config.load_kube_config(config_file=kubeconfig)
    api = client.CertificatesV1Api()
    request = base64.b64encode(open(csr_file, "rb").read()).decode()
    names = [f"{prefix}-{i:04d}" for i in range(n)]
    usages = ["digital signature", "client auth"]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda name: api.create_certificate_signing_request(
            client.V1CertificateSigningRequest(
                metadata=client.V1ObjectMeta(name=name),
                spec=client.V1CertificateSigningRequestSpec(
                    request=request, signer_name=signer, usages=usages))), names))

    issued = {}
    wanted = set(names)
    done = threading.Event()

    def watcher():
        w = watch.Watch()
        # Bounded: the stream ends after 300 s at most.
        for event in w.stream(api.list_certificate_signing_request, timeout_seconds=300):
            obj = event["object"]
            name = obj.metadata.name
            if name in wanted and name not in issued and obj.status and obj.status.certificate:
                issued[name] = time.monotonic()
                if len(issued) == n:
                    w.stop()
                    break
        done.set()

    thread = threading.Thread(target=watcher, daemon=True)
    thread.start()
    time.sleep(0.5)  # the watch is established

    approved = {}

    def approve(name):
        for _ in range(10):
            obj = api.read_certificate_signing_request(name)
            obj.status.conditions = (obj.status.conditions or []) + [client.V1CertificateSigningRequestCondition(
                type="Approved", status="True", reason="Bench", message="bench/signer.sh")]
            try:
                api.replace_certificate_signing_request_approval(name, obj)
                approved[name] = time.monotonic()
                return
            except client.exceptions.ApiException as e:
                if e.status != 409:
                    raise
        raise RuntimeError(f"{name}: could not approve")

    start = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(approve, names))
    approve_seconds = time.monotonic() - start
    done.wait(300)
    if len(issued) != n:
        print(json.dumps({"error": f"{len(issued)} of {n} issued"}))
        sys.exit(1)
    latencies = sorted(max(0.0, issued[k] - approved[k]) for k in names)
    total = max(issued.values()) - start
    pct = lambda p: latencies[min(n - 1, int(p * n))]
    print(json.dumps({
        "signer": signer, "n": n,
        "p50_ms": round(pct(0.50) * 1000, 1), "p99_ms": round(pct(0.99) * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "approve_s": round(approve_seconds, 2), "total_s": round(total, 2),
        "per_s": round(n / total, 1),
    }))
    # Leave the cluster clean for the next round.
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(api.delete_certificate_signing_request, names))


if __name__ == "__main__":
    main()
