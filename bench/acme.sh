#!/usr/bin/env bash
# Benchmark (not a test): full ACME issuances per second, `certkit serve
# -acme` (TLS, SQLite certdb) against smallstep's step-ca (TLS, its default
# Badger v2 database) in one interleaved run on this machine. Each issuance is
# one lego process doing what certbot does (new account, new order,
# authorization, http-01 validation, finalize, certificate download),
# CONCURRENCY at a time, all answering http-01 from one webroot served by
# Python's http.server on the validation port. Each round runs one batch of
# ISSUANCES against certkit, then one against step-ca, so both see the same
# machine load over time.
# Usage: bench/acme.sh [ISSUANCES] [CONCURRENCY] [ROUNDS]   (default 40, 8, 3)
# env: CERTKIT  the binary (default: a release build of this checkout)
#      LEGO     the client (default: scripts/peers/lego build)
#      STEPCA   step-ca (default: scripts/peers/step-ca build); STEPCA=none
#               skips it. When it cannot be built the run says so and
#               measures certkit alone.
# Setups: both are ECDSA P-256 CAs issuing 2160h leaves to lego's default
# P-256 keys. certkit signs with its root (-acme-resolve maps the names to
# 127.0.0.1, -acme-http01-port sets the port); step-ca signs with an
# intermediate as `step ca init` lays it out (names resolved by Debian's
# bind9 on a free port through --resolver, port set by --insecure
# --acme-http-port).
# Prints issuances per second per batch and per server; fails unless every
# issuance produced a certificate.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-40}" c="${2:-8}" rounds="${3:-3}"
if [ -z "${CERTKIT:-}" ]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
    CERTKIT="$repo/target/release/certkit"
fi
LEGO="${LEGO:-$("$repo/scripts/peers/lego" build)}"
if [ -z "${STEPCA:-}" ]; then
    STEPCA=$("$repo/scripts/peers/step-ca" build) || {
        echo "step-ca: NOT COMPARED: scripts/peers/step-ca build failed (see above); measuring certkit alone" >&2
        STEPCA=none
    }
