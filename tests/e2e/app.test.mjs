// End-to-end tests of the demo app (www/) in headless Chromium: Debian's
// chromium driven by playwright-core, no browser download. Screenshots of
// the main pages go to target/e2e-screenshots/.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { newPage, openSite, setProduct as saveProduct, shotPath, sidebarIds } from "./browser.mjs";

let site, browser, base, page, errors;

before(async () => {
  site = await openSite();
  ({ base, browser } = site);
});
after(() => site?.close());
beforeEach(async () => {
  ({ page, errors } = await newPage(browser));
});

async function go(path) {
  await page.goto(base + path);
  await page.waitForSelector("html[data-ready=true]");
}
const sidebar = () => sidebarIds(page);
const heading = () => page.textContent("main h1");
const path = () => new URL(page.url()).pathname;
async function shot(name) {
  await page.screenshot({ path: shotPath(name) });
}
const setProduct = (label, on) => saveProduct(page, go, label, on);
async function paletteOptions(query) {
  await page.keyboard.press("Control+k");
  await page.getByRole("combobox", { name: "Search pages and actions" }).fill(query);
  const options = await page.$$eval('[role=listbox] [role=option]', (os) => os.map((o) => o.dataset.id));
  await page.keyboard.press("Escape");
  return options;
}
async function viewAs(name) {
  await page.getByLabel("View as").selectOption({ label: name });
  await page.waitForFunction(() => document.querySelector(".who"));
}

test("the app starts on the member's landing page with no console errors", async () => {
  await go("/");
  assert.equal(path(), "/workspace/acme/conversations");
  assert.deepEqual(await sidebar(), ["conversations", "contacts", "accounts", "data-lake", "settings"]);
  await shot("conversations");
  assert.deepEqual(errors, []);
});

test("Accounts off: sidebar, palette, account URLs, contact form and API follow; data comes back", async () => {
  await go("/workspace/acme/settings/products");
  await page.getByRole("switch", { name: "Accounts" }).click();
  const preview = await page.textContent(".impact");
  assert.match(preview, /Turning Accounts off will hide/);
  assert.match(preview, /contact\.accountId/);
  await shot("products-preview");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Saved. Changes take effect immediately.").waitFor();
  assert.ok(!(await sidebar()).includes("accounts"));
  assert.ok(!(await paletteOptions("accounts")).includes("go-accounts"));
  await go("/workspace/acme/accounts/a_1");
  assert.equal(path(), "/workspace/acme/contacts");
  assert.equal(await heading(), "Contacts");
  await go("/workspace/acme/accounts/a_1/whatever");
  assert.equal(path(), "/workspace/acme/contacts");
  await go("/workspace/acme/contacts/new");
  assert.equal(await page.locator('select[name="accountId"]').count(), 0);
  await go("/workspace/acme/contacts/c_1/edit");
  assert.equal(await page.locator('select[name="accountId"]').count(), 0);

  await setProduct("Accounts", true);
  assert.ok((await sidebar()).includes("accounts"));
  await go("/workspace/acme/accounts/a_1");
  assert.equal(await heading(), "Globex");
  await go("/workspace/acme/contacts/c_1/edit");
  assert.equal(await page.locator('select[name="accountId"]').inputValue(), "a_1");
  // The new-account form is the policy's `account` form: its fields, labels
  // and required marks.
  await go("/workspace/acme/accounts/new");
  assert.deepEqual(
    await page.locator("main form input").evaluateAll((inputs) => inputs.map((i) => [i.name, i.required, i.parentElement.textContent])),
    [["name", true, "Name"], ["domain", false, "Domain"]],
  );
  assert.deepEqual(errors, []);
});

