// harmony-policy/authoring: reading rulesets written as JSON. The
// validator lives in its own WebAssembly module (the whole crate, built
// with its `authoring` feature, and the authoring tools), loaded on first
// use, so that pages which only evaluate known rulesets never download it.
// It turns JSON text into a bundle, which the runtime reads like any other:
// fingerprints are the same however a ruleset was loaded.
import { compile } from "./authoring-module.js";
import { Policy } from "./index.js";

export { default, compile, diff, initSync, useSource, validate } from "./authoring-module.js";

/** Loads and validates a ruleset from JSON text into a runtime policy. */
export async function fromJson(text) {
  return Policy.fromBundle(await compile(text));
}
