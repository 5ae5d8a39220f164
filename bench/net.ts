// Benchmark of the simulated network: how long the module-4 topology takes to build, what one probe
// and one `ip` command cost, and how long a 200-namespace bridge takes to build through the shell and
// through the model API. Virtual clock (the default), so probes never sleep; everything is timed with
// performance.now() after a warm-up. See bench/README.md.
//
//   npx tsx bench/net.ts             (npm run bench)
//   npx tsx bench/net.ts --quick     (1,000 of each, for a quick look; writes nothing)
//   npx tsx bench/net.ts --no-write  (full run, prints only)
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { World } from "../core/script/world";
import { Simulation } from "../core/net/simulation";
import type { NetNamespace } from "../core/net/namespace";
import type { EchoOutcome, EchoRequest } from "../core/net/probes";
import { formatIPv4, parseIPv4 } from "../core/net/ip";
import { buildLabWorld, type LabWorld } from "../test/fuzz/lab-world";
import { checkInvariants } from "../test/fuzz/invariants";
import { Prng } from "../test/fuzz/prng";

const args = new Set(process.argv.slice(2));
const QUICK = args.has("--quick");
/** --only=build,probes,ip,bridge runs just those parts (for profiling one of them); implies --no-write. */
const ONLY = new Set((process.argv.find((a) => a.startsWith("--only="))?.slice(7) ?? "build,probes,ip,bridge").split(","));
const WRITE = !QUICK && !args.has("--no-write") && ONLY.size === 4;
const N_PROBES = QUICK ? 1_000 : 10_000;
const N_IP = QUICK ? 1_000 : 10_000;
const WARMUP = QUICK ? 200 : 1_000;
const BRIDGE_NS = 200;
const BUILD_RUNS = QUICK ? 3 : 10;
const BRIDGE_RUNS = QUICK ? 2 : 10;
const BRIDGE_WARMUP = QUICK ? 1 : 3;

const TARGET_CMD_P99_MS = 2;
const TARGET_BRIDGE_MS = 50;

const here = dirname(fileURLToPath(import.meta.url));
const notes: string[] = [];

// ------------------------------------------------------------------------------------------ stats

interface Stats {
  n: number;
  medianMs: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  return { n: s.length, medianMs: at(0.5), p99Ms: at(0.99), meanMs: s.reduce((a, b) => a + b, 0) / s.length, maxMs: s[s.length - 1] };
}

// ------------------------------------------------------------------------------------------ GC attribution

/** GC pauses as the runtime reports them, on the performance.now() time line. */
const gcPauses: { start: number; end: number; kind: number }[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push({ start: e.startTime, end: e.startTime + e.duration, kind: (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0 });
});

/** Watches GC pauses while a section runs: the observer costs time itself (a 200-namespace build runs ~25 % slower under it), so only where its attribution is printed. */
function watchGc(): void {
  gcObserver.observe({ entryTypes: ["gc"] });
}

/** Lets the observer deliver the entries of the section just measured, then stops watching. */
async function flushGc(): Promise<void> {
  await new Promise<void>((r) => setTimeout(r, 20));
  gcObserver.disconnect();
}

interface Span {
  t0: number;
  t1: number;
}

/**
 * How much of the tail is garbage collection: the samples over `slowMs`, how many of them overlap a GC
 * pause, and the p99 of the samples that no pause touched.
 */
function gcShare(spans: Span[], slowMs: number): { slow: number; slowInGc: number; gcPauses: number; gcMeanMs: number; p99WithoutGcMs: number } {
  const pauses = gcPauses.filter((g) => g.end >= spans[0].t0 && g.start <= spans[spans.length - 1].t1);
  let j = 0;
  let slow = 0;
  let slowInGc = 0;
  const clean: number[] = [];
  for (const s of spans) {
    while (j < pauses.length && pauses[j].end < s.t0) j++;
    const hit = j < pauses.length && pauses[j].start <= s.t1;
    const dt = s.t1 - s.t0;
    if (dt > slowMs) {
      slow++;
      if (hit) slowInGc++;
    }
    if (!hit) clean.push(dt);
  }
  return { slow, slowInGc, gcPauses: pauses.length, gcMeanMs: pauses.reduce((a, g) => a + g.end - g.start, 0) / Math.max(1, pauses.length), p99WithoutGcMs: stats(clean).p99Ms };
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3));

// ------------------------------------------------------------------------------------------ probes

