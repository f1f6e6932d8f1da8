#!/usr/bin/env bash
# Whole-process benchmark: certkit, both the static release binary
# (scripts/release) and the binary `cargo install` builds (`cargo build
# --release`: what most users run; static too where build.rs could link it
# so, README "Start-up"), against Debian's
# cfssl 1.2.0 on the same inputs, printed as a markdown table.
#
#   bench/compare.sh            every row
#   bench/compare.sh ROW...     only these rows (to rerun noisy ones):
#     true genkey-ecdsa genkey-rsa2048 genkey-rsa4096 initca-ecdsa
#     sign-rsa-ca sign-ecdsa-ca bundle workflow batch
#
# Each row alternates the tools run by run (certkit, cfssl, the cargo-built
# certkit, ...: one hyperfine round per run, or ROUNDS rounds) so that load
# from other processes hits both alike, then pools the runs: medians, or
# means for RSA key generation, whose time is random. Peak RSS is the median of RSS_RUNS
# `/usr/bin/time -v` runs. The inputs (CAs, CSRs, a 3-certificate chain)
# are made once with cfssl. Installs hyperfine, GNU time, jq and
# golang-cfssl with apt-get when missing.
#
# Knobs (environment): ROUNDS (one per run), RUNS (40 per tool per row), RSA2048_KEYS
# (60), RSA4096_KEYS (20), RSS_RUNS (5), BATCH_N (1000), BATCH_ROUNDS (2),
# CERTKIT (a certkit binary to measure instead of scripts/release's),
# CERTKIT_CARGO (the cargo-built binary to measure beside it instead of
# building one; empty: measure CERTKIT alone).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${RUNS:-40}"
RSA2048_KEYS="${RSA2048_KEYS:-60}"
RSA4096_KEYS="${RSA4096_KEYS:-20}"
RSS_RUNS="${RSS_RUNS:-5}"
BATCH_N="${BATCH_N:-1000}"
BATCH_ROUNDS="${BATCH_ROUNDS:-2}"

