// `bridge` (iproute2 6.1): link [show|set], fdb [show], vlan [show]; and bridge-utils' `brctl show`.
// The kernel modelled has VLAN filtering compiled in (off): every bridge and port has PVID 1.
import type { NetInterface } from "../../../net/interface";
import type { NetNamespace } from "../../../net/namespace";
import type { Tool, ToolContext, ToolResult } from "../../tool";
import { IpExit, die, matches, onOff } from "./args";
import { USAGE_BRCTL, USAGE_BRIDGE, USAGE_BRIDGE_FDB, USAGE_BRIDGE_LINK, USAGE_BRIDGE_VLAN } from "./help";
import { linkFlags, nameWithLink, portState } from "./link-format";

/** Learned entries age out after the bridge's ageing_time (300 s). */
const AGEING_MS = 300_000;

interface BrCtx {
  ns: NetNamespace;
  now: number;
  details: boolean;
  out: string[];
}

function portCost(p: NetInterface): number {
  return p.kind === "ether" ? 4 : 2;
}

/** The `[dev DEV]` filter of `bridge … show` (plus keywords that take a value and are ignored). */
function showFilter(c: BrCtx, args: string[], usage: string, skipped: string[] = []): NetInterface | undefined {
  let dev: NetInterface | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "dev") {
      const name = args[++i];
      if (name === undefined) die(`Command line is not complete. Try option "help"`);
      dev = c.ns.byName(name);
      if (!dev) die(`Cannot find device "${name}"`, 1);
    } else if (skipped.includes(args[i])) i++;
    else die(usage);
  }
  return dev;
}

function bridgeLink(c: BrCtx, argv: string[]): void {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || matches(cmd, "show") || matches(cmd, "list") || matches(cmd, "lst")) {
    const dev = showFilter(c, cmd === undefined ? [] : rest, USAGE_BRIDGE_LINK);
    for (const p of c.ns.list()) {
      if (!p.master || p.master.kind !== "bridge" || (dev && p !== dev)) continue;
      c.out.push(`${p.ifindex}: ${nameWithLink(p, c.ns)}: <${linkFlags(p, c.ns).join(",")}> mtu ${p.mtu} master ${p.master.name} state ${portState(p)} priority 32 cost ${portCost(p)} \n`);
      if (c.details) {
        c.out.push(
          `    hairpin ${p.hairpin ? "on" : "off"} guard off root_block off fastleave off learning on flood on mcast_flood on bcast_flood on mcast_router 1 mcast_to_unicast off neigh_suppress off vlan_tunnel off isolated off locked off \n`,
        );
      }
    }
    return;
  }
  if (matches(cmd, "set") || matches(cmd, "change")) {
    let dev: NetInterface | undefined;
    let hairpin: boolean | undefined;
    for (let i = 0; i < rest.length; i++) {
      const w = rest[i];
      const val = () => {
        if (i + 1 >= rest.length) die(`Command line is not complete. Try option "help"`);
        return rest[++i];
      };
      if (w === "dev") {
        const name = val();
        dev = c.ns.byName(name);
        if (!dev) die(`Cannot find bridge device "${name}"`);
      } else if (["guard", "hairpin", "fastleave", "root_block", "learning", "learning_sync", "flood", "mcast_flood", "bcast_flood", "mcast_to_unicast", "neigh_suppress", "vlan_tunnel", "isolated", "locked"].includes(w)) {
        const v = val();
        if (v !== "on" && v !== "off") die(`Error: argument of "${w}" must be one of "off", "on", not "${v}"`, 234);
        if (w === "hairpin") hairpin = v === "on";
      } else if (["cost", "priority", "state", "mcast_router", "hwmode", "backup_port"].includes(w)) val();
      else if (w === "nobackup_port" || w === "self" || w === "master") {
        // accepted
      } else die(USAGE_BRIDGE_LINK);
    }
    if (!dev) die("Device is a required argument.");
    if (hairpin !== undefined) {
      if (!dev!.master) die("RTNETLINK answers: Operation not supported", 255);
      dev!.hairpin = hairpin;
      c.ns.machine.sim.changed(c.ns);
    }
    return;
  }
  if (matches(cmd, "help")) die(USAGE_BRIDGE_LINK);
  die(`Command "${cmd}" is unknown, try "bridge link help".`);
}

/** Multicast addresses a device's own (self) FDB holds: all-nodes always, the rest once it is up. */
function selfEntries(d: NetInterface): string[] {
  if (d.kind === "loopback" || d.kind === "dummy") return [];
  const out = ["33:33:00:00:00:01"];
  if (!d.adminUp) return out;
  if (d.kind === "bridge") out.push("01:00:5e:00:00:6a", "33:33:00:00:00:6a");
  out.push("01:00:5e:00:00:01", `33:33:ff:${d.mac.split(":").slice(3).join(":")}`);
  return out;
}

