// arp (net-tools 2.10): shows the namespace's ARP cache as /proc/net/arp lists it (every IPv4 neighbour
// entry but NOARP ones; flags C for a valid entry, M for a permanent one, `(incomplete)` otherwise),
// and adds (-s) or removes (-d) entries the way SIOCSARP/SIOCDARP do.
import type { Tool, ToolContext, ToolResult } from "../../tool";
import type { NetInterface } from "../../../net/interface";
import type { NetNamespace } from "../../../net/namespace";
import { NeighbourTable, type NeighEntry } from "../../../net/neighbour";
import { formatIPv4, inPrefix } from "../../../net/ip";
import { TABLE_LOCAL, TABLE_MAIN } from "../../../net/routes";
import { getopt, getoptMessage, type LongOpts } from "../probe/getopt";
import { readHosts, reverseName } from "../probe/resolve";
import { ARP_USAGE_ERR, ARP_USAGE_OUT } from "./usage";
import { col, netResolve, ToolExit } from "./common";

const LONG: LongOpts = {
  verbose: { arg: false, short: "v" },
  version: { arg: false, short: "V" },
  all: { arg: false, short: "a" },
  delete: { arg: false, short: "d" },
  file: { arg: false, short: "f" },
  numeric: { arg: false, short: "n" },
  set: { arg: false, short: "s" },
  protocol: { arg: true, short: "A" },
  "hw-type": { arg: true, short: "H" },
  device: { arg: true, short: "i" },
  help: { arg: false, short: "h" },
  "use-device": { arg: false, short: "D" },
};

const VALID = new Set(["PERMANENT", "NOARP", "REACHABLE", "PROBE", "STALE", "DELAY"]);
const usageError = () => new ToolExit(3, ARP_USAGE_OUT + ARP_USAGE_ERR);

export const arpTool: Tool = {
  name: "arp",
  run: (ctx) => arp(ctx),
};

interface ArpOpts {
  mode: "show" | "set" | "delete" | "file";
  bsd: boolean;
  numeric: boolean;
  verbose: boolean;
  device?: string;
  hwSet: boolean;
}

async function arp(ctx: ToolContext): Promise<ToolResult> {
  const g = getopt(ctx.args, "A:H:adfp:nsei:t:vh?DNV", LONG);
  const o: ArpOpts = { mode: "show", bsd: false, numeric: false, verbose: false, hwSet: false };
  for (const { opt, arg = "" } of g.opts) {
    switch (opt) {
      case "a":
        o.bsd = true;
        break;
      case "e":
        o.bsd = false;
        break;
      case "n":
        o.numeric = true;
        break;
      case "v":
        o.verbose = true;
        break;
      case "d":
        o.mode = "delete";
        break;
      case "s":
        o.mode = "set";
        break;
      case "f":
        o.mode = "file";
        break;
      case "i":
        o.device = arg;
        break;
      case "H":
      case "t":
        if (arg !== "ether") throw new ToolExit(255, `arp: ${arg}: unknown hardware type.\n`);
        o.hwSet = true;
        break;
      case "A":
      case "p":
        if (arg !== "inet") throw new ToolExit(255, `arp: ${arg}: unknown address family.\n`);
        break;
      case "V":
        return { stdout: "net-tools 2.10\n", stderr: "", exitCode: 0 };
      case "h":
      case "?":
        return { stdout: ARP_USAGE_OUT, stderr: ARP_USAGE_ERR, exitCode: 0 };
      default:
        break;
    }
  }
  if (g.error) throw new ToolExit(3, `${getoptMessage("arp", g.error)}\n${ARP_USAGE_OUT}${ARP_USAGE_ERR}`);
  const args = g.operands;
  switch (o.mode) {
    case "show":
      return show(ctx, o, args);
    case "set":
      return set(ctx, o, args);
    case "delete":
      return del(ctx, o, args);
    case "file":
      throw new ToolExit(255, "arp: cannot open etherfile /etc/ethers !\n");
  }
}

