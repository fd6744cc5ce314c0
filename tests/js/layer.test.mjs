// The package entry (pkg/index.js) answers exactly what the wasm module's
// full answers are (pkg/harmony_policy.js, each answer built in wasm and
// handed over as JSON, with no records, memo or cache): for every context of
// the conformance cases, every route pattern and every path of the cases,
// every form, palette queries and permissions, and for contexts that must
// take the JSON path (odd shapes, errors). It also hands out shared, frozen
// records.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { initSync, Policy } from "../../pkg/index.js";
import * as wasm from "../../pkg/harmony_policy.js";
import { compile, initSync as initAuthoring } from "../../pkg/authoring.js";

const root = new URL("../../", import.meta.url);
initSync({ module: readFileSync(new URL("pkg/harmony_policy_bg.wasm", root)) });
initAuthoring({ module: readFileSync(new URL("pkg/harmony_policy_authoring_bg.wasm", root)) });

/** The error a failed call of the module left. */
function failure() {
  const e = JSON.parse(wasm.takeError());
  return Object.assign(new Error(e.message), e);
}
const full = (text) => {
  if (text === "") throw failure();
  return JSON.parse(text);
};
const str = (value, name) => {
  if (typeof value === "string") return value;
  wasm.wrongArgument(name);
  throw failure();
};

/** The reference: a policy answered only by the module's full answers. */
class RawPolicy {
  constructor(handle) {
    if (handle === 0) throw failure();
    this.handle = handle;
  }
  static builtin(name) {
    return new RawPolicy(wasm.policyBuiltin(name ?? "harmony"));
  }
  static fromBundle(bytes) {
    return new RawPolicy(wasm.policyFromBundle(bytes));
  }
  view(context) {
    const h = wasm.policyView(this.handle, JSON.stringify(context) ?? "null");
    if (h === 0) throw failure();
    return {
      sidebar: () => full(wasm.viewSidebar(h)),
      palette: (q) => full(wasm.viewPalette(h, q === undefined || q === null ? "" : str(q, "query"))),
      resolve: (p) => full(wasm.viewResolve(h, str(p, "path"))),
      form: (f) => full(wasm.viewForm(h, str(f, "form"))),
      can: (p, record) => {
        const can = record === undefined ? wasm.viewCan(h, str(p, "permission")) : wasm.viewCanRecord(h, str(p, "permission"), JSON.stringify(record) ?? "null");
        if (can < 0) throw failure();
        return can === 1;
      },
      filter: (p) => full(wasm.viewFilter(h, str(p, "permission"))),
      free: () => wasm.viewFree(h),
    };
  }
}

/** The answer, or the error's code and path. */
function outcome(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: e.code, path: e.path, message: e.message };
  }
}

const dir = new URL("tests/cases/", root);
const cases = readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => [f, JSON.parse(readFileSync(new URL(f, dir), "utf8"))]);
const PERMISSIONS = ["contacts:create:own", "billing:read:all", "roles:*:all", "*:*:all", "accounts:read:team", "users:update:all", "modules:update:all", "nope:read:all", "roles:read", "Roles:read:all", "", "x".repeat(5000)];
const RECORD_PERMISSIONS = ["contacts:read", "contacts:update", "contacts:delete", "conversations:read", "billing:read", "contacts:*", "*:read", "contacts:read:own", "nope:read", "contacts", ""];
// Plain records (answered by the layer from the filter) and every other
// kind (read by wasm): the two must agree.
const RECORDS = [
  {}, { ownerId: "u_1" }, { ownerId: "u_2" }, { teamId: "t_sales" }, { ownerId: "u_2", teamId: "t_sales" }, { ownerId: "u_2", teamId: "t_support" },
  { ownerId: null, teamId: null }, { ownerId: undefined }, { ownerId: "u_1", teamId: "x".repeat(64) }, { ownerId: "u_1", teamId: "x".repeat(65) },
  { ownerId: "ü".repeat(200) }, { ownerId: "" }, { ownerId: 7 }, { ownerID: "u_1" }, { ownerId: "u_1", note: "x" }, "u_1", ["u_1"], null, 5,
  Object.create({ ownerId: "u_1" }),
];
const QUERIES = ["", "acc", "set", "new con", "zzz", "a".repeat(300), " "];

