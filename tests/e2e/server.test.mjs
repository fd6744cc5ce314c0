// End-to-end: the demo app served by harmony-server (target/debug, built by
// scripts/test.sh) in headless Chromium. The app loads the server's ruleset,
// checks its fingerprint, signs in, and reads and writes through the API;
// what it hides, the server refuses. Screenshots go to
// target/e2e-screenshots/server-*.png.
import { after, before, beforeEach, test } from "node:test";
import { createHmac } from "node:crypto";
import assert from "node:assert/strict";
import { launch, newPage, setProduct as saveProduct, shotPath, sidebarIds } from "./browser.mjs";
import { signIn, startServer } from "../server/harness.mjs";

let server, browser, page, errors;

before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.stop();
});
beforeEach(async () => {
  ({ page, errors } = await newPage(browser));
});

async function go(path) {
  const response = await page.goto(server.url + path);
  await page.waitForSelector("html[data-ready=true]");
  return response;
}
const sidebar = () => sidebarIds(page);
const heading = () => page.textContent("main h1");
const path = () => new URL(page.url()).pathname;
/** The API as a test client (its own session), to see what the server stored. */
async function api(method, path, body, as = ["u_ada", "acme"]) {
  const token = await signIn(server.url, ...as);
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}
const setProduct = (label, on) => saveProduct(page, go, label, on);

test("the app runs on the server's ruleset, fingerprint checked, signed in", async () => {
  await go("/");
  assert.equal(path(), "/workspace/acme/conversations");
  assert.deepEqual(await sidebar(), ["conversations", "contacts", "accounts", "data-lake", "settings"]);
  const { body: policy } = await api("GET", "/api/policy");
  assert.equal(await page.getAttribute(".server-mode", "data-fingerprint"), policy.fingerprint);
  assert.equal(await page.getByLabel("Ruleset").count(), 0, "the server decides the ruleset");
  assert.match(await page.textContent(".who"), /Ada Lovelace · Admin/);
  await page.screenshot({ path: shotPath("server-conversations") });
  assert.deepEqual(errors, []);
});

test("a ruleset whose fingerprint does not match is refused, and so is a damaged bundle", async () => {
  await page.route("**/api/policy/bundle", async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), etag: '"sha256:0000"' } });
  });
  await page.goto(server.url + "/");
  await page.getByText("Harmony could not start").waitFor();
  assert.match(await page.textContent("[role=alert]"), /differ from the rules loaded here/);
  await page.unroute("**/api/policy/bundle");
  await page.route("**/api/policy/bundle", async (route) => {
    const response = await route.fetch();
    const bytes = Buffer.from(await response.body());
    bytes[100] ^= 0x20;
    await route.fulfill({ response, body: bytes });
  });
  await page.goto(server.url + "/");
  await page.getByText("Harmony could not start").waitFor();
  assert.match(await page.textContent("[role=alert]"), /invalid bundle/);
});

test("Accounts off is saved on the server; its pages redirect there and its API refuses accountId; the data comes back", async () => {
  await setProduct("Accounts", false);
  const { body } = await api("GET", "/api/workspace/products");
  assert.equal(body.products.find((p) => p.id === "accounts").enabled, false);
  assert.ok(!(await sidebar()).includes("accounts"));
  // The server redirects before the app loads.
  const response = await go("/workspace/acme/accounts/a_1");
  assert.equal(response.request().redirectedFrom()?.url(), `${server.url}/workspace/acme/accounts/a_1`);
  assert.equal(path(), "/workspace/acme/contacts");
  await go("/workspace/acme/contacts/c_1/edit");
  assert.equal(await page.locator('select[name="accountId"]').count(), 0);
  // What the form hides, the API refuses, even from the page's own session.
  const refused = await page.evaluate(async () => {
    const res = await fetch("/api/contacts", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Sneaky", accountId: "a_1" }) });
    return { status: res.status, body: await res.json() };
  });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.code, "accounts_disabled");
  assert.equal(refused.body.field, "accountId");

  await setProduct("Accounts", true);
  await go("/workspace/acme/accounts/a_1");
  assert.equal(await heading(), "Globex");
  await go("/workspace/acme/contacts/c_1/edit");
  assert.equal(await page.locator('select[name="accountId"]').inputValue(), "a_1");
  assert.deepEqual(errors, ["Failed to load resource: the server responded with a status of 400 (Bad Request)"], "only the refused fetch");
});

