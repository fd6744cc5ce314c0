// The React example (examples/react, built with esbuild against pkg/ as a
// user installs it) in headless Chromium: <PolicyProvider>, useView and
// <Can> follow the policy as the member and the product state change.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { launch, newPage, shotPath } from "./browser.mjs";
import { buildExample } from "../../examples/react/build.mjs";

let server, browser, base;
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

before(async () => {
  const dir = await buildExample();
  server = createServer(async (req, res) => {
    const name = (req.url ?? "/").split("?")[0].replace(/^\/+/, "") || "index.html";
    if (!/^[a-z_.]+$/.test(name)) return res.writeHead(404).end();
    try {
      const body = await readFile(dir + name);
      res.writeHead(200, { "content-type": types[extname(name)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

test("the React bindings render what the policy allows, and follow changes", async () => {
  const { page, errors } = await newPage(browser);
  await page.goto(base);
  await page.waitForSelector("html[data-ready=true]");
  await page.waitForSelector("nav li");
  const sidebar = () => page.$$eval("nav li", (lis) => lis.map((li) => li.dataset.id));
  assert.deepEqual(await sidebar(), ["conversations", "contacts", "accounts", "data-lake", "settings"]);
  assert.equal(await page.locator("#billing").count(), 1, "an admin reads billing");
  assert.equal(await page.locator("#edit-call").count(), 1, "and edits anyone's call notes");
  await page.screenshot({ path: shotPath("react-admin") });

  await page.getByLabel("Accounts").uncheck();
  await page.waitForFunction(() => !document.querySelector('nav li[data-id="accounts"]'));
  assert.deepEqual(await sidebar(), ["conversations", "contacts", "data-lake", "settings"]);

  await page.getByLabel("Role").selectOption("member");
  await page.waitForSelector("#no-billing");
  assert.equal(await page.locator("#billing").count(), 0);
  assert.equal(await page.locator("#edit-call").count(), 0, "a member edits only their own call notes");
  await page.screenshot({ path: shotPath("react-member") });
  assert.deepEqual(errors, []);
});