/** The flags /proc/net/arp reports: ATF_COM (0x2) for a valid entry, ATF_PERM (0x4) for a permanent one. */
function flagsOf(e: NeighEntry, now: number): { com: boolean; perm: boolean } {
  const st = NeighbourTable.displayState(e, now);
  return { com: VALID.has(st) && !!e.mac, perm: st === "PERMANENT" };
}

async function show(ctx: ToolContext, o: ArpOpts, args: string[]): Promise<ToolResult> {
  if (args.length > 1) throw usageError();
  let host: string | undefined;
  let hostIp: number | undefined;
  if (args.length === 1) {
    host = args[0];
    hostIp = await netResolve(ctx, host);
    if (hostIp === undefined) throw new ToolExit(255, `${host}: Unknown host\n`);
  }
  const now = ctx.sim.clock.now();
  const entries = ctx.ns.neigh.list().filter((e) => e.state !== "NOARP" && e.dev.ns === ctx.ns);
  const hosts = o.numeric ? [] : await readHosts(ctx);
  let out = "";
  let shown = 0;
  for (const e of entries) {
    if (hostIp !== undefined && e.ip !== hostIp) continue;
    if (o.device !== undefined && e.dev.name !== o.device) continue;
    shown++;
    const { com, perm } = flagsOf(e, now);
    const ip = formatIPv4(e.ip);
    const name = o.numeric ? undefined : reverseName(hosts, e.ip);
    if (o.bsd) {
      let line = `${name ?? "?"} (${ip}) at `;
      line += com ? `${e.mac} [ether] ` : "<incomplete> ";
      if (perm) line += "PERM ";
      out += `${line}on ${e.dev.name}\n`;
    } else {
      if (shown === 1) out += "Address                  HWtype  HWaddress           Flags Mask            Iface\n";
      let line = `${col(name ?? ip, 23)}  `;
      line += com ? `${col("ether", 8)}${col(e.mac ?? "", 20)}` : `${col("", 8)}${col("(incomplete)", 20)}`;
      const flags = (com ? "C" : "") + (perm ? "M" : "");
      out += `${line}${col(flags, 6)}${col("", 15)} ${e.dev.name}\n`;
    }
  }
  if (o.verbose) out += `Entries: ${entries.length}\tSkipped: ${entries.length - shown}\tFound: ${shown}\n`;
  if (shown === 0) {
    if (host !== undefined && !o.bsd) out += `${host} (${formatIPv4(hostIp!)}) -- no entry\n`;
    else if (o.hwSet || host !== undefined || o.device !== undefined) out += `arp: in ${entries.length} entries no match found.\n`;
  }
  return { stdout: out, stderr: "", exitCode: 0 };
}