function bridgeFdb(c: BrCtx, argv: string[]): void {
  const [cmd, ...rest] = argv;
  if (cmd !== undefined && !(matches(cmd, "show") || matches(cmd, "list") || matches(cmd, "lst"))) {
    if (matches(cmd, "help")) die(USAGE_BRIDGE_FDB);
    if (["add", "append", "del", "delete", "replace", "get", "flush"].some((k) => matches(cmd, k))) die("RTNETLINK answers: Operation not supported", 255);
    die(`Command "${cmd}" is unknown, try "bridge fdb help".`);
  }
  const args = cmd === undefined ? [] : rest;
  let br: NetInterface | undefined;
  let dev: NetInterface | undefined;
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    const val = () => {
      if (i + 1 >= args.length) die(`Command line is not complete. Try option "help"`);
      return args[++i];
    };
    if (w === "br" || w === "brport" || w === "dev") {
      const name = val();
      const d = c.ns.byName(name);
      if (!d) die(`Cannot find bridge device "${name}"`);
      if (w === "br") br = d;
      else dev = d;
    } else if (w === "vlan" || w === "state") val();
    else if (w === "dynamic") {
      // accepted
    } else die(USAGE_BRIDGE_FDB);
  }
  const devPart = (d: NetInterface) => (dev ? "" : ` dev ${d.name}`);
  for (const d of c.ns.list()) {
    if (dev && d !== dev) continue;
    if (br && d !== br && d.master !== br) continue;
    const lines: string[] = [];
    const master = d.master?.kind === "bridge" ? d.master : undefined;
    if (master) {
      for (const [mac, e] of master.fdb!) {
        if (e.port !== d || e.local || c.now - e.updated > AGEING_MS) continue;
        lines.push(`${mac}${devPart(d)} master ${master.name} `);
      }
      lines.push(`${d.mac}${devPart(d)} vlan 1 master ${master.name} permanent`, `${d.mac}${devPart(d)} master ${master.name} permanent`);
    }
    for (const m of selfEntries(d)) lines.push(`${m}${devPart(d)} self permanent`);
    if (d.kind === "bridge" && ![...(d.ports ?? [])].some((p) => p.mac === d.mac)) {
      lines.push(`${d.mac}${devPart(d)} vlan 1 master ${d.name} permanent`, `${d.mac}${devPart(d)} master ${d.name} permanent`);
    }
    for (const l of lines) c.out.push(l + "\n");
  }
}

function bridgeVlan(c: BrCtx, argv: string[]): void {
  const [cmd, ...rest] = argv;
  if (cmd !== undefined && !(matches(cmd, "show") || matches(cmd, "list") || matches(cmd, "lst"))) {
    if (matches(cmd, "help")) die(USAGE_BRIDGE_VLAN);
    if (["add", "delete", "set", "tunnelshow", "global"].some((k) => matches(cmd, k))) die("RTNETLINK answers: Operation not supported", 255);
    die(`Command "${cmd}" is unknown, try "bridge vlan help".`);
  }
  const dev = showFilter(c, cmd === undefined ? [] : rest, USAGE_BRIDGE_VLAN, ["vid"]);
  c.out.push("port              vlan-id  \n");
  for (const d of c.ns.list()) {
    if (dev && d !== dev) continue;
    if (d.kind !== "bridge" && d.master?.kind !== "bridge") continue;
    c.out.push(`${d.name.padEnd(16)}  1 PVID Egress Untagged\n`);
  }
}

export async function runBridge(tool: ToolContext): Promise<ToolResult> {
  const c: BrCtx = { ns: tool.ns, now: tool.sim.clock.now(), details: false, out: [] };
  try {
    const args = tool.args;
    let i = 0;
    for (; i < args.length && args[i].startsWith("-"); i++) {
      let opt = args[i];
      if (opt === "--") {
        i++;
        break;
      }
      if (opt[1] === "-") opt = opt.slice(1);
      if (matches(opt, "-Version")) return { stdout: "bridge utility, 6.1.0\n", stderr: "", exitCode: 0 };
      if (matches(opt, "-help")) die(USAGE_BRIDGE);
      if (matches(opt, "-details")) c.details = true;
      else if (matches(opt, "-netns")) {
        const name = args[++i];
        const ns = name === undefined ? undefined : tool.ns.machine.netns(name);
        if (!ns) die(`Cannot open network namespace "${name ?? "(null)"}": No such file or directory`);
        c.ns = ns!;
      } else if (matches(opt, "-batch")) die(`Cannot open file "${args[++i] ?? ""}" for reading: No such file or directory`, 1);
      else if (
        matches(opt, "-stats") || matches(opt, "-statistics") || matches(opt, "-oneline") || matches(opt, "-timestamp") || matches(opt, "-tshort") ||
        matches(opt, "-compressvlans") || matches(opt, "-force") || matches(opt, "-json") || matches(opt, "-pretty") || /^-col(o(r(=.*)?)?)?$/.test(opt) || opt === "-4" || opt === "-6"
      ) {
        // accepted
      } else die(`Option "${opt}" is unknown, try "bridge help".`);
    }
    if (i >= args.length) die(USAGE_BRIDGE);
    const obj = args[i];
    const rest = args.slice(i + 1);
    if (matches(obj, "link")) bridgeLink(c, rest);
    else if (matches(obj, "fdb")) bridgeFdb(c, rest);
    else if (matches(obj, "mdb")) {
      // no multicast groups are snooped in the simulator
    } else if (matches(obj, "vlan")) bridgeVlan(c, rest);
    else if (matches(obj, "monitor")) {
      // would block waiting for events
    } else if (matches(obj, "help")) die(USAGE_BRIDGE);
    else die(`Object "${obj}" is unknown, try "bridge help".`);
    return { stdout: c.out.join(""), stderr: "", exitCode: 0 };
  } catch (e) {
    if (!(e instanceof IpExit)) throw e;
    return { stdout: c.out.join(""), stderr: e.stderrText, exitCode: e.code };
  }
}

