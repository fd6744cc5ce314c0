#!/usr/bin/env bash
# Runs the benchmarks: criterion natively, then the npm package in Node.
# Benchmarks are not tests: nothing here asserts a time.
# Usage: bash scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo bench --locked --bench policy
bash scripts/build-wasm.sh
node benches/wasm.mjs
cargo bench --locked -p harmony-policy-cli