type EchoFn = (ns: NetNamespace, dst: number, req: EchoRequest) => Promise<EchoOutcome>;

/** The packet walk's probe API, when it has landed (core/net/walk/index.ts). */
async function loadEcho(): Promise<{ echo?: EchoFn; why?: string }> {
  const spec = "../core/net/walk/index.ts";
  try {
    const mod = (await import(spec)) as { echo?: unknown };
    if (typeof mod.echo === "function") return { echo: mod.echo as EchoFn };
    return { why: "core/net/walk/index.ts has no echo()" };
  } catch (e) {
    return { why: `core/net/walk/index.ts not loadable (${e instanceof Error ? e.message.split("\n")[0] : String(e)})` };
  }
}

interface ProbePair {
  label: string;
  from: string | null;
  to: string;
}

/** Echo between namespaces on the bridge, to the bridge, to and from the LAN host. */
const PROBE_PAIRS: ProbePair[] = [
  { label: "red → blue (bridge)", from: "red", to: "192.168.15.2" },
  { label: "yellow → black (bridge)", from: "yellow", to: "192.168.15.4" },
  { label: "blue → v-net-0", from: "blue", to: "192.168.15.5" },
  { label: "lab-host → red", from: null, to: "192.168.15.1" },
  { label: "lab-host → lan-host (LAN)", from: null, to: "192.168.1.3" },
  { label: "lab-host → lan-host2 (LAN)", from: null, to: "192.168.1.4" },
  { label: "red → lan-host (no route)", from: "red", to: "192.168.1.3" },
];

async function benchProbes(lab: LabWorld): Promise<Record<string, unknown>> {
  const { echo, why } = await loadEcho();
  const world = lab.world;
  const machine = world.sim.machine("lab-host")!;
  const shell = world.shell("lab-host");
  const r = new Prng(7);
  const outcomes = new Map<string, number>();
  let method: string;
  let probe: (p: ProbePair, seq: number) => Promise<string>;
  if (echo) {
    method = "walk echo() API";
    probe = async (p, seq) => {
      const ns = p.from === null ? machine.root : machine.netns(p.from)!;
      const o = await echo(ns, parseIPv4(p.to)!, { id: 0x4242, seq, timeoutMs: 1000 });
      return o.kind;
    };
  } else {
    const hasPing = (await shell.exec("ping -c 1 -W 1 127.0.0.1")).exitCode !== 127;
    if (!hasPing) {
      notes.push(`probes skipped: ${why}, and no ping tool either`);
      return { method: "none", skipped: why };
    }
    method = "ping -c 1 -W 1 through the shell (walk echo() API not available)";
    notes.push(`probes measured through \`ping -c 1 -W 1\` in the shell: ${why}`);
    probe = async (p) => {
      const line = p.from === null ? `ping -c 1 -W 1 ${p.to}` : `ip netns exec ${p.from} ping -c 1 -W 1 ${p.to}`;
      const res = await shell.exec(line);
      return res.exitCode === 0 ? "reply" : `exit ${res.exitCode}`;
    };
  }
  for (let i = 0; i < WARMUP; i++) await probe(r.pick(PROBE_PAIRS), i);
  watchGc();
  const samples: number[] = [];
  const spans: Span[] = [];
  const perPair = new Map<string, number[]>();
  for (let i = 0; i < N_PROBES; i++) {
    const p = r.pick(PROBE_PAIRS);
    const t0 = performance.now();
    const kind = await probe(p, i & 0xffff);
    const t1 = performance.now();
    const dt = t1 - t0;
    samples.push(dt);
    spans.push({ t0, t1 });
    (perPair.get(p.label) ?? perPair.set(p.label, []).get(p.label)!).push(dt);
    const k = `${p.label}: ${kind}`;
    outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  }
  await flushGc();
  return {
    method,
    ...stats(samples),
    gc: gcShare(spans, TARGET_CMD_P99_MS),
    pairs: Object.fromEntries([...perPair].map(([label, s]) => [label, { ...stats(s), outcome: [...outcomes].filter(([k]) => k.startsWith(label + ":")).map(([k, n]) => `${k.slice(label.length + 2)}×${n}`).join(", ") }])),
  };
}

// ------------------------------------------------------------------------------------------ ip commands

interface IpTemplate {
  name: string;
  kind: "show" | "mutate";
  lines: (x: number) => [string] | [string, string];
}

