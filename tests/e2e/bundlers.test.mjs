// The package installed in a project (examples/vite: a page and a script
// that also loads the authoring module) and bundled as teams do: Vite 5 and
// the current Vite (production builds; Vite 5's dev server), with their
// defaults plus the one setting the example documents; webpack 5 with no
// configuration; Rollup with the one plugin the README names. Each result is
// opened in headless Chromium with no console error; the package in a
// CommonJS Node program runs too.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, cpSync, mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer as createHttpServer } from "node:http";
import { readFile } from "node:fs/promises";
import { build, createServer, preview } from "vite";
import * as vite8 from "vite8";
import webpack from "webpack";
import { rollup } from "rollup";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import { importMetaAssets } from "@web/rollup-plugin-import-meta-assets";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
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

/** Opens `url` and checks what the example shows: the sidebar, and that the
 * authoring module loaded and agreed on the fingerprint. */
async function check(url) {
  const { page, errors } = await newPage(browser);
  await page.goto(url);
  await page.waitForSelector("html[data-ready=true]");
  const ids = await page.$$eval("#sidebar li", (lis) => lis.map((li) => li.dataset.id));
  assert.deepEqual(ids, ["conversations", "contacts", "data-lake", "settings"]);
  assert.equal(await page.$eval("html", (h) => h.dataset.authoring), "same");
  assert.deepEqual(errors, []);
}

/** Serves directory `out` on a loopback port while `use` runs. */
async function serve(out, use) {
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
    await use(`http://127.0.0.1:${http.address().port}/`);
  } finally {
    http.close();
  }
}

test("a Vite 5 production build of the package loads its module and answers", async () => {
  await build({ root: dir, logLevel: "warn", configFile: join(dir, "vite.config.js") });
  server = await preview({ root: dir, preview: { port: 0, host: "127.0.0.1" }, logLevel: "warn", configFile: join(dir, "vite.config.js") });
  await check(server.resolvedUrls.local[0]);
});

test("the Vite dev server serves the package and its module", async () => {
  const dev = await createServer({ root: dir, server: { port: 0, host: "127.0.0.1" }, logLevel: "warn", configFile: join(dir, "vite.config.js") });
  await dev.listen();
  try {
    await check(dev.resolvedUrls.local[0]);
  } finally {
    await dev.close();
  }
});

test("a production build with the current Vite loads both modules and answers", async () => {
  const out = join(dir, "vite8-dist");
  await vite8.build({ root: dir, logLevel: "warn", configFile: join(dir, "vite.config.js"), build: { outDir: out } });
  await serve(out, check);
});

test("webpack 5 with no configuration bundles the package and emits its modules", async () => {
  const out = join(dir, "webpack-dist");
  const stats = await new Promise((ok, fail) =>
    webpack({ mode: "production", context: dir, entry: "./main.js", output: { path: out, filename: "main.js" }, performance: { hints: false } }, (err, s) => (err ? fail(err) : ok(s))),
  );
  assert.equal(stats.hasErrors(), false, stats.toString({ colors: false }));
  copyFileSync(join(dir, "index.html"), join(out, "index.html"));
  await serve(out, check);
});

test("Rollup with @web/rollup-plugin-import-meta-assets bundles the package and emits its modules", async () => {
  const out = join(dir, "rollup-dist");
  const bundle = await rollup({ input: join(dir, "main.js"), plugins: [nodeResolve(), importMetaAssets()], onwarn: (w) => assert.fail(String(w)) });
  await bundle.write({ dir: out, format: "es" });
  await bundle.close();
  copyFileSync(join(dir, "index.html"), join(out, "index.html"));
  await serve(out, check);
});

test("a CommonJS Node program requires harmony-policy/node", () => {
  writeFileSync(
    join(dir, "main.cjs"),
    `const { Policy } = require("harmony-policy/node");
     const view = Policy.builtin().view({ workspace: { slug: "acme" }, member: { userId: "u_1", roles: ["member"] } });
     Policy.fromJson(Policy.builtin().toJson()).then((p) => {
       console.log(JSON.stringify({ sidebar: view.sidebar().map((i) => i.id), same: p.fingerprint === Policy.builtin().fingerprint }));
     });`,
  );
  const run = spawnSync(process.execPath, ["main.cjs"], { cwd: dir, encoding: "utf8" });
  assert.equal(run.stderr, "", "no warning or error");
  assert.equal(run.status, 0);
  assert.deepEqual(JSON.parse(run.stdout), { sidebar: ["conversations", "contacts", "accounts", "data-lake", "settings"], same: true });
});
