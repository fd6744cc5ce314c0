// Types of the package entry (index.js): its `Policy` and `View` have exactly
// the API of the generated classes, whose types (and every input and output
// type, from src/wasm.d.ts) are re-exported here.
export * from "./harmony_policy.js";
export { default } from "./harmony_policy.js";
