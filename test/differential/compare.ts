// Command-by-command comparison of a simulator run with a real-kernel run of the same scenario.

import type { CommandResult } from "../../core/script/types";
import { normalizeStderr, normalizeStdout, program, type NormalizeContext } from "./normalize";
import type { CompareMode, Scenario } from "./scenario-kit";

export interface Difference {
  index: number;
  host: string;
  command: string;
  mode: CompareMode;
  what: string;
  simulator: string;
  kernel: string;
}

/** What a ping run tells about the network, without timings. */
export interface PingOutcome {
  header: string;
  transmitted: number;
  received: number;
  errors: number;
  /** `IP ttl=T` for every reply, sorted. */
  replies: string[];
  /** `From X <message>` lines without icmp_seq, deduplicated and sorted. */
  from: string[];
  /** Anything else on stdout that is neither a reply, an error, a statistic nor blank (normally nothing). */
  other: string[];
}

export function parsePing(stdout: string): PingOutcome {
  const o: PingOutcome = { header: "", transmitted: 0, received: 0, errors: 0, replies: [], from: [], other: [] };
  const from = new Set<string>();
  for (const line of stdout.split("\n")) {
    let m: RegExpExecArray | null;
    if (line.startsWith("PING ")) o.header = line;
    else if ((m = /^\d+ bytes from ([^:]+): icmp_seq=\d+ ttl=(\d+)/.exec(line))) o.replies.push(`${m[1]} ttl=${m[2]}`);
    else if ((m = /^From (\S+)(?: icmp_seq=\d+)? (.*)$/.exec(line))) from.add(`${m[1]} ${m[2]}`);
    else if ((m = /^(\d+) packets transmitted, (\d+) received(?:, \+(\d+) errors)?/.exec(line))) {
      o.transmitted = Number(m[1]);
      o.received = Number(m[2]);
      o.errors = Number(m[3] ?? 0);
    } else if (line.trim() === "" || /^--- .* ping statistics ---$/.test(line) || /^rtt |^pipe \d+$/.test(line)) continue;
    else o.other.push(line);
  }
  o.replies.sort();
  o.from = [...from].sort();
  return o;
}

/** The comparison mode for one command: the scenario's choice, else `ping` for ping, else `normalized`. */
export function modeFor(scenario: Scenario, r: { host: string; command: string }): CompareMode {
  return scenario.compare?.[`@${r.host} ${r.command}`] ?? (program(r.command) === "ping" ? "ping" : "normalized");
}

export function contextFor(scenario: Scenario, hostName: string): NormalizeContext {
  const m = scenario.topology.machines.find((x) => x.name === hostName);
  const text = JSON.stringify(scenario.topology) + scenario.script;
  const known = new Set((text.match(/\b(?:[0-9a-f]{2}:){5}[0-9a-f]{2}\b/gi) ?? []).map((x) => x.toLowerCase()));
  return { machineNics: (m?.nics ?? []).map((n) => n.name), knownMacs: known };
}

/** `cmd&` and `cmd &` are the same script line. */
const sameCommand = (c: string) => c.trim().replace(/([^&])\s*&$/, "$1 &");

export function compareRuns(scenario: Scenario, sim: CommandResult[], kernel: CommandResult[]): Difference[] {
  const diffs: Difference[] = [];
  const n = Math.max(sim.length, kernel.length);
  for (let i = 0; i < n; i++) {
    const s = sim[i];
    const k = kernel[i];
    if (!s || !k || s.host !== k.host || sameCommand(s.command) !== sameCommand(k.command)) {
      diffs.push({
        index: i,
        host: (k ?? s)!.host,
        command: (k ?? s)!.command,
        mode: "exact",
        what: "script results are out of step",
        simulator: s ? `@${s.host} ${s.command}` : "(no result)",
        kernel: k ? `@${k.host} ${k.command}` : "(no result)",
      });
      break;
    }
    diffs.push(...compareCommand(scenario, i, s, k));
  }
  return diffs;
}

export function compareCommand(scenario: Scenario, index: number, s: CommandResult, k: CommandResult): Difference[] {
  const mode = modeFor(scenario, k);
  const out: Difference[] = [];
  const add = (what: string, sim: string, kernel: string) =>
    out.push({ index, host: k.host, command: k.command, mode, what, simulator: sim, kernel });
  if (s.exitCode !== k.exitCode) add("exit code", String(s.exitCode), String(k.exitCode));
  if (mode === "exit-only") return out;
  const se = normalizeStderr(s.stderr);
  const ke = normalizeStderr(k.stderr);
  if (se !== ke) add("stderr", se, ke);
  if (mode === "exact") {
    if (s.stdout !== k.stdout) add("stdout", s.stdout, k.stdout);
  } else if (mode === "ping") {
    const sp = parsePing(s.stdout);
    const kp = parsePing(k.stdout);
    if (sp.header !== kp.header) add("ping header", sp.header, kp.header);
    const stat = (p: PingOutcome) => `${p.transmitted} transmitted, ${p.received} received, +${p.errors} errors`;
    if (stat(sp) !== stat(kp)) add("ping statistics", stat(sp), stat(kp));
    if (sp.replies.join("\n") !== kp.replies.join("\n")) add("ping replies (source, ttl)", sp.replies.join("\n"), kp.replies.join("\n"));
    // The kernel reports a failed ARP resolution only after ~3 s, so compare sources when both printed some.
    if (sp.from.length && kp.from.length && sp.from.join("\n") !== kp.from.join("\n"))
      add("ping `From` lines", sp.from.join("\n"), kp.from.join("\n"));
    if (sp.other.join("\n") !== kp.other.join("\n")) add("ping other output", sp.other.join("\n"), kp.other.join("\n"));
  } else {
    const so = normalizeStdout(s.stdout, s.command, contextFor(scenario, s.host));
    const ko = normalizeStdout(k.stdout, k.command, contextFor(scenario, k.host));
    if (so !== ko) add("stdout (normalized)", so, ko);
  }
  return out;
}

function block(label: string, text: string): string {
  const body = text === "" ? "      (empty)" : text.split("\n").map((l) => `      |${l}`).join("\n");
  return `    ${label}:\n${body}`;
}

export function formatDifferences(scenario: Scenario, diffs: Difference[], limit = 12): string {
  const lines = [`scenario "${scenario.name}": ${diffs.length} difference(s) between the simulator and the real kernel`];
  const byCommand = new Map<number, Difference[]>();
  for (const d of diffs) byCommand.set(d.index, [...(byCommand.get(d.index) ?? []), d]);
  let shown = 0;
  for (const [index, group] of byCommand) {
    if (shown++ === limit) {
      lines.push(`… and ${byCommand.size - limit} more command(s) differ`);
      break;
    }
    const first = group[0];
    lines.push(`- command #${index + 1} @${first.host} ${first.command}  [${first.mode}]`);
    for (const d of group) lines.push(`  ${d.what}:`, block("simulator", d.simulator), block("kernel   ", d.kernel));
  }
  return lines.join("\n");
}
