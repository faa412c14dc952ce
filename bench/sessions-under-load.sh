#!/usr/bin/env bash
# First frames of SESSIONS concurrent SSH dashboard sessions on the seeded
# 1M-click program, with and without the redirector saturated (issue 12,
# part 3: p99 first frame < 300 ms while the redirector takes clicks).
#
#   flock /work/wt/bench.lock bash bench/sessions-under-load.sh
#
# Copies SEED (read-only master, default /work/seed/full) to a scratch dir,
# starts the binary there with --click-flood-limit 0 and an admin key, has
# one partner key `join seed`, then for each LOADS entry ("off": no clicks;
# "on": wrk -t1 -c64 over every seed code with bench/codes.lua for the whole
# run, after which the server gets time to store the clicks) runs
# bench/sshload twice: the partner portal (user seed, -ready "Last 30
# days") and the merchant console (the admin key, -keys 2,3,4,5,6,7,1).
# With PROFILE=1 it also takes, during each sshload run, a goroutine dump,
# a CPU profile and a heap profile of the server (pprof on loopback;
# PROFILE_DELAY, 0.5 s, after sshload starts, for PROFILE_SECONDS, 3: the
# first frames), written next to the results. Whenever a key goes 5 s
# without an answer, sshload writes the server's goroutines next to the
# results too (OUT.stall-CONSOLE-LOAD.txt).
#
# Knobs: AFFOGATO_BIN (default: built from this tree), SEED (/work/seed/full),
# SESSIONS (200), LOADS ("off on"), CONSOLES ("portal merchant"), ROUNDS (3),
# WRK_CONNS (64), PROFILE (unset), OUT (bench/out/sessions-under-load.txt),
# SERVER_ARGS (extra server flags), COLD_ADMIN (unset: the admin key runs
# `whoami` first), KEEP_WORK (keep the scratch dir and server log).
set -euo pipefail
cd "$(dirname "$0")/.."

SEED=${SEED:-/work/seed/full}
SESSIONS=${SESSIONS:-200}
LOADS=${LOADS:-off on}
CONSOLES=${CONSOLES:-portal merchant}
ROUNDS=${ROUNDS:-3}
WRK_CONNS=${WRK_CONNS:-64}
OUT=${OUT:-bench/out/sessions-under-load.txt}
SERVER_ARGS=${SERVER_ARGS:-}

die() { echo "sessions-under-load: $*" >&2; exit 1; }
. bench/lib.sh
for tool in wrk ssh ssh-keygen curl go; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
[ -f "$SEED/affogato.db" ] || die "no seeded database in $SEED (affogato seed)"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

BIN=${AFFOGATO_BIN:-}
if [ -z "$BIN" ]; then
  BIN=$WORK/affogato
  go build -o "$BIN" ./cmd/affogato
fi
go build -o "$WORK/sshload" ./bench/sshload
go build -o "$WORK/codes" ./bench/codes

mkdir -p "$(dirname "$OUT")"
: >"$OUT"
exec > >(tee -a "$OUT") 2>&1


echo "sessions under load — $(date -u '+%Y-%m-%d %H:%M:%S UTC'); $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $BIN ($(git rev-parse --short HEAD 2>/dev/null || echo '?')); seed: $SEED; $SESSIONS sessions; wrk -t1 -c$WRK_CONNS when load is on"

cp -r "$SEED" "$WORK/data"
"$WORK/codes" -db "$WORK/data/affogato.db" >"$WORK/codes.txt"
ssh-keygen -q -t ed25519 -N "" -C bench-admin -f "$WORK/admin"
ssh-keygen -q -t ed25519 -N "" -C bench-partner -f "$WORK/partner"
hp=$(free_port)
sp=$(free_port)
pp=$(free_port)
# shellcheck disable=SC2086
"$BIN" --data "$WORK/data" --ssh "127.0.0.1:$sp" --http "127.0.0.1:$hp" --public-url "http://127.0.0.1:$hp" \
  --click-flood-limit 0 --api-rate-limit 0 --admin-key "$WORK/admin.pub" --pprof-addr "127.0.0.1:$pp" \
  --max-sessions $((SESSIONS + 16)) --max-sessions-per-key "$SESSIONS" --max-sessions-per-ip $((SESSIONS + 16)) \
  --max-conns-per-ip $((2 * SESSIONS + 32)) $SERVER_ARGS >"$WORK/server.log" 2>&1 &
