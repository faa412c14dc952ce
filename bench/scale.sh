#!/usr/bin/env bash
# Scale and storage benchmark of the real binary (make bench, after run.sh):
#   1. storage: clicks through the redirector (wrk over 300 partners' codes)
#      up to 200k and then 1M clicks; bytes per click on disk (growth between
#      the two, divided by the clicks added), RSS at 1M clicks with nobody on
#      the dashboards, `affogato check` time at 1M. With BASE_REV set (a git
#      revision, e.g. 0e917a6 = before compact click records) the same run is
#      made with a binary built from it, for a before/after in one run.
#   2. redirector throughput: the binary (and the BASE_REV binary) against the
#      bare Go 302 server, alternating, at each of CONNS connections, over
#      300 partners' codes; requests/s, the affogato/bare ratio and the
#      server's CPU time per 1000 redirects (steadier than requests/s on a
#      shared machine).
#   3. scale: `affogato seed` builds SEED_PARTNERS partners, SEED_CLICKS clicks
#      over 180 days and SEED_CONVERSIONS conversions; then `stats --json`
#      over SSH (the time of `whoami` is the SSH cost and is subtracted),
#      `affogato check` time, database size, RSS after startup and after
#      LOAD of the redirector at full load; SESSIONS concurrent SSH dashboard
#      sessions (bench/sshload) switching the partner portal's tabs while
#      wrk sends clicks, then SESSIONS merchant console sessions (the
#      admin's key) switching tabs 1-7; the same at 10x fewer events.
# Prints a table and writes everything to bench/out/scale.txt.
#
# Knobs: CLICKS_SMALL (200000), CLICKS_BIG (1000000), BASE_REV (unset),
# CONNS ("64 256 1024"), DURATION (10s), SEED_PARTNERS (10000), SEED_CLICKS
# (1000000), SEED_CONVERSIONS (100000), LOAD (60s; the issue asks for an
# hour: LOAD=3600s), SESSIONS (200), SKIP (space-separated sections to skip:
# storage ab scale).
set -euo pipefail
cd "$(dirname "$0")/.."

CLICKS_SMALL=${CLICKS_SMALL:-200000}
CLICKS_BIG=${CLICKS_BIG:-1000000}
CONNS=${CONNS:-64 256 1024}
DURATION=${DURATION:-10s}
SEED_PARTNERS=${SEED_PARTNERS:-10000}
SEED_CLICKS=${SEED_CLICKS:-1000000}
SEED_CONVERSIONS=${SEED_CONVERSIONS:-100000}
LOAD=${LOAD:-60s}
SESSIONS=${SESSIONS:-200}
SKIP=${SKIP:-}
BIN=${AFFOGATO_BIN:-bin/affogato}
OUT_DIR=bench/out
RESULTS=$OUT_DIR/scale.txt

die() { echo "scale: $*" >&2; exit 1; }
. bench/lib.sh
skip() { [[ " $SKIP " == *" $1 "* ]]; }
for tool in wrk ssh ssh-keygen curl go; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (make bench installs wrk)"
done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ -x "$BIN" ] || go build -o "$BIN" ./cmd/affogato

mkdir -p "$OUT_DIR"
: >"$RESULTS"
exec > >(tee -a "$RESULTS") 2>&1

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

