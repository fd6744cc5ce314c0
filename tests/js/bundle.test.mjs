// Bundles in the package: a policy written as a bundle reads back with the
// same fingerprint, a bundle the native tool compiled reads in JavaScript
// with the fingerprint it has natively, and damaged bytes are refused with
// `invalid_bundle`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { initSync, Policy } from "../../pkg/index.js";

initSync({ module: readFileSync(new URL("../../pkg/harmony_policy_bg.wasm", import.meta.url)) });
const root = fileURLToPath(new URL("../../", import.meta.url));

test("a bundle reads back, in JavaScript and from the native tool, with the same fingerprint", () => {
  for (const name of ["harmony", "harmonia"]) {
    const policy = Policy.builtin(name);
    const again = Policy.fromBundle(policy.toBundle());
    assert.equal(again.fingerprint, policy.fingerprint);
    assert.equal(again.view({ workspace: { slug: "w" }, member: { userId: "u", roles: ["admin"] } }).sidebar().length > 0, true);
  }
  const dir = mkdtempSync(join(tmpdir(), "harmony-bundle-"));
  try {
    const out = join(dir, "helpdesk.bundle");
    execFileSync("cargo", ["run", "--quiet", "--locked", "-p", "harmony-policy-cli", "--", "compile", "examples/rulesets/helpdesk.json", "-o", out], { cwd: root });
    const native = execFileSync("cargo", ["run", "--quiet", "--locked", "-p", "harmony-policy-cli", "--", "validate", "examples/rulesets/helpdesk.json"], { cwd: root, encoding: "utf8" });
    const policy = Policy.fromBundle(readFileSync(out));
    assert.equal(policy.name, "helpdesk");
    assert.ok(native.includes(policy.fingerprint), `${native} names ${policy.fingerprint}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("damaged, cut or foreign bytes are invalid_bundle; a wrong type is invalid_value", () => {
  const good = Policy.builtin().toBundle();
  const refused = (bytes) => {
    try {
      Policy.fromBundle(bytes);
      return null;
    } catch (e) {
      return e.code;
    }
  };
  assert.equal(refused(new Uint8Array(0)), "invalid_bundle");
  assert.equal(refused(good.slice(0, good.length - 1)), "invalid_bundle");
  for (const at of [0, 9, 13, 30, 100, good.length - 1]) {
    const bad = good.slice();
    bad[at] ^= 0x20;
    assert.equal(refused(bad), "invalid_bundle", `byte ${at}`);
  }
  assert.equal(refused(new TextEncoder().encode(Policy.builtin().toJson())), "invalid_bundle", "JSON is not a bundle");
  assert.equal(refused("not bytes"), "invalid_value");
});
