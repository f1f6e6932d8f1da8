#!/usr/bin/env bash
# Benchmark (not a test): pod certificates. A kubelet-like driver
# (bench/pod_driver.py, the kubernetes Python client) creates
# PodCertificateRequests on a real kube-apiserver (scripts/peers/k8s) from 4
# threads, as nodes would for their pods' podCertificate volumes, and times
# each from its creation to the Issued status arriving on a watch;
# `certkit signer` issues them (ECDSA P-256 stub, SPIFFE URI SAN, 24 h).
# Usage: bench/pods.sh [TOTAL] [ROUNDS]   (default 1000 in 4 rounds)
# env:   CERTKIT (a certkit binary; default: a release build)
#        CERTKIT_VENV (a virtualenv with the kubernetes client; default .venv)
set -euo pipefail
total="${1:-1000}" rounds="${2:-4}"
per_round=$((total / rounds))
. "$(dirname "$0")/k8s_bench.sh"
k8s_bench_setup pods

# The stub as the kubelet makes it: a fresh key, an empty subject, DER.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out stub-key.pem
openssl req -new -key stub-key.pem -subj / -outform DER -out stub.der
echo '{"signing":{"default":{"usages":["digital signature","server auth","client auth"],"expiry":"24h"}}}' > signing.json
k8s_bench_signer example.com/pods signing.json

echo "certkit: $("$CERTKIT" version | sed -n 1p) ($CERTKIT); $K8S_FLAVOR; $total PodCertificateRequests in $rounds rounds"
for round in $(seq "$rounds"); do
    "$python" "$repo/bench/pod_driver.py" "$KUBECONFIG" example.com/pods "r$round" "$per_round" stub.der | tee -a results
done
echo "--- median over rounds (latency from creation to Issued, ms; throughput, issuances/s)"
k8s_bench_summary certkit issuances/s
echo "issued: $(grep -c '"decision":"issued"' signer.log) (decision lines in the signer log)"
