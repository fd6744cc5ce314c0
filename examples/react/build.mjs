// Builds the example into target/examples/react/ with esbuild: the app
// bundled with React and the package (pkg/, as a user installs it), the
// module's .wasm beside it. Usage: node examples/react/build.mjs
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
export const out = `${root}target/examples/react/`;

export async function buildExample() {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [`${root}examples/react/app.jsx`],
    bundle: true,
    format: "esm",
    target: "es2022",
    jsx: "automatic",
    outfile: `${out}app.js`,
    alias: { "harmony-policy/react": `${root}pkg/react.js`, "harmony-policy": `${root}pkg/index.js` },
    define: { "process.env.NODE_ENV": '"production"' },
    minify: true,
    logLevel: "warning",
  });
  copyFileSync(`${root}examples/react/index.html`, `${out}index.html`);
  copyFileSync(`${root}pkg/harmony_policy_bg.wasm`, `${out}harmony_policy_bg.wasm`);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildExample();
  console.log(`built ${out}`);
}
