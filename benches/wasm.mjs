// Benchmarks of the npm package (pkg/) from JavaScript, in Node: the cold
// start to the first navigation model, beside @casl/ability's (what a page
// waits for: medians of 15 fresh processes each, benches/startup.mjs), and
// its parts (instantiation, the first ruleset), reading a bundle once warm,
// `view.can` (also with a record, beside @casl/ability's conditions), and a whole navigation model (sidebar, palette
// with an empty query, 13 route decisions and the contact form) from a plain
// context object to plain result objects. Medians of 5 rounds of at least
// one second. The same model in plain JavaScript around @casl/ability 7 and
// around @cedar-policy/cedar-wasm 4 (benches/navigation.mjs) runs side by
// side, after a check that every contender answers exactly the same. The
// package keeps the compiled views of recent contexts (pkg/index.js), so the
// model is measured twice: for the two contexts in turn (what an app that
// re-renders the same member does) and with every context new (a member
// never seen before: nothing cached but the policy's records).
// Run: bash scripts/build-wasm.sh && node benches/wasm.mjs
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import os from "node:os";
import { initSync, Policy } from "../pkg/index.js";
import * as casl from "./casl.mjs";
import * as cedar from "./cedar.mjs";
import * as nav from "./navigation.mjs";

const bytes = readFileSync(new URL("../pkg/harmony_policy_bg.wasm", import.meta.url));
initSync({ module: bytes });
const middle = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const startup = (who) => JSON.parse(execFileSync(process.execPath, [new URL("startup.mjs", import.meta.url).pathname, who], { encoding: "utf8" }));
// Alternated, so that both see the same load.
const startups = [];
const caslStartups = [];
for (let i = 0; i < 15; i++) {
  startups.push(startup("policy"));
  caslStartups.push(startup("casl"));
}

const ROUTES = [
  "/workspace/acme", "/workspace/acme/conversations", "/workspace/acme/conversations/m_1", "/workspace/acme/contacts",
  "/workspace/acme/contacts/c_1", "/workspace/acme/contacts/new", "/workspace/acme/accounts", "/workspace/acme/accounts/a_1",
  "/workspace/acme/data-lake/projects", "/workspace/acme/feedback", "/workspace/acme/settings/products",
  "/workspace/beta/contacts", "/workspace/acme/nope",
];
const contexts = [
  { workspace: { slug: "acme", products: { accounts: false } }, member: { userId: "u_1", roles: ["member"] }, memberships: ["acme", "beta"], platform: "mac" },
  { workspace: { slug: "acme", products: { feedback: true } }, member: { userId: "u_2", roles: ["admin"] }, memberships: ["acme"], platform: "windows" },
];
const policy = Policy.builtin();

let serial = 0;
/** One of the two contexts, as a member never seen before. */
function fresh(i) {
  const c = contexts[i & 1];
  return { ...c, member: { ...c.member, userId: `u_${serial++}` } };
}

function model(context) {
  const view = policy.view(context);
  const out = { sidebar: view.sidebar(), palette: view.palette(), routes: ROUTES.map((r) => view.resolve(r)), form: view.form("contact") };
  view.free();
  return out;
}

function measure(name, fn, inner) {
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    let n = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < 1000) {
      for (let i = 0; i < inner; i++) fn(i);
      n += inner;
      elapsed = performance.now() - start;
    }
    rounds.push((elapsed * 1000) / n);
  }
  rounds.sort((a, b) => a - b);
  return { name, median_us: rounds[2] };
}

const jsModel = nav.prepare(policy.toJson());
cedar.prepare();
/** The model's decisions without the policy's messages (`reason.message`:
 * text the peers' models do not write). */
function decisions(value) {
  if (Array.isArray(value)) return value.map(decisions);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== "message").map(([k, v]) => [k, decisions(v)]));
}

for (const context of contexts) {
  const expected = decisions(model(context));
  assert.deepEqual(nav.navigation(jsModel, context, ROUTES, casl.decider), expected, "CASL and the policy must answer the same");
  assert.deepEqual(nav.navigation(jsModel, context, ROUTES, cedar.decider), expected, "Cedar and the policy must answer the same");
}