missing=()
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
command -v jq >/dev/null 2>&1 || missing+=(jq)
command -v cfssl >/dev/null 2>&1 && command -v cfssljson >/dev/null 2>&1 || missing+=(golang-cfssl)
if ((${#missing[@]})); then
    echo "bench/compare.sh: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

certkit="${CERTKIT:-}"
[ -n "$certkit" ] || certkit="$("$repo/scripts/release")"
# scripts/release links target/release/certkit statically; `cargo build`
# links the ordinary one again (one more link, no recompilation).
if [ -z "${CERTKIT_CARGO+set}" ]; then
    cargo build --release --locked --quiet --manifest-path "$repo/Cargo.toml" --bin certkit
    CERTKIT_CARGO="$repo/target/release/certkit.cargo-install"
    cp "$repo/target/release/certkit" "$CERTKIT_CARGO"
fi
certkit_cargo="${CERTKIT_CARGO:-}"
cfssl="$(command -v cfssl)"
cfssljson="$(command -v cfssljson)"
work="$(mktemp -d "${TMPDIR:-/tmp}/certkit-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/times" "$work/bin-certkit" "$work/bin-cfssl"
ln -s "$certkit" "$work/bin-certkit/cfssl"
ln -s "$certkit" "$work/bin-certkit/cfssljson"
ln -s "$cfssl" "$work/bin-cfssl/cfssl"
ln -s "$cfssljson" "$work/bin-cfssl/cfssljson"

wanted() {
    [ ${#selected[@]} -eq 0 ] && return 0
    local row
    for row in "${selected[@]}"; do [ "$row" = "$1" ] && return 0; done
    return 1
}
selected=("$@")

# ---- inputs, made once with the reference cfssl -------------------------
cd "$work"
fx="$repo/fixtures/workflow"
cp "$fx/server-csr.json" "$fx/ca-csr.json" "$fx/server-signing-config.json" .
request() { # NAME ALGO SIZE
    printf '{"CN":"bench %s","hosts":["bench.example","192.0.2.1"],"key":{"algo":"%s","size":%s}}\n' "$1" "$2" "$3" >"$1.json"
}
request rsa2048 rsa 2048
request rsa4096 rsa 4096
printf '{"CN":"Bench ECDSA CA","key":{"algo":"ecdsa","size":256}}\n' >ca-ecdsa-csr.json
printf '{"CN":"Bench Intermediate CA","key":{"algo":"ecdsa","size":256}}\n' >int-csr.json
cat >chain-config.json <<'EOF'
{"signing":{"default":{"usages":["digital signature","key encipherment","server auth"],"expiry":"8760h"},
 "profiles":{"intermediate":{"usages":["cert sign","crl sign"],"expiry":"43800h",
   "ca_constraint":{"is_ca":true,"max_path_len":0,"max_path_len_zero":true}}}}}
EOF
quiet() { "$@" 2>/dev/null; }
quiet cfssl genkey server-csr.json | cfssljson -bare server
quiet cfssl gencert -initca ca-csr.json | cfssljson -bare ca-rsa
quiet cfssl gencert -initca ca-ecdsa-csr.json | cfssljson -bare ca-ecdsa
quiet cfssl genkey int-csr.json | cfssljson -bare int
quiet cfssl sign -ca ca-ecdsa.pem -ca-key ca-ecdsa-key.pem -config chain-config.json -profile intermediate int.csr | cfssljson -bare int
quiet cfssl gencert -ca int.pem -ca-key int-key.pem -config chain-config.json server-csr.json | cfssljson -bare leaf

# The workflow of workflow.md, steps 1, 3 and 4, as an admin types it
# (step 4 reads the approved CSR from the file instead of kubectl).
cat >workflow.sh <<'EOF'
set -euo pipefail
export PATH="$1:$PATH"
cd "$2"
cat server-csr.json | cfssl genkey - | cfssljson -bare server
cat ca-csr.json | cfssl gencert -initca - | cfssljson -bare ca
cat server.csr | cfssl sign -ca ca.pem -ca-key ca-key.pem -config server-signing-config.json - | cfssljson -bare ca-signed-server
EOF
for tool in certkit cfssl; do
    mkdir -p "wf-$tool"
    cp server-csr.json ca-csr.json server-signing-config.json "wf-$tool/"
done

# ---- measuring ----------------------------------------------------------
jq_stats='def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  [.[].results[$i].times[]] as $t | [.[].results[$i] | .user + .system] as $cpu
  | {median: ($t | median), mean: ($t | add / length), min: ($t | min), n: ($t | length), cpu: ($cpu | median)}'

# time_rounds ID TOTAL_RUNS CMD... : alternating hyperfine rounds, one
# warm-up run of each command first.
time_rounds() {
    local id=$1 total=$2 r
    shift 2
    local rounds=${ROUNDS:-$total}
    local per=$(((total + rounds - 1) / rounds))
    for ((r = 0; r < rounds; r++)); do
        hf --warmup $((r == 0 ? 1 : 0)) --runs "$per" --export-json "times/$id.$r.json" "$@"
    done
}

# hyperfine without its advice on a busy machine; its errors still show.
hf() {
    hyperfine -N --style none "$@" >/dev/null 2>hyperfine.err || {
        cat hyperfine.err >&2
        return 1
    }
}

# pooled ID INDEX FIELD: seconds, pooled over the rounds.
pooled() {
    jq -s --argjson i "$2" "$jq_stats | .$3" times/"$1".*.json
}

# peak_rss CMD: median of RSS_RUNS maximum resident set sizes, in KiB.
peak_rss() {
    local i
    for ((i = 0; i < RSS_RUNS; i++)); do
        # shellcheck disable=SC2086 # the command is a word list on purpose
        /usr/bin/time -v -o rss.txt $1 >/dev/null 2>&1
        awk -F': ' '/Maximum resident set size/ {print $2}' rss.txt
    done | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}

ms() { awk -v s="$1" 'BEGIN {printf "%.2f ms", s * 1000}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN {print (v <= t) ? "yes" : "**no**"}'; }

rows=()
row() { rows+=("$1"); }

# compare ID LABEL FIELD TARGET TOTAL_RUNS CERTKIT_CMD CFSSL_CMD [FLOOR]
# FLOOR=floor also runs `true` in the same rounds and checks certkit's
# distance from it against the 0.5 ms target of ECDSA operations;
# FLOOR=info only shows it. TARGET - has no target.
compare() {
    local id=$1 label=$2 field=$3 target=$4 total=$5 ck=$6 cf=$7 floor=${8:-}
    wanted "$id" || return 0
    echo "bench/compare.sh: $label" >&2
    local cmds=("$ck" "$cf") ckc="" floor_index=2
    # Rows whose command runs certkit itself (not through a script) also
    # run the cargo-built binary.
    if [ -n "$certkit_cargo" ] && [ "${ck#"$certkit "}" != "$ck" ]; then
        ckc="$certkit_cargo ${ck#"$certkit "}"
        cmds+=("$ckc")
        floor_index=3
    fi
    [ -z "$floor" ] || cmds+=(true)
    time_rounds "$id" "$total" "${cmds[@]}"
    measured_row "$id" "$label" "$field" "$target" "$ck" "$cf" "$floor" 0 "$floor_index"
    [ -z "$ckc" ] || measured_row "$id" "$label, cargo-built" "$field" "$target" "$ckc" "$cf" "$floor" 2 "$floor_index"
}

# measured_row ID LABEL FIELD TARGET CERTKIT_CMD CFSSL_CMD FLOOR INDEX FLOOR_INDEX:
# one table row for the certkit command at INDEX of the rounds.
measured_row() {
    local id=$1 label=$2 field=$3 target=$4 ck=$5 cf=$6 floor=$7 i=$8 fi=$9
    local a b n ra rb r extra=""
    a=$(pooled "$id" "$i" "$field")
    b=$(pooled "$id" 1 "$field")
    n=$(pooled "$id" "$i" n)
    ra=$(peak_rss "$ck")
    rb=$(peak_rss "$cf")
    r=$(ratio "$a" "$b")
    if [ -n "$floor" ]; then
        # Medians, and the fastest runs: on a loaded machine the median
        # measures the load, the fastest run what the process itself costs.
        local d dmin
        d=$(awk -v a="$a" -v t="$(pooled "$id" "$fi" median)" 'BEGIN {print a - t}')
        dmin=$(awk -v a="$(pooled "$id" "$i" min)" -v t="$(pooled "$id" "$fi" min)" 'BEGIN {print a - t}')
        extra="$(ms "$d"); fastest $(ms "$dmin")"
        [ "$floor" = floor ] && extra="$(ms "$d") ($(verdict "$d" 0.0005)); fastest $(ms "$dmin") ($(verdict "$dmin" 0.0005))"
    fi
    local goal="–"
    [ "$target" = "-" ] || goal="≤ $target ($(verdict "$r" "$target"))"
    local ca cb
    ca=$(pooled "$id" "$i" cpu)
    cb=$(pooled "$id" 1 cpu)
    row "| $label | $field of $n | $(ms "$a") ($(ms "$(pooled "$id" "$i" min)")) | $(ms "$b") ($(ms "$(pooled "$id" 1 min)")) | $r | $goal | $(ms "$ca") / $(ms "$cb") = $(ratio "$ca" "$cb") | $extra | $(mib "$ra") | $(mib "$rb") | $(ratio "$ra" "$rb") ($(verdict "$(ratio "$ra" "$rb")" 0.7)) |"
}

if wanted true || wanted genkey-ecdsa || wanted initca-ecdsa || wanted sign-rsa-ca || wanted sign-ecdsa-ca; then
    echo "bench/compare.sh: true (process-cost floor)" >&2
    time_rounds true "$RUNS" true
    row "| \`true\` (process floor) | median of $(pooled true 0 n) | $(ms "$(pooled true 0 median)") ($(ms "$(pooled true 0 min)")) | | | | $(ms "$(pooled true 0 cpu)") | | $(mib "$(peak_rss true)") | | |"
fi

compare genkey-ecdsa "genkey ECDSA P-256" median 0.35 "$RUNS" \
    "$certkit genkey server-csr.json" "$cfssl genkey server-csr.json" floor
compare genkey-rsa2048 "genkey RSA-2048" mean 0.6 "$RSA2048_KEYS" \
    "$certkit genkey rsa2048.json" "$cfssl genkey rsa2048.json"
compare genkey-rsa4096 "genkey RSA-4096" mean 0.5 "$RSA4096_KEYS" \
    "$certkit genkey rsa4096.json" "$cfssl genkey rsa4096.json"
compare initca-ecdsa "gencert -initca ECDSA P-256" median 0.35 "$RUNS" \
    "$certkit gencert -initca ca-ecdsa-csr.json" "$cfssl gencert -initca ca-ecdsa-csr.json" floor
compare sign-rsa-ca "sign P-256 CSR, RSA-2048 CA" median 0.35 "$RUNS" \
    "$certkit sign -ca ca-rsa.pem -ca-key ca-rsa-key.pem -config server-signing-config.json server.csr" \
    "$cfssl sign -ca ca-rsa.pem -ca-key ca-rsa-key.pem -config server-signing-config.json server.csr" info
compare sign-ecdsa-ca "sign P-256 CSR, P-256 CA" median 0.35 "$RUNS" \
    "$certkit sign -ca ca-ecdsa.pem -ca-key ca-ecdsa-key.pem -config server-signing-config.json server.csr" \
    "$cfssl sign -ca ca-ecdsa.pem -ca-key ca-ecdsa-key.pem -config server-signing-config.json server.csr" floor

if wanted bundle; then
    bundle_args="bundle -cert leaf.pem -ca-bundle ca-ecdsa.pem -int-bundle int.pem"
    # shellcheck disable=SC2086
    if "$certkit" bundle --help >/dev/null 2>&1 && "$certkit" $bundle_args >/dev/null 2>&1; then
        compare bundle "bundle a 3-certificate chain" median 0.5 "$RUNS" "$certkit $bundle_args" "$cfssl $bundle_args" floor
    else
        row "| bundle a 3-certificate chain | not measured: this certkit build has no working \`bundle\` command | | | | ≤ 0.5 | | | | | |"
    fi
fi

compare workflow "workflow.md steps 1, 3, 4 (3 pipelines, RSA-2048 CA)" mean - "$RSA2048_KEYS" \
    "bash workflow.sh $work/bin-certkit $work/wf-certkit" "bash workflow.sh $work/bin-cfssl $work/wf-cfssl"

echo
echo "## certkit vs cfssl 1.2.0, whole process"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg);"
echo "$("$certkit" version 2>&1 | head -1) vs $(cfssl version 2>&1 | head -1); $(hyperfine --version)."
[ -z "$certkit_cargo" ] || echo "Rows without a suffix: the static release binary ($certkit); \"cargo-built\": \`cargo build --release\` ($certkit_cargo), what \`cargo install\` makes."
echo "Ratios are certkit / cfssl from the same run (wall-clock medians, or means for RSA keys; in"
echo "brackets the fastest run); CPU time is less disturbed by other load. RSS ratio target ≤ 0.7."
echo
echo "| operation | statistic | certkit (min) | cfssl (min) | ratio | target | CPU (user + system, median): certkit / cfssl | certkit − \`true\` in the same rounds, medians; fastest runs (≤ 0.5 ms) | certkit peak RSS | cfssl peak RSS | RSS ratio |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for r in "${rows[@]}"; do echo "$r"; done

if wanted batch; then
    echo "bench/compare.sh: batch of $BATCH_N" >&2
    jq -n --argjson n "$BATCH_N" '[range($n) | {CN: "leaf \(.)", hosts: ["leaf\(.).example"], key: {algo: "ecdsa", size: 256}}]' >batch.json
    mkdir -p batch-requests
    jq -c '.[]' batch.json | awk '{f = sprintf("batch-requests/%05d.json", NR); print > f; close(f)}'
    cat >loop.sh <<'EOF'
set -euo pipefail
export PATH="$1:$PATH"
mkdir -p "$2" && cd "$2"
for f in ../batch-requests/*.json; do
    n="${f##*/}"
    cfssl gencert -ca ../ca-ecdsa.pem -ca-key ../ca-ecdsa-key.pem -config ../server-signing-config.json "$f" 2>/dev/null | cfssljson -bare "${n%.json}"
done
EOF
    ck_batch="$certkit batch -ca ca-ecdsa.pem -ca-key ca-ecdsa-key.pem -config server-signing-config.json -out out-batch batch.json"
    ck_batch1="$certkit batch -jobs 1 -ca ca-ecdsa.pem -ca-key ca-ecdsa-key.pem -config server-signing-config.json -out out-batch1 batch.json"
    ck_loop="bash loop.sh $work/bin-certkit out-loop-certkit"
    cf_loop="bash loop.sh $work/bin-cfssl out-loop-cfssl"
    for ((r = 0; r < BATCH_ROUNDS; r++)); do
        # sync first: no run pays for flushing the files the previous one left dirty.
        hf --runs 1 --prepare sync --export-json "times/batch.$r.json" "$ck_batch" "$ck_batch1" "$ck_loop" "$cf_loop"
    done
    cf=$(pooled batch 3 median)
    echo
    echo "## Batch: $BATCH_N ECDSA P-256 leaves (key, CSR, certificate, files) from one P-256 CA"
    echo
    echo "certkit fsyncs every file it writes (temporary file, fsync, rename); cfssljson does not."
    echo
    echo "| how | total (median of $BATCH_ROUNDS) | per certificate | CPU (user + system) per certificate | vs $BATCH_N cfssl processes |"
    echo "|---|---|---|---|---|"
    labels=("certkit batch, one process, one thread per CPU" "certkit batch, one process, -jobs 1"
        "$BATCH_N × (certkit gencert \\| certkit json)" "$BATCH_N × (cfssl gencert \\| cfssljson)")
    for i in 0 1 2 3; do
        t=$(pooled batch "$i" median)
        cpu=$(jq -s --argjson i "$i" --argjson n "$BATCH_N" '[.[].results[$i] | .user + .system] | add / length / $n' times/batch.*.json)
        echo "| ${labels[$i]} | $(awk -v s="$t" 'BEGIN {printf "%.2f s", s}') | $(ms "$(awk -v s="$t" -v n="$BATCH_N" 'BEGIN {print s / n}')") | $(ms "$cpu") | $(ratio "$t" "$cf") |"
    done
fi