test("a contact saved in the app is stored on the server and survives a reload", async () => {
  await go("/workspace/acme/contacts/new");
  await page.getByLabel("Name").fill("Grace Hopper");
  await page.getByLabel("Email").fill("grace@navy.example");
  await page.getByLabel("Account").selectOption({ label: "Initech" });
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("link", { name: "Grace Hopper" }).waitFor();
  const { body } = await api("GET", "/api/contacts");
  const grace = body.contacts.find((c) => c.name === "Grace Hopper");
  assert.equal(grace.accountId, "a_2");
  await page.reload();
  await page.waitForSelector("html[data-ready=true]");
  await page.getByRole("link", { name: "Grace Hopper" }).waitFor();
});

test("members see their own workspace only; another workspace's pages are refused by the server", async () => {
  await go("/workspace/acme/contacts");
  await page.getByRole("button", { name: /Acme Corp/ }).click();
  await page.getByRole("menuitem", { name: "Beta Labs" }).click();
  await page.waitForURL(/\/workspace\/beta\//);
  await page.waitForSelector("html[data-ready=true]");
  await go("/workspace/beta/contacts");
  const names = await page.$$eval("main table tbody tr td:first-child", (tds) => tds.map((t) => t.textContent));
  assert.deepEqual(names, ["Alice Abernathy"]);
  const response = await go("/workspace/acme/contacts");
  assert.equal(response.status(), 403);
  assert.equal(await heading(), "You can't open this page");
  await page.getByRole("button", { name: "Switch to Acme Corp" }).waitFor();
  await page.screenshot({ path: shotPath("server-other-workspace") });
});

test("a member cannot change roles: the app offers nothing and the server refuses", async () => {
  await go("/workspace/acme/conversations");
  await page.getByLabel("View as").selectOption({ label: "Bob Marley (Member)" });
  await page.waitForFunction(() => document.querySelector(".who")?.textContent.includes("Bob Marley"));
  const response = await go("/workspace/acme/settings/users");
  assert.equal(response.status(), 403);
  const refused = await page.evaluate(async () => {
    const res = await fetch("/api/members/u_ada", { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ active: false }) });
    return { status: res.status, body: await res.json() };
  });
  assert.deepEqual([refused.status, refused.body.code], [403, "permission_denied"]);
});

test("an own-scoped member lists and opens only her records; the server answers the rest as not found", async () => {
  await go("/workspace/acme/conversations");
  await page.getByLabel("View as").selectOption({ label: "Eve Santos (own grants)" });
  await page.waitForFunction(() => document.querySelector(".who")?.textContent.includes("Eve Santos"));
  await go("/workspace/acme/contacts");
  const names = await page.$$eval("main table tbody tr td:first-child", (tds) => tds.map((t) => t.textContent));
  assert.deepEqual(names, ["Peter Gibbons"]);
  await go("/workspace/acme/contacts/c_1");
  assert.equal(await heading(), "Contact not found");
  const answers = await page.evaluate(async () => {
    const send = async (method, path, body) => {
      const res = await fetch(path, { method, headers: { "content-type": "application/json" }, body: body && JSON.stringify(body) });
      return [res.status, (await res.json()).code ?? "ok"];
    };
    return {
      readOther: await send("GET", "/api/contacts/c_1"),
      changeOther: await send("PATCH", "/api/contacts/c_1", { name: "Mallory" }),
      changeOwn: await send("PATCH", "/api/contacts/c_2", { phone: "+1 555 0199" }),
    };
  });
  assert.deepEqual(answers, { readOther: [404, "not_found"], changeOther: [404, "not_found"], changeOwn: [200, "ok"] });
  const { body } = await api("GET", "/api/contacts/c_1");
  assert.equal(body.name, "Hank Scorpio", "nothing changed");
  await page.screenshot({ path: shotPath("server-own-scope") });
});

