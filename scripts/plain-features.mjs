// Marks the `multivalue` and `reference-types` features as not used in a
// wasm module's `target_features` section, before wasm-bindgen reads it.
//
// Why: the Rust standard library for wasm32 is built with both, so the
// linked module always claims them. wasm-bindgen then (1) turns exports that
// hand back a string through memory into exports with several results, and
// V8 compiles a wrapper for each such signature when it compiles the module
// (about 1.1 ms of a 3.9 ms instantiation in Node 20), and (2) adds an
// import that sets up a table of JavaScript values, which src/ffi.rs never
// uses: one import costs V8 about 0.6 ms at compile time (README,
// Performance). No code of ours needs either feature; the answers are the
// same.
//
// Usage: node scripts/plain-features.mjs <in.wasm> <out.wasm>
import { readFileSync, writeFileSync } from "node:fs";

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  console.error("usage: node scripts/plain-features.mjs <in.wasm> <out.wasm>");
  process.exit(2);
}
const bytes = readFileSync(from);

/** An unsigned LEB128 number at `at`: [value, position after it]. */
function leb(at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at >= bytes.length) throw new Error(`${from}: truncated number at byte ${at}`);
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [value, at];
  }
}

for (let at = 8; at < bytes.length; ) {
  const id = bytes[at];
  const [size, start] = leb(at + 1);
  at = start + size;
  if (id !== 0) continue;
  let [nameLength, p] = leb(start);
  const name = bytes.subarray(p, p + nameLength).toString("utf8");
  if (name !== "target_features") continue;
  p += nameLength;
  let count;
  [count, p] = leb(p);
  for (let i = 0; i < count; i++) {
    const prefix = p;
    let length;
    [length, p] = leb(p + 1);
    const feature = bytes.subarray(p, p + length).toString("utf8");
    p += length;
    // "+" used, "-" disallowed; the same length, so it is changed in place.
    if ((feature === "multivalue" || feature === "reference-types") && bytes[prefix] === 0x2b) {
      bytes[prefix] = 0x2d;
    }
  }
}
// A module that does not claim them is copied as it is: wasm-bindgen keeps
// it plain anyway (tests/js/package.test.mjs checks the result).
writeFileSync(to, bytes);
