// Runs a kube-netlab topology + `@HOST COMMAND` script on the REAL Linux kernel, so the differential
// tests can compare the simulator with it. See kernel-machines.ts for how machines are isolated.

import { ifupCommands } from "../../core/shell/interfaces-file";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import type { TopologySpec, MachineSpec, NicSpec } from "../../core/net/topology";
import type { CommandResult } from "../../core/script/types";
import {
  exec,
  execBackground,
  newRunDir,
  probeKernel,
  removeRunDir,
  shq,
  startHolder,
  stopGroup,
  stopHolder,
  type Holder,
} from "./kernel-machines";

export interface KernelRunOptions {
  /** Per-command timeout (default 10 s). */
  timeoutMs?: number;
}

export interface ScriptLine {
  host: string;
  command: string;
  /** 1-based line number in the script text. */
  line: number;
}

const ECHO_SERVER = fileURLToPath(new URL("./echo-server.mjs", import.meta.url));

let availability: { ok: boolean; why?: string } | undefined;

/** Whether the real-kernel side can run here (root, tools present, a probe namespace can be built). */
export function kernelAvailable(): { ok: boolean; why?: string } {
  if (!availability) {
    try {
      availability = probeKernel();
    } catch (e) {
      availability = { ok: false, why: `probe failed: ${(e as Error).message}` };
    }
  }
  return availability;
}

/** `@HOST COMMAND` lines; `#` comments and blank lines are ignored. */
export function parseScript(script: string): ScriptLine[] {
  const out: ScriptLine[] = [];
  const raw = script.split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    const lineNo = i + 1;
    let text = raw[i];
    // A trailing backslash joins the next line, as in the shell (and in the simulator's parser).
    while (text.endsWith("\\") && i + 1 < raw.length) text = text.slice(0, -1) + " " + raw[++i];
    const line = text.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^@(\S+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`script line ${lineNo}: expected "@HOST COMMAND", got ${JSON.stringify(text)}`);
    out.push({ host: m[1], command: m[2].trim(), line: lineNo });
  }
  return out;
}

/** A command ending in a single `&` runs in the background until the script ends. */
export function isBackground(command: string): boolean {
  return /(^|[^&])&\s*$/.test(command);
}