const IP_TEMPLATES: IpTemplate[] = [
  { name: "ip -n red addr", kind: "show", lines: () => ["ip -n red addr"] },
  { name: "ip route", kind: "show", lines: () => ["ip route"] },
  { name: "ip link show type bridge", kind: "show", lines: () => ["ip link show type bridge"] },
  { name: "ip -br link", kind: "show", lines: () => ["ip -br link"] },
  { name: "ip -br addr", kind: "show", lines: () => ["ip -br addr"] },
  { name: "ip -n blue route", kind: "show", lines: () => ["ip -n blue route"] },
  { name: "ip addr show dev v-net-0", kind: "show", lines: () => ["ip addr show dev v-net-0"] },
  { name: "ip link", kind: "show", lines: () => ["ip link"] },
  { name: "ip neigh", kind: "show", lines: () => ["ip neigh"] },
  { name: "ip netns list", kind: "show", lines: () => ["ip netns list"] },
  { name: "ip route add/del DST via GW", kind: "mutate", lines: (x) => [`ip route add 10.${x >> 8}.${x & 255}.0/24 via 192.168.1.1`, `ip route del 10.${x >> 8}.${x & 255}.0/24 via 192.168.1.1`] },
  { name: "ip -n red route add/del", kind: "mutate", lines: (x) => [`ip -n red route add 10.77.${x & 255}.0/24 via 192.168.15.5`, `ip -n red route del 10.77.${x & 255}.0/24`] },
  { name: "ip addr add/del dev v-net-0", kind: "mutate", lines: (x) => [`ip addr add 10.99.${x & 255}.1/32 dev v-net-0`, `ip addr del 10.99.${x & 255}.1/32 dev v-net-0`] },
  { name: "ip link add/del dummy", kind: "mutate", lines: (x) => [`ip link add bench${x & 255} type dummy`, `ip link del bench${x & 255}`] },
  { name: "ip link set down/up", kind: "mutate", lines: () => ["ip link set veth-yellow-br down", "ip link set veth-yellow-br up"] },
];

async function benchIp(lab: LabWorld): Promise<Record<string, unknown>> {
  const shell = lab.world.shell("lab-host");
  const r = new Prng(11);
  const byTemplate = new Map<string, number[]>();
  const failures = new Map<string, { n: number; example: string }>();
  // An undo waiting to run (the `del` of an `add`), so that mutations leave the topology as it was.
  let pending: { t: IpTemplate; line: string } | undefined;
  let x = 0;
  const spans: Span[] = [];
  const step = async (record: boolean) => {
    let t: IpTemplate;
    let line: string;
    if (pending && r.chance(0.5)) {
      ({ t, line } = pending);
      pending = undefined;
    } else {
      t = r.next() < 0.7 ? r.pick(IP_TEMPLATES.filter((k) => k.kind === "show")) : r.pick(IP_TEMPLATES.filter((k) => k.kind === "mutate"));
      if (t.kind === "mutate" && pending) t = IP_TEMPLATES[0];
      const ls = t.lines(x++ % 4096);
      line = ls[0];
      if (ls[1]) pending = { t, line: ls[1] };
    }
    const t0 = performance.now();
    const res = await shell.exec(line);
    const t1 = performance.now();
    const dt = t1 - t0;
    if (!record) return;
    spans.push({ t0, t1 });
    (byTemplate.get(t.name) ?? byTemplate.set(t.name, []).get(t.name)!).push(dt);
    if (res.exitCode !== 0) {
      const f = failures.get(t.name) ?? { n: 0, example: `${line}: exit ${res.exitCode} ${res.stderr.trim().split("\n")[0]}` };
      f.n++;
      failures.set(t.name, f);
    }
  };
  for (let i = 0; i < WARMUP; i++) await step(false);
  watchGc();
  for (let i = 0; i < N_IP; i++) await step(true);
  if (pending) await shell.exec(pending.line);

  // What the shell alone costs: a builtin that does nothing.
  const base: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    const t0 = performance.now();
    await shell.exec("true");
    base.push(performance.now() - t0);
  }
  await flushGc();
  const gc = gcShare(spans, TARGET_CMD_P99_MS);
  const all = [...byTemplate.values()].flat();
  const show = IP_TEMPLATES.filter((t) => t.kind === "show").flatMap((t) => byTemplate.get(t.name) ?? []);
  const mutate = IP_TEMPLATES.filter((t) => t.kind === "mutate").flatMap((t) => byTemplate.get(t.name) ?? []);
  const missing = [...failures.values()].filter((f) => / 127 /.test(f.example)).reduce((a, f) => a + f.n, 0);
  const available = missing < all.length / 2;
  if (!available) notes.push(`ip bench: the ip tool is not there (${missing} of ${all.length} answered "command not found"); the figures are the shell's, not ip's`);
  else for (const [name, f] of failures) notes.push(`ip bench: ${f.n} × "${name}" failed, e.g. ${f.example}`);
  return {
    available,
    ...stats(all),
    gc,
    show: stats(show),
    mutate: stats(mutate),
    shellBaseline: stats(base),
    templates: Object.fromEntries([...byTemplate].map(([k, v]) => [k, stats(v)])),
    failures: Object.fromEntries(failures),
  };
}