// Record checks: `view.can("contacts:update", record)` for an own, team and
// all grant, against CASL's conditions on the same records.
const rep = { workspace: { slug: "acme" }, member: { userId: "u_1", roles: [], permissions: ["contacts:read:own", "contacts:update:team", "contacts:delete:all"], teams: ["t_1"] }, memberships: ["acme"] };
const recordPerms = ["contacts:read", "contacts:update", "contacts:delete", "contacts:update"];
const records = [{ ownerId: "u_1" }, { ownerId: "u_2", teamId: "t_1" }, { ownerId: "u_2", teamId: "t_2" }, {}];
const caslRecords = records.map((r) => casl.subject("contacts", { ...r }));
const repView = policy.view(rep);
const caslCan = casl.recordDecider(rep);
for (const p of recordPerms) {
  for (const [i, r] of records.entries()) assert.equal(caslCan(p.split(":")[1], caslRecords[i]), repView.can(p, r), `CASL and the policy must agree on ${p} ${JSON.stringify(r)}`);
}

const view = policy.view(contexts[0]);
const bundleBytes = Policy.builtin().toBundle();
const perms = ["contacts:create:own", "billing:read:all", "roles:*:all", "accounts:read:own"];
const results = [
  { name: "cold start to the first model", median_us: middle(startups.map((s) => s.coldStart)) * 1000 },
  { name: "cold start, @casl/ability", median_us: middle(caslStartups.map((s) => s.coldStart)) * 1000 },
  { name: "import and instantiate (initSync)", median_us: middle(startups.map((s) => s.instantiate)) * 1000 },
  // The engine compiles each function on its first call.
  { name: "first Policy.builtin() after it", median_us: middle(startups.map((s) => s.firstBuiltin)) * 1000 },
  { name: "first navigation model after it", median_us: middle(startups.map((s) => s.firstModel)) * 1000 },
  measure("navigation model", (i) => model(contexts[i & 1]), 50),
  // Every context new: nothing is cached but the policy's records.
  measure("navigation model, every context new", (i) => model(fresh(i)), 50),
  measure("navigation model, @casl/ability", (i) => nav.navigation(jsModel, contexts[i & 1], ROUTES, casl.decider), 50),
  measure("navigation model, cedar-wasm", (i) => nav.navigation(jsModel, contexts[i & 1], ROUTES, cedar.decider), 2),
  measure("view.can", (i) => view.can(perms[i & 3]), 2000),
  measure("view.can with a record", (i) => repView.can(recordPerms[i & 3], records[(i >> 2) & 3]), 2000),
  measure("record check, @casl/ability", (i) => caslCan(recordPerms[i & 3].slice(9), caslRecords[(i >> 2) & 3]), 2000),
  measure("policy.view(context)", (i) => policy.view(contexts[i & 1]).free(), 200),
  measure("view.resolve", (i) => view.resolve(ROUTES[i % 13]), 500),
  measure("view.resolve, every path new", (i) => view.resolve(`/workspace/acme/contacts/c_${i}`), 500),
  measure("Policy.fromBundle, warm", () => Policy.fromBundle(bundleBytes).free(), 1),
];
const gz = (await import("node:zlib")).gzipSync(bytes, { level: 9 }).length;
console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, ${new Date().toISOString().slice(0, 10)}`);
console.log(`.wasm: ${bytes.length} bytes, ${gz} gzipped`);
for (const r of results) console.log(`${r.name.padEnd(36)} ${r.median_us.toFixed(r.median_us < 10 ? 3 : 1)} µs`);
const median = (name) => results.find((r) => r.name === name).median_us;
const ours = median("navigation model");
const cold = median("navigation model, every context new");
const caslUs = median("navigation model, @casl/ability");
const cedarUs = median("navigation model, cedar-wasm");
console.log(`cold start: ${(median("cold start, @casl/ability") / median("cold start to the first model")).toFixed(2)}x as fast as @casl/ability (budget: at least 2x)`);
console.log(`policy vs @casl/ability on the navigation model: ${(caslUs / ours).toFixed(2)}x as fast, ${(caslUs / cold).toFixed(2)}x with every context new (budget: at least 6x with every context new)`);
console.log(`view.can with a record: ${(median("view.can with a record") * 1000).toFixed(0)} ns (budget: at most 60 ns), @casl/ability ${(median("record check, @casl/ability") * 1000).toFixed(0)} ns`);
console.log(`policy vs cedar-wasm on the navigation model: ${(cedarUs / ours).toFixed(1)}x as fast, ${(cedarUs / cold).toFixed(1)}x with every context new (budget: at least 600x)`);
