// Serves the demo: www/ at /, pkg/ at /pkg/, and index.html for every other
// path so that History API routes survive a reload. Loopback only.
// Usage: node scripts/serve.mjs [--port 8080]
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json", ".ts": "text/plain; charset=utf-8" };

function resolveFile(urlPath) {
  const path = decodeURIComponent(urlPath.split("?")[0]);
  const [base, rest] = path.startsWith("/pkg/") ? [join(root, "pkg"), path.slice(5)] : [join(root, "www"), path.slice(1)];
  const file = normalize(join(base, rest));
  return file.startsWith(base + sep) || file === base ? file : null;
}

export function serve(port = 8080, host = "127.0.0.1") {
  const server = createServer(async (req, res) => {
    let file = null;
    try {
      file = resolveFile(req.url ?? "/");
    } catch {
      file = null;
    }
    try {
      if (!file || !(await stat(file)).isFile()) throw new Error("not a file");
    } catch {
      file = extname((req.url ?? "").split("?")[0]) && !req.url.startsWith("/workspace/") ? null : join(root, "www", "index.html");
    }
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const body = await readFile(file);
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" }).end(body);
  });
  return new Promise((ok) => server.listen(port, host, () => ok(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--port");
  const port = i > 0 ? Number(process.argv[i + 1]) : 8080;
  const server = await serve(port);
  console.log(`Harmony demo on http://127.0.0.1:${server.address().port}/ (Ctrl+C to stop)`);
}