// ------------------------------------------------------------------------------------------ 200-namespace bridge

function bridgeAddr(i: number): string {
  return `10.200.${i >> 8}.${(i & 255) + 1}`;
}

function bridgeLines(n: number): string[] {
  const lines = ["ip link add br0 type bridge", "ip link set br0 up", "ip addr add 10.200.255.254/16 dev br0"];
  for (let i = 0; i < n; i++) {
    lines.push(
      `ip netns add ns${i}`,
      `ip link add v${i} type veth peer name v${i}-br`,
      `ip link set v${i} netns ns${i}`,
      `ip link set v${i}-br master br0`,
      `ip link set v${i}-br up`,
      `ip -n ns${i} addr add ${bridgeAddr(i)}/16 dev v${i}`,
      `ip -n ns${i} link set v${i} up`,
    );
  }
  return lines;
}

/** Checks the result of a bridge build: n ports, n namespaces with their address, invariants hold. */
function verifyBridge(sim: Simulation, n: number): string | undefined {
  const m = sim.machine("host")!;
  const br = m.root.byName("br0");
  if (!br || br.ports?.size !== n) return `br0 has ${br?.ports?.size ?? "no"} ports, want ${n}`;
  for (let i = 0; i < n; i++) {
    const v = m.netns(`ns${i}`)?.byName(`v${i}`);
    if (!v?.adminUp || formatIPv4(v.addresses[0]?.addr ?? 0) !== bridgeAddr(i)) return `ns${i}/v${i} is not up with ${bridgeAddr(i)}`;
  }
  const broken = checkInvariants(sim);
  return broken.length ? `invariants: ${broken.slice(0, 3).join("; ")}` : undefined;
}

async function bridgeViaShell(oneScript: boolean): Promise<{ ms: number; problem?: string }> {
  const world = await World.fromTopology({ machines: [{ name: "host" }] });
  const shell = world.shell("host");
  const lines = bridgeLines(BRIDGE_NS);
  let problem: string | undefined;
  const t0 = performance.now();
  if (oneScript) {
    const res = await shell.exec(lines.join("\n"));
    if (res.exitCode !== 0) problem = `script: exit ${res.exitCode} ${res.stderr.trim().split("\n")[0]}`;
  } else {
    for (const line of lines) {
      const res = await shell.exec(line);
      if (res.exitCode !== 0 && !problem) problem = `${line}: exit ${res.exitCode} ${res.stderr.trim().split("\n")[0]}`;
    }
  }
  const dt = performance.now() - t0;
  return { ms: dt, problem: problem ?? verifyBridge(world.sim, BRIDGE_NS) };
}

function bridgeViaModel(): { ms: number; problem?: string } {
  const t0 = performance.now();
  const sim = new Simulation();
  const m = sim.addMachine("host");
  const root = m.root;
  root.setAdminState(root.loopback, true);
  const br = root.createInterface("bridge", "br0");
  root.setAdminState(br, true);
  root.addAddress(br, parseIPv4("10.200.255.254")!, 16);
  for (let i = 0; i < BRIDGE_NS; i++) {
    const ns = m.addNetns(`ns${i}`);
    const [v, vbr] = root.createVethPair(`v${i}`, `v${i}-br`);
    root.moveInterface(v, ns);
    root.setMaster(vbr, br);
    root.setAdminState(vbr, true);
    ns.addAddress(v, parseIPv4(bridgeAddr(i))!, 16);
    ns.setAdminState(v, true);
  }
  const dt = performance.now() - t0;
  return { ms: dt, problem: verifyBridge(sim, BRIDGE_NS) };
}

