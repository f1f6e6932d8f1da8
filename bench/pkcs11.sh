#!/usr/bin/env bash
# Benchmark (not a test): the CA key in a PKCS#11 token (SoftHSM2) against
# the same key in a PEM file, and against openssl signing the same
# certificate through its PKCS#11 engine (libp11) with the same token key.
# One interleaved run: `sign` (one process per certificate: N rounds of
# PEM, token, openssl) and `serve` (wrk POSTing /api/v1/cfssl/sign for
# DURATION seconds at each connection count, PEM then token), for a
# P-256 and an RSA-2048 CA. The key is made once as PEM and imported into
# the token, so both sides sign with the same key and CA certificate.
#
# Knobs (environment): N (50 sign rounds), DURATION (5 s), CONNS ("1 8"),
# CAS ("ecdsa rsa"), CERTKIT (the binary; default target/release/certkit).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
N="${N:-50}"
DURATION="${DURATION:-5}"
CONNS="${CONNS:-1 8}"
CAS="${CAS:-ecdsa rsa}"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
for tool in wrk:wrk softhsm2-util:softhsm2 pkcs11-tool:opensc; do
    command -v "${tool%%:*}" >/dev/null || $sudo apt-get install -y -qq "${tool##*:}" >/dev/null
done
engine=$(ls /usr/lib/*/engines-3/pkcs11.so 2>/dev/null | head -1)
[ -n "$engine" ] || { $sudo apt-get install -y -qq libengine-pkcs11-openssl >/dev/null; engine=$(ls /usr/lib/*/engines-3/pkcs11.so | head -1); }
module=$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -1)
certkit="${CERTKIT:-$repo/target/release/certkit}"
[ -x "$certkit" ] || (cd "$repo" && cargo build --release -q)

work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
export SOFTHSM2_CONF="$work/softhsm2.conf"
mkdir tokens
printf 'directories.tokendir = %s/tokens\nlog.level = ERROR\n' "$work" > softhsm2.conf
softhsm2-util --init-token --free --label bench --pin 417305 --so-pin 924816 >/dev/null
echo 417305 > pin
cat > engine.cnf <<CNF
openssl_conf = conf
[conf]
engines = engines
[engines]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = $engine
MODULE_PATH = $module
init = 0
CNF

echo '{"signing":{"default":{"expiry":"8760h","usages":["signing","key encipherment","server auth"]}}}' > config.json
echo '{"CN":"svc.example.com","hosts":["svc.example.com"],"key":{"algo":"ecdsa","size":256}}' > req.json
"$certkit" genkey req.json 2>/dev/null | "$certkit" json -bare svc
jq -Rs '{certificate_request: ., profile: ""}' svc.csr > body.json
cat > post.lua <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/body.json", "r"); wrk.body = f:read("*a"); f:close()
LUA
n=0
for ca in $CAS; do
    n=$((n + 1))
    case $ca in
        ecdsa) key='{"algo":"ecdsa","size":256}' ;;
        rsa) key='{"algo":"rsa","size":2048}' ;;
    esac
    echo "{\"CN\":\"Bench $ca CA\",\"key\":$key}" > "ca-$ca.json"
    "$certkit" gencert -initca "ca-$ca.json" 2>/dev/null | "$certkit" json -bare "ca-$ca"
    "$certkit" key convert -key-format pkcs8 -der -out "ca-$ca-key.der" "ca-$ca-key.pem" 2>/dev/null
    pkcs11-tool --module "$module" --token-label bench --login --pin 417305 \
        --write-object "ca-$ca-key.der" --type privkey --label "ca-$ca" --id "0$n" >/dev/null
    openssl pkey -in "ca-$ca-key.pem" -pubout -outform DER -out "ca-$ca-pub.der"
    pkcs11-tool --module "$module" --token-label bench --login --pin 417305 \
        --write-object "ca-$ca-pub.der" --type pubkey --label "ca-$ca" --id "0$n" >/dev/null
done
uri() { echo "pkcs11:token=bench;object=ca-$1?module-path=$module&pin-source=file:$work/pin"; }

# Seconds of wall time for a command run N times.
timed() {
    local start end
    start=$(date +%s.%N)
    for _ in $(seq "$N"); do "$@" >/dev/null 2>&1 || { echo "bench/pkcs11.sh: $* failed" >&2; exit 1; }; done
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }'
}
rate() { awk -v n="$N" -v t="$1" 'BEGIN { printf "%.1f", n / t }'; }

echo "sign: one process per certificate, $N each, interleaved; $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
echo "| CA | PEM key certs/s | token key certs/s | openssl + engine certs/s |"
echo "|---|---|---|---|"
for ca in $CAS; do
    pem=0 tok=0 ossl=0
    for round in 1 2 3; do
        N1=$N; N=$((N1 / 3))
        p=$(timed "$certkit" sign -ca "ca-$ca.pem" -ca-key "ca-$ca-key.pem" -config config.json svc.csr)
        t=$(timed "$certkit" sign -ca "ca-$ca.pem" -ca-key "$(uri "$ca")" -config config.json svc.csr)
        o=$(timed env OPENSSL_CONF="$work/engine.cnf" openssl x509 -req -in svc.csr -CA "ca-$ca.pem" \
            -engine pkcs11 -CAkeyform engine -CAkey "pkcs11:token=bench;object=ca-$ca;type=private;pin-value=417305" \
            -days 365 -set_serial "$round" -out /dev/null)
        pem=$(awk -v a="$pem" -v b="$p" 'BEGIN { print a + b }')
        tok=$(awk -v a="$tok" -v b="$t" 'BEGIN { print a + b }')
        ossl=$(awk -v a="$ossl" -v b="$o" 'BEGIN { print a + b }')
        N=$N1
    done
    per=$((N / 3 * 3))
    r() { awk -v n="$per" -v t="$1" 'BEGIN { printf "%.1f", n / t }'; }
    echo "| $ca | $(r "$pem") | $(r "$tok") | $(r "$ossl") |"
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
start() { # ca key port
    "$certkit" serve -address 127.0.0.1 -port "$3" -ca "ca-$1.pem" -ca-key "$2" -config config.json -loglevel 2 2>/dev/null &
    pid=$!
    for _ in $(seq 100); do
        curl -s -o /dev/null -d @body.json "http://127.0.0.1:$3/api/v1/cfssl/sign" && return 0
        sleep 0.1
    done
    echo "bench/pkcs11.sh: serve did not start" >&2; return 1
}
stop() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; pid=""; }

echo
echo "serve: wrk for ${DURATION}s per cell, PEM then token at each connection count"
echo "| CA | conns | PEM key req/s | token key req/s | token p99 ms |"
echo "|---|---|---|---|---|"
for ca in $CAS; do
    for conns in $CONNS; do
        row="| $ca | $conns"
        for key in "ca-$ca-key.pem" "$(uri "$ca")"; do
            port=$(free_port)
            start "$ca" "$key" "$port"
            wrk -t1 -c4 -d1s -s post.lua "http://127.0.0.1:$port/api/v1/cfssl/sign" >/dev/null 2>&1 || true
            out=$(wrk -t1 -c"$conns" -d"${DURATION}s" --latency -s post.lua "http://127.0.0.1:$port/api/v1/cfssl/sign")
            stop
            rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
            errs=$(awk '/Non-2xx/ {print $4}' <<<"$out")
            p99=$(awk '$1=="99%" {print $2}' <<<"$out")
            row="$row | $rps${errs:+ ($errs non-2xx)}"
        done
        echo "$row | $p99 |"
    done
done
