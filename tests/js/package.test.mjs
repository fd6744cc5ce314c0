// The npm package in pkg/, through its generated JavaScript glue, in Node:
// every conformance case, the module's shape, and its error objects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import init, { initSync, Policy, View } from "../../pkg/index.js";
import { initSync as initAuthoring } from "../../pkg/authoring.js";
import { runCase } from "./cases.mjs";

const root = new URL("../../", import.meta.url);
initSync({ module: readFileSync(new URL("pkg/harmony_policy_bg.wasm", root)) });
initAuthoring({ module: readFileSync(new URL("pkg/harmony_policy_authoring_bg.wasm", root)) });

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
  test(`case ${file}`, async () => {
    const failures = await runCase(Policy, file, JSON.parse(readFileSync(new URL(file, dir), "utf8")));
    assert.deepEqual(failures, []);
  });
}

test("errors are Error objects with code, message and path", async () => {
  await assert.rejects(Policy.fromJson('{"version": 2}'), (e) => e instanceof Error && e.code === "invalid_value" && typeof e.message === "string");
  const text = Policy.builtin().toJson().replace('"route":"contacts"', '"route":"contactz"');
  await assert.rejects(Policy.fromJson(text), (e) => e.code === "unknown_route" && e.path === "/navigation/1/route");
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

/** The result counts of the function types in a wasm module's type section. */
function resultCounts(bytes) {
  let at = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    if (id !== 1) {
      at += size;
      continue;
    }
    const counts = [];
    for (let n = leb(); n > 0; n--) {
      assert.equal(bytes[at++], 0x60, "a function type");
      const params = leb(); // one byte each (numbers and reference types)
      at += params;
      const results = leb();
      counts.push(results);
      at += results;
    }
    return counts;
  }
  return [];
}

test("the module imports nothing and no function of it returns several values (each costs V8 compile time at instantiation)", () => {
  const bytes = readFileSync(new URL("pkg/harmony_policy_bg.wasm", root));
  assert.deepEqual(WebAssembly.Module.imports(new WebAssembly.Module(bytes)), []);
  const counts = resultCounts(bytes);
  assert.ok(counts.length > 10);
  assert.ok(counts.includes(1));
  assert.deepEqual(counts.filter((n) => n > 1), []);
});

test("JavaScript values that are not the documented types are refused with errors, never a trap", async () => {
  const code = (fn) => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof Error);
      return { code: e.code, path: e.path, message: e.message };
    }
    assert.fail("expected a thrown Error");
  };
  const member = (products) => ({ workspace: { slug: "acme", products }, member: { userId: "u_1", roles: ["member"] }, memberships: ["acme", "beta"], platform: "mac" });
  assert.deepEqual(code(() => Policy.builtin("nope")).code, "unknown_builtin");
  assert.equal(code(() => Policy.builtin(3)).path, "/name");
  await assert.rejects(Policy.fromJson(1), (e) => e instanceof Error && e.code === "invalid_value");
  const policy = Policy.builtin();
  assert.equal(code(() => policy.view(undefined)).code, "invalid_value");
  assert.equal(code(() => policy.view(3)).code, "invalid_value");
  const cyclic = member({});
  cyclic.member.self = cyclic;
  assert.match(code(() => policy.view(cyclic)).message, /cannot be read as JSON/);
  assert.deepEqual(code(() => policy.view(member({ acounts: false }))), { code: "unknown_product", path: "/workspace/products/acounts", message: code(() => policy.view(member({ acounts: false }))).message });
  const view = policy.view(member({}));
  assert.equal(code(() => view.resolve(42)).path, "/path");
  assert.equal(code(() => view.palette({})).path, "/query");
  assert.equal(code(() => view.can(1n)).path, "/permission");
  assert.equal(code(() => view.feature(null)).path, "/id");
  assert.equal(code(() => view.explain(undefined)).path, "/target");
  assert.match(code(() => view.can("billing:read")).message, /`billing:read`/);
  assert.equal(code(() => view.can("payroll:read:all")).code, "unknown_permission");
  assert.equal(code(() => view.checkRequest("GET /")).code, "invalid_value");
  assert.deepEqual(code(() => view.checkRequest({ method: "GET", path: "/api/contacts", headers: {} })).path, "/headers");
  assert.equal(code(() => view.checkRequest({ method: 1, path: "/api/contacts" })).path, "/method");
  const throwing = { path: "/api/contacts", get method() { throw new Error("no"); } };
  assert.equal(code(() => view.checkRequest(throwing)).code, "invalid_value");
  assert.equal(code(() => view.syncRecord("hubspot", 1)).path, "/record");
  assert.equal(code(() => view.syncRecord("hubspot", [])).path, "/record");
  assert.equal(code(() => view.syncRecord(1, {})).path, "/integration");
  assert.equal(code(() => policy.inviteStatus({ sentAt: 0 }, NaN)).path, "/now");
  assert.equal(code(() => policy.inviteStatus({ sentAt: 0 }, "1")).path, "/now");
  assert.equal(code(() => policy.inviteStatus({ sentAt: 0 }, 1.5)).path, "/now");
  assert.equal(code(() => policy.productImpact(member({}), "accounts", "no")).path, "/enabled");
  assert.equal(code(() => policy.productImpact(member({}), 1, true)).path, "/product");
  assert.equal(code(() => policy.checkRoleChange({ actor: 1n })).code, "invalid_value");
  // Huge strings get the core's limits.
  assert.equal(code(() => view.resolve("a/".repeat(1_000_000))).code, "input_too_large");
  await assert.rejects(Policy.fromJson(" ".repeat(1_100_000)), (e) => e.code === "input_too_large");
  assert.equal(code(() => policy.view(member({ [`p${"x".repeat(70_000)}`]: true }))).code, "input_too_large");
  // Membership requests and request descriptions are bounded by the boundary.
  const big = "u".repeat(5 * 1024 * 1024);
  assert.equal(code(() => policy.checkRoleChange({ actor: { userId: big, role: "admin" } })).code, "input_too_large");
  assert.equal(code(() => view.checkRequest({ method: "GET", path: "/api/contacts", body: { [big]: 1 } })).code, "input_too_large");
});

test("a request body is read only for its own top-level keys; bodies and records have a key limit", () => {
  const policy = Policy.builtin();
  const off = policy.view({ workspace: { slug: "acme", products: { accounts: false } }, member: { userId: "u_1", roles: ["member"] } });
  const body = { accountId: "a_1" };
  body.self = body;
  assert.equal(off.checkRequest({ method: "POST", path: "/api/contacts", body }).code, "accounts_disabled");
  // accountId on the prototype only is not submitted.
  const inherited = Object.create({ accountId: 1 });
  assert.deepEqual(off.checkRequest({ method: "POST", path: "/api/contacts", body: inherited }), { ok: true });
  const wide = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`k${i}`, true]));
  assert.throws(() => off.checkRequest({ method: "POST", path: "/api/contacts", body: wide }), (e) => e.code === "input_too_large");
  assert.throws(() => off.syncRecord("hubspot", wide), (e) => e.code === "input_too_large");
  // A synced record is a shallow copy without the dropped field.
  const record = { id: "c_1", accountId: "a_1", nested: { accountId: "kept" }, [Symbol.for("s")]: 1 };
  const copy = off.syncRecord("hubspot", record);
  assert.deepEqual(Object.keys(copy), ["id", "nested"]);
  assert.equal(copy.nested, record.nested);
  assert.equal(copy[Symbol.for("s")], 1);
  assert.equal(record.accountId, "a_1");
});