async function benchBridge(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const variants: [string, () => Promise<{ ms: number; problem?: string }> | { ms: number; problem?: string }][] = [
    ["model API", () => bridgeViaModel()],
    ["shell, exec per line", () => bridgeViaShell(false)],
    ["shell, one script", () => bridgeViaShell(true)],
  ];
  for (const [name, run] of variants) {
    const cold = await run();
    for (let k = 1; k < BRIDGE_WARMUP; k++) await run();
    const times: number[] = [];
    let problem: string | undefined;
    for (let k = 0; k < BRIDGE_RUNS; k++) {
      const res = await run();
      times.push(res.ms);
      problem ??= res.problem;
    }
    if (problem) notes.push(`200-namespace bridge (${name}) is not right: ${problem}`);
    out[name] = { ...stats(times), minMs: Math.min(...times), coldMs: cold.ms, runs: times.length, commands: name === "model API" ? undefined : bridgeLines(BRIDGE_NS).length, ok: !problem };
  }
  return out;
}

// ------------------------------------------------------------------------------------------ main

async function benchBuild(): Promise<{ lab: LabWorld; result: Record<string, unknown> }> {
  const first = await buildLabWorld("lab-4.2");
  const times: number[] = [];
  let lab = first;
  for (let k = 0; k < BUILD_RUNS; k++) {
    lab = await buildLabWorld("lab-4.2");
    times.push(lab.buildMs);
  }
  if (lab.via !== "preset") notes.push(`lab-4.2 did not build through its setup lines (${(lab.presetError ?? "").split("\n")[0]}); measured the model-API fallback (test/fuzz/lab-world.ts)`);
  return { lab, result: { via: lab.via, coldMs: first.buildMs, ...stats(times), minMs: Math.min(...times) } };
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
}

