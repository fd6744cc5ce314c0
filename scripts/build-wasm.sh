#!/usr/bin/env bash
# Builds pkg/, the npm package `harmony-policy` (ES module for browsers,
# wasm-bindgen --target web), offline: the pinned wasm-bindgen CLI from
# crates.io and wasm-opt from the npm package `binaryen`.
# Usage: bash scripts/build-wasm.sh   (after scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --lib --profile wasm-release --locked --target wasm32-unknown-unknown
out=target/wasm32-unknown-unknown/wasm-release
# One result per export and no imports: instantiates about 2 ms sooner in V8
# (see the script).
node scripts/plain-features.mjs "$out/harmony_policy.wasm" "$out/harmony_policy.plain.wasm"
rm -rf pkg
wasm-bindgen --target web --out-dir pkg --out-name harmony_policy --remove-name-section \
  "$out/harmony_policy.plain.wasm"
# Features the Rust wasm32 target emits by default; wasm-opt must accept them.
node_modules/.bin/wasm-opt -Oz \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals \
  pkg/harmony_policy_bg.wasm -o pkg/harmony_policy_bg.wasm
# The raw wasm export table in the generated types says `any`; the public API
# types never do. Make the raw ones `unknown` so that no `any` ships.
sed -i 's/: any\b/: unknown/g; s/(a: any/(a: unknown/g; s/, \([a-z]\): any/, \1: unknown/g' pkg/harmony_policy.d.ts
# wasm-bindgen drops `?` when a parameter's type is written out; these two
# arguments are optional (SPEC 9: `Policy.builtin()`, `view.palette()`).
sed -i 's/static builtin(name: /static builtin(name?: /; s/palette(query: string)/palette(query?: string)/' pkg/harmony_policy.d.ts
grep -q 'static builtin(name?: ' pkg/harmony_policy.d.ts && grep -q 'palette(query?: string)' pkg/harmony_policy.d.ts
# The entry point: the JavaScript layer over the generated classes, and types
# that are the generated ones (the layer has the same API).
cp src/js/index.js pkg/index.js
cp src/js/index.d.ts pkg/index.d.ts
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
cat > pkg/package.json <<JSON
{
  "name": "harmony-policy",
  "version": "${version}",
  "description": "Harmony's authoritative ruleset and evaluator, compiled to WebAssembly.",
  "license": "MIT OR Apache-2.0",
  "type": "module",
  "main": "index.js",
  "module": "index.js",
  "types": "index.d.ts",
  "sideEffects": ["./snippets/*"],
  "files": ["index.js", "index.d.ts", "harmony_policy.js", "harmony_policy.d.ts", "harmony_policy_bg.wasm", "harmony_policy_bg.wasm.d.ts"]
}
JSON
raw=$(wc -c < pkg/harmony_policy_bg.wasm)
gz=$(gzip -9 -c pkg/harmony_policy_bg.wasm | wc -c)
echo "pkg/harmony_policy_bg.wasm: ${raw} bytes, ${gz} gzipped"
