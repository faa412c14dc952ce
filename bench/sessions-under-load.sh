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
# Before measuring, the script waits until the server has finished its
# startup work (opening migrates the old-layout seed; the scheduler's first
# click purge then runs for 10-20 s on the full seed): until it uses under
# 30 ms of CPU a second two seconds in a row. WAIT_START=0 skips that wait,
# to measure while the purge runs. GROW=SECONDS runs wrk that long first
# (then waits for the server to go idle), so the database has grown and
# bbolt remaps it during the measurements as under a long load.
#
# REPEAT=N runs each console's sshload N times in a row, GAP seconds apart
# (default 0: closed screens let go at once since their timers end with
# the session, tui/internal/ui/common/tick.go; before that, 200 closed
# merchant screens kept the server collecting garbage for about 4 s and a
# round started at once measured it), and prints, per console and load, one summary line: each round's
# p99 first frame, their median, and the sessions that failed (a key left
# 10 s unanswered counts as a failure). Each round also prints the
# database file's size and how much of it the server maps (a remap blocks
# new reads until every open read ends).
#
# Knobs: AFFOGATO_BIN (default: built from this tree), SEED (/work/seed/full),
# SESSIONS (200), LOADS ("off on"), CONSOLES ("portal merchant"), ROUNDS (3,
# sshload's -rounds: key-press passes per session), REPEAT (1), GAP (0),
# WAIT_START (1), GROW (0), SSHLOAD_ARGS (extra sshload flags, e.g. "-idle
# 8s" to measure the open screens' CPU longer), WRK_CONNS (64), PROFILE (unset), OUT
# (bench/out/sessions-under-load.txt), SERVER_ARGS (extra server flags),
# COLD_ADMIN (unset: the admin key runs `whoami` first), KEEP_WORK (keep the
# scratch dir and server log).
set -euo pipefail
cd "$(dirname "$0")/.."

SEED=${SEED:-/work/seed/full}
SESSIONS=${SESSIONS:-200}
LOADS=${LOADS:-off on}
CONSOLES=${CONSOLES:-portal merchant}
ROUNDS=${ROUNDS:-3}
REPEAT=${REPEAT:-1}
GAP=${GAP:-0}
WAIT_START=${WAIT_START:-1}
GROW=${GROW:-0}
WRK_CONNS=${WRK_CONNS:-64}
OUT=${OUT:-bench/out/sessions-under-load.txt}
SERVER_ARGS=${SERVER_ARGS:-}
SSHLOAD_ARGS=${SSHLOAD_ARGS:-}

die() { echo "sessions-under-load: $*" >&2; exit 1; }
. bench/lib.sh
for tool in wrk ssh ssh-keygen curl go; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
case "$REPEAT" in '' | *[!0-9]* | 0) die "REPEAT=$REPEAT must be a positive number" ;; esac
case "$GAP" in '' | *[!0-9]*) die "GAP=$GAP must be a number of seconds" ;; esac
case "$GROW" in '' | *[!0-9]*) die "GROW=$GROW must be a number of seconds" ;; esac
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

# wait_idle [MS [SECONDS]]: until the server uses under MS (default 200)
# ms of CPU a second, SECONDS (default 1) seconds in a row (after a load:
# the click applier has stored what the journal holds; at start: the
# migration and the first purge are done), at most 3 minutes. It prints
# how long it waited.
wait_idle() {
  local ms=${1:-200} need=${2:-1} a b quiet=0 t0=$SECONDS
  for _ in $(seq 1 180); do
    a=$(awk '{print $14 + $15}' "/proc/$SRV/stat")
    sleep 1
    b=$(awk '{print $14 + $15}' "/proc/$SRV/stat")
    if [ $(((b - a) * 10)) -lt "$ms" ]; then
      quiet=$((quiet + 1))
      if [ "$quiet" -ge "$need" ]; then
        echo "server idle (under $ms ms/s for $need s) after $((SECONDS - t0)) s"
        return 0
      fi
    else
      quiet=0
    fi
  done
  echo "the server did not go idle in 3 minutes"
}

