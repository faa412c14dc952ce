#!/usr/bin/env bash
# Memory of the server under the redirector's full load, over time (issue 12
# part 3: RSS under 200 MB after startup and after an hour at full load).
# Copies a seeded database (SEED, default /work/seed/full; with no SEED dir,
# `affogato seed` builds SEED_PARTNERS/SEED_CLICKS/SEED_CONVERSIONS first),
# starts the binary on it (--click-flood-limit 0), runs wrk -t2 -cCONNS over
# every partner's code for LOAD and samples /proc/PID/status every EVERY
# seconds: VmRSS, RssAnon (Go heap, stacks, buffers) and RssFile (pages of
# the mapped database), in MB; at the end the database size, Go's own
# memory figures from /metrics and a heap profile (bench/out/rss-heap.pprof).
# Knobs: SEED, LOAD (300s), EVERY (10), CONNS (256), PPROF (127.0.0.1:6061),
# plus any server flags in EXTRA. Output: bench/out/rss.txt, and the
# server's log in bench/out/rss-server.log.
set -euo pipefail
cd "$(dirname "$0")/.."
SEED=${SEED:-/work/seed/full}
LOAD=${LOAD:-300s}
EVERY=${EVERY:-10}
CONNS=${CONNS:-256}
PPROF=${PPROF:-127.0.0.1:6061}
SEED_PARTNERS=${SEED_PARTNERS:-10000}
SEED_CLICKS=${SEED_CLICKS:-1000000}
SEED_CONVERSIONS=${SEED_CONVERSIONS:-100000}
BIN=${AFFOGATO_BIN:-bin/affogato}
OUT_DIR=bench/out
RESULTS=$OUT_DIR/rss.txt
die() { echo "rss: $*" >&2; exit 1; }
. bench/lib.sh
for tool in wrk curl go; do command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"; done
ulimit -n 65536 2>/dev/null || true
[ -x "$BIN" ] || go build -o "$BIN" ./cmd/affogato
mkdir -p "$OUT_DIR"
: >"$RESULTS"
exec > >(tee -a "$RESULTS") 2>&1

WORK=$(mktemp -d)
SRV=""
WRK=""
cleanup() {
  [ -n "$WRK" ] && kill "$WRK" 2>/dev/null || true
  [ -n "$SRV" ] && { kill -TERM "$SRV" 2>/dev/null || true; wait "$SRV" 2>/dev/null || true; }
  [ -f "$WORK/server.log" ] && cp "$WORK/server.log" "$OUT_DIR/rss-server.log"
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -f "$SEED/affogato.db" ]; then
  cp -r "$SEED" "$WORK/data"
else
  "$BIN" seed --data "$WORK/data" --partners "$SEED_PARTNERS" --clicks "$SEED_CLICKS" --conversions "$SEED_CONVERSIONS" \
    --days 180 >/dev/null 2>"$WORK/seed.log" || die "seed failed: $(tail -3 "$WORK/seed.log")"
fi
# Every partner's referral code, read from the copy before the server opens it.
go run ./bench/codes -db "$WORK/data/affogato.db" >"$WORK/codes" || die "could not list the codes"

hp=$(free_port)
sp=$(free_port)
db_mb() { awk -v s="$(stat -c %s "$WORK/data/affogato.db")" 'BEGIN { printf "%.0f", s / 1e6 }'; }
clicks() { curl -fsS "http://127.0.0.1:$hp/metrics" | awk '/^affogato_clicks_recorded_total / {printf "%d", $2}'; }
sample() { # LABEL
  awk -v l="$1" -v db="$(db_mb)" '/^VmRSS:/ {r = $2} /^RssAnon:/ {a = $2} /^RssFile:/ {f = $2}
    END {printf "%-10s %8.0f %8.0f %8.0f %8s\n", l, r / 1024, a / 1024, f / 1024, db}' "/proc/$SRV/status"
}

echo "affogato rss bench — $(date -u '+%Y-%m-%d %H:%M:%S UTC'); binary $BIN ($(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "seed: $SEED ($(wc -l <"$WORK/codes") codes); wrk -t2 -c$CONNS for $LOAD; samples every ${EVERY}s; MB"
"$BIN" --data "$WORK/data" --ssh "127.0.0.1:$sp" --http "127.0.0.1:$hp" --public-url "http://127.0.0.1:$hp" \
  --click-flood-limit 0 --api-rate-limit 0 --pprof-addr "$PPROF" ${EXTRA:-} >"$WORK/server.log" 2>&1 &
SRV=$!
for _ in $(seq 1 600); do curl -fsS -o /dev/null "http://127.0.0.1:$hp/healthz" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://127.0.0.1:$hp/healthz" || die "the server did not start: $(tail -3 "$WORK/server.log")"
sleep 1
printf '%-10s %8s %8s %8s %8s\n' at VmRSS RssAnon RssFile "db MB"
sample start
cpu0=$(awk '{print $14 + $15}' "/proc/$SRV/stat")
c0=$(clicks)
wrk -t2 -c"$CONNS" -d"$LOAD" -s bench/codes.lua "http://127.0.0.1:$hp" -- "$WORK/codes" >"$WORK/wrk.txt" 2>&1 &
WRK=$!
t0=$(date +%s)
while kill -0 "$WRK" 2>/dev/null; do
  sleep "$EVERY"
  kill -0 "$WRK" 2>/dev/null || break
  sample "+$(($(date +%s) - t0))s"
done
wait "$WRK" || true
WRK=""
sample end
cpu1=$(awk '{print $14 + $15}' "/proc/$SRV/stat")
c1=$(clicks)
sleep 5
sample "end+5s"
grep -E "Requests/sec|requests in" "$WORK/wrk.txt" || true
echo "server CPU per 1000 redirects: $(awk -v t=$((cpu1 - cpu0)) -v n=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n > 0) printf "%.1f ms", t * 1000 / hz / n * 1000; else print "-" }') ($((c1 - c0)) clicks)"
curl -fsS "http://127.0.0.1:$hp/metrics" | grep -E '^(affogato_clicks_recorded_total|go_memstats_(heap_inuse|heap_alloc|sys|stack_inuse)_bytes|go_goroutines) ' || true
curl -fsS -o "$OUT_DIR/rss-heap.pprof" "http://$PPROF/debug/pprof/heap" && go tool pprof -top -inuse_space -nodecount 15 "$OUT_DIR/rss-heap.pprof" 2>/dev/null | head -22 || true
kill -TERM "$SRV"
wait "$SRV" || die "the server did not exit cleanly"
SRV=""
echo "database after: $(db_mb) MB"
echo "Written to $RESULTS"
