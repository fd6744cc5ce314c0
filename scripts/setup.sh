#!/usr/bin/env bash
# Installs what building and testing need, idempotently, from the package
# registries only: the wasm32 target, wasm-bindgen-cli at exactly the version
# in Cargo.lock, Debian's chromium and chromedriver, and the npm
# devDependencies pinned by package-lock.json (binaryen's wasm-opt,
# TypeScript, playwright-core, and esbuild, Vite 5 and the current Vite,
# webpack, Rollup with its node-resolve and import-meta-assets plugins,
# React and Vue for the package's examples and bundler tests; @casl/ability
# and @cedar-policy/cedar-wasm for the benchmarks).
# Usage: bash scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '  setup: %s\n' "$*"; }

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
rustup component add rustfmt clippy >/dev/null 2>&1 || true

want=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (a few minutes on 2 cores)"
  # Without --locked: the CLI's own lock file pins a crate version that
  # some registry mirrors lack; the version itself is pinned.
  cargo install wasm-bindgen-cli --version "=$want" --quiet
fi
say "wasm-bindgen $(wasm-bindgen --version | awk '{print $2}')"

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  say "installing Debian's chromium and chromium-driver"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
fi
say "$(chromium --version 2>/dev/null | head -n 1)"

if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm devDependencies (package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "wasm-opt $(node_modules/.bin/wasm-opt --version | awk '{print $3}'), tsc $(node_modules/.bin/tsc --version | awk '{print $2}')"
