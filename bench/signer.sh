#!/usr/bin/env bash
# Benchmark (not a test): approval-to-issue latency (p50/p99) and requests
# per second of `certkit signer`, beside kube-controller-manager's built-in
# csrsigning controller, on one real kube-apiserver (scripts/peers/k8s, with
# K8S_WITH_KCM=1). Rounds alternate between the two so both see the same
# server and machine load. The same driver (bench/signer_driver.py, the
# kubernetes Python client) creates the requests, approves them 4 at a time
# and times each from the approval's response to its certificate arriving
# on a watch.
#   kube-controller-manager signs kubernetes.io/kube-apiserver-client,
#   certkit signer signs example.com/bench; both with the same usages
#   (digital signature, client auth) and an ECDSA P-256 key.
# Usage: bench/signer.sh [TOTAL_PER_SIGNER] [ROUNDS]   (default 1000 in 4 rounds)
# env:   CERTKIT (a certkit binary; default: a release build)
#        CERTKIT_VENV (a virtualenv with the kubernetes client; default .venv)
set -euo pipefail
total="${1:-1000}" rounds="${2:-4}"
per_round=$((total / rounds))
. "$(dirname "$0")/k8s_bench.sh"
K8S_WITH_KCM=1 k8s_bench_setup signer

echo '{"CN":"bench-client","key":{"algo":"ecdsa","size":256}}' > client.json
"$CERTKIT" -q genkey client.json | "$CERTKIT" -q json -bare client
echo '{"signing":{"default":{"usages":["digital signature","client auth"],"expiry":"8760h"}}}' > signing.json
# certkit signs with the cluster's CA too, as kube-controller-manager does.
k8s_bench_signer example.com/bench signing.json

echo "certkit: $("$CERTKIT" version | sed -n 1p) ($CERTKIT); $K8S_FLAVOR; $total requests per signer in $rounds rounds"
for round in $(seq "$rounds"); do
    for who in kcm certkit; do
        case $who in
            kcm) name=kubernetes.io/kube-apiserver-client ;;
            certkit) name=example.com/bench ;;
        esac
        echo "$who $("$python" "$repo/bench/signer_driver.py" "$KUBECONFIG" "$name" "$who-$round" "$per_round" client.csr)" | tee -a results
    done
done
echo "--- median over rounds (latency from approval to certificate, ms; throughput, requests/s)"
for who in kcm certkit; do
    k8s_bench_summary "$who" req/s "$who "
done