async function policies(ruleset) {
  try {
    if (typeof ruleset === "string") return [Policy.builtin(ruleset), RawPolicy.builtin(ruleset)];
    const bytes = await compile(JSON.stringify(ruleset));
    return [Policy.fromBundle(bytes), RawPolicy.fromBundle(bytes)];
  } catch {
    return null;
  }
}

test("every query of every case context answers the same through the entry and the generated classes", async () => {
  let compared = 0;
  for (const [file, c] of cases) {
    const pair = await policies(c.ruleset ?? "harmony");
    if (!pair) continue;
    const [policy, raw] = pair;
    const doc = JSON.parse(policy.toJson());
    const paths = doc.routes.map((r) => r.pattern.replace("{slug}", "acme").replace(/\{[^}]+\}/g, "x_1"));
    for (const s of c.steps) if (s.call === "resolve" && typeof s.args[0] === "string") paths.push(s.args[0]);
    // Paths that cross through the input buffer, and those that cannot: not
    // ASCII, longer than the buffer, over the length limit.
    paths.push(
      "/workspace/beta/contacts", "/workspace/acme/contacts/x%2Fy", "/workspace/acme/contacts/é", "/workspace/acme/contacts?q=é#x",
      "/workspace/acme/\u0001", "/", "", "/x".repeat(1100), "/x".repeat(2100),
    );
    const contexts = [c.context, ...c.steps.map((s) => s.context)].filter(Boolean);
    for (const ctx of contexts) {
      const a = outcome(() => policy.view(ctx));
      const b = outcome(() => raw.view(ctx));
      assert.deepEqual(a.error, b.error, `${file}: view errors`);
      assert.deepEqual(a.path, b.path, `${file}: view error paths`);
      if (a.error) continue;
      const [v, w] = [a.value, b.value];
      const same = (label, f) => {
        assert.deepEqual(outcome(() => f(v)), outcome(() => f(w)), `${file}: ${label} for ${JSON.stringify(ctx)}`);
        compared++;
      };
      same("sidebar", (x) => x.sidebar());
      for (const q of QUERIES) same(`palette(${q})`, (x) => x.palette(q));
      same("palette()", (x) => x.palette());
      for (const p of paths) same(`resolve(${p})`, (x) => x.resolve(p));
      for (const f of [...doc.forms.map((f) => f.id), "nope"]) same(`form(${f})`, (x) => x.form(f));
      for (const p of PERMISSIONS) same(`can(${p})`, (x) => x.can(p));
      for (const p of RECORD_PERMISSIONS) {
        same(`filter(${p})`, (x) => x.filter(p));
        for (const r of RECORDS) same(`can(${p}, ${JSON.stringify(r)})`, (x) => x.can(p, r));
      }
      for (const bad of [undefined, 42, null, {}]) {
        same(`resolve(${bad})`, (x) => x.resolve(bad));
        same(`can(${bad})`, (x) => x.can(bad));
        same(`form(${bad})`, (x) => x.form(bad));
      }
      v.free();
      w.free();
    }
  }
  assert.ok(compared > 5000, `only ${compared} comparisons`);
});

