"""Drives one round of bench/signer.sh: creates N CertificateSigningRequests
for a signer name, approves them (4 threads, as several administrators or an
approver would), and watches for their certificates. Prints one JSON line:
per-request latency from the approval's response to the certificate being
seen on the watch, and throughput from the first approval to the last
certificate.

usage: signer_driver.py KUBECONFIG SIGNER_NAME PREFIX N CSR_PEM_FILE
"""
import base64
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from kubernetes import client, config

from k8s_rounds import ROUND_SECONDS, report, watch_issued


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

    issued, done = watch_issued(
        api.list_certificate_signing_request, [], names,
        lambda obj: obj.status and obj.status.certificate)

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
    done.wait(ROUND_SECONDS)
    report(signer, names, approved, issued, start, "approve_s", approve_seconds)
    # Leave the cluster clean for the next round.
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(api.delete_certificate_signing_request, names))


if __name__ == "__main__":
    main()
