#!/usr/bin/env bash
# Load benchmark of the real binary (make bench):
#   1. the referral redirect GET /r/CODE (every request records a click)
#      against a bare Go 302 server, with wrk at 64, 256 and 1024 connections;
#   2. the conversion API, POST /api/v1/conversions with unique order ids,
#      at 64 connections.
# Prints a table and writes everything to bench/out/results.txt.
#
# Knobs (environment): DURATION (default 10s; whole seconds), CONNS (default
# "64 256 1024"), CONV_CONNS (default 64), THREADS (default 2), WARMUP (default
# 2s, each server, before the first measurement), AFFOGATO_BIN (default
# bin/affogato), AFFOGATO_BENCH_FLAGS and BARE_FLAGS (more flags for either
# server, e.g. --pprof-addr 127.0.0.1:6060 and -pprof-addr 127.0.0.1:6061 to
# profile them), AFFOGATO_ENV (environment for affogato only, e.g. "GOGC=800").
#
# Fairness: both servers get the same wrk settings and the same warm-up, and
# at each connection count they take turns in the order affogato, bare,
# bare, affogato, each for half of DURATION; a server's figure is over both
# of its halves. So a change in what else the machine runs (which moves
# req/s a lot on a shared machine) during a pair weighs on both servers
# alike instead of on whichever ran at the time.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNS=${CONNS:-64 256 1024}
CONV_CONNS=${CONV_CONNS:-64}
THREADS=${THREADS:-2}
BIN=${AFFOGATO_BIN:-bin/affogato}
OUT_DIR=bench/out
RESULTS=$OUT_DIR/results.txt

die() {
  echo "bench: $*" >&2
  for log in "${WORK:-/nonexistent}/affogato.log" "${WORK:-/nonexistent}/bare.log"; do
    [ -s "$log" ] && { echo "bench: last lines of $log:" >&2; tail -n 5 "$log" >&2; }
  done
  exit 1
}

# ---- tools ----
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing wrk"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk
  else
    die "wrk is not installed (apt-get install wrk, as root)"
  fi
fi
for tool in ssh ssh-keygen curl go; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

[ -x "$BIN" ] || go build -o "$BIN" ./cmd/affogato

mkdir -p "$OUT_DIR"
: >"$RESULTS"
# Everything printed from here on also goes to the results file.
exec > >(tee -a "$RESULTS") 2>&1

WORK=$(mktemp -d)
echo "bench: work dir $WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# free_port prints a TCP port on 127.0.0.1 that nothing answers on, below
# the ephemeral range (there, wrk's own connections may hold it by the time
# a server binds it).
EPHEMERAL_LOW=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( (RANDOM % (EPHEMERAL_LOW - 10000)) + 10000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  die "no free port found"
}

# wait_http waits until URL answers (up to 60 s: a loaded machine starts slowly).
wait_http() {
  for _ in $(seq 1 1200); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  die "$1 did not answer"
}

SSH_PORT=$(free_port)
HTTP_PORT=$(free_port)
BARE_PORT=$(free_port)
[ "$SSH_PORT" != "$HTTP_PORT" ] && [ "$HTTP_PORT" != "$BARE_PORT" ] && [ "$SSH_PORT" != "$BARE_PORT" ] ||
  die "port clash, run again"
BASE=http://127.0.0.1:$HTTP_PORT

# ---- affogato with a program and an approved partner ----
ssh-keygen -q -t ed25519 -N "" -C bench-admin -f "$WORK/admin"
ssh-keygen -q -t ed25519 -N "" -C bench-partner -f "$WORK/partner"
env ${AFF_GOMAXPROCS:+GOMAXPROCS=$AFF_GOMAXPROCS} ${AFFOGATO_ENV:-} "$BIN" --data "$WORK/data" --ssh "127.0.0.1:$SSH_PORT" --http "127.0.0.1:$HTTP_PORT" \
  --public-url "$BASE" --admin-key "$WORK/admin.pub" \
  --click-flood-limit 0 --api-rate-limit 0 ${AFFOGATO_BENCH_FLAGS:-} >"$WORK/affogato.log" 2>&1 &
AFF_PID=$!
PIDS+=("$AFF_PID")
wait_http "$BASE/healthz"

# affssh KEY COMMAND... runs one affogato command over SSH.
affssh() {
  local key=$1
  shift
  ssh -i "$key" -p "$SSH_PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o BatchMode=yes -o IdentitiesOnly=yes -o LogLevel=ERROR 127.0.0.1 "$@"
}
# field NAME reads "NAME": value from indented JSON on stdin.
field() { sed -n "s/^ *\"$1\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" | head -n 1; }

for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$SSH_PORT") 2>/dev/null && break
  sleep 0.05