/** in_ether: hex pairs, `:` optional, a single digit allowed before `:`; anything else is invalid. */
export function parseEther(text: string): string | undefined {
  const bytes: number[] = [];
  let i = 0;
  const hex = (c: string | undefined) => (c !== undefined && /^[0-9a-fA-F]$/.test(c) ? parseInt(c, 16) : undefined);
  while (i < text.length && bytes.length < 6) {
    const hi = hex(text[i++]);
    if (hi === undefined) return undefined;
    const c = text[i];
    let val = hi << 4;
    const lo = hex(c);
    if (lo !== undefined) val |= lo;
    else if (c === ":" || c === undefined) val >>= 4;
    else return undefined;
    if (c !== undefined) i++;
    bytes.push(val & 0xff);
    if (text[i] === ":") i++;
  }
  while (bytes.length < 6) bytes.push(0);
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** The device arp_req_set/arp_req_delete use without -i: an on-link route (RTO_ONLINK) to the address. */
function onlinkDevice(ns: NetNamespace, ip: number): { dev?: NetInterface; errno?: "ENETUNREACH" | "EINVAL" } {
  for (const table of [TABLE_LOCAL, TABLE_MAIN]) {
    let best: { len: number; dev?: NetInterface; local: boolean } | undefined;
    for (const r of ns.routes.table(table)) {
      if (!inPrefix(ip, r.dst, r.prefixLen)) continue;
      if (r.type === "broadcast" && r.dst !== ip) continue;
      if (r.scope === "global" || r.gateway !== undefined) continue;
      if (r.dev && !r.dev.adminUp) continue;
      if (!best || r.prefixLen > best.len) best = { len: r.prefixLen, dev: r.dev, local: r.type === "local" || r.type === "broadcast" };
    }
    if (best) {
      if (best.local || !best.dev || best.dev.kind === "loopback") return { errno: "EINVAL" };
      return { dev: best.dev };
    }
  }
  return { errno: "ENETUNREACH" };
}

const ERRTEXT = { ENETUNREACH: "Network is unreachable", EINVAL: "Invalid argument", ENODEV: "No such device" } as const;

async function set(ctx: ToolContext, o: ArpOpts, args: string[]): Promise<ToolResult> {
  if (args.length === 0) throw new ToolExit(255, "arp: need host name\n");
  const host = args[0];
  const ip = await netResolve(ctx, host);
  if (ip === undefined) throw new ToolExit(255, `${host}: Unknown host\n`);
  if (args.length < 2) throw new ToolExit(255, "arp: need hardware address\n");
  const mac = parseEther(args[1]);
  if (!mac) throw new ToolExit(255, "arp: invalid hardware address\n");
  let perm = true;
  let pub = false;
  for (let i = 2; i < args.length; i++) {
    const w = args[i];
    if (w === "temp") perm = false;
    else if (w === "pub") pub = true;
    else if (w === "priv" || w === "trail" || w === "dontpub" || w === "auto") continue;
    else if (w === "netmask" && i + 1 < args.length) i++;
    else throw usageError();
  }
  const ns = ctx.ns;
  let dev: NetInterface | undefined;
  if (o.device !== undefined) {
    dev = ns.byName(o.device);
    if (!dev) throw new ToolExit(255, "SIOCSARP: No such device\n");
    if (dev.kind === "loopback") throw new ToolExit(255, "SIOCSARP: Invalid argument\n");
  } else if (pub) {
    throw new ToolExit(255, "SIOCSARP: No such device\n");
  } else {
    const r = onlinkDevice(ns, ip);
    if (r.errno) throw new ToolExit(255, `SIOCSARP: ${ERRTEXT[r.errno]}\n`);
    dev = r.dev!;
  }
  ns.neigh.set({ ip, dev, mac, state: perm ? "PERMANENT" : "REACHABLE", confirmed: ctx.sim.clock.now() });
  ctx.sim.changed(ns);
  return { stdout: "", stderr: "", exitCode: 0 };
}

async function del(ctx: ToolContext, o: ArpOpts, args: string[]): Promise<ToolResult> {
  if (args.length === 0) throw new ToolExit(255, "arp: need host name\n");
  const host = args[0];
  const ip = await netResolve(ctx, host);
  if (ip === undefined) throw new ToolExit(255, `${host}: Unknown host\n`);
  for (let i = 1; i < args.length; i++) if (!["pub", "priv", "dontpub", "auto"].includes(args[i])) throw usageError();
  const ns = ctx.ns;
  let devs: NetInterface[];
  if (o.device !== undefined) {
    const d = ns.byName(o.device);
    if (!d) throw new ToolExit(255, "SIOCDARP(dontpub): No such device\n");
    devs = [d];
  } else {
    const r = onlinkDevice(ns, ip);
    devs = r.dev ? [r.dev] : [];
    // Without an on-link route the kernel still finds an existing entry by address.
    if (!devs.length) devs = ns.neigh.list().filter((e) => e.ip === ip).map((e) => e.dev);
  }
  const victim = devs.map((d) => ns.neigh.get(d, ip)).find((e) => e && e.state !== "NOARP");
  if (!victim) return { stdout: `No ARP entry for ${host}\n`, stderr: "", exitCode: 255 };
  ns.neigh.delete(victim.dev, ip);
  ctx.sim.changed(ns);
  return { stdout: "", stderr: "", exitCode: 0 };
}