/** `echo-server` is a simulator program; on the real kernel it is our Node server with the same JSON. */
export function translateForKernel(command: string): string {
  return command.replace(/(^|[\s;(|&])echo-server(?=\s|$)/g, `$1${shq(process.execPath)} ${shq(ECHO_SERVER)}`);
}

interface Link {
  a: { machine: string; nic: NicSpec };
  b: { machine: string; nic: NicSpec } | { switch: string } | null;
}

function collectLinks(topology: TopologySpec): Link[] {
  const machines = new Map(topology.machines.map((m) => [m.name, m]));
  if (machines.size !== topology.machines.length) throw new Error("duplicate machine names in topology");
  const switches = new Set(topology.switches ?? []);
  const links: Link[] = [];
  const done = new Set<string>();
  for (const m of topology.machines) {
    for (const nic of m.nics ?? []) {
      if (nic.name.length > 15) throw new Error(`${m.name}: interface name ${nic.name} longer than 15 characters`);
      const key = `${m.name}:${nic.name}`;
      if (done.has(key)) continue;
      done.add(key);
      if (!nic.link) {
        links.push({ a: { machine: m.name, nic }, b: null });
      } else if (nic.link.startsWith("switch:")) {
        const sw = nic.link.slice("switch:".length);
        if (!switches.has(sw)) throw new Error(`${key}: unknown switch ${sw}`);
        links.push({ a: { machine: m.name, nic }, b: { switch: sw } });
      } else {
        const [other, iface] = nic.link.split(":");
        const om = machines.get(other);
        const onic = om?.nics?.find((n) => n.name === iface);
        if (!om || !onic) throw new Error(`${key}: cabled to unknown NIC ${nic.link}`);
        if (onic.link && onic.link !== key) throw new Error(`${key} -> ${nic.link}, but ${nic.link} -> ${onic.link}`);
        done.add(`${other}:${iface}`);
        links.push({ a: { machine: m.name, nic }, b: { machine: other, nic: onic } });
      }
    }
  }
  return links;
}

const mac = (nic: NicSpec) => (nic.mac ? ` address ${nic.mac}` : "");

/**
 * A machine's NICs get ifindex 2, 3, … in the order the topology lists them (lo is 1), so `ip link`
 * lists them in that order whichever machine's build step happened to create a shared cable first.
 */
function ifindexOf(topology: TopologySpec, machine: string, nic: string): number {
  const m = topology.machines.find((x) => x.name === machine);
  return 2 + (m?.nics ?? []).findIndex((n) => n.name === nic);
}

/** The real-kernel twin of a topology; `close()` removes every trace of it. */
export class KernelLab {
  private holders = new Map<string, Holder>();
  private switchHolders = new Map<string, Holder>();
  private voidHolder?: Holder;
  private background: { holder: Holder; pgid: number }[] = [];
  private readonly runDir = newRunDir();

  private constructor(private readonly topology: TopologySpec) {}

  static async build(topology: TopologySpec): Promise<KernelLab> {
    const lab = new KernelLab(topology);
    try {
      await lab.buildNetwork();
    } catch (e) {
      await lab.close();
      throw e;
    }
    return lab;
  }

  private async buildNetwork(): Promise<void> {
    const links = collectLinks(this.topology);
    const starts: Promise<void>[] = [];
    const disk = await machineDisk();
    for (const m of this.topology.machines)
      starts.push(
        startHolder("machine", m.name, this.runDir, { ...disk(m.name), ...m.files }).then((h) => void this.holders.set(m.name, h)),
      );
    for (const s of this.topology.switches ?? [])
      starts.push(startHolder("switch", s, this.runDir).then((h) => void this.switchHolders.set(s, h)));
    if (links.some((l) => l.b === null))
      starts.push(startHolder("void", "void", this.runDir).then((h) => void (this.voidHolder = h)));
    await Promise.all(starts);

    const perMachine = new Map<string, string[]>();
    const perSwitch = new Map<string, string[]>();
    const peerUp = new Map<string, string[]>();
    const push = (map: Map<string, string[]>, k: string, cmd: string) => map.set(k, [...(map.get(k) ?? []), cmd]);
    const topo = this.topology;
    links.forEach((l, i) => {
      const { machine, nic } = l.a;
      const self = `${nic.name} index ${ifindexOf(topo, machine, nic.name)}${mac(nic)}`;
      if (l.b === null) {
        push(perMachine, machine, `ip link add ${self} type veth peer name nc${i} netns ${this.voidHolder!.pid}`);
      } else if ("switch" in l.b) {
        push(perMachine, machine, `ip link add ${self} type veth peer name p${i} netns ${this.switchHolders.get(l.b.switch)!.pid}`);
        push(perSwitch, l.b.switch, `ip link set p${i} master br0 && ip link set p${i} up`);
      } else {
        const other = this.holders.get(l.b.machine)!;
        const peer = `${l.b.nic.name} index ${ifindexOf(topo, l.b.machine, l.b.nic.name)}${mac(l.b.nic)}`;
        push(perMachine, machine, `ip link add ${self} type veth peer name ${peer} netns ${other.pid}`);
        push(peerUp, l.b.machine, `ip link set ${l.b.nic.name} up`);
      }
      push(perMachine, machine, `ip link set ${nic.name} up`);
    });
    // Machines first (they create the pairs), then the far ends.
    await Promise.all([...perMachine].map(([m, cmds]) => this.mustRun(this.holders.get(m)!, cmds)));
    await Promise.all([
      ...[...peerUp].map(([m, cmds]) => this.mustRun(this.holders.get(m)!, cmds)),
      ...[...perSwitch].map(([s, cmds]) => this.mustRun(this.switchHolders.get(s)!, cmds)),
    ]);
    // Switch ports are veths too: a frame sent before the kernel activated their qdisc is dropped.
    await Promise.all([...this.holders.values(), ...this.switchHolders.values()].map((h) => settle(h)));
    for (const m of this.topology.machines) await this.runSetup(m);
    // Give the kernel one linkwatch period after the build: in larger topologies the first forwarded
    // ping was otherwise lost about 1 run in 3 under load (its reply arrived after `ping -W 1` gave up),
    // with every link already reporting up. 1.1 s removed it (0 of 10 under load).
    await new Promise((r) => setTimeout(r, 1100));
  }

  private async mustRun(h: Holder, cmds: string[]): Promise<void> {
    const r = await exec(h, `set -e\n${cmds.join("\n")}`);
    if (r.exitCode !== 0) throw new Error(`building ${h.kind} ${h.name} failed: ${r.stderr}\n${cmds.join("\n")}`);
  }

  private async runSetup(m: MachineSpec): Promise<void> {
    // Boot as the simulator's machines do (core/shell/boot.ts): systemd-sysctl applies /etc/sysctl.conf
    // and /etc/sysctl.d, ifupdown brings up /etc/network/interfaces; then the setup lines.
    const files = m.files ?? {};
    const boot: string[] = [];
    for (const f of ["/etc/sysctl.conf", ...Object.keys(files).filter((f) => /^\/etc\/sysctl\.d\/[^/]+\.conf$/.test(f)).sort()])
      if (files[f] !== undefined) boot.push(`sysctl -q -p ${f} >/dev/null 2>&1 || true`);
    if (files["/etc/network/interfaces"] !== undefined) boot.push(...ifupCommands(files["/etc/network/interfaces"]));
    for (const line of [...boot, ...(m.setup ?? [])]) {
      const r = await this.run(m.name, line);
      if (r.exitCode !== 0)
        throw new Error(`setup of ${m.name} failed at ${JSON.stringify(line)} (exit ${r.exitCode}): ${r.stderr}${r.stdout}`);
    }
  }

  /** Run one command line at HOST's prompt. */
  async run(host: string, command: string, timeoutMs = 10_000): Promise<CommandResult> {
    const h = this.holders.get(host);
    if (!h) throw new Error(`unknown host ${host}`);
    const real = translateForKernel(command);
    if (isBackground(command)) {
      const body = real.replace(/&\s*$/, "");
      const { pgid, log } = execBackground(h, body);
      this.background.push({ holder: h, pgid });
      await waitForStart(log, real !== command);
      return { host, command, stdout: "", stderr: "", exitCode: 0 };
    }
    const r = await exec(h, real, timeoutMs);
    return { host, command, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
  }

  async close(): Promise<void> {
    for (const b of this.background) stopGroup(b.holder, b.pgid);
    this.background = [];
    for (const h of [...this.holders.values(), ...this.switchHolders.values()]) stopHolder(h);
    if (this.voidHolder) stopHolder(this.voidHolder);
    this.holders.clear();
    this.switchHolders.clear();
    removeRunDir(this.runDir);
  }
}

/**
 * Waits (at most ~3 s) until every NIC with carrier reports operstate "up" and every bridge port forwards. The kernel's linkwatch
 * defers that update by up to a second when a veth's peer has the same ifindex (cables between two
 * machines' NICs at the same position), and `ip link` would show the transient NO-CARRIER/DOWN.
 */
async function settle(h: Holder): Promise<void> {
  // A bridge port that gains carrier becomes `forwarding` (brport/state 3) only when linkwatch runs,
  // and linkwatch runs at most about once a second: until then the switch drops frames, and the first
  // ARP of a scenario can be lost and retried a second later, after `ping -W 1` has given up.
  await exec(
    h,
    `for i in $(seq 60); do ok=1
       for d in /sys/class/net/*; do
         c=$(cat $d/carrier 2>/dev/null); o=$(cat $d/operstate)
         [ "$c" = 1 ] && [ "$o" != up ] && [ "$o" != unknown ] && ok=0
         [ "$c" = 1 ] && [ -f $d/brport/state ] && [ "$(cat $d/brport/state)" != 3 ] && ok=0
       done
       [ $ok = 1 ] && exit 0; sleep 0.05; done`,
  );
}

/**
 * The /etc files a machine starts with: the simulator's own defaults (core/shell/default-files.ts) when
 * present, so both sides boot from the same disk, else a minimal Debian-style set. Files are inputs, not
 * behaviour, so sharing them hides nothing. The resolv.conf points at a resolver that is not running,
 * which makes name lookups fail at once (`route`, `iptables -L` without -n stay fast).
 */
async function machineDisk(): Promise<(hostname: string) => Record<string, string>> {
  const minimal = (name: string): Record<string, string> => ({
    "/etc/hostname": `${name}\n`,
    "/etc/hosts": `127.0.0.1\tlocalhost\n127.0.1.1\t${name}\n`,
    "/etc/resolv.conf": "nameserver 127.0.0.53\n",
  });
  let simulated: ((name: string) => Record<string, string>) | undefined;
  try {
    const url = new URL("../../core/shell/default-files.ts", import.meta.url).href;
    simulated = ((await import(url)) as { defaultFiles?: (name: string) => Record<string, string> }).defaultFiles;
  } catch {
    simulated = undefined;
  }
  return (name) => {
    const files = { ...minimal(name), ...(simulated ? simulated(name) : {}) };
    return Object.fromEntries(Object.entries(files).filter(([path]) => path.startsWith("/etc/")));
  };
}

async function waitForStart(log: string, isEchoServer: boolean): Promise<void> {
  if (!isEchoServer) return sleep(150);
  // Node takes longer than 150 ms to start; echo-server.mjs prints "listening" once bound.
  for (let i = 0; i < 60; i++) {
    let text = "";
    try {
      text = readFileSync(log, "utf8");
    } catch {
      /* not yet */
    }
    if (text.includes("listening") || text.includes("echo-server:")) return;
    await sleep(50);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Build the topology on the real kernel, run every machine's setup lines, then the script.
 * Returns one result per script command (setup lines are not reported; a failing setup line throws).
 */
export async function runOnKernel(
  topology: TopologySpec,
  script: string,
  opts: KernelRunOptions = {},
): Promise<CommandResult[]> {
  const lines = parseScript(script);
  for (const l of lines)
    if (!topology.machines.some((m) => m.name === l.host)) throw new Error(`script line ${l.line}: unknown host @${l.host}`);
  const lab = await KernelLab.build(topology);
  try {
    const results: CommandResult[] = [];
    for (const l of lines) results.push(await lab.run(l.host, l.command, opts.timeoutMs ?? 10_000));
    return results;
  } finally {
    await lab.close();
  }
}
