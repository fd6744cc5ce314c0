// One startup of the npm package in a fresh Node process, as an app sees
// it: instantiating the module (initSync) and the first ruleset load after
// it. Prints both in milliseconds as JSON; benches/wasm.mjs runs it in many
// processes and reports the medians (a single shot varies by half).
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { initSync, Policy } from "../pkg/index.js";

const bytes = readFileSync(new URL("../pkg/harmony_policy_bg.wasm", import.meta.url));
const t0 = performance.now();
initSync({ module: bytes });
const t1 = performance.now();
Policy.builtin().free();
const t2 = performance.now();
console.log(JSON.stringify({ instantiate: t1 - t0, firstBuiltin: t2 - t1 }));
