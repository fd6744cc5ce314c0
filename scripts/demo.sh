#!/usr/bin/env bash
# Sets up, builds pkg/ and serves the demo app (www/) on 127.0.0.1.
# Usage: bash scripts/demo.sh [port]     (default 8080)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-wasm.sh
exec node scripts/serve.mjs --port "${1:-8080}"
