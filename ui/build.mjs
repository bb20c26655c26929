// Builds the explorer and GraphiQL into lineageql/server/static, and writes manifest.json
// with a hash of every source the bundle is built from (a test compares it).
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const here = new URL(".", import.meta.url).pathname;
const out = join(here, "..", "lineageql", "server", "static");

export function sources() {
  const files = ["package.json", "package-lock.json", "build.mjs"];
  const walk = (dir) => {
    for (const name of readdirSync(join(here, dir)).sort()) {
      const path = join(dir, name);
      if (statSync(join(here, path)).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk("src");
  return files;
}

export function sourceHash() {
  const hash = createHash("sha256");
  for (const file of sources()) {
    hash.update(relative(here, join(here, file)));
    hash.update("\0");
    hash.update(readFileSync(join(here, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

await build({
  entryPoints: { app: join(here, "src/main.jsx"), graphiql: join(here, "src/graphiql.jsx") },
  outdir: out,
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  jsx: "automatic",
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".svg": "file" },
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "linked",
  logLevel: "warning",
});
writeFileSync(
  join(out, "manifest.json"),
  JSON.stringify({ sources: sources(), sha256: sourceHash() }, null, 2) + "\n",
);
console.log(`built ${out}`);
