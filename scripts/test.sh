#!/usr/bin/env bash
# Sets up what the tests need (idempotent) and runs every test: formatting,
# clippy natively (library and server) and for wasm32, the native tests
# (unit, conformance, properties, validator, doc), the server's HTTP tests
# on SQLite and on PostgreSQL (a private cluster on a loopback port),
# pkg/ built, the wasm tests in Node and in headless Chromium, the package's
# Node tests, the server's parity with pkg/, the end-to-end tests in headless
# Chromium (the demo app on its default and against the server) and the
# TypeScript check.
# Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
# In /tmp: the postgres user must reach it (a TMPDIR under /root would not do).
pgdir=$(mktemp -d /tmp/harmony-postgres.XXXXXX)
trap 'bash scripts/postgres.sh stop "$pgdir"; rm -f "$log"' EXIT
step() { printf '\n==> %s\n' "$*"; }
run() { "$@" 2>&1 | tee -a "$log"; }

step "setup"
bash scripts/setup.sh

step "format"
cargo fmt --all -- --check

step "clippy (native, all targets, library and server)"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "clippy (wasm32, all targets)"
cargo clippy --locked --all-targets --target wasm32-unknown-unknown -- -D warnings

step "clippy (the runtime: no authoring feature, natively and for wasm32; the wasm crate both ways)"
cargo clippy --locked --lib --no-default-features -- -D warnings
cargo clippy --locked --lib --no-default-features --target wasm32-unknown-unknown -- -D warnings
cargo clippy --locked -p harmony-policy-wasm --target wasm32-unknown-unknown -- -D warnings
cargo clippy --locked -p harmony-policy-wasm --features authoring --target wasm32-unknown-unknown -- -D warnings

step "native tests"
run cargo test --locked

step "command-line tool (validate, test, diff, fmt; every conformance case natively)"
run cargo test --locked -p harmony-policy-cli

step "server tests (HTTP on 127.0.0.1, SQLite)"
run cargo test --locked -p harmony-server

step "PostgreSQL: Debian's, a private cluster on a loopback port"
postgres=$(bash scripts/postgres.sh start "$pgdir")
export HARMONY_TEST_POSTGRES_CA=$pgdir/ca.pem
echo "postgres: $postgres"

step "server tests on PostgreSQL (each test its own database; two processes on one)"
HARMONY_TEST_POSTGRES=$postgres run cargo test --locked -p harmony-server

step "build pkg/"
bash scripts/build-wasm.sh

export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER=/usr/bin/chromedriver

step "wasm tests in Node"
run cargo test --locked --target wasm32-unknown-unknown --tests

step "wasm tests in headless Chromium"
WASM_BINDGEN_USE_BROWSER=1 run cargo test --locked --target wasm32-unknown-unknown --test wasm

step "package tests in Node (pkg/index.js, held to the generated classes)"
run node --test tests/js/

step "server parity with the wasm module (every route and API case of tests/cases)"
cargo build --locked -p harmony-server
run node --test --test-concurrency=1 tests/server/
HARMONY_TEST_POSTGRES=$postgres run node --test --test-concurrency=1 tests/server/

step "end-to-end tests in headless Chromium (the app on its default and against the server)"
run node --test --test-concurrency=1 tests/e2e/

step "TypeScript check (tsc --strict against pkg/)"
node_modules/.bin/tsc -p tests/ts/tsconfig.json
echo "tsc: ok"

step "summary"
passed=$(( $(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}') \
         + $(grep -oE '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ))
failed=$(( $(grep -oE '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}') \
         + $(grep -oE '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