/** brctl (bridge-utils 1.7): show, addbr, delbr, addif, delif, hairpin. */
export function runBrctl(tool: ToolContext): ToolResult {
  const ns = tool.ns;
  const [cmd, ...rest] = tool.args;
  const ok = (stdout = ""): ToolResult => ({ stdout, stderr: "", exitCode: 0 });
  const err = (stderr: string, exitCode = 1): ToolResult => ({ stdout: "", stderr, exitCode });
  if (cmd === undefined) return { stdout: USAGE_BRCTL, stderr: "", exitCode: 1 };
  const bridgeOf = (name: string) => {
    const b = ns.byName(name);
    return b?.kind === "bridge" ? b : undefined;
  };
  switch (cmd) {
    case "show": {
      let bridges = ns.list().filter((d) => d.kind === "bridge");
      if (rest.length) {
        const missing = rest.filter((n) => !bridgeOf(n));
        if (missing.length) return err(missing.map((n) => `bridge ${n} does not exist!\n`).join(""));
        bridges = rest.map((n) => bridgeOf(n)!);
      }
      let out = "bridge name\tbridge id\t\tSTP enabled\tinterfaces\n";
      for (const b of bridges) {
        const ports = [...(b.ports ?? [])].map((p) => p.name).sort();
        out += `${b.name}\t\t8000.${b.mac.replace(/:/g, "")}\tno\t\t${ports[0] ?? ""}\n`;
        for (const p of ports.slice(1)) out += `\t\t\t\t\t\t\t${p}\n`;
      }
      return ok(out);
    }
    case "addbr": {
      if (rest.length !== 1) return { stdout: USAGE_BRCTL, stderr: "", exitCode: 1 };
      if (ns.byName(rest[0])) return err(`device ${rest[0]} already exists; can't create bridge with the same name\n`);
      ns.createInterface("bridge", rest[0]);
      return ok();
    }
    case "delbr": {
      if (rest.length !== 1) return { stdout: USAGE_BRCTL, stderr: "", exitCode: 1 };
      const b = bridgeOf(rest[0]);
      if (!b) return err(`bridge ${rest[0]} doesn't exist; can't delete it\n`);
      if (b.adminUp) return err(`bridge ${rest[0]} is still up; can't delete it\n`);
      ns.deleteInterface(b);
      return ok();
    }
    case "addif":
    case "delif": {
      if (rest.length !== 2) return { stdout: USAGE_BRCTL, stderr: "", exitCode: 1 };
      const b = bridgeOf(rest[0]);
      if (!b) return err(`bridge ${rest[0]} does not exist!\n`);
      const p = ns.byName(rest[1]);
      if (!p) return err(`interface ${rest[1]} does not exist!\n`);
      if (cmd === "addif") {
        if (p.master === b) return err(`device ${p.name} is already a member of a bridge; can't add it to bridge ${b.name}.\n`);
        if (p.kind === "bridge" || p.kind === "loopback") return err(`can't add ${p.name} to bridge ${b.name}: Invalid argument\n`);
        ns.setMaster(p, b);
      } else {
        if (p.master !== b) return err(`device ${p.name} is not a slave of ${b.name}\n`);
        ns.setMaster(p, undefined);
      }
      return ok();
    }
    case "hairpin": {
      if (rest.length !== 3) return { stdout: USAGE_BRCTL, stderr: "", exitCode: 1 };
      const p = ns.byName(rest[1]);
      if (!bridgeOf(rest[0]) || !p || p.master !== bridgeOf(rest[0])) return err(`bridge ${rest[0]} does not exist!\n`);
      try {
        p.hairpin = onOff("hairpin", rest[2]);
      } catch {
        return err(`expect on/off for argument\n`);
      }
      ns.machine.sim.changed(ns);
      return ok();
    }
    default:
      return err(`never heard of command [${cmd}]\n`, 1);
  }
}

export const bridgeTool: Tool = { name: "bridge", run: runBridge };
export const brctlTool: Tool = { name: "brctl", run: runBrctl };
