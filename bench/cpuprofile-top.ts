// Reads a V8 .cpuprofile (node --cpu-prof) and prints where the time went: the functions with the most
// self time, and the project files with the most total (inclusive) time.
//
//   node --cpu-prof --cpu-prof-dir=.bench-out --import tsx bench/net.ts --quick
//   npx tsx bench/cpuprofile-top.ts .bench-out/CPU.*.cpuprofile [--top 25]
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: Node[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

const argv = process.argv.slice(2);
const topIdx = argv.indexOf("--top");
const TOP = topIdx >= 0 ? Number(argv[topIdx + 1]) : 25;
const files = argv.filter((a, i) => !a.startsWith("--") && (topIdx < 0 || i !== topIdx + 1));
if (!files.length) {
  console.error("usage: npx tsx bench/cpuprofile-top.ts FILE.cpuprofile [--top N]");
  process.exit(2);
}

const short = (url: string) => url.replace(/^file:\/\//, "").replace(/^.*?\/(core|bench|test|node_modules)\//, "$1/");

for (const file of files) {
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Self time per node from the sample stream (timeDeltas are µs between samples).
  const selfUs = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const selfByFn = new Map<string, number>();
  const inclByFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const key = `${f.functionName || "(anonymous)"}  ${short(f.url)}:${f.lineNumber + 1}`;
    selfByFn.set(key, (selfByFn.get(key) ?? 0) + us);
    // Inclusive per file: every distinct project file on the stack gets the sample once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const url = short(byId.get(cur)!.callFrame.url);
      if (!url || seen.has(url)) continue;
      seen.add(url);
      inclByFile.set(url, (inclByFile.get(url) ?? 0) + us);
    }
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(1).padStart(8)} ms`;
  console.log(`\n${file}: ${(total / 1000).toFixed(0)} ms sampled`);
  console.log(`\n  self time, top ${TOP} functions:`);
  for (const [k, us] of [...selfByFn].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${pct(us)}  ${k}`);
  console.log(`\n  inclusive time by file (core/, bench/, test/ and libraries):`);
  for (const [k, us] of [...inclByFile].filter(([k]) => /^(core|bench|test|node_modules)\//.test(k)).sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${pct(us)}  ${k}`);
}