SRV=$!
PIDS+=("$SRV")
wait_http "http://127.0.0.1:$hp/healthz" || { tail -n 5 "$WORK/server.log"; die "server did not answer"; }
ssh -i "$WORK/partner" -p "$sp" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
  -o IdentitiesOnly=yes -o LogLevel=ERROR 127.0.0.1 join seed --name Load --email load@bench.test >/dev/null
# The admin has used the server before (its user exists), as in bench/scale.sh;
# COLD_ADMIN=1 leaves that to the 200 sessions.
if [ -z "${COLD_ADMIN:-}" ]; then
  ssh -i "$WORK/admin" -p "$sp" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
    -o IdentitiesOnly=yes -o LogLevel=ERROR 127.0.0.1 whoami >/dev/null
fi

# wait_idle: until the server uses under 0.2 s of CPU a second (the click
# applier has stored what the journal holds), at most 3 minutes.
wait_idle() {
  local a b
  for _ in $(seq 1 180); do
    a=$(awk '{print $14 + $15}' "/proc/$SRV/stat")
    sleep 1
    b=$(awk '{print $14 + $15}' "/proc/$SRV/stat")
    [ $((b - a)) -lt 20 ] && return 0
  done
  echo "the server did not go idle in 3 minutes"
}

run_console() { # CONSOLE LOAD
  local args=(-addr "127.0.0.1:$sp" -sessions "$SESSIONS" -pid "$SRV" -rounds "$ROUNDS" -ready "Last 30 days"
    -pprof "http://127.0.0.1:$pp" -stall-dump "$OUT.stall-$1-$2.txt")
  if [ "$1" = portal ]; then
    args+=(-key "$WORK/partner" -user seed)
  else
    args+=(-key "$WORK/admin" -user admin -keys 2,3,4,5,6,7,1)
  fi
  local prof=""
  if [ -n "${PROFILE:-}" ]; then
    (sleep "${PROFILE_DELAY:-0.5}"
     curl -fsS -o "$OUT.$1-$2.goroutines.txt" "http://127.0.0.1:$pp/debug/pprof/goroutine?debug=1" || true
     curl -fsS -o "$OUT.$1-$2.cpu.pprof" "http://127.0.0.1:$pp/debug/pprof/profile?seconds=${PROFILE_SECONDS:-3}" || true
     curl -fsS -o "$OUT.$1-$2.heap.pprof" "http://127.0.0.1:$pp/debug/pprof/heap" || true) &
    prof=$!
  fi
  echo "-- $1, click load $2:"
  "$WORK/sshload" "${args[@]}" || echo "sshload failed"
  [ -z "$prof" ] || wait "$prof"
}

for load in $LOADS; do
  wrk_pid=""
  if [ "$load" = on ]; then
    wrk -t1 -c"$WRK_CONNS" -d600s -s bench/codes.lua "http://127.0.0.1:$hp" -- "$WORK/codes.txt" >"$WORK/wrk.txt" 2>&1 &
    wrk_pid=$!
    PIDS+=("$wrk_pid")
    sleep 3 # the applier falls behind
  fi
  for c in $CONSOLES; do
    run_console "$c" "$load"
  done
  if [ -n "$wrk_pid" ]; then
    kill -INT "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" 2>/dev/null || true
    grep -E "Requests/sec" "$WORK/wrk.txt" | sed 's/^/wrk: /' || true
    wait_idle
  fi
done
echo "clicks recorded: $(curl -fsS "http://127.0.0.1:$hp/metrics" | awk '/^affogato_clicks_recorded_total / {printf "%d", $2}')"
kill -TERM "$SRV"
wait "$SRV" || die "server did not exit cleanly"
PIDS=()
"$BIN" check --data "$WORK/data" >/dev/null || die "affogato check failed after the run"
echo "affogato check: ok. Written to $OUT"
