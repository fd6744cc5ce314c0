// The package before and after its module is loaded: anything used first
// throws a typed error that says what to call; error codes the library
// emits are all in the TypeScript union. (Its own process: no other test
// file has loaded the module here.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { initSync, isPolicyError, Policy } from "../../pkg/index.js";
import { initSync as initAuthoring } from "../../pkg/authoring.js";

test("before initSync, Policy throws not_initialized saying what to call; after, it works", async () => {
  for (const call of [() => Policy.builtin(), () => Policy.fromJson("{}"), () => Policy.fromBundle(new Uint8Array(8))]) {
    let error;
    try {
      await call();
    } catch (e) {
      error = e;
    }
    assert.ok(isPolicyError(error), String(error));
    assert.equal(error.code, "not_initialized");
    assert.match(error.message, /init\(\)|initSync/);
  }
  initSync({ module: readFileSync(new URL("../../pkg/harmony_policy_bg.wasm", import.meta.url)) });
  assert.equal(Policy.builtin().name, "harmony");
  initAuthoring({ module: readFileSync(new URL("../../pkg/harmony_policy_authoring_bg.wasm", import.meta.url)) });
  let thrown;
  try {
    await Policy.fromJson("{");
  } catch (e) {
    thrown = e;
  }
  assert.ok(isPolicyError(thrown));
  assert.equal(thrown.code, "invalid_json");
  assert.equal(isPolicyError(new Error("plain")), false);
  assert.equal(isPolicyError("invalid_json"), false);
});

test("every error code the library emits is in the TypeScript ErrorCode union", () => {
  const rust = readFileSync(new URL("../../src/error.rs", import.meta.url), "utf8");
  const codes = new Set();
  for (const body of rust.split(/fn code\(/).slice(1)) {
    const end = body.indexOf("\n    }\n");
    for (const m of body.slice(0, end).matchAll(/=> "([a-z_]+)"/g)) codes.add(m[1]);
  }
  assert.ok(codes.size > 30, `${codes.size} codes found`);
  const dts = readFileSync(new URL("../../wasm/src/types.d.ts", import.meta.url), "utf8");
  const union = dts.slice(dts.indexOf("export type ErrorCode"), dts.indexOf(";", dts.indexOf("export type ErrorCode")));
  const typed = new Set([...union.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]));
  const missing = [...codes].filter((c) => !typed.has(c));
  assert.deepEqual(missing, [], "codes missing from ErrorCode");
});