done
PROGRAM_JSON=$(affssh "$WORK/admin" program create bench --name Bench --url https://bench.test \
  --commission 20% --hold-days 0 --json)
API_KEY=$(echo "$PROGRAM_JSON" | field api_key)
JOIN_JSON=$(affssh "$WORK/partner" join bench --name Bench-Partner --email partner@bench.test --json)
CODE=$(echo "$JOIN_JSON" | field code)
PARTNER_ID=$(echo "$JOIN_JSON" | field partner_id)
[ -n "$API_KEY" ] && [ -n "$CODE" ] && [ -n "$PARTNER_ID" ] ||
  die "setup over ssh failed: $PROGRAM_JSON $JOIN_JSON"
affssh "$WORK/admin" partner approve bench "$PARTNER_ID" >/dev/null
REDIRECT_URL=$BASE/r/$CODE
status=$(curl -s -o /dev/null -w '%{http_code}' "$REDIRECT_URL")
[ "$status" = 302 ] || die "GET $REDIRECT_URL answered $status, want 302"

# ---- the bare 302 server ----
go build -o "$WORK/bare" ./bench/bare
"$WORK/bare" -addr "127.0.0.1:$BARE_PORT" -location "https://bench.test/" ${BARE_FLAGS:-} >"$WORK/bare.log" 2>&1 &
BARE_PID=$!
PIDS+=("$BARE_PID")
BARE_URL=http://127.0.0.1:$BARE_PORT/r/$CODE
wait_http "$BARE_URL"

echo "affogato bench — $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) CPUs, $(uname -sr), $(go version | awk '{print $3}'), $(wrk --version 2>&1 | head -n 1 | awk '{print $1, $2}')"
echo "load average before: $(cut -d" " -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo "wrk -t$THREADS -d$DURATION --latency; wrk, affogato and the bare server share the machine"
echo "redirect: $REDIRECT_URL (records a click per request)"
echo "bare:     $BARE_URL (Go net/http answering 302, nothing recorded)"
echo

# cpu_ticks PID prints the CPU time (user + system, clock ticks) PID used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

# run_wrk NAME PID ARGS... runs wrk, shows and keeps its output in
# $WORK/NAME.txt, and the CPU time server PID used meanwhile in
# $WORK/NAME.cpu (seconds).
run_wrk() {
  local name=$1 pid=$2 t0
  shift 2
  echo "== $name: wrk $*"
  t0=$(cpu_ticks "$pid")
  wrk "$@" | tee "$WORK/$name.txt"
  awk -v a="$t0" -v b="$(cpu_ticks "$pid")" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f\n", (b - a) / hz }' >"$WORK/$name.cpu"
  echo
}
rps() { awk '/^Requests\/sec:/ {print $2}' "$WORK/$1.txt"; }
# cpu_per_req NAME prints the server's CPU microseconds per completed request.
cpu_per_req() { awk -v s="$(cat "$WORK/$1.cpu")" -v n="$(total "$1")" 'BEGIN { if (n > 0) printf "%.1f", s * 1e6 / n; else print "-" }'; }
p99() { awk '$1 == "99%" {print $2}' "$WORK/$1.txt"; }
total() { awk '/ requests in / {print $1}' "$WORK/$1.txt"; }
errors() {
  awk '/Socket errors:/ {sub(/^ *Socket errors: */, ""); print} /Non-2xx or 3xx responses:/ {print "non-2xx/3xx " $NF}' "$WORK/$1.txt" |
    paste -sd ';' - | sed 's/^$/none/'
}

# Each server's two halves at one connection count are summed into NAME.txt
# (requests, seconds, the worse p99, errors) and NAME.cpu.
secs=${DURATION%s}
case $secs in '' | *[!0-9]*) die "DURATION must be whole seconds, like 10s (got $DURATION)" ;; esac
HALF=$(((secs + 1) / 2))s
# to_ms VALUE prints a wrk latency (850.00us, 3.48ms, 1.02s, 1.10m) in ms.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
  if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000; printf "%.2f", n }'; }
# secs_of NAME prints the seconds wrk ran (its "N requests in 4.00s" line).
secs_of() { awk '/ requests in / { v = $4; sub(/,$/, "", v); n = v + 0; if (v ~ /m$/) n *= 60; else if (v ~ /ms$/) n /= 1000; print n }' "$WORK/$1.txt"; }
merge_halves() {
  local name=$1 a=$WORK/$1-1 b=$WORK/$1-2 n s p1 p2
  n=$(($(total "$name-1") + $(total "$name-2")))
  s=$(awk -v x="$(secs_of "$name-1")" -v y="$(secs_of "$name-2")" 'BEGIN { printf "%.2f", x + y }')
  p1=$(to_ms "$(p99 "$name-1")")
  p2=$(to_ms "$(p99 "$name-2")")
  {
    echo "  $n requests in ${s}s (two halves)"
    awk -v n="$n" -v s="$s" 'BEGIN { printf "Requests/sec: %.2f\n", n / s }'
    awk -v x="$p1" -v y="$p2" 'BEGIN { printf "     99%%   %.2fms\n", (x > y ? x : y) }'
    grep -h -E "Socket errors:|Non-2xx or 3xx responses:" "$a.txt" "$b.txt" || true
  } >"$WORK/$name.txt"
  awk -v x="$(cat "$a.cpu")" -v y="$(cat "$b.cpu")" 'BEGIN { printf "%.2f\n", x + y }' >"$WORK/$name.cpu"
}

