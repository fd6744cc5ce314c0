#!/usr/bin/env bash
# Sets up, builds pkg/ and runs the reference server (server/): the demo app
# and its JSON API on 127.0.0.1, every request decided by harmony-policy,
# data in an SQLite file (created, migrated and seeded with the demo data on
# first start), or in PostgreSQL when DATABASE_URL names a database.
# Signing in is the demo's (`--demo-sign-in`: anyone may act as any
# member, which the app's "View as" uses); never expose it like this.
# Usage: bash scripts/server.sh [harmony-server options]
#        (default: --addr 127.0.0.1:8080 --db target/harmony.db; see --help)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-wasm.sh
cargo build --locked --release -p harmony-server
if [ "$#" -eq 0 ]; then set -- --addr 127.0.0.1:8080 --db target/harmony.db; fi
exec target/release/harmony-server --root . --demo-sign-in "$@"
