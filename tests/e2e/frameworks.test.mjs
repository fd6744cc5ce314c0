// The framework examples (examples/react, examples/vue; each built with
// esbuild against pkg/ as a user installs it) in headless Chromium: the
// bindings render what the policy allows and follow the member and the
// product state as they change.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { launch, newPage, shotPath } from "./browser.mjs";
import { buildExample as buildReact } from "../../examples/react/build.mjs";
import { buildExample as buildVue } from "../../examples/vue/build.mjs";

let browser;
const servers = [];
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

/** Serves the files of `dir` (flat names only) on a free loopback port. */
async function serveDir(dir) {
  const server = createServer(async (req, res) => {
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
  servers.push(server);
  return `http://127.0.0.1:${server.address().port}/`;
}

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  for (const s of servers) s.close();
});

/** Opens the example at `base` and checks it against the policy. */
async function exercise(base, name) {
  const { page, errors } = await newPage(browser);
  await page.goto(base);
  await page.waitForSelector("html[data-ready=true]");
  await page.waitForSelector("nav li");
  const sidebar = () => page.$$eval("nav li", (lis) => lis.map((li) => li.dataset.id));
  assert.deepEqual(await sidebar(), ["conversations", "contacts", "accounts", "data-lake", "settings"]);
  assert.equal(await page.locator("#billing").count(), 1, "an admin reads billing");
  await page.screenshot({ path: shotPath(`${name}-admin`) });

  await page.getByLabel("Accounts").uncheck();
  await page.waitForFunction(() => !document.querySelector('nav li[data-id="accounts"]'));
  assert.deepEqual(await sidebar(), ["conversations", "contacts", "data-lake", "settings"]);

  await page.getByLabel("Role").selectOption("member");
  await page.waitForSelector("#no-billing");
  assert.equal(await page.locator("#billing").count(), 0);
  await page.screenshot({ path: shotPath(`${name}-member`) });
  assert.deepEqual(errors, []);
  return page;
}

test("React: PolicyProvider, useView and <Can> follow the policy", async () => {
  const page = await exercise(await serveDir(await buildReact()), "react");
  assert.equal(await page.locator("#edit-call").count(), 0, "a member edits only their own call notes");
});

test("Vue: providePolicy, useView and useCan follow the policy", async () => {
  await exercise(await serveDir(await buildVue()), "vue");
});
