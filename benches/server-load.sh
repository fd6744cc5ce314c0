#!/usr/bin/env bash
# The reference server under load, on loopback: the p99 latency of a small
# workspace's contact list while another workspace's member lists a
# workspace of 100,000 contacts as fast as they can; then an authorized GET
# of one record and a POST creating one, at 32 connections. A benchmark, not a
# test: it prints wrk's figures and asserts nothing.
#
# Usage: bash benches/server-load.sh [SERVER_BINARY] [EXTRA_FLAGS...]
#   SERVER_BINARY defaults to target/release/harmony-server (built here);
#   give another build to compare. Needs wrk (Debian package `wrk`).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-}
shift || true
if [ -z "$binary" ]; then
  cargo build --locked --release -p harmony-server
  binary=target/release/harmony-server
  set -- --demo-sign-in "$@"
fi
command -v wrk >/dev/null || { echo "server-load: needs wrk (apt-get install wrk)"; exit 1; }

dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$dir"' EXIT
python3 - "$dir/seed.json" <<'PY'
import json, sys
seed = json.load(open("server/seed.json"))
big = {
    "slug": "big", "name": "Big Co", "plan": "agency", "environment": "production",
    "members": [{"userId": "u_cy", "roles": ["admin"], "active": True}],
    "records": {"contacts": [
        {"id": f"b_{i}", "name": f"Contact {i}", "email": f"c{i}@big.example",
         "phone": "+1 555 0100", "ownerId": "u_cy"} for i in range(100_000)
    ]},
}
seed["workspaces"].append(big)
json.dump(seed, open(sys.argv[1], "w"))
PY
port=$((20000 + RANDOM % 20000))
"$binary" --addr "127.0.0.1:$port" --db "$dir/load.db" --seed "$dir/seed.json" --root . "$@" >"$dir/server.log" 2>&1 &
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/api/policy" >/dev/null && break
  sleep 0.2
done
token() {
  curl -sf -H 'content-type: application/json' \
    -d "{\"userId\":\"$1\",\"workspace\":\"$2\"}" "http://127.0.0.1:$port/api/session" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
small=$(token u_bob acme)
big=$(token u_cy big)
echo "== the big workspace's list alone (1 connection, 10 s)"
wrk -t1 -c1 -d10s --latency -H "Authorization: Bearer $big" "http://127.0.0.1:$port/api/contacts" | sed -n '1,12p'
echo "== the small workspace alone (4 connections, 10 s)"
wrk -t1 -c4 -d10s --latency -H "Authorization: Bearer $small" "http://127.0.0.1:$port/api/contacts" | sed -n '1,16p'
echo "== the small workspace while the big one lists (4 + 8 connections, 10 s)"
wrk -t1 -c8 -d12s -H "Authorization: Bearer $big" "http://127.0.0.1:$port/api/contacts" >/dev/null &
sleep 1
wrk -t1 -c4 -d10s --latency -H "Authorization: Bearer $small" "http://127.0.0.1:$port/api/contacts" | sed -n '1,16p'
wait %2 2>/dev/null || true
admin=$(token u_ada acme)
# Last: the POSTs add contacts to the small workspace.
echo "== an authorized GET of one record (32 connections, 10 s)"
wrk -t2 -c32 -d10s --latency -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/contacts/c_1" | sed -n '1,16p'
cat > "$dir/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"name": "Load Test", "email": "load@example.com"}'
wrk.headers["Content-Type"] = "application/json"
LUA
echo "== an authorized POST creating a contact (32 connections, 10 s)"
wrk -t2 -c32 -d10s --latency -s "$dir/post.lua" -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/contacts" | sed -n '1,16p'
echo "== server memory (kB, peak resident)"
grep VmHWM "/proc/$(pgrep -f "127.0.0.1:$port" | head -1)/status" || true
