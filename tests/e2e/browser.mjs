// What every end-to-end test file shares: Debian's chromium driven by
// playwright-core (no browser download), with the flags this machine needs,
// a fresh page per test that records console errors, and the screenshot
// folder target/e2e-screenshots/; and the demo site (www/ and pkg/ on a
// free port) with a browser, for the files that test it.
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import { serve } from "../../scripts/serve.mjs";

const ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions"];
const SHOTS = new URL("../../target/e2e-screenshots/", import.meta.url);

export function launch() {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ARGS });
}

/** The static site on a free loopback port and a browser: `{base, browser,
 * close()}`. */
export async function openSite() {
  const server = await serve(0);
  const browser = await launch();
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    browser,
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/** A new page in a new context, and the list its console errors go to. */
export async function newPage(browser, viewport = { width: 1280, height: 860 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  return { page, errors };
}

/** Where a screenshot named `name` goes. */
export const shotPath = (name) => new URL(`${name}.png`, SHOTS).pathname;

/** The ids of the sidebar's items. */
export const sidebarIds = (page) => page.$$eval('nav[aria-label="Sidebar"] a[data-id]', (as) => as.map((a) => a.dataset.id));

/** Turns a product on or off on the Products page and saves; `go` opens a path. */
export async function setProduct(page, go, label, on) {
  await go("/workspace/acme/settings/products");
  const sw = page.getByRole("switch", { name: label });
  if ((await sw.getAttribute("aria-checked")) !== String(on)) await sw.click();
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Saved. Changes take effect immediately.").waitFor();
}
