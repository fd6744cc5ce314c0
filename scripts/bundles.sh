#!/usr/bin/env bash
# Compiles the bundled rulesets (src/rulesets/*.json) into the bundles the
# runtime embeds (src/rulesets/*.bundle). Run it after changing a bundled
# ruleset or the compiled form; a test fails while they differ.
# Usage: bash scripts/bundles.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for name in harmony harmonia; do
  cargo run --quiet --locked -p harmony-policy-cli -- compile -o "src/rulesets/$name.bundle" "$name"
done