test("Insights off hides the Data Lake; Feedback and Performance appear when on", async () => {
  await setProduct("Insights", false);
  assert.ok(!(await sidebar()).includes("data-lake"));
  await go("/workspace/acme/data-lake/projects/new");
  assert.equal(path(), "/workspace/acme/conversations");
  assert.ok(!(await paletteOptions("project")).includes("create-project"));
  await setProduct("Feedback", true);
  await setProduct("Performance", true);
  assert.deepEqual(await sidebar(), ["conversations", "contacts", "accounts", "feedback", "performance", "settings"]);
  await go("/workspace/acme/performance/scorecards");
  assert.equal(await heading(), "Scorecards");
  await setProduct("Insights", true);
  await go("/workspace/acme/data-lake/projects");
  assert.match(await page.textContent("main"), /Churn signals/);
});

test("a member is refused the Products page, with the reason", async () => {
  await go("/workspace/acme/conversations");
  await viewAs("Bob Marley (Member)");
  await go("/workspace/acme/settings/products");
  assert.equal(await heading(), "You can't open this page");
  assert.match(await page.textContent("main [role=alert]"), /organization:update:all/);
  assert.ok(!(await paletteOptions("products")).includes("go-settings-products"));
  await shot("forbidden-products");
  await go("/workspace/acme");
  assert.equal(path(), "/workspace/acme/contacts", "Bob's landing page");
});

