# Helpers shared by the load scripts (rss.sh, scale.sh,
# sessions-under-load.sh), sourced after each defines die().

# free_port prints a loopback TCP port nobody listens on, below the
# ephemeral range that wrk's and the clients' own sockets use.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(((RANDOM % 12000) + 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  die "no free port found"
}

# wait_http waits up to 20 s until URL answers; it fails if it never does.
wait_http() {
  for _ in $(seq 1 400); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}
