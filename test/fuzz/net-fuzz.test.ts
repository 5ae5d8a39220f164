// Fuzz test of the network tools against a live module-4 topology (preset lab-4.2): at least 10,000
// random `ip`, `iptables` and `ping -c N -W 1` command lines (valid, near-valid and garbage) with direct
// calls to the packet walk's probe API mixed in, then Ctrl+C on never-ending pings.
//
// It asserts that nothing a learner can type hurts the simulator: exec never rejects, no tool throws
// (the shell catches it into sim.internalErrors), every result is {stdout: string, stderr: string,
// exitCode: 0..255}, no command hangs, no output prints `undefined`/`NaN`/`[object Object]` that the fuzz
// did not type itself, no listeners pile up on a long-lived AbortSignal, Ctrl+C gives the prompt back
// within 100 ms, and after every step the kernel model is still a state a kernel can be in
// (test/fuzz/invariants.ts). Findings are collected (deduplicated), printed with the seed, the command
// and the commands before it (the whole history goes to a file in the temp directory), and fail the test.
//
//   node --import tsx --test test/fuzz/net-fuzz.test.ts
//   FUZZ_SEED=1234 FUZZ_COUNT=20000 node --import tsx --test test/fuzz/net-fuzz.test.ts
//   FUZZ_SEED=random …   (a new seed each run; it is printed)
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ShellSession } from "../../core/shell/session";
import type { HostShell } from "../../core/shell/host-shell";
import type { World } from "../../core/script/world";
import { Prng, seedFrom } from "./prng";
import { randomCommandLine, randomPingTarget } from "./commands";
import { checkInvariants } from "./invariants";
import { buildLabWorld, type LabWorld } from "./lab-world";
import { loadWalk, randomProbe, startServers, SUSPICIOUS_TAG, type Probe, type WalkApi } from "./probes";

const PRESET = "lab-4.2";
const SEED = seedFrom(process.env.FUZZ_SEED, 20261121);
const COUNT = Number(process.env.FUZZ_COUNT ?? 10_000);
/** Commands per world: then a fresh lab-4.2, so that the fuzz does not spend itself on a deleted topology. */
const EPOCH = Number(process.env.FUZZ_EPOCH ?? 2_000);
const INTERRUPTS = Number(process.env.FUZZ_INTERRUPTS ?? 60);
/** Wall time after which a command counts as hung (a ping -W 1 on the virtual clock takes milliseconds). */
const HANG_MS = 5_000;
/** Ctrl+C must bring the prompt back within this much wall time. */
const INTERRUPT_MS = 100;
const MAX_FINDINGS = 40;
const SUSPICIOUS = /\bundefined\b|\bNaN\b|\[object Object\]/;
/** Share of fuzz steps that call the walk's probe API directly instead of typing a command. */
const PROBE_SHARE = 0.08;

type FindingKind = "exec-rejected" | "internal-error" | "invariant" | "bad-result" | "hang" | "suspicious-output" | "slow-interrupt" | "listener-leak";

interface Finding {
  kind: FindingKind;
  /** Stable key: kind + the message with numbers and names blurred, so one bug is one finding. */
  signature: string;
  seed: number;
  where: string;
  host: string;
  command: string;
  detail: string;
  /** The commands since the world was built, most recent last (enough to reproduce by hand). */
  history: string[];
  count: number;
}

class Findings {
  readonly list: Finding[] = [];
  private readonly bySig = new Map<string, Finding>();

  add(f: Omit<Finding, "signature" | "count" | "seed">): void {
    const signature = `${f.kind}: ${blur(f.detail)}`;
    const seen = this.bySig.get(signature);
    if (seen) {
      seen.count++;
      return;
    }
    if (this.list.length >= MAX_FINDINGS) return;
    const finding = { ...f, seed: SEED, signature, count: 1 };
    this.bySig.set(signature, finding);
    this.list.push(finding);
  }

  report(title: string): string {
    const out = [`${title}: ${this.list.length} distinct finding(s), seed ${SEED} (rerun with FUZZ_SEED=${SEED})`];
    for (const [n, f] of this.list.entries()) {
      out.push(
        "",
        `#${n + 1} [${f.kind}] ×${f.count} at ${f.where}`,
        `  command: @${f.host} ${f.command}`,
        ...f.detail.split("\n").map((l) => `  ${l}`),
        `  last commands before it (${f.history.length} since the world was built; full log in the file below):`,
        ...f.history.slice(-12).map((l) => `    ${l}`),
      );
    }
    return out.join("\n");
  }

