#!/usr/bin/env bash
# Benchmark (not a test): full ACME issuances per second against
# `certkit serve -acme` (TLS, SQLite certdb): each issuance is one lego
# process doing what certbot does (new account, new order, authorization,
# http-01 validation, finalize, certificate download), CONCURRENCY at a
# time, all answering http-01 from one webroot served by Python's
# http.server on the validation port.
# Usage: bench/acme.sh [ISSUANCES] [CONCURRENCY]   (default 40 and 8)
# env: CERTKIT  the binary (default: a release build of this checkout)
#      LEGO     the client (default: scripts/peers/lego build)
# Prints the wall time and issuances per second; fails unless every
# issuance produced a certificate. step-ca is not compared yet.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-40}" c="${2:-8}"
if [ -z "${CERTKIT:-}" ]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
    CERTKIT="$repo/target/release/certkit"
fi
LEGO="${LEGO:-$("$repo/scripts/peers/lego" build)}"
work="$(mktemp -d "${TMPDIR:-/tmp}/certkit-acme-bench.XXXXXX")"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

echo '{"CN":"ACME Bench CA","key":{"algo":"ecdsa","size":256}}' > ca.json
"$CERTKIT" genkey -initca ca.json 2>/dev/null | "$CERTKIT" json -bare ca
echo '{"signing":{"default":{"expiry":"2160h","usages":["digital signature","key encipherment","server auth"]}}}' > config.json
echo '{"CN":"127.0.0.1","hosts":["127.0.0.1"],"key":{"algo":"ecdsa","size":256}}' > tls.json
"$CERTKIT" gencert -ca ca.pem -ca-key ca-key.pem -config config.json tls.json 2>/dev/null | "$CERTKIT" json -bare tls
echo "{\"driver\":\"sqlite3\",\"data_source\":\"$work/certs.db\"}" > db.json

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port) http01=$(free_port)
resolve=()
for i in $(seq "$n"); do resolve+=(-acme-resolve "b$i.bench.test:127.0.0.1"); done
"$CERTKIT" --loglevel 2 serve -port "$port" -ca ca.pem -ca-key ca-key.pem -config config.json \
    -db-config db.json -tls-cert tls.pem -tls-key tls-key.pem \
    -acme -acme-http01-port "$http01" "${resolve[@]}" 2> serve.log &
pids+=($!)
mkdir -p webroot
python3 -m http.server "$http01" --bind 127.0.0.1 --directory webroot >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    curl -sf --cacert ca.pem "https://127.0.0.1:$port/acme/directory" >/dev/null \
        && curl -sf "http://127.0.0.1:$http01/" >/dev/null && break
    sleep 0.1
done

issue() {
    LEGO_CA_CERTIFICATES="$work/ca.pem" "$LEGO" --accept-tos --email "b$1@example.com" \
        --path "$work/lego/$1" --server "https://127.0.0.1:$port/acme/directory" \
        --domains "b$1.bench.test" --http --http.webroot "$work/webroot" run >"$work/lego-$1.log" 2>&1
}
export -f issue
export LEGO work port

start=$(date +%s.%N)
seq "$n" | xargs -P "$c" -I{} bash -c 'issue {}'
end=$(date +%s.%N)

issued=$(find lego -name '*.crt' ! -name '*.issuer.crt' | wc -l)
[ "$issued" -eq "$n" ] || { echo "only $issued of $n issuances succeeded (see $work/lego-*.log)" >&2; trap - EXIT; exit 1; }
awk -v n="$n" -v c="$c" -v s="$start" -v e="$end" -v cpus="$(nproc)" \
    'BEGIN { printf "certkit serve -acme: %d issuances, %d at a time, %d CPUs: %.2f s, %.1f issuances/s\n", n, c, cpus, e - s, n / (e - s) }'