test("switching workspaces reloads in the other workspace; workspaces are isolated", async () => {
  await go("/workspace/acme/contacts");
  assert.match(await page.textContent("main"), /Hank Scorpio/);
  await page.getByRole("button", { name: /Acme Corp/ }).click();
  await Promise.all([page.waitForURL(/\/workspace\/beta\//), page.getByRole("menuitem", { name: "Beta Labs" }).click()]);
  await page.waitForSelector("html[data-ready=true]");
  assert.match(path(), /^\/workspace\/beta\//);
  assert.ok((await sidebar()).includes("feedback"), "beta has Feedback on");
  await go("/workspace/beta/contacts");
  const text = await page.textContent("main");
  assert.match(text, /Alice Abernathy/);
  assert.doesNotMatch(text, /Hank Scorpio/);
  await go("/workspace/acme/contacts");
  assert.equal(await heading(), "You can't open this page");
  await page.getByRole("button", { name: "Switch to Acme Corp" }).click();
  await page.waitForURL(/\/workspace\/acme\/contacts$/);
  await page.waitForSelector("html[data-ready=true]");
  assert.match(await page.textContent("main"), /Hank Scorpio/);
  await go("/workspace/gamma/contacts");
  assert.equal(await heading(), "You can't open this page");
  assert.equal(await page.getByRole("button", { name: /Switch to/ }).count(), 0);
});

test("the command palette works by keyboard", async () => {
  await go("/workspace/acme/conversations");
  await page.keyboard.press("Control+k");
  const dialog = page.getByRole("dialog", { name: "Command palette" });
  await dialog.waitFor();
  await page.keyboard.type("create con");
  const first = await page.getAttribute("[role=option][aria-selected=true]", "data-id");
  assert.equal(first, "create-contact");
  await page.keyboard.press("ArrowDown");
  assert.notEqual(await page.getAttribute("[role=option][aria-selected=true]", "data-id"), "create-contact");
  await page.keyboard.press("ArrowUp");
  await shot("palette");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/contacts\/new$/);
  assert.equal(await heading(), "New contact");
  await page.keyboard.press("Control+k");
  await page.keyboard.press("Escape");
  assert.equal(await dialog.count(), 0);
});

test("Delete Account is blocked for the only active admin and needs DELETE", async () => {
  await go("/workspace/acme/settings/delete");
  await page.getByLabel("Type DELETE to confirm").fill("DELETE");
  await page.getByRole("button", { name: "Delete my account" }).click();
  assert.match(await page.textContent("main [role=alert]"), /only active admin of Acme Corp/);
  await shot("delete-account");
  await viewAs("Bob Marley (Member)");
  await go("/workspace/acme/settings/delete");
  await page.getByLabel("Type DELETE to confirm").fill("delete");
  await page.getByRole("button", { name: "Delete my account" }).click();
  assert.match(await page.textContent("main [role=alert]"), /Type DELETE to confirm/);
});

test("a reload keeps the state; reset restores the sample data", async () => {
  await setProduct("Feedback", true);
  await page.reload();
  await page.waitForSelector("html[data-ready=true]");
  assert.ok((await sidebar()).includes("feedback"));
  await page.getByRole("button", { name: "Reset sample data" }).click();
  await page.waitForFunction(() => !document.querySelector('nav a[data-id="feedback"]'));
  assert.ok(!(await sidebar()).includes("feedback"));
});

test("users, invites and role guards", async () => {
  await go("/workspace/acme/settings/users");
  assert.equal(await heading(), "Users");
  assert.equal(await page.locator("tr[data-status=pending]").count(), 1);
  assert.equal(await page.locator("tr[data-status=expired]").count(), 1, "an invite sent 20 days ago has expired");
  await page.getByLabel("Role of Ada Lovelace").selectOption("member");
  assert.match(await page.textContent("main [role=alert]"), /last active `admin`/);
  await page.getByLabel("Email").fill("gil@acme.example");
  await page.getByRole("button", { name: "Send invite" }).click();
  assert.equal(await page.locator("tr[data-status=pending]").count(), 2);
  await shot("users");
  // An invite never rewrites a membership: Ada cannot demote herself by one.
  const inviteForm = page.getByRole("form", { name: "Invite user" });
  await inviteForm.getByLabel("Email").fill("ada@acme.example");
  await inviteForm.locator("select[name=role]").selectOption("member");
  await inviteForm.getByRole("button", { name: "Send invite" }).click();
  await page.locator("tr[data-status=pending]", { hasText: "ada@acme.example" }).getByRole("button", { name: "Accept (demo)" }).click();
  assert.match(await page.textContent("main [role=alert][data-code=already_member]"), /already a member/);
  assert.equal(await page.getByLabel("Role of Ada Lovelace").inputValue(), "admin");
});

const cells = (column = 1) => page.$$eval(`main table tbody tr td:nth-child(${column})`, (tds) => tds.map((t) => t.textContent));

test("own and team scopes: a sales rep lists, opens and edits only what her grants cover", async () => {
  await go("/workspace/acme/conversations");
  await viewAs("Eve Santos (own grants)");
  await go("/workspace/acme/contacts");
  assert.deepEqual(await cells(), ["Peter Gibbons"], "contacts:read:own: her own contact only");
  await go("/workspace/acme/contacts/c_1");
  assert.equal(await heading(), "Contact not found", "a contact she does not own is not shown");
  await go("/workspace/acme/contacts/c_1/edit");
  assert.equal(await page.locator("main form").count(), 0);
  await go("/workspace/acme/contacts/c_2");
  assert.equal(await heading(), "Peter Gibbons");
  await page.getByRole("link", { name: "Edit" }).waitFor();
  await page.getByRole("button", { name: "Delete" }).waitFor();
  await go("/workspace/acme/conversations");
  const titles = await page.$$eval("main .card a", (as) => as.map((a) => a.textContent));
  assert.deepEqual(titles, ["Globex renewal call", "Initech discovery"], "conversations:read:team: the Sales team's");
  await go("/workspace/acme/contacts/new");
  await page.getByLabel("Name").fill("Nina Simone");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/contacts$/);
  assert.deepEqual(await cells(), ["Peter Gibbons", "Nina Simone"], "what she creates is hers");
  await shot("own-scope");
  await viewAs("Bob Marley (Member)");
  await go("/workspace/acme/contacts/c_2");
  await page.getByRole("link", { name: "Edit" }).waitFor();
  assert.deepEqual(errors, []);
});

test("assignment counts; reassigning moves records, removing a member keeps them", async () => {
  await go("/workspace/acme/settings/users");
  const owns = (id) => page.textContent(`td[data-assignments=${id}]`);
  assert.equal(await owns("u_eve"), "1 contacts, 1 conversations");
  assert.equal(await owns("u_bob"), "1 contacts, 1 accounts, 1 conversations");
  await shot("users-assignments");
  await page.getByLabel("Reassign the records of Eve Santos to").selectOption({ label: "Bob Marley" });
  await page.waitForFunction(() => document.querySelector("td[data-assignments=u_eve]")?.textContent === "none");
  assert.equal(await owns("u_bob"), "2 contacts, 1 accounts, 2 conversations");
  await page.locator("tr:has(td[data-assignments=u_eve])").getByRole("button", { name: "Remove" }).click();
  await page.waitForFunction(() => !document.querySelector("td[data-assignments=u_eve]"));
  assert.equal(await page.locator("tr:has(td[data-assignments=u_ada])").getByRole("button", { name: "Remove" }).count(), 0, "nobody removes themselves here");
  await go("/workspace/acme/contacts");
  assert.ok((await cells()).includes("Peter Gibbons"), "the removed member's records stay");
  assert.deepEqual(errors, []);
});

test("workspace roles: built-ins read-only, a role of the workspace created, assigned, audited, edited and deleted", async () => {
  await go("/workspace/acme/settings/roles");
  assert.equal(await heading(), "Roles and permissions");
  const row = (label) => page.locator("main tbody tr", { has: page.locator("th", { hasText: label }) });
  assert.equal(await row("Admin").getByRole("button").count(), 0, "built-in roles cannot be changed");
  assert.equal(await row("Customer success").locator("td[data-holders]").textContent(), "1");
  const form = page.getByRole("form", { name: "New role" });
  await form.getByLabel("Name").fill("   ");
  await form.getByRole("button", { name: "Create role" }).click();
  assert.match(await form.getByRole("alert").textContent(), /^invalid_value: .*label/, "the policy checks the role before it is stored");
  await form.getByLabel("Name").fill("Sales rep");
  await form.getByLabel("contacts read").selectOption("own");
  await form.getByLabel("contacts update").selectOption("own");
  await form.getByLabel("conversations read").selectOption("team");
  await form.getByRole("button", { name: "Create role" }).click();
  await row("Sales rep").waitFor();
  assert.deepEqual(await row("Sales rep").locator("code").allTextContents(), ["conversations:read:team", "contacts:read:own", "contacts:update:own"]);
  assert.equal(await row("Sales rep").locator("td[data-holders]").textContent(), "0");
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot("roles");

  await go("/workspace/acme/settings/users");
  await page.getByLabel("Role of Bob Marley").selectOption({ label: "Sales rep" });
  await viewAs("Bob Marley (Sales rep)");
  await go("/workspace/acme/contacts");
  assert.deepEqual(await cells(), ["Hank Scorpio"], "the role's own scope decides what he lists");
  await go("/workspace/acme/settings/roles");
  assert.equal(await heading(), "You can't open this page");

  await viewAs("Ada Lovelace (Admin)");
  await go("/workspace/acme/settings/roles");
  assert.equal(await row("Sales rep").locator("td[data-holders]").textContent(), "1");
  await row("Sales rep").getByRole("button", { name: "Delete" }).click();
  const refusal = page.locator("main [role=alert][data-code=role_in_use]");
  assert.match(await refusal.textContent(), /held by `u_bob`/);
  await row("Customer success").getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("form", { name: "Edit Customer success" });
  assert.equal(await edit.getByLabel("contacts update").inputValue(), "team", "the editor shows what the role holds");
  await edit.getByLabel("feedback read").selectOption("");
  await edit.getByRole("button", { name: "Save role" }).click();
  await edit.waitFor({ state: "detached" });
  assert.ok(!(await row("Customer success").locator("code").allTextContents()).includes("feedback:read:own"));
  await go("/workspace/acme/settings/users");
  await page.getByLabel("Role of Bob Marley").selectOption("member");
  await go("/workspace/acme/settings/roles");
  await row("Sales rep").getByRole("button", { name: "Delete" }).click();
  await page.waitForFunction(() => ![...document.querySelectorAll("main tbody th")].some((th) => th.textContent === "Sales rep"));
  assert.deepEqual(errors, []);
});

test("teams: created, renamed, members added and taken out, deleted without losing a record", async () => {
  await go("/workspace/acme/settings/teams");
  assert.equal(await heading(), "Teams");
  const team = (id) => page.locator(`tr[data-team=${id}]`);
  assert.deepEqual(await team("t_sales").locator(".chips li").allTextContents(), ["Bob Marley×", "Eve Santos×"]);
  const form = page.getByRole("form", { name: "New team" });
  await form.getByLabel("Name").fill("Partners");
  await form.getByRole("button", { name: "Create team" }).click();
  await page.getByLabel("Add a member to Partners").selectOption({ label: "Ada Lovelace" });
  await page.waitForFunction(() => [...document.querySelectorAll(".chips li")].some((li) => li.textContent.startsWith("Ada Lovelace")));
  await page.getByRole("button", { name: "Take Eve Santos out of Sales" }).click();
  await page.waitForFunction(() => !document.querySelector("tr[data-team=t_sales] .chips").textContent.includes("Eve Santos"));
  const rename = page.getByRole("form", { name: "Rename Customer Success" });
  await rename.getByLabel("Team name").fill("Success");
  await rename.getByRole("button", { name: "Rename" }).click();
  await page.getByRole("form", { name: "Rename Success" }).waitFor();
  await shot("teams");

  await viewAs("Eve Santos (own grants)");
  await go("/workspace/acme/conversations");
  const titles = await page.$$eval("main .card a", (as) => as.map((a) => a.textContent));
  assert.deepEqual(titles, ["Globex renewal call"], "out of Sales, team scope leaves her own conversation only");

  await viewAs("Ada Lovelace (Admin)");
  await go("/workspace/acme/settings/teams");
  assert.equal(await team("t_sales").locator("td[data-records]").textContent(), "5");
  await team("t_sales").getByRole("button", { name: "Delete" }).click();
  await page.waitForFunction(() => !document.querySelector("tr[data-team=t_sales]"));
  await go("/workspace/acme/contacts");
  assert.equal((await cells()).length, 4, "deleting a team deletes none of its records");
  await viewAs("Bob Marley (Member)");
  await go("/workspace/acme/settings/teams");
  assert.equal(await heading(), "You can't open this page");
  assert.deepEqual(errors, []);
});

test("the harmonia ruleset: its own pages, modules, and SSO on the agency plan", async () => {
  await go("/workspace/acme/conversations");
  await page.getByLabel("Ruleset").selectOption("harmonia");
  await page.waitForFunction(() => document.querySelector('nav a[data-id="opportunities"]'));
  assert.deepEqual(await sidebar(), ["contacts", "conversations", "opportunities", "calendar", "assistant", "accounts", "data-lake", "settings"]);
  await go("/workspace/acme/settings/authentication");
  assert.notEqual(await heading(), "You can't open this page");
  await go("/workspace/acme/settings/modules");
  assert.equal(await heading(), "Modules");
  await shot("harmonia-modules");
  await viewAs("Bob Marley (Member)");
  await go("/workspace/acme/settings/billing");
  assert.equal(await heading(), "You can't open this page");
});

test("the conformance cases pass in Chromium through the package entry (pkg/index.js)", async () => {
  const dir = new URL("../cases/", import.meta.url);
  const cases = readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => [f, JSON.parse(readFileSync(new URL(f, dir), "utf8"))]);
  await page.route("**/__tests__/cases.mjs", (route) => route.fulfill({ path: fileURLToPath(new URL("../js/cases.mjs", import.meta.url)), contentType: "text/javascript" }));
  await go("/");
  const result = await page.evaluate(async (all) => {
    const { Policy } = await import("/pkg/index.js");
    const { runCase } = await import("/__tests__/cases.mjs");
    const failures = [];
    for (const [name, c] of all) failures.push(...(await runCase(Policy, name, c)));
    return { count: all.length, failures };
  }, cases);
  assert.ok(result.count >= 50);
  assert.deepEqual(result.failures, []);
});
