// The npm package in pkg/, through its generated JavaScript glue, in Node:
// every conformance case, the module's shape, and its error objects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import init, { initSync, Policy, View } from "../../pkg/index.js";
import { runCase } from "./cases.mjs";

const root = new URL("../../", import.meta.url);
initSync({ module: readFileSync(new URL("pkg/harmony_policy_bg.wasm", root)) });

test("the package is the documented ES module", () => {
  const pkg = JSON.parse(readFileSync(new URL("pkg/package.json", root), "utf8"));
  assert.equal(pkg.name, "harmony-policy");
  assert.equal(pkg.type, "module");
  assert.equal(typeof init, "function");
  assert.equal(typeof Policy.builtin, "function");
  assert.equal(typeof Policy.fromJson, "function");
  assert.ok(Policy.builtin() instanceof Policy);
  assert.equal(Policy.builtin().name, "harmony");
  assert.equal(Policy.builtin("harmonia").name, "harmonia");
});

const dir = new URL("tests/cases/", root);
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
test("the conformance suite has its cases", () => assert.ok(files.length >= 40));
for (const file of files) {
  test(`case ${file}`, () => {
    const failures = runCase(Policy, file, JSON.parse(readFileSync(new URL(file, dir), "utf8")));
    assert.deepEqual(failures, []);
  });
}

test("errors are Error objects with code, message and path", () => {
  assert.throws(() => Policy.fromJson('{"version": 2}'), (e) => e instanceof Error && e.code === "invalid_value" && typeof e.message === "string");
  const text = Policy.builtin().toJson().replace('"route":"contacts"', '"route":"contactz"');
  assert.throws(() => Policy.fromJson(text), (e) => e.code === "unknown_route" && e.path === "/navigation/1/route");
  const policy = Policy.builtin();
  assert.throws(() => policy.view({ workspace: { slug: "acme" }, member: { userId: "u", roles: ["owner"] } }),
    (e) => e.code === "unknown_role" && e.path === "/member/roles/0");
  const view = policy.view({ workspace: { slug: "acme" }, member: { userId: "u", roles: ["member"] } });
  assert.ok(view instanceof View);
  assert.throws(() => view.can("billing:read"), (e) => e.code === "invalid_permission" && e.path === undefined);
  assert.throws(() => view.resolve(), (e) => e.code === "invalid_value" && e.path === "/path");
  assert.throws(() => view.form(Symbol("x")), (e) => e.code === "invalid_value");
  const cyclic = { workspace: { slug: "acme" }, member: { userId: "u" } };
  cyclic.member.loop = cyclic;
  assert.throws(() => policy.view(cyclic), (e) => e.code === "invalid_value");
  assert.throws(() => policy.view({ workspace: { slug: "acme" }, member: { userId: 1n } }), (e) => e.code === "invalid_value");
});

test("outputs are plain JSON-compatible data", () => {
  const view = Policy.builtin().view({ workspace: { slug: "acme" }, member: { userId: "u", roles: ["admin"] } });
  const answers = [view.sidebar(), view.palette(), view.resolve("/workspace/acme/contacts/c_1"), view.form("invite"), view.explain("sidebar:feedback")];
  for (const a of answers) assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
  assert.equal(Object.getPrototypeOf(view.resolve("/workspace/acme/contacts/c_1").params), Object.prototype);
  view.free();
});
