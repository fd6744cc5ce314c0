// The ruleset playground (www/playground.html) in headless Chromium: the
// bundled ruleset loads with no problem; planted mistakes are listed at
// their line and column with the name meant; the preview follows the role
// and product switches; an edit's changes are listed for whom.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { newPage, openSite, shotPath } from "./browser.mjs";

let site, browser, base;

before(async () => {
  site = await openSite();
  ({ base, browser } = site);
});
after(() => site?.close());

const ids = (page, sel) => page.$$eval(sel, (els) => els.map((e) => e.dataset.id));
const state = (page, want) => page.waitForSelector(`html[data-state=${want}]`);

/** Replaces the editor's text by `edit(doc)` of the current document. */
async function edit(page, change) {
  const text = await page.inputValue("#source");
  const doc = JSON.parse(text);
  change(doc);
  const next = JSON.stringify(doc, null, 2);
  await page.fill("#source", next);
  return next;
}

test("the playground validates, previews and diffs an edited ruleset", async () => {
  const { page, errors } = await newPage(browser);
  await page.goto(`${base}/playground.html`);
  await page.waitForSelector("html[data-ready=true]");
  await state(page, "ok");
  assert.equal(await page.$$eval("#problems li", (l) => l.length), 0);
  assert.equal(await page.$$eval("#diff li", (l) => l.length), 0);
  assert.ok((await ids(page, "#sidebar-preview li")).includes("accounts"));

  // Two mistakes: a misspelt product in a route's condition and an unknown key.
  const text = await edit(page, (doc) => {
    doc.routes.find((r) => r.id === "accounts").requires = { product: "acounts" };
    doc.routes.find((r) => r.id === "contacts").colour = "blue";
  });
  await state(page, "problems");
  const problems = await page.$$eval("#problems li", (ls) => ls.map((l) => ({ code: l.dataset.code, line: Number(l.dataset.line), text: l.textContent })));
  assert.deepEqual(problems.map((p) => p.code).sort(), ["unknown_key", "unknown_product"]);
  const lines = text.split("\n");
  const product = problems.find((p) => p.code === "unknown_product");
  assert.match(lines[product.line - 1], /acounts/);
  assert.match(product.text, /did you mean `accounts`/);
  assert.match(lines[problems.find((p) => p.code === "unknown_key").line - 1], /colour/);
  await page.screenshot({ path: shotPath("playground-problems") });

  // Fixed, and the member role may no longer read contacts.
  await edit(page, (doc) => {
    doc.routes.find((r) => r.id === "accounts").requires = { product: "accounts" };
    delete doc.routes.find((r) => r.id === "contacts").colour;
    const member = doc.roles.find((r) => r.id === "member");
    member.grants = member.grants.filter((g) => !g.startsWith("contacts:"));
  });
  await state(page, "ok");
  const changes = await page.$$eval("#diff li", (ls) => ls.map((l) => l.textContent));
  assert.ok(changes.length > 0);
  assert.ok(changes.every((c) => /for member/.test(c) && !/admin/.test(c.split(" for ")[1])), changes.join("\n"));
  assert.ok(changes.some((c) => c.startsWith("sidebar contacts")), changes.join("\n"));

  // Previewed as a member: no contacts; with Accounts off: no accounts either.
  await page.selectOption("#role", "member");
  assert.ok(!(await ids(page, "#sidebar-preview li")).includes("contacts"));
  assert.ok((await ids(page, "#sidebar-preview li")).includes("accounts"));
  await page.uncheck('#products input[name="accounts"]');
  assert.ok(!(await ids(page, "#sidebar-preview li")).includes("accounts"));
  const accounts = await page.$eval('#routes-preview tr[data-id="accounts"]', (r) => ({ kind: r.dataset.kind, text: r.textContent }));
  assert.equal(accounts.kind, "redirect");
  assert.match(accounts.text, /Accounts is turned off in this workspace/);
  await page.screenshot({ path: shotPath("playground-preview") });
  assert.deepEqual(errors, []);
});