# db_sizes prints the database file's size and the server's mapping of it.
db_sizes() {
  local range path lo hi mapped=0
  while read -r range _ _ _ _ path; do
    [ "$path" = "$WORK/data/affogato.db" ] || continue
    lo=${range%-*} hi=${range#*-}
    mapped=$((mapped + 16#$hi - 16#$lo))
  done <"/proc/$SRV/maps"
  echo "database: file $(($(stat -c %s "$WORK/data/affogato.db") >> 20)) MB, mapped $((mapped >> 20)) MB"
}

# median_duration DURATION...: the median of Go durations (1.2s, 293.4ms,
# 850µs), printed in ms (the lower middle one of an even count).
median_duration() {
  printf '%s\n' "$@" | awk '
    /ms$/ { sub(/ms$/, ""); print $0 + 0; next }
    /µs$/ { sub(/µs$/, ""); print $0 / 1000; next }
    /s$/ { sub(/s$/, ""); print $0 * 1000; next }' | sort -g | awk '{v[NR] = $1} END { if (NR == 0) print "?"; else printf "%.1fms\n", v[int((NR + 1) / 2)] }'
}

if [ "$WAIT_START" = 1 ]; then
  echo "waiting for the server's startup work (migration, first click purge):"
  wait_idle 30 2
else
  echo "not waiting for the server's startup work (WAIT_START=0): the first click purge may still run"
fi
grep -E "purged old clicks" "$WORK/server.log" | tail -n 1 | sed 's/^/server: /' || true
db_sizes
if [ "$GROW" -gt 0 ]; then
  echo "growing the database: wrk -t1 -c$WRK_CONNS for ${GROW}s ($(du -m "$WORK/data/affogato.db" | cut -f1) MB before)"
  wrk -t1 -c"$WRK_CONNS" -d"${GROW}s" -s bench/codes.lua "http://127.0.0.1:$hp" -- "$WORK/codes.txt" >"$WORK/wrk-grow.txt" 2>&1 || true
  grep -E "Requests/sec" "$WORK/wrk-grow.txt" | sed 's/^/wrk (grow): /' || true
  wait_idle
  db_sizes
fi

run_console() { # CONSOLE LOAD
  local args=(-addr "127.0.0.1:$sp" -sessions "$SESSIONS" -pid "$SRV" -rounds "$ROUNDS" -ready "Last 30 days"
    -pprof "http://127.0.0.1:$pp")
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
  local r p99s=() fails=() out
  for r in $(seq 1 "$REPEAT"); do
    if [ "$r" -gt 1 ] && [ "$GAP" -gt 0 ]; then sleep "$GAP"; fi
    if [ "$REPEAT" -gt 1 ]; then echo "-- $1, click load $2, round $r of $REPEAT:"; else echo "-- $1, click load $2:"; fi
    local dump="$OUT.stall-$1-$2.txt"
    [ "$REPEAT" -eq 1 ] || dump="$OUT.stall-$1-$2-$r.txt"
    # shellcheck disable=SC2086
    out=$("$WORK/sshload" "${args[@]}" -stall-dump "$dump" $SSHLOAD_ARGS 2>&1) || out="$out
sshload failed"
    echo "$out"
    db_sizes
    p99s+=("$(echo "$out" | awk '/^first frame from dial:/ {print $8; exit}')")
    fails+=("$(echo "$out" | sed -n 's/^sessions [0-9]* (failed \([0-9]*\)).*/\1/p' | head -n 1)")
  done
  [ -z "$prof" ] || wait "$prof"
  echo "summary $1, click load $2: p99 first frame per round: ${p99s[*]}; median $(median_duration "${p99s[@]}"); failed sessions per round: ${fails[*]}"
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
grep -E "purged old clicks" "$WORK/server.log" | sed 's/^/server: /' || true
echo "clicks recorded: $(curl -fsS "http://127.0.0.1:$hp/metrics" | awk '/^affogato_clicks_recorded_total / {printf "%d", $2}')"
kill -TERM "$SRV"
wait "$SRV" || die "server did not exit cleanly"
PIDS=()
"$BIN" check --data "$WORK/data" >/dev/null || die "affogato check failed after the run"
echo "affogato check: ok. Written to $OUT"
