// harmony-policy for Node: the module is loaded synchronously from the
// package's own .wasm file, so there is nothing to call before using it.
import { readFileSync } from "node:fs";
import { initSync } from "./index.js";

initSync({ module: readFileSync(new URL("./harmony_policy_bg.wasm", import.meta.url)) });

export * from "./index.js";
