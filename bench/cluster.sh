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

# Wall and CPU (user + sys) seconds of a command, as "WALL CPU".
measure() {
    local TIMEFORMAT='%R %U %S' t
    t=$( { time "$@" >/dev/null 2>&1; } 2>&1 )
    awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' <<<"$t"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

cfssl_one_by_one() {
    cd "$1"
    PATH="$(dirname "$cfssl"):$PATH" sh gencert.sh
    openssl genrsa -out sa.key 2048
    openssl rsa -in sa.key -pubout -out sa.pub
}

certkit_wall=() certkit_cpu=() cfssl_wall=() cfssl_cpu=()
for i in $(seq "$runs"); do
    read -r wall cpu < <(measure "$certkit" --loglevel 2 cluster init -config "$work/spec.json" --out "$work/certkit-$i")
    [ -f "$work/certkit-$i/sa.pub" ] || { echo "certkit run $i failed" >&2; exit 1; }
    certkit_wall+=("$wall") certkit_cpu+=("$cpu")
    dir="$work/cfssl-$i"
    cp -r "$work/inputs" "$dir"
    read -r wall cpu < <(measure cfssl_one_by_one "$dir")
    [ "$(ls "$dir"/*.pem | wc -l)" -eq 20 ] && [ -f "$dir/sa.pub" ] || { echo "cfssl run $i did not make every file" >&2; exit 1; }
    cfssl_wall+=("$wall") cfssl_cpu+=("$cpu")
    echo "run $i: certkit cluster init ${certkit_wall[-1]}s wall (${certkit_cpu[-1]}s CPU), cfssl one by one ${cfssl_wall[-1]}s wall (${cfssl_cpu[-1]}s CPU)"
done
m() { printf '%s\n' "$@" | median; }
cw=$(m "${certkit_wall[@]}") cc=$(m "${certkit_cpu[@]}") fw=$(m "${cfssl_wall[@]}") fc=$(m "${cfssl_cpu[@]}")
echo "median of $runs runs, $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg):"
echo "  certkit cluster init: ${cw}s wall, ${cc}s CPU"
echo "  cfssl one by one:     ${fw}s wall, ${fc}s CPU"
echo "  wall-time speed-up $(awk -v f="$fw" -v c="$cw" 'BEGIN { printf "%.1f", f / c }')x"