  /** Writes every finding with its whole history, for replay. Returns the path. */
  dump(name: string): string {
    const path = join(tmpdir(), `net-fuzz-${name}-${SEED}.log`);
    const text = this.list
      .map((f) => [`[${f.kind}] ×${f.count} at ${f.where}`, `@${f.host} ${f.command}`, f.detail, "--- commands since the world was built:", ...f.history, ""].join("\n"))
      .join("\n");
    writeFileSync(path, text);
    return path;
  }
}

/** Numbers, quoted names and addresses blurred: the same bug with other values is the same finding. */
function blur(detail: string): string {
  const first = detail.split("\n").slice(0, 3).join(" ");
  return first
    .replace(/^[\w.-]+(\/\S+)?: /, "") // the machine/namespace an invariant names
    .replace(/\bdev \S+/g, "dev IF")
    .replace(/goes through \S+,/g, "goes through IF,")
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+(\.\d+){3}(\/\d+)?/g, "A")
    .replace(/\d+/g, "N")
    .replace(/\b(veth|fz|br|dummy|eth|vx|v-net)[\w.-]*/g, "IF")
    .slice(0, 200);
}

interface RunOutcome {
  result?: unknown;
  rejected?: unknown;
  hung?: boolean;
}

const wallSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs one async step with a watchdog: still running after HANG_MS, it gets Ctrl+C, then a hard stop. */
async function guarded(start: (interrupt: AbortSignal, hard: AbortSignal) => Promise<unknown>): Promise<RunOutcome> {
  const soft = new AbortController();
  const hard = new AbortController();
  let p: Promise<RunOutcome>;
  try {
    p = start(soft.signal, hard.signal).then(
      (result) => ({ result }),
      (rejected: unknown) => ({ rejected }),
    );
  } catch (rejected) {
    return { rejected };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<"hung">((r) => (timer = setTimeout(() => r("hung"), HANG_MS)));
  const first = await Promise.race([p, watchdog]);
  clearTimeout(timer);
  if (first !== "hung") return first;
  soft.abort();
  setTimeout(() => hard.abort(), 50);
  await Promise.race([p, wallSleep(2_000)]);
  return { hung: true };
}

const runGuarded = (shell: HostShell, line: string) => guarded((interrupt, signal) => shell.exec(line, { interrupt, signal }));

/**
 * Share of command lines run exactly as `world.shell(host).exec(line)`, without the watchdog's signals
 * (the path World.build, boot and lab checks take). A hang there can be reported but not stopped, so
 * pings with an odd count (which a buggy parser could turn into "forever") stay on the guarded path.
 */
const PLAIN_SHARE = 0.25;
const plainSafe = (line: string) => !/^ping\b/.test(line) || /^ping -c [12] -W /.test(line);
const runPlain = (shell: HostShell, line: string) => guarded(() => shell.exec(line));

/** Node warns once per signal when listeners pile up on an AbortSignal: a leak (one per command run). */
const listenerLeaks: string[] = [];
process.on("warning", (w) => {
  if (w.name === "MaxListenersExceededWarning") listenerLeaks.push(trimStack(w.stack ?? w.message));
});

/** Checks a finished command; returns true when the world should be rebuilt (state no longer trusted). */
function checkOutcome(
  o: RunOutcome,
  ctx: { world: World; host: string; line: string; where: string; history: string[]; errorsBefore: number; probe?: Probe },
  findings: Findings,
): boolean {
  const base = { host: ctx.host, command: ctx.line, where: ctx.where, history: [...ctx.history] };
  let rebuild = false;
  if (o.hung) {
    findings.add({ ...base, kind: "hang", detail: `did not finish within ${HANG_MS} ms of wall time (virtual clock): a loop that never waits, or a wait nobody ends` });
    rebuild = true;
  } else if ("rejected" in o) {
    const e = o.rejected;
    findings.add({ ...base, kind: "exec-rejected", detail: `${ctx.probe ? "the probe" : "exec()"} rejected: ${e instanceof Error ? trimStack(e.stack ?? e.message) : String(e)}` });
    rebuild = true;
  } else if (ctx.probe) {
    // A word the fuzz typed itself (a namespace named NaN) may come back in a trace.
    const problems = ctx.probe.check(o.result).filter((p) => {
      if (!p.startsWith(SUSPICIOUS_TAG)) return true;
      const word = p.slice(SUSPICIOUS_TAG.length, p.indexOf(":", SUSPICIOUS_TAG.length));
      return !ctx.history.some((l) => l.includes(word));
    });
    if (problems.length) findings.add({ ...base, kind: "bad-result", detail: problems.slice(0, 3).join("\n") });
  } else {
    const r = (o.result ?? {}) as { stdout: unknown; stderr: unknown; exitCode: unknown };
    const problems: string[] = [];
    if (typeof r.stdout !== "string") problems.push(`stdout is ${typeof r.stdout}`);
    if (typeof r.stderr !== "string") problems.push(`stderr is ${typeof r.stderr}`);
    if (typeof r.exitCode !== "number" || !Number.isInteger(r.exitCode) || r.exitCode < 0 || r.exitCode > 255) problems.push(`exitCode is ${String(r.exitCode)}`);
    if (problems.length) findings.add({ ...base, kind: "bad-result", detail: problems.join("; ") });
    else {
      const text = `${r.stdout as string}\n${r.stderr as string}`;
      const m = SUSPICIOUS.exec(text);
      // Only when the word did not come from the fuzz (a chain, namespace or comment named NaN prints back).
      if (m && !ctx.history.some((l) => l.includes(m[0]))) {
        const lineWith = text.split("\n").find((l) => l.includes(m[0])) ?? "";
        findings.add({ ...base, kind: "suspicious-output", detail: `output contains "${m[0]}" (exit ${r.exitCode as number}): ${lineWith.trim().slice(0, 200)}` });
      }
    }
  }
  const errs = ctx.world.sim.internalErrors;
  for (const e of errs.slice(ctx.errorsBefore)) {
    findings.add({ ...base, kind: "internal-error", detail: `a tool threw (caught at the tool boundary):\n${trimStack(e.error)}\nwhile running: ${e.command}` });
    // A mutation that threw halfway leaves a state nobody meant; the next finding would be its echo.
    rebuild = true;
  }
  errs.splice(0);
  const broken = checkInvariants(ctx.world.sim);
  if (broken.length) {
    for (const b of broken.slice(0, 5)) findings.add({ ...base, kind: "invariant", detail: b });
    rebuild = true;
  }
  return rebuild;
}

/** The first frames of a stack that are ours (not node_modules or node:internal). */
function trimStack(stack: string): string {
  const lines = stack.split("\n");
  const head = lines[0];
  const frames = lines.slice(1).filter((l) => !l.includes("node_modules") && !l.includes("node:internal")).slice(0, 8);
  return [head, ...frames].join("\n");
}

function pickHost(r: Prng, world: World): string {
  if (r.chance(0.85)) return "lab-host";
  return r.pick(world.machineNames());
}

let lab: LabWorld | undefined;
let walk: WalkApi = {};
let walkLoading: Promise<WalkApi> | undefined;

async function freshWorld(): Promise<LabWorld> {
  walk = await (walkLoading ??= loadWalk());
  const w = await buildLabWorld(PRESET);
  startServers(w.world, walk);
  // Anything the build itself tripped over is reported by the preset test, not counted here.
  w.world.sim.internalErrors.splice(0);
  return w;
}

test(`preset ${PRESET} builds through the shell`, async (t) => {
  lab = await freshWorld();
  if (lab.via === "preset") {
    t.diagnostic(`built through the shell in ${lab.buildMs.toFixed(1)} ms`);
    return;
  }
  const missing = /command not found/.test(lab.presetError ?? "");
  const msg = `setup failed: ${lab.presetError}\nfallback built through the model API: ${lab.modelLines.length} line(s)${lab.skipped.length ? `; not applied: ${lab.skipped.join(" | ")}` : ""}`;
  if (missing) t.skip(`a tool is still missing (${msg.split("\n")[0]}); the fuzz runs on the model-built world`);
  else assert.fail(`${PRESET} does not build through its own setup lines: ${msg}`);
});

test(`fuzz: ${COUNT} random ip/iptables/ping command lines on ${PRESET} (seed ${SEED})`, { timeout: 10 * 60_000 }, async (t) => {
  console.log(`net-fuzz: seed ${SEED} (FUZZ_SEED=${SEED} reproduces), ${COUNT} commands (+ ${Math.round(PROBE_SHARE * 100)}% direct walk probes), a fresh ${PRESET} every ${EPOCH}`);
  const r = new Prng(SEED);
  const findings = new Findings();
  const exitCodes = new Map<string, Map<number, number>>();
  const probes = new Map<string, number>();
  const slowest: { ms: number; line: string }[] = [];
  const t0 = performance.now();
  let world: World | undefined;
  let history: string[] = [];
  let epoch = 0;
  let rebuilds = 0;
  let via = "";
  let commands = 0;
  let i = 0;
  // COUNT counts command lines; the direct probes come on top.
  for (; commands < COUNT; i++) {
    if (!world || i % EPOCH === 0) {
      const w = i === 0 && lab ? lab : await freshWorld();
      world = w.world;
      via = w.via;
      history = [];
      epoch = Math.floor(i / EPOCH);
    }
    const probe = r.chance(PROBE_SHARE) ? randomProbe(r, world.sim, walk) : undefined;
    const host = probe ? "walk" : pickHost(r, world);
    const line = probe ? probe.label : randomCommandLine(r, { sim: world.sim, machine: world.sim.machine(host)! });
    history.push(probe ? line : `@${host} ${line}`);
    const errorsBefore = world.sim.internalErrors.length;
    const ts = performance.now();
    const plain = !probe && plainSafe(line) && r.chance(PLAIN_SHARE);
    const leaksBefore = listenerLeaks.length;
    const o = probe ? await guarded((signal) => probe.run(signal)) : plain ? await runPlain(world.shell(host), line) : await runGuarded(world.shell(host), line);
    const dt = performance.now() - ts;
    if (dt > (slowest[slowest.length - 1]?.ms ?? 0) || slowest.length < 5) {
      slowest.push({ ms: dt, line: probe ? line : `@${host} ${line}` });
      slowest.sort((a, b) => b.ms - a.ms).splice(5);
    }
    if (probe) probes.set(line.split(" ")[1], (probes.get(line.split(" ")[1]) ?? 0) + 1);
    else commands++;
    const tool = line.split(/\s+/)[0] || "(empty)";
    const code = (o.result as { exitCode?: unknown } | undefined)?.exitCode;
    if (!probe && typeof code === "number") {
      const m = exitCodes.get(tool) ?? new Map<number, number>();
      m.set(code, (m.get(code) ?? 0) + 1);
      exitCodes.set(tool, m);
    }
    const where = `step ${i} (epoch ${epoch}, #${history.length} in its world${plain ? ", plain exec" : ""})`;
    await new Promise((res) => setImmediate(res)); // let a warning of this step be emitted
    for (const leak of listenerLeaks.slice(leaksBefore))
      findings.add({ kind: "listener-leak", host, command: line, where, history: [...history], detail: `listeners pile up on an AbortSignal that never fires (one more per run of this command):\n${leak}` });
    if (checkOutcome(o, { world, host, line, where, history, errorsBefore, probe }, findings)) {
      // The state is no longer one the kernel could be in: start again so one bug is not reported a thousand times.
      world = (await freshWorld()).world;
      history = [];
      rebuilds++;
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const codes = [...exitCodes].map(([tool, m]) => `${tool}: ${[...m].sort((a, b) => b[1] - a[1]).map(([c, n]) => `exit ${c}×${n}`).join(", ")}`);
  const probeText = walk.missing ? `no walk probes (${walk.missing})` : `walk probes: ${[...probes].map(([k, n]) => `${k}×${n}`).join(", ")}`;
  const summary = `${commands} commands + ${i - commands} probes in ${secs.toFixed(1)} s (world: ${via}); ${rebuilds} rebuild(s) after a broken invariant or hang; ${probeText}\n${codes.join("\n")}`;
  console.log(`net-fuzz: ${summary}\nslowest steps (wall ms):\n${slowest.map((x) => `  ${x.ms.toFixed(1).padStart(8)}  ${x.line.slice(0, 160)}`).join("\n")}`);
  t.diagnostic(summary.replace(/\n/g, " | "));
  for (const [tool, m] of exitCodes) if (m.get(127) === [...m.values()].reduce((a, b) => a + b, 0)) t.diagnostic(`${tool}: every run answered "command not found" (not there yet)`);
  if (findings.list.length) {
    const path = findings.dump("commands");
    assert.fail(`${findings.report("net-fuzz")}\n\nfull histories: ${path}`);
  }
});

test(`Ctrl+C ends a never-ending ping within ${INTERRUPT_MS} ms (${INTERRUPTS} times, seed ${SEED})`, { timeout: 5 * 60_000 }, async (t) => {
  // On its own world and PRNG stream: how far a ping gets before Ctrl+C depends on wall time, and the
  // main stream must stay reproducible.
  const r = new Prng(SEED).fork(1);
  const findings = new Findings();
  let world = (await freshWorld()).world;
  let history: string[] = [];
  const check = async (o: RunOutcome, c: { host: string; line: string; where: string; errorsBefore: number }) => {
    if (checkOutcome(o, { world, history, ...c }, findings)) {
      world = (await freshWorld()).world;
      history = [];
    }
  };
  let interrupted = 0;
  let finishedAlone = 0;
  let slowest = 0;
  for (let k = 0; k < INTERRUPTS; k++) {
    // Some random commands in between, so the pings meet changing state.
    for (let j = r.int(0, 4); j > 0; j--) {
      const host = pickHost(r, world);
      const line = randomCommandLine(r, { sim: world.sim, machine: world.sim.machine(host)! });
      history.push(`@${host} ${line}`);
      const errorsBefore = world.sim.internalErrors.length;
      await check(await runGuarded(world.shell(host), line), { host, line, where: `filler before interrupt ${k}`, errorsBefore });
    }
    const host = r.chance(0.8) ? "lab-host" : pickHost(r, world);
    const machine = world.sim.machine(host)!;
    const target = randomPingTarget(r, { sim: world.sim, machine });
    const nsNames = [...machine.namespaces.keys()];
    const line = r.weighted<string>([
      [5, `ping ${target}`],
      [2, nsNames.length ? `ip netns exec ${r.pick(nsNames)} ping ${target}` : `ping ${target}`],
      [1, `ping -i 0.2 ${target}`],
      [1, `ping -W 1 ${target}`],
      [1, `ping -q ${target}`],
    ]);
    history.push(`@${host} ${line}   # Ctrl+C`);
    const session = new ShellSession(world.shell(host));
    const errorsBefore = world.sim.internalErrors.length;
    const running: Promise<RunOutcome> = session.run(line).then(
      (result) => ({ result }),
      (rejected: unknown) => ({ rejected }),
    );
    await wallSleep(r.int(0, 25));
    const t0 = performance.now();
    const wasRunning = session.interrupt();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((res) => (timer = setTimeout(() => res("late"), 2_000)));
    const o = await Promise.race([running, late]);
    clearTimeout(timer);
    const dt = performance.now() - t0;
    const where = `interrupt ${k}`;
    if (!wasRunning) finishedAlone++;
    else {
      interrupted++;
      slowest = Math.max(slowest, dt);
      if (o === "late") findings.add({ kind: "hang", host, command: line, where, history: [...history], detail: "still running 2 s after Ctrl+C (soft interrupt and the hard abort after the grace period both ignored)" });
      else if (dt > INTERRUPT_MS) findings.add({ kind: "slow-interrupt", host, command: line, where, history: [...history], detail: `Ctrl+C took ${dt.toFixed(1)} ms of wall time to give the prompt back (limit ${INTERRUPT_MS} ms)` });
    }
    if (o !== "late") await check(o, { host, line, where, errorsBefore });
    else await Promise.race([running, wallSleep(2_000)]);
  }
  const summary = `${interrupted} pings interrupted (slowest ${slowest.toFixed(1)} ms), ${finishedAlone} ended before Ctrl+C (no ping tool, bad target, or no route)`;
  console.log(`net-fuzz Ctrl+C: ${summary}`);
  t.diagnostic(summary);
  if (findings.list.length) {
    const path = findings.dump("interrupt");
    assert.fail(`${findings.report("net-fuzz Ctrl+C")}\n\nfull histories: ${path}`);
  }
});
