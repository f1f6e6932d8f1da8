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
repo="$(cd "$(dirname "$0")/.." && pwd)"
total="${1:-1000}" rounds="${2:-4}"
per_round=$((total / rounds))
peer="${CERTKIT_K8S_PEER:-$repo/scripts/peers/k8s}"
python="${CERTKIT_VENV:-$repo/.venv}/bin/python"
"$python" -c 'import kubernetes' 2>/dev/null || { echo "bench/pods.sh: needs the kubernetes Python client in ${CERTKIT_VENV:-$repo/.venv} (scripts/test installs it)" >&2; exit 1; }
if [ -z "${CERTKIT:-}" ]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
    CERTKIT="$repo/target/release/certkit"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/certkit-bench-pods.XXXXXX")"
signer_pid=""
cleanup() {
    [ -n "$signer_pid" ] && kill "$signer_pid" 2>/dev/null && wait "$signer_pid" 2>/dev/null
    "$peer" stop "$work/k8s" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
"$peer" start "$work/k8s" >/dev/null
set -a; . "$work/k8s/env"; set +a

cd "$work"
# The stub as the kubelet makes it: a fresh key, an empty subject, DER.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out stub-key.pem
openssl req -new -key stub-key.pem -subj / -outform DER -out stub.der
echo '{"signing":{"default":{"usages":["digital signature","server auth","client auth"],"expiry":"24h"}}}' > signing.json
"$CERTKIT" signer --signer-name example.com/pods -ca "$CA_CERT" -ca-key "$CA_KEY" -config signing.json \
    --kubeconfig "$KUBECONFIG" --cluster-trust-bundle=false 2> signer.log &
signer_pid=$!
sleep 2

echo "certkit: $("$CERTKIT" version | head -1) ($CERTKIT); $K8S_FLAVOR; $total PodCertificateRequests in $rounds rounds"
for round in $(seq "$rounds"); do
    "$python" "$repo/bench/pod_driver.py" "$KUBECONFIG" example.com/pods "r$round" "$per_round" stub.der | tee -a results
done
echo "--- median over rounds (latency from creation to Issued, ms; throughput, issuances/s)"
"$python" -c '
import json, statistics, sys
rows = [json.loads(l) for l in open("results")]
med = lambda k: statistics.median(r[k] for r in rows)
print("certkit  p50 %7.1f ms   p99 %7.1f ms   %6.1f issuances/s" % (med("p50_ms"), med("p99_ms"), med("per_s")))'
echo "issued: $(grep -c '"decision":"issued"' signer.log) (decision lines in the signer log)"