first_conns=${CONNS%% *}
run_wrk warmup-affogato "$AFF_PID" -t"$THREADS" -c"$first_conns" -d"$WARMUP" "$REDIRECT_URL" >/dev/null
run_wrk warmup-bare "$BARE_PID" -t"$THREADS" -c"$first_conns" -d"$WARMUP" "$BARE_URL" >/dev/null
echo "(warm-up: $WARMUP of wrk -c$first_conns on each server, not counted)"
echo

redirect_requests=$(total warmup-affogato)
for c in $CONNS; do
  run_wrk "affogato-c$c-1" "$AFF_PID" -t"$THREADS" -c"$c" -d"$HALF" --latency "$REDIRECT_URL"
  run_wrk "bare-c$c-1" "$BARE_PID" -t"$THREADS" -c"$c" -d"$HALF" --latency "$BARE_URL"
  run_wrk "bare-c$c-2" "$BARE_PID" -t"$THREADS" -c"$c" -d"$HALF" --latency "$BARE_URL"
  run_wrk "affogato-c$c-2" "$AFF_PID" -t"$THREADS" -c"$c" -d"$HALF" --latency "$REDIRECT_URL"
  merge_halves "affogato-c$c"
  merge_halves "bare-c$c"
  redirect_requests=$((redirect_requests + $(total "affogato-c$c")))
done

run_wrk conversions "$AFF_PID" -t"$THREADS" -c"$CONV_CONNS" -d"$DURATION" --latency -s bench/conversions.lua \
  "$BASE/api/v1/conversions" -- "$API_KEY" "$CODE" "bench$(date +%s)"

STATS_JSON=$(affssh "$WORK/admin" stats bench --json)
clicks=$(echo "$STATS_JSON" | field clicks)
conversions=$(echo "$STATS_JSON" | field conversions)
check_out=""

echo "== results"
echo
echo "Referral redirect GET /r/CODE, affogato vs bare Go 302 ($DURATION each, in two halves: affogato, bare, bare, affogato):"
printf '%-7s %15s %12s %15s %12s %16s %18s  %s\n' conns "affogato req/s" "p99" "bare req/s" "p99" "affogato/bare" \
  "CPU us/req (a|b)" "errors (affogato | bare)"
for c in $CONNS; do
  a=$(rps "affogato-c$c")
  b=$(rps "bare-c$c")
  ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  printf '%-7s %15s %12s %15s %12s %16s %18s  %s | %s\n' "$c" "$a" "$(p99 "affogato-c$c")" "$b" "$(p99 "bare-c$c")" "$ratio" \
    "$(cpu_per_req "affogato-c$c") | $(cpu_per_req "bare-c$c")" "$(errors "affogato-c$c")" "$(errors "bare-c$c")"
done
echo "(CPU us/req: the server process's CPU time, user and system, per completed request, from /proc;"
echo " it does not depend on what else the machine runs as much as req/s does)"
echo
echo "Conversion API POST /api/v1/conversions, unique order ids, $CONV_CONNS connections ($DURATION):"
printf '%-7s %15s %12s %12s %12s  %s\n' conns "req/s" "p99" "requests" "CPU us/req" "other than 201"
printf '%-7s %15s %12s %12s %12s  %s\n' "$CONV_CONNS" "$(rps conversions)" "$(p99 conversions)" "$(total conversions)" \
  "$(cpu_per_req conversions)" "$(awk '/^Responses other than 201:/ {print $NF}' "$WORK/conversions.txt")"
echo
echo "Ledger afterwards (stats bench --json): clicks $clicks (wrk completed $redirect_requests redirects;"
echo "requests still in flight when wrk stopped are recorded too), conversions $conversions."

# The ledger must hold every invariant after the load.
kill -TERM "$AFF_PID"
wait "$AFF_PID" || die "affogato did not exit cleanly; log in $WORK/affogato.log"
PIDS=("${PIDS[@]:1}")
check_out=$("$BIN" check --data "$WORK/data" 2>&1) || die "affogato check failed: $check_out"
echo "affogato check after the run: $check_out"
echo
echo "Written to $RESULTS"
