// The world the fuzz test and the benchmark start from: a preset built the ordinary way (its setup
// lines typed at each machine's shell) or, while a tool those lines need is still missing or refuses a
// line, the same state built through the model API. The fallback understands exactly the setup lines
// the presets use; anything else it reports as skipped.
import { World } from "../../core/script/world";
import { getPreset } from "../../core/presets/index";
import type { TopologySpec } from "../../core/net/topology";
import type { SimulationOptions } from "../../core/net/simulation";
import type { NetNamespace } from "../../core/net/namespace";
import type { Machine } from "../../core/net/machine";
import { TABLE_MAIN } from "../../core/net/routes";
import { parseCidr, parseIPv4 } from "../../core/net/ip";
import { ifupCommands } from "../../core/shell/interfaces-file";

export interface LabWorld {
  world: World;
  /** "preset": every setup line ran through the shell and succeeded. "model": the fallback built some of it. */
  via: "preset" | "model";
  /** Why the preset build failed (first error), when it did. */
  presetError?: string;
  /** Setup lines the fallback applied through the model API, and lines it could not apply at all. */
  modelLines: string[];
  skipped: string[];
  buildMs: number;
}

export async function buildLabWorld(preset: string, opts: SimulationOptions = {}): Promise<LabWorld> {
  const spec = getPreset(preset);
  if (!spec) throw new Error(`no preset named ${preset}`);
  const t0 = performance.now();
  let presetError: string;
  try {
    const world = await World.fromTopology(spec, opts);
    const buildMs = performance.now() - t0;
    // Boot applies /etc/network/interfaces through `ip` and only logs what failed.
    const bootProblems = [...world.sim.machines.values()].flatMap((m) => m.kernelLog.filter((l) => l.startsWith("ifup: ")).map((l) => `${m.name}: ${l}`));
    if (bootProblems.length === 0) return { world, via: "preset", modelLines: [], skipped: [], buildMs };
    presetError = `boot could not apply /etc/network/interfaces: ${bootProblems.join("; ")}`;
  } catch (e) {
    presetError = e instanceof Error ? e.message : String(e);
  }
  const t1 = performance.now();
  const fb = await buildWithFallback(spec, opts);
  return { ...fb, via: "model", presetError, buildMs: performance.now() - t1 };
}

/** Builds `spec` without its setup lines, then runs each line in the shell and, where that fails, through the model. */
async function buildWithFallback(spec: TopologySpec, opts: SimulationOptions): Promise<Omit<LabWorld, "via" | "presetError" | "buildMs">> {
  const bare: TopologySpec = { ...spec, machines: spec.machines.map((m) => ({ ...m, setup: [] })) };
  const world = await World.fromTopology(bare, opts);
  const modelLines: string[] = [];
  const skipped: string[] = [];
  for (const m of spec.machines) {
    const machine = world.sim.machine(m.name)!;
    const shell = world.shell(m.name);
    // What boot's ifup could not do (the commands it logged as failed), then the setup lines.
    let interfaces = "";
    try {
      interfaces = await shell.disk.readFile("/etc/network/interfaces");
    } catch {
      // no such file: nothing was configured at boot
    }
    const failedAtBoot = ifupCommands(interfaces).filter((c) => machine.kernelLog.some((l) => l.startsWith(`ifup: ${c}:`)));
    for (const line of [...failedAtBoot, ...(m.setup ?? [])]) {
      const before = world.sim.internalErrors.length;
      const r = await shell.exec(line);
      // A line that threw inside a tool is the fuzz test's business; here it only has to build.
      world.sim.internalErrors.splice(before);
      if (r.exitCode === 0) continue;
      try {
        if (applyWithModel(machine, line)) modelLines.push(`@${m.name} ${line}`);
        else skipped.push(`@${m.name} ${line}  (${r.stderr.trim() || `exit ${r.exitCode}`})`);
      } catch (e) {
        // Half applied by the tool before it failed (EEXIST…): what is there is what we get.
        skipped.push(`@${m.name} ${line}  (model: ${e instanceof Error ? e.message : String(e)})`);
      }
    }
  }
  return { world, modelLines, skipped };
}

/**
 * The setup lines of the presets, through the model API. Returns false for a line it does not know
 * (ping, iptables: nothing to build, or nothing it can build without the tool).
 */
export function applyWithModel(machine: Machine, line: string): boolean {
  let words = line.trim().split(/\s+/);
  if (words[0] === "sysctl") {
    const kv = words.find((w) => w.includes("="));
    if (!kv) return false;
    const [k, v] = kv.split("=");
    return machine.root.sysctl.set(k, v);
  }
  if (words[0] !== "ip") return false;
  words = words.slice(1);
  let ns: NetNamespace = machine.root;
  if (words[0] === "-n") {
    const named = machine.netns(words[1]);
    if (!named) throw new Error(`no netns ${words[1]}`);
    ns = named;
    words = words.slice(2);
  }
  const dev = (name: string) => {
    const i = ns.byName(name);
    if (!i) throw new Error(`no device ${name} in ${ns.label}`);
    return i;
  };
  const [obj, verb, ...rest] = words;
  if (obj === "netns" && verb === "add") {
    machine.addNetns(rest[0]);
    return true;
  }
  if (obj === "link" && verb === "add") {
    const [name, , kind] = rest;
    if (kind === "veth") ns.createVethPair(name, rest[rest.indexOf("name") + 1]);
    else ns.createInterface(kind as "bridge" | "dummy", name);
    return true;
  }
  if (obj === "link" && verb === "set") {
    const args = rest[0] === "dev" ? rest.slice(1) : rest;
    const iface = dev(args[0]);
    for (let i = 1; i < args.length; i++) {
      const a = args[i];
      if (a === "up" || a === "down") ns.setAdminState(iface, a === "up");
      else if (a === "master") ns.setMaster(iface, dev(args[++i]));
      else if (a === "nomaster") ns.setMaster(iface, undefined);
      else if (a === "netns") {
        const target = machine.netns(args[++i]);
        if (!target) throw new Error(`no netns ${args[i]}`);
        ns.moveInterface(iface, target);
      } else return false;
    }
    return true;
  }
  if (obj === "addr" && verb === "add") {
    const c = parseCidr(rest[0]);
    if (!c) return false;
    ns.addAddress(dev(rest[rest.indexOf("dev") + 1]), c.addr, c.len);
    return true;
  }
  if (obj === "route" && verb === "add") {
    const dst = rest[0] === "default" ? { addr: 0, len: 0 } : parseCidr(rest[0]);
    const gw = rest.includes("via") ? parseIPv4(rest[rest.indexOf("via") + 1]) : undefined;
    if (!dst) return false;
    const viaRoute = gw !== undefined ? ns.routes.lookup(gw) : undefined;
    const device = rest.includes("dev") ? dev(rest[rest.indexOf("dev") + 1]) : viaRoute?.dev;
    if (!device) throw new Error(`gateway of "${line}" is not reachable`);
    ns.routes.add({ table: TABLE_MAIN, type: "unicast", dst: dst.addr, prefixLen: dst.len, gateway: gw, dev: device, proto: "boot", scope: gw !== undefined ? "global" : "link", metric: 0, onlink: false });
    ns.machine.sim.changed(ns);
    return true;
  }
  return false;
}