test("roles and teams made in the app are stored on the server, decide the next request, and a held role is not deleted", async () => {
  await go("/workspace/acme/settings/roles");
  const form = page.getByRole("form", { name: "New role" });
  await form.getByLabel("Name").fill("Sales rep");
  await form.getByLabel("contacts read").selectOption("own");
  await form.getByRole("button", { name: "Create role" }).click();
  await page.locator("main tbody th", { hasText: "Sales rep" }).waitFor();
  const { body: stored } = await api("GET", "/api/roles");
  const rep = stored.roles.find((r) => r.label === "Sales rep");
  assert.deepEqual([rep.grants, rep.holders], [["contacts:read:own"], []]);

  await go("/workspace/acme/settings/users");
  const patched = page.waitForResponse((r) => r.url().endsWith("/api/members/u_bob") && r.request().method() === "PATCH");
  await page.getByLabel("Role of Bob Marley").selectOption({ label: "Sales rep" });
  assert.equal((await patched).status(), 200);
  const { body: bobs } = await api("GET", "/api/contacts", undefined, ["u_bob", "acme"]);
  assert.deepEqual(bobs.contacts.map((c) => c.name), ["Hank Scorpio"], "his next request is decided with the new role");
  const refused = await page.evaluate(async (id) => {
    const res = await fetch(`/api/roles/${id}`, { method: "DELETE" });
    return [res.status, (await res.json()).code];
  }, rep.id);
  assert.deepEqual(refused, [409, "role_in_use"]);

  await go("/workspace/acme/settings/teams");
  const added = page.waitForResponse((r) => r.url().endsWith("/api/teams/t_success/members/u_eve") && r.request().method() === "PUT");
  await page.getByLabel("Add a member to Customer Success").selectOption({ label: "Eve Santos" });
  assert.equal((await added).status(), 200);
  const { body: teams } = await api("GET", "/api/teams");
  assert.ok(teams.teams.find((t) => t.id === "t_success").members.includes("u_eve"));
  await page.locator("tr[data-team=t_success] .chips", { hasText: "Eve Santos" }).waitFor();
  await page.screenshot({ path: shotPath("server-teams") });
  assert.deepEqual(errors, ["Failed to load resource: the server responded with a status of 409 (Conflict)"], "only the refused fetch");
});

/** An HS256 JWT, as an identity provider sharing `secret` would issue it. */
function identityToken(claims, secret) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const body = `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

test("without demo sign-in, a member signed in by an identity token uses the app; nobody else gets in", async () => {
  const secret = "the identity provider's shared secret, 32+ bytes";
  const deployed = await startServer({ flags: ["--jwt-secret", secret, "--jwt-audience", "harmony"] });
  try {
    await page.goto(deployed.url + "/");
    await page.getByText("Harmony could not start").waitFor();
    assert.match(await page.textContent("[role=alert]"), /sign in first/);
    const refused = await page.evaluate(async () => (await fetch("/api/session", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId: "u_ada", workspace: "acme" }) })).status);
    assert.equal(refused, 403, "no demo sign-in");
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = identityToken({ email: "dee@acme.example", aud: "harmony", exp }, secret);
    const signedIn = await page.evaluate(async (t) => (await fetch("/api/session", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${t}` }, body: "{}" })).status, token);
    assert.equal(signedIn, 200);
    await page.goto(deployed.url + "/");
    await page.waitForSelector("html[data-ready=true]");
    assert.match(await page.textContent(".who"), /Dee Dee Bridgewater · Customer success/);
    assert.equal(await page.getByLabel("View as").count(), 0, "no acting as others");
    await page.goto(deployed.url + "/workspace/acme/contacts");
    await page.waitForSelector("html[data-ready=true]");
    assert.equal(await page.locator("main table tbody tr").count(), 4, "Customer success reads every contact");
    // Expected: the user listing's 404 (no demo), the refused demo sign-in,
    // and the app's own message before signing in.
    assert.deepEqual(errors.filter((e) => !/status of 40[34]|sign in first/.test(e)), []);
  } finally {
    deployed.stop();
  }
});
