#!/usr/bin/env bash
# OCSP responder throughput: certkit ocspserve against Debian's cfssl 1.2.0
# ocspserve on the same certificate database, printed as a markdown table.
#
# cfssl records N certificates in a SQLite certdb, certkit revokes one and
# refreshes every response (ocsprefresh), cfssl's ocspdump writes the
# responses file. Rows: cfssl ocspserve -responses (1.2.0 has no
# -db-config), certkit ocspserve -responses, certkit ocspserve -db-config.
# Each serves the same POST (the revoked certificate's request)
# to the load generator (scripts/peers/loadgen: oha, else wrk) for
# DURATION with CONNECTIONS connections, the servers taking turns for
# ROUNDS rounds so that load from other processes hits all alike; the
# table shows each row's median responses per second, its range, and
# the server's peak RSS.
#
# Knobs (environment): ROUNDS (3), DURATION (5s), CONNECTIONS (16), N (200),
# CERTKIT (the binary; target/release/certkit by default).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-5s}"
CONNECTIONS="${CONNECTIONS:-16}"
N="${N:-200}"
for tool in openssl jq /usr/bin/cfssl; do
    command -v "$tool" >/dev/null || { echo "bench/ocsp.sh: $tool is missing (apt-get install openssl jq golang-cfssl)" >&2; exit 1; }
done
loadgen="$("$repo/scripts/peers/loadgen")"
# The release build as it is (scripts/release's static one, or cargo's);
# CERTKIT=PATH measures another.
certkit="${CERTKIT:-$repo/target/release/certkit}"
[ -x "$certkit" ] || cargo build --release --locked --quiet --manifest-path "$repo/Cargo.toml"
cfssl=/usr/bin/cfssl
work="$(mktemp -d "${TMPDIR:-/tmp}/certkit-ocsp-bench.XXXXXX")"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

# The PKI and the database.
echo '{"CN":"Bench CA","key":{"algo":"ecdsa","size":256}}' > ca.json
echo '{"CN":"leaf.example","hosts":["leaf.example"],"key":{"algo":"ecdsa","size":256}}' > leaf.json
cat > config.json <<'JSON'
{"signing":{"default":{"expiry":"8760h","usages":["digital signature","server auth"]},
 "profiles":{"ocsp":{"expiry":"8760h","usages":["digital signature","ocsp signing"],"ocsp_no_check":true}}}}
JSON
echo "{\"driver\":\"sqlite3\",\"data_source\":\"$work/certs.db\"}" > db.json
"$certkit" -loglevel 3 gencert -initca ca.json | "$certkit" json -bare ca
"$certkit" -loglevel 3 gencert -ca ca.pem -ca-key ca-key.pem -config config.json -profile ocsp leaf.json | "$certkit" json -bare ocsp
"$certkit" -loglevel 3 ocspdump -db-config db.json >/dev/null   # creates cfssl's tables
for i in $(seq "$N"); do
    "$cfssl" gencert -loglevel 5 -db-config db.json -ca ca.pem -ca-key ca-key.pem -config config.json leaf.json > "cert$i.json"
done
"$certkit" json -bare target < cert1.json
serial="$(openssl x509 -in target.pem -noout -serial | cut -d= -f2)"
aki="$(openssl x509 -in target.pem -noout -ext authorityKeyIdentifier | tail -1 | tr -d ' ')"
"$certkit" -loglevel 3 revoke -db-config db.json -serial "$(python3 -c "print(int('$serial', 16))")" -aki "$aki" -reason keyCompromise
"$certkit" -loglevel 3 ocsprefresh -db-config db.json -ca ca.pem -responder ocsp.pem -responder-key ocsp-key.pem
"$cfssl" ocspdump -db-config db.json > responses.txt
openssl ocsp -issuer ca.pem -cert target.pem -no_nonce -reqout req.der
# POST, not RFC 5019's GET: cfssl 1.2.0's ocspserve unescapes the GET path
# twice and refuses any request whose base64 holds '+' (this CA's key
# hash does), so it could not be measured on GET.
post=(--data-binary @req.der -H "Content-Type: application/ocsp-request")
cat > post.lua <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/ocsp-request"
local f = io.open("req.der", "rb"); wrk.body = f:read("*a"); f:close()
LUA

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start ROW: starts the row's server, sets $pid and $port.
start() {
    port="$(free_port)"
    case "$1" in
        cfssl-responses) "$cfssl" ocspserve -loglevel 5 -port "$port" -responses responses.txt 2>/dev/null & ;;
        certkit-responses) "$certkit" -loglevel 3 ocspserve -port "$port" -responses responses.txt 2>/dev/null & ;;
        certkit-db) "$certkit" -loglevel 3 ocspserve -port "$port" -db-config db.json 2>/dev/null & ;;
    esac
    pid=$!
    pids+=("$pid")
    for _ in $(seq 100); do
        curl -sf -o /dev/null "${post[@]}" "http://127.0.0.1:$port/" && return
        sleep 0.1
    done
    echo "bench/ocsp.sh: $1 did not answer" >&2
    exit 1
}

# The served response must say revoked, for every row.
check() {
    curl -sf "${post[@]}" "http://127.0.0.1:$port/" > resp.der
    openssl ocsp -respin resp.der -issuer ca.pem -cert target.pem -CAfile ca.pem -no_nonce 2>&1 | grep -q "target.pem: revoked" \
        || { echo "bench/ocsp.sh: $1 does not answer revoked" >&2; exit 1; }
}

# load URL: responses per second.
load() {
    case "$(basename "$loadgen")" in
        oha) "$loadgen" -z "$DURATION" -c "$CONNECTIONS" --no-tui --output-format json \
            -m POST -T application/ocsp-request -D req.der "$1" | jq '.summary.requestsPerSec' ;;
        *) "$loadgen" -t 2 -c "$CONNECTIONS" -d "$DURATION" -s post.lua "$1" | awk '/Requests\/sec/ {print $2}' ;;
    esac
}

rss_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

rows=(cfssl-responses certkit-responses certkit-db)
declare -A rates rss
for round in $(seq "$ROUNDS"); do
    for row in "${rows[@]}"; do
        start "$row"
        check "$row"
        rate="$(load "http://127.0.0.1:$port/")"
        rates[$row]+="$rate "
        rss[$row]="$(rss_kb "$pid")"
        kill "$pid"; wait "$pid" 2>/dev/null || true
        echo "round $round $row: $rate responses/s" >&2
    done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
range() { tr ' ' '\n' | grep -v '^$' | sort -g | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%.0f-%.0f", lo, hi}'; }
echo
echo "OCSP POST, $N certificates, $CONNECTIONS connections, $DURATION x $ROUNDS rounds, $(basename "$loadgen"), $(nproc) CPUs"
echo
echo "| server | responses/s (median) | range | peak RSS |"
echo "|---|---|---|---|"
for row in "${rows[@]}"; do
    printf '| %s | %.0f | %s | %s MiB |\n' "$row" "$(echo "${rates[$row]}" | median)" "$(echo "${rates[$row]}" | range)" "$(( ${rss[$row]} / 1024 ))"
done
