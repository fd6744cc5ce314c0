// One cold start in a fresh Node process, as a page sees it: from loading
// the library's code to the first navigation model (sidebar, palette, the
// contact form and 13 routes resolved). `node benches/startup.mjs policy`
// also reports its parts (instantiating the module, the first
// `Policy.builtin()`); `node benches/startup.mjs casl` is the same model
// around @casl/ability 7 (benches/navigation.mjs), its rules read from the
// ruleset's JSON. Files are read before the clock starts (a browser has
// them from the network or its cache either way). Prints milliseconds as
// JSON; benches/wasm.mjs runs it in many processes and reports medians.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const ROUTES = [
  "/workspace/acme", "/workspace/acme/conversations", "/workspace/acme/conversations/m_1", "/workspace/acme/contacts",
  "/workspace/acme/contacts/c_1", "/workspace/acme/contacts/new", "/workspace/acme/accounts", "/workspace/acme/accounts/a_1",
  "/workspace/acme/data-lake/projects", "/workspace/acme/feedback", "/workspace/acme/settings/products",
  "/workspace/beta/contacts", "/workspace/acme/nope",
];
const context = { workspace: { slug: "acme", products: { accounts: false } }, member: { userId: "u_1", roles: ["member"] }, memberships: ["acme", "beta"], platform: "mac" };
const who = process.argv[2] ?? "policy";

if (who === "policy") {
  const bytes = readFileSync(new URL("../pkg/harmony_policy_bg.wasm", import.meta.url));
  const t0 = performance.now();
  const { initSync, Policy } = await import("../pkg/index.js");
  initSync({ module: bytes });
  const t1 = performance.now();
  const policy = Policy.builtin();
  const t2 = performance.now();
  const view = policy.view(context);
  const model = { sidebar: view.sidebar(), palette: view.palette(), routes: ROUTES.map((r) => view.resolve(r)), form: view.form("contact") };
  const t3 = performance.now();
  if (model.routes.length !== ROUTES.length) throw new Error("no model");
  console.log(JSON.stringify({ instantiate: t1 - t0, firstBuiltin: t2 - t1, firstModel: t3 - t2, coldStart: t3 - t0 }));
} else {
  const text = readFileSync(new URL("../src/rulesets/harmony.json", import.meta.url), "utf8");
  const t0 = performance.now();
  const nav = await import("./navigation.mjs");
  const casl = await import("./casl.mjs");
  const model = nav.navigation(nav.prepare(text), context, ROUTES, casl.decider);
  const t1 = performance.now();
  if (model.routes.length !== ROUTES.length) throw new Error("no model");
  console.log(JSON.stringify({ coldStart: t1 - t0 }));
}
