// The package as a user installs it: `npm pack` of pkg/, installed into a
// new project (no registry needed), then imported by name through its
// exports map: `harmony-policy/node` needs no init call, the main entry
// does, and the tarball carries its licenses, README and changelog.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("../../pkg/", import.meta.url));

test("npm pack of pkg/ installs and imports by name in a new project", () => {
  const dir = mkdtempSync(join(tmpdir(), "harmony-installed-"));
  try {
    const packed = execFileSync("npm", ["pack", pkg, "--pack-destination", dir, "--silent"], { encoding: "utf8" }).trim().split("\n").pop();
    const listing = execFileSync("tar", ["tzf", join(dir, packed)], { encoding: "utf8" });
    for (const file of ["LICENSE-MIT", "LICENSE-APACHE", "README.md", "CHANGELOG.md", "node.js", "react.js", "authoring.js", "harmony_policy_authoring_bg.wasm", "rulesets.d.ts"]) {
      assert.ok(listing.includes(`package/${file}`), `${file} is in the tarball`);
    }
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--silent", join(dir, packed)], { cwd: dir });
    writeFileSync(
      join(dir, "main.mjs"),
      `import { Policy } from "harmony-policy/node";
       import * as entry from "harmony-policy";
       const view = Policy.builtin().view({ workspace: { slug: "acme" }, member: { userId: "u_1", roles: ["member"] } });
       let code = null;
       try { await entry.Policy.fromJson("{"); } catch (e) { code = e.code; }
       console.log(JSON.stringify({ sidebar: view.sidebar().map((i) => i.id), sameModule: entry.Policy === Policy, code }));`,
    );
    const out = JSON.parse(execFileSync("node", ["main.mjs"], { cwd: dir, encoding: "utf8" }));
    assert.deepEqual(out.sidebar, ["conversations", "contacts", "accounts", "data-lake", "settings"]);
    assert.equal(out.sameModule, true, "the node entry initializes the one module the main entry uses");
    assert.equal(out.code, "invalid_json");
    assert.ok(readdirSync(join(dir, "node_modules", "harmony-policy")).includes("harmony_policy_bg.wasm"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