test("contexts that are not plain well-typed objects take the JSON path and answer the same", () => {
  const policy = Policy.builtin();
  const raw = RawPolicy.builtin();
  const base = () => ({ workspace: { slug: "acme", products: { accounts: false } }, member: { userId: "u_1", roles: ["member"] }, memberships: ["acme", "beta"], platform: "mac" });
  const odd = [
    (c) => (c.workspace.plan = null),
    (c) => (c.workspace.plan = undefined),
    (c) => (c.platform = undefined),
    (c) => (c.platform = "amiga"),
    (c) => (c.member.active = "yes"),
    (c) => (c.member.extra = 1),
    (c) => (c.extra = 1),
    (c) => (c.member.preferences = { "recording.autoJoin": NaN }),
    (c) => (c.member.preferences = { "recording.autoJoin": 1.5, x: "s", y: null, z: true }),
    (c) => (c.member.roles = ["mem\u0002ber"]),
    (c) => (c.member.userId = "u\u0001x"),
    // Plain contexts that cannot cross through the input buffer: not ASCII,
    // or longer than it.
    (c) => (c.member.userId = "üser"),
    (c) => (c.member.preferences = { note: "x".repeat(5000) }),
    // Over the decoder's 64 KiB as JSON: refused on both ways, and a context
    // just under it is answered on both.
    (c) => (c.member.preferences = { note: "x".repeat(70_000) }),
    (c) => (c.member.preferences = { note: "\u0004".repeat(11_000) }),
    (c) => (c.member.preferences = { note: "x".repeat(65_000) }),
    (c) => (c.workspace.products = { accounts: 0 }),
    (c) => (c.workspace.products = { acounts: false }),
    (c) => (c.workspace.slug = "ACME"),
    (c) => (c.memberships = "acme"),
    (c) => (c.member.permissions = ["roles:*:all", "bad"]),
    (c) => (c.member.landingPage = "accounts"),
    (c) => (c.workspace.environment = "staging"),
    (c) => (c.workspace = new Date(0)),
    (c) => (c.toJSON = () => ({ nope: 1 })),
    (c) => Object.setPrototypeOf(c.member, { roles: ["admin"] }),
  ];
  for (const change of odd) {
    const ctx = base();
    change(ctx);
    const a = outcome(() => policy.view(ctx));
    const b = outcome(() => raw.view(ctx));
    assert.equal(a.error, b.error, String(change));
    assert.equal(a.path, b.path, String(change));
    if (!a.error) {
      assert.deepEqual(a.value.sidebar(), b.value.sidebar(), String(change));
      assert.deepEqual(a.value.palette(), b.value.palette(), String(change));
      assert.deepEqual(a.value.resolve("/workspace/acme"), b.value.resolve("/workspace/acme"), String(change));
    }
  }
});

test("records are built once, shared and frozen", () => {
  const policy = Policy.builtin();
  const ctx = { workspace: { slug: "acme", products: { accounts: false } }, member: { userId: "u_1", roles: ["member"] }, platform: "mac" };
  const one = policy.view(ctx);
  const two = Policy.builtin().view({ ...ctx, member: { userId: "u_2", roles: ["member"] } });
  assert.equal(one.sidebar()[0], two.sidebar()[0]);
  assert.ok(Object.isFrozen(one.sidebar()[0]));
  assert.equal(one.palette()[0], two.palette()[0]);
  assert.ok(Object.isFrozen(one.palette()[0].keywords));
  const redirect = one.resolve("/workspace/acme/accounts/a_1");
  assert.equal(redirect, two.resolve("/workspace/acme/accounts"));
  assert.ok(Object.isFrozen(redirect.reason));
  assert.throws(() => {
    "use strict";
    redirect.to = "/elsewhere";
  }, TypeError);
  // Answers with parameters are kept per view and path, frozen too.
  const a = one.resolve("/workspace/acme/contacts/c_1");
  assert.equal(a, one.resolve("/workspace/acme/contacts/c_1"));
  assert.ok(Object.isFrozen(a.params));
  assert.deepEqual(a, { kind: "allow", route: "contact", params: { slug: "acme", id: "c_1" } });
  // Each query hands out a fresh array of the shared records.
  assert.notEqual(one.sidebar(), one.sidebar());
  one.sidebar().push("mine");
  assert.equal(one.sidebar().length, two.sidebar().length);
  // A different workspace gets its own links.
  const beta = policy.view({ ...ctx, workspace: { slug: "beta" } });
  assert.equal(beta.sidebar()[0].href, "/workspace/beta/conversations");
  assert.equal(one.sidebar()[0].href, "/workspace/acme/conversations");
});

test("views of the same context share one compiled view; free() releases only a share", () => {
  const policy = Policy.builtin();
  const ctx = (i) => ({ workspace: { slug: "acme", products: { accounts: i % 2 === 0 } }, member: { userId: `u_${i}`, roles: ["member"] } });
  const a = policy.view(ctx(0));
  const b = policy.view(ctx(0));
  const first = a.resolve("/workspace/acme/accounts");
  a.free();
  a.free(); // a second free is harmless
  for (const use of [(v) => v.sidebar(), (v) => v.can("billing:read:all"), (v) => v.resolve("/"), (v) => v.explain("sidebar:accounts"), (v) => v.palette("acc")]) {
    assert.throws(() => use(a), TypeError);
  }
  assert.equal(b.resolve("/workspace/acme/accounts"), first, "the share still held keeps working");
  // More distinct contexts than the cache keeps: views still held keep
  // answering after they left the cache, and are freed with their last share.
  const held = Array.from({ length: 40 }, (_, i) => policy.view(ctx(i)));
  for (const [i, v] of held.entries()) {
    assert.equal(v.resolve("/workspace/acme/accounts").kind, i % 2 === 0 ? "allow" : "redirect");
    v.free();
  }
  assert.equal(b.resolve("/workspace/acme/accounts"), first);
  b.free();
  // After all that, new views compile and answer.
  const c = policy.view(ctx(1));
  assert.deepEqual(c.resolve("/workspace/acme/accounts").to, "/workspace/acme/contacts");
  c.free();
});

