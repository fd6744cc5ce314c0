// Starts the reference server (target/debug/harmony-server, built by
// scripts/test.sh) on 127.0.0.1 with a fresh database, and stops it: an
// SQLite file, or a new PostgreSQL database when HARMONY_TEST_POSTGRES
// names a server (postgres://user@host:port/postgres; made with psql).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const binary = join(root, "target", "debug", "harmony-server");

/**
 * Starts a server. `ruleset`: a bundled name or a ruleset object; `seed`: seed
 * data (an object) or undefined for the demo data; `flags`: more options
 * (by default `--demo-sign-in`). Resolves to
 * `{ url, stop() }` once it listens.
 */
export async function startServer({ ruleset = "harmony", seed, flags = ["--demo-sign-in"] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "harmony-server-"));
  const args = ["--addr", "127.0.0.1:0", ...freshDatabase(dir), "--root", root, ...flags];
  if (typeof ruleset === "string") args.push("--ruleset", ruleset);
  else {
    writeFileSync(join(dir, "ruleset.json"), JSON.stringify(ruleset));
    args.push("--ruleset", join(dir, "ruleset.json"));
  }
  if (seed) {
    writeFileSync(join(dir, "seed.json"), JSON.stringify(seed));
    args.push("--seed", join(dir, "seed.json"));
  }
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`harmony-server exited with ${code}: ${stderr}`)));
    child.on("error", reject);
  });
  return {
    url,
    stop() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let databases = 0;

/** The flags naming a fresh database (see the top of this file). */
function freshDatabase(dir) {
  const admin = process.env.HARMONY_TEST_POSTGRES;
  if (!admin) return ["--db", join(dir, "harmony.db"), "--database-url="];
  const name = `harmony_parity_${process.pid}_${databases++}`;
  for (const sql of [`DROP DATABASE IF EXISTS ${name}`, `CREATE DATABASE ${name}`]) {
    execFileSync("psql", ["-q", "-v", "ON_ERROR_STOP=1", admin, "-c", sql], { stdio: ["ignore", "ignore", "inherit"] });
  }
  return ["--database-url", admin.replace(/\/[^/]*$/, `/${name}`)];
}

/** Signs in; resolves to the bearer token. */
export async function signIn(url, userId, workspace, platform = "other") {
  const res = await fetch(`${url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId, workspace, platform }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`sign-in failed: ${JSON.stringify(body)}`);
  return body.token;
}