rss_mb() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
# rss_parts PID: "anonymous+file" MB (file = pages of the mapped database).
rss_parts() { awk '/^RssAnon:/ {a = $2} /^RssFile:/ {f = $2} END {printf "%.0f+%.0f", a / 1024, f / 1024}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
clicks_recorded() { curl -fsS "$1/metrics" | awk '/^affogato_clicks_recorded_total / {printf "%d", $2}'; }
now_ms() { date +%s%3N; }

BASE_BIN=""
if [ -n "${BASE_REV:-}" ]; then
  mkdir -p "$WORK/base-src"
  git archive "$BASE_REV" | tar -x -C "$WORK/base-src"
  (cd "$WORK/base-src" && go build -o "$WORK/affogato-base" ./cmd/affogato)
  BASE_BIN=$WORK/affogato-base
fi
go build -o "$WORK/bare" ./bench/bare
go build -o "$WORK/sshload" ./bench/sshload

echo "affogato scale bench — $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) CPUs, $(uname -sr), $(go version | awk '{print $3}'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $BIN ($(git rev-parse --short HEAD 2>/dev/null || echo '?'))${BASE_BIN:+; baseline: $BASE_REV}"
echo

# A data dir with a program and 300 approved partners (their codes in a file).
"$BIN" seed --data "$WORK/seed300" --partners 300 --clicks 0 --conversions 0 --days 1 --codes "$WORK/codes300" >/dev/null 2>&1

# start_server NAME BIN DATA [ARGS...]: starts a server, sets SRV_PID, SRV_URL, SRV_SSH.
start_server() {
  local name=$1 bin=$2 data=$3
  shift 3
  local hp sp
  hp=$(free_port)
  sp=$(free_port)
  "$bin" --data "$data" --ssh "127.0.0.1:$sp" --http "127.0.0.1:$hp" --public-url "http://127.0.0.1:$hp" \
    --click-flood-limit 0 --api-rate-limit 0 "$@" >"$WORK/$name.log" 2>&1 &
  SRV_PID=$!
  PIDS+=("$SRV_PID")
  SRV_URL=http://127.0.0.1:$hp
  SRV_SSH=$sp
  wait_http "$SRV_URL/healthz" || { tail -n 5 "$WORK/$name.log"; die "$name did not answer on $SRV_URL"; }
}
stop_server() {
  kill -TERM "$SRV_PID"
  wait "$SRV_PID" || die "server did not exit cleanly"
  local keep=()
  for p in "${PIDS[@]}"; do [ "$p" != "$SRV_PID" ] && keep+=("$p"); done
  PIDS=("${keep[@]}")
}
# load_until URL N: wrk over the 300 codes until the server has recorded N clicks.
load_until() {
  while [ "$(clicks_recorded "$1")" -lt "$2" ]; do
    wrk -t2 -c256 -d2s -s bench/codes.lua "$1" -- "$WORK/codes300" >/dev/null
  done
}
# usage DATA: "clicks used_bytes file_bytes check_ms" from `affogato check`.
usage() {
  local t0 t1 out
  t0=$(now_ms)
  out=$("$BIN" check --data "$1") || die "affogato check failed on $1: $out"
  t1=$(now_ms)
  echo "$out" | awk -v ms=$((t1 - t0)) '/^database:/ {print $2, $5, $9, ms}'
}

# ---- 1. storage ----
storage_run() { # NAME BIN
  local name=$1 bin=$2 data=$WORK/storage-$1
  cp -r "$WORK/seed300" "$data"
  start_server "storage-$name" "$bin" "$data"
  load_until "$SRV_URL" "$CLICKS_SMALL"
  stop_server
  read -r c1 u1 f1 _ < <(usage "$data")
  start_server "storage-$name" "$bin" "$data"
  load_until "$SRV_URL" $((CLICKS_BIG - c1))
  sleep 2
  local rss
  rss=$(rss_mb "$SRV_PID")
  stop_server
  read -r c2 u2 f2 ms < <(usage "$data")
  printf '%-10s %9s %9s %14s %14s %14s %12s %10s\n' "$name" "$c1" "$c2" "$u1 / $f1" "$u2 / $f2" \
    "$(awk -v a="$u1" -v b="$u2" -v x="$c1" -v y="$c2" 'BEGIN { printf "%.1f", (b - a) / (y - x) }')" "$rss" "$ms"
}
if ! skip storage; then
  echo "== 1. storage: clicks through GET /r/CODE (wrk -c256 over 300 partners), bbolt file of the real binary"
  echo "bytes/click = growth of the used size (bbolt's high-water mark) between the two points / clicks added;"
  echo "RSS at the second point with nobody on the dashboards; check = affogato check wall time at that size."
  printf '%-10s %9s %9s %14s %14s %14s %12s %10s\n' binary clicks1 clicks2 "used/file 1" "used/file 2" "bytes/click" "RSS MB" "check ms"
  [ -n "$BASE_BIN" ] && storage_run base "$BASE_BIN"
  storage_run new "$BIN"
  echo
fi

# ---- 2. redirector throughput, same run ----
if ! skip ab; then
  echo "== 2. redirector GET /r/CODE over 300 partners' codes vs bare Go 302, alternating, wrk -t2 -d$DURATION"
  names=(new)
  bins=("$BIN")
  [ -n "$BASE_BIN" ] && names=(base new) && bins=("$BASE_BIN" "$BIN")
  declare -A URL PID
  for i in "${!names[@]}"; do
    cp -r "$WORK/seed300" "$WORK/ab-${names[$i]}"
    start_server "ab-${names[$i]}" "${bins[$i]}" "$WORK/ab-${names[$i]}"
    URL[${names[$i]}]=$SRV_URL
    PID[${names[$i]}]=$SRV_PID
  done
  bp=$(free_port)
  "$WORK/bare" -addr "127.0.0.1:$bp" -location "https://seed.seed.test/" >"$WORK/bare.log" 2>&1 &
  PIDS+=("$!")
  wait_http "http://127.0.0.1:$bp/r/x" || die "the bare server did not answer"
  printf '%-7s %-6s %12s %9s %12s %14s\n' conns binary "req/s" "p99" "vs bare" "CPU ms/1k req"
  for c in $CONNS; do
    wrk -t2 -c"$c" -d"$DURATION" --latency "http://127.0.0.1:$bp/r/x" >"$WORK/bare-$c.txt"
    bare=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/bare-$c.txt")
    for n in "${names[@]}"; do
      t0=$(cpu_ticks "${PID[$n]}")
      r0=$(clicks_recorded "${URL[$n]}")
      wrk -t2 -c"$c" -d"$DURATION" --latency -s bench/codes.lua "${URL[$n]}" -- "$WORK/codes300" >"$WORK/$n-$c.txt"
      t1=$(cpu_ticks "${PID[$n]}")
      r1=$(clicks_recorded "${URL[$n]}")
      rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/$n-$c.txt")
      printf '%-7s %-6s %12s %9s %12s %14s\n' "$c" "$n" "$rps" "$(awk '$1 == "99%" {print $2}' "$WORK/$n-$c.txt")" \
        "$(awk -v a="$rps" -v b="$bare" 'BEGIN { printf "%.2f", a / b }')" \
        "$(awk -v t=$((t1 - t0)) -v n=$((r1 - r0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n > 0) printf "%.1f", t * 1000 / hz / n * 1000; else print "-" }')"
    done
    printf '%-7s %-6s %12s %9s\n' "$c" bare "$bare" "$(awk '$1 == "99%" {print $2}' "$WORK/bare-$c.txt")"
  done
  for n in "${names[@]}"; do
    SRV_PID=${PID[$n]}
    stop_server
    out=$("$BIN" check --data "$WORK/ab-$n") || die "check after the $n run: $out"
  done
  echo "every click durable before its 302 (group commit with fdatasync); affogato check after each run: ok"
  echo
fi

# ---- 3. scale ----
scale_run() { # LABEL PARTNERS CLICKS CONVERSIONS
  local label=$1 data=$WORK/scale-$1 t0 t1
  t0=$(now_ms)
  "$BIN" seed --data "$data" --partners "$2" --clicks "$3" --conversions "$4" --days 180 --codes "$WORK/codes-$label" \
    >"$WORK/seed-$label.txt" 2>"$WORK/seed-$label.log" || die "seed failed: $(tail -3 "$WORK/seed-$label.log")"
  t1=$(now_ms)
  local seed_s
  seed_s=$(awk -v ms=$((t1 - t0)) 'BEGIN { printf "%.0f", ms / 1000 }')
  read -r _ used file check_ms < <(usage "$data")
  ssh-keygen -q -t ed25519 -N "" -C scale-admin -f "$WORK/admin-$label"
  start_server "scale-$label" "$BIN" "$data" --admin-key "$WORK/admin-$label.pub" --max-sessions $((SESSIONS + 16)) \
    --max-sessions-per-key "$SESSIONS" --max-sessions-per-ip $((SESSIONS + 16)) --max-conns-per-ip $((2 * SESSIONS + 32))
  sleep 1
  local rss0 stats_ms whoami_ms
  rss0="$(rss_mb "$SRV_PID") ($(rss_parts "$SRV_PID"))"
  affssh() {
    ssh -i "$WORK/admin-$label" -p "$SRV_SSH" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
      -o BatchMode=yes -o IdentitiesOnly=yes -o LogLevel=ERROR 127.0.0.1 "$@"
  }
  affssh whoami >/dev/null # first session: host key, user
  # server_ms CMD...: runs an SSH command 7 times; prints the median of the
  # server's own session time (from its "ssh session end" log line, auth done
  # to output written) and the median wall time of the ssh client, in ms.
  server_ms() {
    local srv=() wall=() a b d
    for _ in 1 2 3 4 5 6 7; do
      a=$(now_ms)
      affssh "$@" >/dev/null || die "ssh $* failed"
      b=$(now_ms)
      sleep 0.1
      d=$(grep 'ssh session end' "$WORK/scale-$label.log" | tail -n 1 | sed -n 's/.*duration=\([0-9.]*[a-zµ]*\).*/\1/p' |
        awk '/ms$/ {sub(/ms/, ""); print; next} /µs$/ {sub(/µs/, ""); print $1 / 1000; next} /s$/ {sub(/s/, ""); print $1 * 1000}')
      srv+=("${d:-0}")
      wall+=($((b - a)))
    done
    printf '%s/%s' "$(printf '%s\n' "${srv[@]}" | sort -g | sed -n 4p)" "$(printf '%s\n' "${wall[@]}" | sort -n | sed -n 4p)"
  }
  whoami_ms=$(server_ms whoami)
  stats_ms=$(server_ms stats seed --json)
  stats90_ms=$(server_ms stats seed --days 90 --json)
  # SESSIONS dashboard sessions of one partner (a real key that joins), each
  # switching through the portal's tabs, while wrk sends clicks.
  ssh-keygen -q -t ed25519 -N "" -C scale-partner -f "$WORK/partner-$label"
  ssh -i "$WORK/partner-$label" -p "$SRV_SSH" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o BatchMode=yes -o IdentitiesOnly=yes -o LogLevel=ERROR 127.0.0.1 join seed --name Load --email "load@$label.test" >/dev/null
  wrk -t1 -c64 -d600s -s bench/codes.lua "$SRV_URL" -- "$WORK/codes-$label" >/dev/null 2>&1 &
  local wrk_pid=$!
  "$WORK/sshload" -addr "127.0.0.1:$SRV_SSH" -key "$WORK/partner-$label" -user seed -sessions "$SESSIONS" -pid "$SRV_PID" \
    -ready "Last 30 days" >"$WORK/sshload-$label.txt" 2>&1 || echo "sshload failed: $(tail -3 "$WORK/sshload-$label.txt")"
  # The same with the admin's key: the merchant console, tabs 2-7 and 1.
  "$WORK/sshload" -addr "127.0.0.1:$SRV_SSH" -key "$WORK/admin-$label" -user admin -sessions "$SESSIONS" -pid "$SRV_PID" \
    -keys 2,3,4,5,6,7,1 -ready "Last 30 days" >"$WORK/sshload-merchant-$label.txt" 2>&1 ||
    echo "sshload (merchant) failed: $(tail -3 "$WORK/sshload-merchant-$label.txt")"
  kill "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" 2>/dev/null || true
  local rss1="-"
  if [ "$label" = full ]; then
    wrk -t2 -c256 -d"$LOAD" -s bench/codes.lua "$SRV_URL" -- "$WORK/codes-$label" >"$WORK/load-$label.txt" &
    local load_pid=$! t0
    t0=$(date +%s)
    # RSS (anonymous+file) every minute of the load, into rss-during.txt.
    while kill -0 "$load_pid" 2>/dev/null; do
      sleep 60
      kill -0 "$load_pid" 2>/dev/null || break
      echo "$(($(date +%s) - t0))s $(rss_mb "$SRV_PID") ($(rss_parts "$SRV_PID")) db $(stat -c %s "$data/affogato.db")" >>"$WORK/rss-during.txt"
    done
    wait "$load_pid"
    sleep 2
    rss1="$(rss_mb "$SRV_PID") ($(rss_parts "$SRV_PID"))"
  fi
  stop_server
  printf '%-6s %29s %7s %9s %9s %11s %11s %11s %16s %16s\n' "$label" "$2/$3/$4" "$seed_s" \
    "$(awk -v u="$used" 'BEGIN { printf "%.0f", u / 1e6 }')/$(awk -v u="$file" 'BEGIN { printf "%.0f", u / 1e6 }')" \
    "$check_ms" "$whoami_ms" "$stats_ms" "$stats90_ms" "$rss0" "$rss1"
}
if ! skip scale; then
  echo "== 3. scale: affogato seed, then the server on it"
  echo "whoami, stats (30 and 90 days, --json): server ms / ssh client wall ms, medians of 7; server = the session's"
  echo "time in the server's log (after authentication, until the output is written);"
  echo "RSS after startup and after the stats calls and $LOAD of wrk -c256 over every partner's code (full size only),"
  echo "in MB, with (anonymous+file): file pages are the mapped database, which the kernel reclaims under pressure."
  printf '%-6s %29s %7s %9s %9s %11s %11s %11s %16s %16s\n' size partners/clicks/conversions "seed s" "MB u/f" "check ms" "whoami" "stats 30d" "stats 90d" "RSS0 MB" "RSS1 MB"
  scale_run full "$SEED_PARTNERS" "$SEED_CLICKS" "$SEED_CONVERSIONS"
  scale_run tenth $((SEED_PARTNERS / 10)) $((SEED_CLICKS / 10)) $((SEED_CONVERSIONS / 10))
  grep -h "^seeded" "$WORK"/seed-*.txt
  for l in full tenth; do
    echo "-- $SESSIONS SSH sessions (partner portal, tabs 2-6 and 1, 3 rounds) while wrk -c64 sends clicks, $l size:"
    cat "$WORK/sshload-$l.txt"
    echo "-- $SESSIONS SSH sessions (merchant console, tabs 2-7 and 1, 3 rounds) while wrk -c64 sends clicks, $l size:"
    cat "$WORK/sshload-merchant-$l.txt"
  done
  tail -n 12 "$WORK/load-full.txt" | grep -E "Requests/sec|Latency|requests in" || true
  if [ -s "$WORK/rss-during.txt" ]; then
    echo "-- RSS MB (anonymous+file) and database bytes during the $LOAD load, every minute, full size:"
    cat "$WORK/rss-during.txt"
  fi
  echo
fi
echo "Written to $RESULTS"
