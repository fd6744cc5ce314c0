// harmony-policy/authoring in Node: every problem of a ruleset at once with
// its place, a diff between two rulesets, and rulesets read from JSON that
// agree with the same rulesets shipped compiled.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { initSync, Policy } from "../../pkg/index.js";
import { compile, diff, fromJson, initSync as initAuthoring, validate } from "../../pkg/authoring.js";

const root = new URL("../../", import.meta.url);
initSync({ module: readFileSync(new URL("pkg/harmony_policy_bg.wasm", root)) });
initAuthoring({ module: readFileSync(new URL("pkg/harmony_policy_authoring_bg.wasm", root)) });

const harmony = Policy.builtin().toJson();
const pretty = JSON.stringify(JSON.parse(harmony), null, 2);

test("validate reports every planted mistake at its line and column, with the name meant", async () => {
  const doc = JSON.parse(pretty);
  doc.routes.find((r) => r.id === "accounts").requires = { product: "acounts" };
  doc.routes.find((r) => r.id === "contacts").colour = "blue";
  doc.navigation.find((n) => n.id === "feedback").route = "feedbak";
  const text = JSON.stringify(doc, null, 2);
  const report = await validate(text);
  const byCode = Object.fromEntries(report.problems.map((p) => [p.code, p]));
  assert.deepEqual(report.problems.map((p) => p.code).sort(), ["unknown_key", "unknown_product", "unknown_route"], JSON.stringify(report.problems));
  const lines = text.split("\n");
  for (const p of report.problems) {
    assert.ok(p.position, `${p.code} has a position`);
    assert.ok(lines[p.position.line - 1].length >= p.position.column - 1, `${p.code} points into its line`);
  }
  assert.equal(byCode.unknown_product.suggestion, "accounts");
  assert.match(lines[byCode.unknown_product.position.line - 1], /acounts/);
  assert.match(lines[byCode.unknown_key.position.line - 1], /colour/);
  assert.equal(byCode.unknown_route.suggestion, "feedback");
  assert.equal(byCode.unknown_route.pointer, `/navigation/${doc.navigation.findIndex((n) => n.id === "feedback")}/route`);
});

test("validate finds nothing in a bundled ruleset and names it", async () => {
  const report = await validate(pretty);
  assert.deepEqual(report.problems, []);
  assert.equal(report.name, "harmony");
  assert.equal(report.fingerprint, Policy.builtin().fingerprint);
});

test("diff says what a change gives to whom, and nothing for the same rules", async () => {
  assert.deepEqual((await diff(harmony, pretty)).changes, []);
  const doc = JSON.parse(harmony);
  doc.roles.find((r) => r.id === "member").grants.push("billing:read:all");
  const result = await diff(harmony, JSON.stringify(doc));
  assert.ok(result.contexts > 0);
  assert.ok(result.changes.length > 0);
  assert.ok(result.changes.every((c) => c.subjects.includes("member") && !c.subjects.includes("admin")), JSON.stringify(result.changes));
  await assert.rejects(diff(harmony, "{"), (e) => e.code === "invalid_json");
  await assert.rejects(diff(harmony, 7), (e) => e.code === "invalid_value" && e.path === "/after");
});

test("a ruleset read from JSON has the fingerprint and answers of the same ruleset compiled", async () => {
  const policy = await fromJson(pretty);
  assert.equal(policy.fingerprint, Policy.builtin().fingerprint);
  const bytes = await compile(pretty);
  assert.deepEqual([...bytes], [...Policy.builtin().toBundle()]);
});
