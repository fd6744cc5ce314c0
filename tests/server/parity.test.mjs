// Parity: for every route and API step of tests/cases, the reference server
// answers exactly what the wasm module (pkg/) computes for the same context.
//
// Each case's context becomes the seed of a fresh server (workspace, member,
// memberships); the test signs in as that member, checks that the context
// the server builds from its database is the case's, and then compares:
// - resolve: `GET /api/resolve?path=` with `view.resolve(path)`, and the page
//   load itself (200 allow, 302 to the redirect target, 403, 404);
// - checkRequest: the real HTTP request: refused ⇔ the policy refuses, and a
//   refusal's status and body are the policy's answer; a step with a record
//   addresses a stored record with that owner and team (seeded under an id
//   of its own), which the server answers as not found when the member may
//   not read it;
// - syncRecord: `POST /api/sync/{integration}` stores what `view.syncRecord`
//   keeps (or is refused exactly as `checkRequest` says).
import { test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { readFileSync, readdirSync } from "node:fs";
import { initSync, Policy } from "../../pkg/index.js";
import { initSync as initAuthoring } from "../../pkg/authoring.js";
import { jsonEqual } from "../js/cases.mjs";
import { root, signIn, startServer } from "./harness.mjs";

initSync({ module: readFileSync(`${root}/pkg/harmony_policy_bg.wasm`) });
initAuthoring({ module: readFileSync(`${root}/pkg/harmony_policy_authoring_bg.wasm`) });

const CALLS = new Set(["resolve", "checkRequest", "syncRecord"]);

/** An integration's identity: syncing needs `integrations:update:all`. */
const BOT = { userId: "sync-bot", permissions: ["integrations:update:all"] };

/** Where a record step sends its request: the same path with the record's
 * own seeded id, so that steps giving one id different owners each find
 * theirs. Null for steps without a record. */
function recordTarget(step, i) {
  const req = step.call === "checkRequest" ? step.args[0] : null;
  const m = req?.record ? /^\/api\/([a-z]+)\/[^/]+$/.exec(req.path) : null;
  return m ? { kind: m[1], id: `r_${i}`, path: `/api/${m[1]}/r_${i}`, record: req.record } : null;
}

/** Seed data holding exactly this context's workspace and member (and the
 * sync bot, when the steps sync records), the member's teams, the records
 * the steps address and the accounts their synced records name. */
function seedFor(ctx, steps) {
  const withBot = steps.some(([, step]) => step.call === "syncRecord");
  const own = ctx.workspace.slug;
  const slugs = [...new Set([...(ctx.memberships ?? []).filter(Boolean), own])];
  const { userId, roles = [], permissions = [], teams = [], active = true, landingPage, preferences = {} } = ctx.member;
  const records = {};
  const teamIds = new Set(teams);
  for (const [i, step] of steps) {
    const target = recordTarget(step, i);
    if (target) {
      (records[target.kind] ??= []).push({ id: target.id, ...target.record });
      if (target.record.teamId) teamIds.add(target.record.teamId);
    }
    const accountId = step.call === "syncRecord" ? step.args[1]?.accountId : null;
    if (typeof accountId === "string" && !(records.accounts ?? []).some((a) => a.id === accountId)) (records.accounts ??= []).push({ id: accountId, name: accountId });
  }
  return {
    users: [{ id: userId, name: userId, email: `${userId}@example.test`, preferences }, ...(withBot ? [{ id: BOT.userId, name: "Sync", email: "sync@example.test" }] : [])],
    workspaces: slugs.map((slug) =>
      slug === own
        ? {
            slug, name: slug, plan: ctx.workspace.plan, environment: ctx.workspace.environment,
            flags: ctx.workspace.flags ?? [], settings: ctx.workspace.settings ?? {}, products: ctx.workspace.products ?? {},
            members: [{ userId, roles, permissions, active, ...(landingPage ? { landingPage } : {}) }, ...(withBot ? [BOT] : [])],
            teams: [...teamIds].map((id) => ({ id, name: id, members: teams.includes(id) ? [userId] : [] })),
            records,
          }
        : { slug, name: slug, members: [{ userId }] },
    ),
  };
}

/** The context with every default written out, memberships as a set. */
function normalized(ctx) {
  const w = ctx.workspace;
  const m = ctx.member;
  return {
    workspace: { slug: w.slug, products: w.products ?? {}, plan: w.plan, flags: w.flags ?? [], environment: w.environment, settings: w.settings ?? {} },
    member: { userId: m.userId, roles: m.roles ?? [], permissions: m.permissions ?? [], teams: [...(m.teams ?? [])].sort(), active: m.active ?? true, landingPage: m.landingPage, preferences: m.preferences ?? {} },
    memberships: [...new Set([...(ctx.memberships ?? []), w.slug])].sort(),
    platform: ctx.platform ?? "other",
  };
}

/** A raw HTTP request: the path goes out byte for byte, unnormalized. */
function raw(url, { method = "GET", path, token, body, cookie = false }) {
  const { hostname, port } = new URL(url);
  const headers = {};
  if (token && cookie) headers.cookie = `harmony_session=${token}`;
  else if (token) headers.authorization = `Bearer ${token}`;
  const data = body === undefined ? undefined : JSON.stringify(body);
  if (data !== undefined) headers["content-type"] = "application/json";
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode, headers: res.headers, json });
      });
    });
    req.on("error", reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

/** Whether a path can go out as an HTTP request-target unchanged. */
const sendable = (path) => /^\/[\x21-\x7e]*$/.test(path) && !path.includes("#");

const PAGE_STATUS = { allow: 200, forbidden: 403, not_found: 404 };

async function checkStep(server, tokens, policy, step, i, label) {
  const { token, bot } = tokens;
  const me = await raw(server.url, { path: "/api/me", token });
  assert.equal(me.status, 200, label);
  const view = policy.view(me.json.context);
  try {
    const [arg, record] = step.args ?? [];
    if (step.call === "resolve") {
      const expected = view.resolve(arg);
      const api = await raw(server.url, { path: `/api/resolve?path=${encodeURIComponent(arg)}`, token });
      assert.ok(jsonEqual(api.json, expected), `${label}: server ${JSON.stringify(api.json)}, wasm ${JSON.stringify(expected)}`);
      const page = !sendable(arg) || /^\/(api|pkg)(\/|$)/i.test(arg) || arg === "/" ? null : await raw(server.url, { path: arg, token, cookie: true });
      if (page && expected.kind === "redirect") {
        assert.equal(page.status, 302, label);
        assert.equal(page.headers.location, expected.to, label);
      } else if (page) {
        assert.equal(page.status, PAGE_STATUS[expected.kind], `${label}: page status for ${expected.kind}`);
      }
      return page ? 2 : 1;
    }
    const target = recordTarget(step, i);
    const req = step.call === "checkRequest" ? (target ? { ...arg, path: target.path } : arg) : { method: "POST", path: `/api/sync/${arg}`, body: { records: [record] } };
    // The server checks the request, then finds the record (not found when
    // the member may not read it), then checks the request with the record.
    const { record: _, ...gate } = req;
    let expected = view.checkRequest(gate);
    if (expected.ok && target) {
      const readable = view.checkRequest({ method: "GET", path: target.path, record: target.record }).ok;
      expected = readable ? view.checkRequest(req) : { ok: true, notFound: true };
    }
    if (!sendable(req.path)) return 0;
    const res = await raw(server.url, { method: req.method.toUpperCase(), path: req.path, token, body: req.body });
    const accepted = res.headers["x-harmony-decision"] === "accepted";
    assert.equal(accepted, expected.ok, `${label}: server ${res.status} ${JSON.stringify(res.json)}, wasm ${JSON.stringify(expected)}`);
    if (expected.notFound) {
      assert.equal(res.status, 404, label);
      assert.equal(res.json.code, "not_found", label);
      return 1;
    }
    if (!expected.ok) {
      assert.equal(res.status, expected.status, label);
      assert.ok(jsonEqual(res.json, expected), `${label}: server ${JSON.stringify(res.json)}, wasm ${JSON.stringify(expected)}`);
    }
    if (step.call !== "syncRecord") return 1;
    // What an integration allowed to sync stores is what its view keeps.
    const botMe = await raw(server.url, { path: "/api/me", token: bot });
    const botView = policy.view(botMe.json.context);
    try {
      const synced = await raw(server.url, { method: "POST", path: req.path, token: bot, body: req.body });
      assert.equal(synced.status, 200, `${label}: ${JSON.stringify(synced.json)}`);
      const kept = botView.syncRecord(arg, record);
      assert.ok(jsonEqual(synced.json.stored[0], kept), `${label}: stored ${JSON.stringify(synced.json.stored[0])}, wasm keeps ${JSON.stringify(kept)}`);
    } finally {
      botView.free();
    }
    return 2;
  } finally {
    view.free();
  }
}

const dir = new URL("../cases/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
let compared = 0;

for (const file of files) {
  const testCase = JSON.parse(readFileSync(new URL(file, dir), "utf8"));
  const groups = new Map();
  testCase.steps.forEach((step, i) => {
    if (!CALLS.has(step.call) || "expectError" in step) return;
    const ctx = step.context ?? testCase.context;
    const key = JSON.stringify(ctx);
    if (!groups.has(key)) groups.set(key, { ctx, steps: [] });
    groups.get(key).steps.push([i, step]);
  });
  if (!groups.size) continue;
  test(`server parity: ${file}`, async () => {
    const ruleset = testCase.ruleset ?? "harmony";
    const policy = typeof ruleset === "string" ? Policy.builtin(ruleset) : await Policy.fromJson(JSON.stringify(ruleset));
    for (const { ctx, steps } of groups.values()) {
      const withBot = steps.some(([, step]) => step.call === "syncRecord");
      const server = await startServer({ ruleset, seed: seedFor(ctx, steps) });
      try {
        const token = await signIn(server.url, ctx.member.userId, ctx.workspace.slug, ctx.platform);
        const tokens = { token, bot: withBot ? await signIn(server.url, BOT.userId, ctx.workspace.slug) : null };
        const me = await raw(server.url, { path: "/api/me", token });
        assert.deepEqual(normalized(me.json.context), normalized(ctx), `${file}: the server's context is the case's`);
        for (const [i, step] of steps) compared += await checkStep(server, tokens, policy, step, i, `${file} step ${i} (${step.call} ${JSON.stringify(step.args)})`);
      } finally {
        server.stop();
      }
    }
  });
}

test("parity compared every kind of answer", () => {
  // 171 resolve, 27 checkRequest and 5 syncRecord steps when this was written.
  assert.ok(compared >= 300, `only ${compared} comparisons`);
});
