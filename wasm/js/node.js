// harmony-policy for Node: the module is loaded synchronously from the
// package's own .wasm file, so there is nothing to call before using it;
// the authoring module (for `Policy.fromJson`) is read from its file when
// first used.
import { readFileSync } from "node:fs";
import { initSync } from "./index.js";
import { useSource } from "./authoring-module.js";

initSync({ module: readFileSync(new URL("./harmony_policy_bg.wasm", import.meta.url)) });
useSource(() => readFileSync(new URL("./harmony_policy_authoring_bg.wasm", import.meta.url)));

export * from "./index.js";
