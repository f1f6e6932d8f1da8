#!/usr/bin/env bash
# Benchmark (not a test): wall time of `certkit cluster init` making a whole
# kubeadm-layout PKI with RSA-2048 keys (3 CAs, 7 leaves, sa.key/sa.pub),
# against the same certificates made one by one with Debian's cfssl 1.2.0
# (`cfssl gencert` per certificate, from the request JSON and signing config
# that `cluster init --cfssl-out` writes) plus openssl for the sa key pair.
# Usage: bench/cluster.sh [RUNS]   (default 3; prints every run and the median)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-3}"
cfssl=/usr/bin/cfssl
[ -x "$cfssl" ] && command -v cfssljson >/dev/null || { echo "bench/cluster.sh: needs Debian's cfssl and cfssljson (apt-get install golang-cfssl)" >&2; exit 1; }
cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
certkit="$repo/target/release/certkit"
work="$(mktemp -d "${TMPDIR:-/tmp}/certkit-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

"$certkit" cluster print-defaults | jq '.key = "rsa-2048" | .keys = {}' > "$work/spec.json"
"$certkit" --loglevel 2 cluster init -config "$work/spec.json" --out "$work/inputs-pki" --cfssl-out "$work/inputs"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

certkit_times=()
cfssl_times=()
for i in $(seq "$runs"); do
    start=$(now)
    "$certkit" --loglevel 2 cluster init -config "$work/spec.json" --out "$work/certkit-$i"
    certkit_times+=("$(elapsed "$start" "$(now)")")

    dir="$work/cfssl-$i"
    cp -r "$work/inputs" "$dir"
    start=$(now)
    (
        cd "$dir"
        PATH="$(dirname "$cfssl"):$PATH" sh gencert.sh 2>/dev/null
        openssl genrsa -out sa.key 2048 2>/dev/null
        openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    )
    cfssl_times+=("$(elapsed "$start" "$(now)")")
    [ "$(ls "$dir"/*.pem | wc -l)" -eq 20 ] || { echo "cfssl run $i did not make 10 certificates and keys" >&2; exit 1; }
    echo "run $i: certkit cluster init ${certkit_times[-1]}s, cfssl one by one ${cfssl_times[-1]}s"
done
c=$(printf '%s\n' "${certkit_times[@]}" | median)
f=$(printf '%s\n' "${cfssl_times[@]}" | median)
echo "median of $runs runs on $(nproc) cores: certkit ${c}s, cfssl ${f}s, speed-up $(awk -v f="$f" -v c="$c" 'BEGIN { printf "%.1f", f / c }')x"