async function main(): Promise<void> {
  const started = new Date();
  console.log(`kube-netlab net bench — ${started.toISOString()} — node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? "?"})${QUICK ? " — QUICK" : ""}\n`);

  const load = loadavg();
  if (load[0] > cpus().length * 0.5) console.log(`NOTE: the machine is busy (load average ${load.map((x) => x.toFixed(2)).join(" ")} on ${cpus().length} CPUs): tails (p99, max) will be inflated\n`);
  const { lab, result: build } = ONLY.has("build") ? await benchBuild() : { lab: await buildLabWorld("lab-4.2"), result: {} as Record<string, unknown> };
  if (ONLY.has("build")) console.log(`lab-4.2 built (${build.via}) — median ${ms(build.medianMs as number)} ms over ${BUILD_RUNS} builds, cold ${ms(build.coldMs as number)} ms`);
  const probes = ONLY.has("probes") ? await benchProbes(lab) : {};
  if (ONLY.has("probes")) console.log(`probes done (${probes.method})`);
  // A fresh world, so that the probes' ARP entries and conntrack do not change what \`ip\` prints.
  const ip = ONLY.has("ip") ? await benchIp(await buildLabWorld("lab-4.2")) : {};
  if (ONLY.has("ip")) console.log("ip commands done");
  const bridge = ONLY.has("bridge") ? await benchBridge() : {};
  if (ONLY.has("bridge")) console.log("200-namespace bridge done");
  const loadAfter = loadavg();
  console.log("");

  const W = [48, 6, 10, 10, 10, 12];
  const lines: string[] = [row(["measure", "n", "median ms", "p99 ms", "max ms", "target"], W), "-".repeat(W.reduce((a, b) => a + b + 2, -2))];
  const targets: { name: string; target: string; valueMs: number; met: boolean }[] = [];
  const add = (name: string, s: Stats | undefined, target?: number, what: "p99" | "median" = "p99") => {
    if (!s || typeof s.n !== "number") return;
    let t = "";
    if (target !== undefined) {
      const v = what === "p99" ? s.p99Ms : s.medianMs;
      const met = v < target;
      targets.push({ name, target: `${what} < ${target} ms`, valueMs: v, met });
      t = met ? `ok <${target}` : `MISSED <${target}`;
    }
    lines.push(row([name, String(s.n), ms(s.medianMs), ms(s.p99Ms), ms(s.maxMs), t], W));
  };
  if (ONLY.has("build")) add(`build lab-4.2 (${build.via})`, build as unknown as Stats);
  if (!ONLY.has("probes")) {
    // not run
  } else if (probes.n) {
    add(`probe: ICMP echo, mixed (${probes.method === "walk echo() API" ? "walk API" : "via ping"})`, probes as unknown as Stats, TARGET_CMD_P99_MS);
    for (const [label, s] of Object.entries(probes.pairs as Record<string, Stats & { outcome: string }>)) add(`  ${label}`, s);
  } else lines.push(row(["probe: ICMP echo", "-", "-", "-", "-", "SKIPPED"], W));
  const ipTarget = ip.available ? TARGET_CMD_P99_MS : undefined;
  if (ONLY.has("ip") && !ip.available) lines.push(row(["ip command: NOT MEASURED (no ip tool yet)", "-", "-", "-", "-", "SKIPPED"], W));
  add("ip command (all, through the shell)", ip as unknown as Stats, ipTarget);
  add("  show", ip.show as Stats, ipTarget);
  add("  mutate (add/del/set)", ip.mutate as Stats, ipTarget);
  for (const [k, s] of Object.entries((ip.templates ?? {}) as Record<string, Stats>)) add(`    ${k}`, s);
  add("  shell baseline: `true`", ip.shellBaseline as Stats);
  for (const [name, s] of Object.entries(bridge as Record<string, Stats & { ok: boolean }>)) add(`200-ns bridge: ${name}${s.ok ? "" : " (WRONG)"}`, s, TARGET_BRIDGE_MS, "median");
  console.log(lines.join("\n"));

  if (ONLY.has("bridge"))
    console.log(`\n200-ns bridge, first run in the process: ${Object.entries(bridge as Record<string, { coldMs: number }>).map(([k, v]) => `${k} ${ms(v.coldMs)} ms`).join(", ")}`);
  const bridgeMet = targets.filter((t) => t.name.startsWith("200-ns bridge") && t.met).map((t) => t.name.replace("200-ns bridge: ", ""));
  console.log(`\n200-namespace bridge under ${TARGET_BRIDGE_MS} ms: ${bridgeMet.length ? bridgeMet.join(", ") : "none"}`);
  const missed = targets.filter((t) => !t.met);
  if (missed.length) {
    console.log(`\nMISSED ${missed.length} target(s):`);
    for (const t of missed) console.log(`  MISSED  ${t.name}: ${ms(t.valueMs)} ms (target ${t.target})`);
  } else console.log("\nall targets met");
  for (const [name, sec] of [["probes", probes], ["ip commands", ip]] as const) {
    const g = (sec as { gc?: ReturnType<typeof gcShare> }).gc;
    if (g) console.log(`\n${name}: ${g.slow} samples over ${TARGET_CMD_P99_MS} ms, ${g.slowInGc} of them during a GC pause (${g.gcPauses} pauses, mean ${g.gcMeanMs.toFixed(2)} ms); p99 of the samples no GC touched: ${ms(g.p99WithoutGcMs)} ms`);
  }
  console.log(`\nload average: ${load.map((x) => x.toFixed(2)).join(" ")} before, ${loadAfter.map((x) => x.toFixed(2)).join(" ")} after`);
  if (probes.pairs) {
    console.log("\nprobe outcomes:");
    for (const [label, s] of Object.entries(probes.pairs as Record<string, { outcome: string }>)) console.log(`  ${label}: ${s.outcome}`);
  }
  if (notes.length) console.log(`\nnotes:\n${notes.map((n) => `  - ${n}`).join("\n")}`);

  const round = (v: unknown): unknown =>
    typeof v === "number" ? Math.round(v * 1000) / 1000 : Array.isArray(v) ? v.map(round) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, round(x)])) : v;
  const summary = round({
    date: started.toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAverage: { before: load, after: loadAfter },
    quick: QUICK,
    counts: { probes: N_PROBES, ipCommands: N_IP, warmup: WARMUP, bridgeNamespaces: BRIDGE_NS },
    buildLab42: build,
    probes,
    ipCommands: ip,
    bridge200: bridge,
    targets,
    notes,
  });
  if (WRITE) {
    const dir = join(here, "results");
    mkdirSync(dir, { recursive: true });
    const text = JSON.stringify(summary, null, 2) + "\n";
    const dated = join(dir, `net-${started.toISOString().slice(0, 10)}.json`);
    writeFileSync(dated, text);
    writeFileSync(join(dir, "net-latest.json"), text);
    console.log(`\nwrote ${dated} and bench/results/net-latest.json`);
  }
}

await main();
