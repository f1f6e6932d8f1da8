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
repo="$(cd "$(dirname "$0")/.." && pwd)"
total="${1:-1000}" rounds="${2:-4}"
per_round=$((total / rounds))
peer="${CERTKIT_K8S_PEER:-$repo/scripts/peers/k8s}"
python="${CERTKIT_VENV:-$repo/.venv}/bin/python"
"$python" -c 'import kubernetes' 2>/dev/null || { echo "bench/signer.sh: needs the kubernetes Python client in ${CERTKIT_VENV:-$repo/.venv} (scripts/test installs it)" >&2; exit 1; }
if [ -z "${CERTKIT:-}" ]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
    CERTKIT="$repo/target/release/certkit"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/certkit-bench-signer.XXXXXX")"
signer_pid=""
cleanup() {
    [ -n "$signer_pid" ] && kill "$signer_pid" 2>/dev/null && wait "$signer_pid" 2>/dev/null
    "$peer" stop "$work/k8s" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
K8S_WITH_KCM=1 "$peer" start "$work/k8s" >/dev/null
set -a; . "$work/k8s/env"; set +a

cd "$work"
echo '{"CN":"bench-client","key":{"algo":"ecdsa","size":256}}' > client.json
"$CERTKIT" -q genkey client.json | "$CERTKIT" -q json -bare client
echo '{"signing":{"default":{"usages":["digital signature","client auth"],"expiry":"8760h"}}}' > signing.json
# certkit signs with the cluster's CA too, as kube-controller-manager does.
"$CERTKIT" signer --signer-name example.com/bench -ca "$CA_CERT" -ca-key "$CA_KEY" -config signing.json \
    --kubeconfig "$KUBECONFIG" --cluster-trust-bundle=false 2> signer.log &
signer_pid=$!
sleep 2

echo "certkit: $("$CERTKIT" version | head -1) ($CERTKIT); $K8S_FLAVOR; $total requests per signer in $rounds rounds"
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
    grep "^$who " results | cut -d' ' -f2- | WHO=$who "$python" -c '
import json, os, statistics, sys
rows = [json.loads(l) for l in sys.stdin]
med = lambda k: statistics.median(r[k] for r in rows)
print("%-8s p50 %7.1f ms   p99 %7.1f ms   %6.1f req/s" % (os.environ["WHO"], med("p50_ms"), med("p99_ms"), med("per_s")))'
done