test("a view whose compiled view left the cache compiles it again and answers the same", () => {
  const policy = Policy.builtin();
  const ctx = (i) => ({ workspace: { slug: "acme", products: { accounts: i % 2 === 0 } }, member: { userId: `again_${i}`, roles: ["member"] } });
  const view = policy.view(ctx(0));
  const answers = (v) => ({
    sidebar: v.sidebar(),
    palette: v.palette("con"),
    accounts: v.resolve("/workspace/acme/accounts"),
    contact: v.resolve("/workspace/acme/contacts/c_9"),
    form: v.form("contact"),
    can: v.can("billing:read:all"),
    explain: v.explain("sidebar:accounts"),
  });
  const before = answers(view);
  // More contexts than the cache keeps, never freed, then the policy
  // object itself: the view's compiled view has left the cache.
  for (let i = 1; i <= 40; i++) policy.view(ctx(i));
  policy.free();
  assert.deepEqual(answers(view), before);
  const fresh = Policy.builtin().view(ctx(0));
  assert.deepEqual(answers(fresh), before, "a new policy object's view of the same context answers alike");
  view.free();
  assert.throws(() => view.sidebar(), TypeError);
  assert.deepEqual(answers(fresh), before, "retiring one view leaves the others of its context answering");
});

test("view objects that are never freed keep no compiled view: the cache bounds them", () => {
  const policy = Policy.builtin();
  for (let i = 0; i < 1000; i++) policy.view({ workspace: { slug: "acme" }, member: { userId: `unfreed_${i}`, roles: ["member"] } });
  // The module's table of compiled views grows only when no slot is free,
  // so a new handle tells how many compiled views are alive at most.
  const probe = RawPolicy.builtin();
  const h = wasm.policyView(probe.handle, JSON.stringify({ workspace: { slug: "acme" }, member: { userId: "probe" } }));
  assert.ok(h > 0 && h < 200, `handle ${h}: the compiled views of 1000 unfreed view objects were kept`);
  wasm.viewFree(h);
  wasm.policyFree(probe.handle);
});

test("many custom rulesets: each keeps answering while older catalogs are let go", async () => {
  const base = JSON.parse(Policy.builtin().toJson());
  const ctx = { workspace: { slug: "acme" }, member: { userId: "u", roles: ["admin"] } };
  const views = [];
  for (let i = 0; i < 12; i++) {
    const doc = { ...base, label: `Custom ${i}` };
    const policy = await Policy.fromJson(JSON.stringify(doc));
    const view = policy.view(ctx);
    assert.equal(view.resolve("/workspace/acme/settings/products").kind, "allow");
    views.push(view);
  }
  // Views of catalogs that were let go still answer until they are freed.
  for (const view of views) {
    assert.equal(view.sidebar()[0].id, "conversations");
    view.free();
  }
});

test("a freed policy throws a TypeError; its views keep answering", () => {
  const policy = Policy.builtin("harmonia");
  const view = policy.view({ workspace: { slug: "acme" }, member: { userId: "u", roles: ["owner"] } });
  policy.free();
  policy.free();
  assert.throws(() => policy.name, TypeError);
  assert.throws(() => policy.view({ workspace: { slug: "acme" }, member: { userId: "u" } }), TypeError);
  assert.throws(() => policy.checkRoleChange({}), TypeError);
  assert.equal(view.resolve("/workspace/acme/contacts").kind, "allow");
  view.free();
  // Handles are reused once freed: a new policy answers as itself.
  assert.equal(Policy.builtin().name, "harmony");
});
