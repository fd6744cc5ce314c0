// Builds the example into target/examples/vue/ with esbuild: the app
// bundled with Vue and the package (pkg/, as a user installs it), the
// module's .wasm beside it. Usage: node examples/vue/build.mjs
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
export const out = `${root}target/examples/vue/`;

export async function buildExample() {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [`${root}examples/vue/app.js`],
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    outfile: `${out}app.js`,
    alias: { "harmony-policy/vue": `${root}pkg/vue.js`, "harmony-policy": `${root}pkg/index.js` },
    define: { "process.env.NODE_ENV": '"production"', __VUE_OPTIONS_API__: "false", __VUE_PROD_DEVTOOLS__: "false", __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false" },
    logLevel: "warning",
  });
  copyFileSync(`${root}examples/vue/index.html`, `${out}index.html`);
  copyFileSync(`${root}pkg/harmony_policy_bg.wasm`, `${out}harmony_policy_bg.wasm`);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildExample();
  console.log(`built ${out}`);
}
