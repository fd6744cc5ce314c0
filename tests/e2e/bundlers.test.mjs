// The package installed in a project (examples/vite: a page and a script)
// and bundled as teams do: a Vite 5 production build and its dev server
// (its defaults plus the one setting the example documents), and webpack 5
// with no configuration; each result opened in headless Chromium.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, cpSync, mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer as createHttpServer } from "node:http";
import { readFile } from "node:fs/promises";
import { build, createServer, preview } from "vite";
import webpack from "webpack";
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

test("webpack 5 with no configuration bundles the package and emits its module", async () => {
  const out = join(dir, "webpack-dist");
  const stats = await new Promise((ok, fail) =>
    webpack({ mode: "production", context: dir, entry: "./main.js", output: { path: out, filename: "main.js" }, performance: { hints: false } }, (err, s) => (err ? fail(err) : ok(s))),
  );
  assert.equal(stats.hasErrors(), false, stats.toString({ colors: false }));
  copyFileSync(join(dir, "index.html"), join(out, "index.html"));
  const http = createHttpServer(async (req, res) => {
    const name = (req.url ?? "/").split("?")[0].replace(/^\/+/, "") || "index.html";
    try {
      const body = await readFile(join(out, name));
      const type = name.endsWith(".wasm") ? "application/wasm" : name.endsWith(".js") ? "text/javascript" : "text/html";
      res.writeHead(200, { "content-type": type }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => http.listen(0, "127.0.0.1", ok));
  try {
    const { page, errors } = await newPage(browser);
    await page.goto(`http://127.0.0.1:${http.address().port}/`);
    await page.waitForSelector("html[data-ready=true]");
    const ids = await page.$$eval("#sidebar li", (lis) => lis.map((li) => li.dataset.id));
    assert.deepEqual(ids, ["conversations", "contacts", "data-lake", "settings"]);
    assert.deepEqual(errors, []);
  } finally {
    http.close();
  }
});