fi
if [ "$STEPCA" != none ] && ! command -v named >/dev/null; then
    echo "step-ca: NOT COMPARED: Debian's bind9 (named) resolves its validation names and is missing; measuring certkit alone" >&2
    STEPCA=none
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/certkit-acme-bench.XXXXXX")"
pids=()
stop_all() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    pids=()
}
cleanup() { stop_all; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
mkdir -p webroot logs lego

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_for WHAT CMD...: up to 20 s for CMD to succeed.
wait_for() {
    local what=$1; shift
    for _ in $(seq 200); do "$@" >/dev/null 2>&1 && return; sleep 0.1; done
    echo "$what did not start (logs in $work)" >&2; trap - EXIT; stop_all; exit 1
}
http01=$(free_port)
python3 -m http.server "$http01" --bind 127.0.0.1 --directory webroot >/dev/null 2>&1 &
pids+=($!)

# certkit: its own CA, TLS certificate for 127.0.0.1, SQLite certdb.
mkdir certkit && (
    cd certkit
    echo '{"CN":"ACME Bench CA","key":{"algo":"ecdsa","size":256}}' > ca.json
    "$CERTKIT" genkey -initca ca.json 2>/dev/null | "$CERTKIT" json -bare ca
    echo '{"signing":{"default":{"expiry":"2160h","usages":["digital signature","key encipherment","server auth"]}}}' > config.json
    echo '{"CN":"127.0.0.1","hosts":["127.0.0.1"],"key":{"algo":"ecdsa","size":256}}' > tls.json
    "$CERTKIT" gencert -ca ca.pem -ca-key ca-key.pem -config config.json tls.json 2>/dev/null | "$CERTKIT" json -bare tls
    echo "{\"driver\":\"sqlite3\",\"data_source\":\"$work/certkit/certs.db\"}" > db.json
)
cport=$(free_port)
resolve=()
for r in $(seq "$rounds"); do
    for i in $(seq "$n"); do resolve+=(-acme-resolve "certkit-r$r-$i.bench.test:127.0.0.1"); done
done
"$CERTKIT" --loglevel 2 serve -port "$cport" -ca certkit/ca.pem -ca-key certkit/ca-key.pem \
    -config certkit/config.json -db-config certkit/db.json \
    -tls-cert certkit/tls.pem -tls-key certkit/tls-key.pem \
    -acme -acme-http01-port "$http01" "${resolve[@]}" 2> logs/certkit-serve.log &
pids+=($!)
servers=(certkit)
declare -A url cafile
url[certkit]="https://127.0.0.1:$cport/acme/directory" cafile[certkit]="$work/certkit/ca.pem"

if [ "$STEPCA" != none ]; then
    # step-ca: its own root and intermediate (P-256, made with openssl as
    # `step ca init` would), an ACME provisioner named "acme", Badger v2.
    mkdir -p stepca/db dns && (
        cd stepca
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -keyout root-key.pem \
            -out root.pem -subj "/CN=ACME Bench step-ca Root" -days 30 \
            -addext basicConstraints=critical,CA:TRUE,pathlen:1 -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -keyout int-key.pem \
            -out int.csr -subj "/CN=ACME Bench step-ca Intermediate" 2>/dev/null
        printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > int.ext
        openssl x509 -req -in int.csr -CA root.pem -CAkey root-key.pem -days 30 -extfile int.ext -out int.pem 2>/dev/null
    )
    sport=$(free_port) dport=$(free_port)
    cat > stepca/ca.json <<EOF
{
  "root": "$work/stepca/root.pem",
  "crt": "$work/stepca/int.pem",
  "key": "$work/stepca/int-key.pem",
  "address": "127.0.0.1:$sport",
  "dnsNames": ["127.0.0.1"],
  "logger": {"format": "text"},
  "db": {"type": "badgerv2", "dataSource": "$work/stepca/db"},
  "authority": {
    "provisioners": [{
      "type": "ACME", "name": "acme",
      "claims": {"defaultTLSCertDuration": "2160h", "maxTLSCertDuration": "2160h"}
    }]
  }
}
EOF
    # bind9: *.bench.test -> 127.0.0.1 for step-ca's --resolver.
    # shellcheck disable=SC2016 # $TTL is the zone file's directive
    printf '$TTL 300\n@ IN SOA ns.bench.test. admin.bench.test. 1 60 60 600 300\n@ IN NS ns.bench.test.\nns IN A 127.0.0.1\n* IN A 127.0.0.1\n' > dns/bench.test.zone
    cat > dns/named.conf <<EOF
options {
  directory "$work/dns"; pid-file "$work/dns/named.pid"; session-keyfile "$work/dns/session.key";
  managed-keys-directory "$work/dns"; listen-on port $dport { 127.0.0.1; }; listen-on-v6 { none; };
  recursion no; dnssec-validation no;
};
controls { };
zone "bench.test" { type primary; file "$work/dns/bench.test.zone"; };
EOF
    named -g -c dns/named.conf >/dev/null 2> logs/named.log &
    pids+=($!)
    wait_for named grep -q running logs/named.log
    env -u HTTP_PROXY -u http_proxy -u HTTPS_PROXY -u https_proxy -u NO_PROXY -u no_proxy \
        "$STEPCA" --insecure --acme-http-port "$http01" --resolver "127.0.0.1:$dport" \
        stepca/ca.json > logs/stepca.log 2>&1 &
    pids+=($!)
    servers+=(stepca)
    url[stepca]="https://127.0.0.1:$sport/acme/acme/directory" cafile[stepca]="$work/stepca/root.pem"
    stepca_version=$("$STEPCA" version 2>/dev/null | sed -n 1p)
fi
wait_for "python http.server" curl -sf "http://127.0.0.1:$http01/"
for s in "${servers[@]}"; do
    wait_for "$s" curl -sf --cacert "${cafile[$s]}" "${url[$s]}"
done

# URL, CAFILE, TAG: set per batch on the xargs line below.
# shellcheck disable=SC2153
issue() {
    LEGO_CA_CERTIFICATES="$CAFILE" "$LEGO" --accept-tos --email "$TAG-$1@example.com" \
        --path "$work/lego/$TAG/$1" --server "$URL" \
        --domains "$TAG-$1.bench.test" --http --http.webroot "$work/webroot" run >"$work/logs/lego-$TAG-$1.log" 2>&1
}
export -f issue
export LEGO work

declare -A total
for s in "${servers[@]}"; do total[$s]=0; done
for r in $(seq "$rounds"); do
    for s in "${servers[@]}"; do
        start=$(date +%s.%N)
        seq "$n" | URL="${url[$s]}" CAFILE="${cafile[$s]}" TAG="$s-r$r" xargs -P "$c" -I{} bash -c 'issue {}' || true
        end=$(date +%s.%N)
        issued=$(find "lego/$s-r$r" -name '*.crt' ! -name '*.issuer.crt' 2>/dev/null | wc -l)
        if [ "$issued" -ne "$n" ]; then
            echo "$s round $r: only $issued of $n issuances succeeded; logs kept in $work/logs" >&2
            for f in logs/lego-"$s-r$r"-*.log; do
                grep -q 'Server responded with a certificate' "$f" || { tail -3 "$f" >&2; break; }
            done
            trap - EXIT; stop_all; exit 1
        fi
        total[$s]=$(awk -v a="${total[$s]}" -v s="$start" -v e="$end" 'BEGIN { print a + e - s }')
        awk -v s="$s" -v r="$r" -v n="$n" -v t0="$start" -v t1="$end" \
            'BEGIN { printf "round %d %-8s %d issuances: %6.2f s, %6.1f issuances/s\n", r, s, n, t1 - t0, n / (t1 - t0) }'
    done
done

echo "lego $("$LEGO" --version | awk '{print $3}'), $n issuances per batch, $c at a time, $rounds rounds, $(nproc) CPUs"
[ "$STEPCA" = none ] || echo "step-ca: ${stepca_version:-unknown version}"
for s in "${servers[@]}"; do
    awk -v s="$s" -v k="$((n * rounds))" -v t="${total[$s]}" \
        'BEGIN { printf "%-8s %d issuances in %.2f s: %.1f issuances/s\n", s, k, t, k / t }'
done
