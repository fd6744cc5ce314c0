#!/usr/bin/env bash
# Builds pkg/, the npm package `harmony-policy` (ES module for browsers,
# wasm-bindgen --target web), offline: the pinned wasm-bindgen CLI from
# crates.io and wasm-opt from the npm package `binaryen`.
# Usage: bash scripts/build-wasm.sh   (after scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

# Two modules from the `wasm/` crate: the runtime (no JSON ruleset reader, no
# validator: it reads bundles), which every page loads, and the authoring
# module (the whole crate), which `Policy.fromJson` loads on first use. Each
# build keeps its own target directory, so neither rebuilds the other.
cargo build -p harmony-policy-wasm --lib --profile wasm-release --locked \
  --target wasm32-unknown-unknown
CARGO_TARGET_DIR=target/authoring cargo build -p harmony-policy-wasm --lib \
  --profile wasm-release --locked --target wasm32-unknown-unknown --features authoring
rm -rf pkg
build() { # <cargo output dir> <module name>
  local out=$1 name=$2
  # One result per export and no imports: instantiates about 2 ms sooner in
  # V8 (see the script).
  node scripts/plain-features.mjs "$out/harmony_policy_wasm.wasm" "$out/$name.plain.wasm"
  # Function names stay until wasm-opt has ordered the functions by them.
  wasm-bindgen --target web --out-dir pkg --out-name "$name" "$out/$name.plain.wasm"
  # Features the Rust wasm32 target emits by default; wasm-opt must accept
  # them. `-ocimfs 20`: a function with one caller is inlined only if tiny.
  # By default wasm-opt inlines every such function, whatever its size,
  # whose copies then no longer look alike to gzip (docs/performance.md,
  # "Size"). Functions ordered by name put the copies of one generic
  # function next to each other. Then names, producers and target features
  # go: nothing at run time reads them.
  node_modules/.bin/wasm-opt -Oz -ocimfs 20 --reorder-functions-by-name \
    --strip-debug --strip-producers --strip-target-features \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals \
    "pkg/${name}_bg.wasm" -o "pkg/${name}_bg.wasm"
}
build target/wasm32-unknown-unknown/wasm-release harmony_policy
build target/authoring/wasm32-unknown-unknown/wasm-release harmony_policy_authoring
# The raw wasm export table in the generated types may say `any`; the public
# API types never do. Make the raw ones `unknown` so that no `any` ships.
sed -i 's/: any\b/: unknown/g; s/(a: any/(a: unknown/g; s/, \([a-z]\): any/, \1: unknown/g' \
  pkg/harmony_policy.d.ts pkg/harmony_policy_authoring.d.ts
# The entry point: the JavaScript layer (`Policy`, `View`) over the generated
# functions, and its types (which re-export the input and output types).
cp wasm/js/index.js wasm/js/errors.js pkg/
cp wasm/js/index.d.ts pkg/index.d.ts
# The protocol the layer shares with the module, written from its one
# description in Rust (src/ffi.rs, `protocol`).
cargo run --quiet --locked --example protocol > pkg/protocol.js
# harmony-policy/authoring: `fromJson` and `compile` over the authoring module.
cp wasm/js/authoring.js wasm/js/authoring-module.js wasm/js/authoring.d.ts pkg/
# The bundled rulesets' ids (written by `harmony-policy types`; a test
# holds the file to the rulesets).
cp wasm/js/rulesets.d.ts pkg/rulesets.d.ts
# React bindings (harmony-policy/react).
cp wasm/js/react.js wasm/js/react.d.ts wasm/js/vue.js wasm/js/vue.d.ts pkg/
# Node: loads the module synchronously from the package's files.
cp wasm/js/node.js wasm/js/node.d.ts pkg/
# What a package carries besides code: its licenses, its changes, a README.
cp LICENSE-MIT LICENSE-APACHE CHANGELOG.md pkg/
cp wasm/js/README.md pkg/README.md
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
    "./authoring": { "types": "./authoring.d.ts", "default": "./authoring.js" },
    "./harmony_policy_bg.wasm": "./harmony_policy_bg.wasm",
    "./harmony_policy_authoring_bg.wasm": "./harmony_policy_authoring_bg.wasm",
    "./package.json": "./package.json"
  },
  "keywords": ["authorization", "rbac", "policy", "permissions", "webassembly", "feature-flags"],
  "engines": { "node": ">=18" },
  "peerDependencies": { "react": ">=18", "vue": ">=3.3" },
  "peerDependenciesMeta": { "react": { "optional": true }, "vue": { "optional": true } },
  "files": ["index.js", "index.d.ts", "harmony_policy.js", "harmony_policy.d.ts", "harmony_policy_bg.wasm", "harmony_policy_bg.wasm.d.ts", "harmony_policy_authoring.js", "harmony_policy_authoring.d.ts", "harmony_policy_authoring_bg.wasm", "harmony_policy_authoring_bg.wasm.d.ts", "authoring.js", "authoring-module.js", "authoring.d.ts", "protocol.js", "errors.js", "rulesets.d.ts", "react.js", "react.d.ts", "vue.js", "vue.d.ts", "node.js", "node.d.ts", "README.md", "CHANGELOG.md", "LICENSE-MIT", "LICENSE-APACHE"]
}
JSON
for name in harmony_policy harmony_policy_authoring; do
  raw=$(wc -c < "pkg/${name}_bg.wasm")
  gz=$(gzip -9 -c "pkg/${name}_bg.wasm" | wc -c)
  echo "pkg/${name}_bg.wasm: ${raw} bytes, ${gz} gzipped"
done
