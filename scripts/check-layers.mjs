// core/ is the engine: it must not import from electron/ or renderer/, nor use electron or the DOM.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bad = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) {
      const src = readFileSync(p, "utf8");
      const re = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)["']([^"']+)["']/g;
      for (const m of src.matchAll(re)) {
        const spec = m[1];
        if (spec === "electron" || spec.startsWith("electron/") || /(^|\/)(electron|renderer)\//.test(spec) || spec.startsWith("lit"))
          bad.push(`${relative(root, p)} imports ${spec}`);
      }
      if (/\b(window|document)\.\w/.test(src.replace(/\/\/.*$/gm, "")))
        bad.push(`${relative(root, p)} uses the DOM (window/document)`);
    }
  }
}
walk(join(root, "core"));
if (bad.length) {
  console.error("core/ must not depend on electron/, renderer/ or the DOM:\n  " + bad.join("\n  "));
  process.exit(1);
}
console.log("core/ imports nothing from electron/ or renderer/ (checked every file)");
