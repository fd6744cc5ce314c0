#!/usr/bin/env bash
# The reference server on each backend, one process and two: an authorized
# GET of one record and a POST creating a contact, 32 connections in all
# (16 to each process when there are two), DURATION seconds each, on
# loopback. The database gets 8 connections in all (4 from each of two
# processes): on 2 cores, more PostgreSQL backends than that only queue for
# the CPU. SQLite is a file in a temporary directory; PostgreSQL a private
# cluster (scripts/postgres.sh) on the same host. A benchmark, not a test:
# it prints one table and asserts nothing.
#
# Usage: bash benches/server-backends.sh [DURATION_SECONDS]
#   Needs wrk (Debian package `wrk`); installs PostgreSQL if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
command -v wrk >/dev/null || { echo "server-backends: needs wrk (apt-get install wrk)"; exit 1; }
cargo build --locked --release -q -p harmony-server
binary=target/release/harmony-server

dir=$(mktemp -d)
# In /tmp: the postgres user must reach it (a TMPDIR under /root would not do).
pgdir=$(mktemp -d /tmp/harmony-postgres.XXXXXX)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  bash scripts/postgres.sh stop "$pgdir"
  rm -rf "$dir"
}
trap cleanup EXIT
postgres=$(bash scripts/postgres.sh start "$pgdir")

cat > "$dir/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"name": "Load Test", "email": "load@example.com"}'
wrk.headers["Content-Type"] = "application/json"
LUA

# Starts a server on the database named by "$@"; prints its base URL.
start() {
  local port=$((20000 + RANDOM % 20000))
  "$binary" --addr "127.0.0.1:$port" --root . --demo-sign-in \
    --session-secret "a load-test secret of at least thirty-two bytes" "$@" \
    >>"$dir/server.log" 2>&1 &
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break
    sleep 0.1
  done
  echo "http://127.0.0.1:$port"
}

# wrk against each base URL at once (32 connections split between them);
# prints requests/s summed, and the worst p50 and p99 among them.
load() {
  local script=$1 path=$2 token=$3
  shift 3
  local per=$((32 / $#)) i=0
  for base in "$@"; do
    wrk -t1 -c"$per" -d"${duration}s" --latency ${script:+-s "$script"} \
      -H "Authorization: Bearer $token" "$base$path" >"$dir/wrk.$i" &
    i=$((i + 1))
  done
  wait $(jobs -p | tail -n "$#") 2>/dev/null || true
  for f in "$dir"/wrk.*; do cat "$f"; done | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps += $2 }
    $1 == "50.000%" || $1 == "50%" { if (ms($2) > p50) p50 = ms($2) }
    $1 == "99.000%" || $1 == "99%" { if (ms($2) > p99) p99 = ms($2) }
    END { printf "%8.0f  %7.2f ms  %7.2f ms", rps, p50, p99 }'
  rm -f "$dir"/wrk.*
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "wrk: 32 connections in all, ${duration} s each; PostgreSQL: $(psql "$postgres" -Atc 'SHOW server_version') on this host"
printf '\n%-10s %-9s %-5s %8s  %10s  %10s\n' backend processes call "req/s" p50 p99
db=0
for backend in sqlite postgres; do
  for processes in 1 2; do
    db=$((db + 1))
    if [ "$backend" = sqlite ]; then
      flags=(--db "$dir/bench-$db.db")
    else
      psql -q "$postgres" -c "CREATE DATABASE bench_$db"
      flags=(--database-url "${postgres%/*}/bench_$db")
    fi
    flags+=(--db-connections $((8 / processes)))
    bases=()
    for _ in $(seq 1 "$processes"); do
      bases+=("$(start "${flags[@]}")")
    done
    token=$(curl -sf -H 'content-type: application/json' \
      -d '{"userId":"u_ada","workspace":"acme"}' "${bases[0]}/api/session" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
    printf '%-10s %-9s %-5s %s\n' "$backend" "$processes" GET "$(load "" /api/contacts/c_1 "$token" "${bases[@]}")"
    printf '%-10s %-9s %-5s %s\n' "$backend" "$processes" POST "$(load "$dir/post.lua" /api/contacts "$token" "${bases[@]}")"
    kill $(jobs -p) 2>/dev/null || true
    wait 2>/dev/null || true
  done
done
