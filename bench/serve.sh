#!/usr/bin/env bash
# Signing-server benchmark (not a test): `certkit serve` against Debian's
# `cfssl serve` 1.2.0 (and current cfssl when scripts/peers/cfssl-current
# has built it), the same CA (P-256 and RSA-2048), the same CSR, on this
# machine, in one interleaved run: for each CA, connection count (1, 16,
# 64) and database (none, SQLite), each server is started, warmed up,
# loaded with wrk (or oha) POSTing /api/v1/cfssl/sign for DURATION
# seconds, and stopped; its peak RSS is read from /proc (VmHWM).
# Prints a markdown table: requests/s, p50 and p99 latency, peak RSS.
#
# Knobs (environment): DURATION (10 s), CONNS ("1 16 64"), CAS ("ecdsa rsa"),
# DBS ("none sqlite"), SERVERS ("certkit cfssl-1.2 cfssl-current").
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
DURATION="${DURATION:-10}"
CONNS="${CONNS:-1 16 64}"
CAS="${CAS:-ecdsa rsa}"
DBS="${DBS:-none sqlite}"
SERVERS="${SERVERS:-certkit cfssl-1.2 cfssl-current}"

command -v wrk >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; $sudo apt-get install -y -qq wrk >/dev/null; }
command -v cfssl >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; $sudo apt-get install -y -qq golang-cfssl >/dev/null; }
certkit="${CERTKIT:-$repo/target/release/certkit}"
[ -x "$certkit" ] || (cd "$repo" && cargo build --release -q)
current=""
if [ -x "$repo/scripts/peers/cfssl-current" ]; then
    current="$("$repo/scripts/peers/cfssl-current" build 2>/dev/null || true)"
fi

work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"

echo '{"signing":{"default":{"expiry":"8760h","usages":["signing","key encipherment","server auth"]}}}' > config.json
for ca in $CAS; do
    case $ca in
        ecdsa) key='{"algo":"ecdsa","size":256}' ;;
        rsa) key='{"algo":"rsa","size":2048}' ;;
    esac
    echo "{\"CN\":\"Bench $ca CA\",\"key\":$key}" > "ca-$ca.json"
    cfssl gencert -initca "ca-$ca.json" 2>/dev/null | cfssljson -bare "ca-$ca"
done
echo '{"CN":"svc.example.com","hosts":["svc.example.com"],"key":{"algo":"ecdsa","size":256}}' > req.json
cfssl genkey req.json 2>/dev/null | cfssljson -bare svc
jq -Rs '{certificate_request: ., profile: ""}' svc.csr > body.json
cat > post.lua <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/body.json", "r"); wrk.body = f:read("*a"); f:close()
LUA

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start() { # server ca db port
    local server=$1 ca=$2 db=$3 port=$4 dbflag=()
    if [ "$db" = sqlite ]; then
        rm -f certs.db*
        echo "{\"driver\":\"sqlite3\",\"data_source\":\"$work/certs.db\"}" > db.json
        if [ "$server" != certkit ]; then
            # cfssl does not create its tables: the goose migrations' schema, applied as-is.
            python3 - <<PY
import sqlite3; c = sqlite3.connect("$work/certs.db")
c.executescript("""CREATE TABLE certificates (serial_number blob NOT NULL, authority_key_identifier blob NOT NULL,
ca_label blob, status blob NOT NULL, reason int, expiry timestamp, revoked_at timestamp, pem blob NOT NULL,
issued_at timestamp, not_before timestamp, metadata text, sans text, common_name text,
PRIMARY KEY(serial_number, authority_key_identifier));
CREATE TABLE ocsp_responses (serial_number blob NOT NULL, authority_key_identifier blob NOT NULL, body blob NOT NULL,
expiry timestamp, PRIMARY KEY(serial_number, authority_key_identifier));"""); c.commit()
PY
        fi
        dbflag=(-db-config db.json)
    fi
    local args=(serve -address 127.0.0.1 -port "$port" -ca "ca-$ca.pem" -ca-key "ca-$ca-key.pem" -config config.json "${dbflag[@]}")
    case $server in
        certkit) "$certkit" "${args[@]}" -loglevel 2 2>/dev/null & ;;
        cfssl-1.2) cfssl "${args[@]}" -loglevel 2 2>/dev/null & ;;
        cfssl-current) "$current/cfssl" "${args[@]}" -loglevel 2 2>/dev/null & ;;
    esac
    pid=$!
    for _ in $(seq 100); do
        curl -s -o /dev/null -d @body.json "http://127.0.0.1:$port/api/v1/cfssl/sign" && return 0
        sleep 0.1
    done
    echo "bench/serve.sh: $server did not start" >&2; return 1
}

stop() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; pid=""; }

# wrk's latency lines are "50%  1.23ms"; normalise to milliseconds.
ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v/1000; else if (v ~ /ms$/) printf "%.2f", v+0; else if (v ~ /s$/) printf "%.1f", v*1000; else print v }'; }

echo "| CA | db | conns | server | req/s | p50 ms | p99 ms | peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|"
for ca in $CAS; do
  for db in $DBS; do
    for conns in $CONNS; do
      for server in $SERVERS; do
        [ "$server" = cfssl-current ] && [ -z "$current" ] && continue
        [ "$server" = cfssl-current ] && [ "$db" = sqlite ] && continue # built without cgo: no sqlite driver
        port=$(free_port)
        start "$server" "$ca" "$db" "$port" || continue
        wrk -t1 -c8 -d2s -s post.lua "http://127.0.0.1:$port/api/v1/cfssl/sign" >/dev/null 2>&1 || true
        threads=$(( conns < 2 ? 1 : 2 ))
        out=$(wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency -s post.lua "http://127.0.0.1:$port/api/v1/cfssl/sign")
        rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
        p50=$(ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
        p99=$(ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
        errs=$(awk '/Non-2xx/ {print $4}' <<<"$out")
        rss=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
        stop
        echo "| $ca | $db | $conns | $server | $rps${errs:+ ($errs non-2xx)} | $p50 | $p99 | $rss |"
      done
    done
  done
done
