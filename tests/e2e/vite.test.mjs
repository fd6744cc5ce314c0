// The package installed in a Vite project (Vite 5, its defaults plus the
// one setting examples/vite documents), built for production and served by
// the dev server, each opened in headless Chromium.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, createServer, preview } from "vite";
import { launch, newPage } from "./browser.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
let dir, browser, server;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "harmony-vite-"));
  cpSync(join(root, "examples/vite"), dir, { recursive: true });
  mkdirSync(join(dir, "node_modules"));
  // Installed as npm installs it: a copy under node_modules.
  cpSync(join(root, "pkg"), join(dir, "node_modules", "harmony-policy"), { recursive: true });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("a Vite 5 production build of the package loads its module and answers", async () => {
  await build({ root: dir, logLevel: "warn", configFile: join(dir, "vite.config.js") });
  server = await preview({ root: dir, preview: { port: 0, host: "127.0.0.1" }, logLevel: "warn", configFile: join(dir, "vite.config.js") });
  const url = server.resolvedUrls.local[0];
  const { page, errors } = await newPage(browser);
  await page.goto(url);
  await page.waitForSelector("html[data-ready=true]");
  const ids = await page.$$eval("#sidebar li", (lis) => lis.map((li) => li.dataset.id));
  assert.deepEqual(ids, ["conversations", "contacts", "data-lake", "settings"]);
  assert.deepEqual(errors, []);
});

test("the Vite dev server serves the package and its module", async () => {
  const dev = await createServer({ root: dir, server: { port: 0, host: "127.0.0.1" }, logLevel: "warn", configFile: join(dir, "vite.config.js") });
  await dev.listen();
  try {
    const { page, errors } = await newPage(browser);
    await page.goto(dev.resolvedUrls.local[0]);
    await page.waitForSelector("html[data-ready=true]");
    const ids = await page.$$eval("#sidebar li", (lis) => lis.map((li) => li.dataset.id));
    assert.deepEqual(ids, ["conversations", "contacts", "data-lake", "settings"]);
    assert.deepEqual(errors, []);
  } finally {
    await dev.close();
  }
});
