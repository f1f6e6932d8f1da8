# Sourced by bench/signer.sh and bench/pods.sh (not run): what both do
# before and after their rounds on a real kube-apiserver.
#
#   k8s_bench_setup NAME   needs the kubernetes Python client ($python), a
#                          certkit ($CERTKIT, else a release build), a work
#                          directory ($work, removed at exit), the API server
#                          started there (K8S_WITH_KCM=1 adds
#                          kube-controller-manager) and its env exported;
#                          leaves the shell in $work
#   k8s_bench_signer NAME SIGNING_JSON
#                          starts `certkit signer` for NAME with the cluster's
#                          CA, logging to signer.log, stopped at exit
#   k8s_bench_summary LABEL UNIT [PREFIX]
#                          the medians of the rounds in ./results (the lines
#                          starting with PREFIX, which is cut off)
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peer="${CERTKIT_K8S_PEER:-$repo/scripts/peers/k8s}"
python="${CERTKIT_VENV:-$repo/.venv}/bin/python"
work="" signer_pid=""

k8s_bench_cleanup() {
    [ -n "$signer_pid" ] && kill "$signer_pid" 2>/dev/null && wait "$signer_pid" 2>/dev/null
    if [ -n "$work" ]; then
        "$peer" stop "$work/k8s" >/dev/null 2>&1 || true
        rm -rf "$work"
    fi
}

k8s_bench_setup() {
    local name=$1
    "$python" -c 'import kubernetes' 2>/dev/null || {
        echo "bench/$name.sh: needs the kubernetes Python client in ${CERTKIT_VENV:-$repo/.venv} (scripts/test installs it)" >&2
        exit 1
    }
    if [ -z "${CERTKIT:-}" ]; then
        cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
        CERTKIT="$repo/target/release/certkit"
    fi
    work="$(mktemp -d "${TMPDIR:-/tmp}/certkit-bench-$name.XXXXXX")"
    trap k8s_bench_cleanup EXIT
    "$peer" start "$work/k8s" >/dev/null
    set -a; . "$work/k8s/env"; set +a
    cd "$work"
}

k8s_bench_signer() {
    local signer_name=$1 signing=$2
    "$CERTKIT" signer --signer-name "$signer_name" -ca "$CA_CERT" -ca-key "$CA_KEY" -config "$signing" \
        --kubeconfig "$KUBECONFIG" --cluster-trust-bundle=false 2> signer.log &
    signer_pid=$!
    sleep 2
}

k8s_bench_summary() {
    local label=$1 unit=$2 prefix=${3:-}
    grep "^$prefix" results | cut -c$((${#prefix} + 1))- > results.$label
    "$python" "$repo/bench/k8s_rounds.py" summary "results.$label" "$label" "$unit"
}
