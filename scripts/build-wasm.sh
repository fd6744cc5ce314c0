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
# Function names stay until wasm-opt has ordered the functions by them.
wasm-bindgen --target web --out-dir pkg --out-name harmony_policy \
  "$out/harmony_policy.plain.wasm"
# Features the Rust wasm32 target emits by default; wasm-opt must accept them.
# `-ocimfs 20`: a function with one caller is inlined only if tiny. By
# default wasm-opt inlines every such function, whatever its size: one
# 41 KB function for the whole ruleset loader, whose copies of the field
# readers no longer look alike to gzip. Kept apart: 3 KB larger, 10 KB
# (8 %) smaller gzipped, equally fast (README, "Size"). Functions ordered by
# name put the copies of one generic function next to each other (0.6 KB).
# Then names, producers and target features go: nothing at run time reads
# them.
node_modules/.bin/wasm-opt -Oz -ocimfs 20 --reorder-functions-by-name \
  --strip-debug --strip-producers --strip-target-features \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals \
  pkg/harmony_policy_bg.wasm -o pkg/harmony_policy_bg.wasm
# The raw wasm export table in the generated types may say `any`; the public
# API types never do. Make the raw ones `unknown` so that no `any` ships.
sed -i 's/: any\b/: unknown/g; s/(a: any/(a: unknown/g; s/, \([a-z]\): any/, \1: unknown/g' pkg/harmony_policy.d.ts
# The entry point: the JavaScript layer (`Policy`, `View`) over the generated
# functions, and its types (which re-export the input and output types).
cp src/js/index.js pkg/index.js
cp src/js/index.d.ts pkg/index.d.ts
# The bundled rulesets' ids (written by `harmony-policy types`; a test
# holds the file to the rulesets).
cp src/js/rulesets.d.ts pkg/rulesets.d.ts
# React bindings (harmony-policy/react).
cp src/js/react.js src/js/react.d.ts src/js/vue.js src/js/vue.d.ts pkg/
# Node: loads the module synchronously from the package's files.
cp src/js/node.js src/js/node.d.ts pkg/
# What a package carries besides code: its licenses, its changes, a README.
cp LICENSE-MIT LICENSE-APACHE CHANGELOG.md pkg/
cp src/js/README.md pkg/README.md
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
  "exports": {
    ".": { "types": "./index.d.ts", "default": "./index.js" },
    "./node": { "types": "./node.d.ts", "default": "./node.js" },
    "./react": { "types": "./react.d.ts", "default": "./react.js" },
    "./vue": { "types": "./vue.d.ts", "default": "./vue.js" },
    "./harmony_policy_bg.wasm": "./harmony_policy_bg.wasm",
    "./package.json": "./package.json"
  },
  "keywords": ["authorization", "rbac", "policy", "permissions", "webassembly", "feature-flags"],
  "engines": { "node": ">=18" },
  "peerDependencies": { "react": ">=18", "vue": ">=3.3" },
  "peerDependenciesMeta": { "react": { "optional": true }, "vue": { "optional": true } },
  "files": ["index.js", "index.d.ts", "harmony_policy.js", "harmony_policy.d.ts", "harmony_policy_bg.wasm", "harmony_policy_bg.wasm.d.ts", "rulesets.d.ts", "react.js", "react.d.ts", "vue.js", "vue.d.ts", "node.js", "node.d.ts", "README.md", "CHANGELOG.md", "LICENSE-MIT", "LICENSE-APACHE"]
}
JSON
raw=$(wc -c < pkg/harmony_policy_bg.wasm)
gz=$(gzip -9 -c pkg/harmony_policy_bg.wasm | wc -c)
echo "pkg/harmony_policy_bg.wasm: ${raw} bytes, ${gz} gzipped"
