// Runs the whole test suite: type check, layering check, then every *.test.ts under core/ and test/
// through Node's own test runner (tsx loads TypeScript). One process per file keeps suites isolated.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const roots = ["core", "test"];
const only = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

function step(label, cmd, args) {
  console.log(`\n== ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`\n${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

if (only.length === 0) {
  step("type check", process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json", "--noEmit"]);
  step("layering check", process.execPath, [join(root, "scripts/check-layers.mjs")]);
}
const files = only.length ? only : roots.flatMap((r) => walk(join(root, r), [])).sort();
step(`tests (${files.length} files)`, process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", ...files]);
