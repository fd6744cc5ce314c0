// Types of harmony-policy/node: the package's API, already initialized.
export * from "./index.js";
