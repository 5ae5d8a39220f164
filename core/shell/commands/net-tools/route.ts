// route (net-tools 2.10): the main table as /proc/net/route shows it (U, G, H and ! for unreachable and
// prohibit routes), and `route add|del` through the SIOCADDRT/SIOCDELRT rules: proto boot, a gateway
// must be reachable on a link, a non-identical route with the same key goes in front of the old one,
// delete takes the first match.
import type { Tool, ToolContext, ToolResult } from "../../tool";
import type { NetInterface } from "../../../net/interface";
import type { NetNamespace } from "../../../net/namespace";
import { formatIPv4, inPrefix, maskDotted, prefixMask } from "../../../net/ip";
import { TABLE_LOCAL, TABLE_MAIN, compareRoutes, type Route } from "../../../net/routes";
import { getopt, getoptMessage, type LongOpts } from "../probe/getopt";
import { readHosts, reverseName, type HostsEntry } from "../probe/resolve";
import { INET_ROUTE_USAGE, ROUTE_USAGE_ERR, ROUTE_USAGE_OUT } from "./usage";
import { col, netResolve, ToolExit } from "./common";

const LONG: LongOpts = {
  help: { arg: false, short: "h" },
  version: { arg: false, short: "V" },
  verbose: { arg: false, short: "v" },
  numeric: { arg: false, short: "n" },
  extend: { arg: false, short: "e" },
  fib: { arg: false, short: "F" },
  cache: { arg: false, short: "C" },
  inet: { arg: false, short: "4" },
  inet6: { arg: false, short: "6" },
};

export const routeTool: Tool = {
  name: "route",
  run: (ctx) => route(ctx),
};

/** A usage error inside `route add|del` (E_OPTERR): the inet usage on stderr, exit 3. */
const optErr = (msg = "") => new ToolExit(3, msg + INET_ROUTE_USAGE);

async function route(ctx: ToolContext): Promise<ToolResult> {
  const g = getopt(ctx.args, "+A:eCFhnN64Vv", LONG);
  let numeric = false;
  let ext = 0;
  let cache = false;
  for (const { opt, arg = "" } of g.opts) {
    if (opt === "n" || opt === "N") numeric = true;
    else if (opt === "e") ext++;
    else if (opt === "C") cache = true;
    else if (opt === "F") cache = false;
    else if (opt === "h") return { stdout: ROUTE_USAGE_OUT, stderr: ROUTE_USAGE_ERR, exitCode: 0 };
    else if (opt === "V") return { stdout: "net-tools 2.10\n", stderr: "", exitCode: 0 };
    else if (opt === "6") return { stdout: "Kernel IPv6 routing table\nDestination                    Next Hop                   Flag Met Ref  Use If\n", stderr: "", exitCode: 0 };
    else if (opt === "A" && arg !== "inet") {
      if (arg === "inet6") return { stdout: "Kernel IPv6 routing table\nDestination                    Next Hop                   Flag Met Ref  Use If\n", stderr: "", exitCode: 0 };
      throw new ToolExit(3, `route: ${arg}: unknown address family\n${ROUTE_USAGE_OUT}${ROUTE_USAGE_ERR}`);
    }
  }
  // An unknown option: the message, then the usage split over stdout and stderr as `route -h` does.
  if (g.error) return { stdout: ROUTE_USAGE_OUT, stderr: `${getoptMessage("route", g.error)}\n${ROUTE_USAGE_ERR}`, exitCode: 0 };
  const args = g.operands;
  if (args.length === 0) {
    if (cache) return { stdout: "Kernel IP routing cache\nSource          Destination     Gateway         Flags Metric Ref    Use Iface\n", stderr: "", exitCode: 0 };
    return { stdout: await table(ctx, numeric, ext), stderr: "", exitCode: 0 };
  }
  const [verb, ...rest] = args;
  if (verb === "add" || verb === "del" || verb === "delete") return modify(ctx, verb === "add" ? "add" : "del", rest);
  if (verb === "flush") throw new ToolExit(3, "Flushing `inet' routing table not supported\n" + INET_ROUTE_USAGE);
  throw new ToolExit(3, ROUTE_USAGE_OUT + ROUTE_USAGE_ERR);
}

// ---------------------------------------------------------------- listing

function flagsOf(r: Route): string {
  const reject = r.type === "unreachable" || r.type === "prohibit";
  let f = reject ? "!" : "U";
  if (!reject && r.gateway !== undefined) f += "G";
  if (r.prefixLen === 32) f += "H";
  return f;
}

async function table(ctx: ToolContext, numeric: boolean, ext: number): Promise<string> {
  const hosts: HostsEntry[] = numeric ? [] : await readHosts(ctx);
  const dstName = (r: Route) => {
    if (!numeric && r.dst === 0 && r.prefixLen === 0) return "default";
    if (!numeric && r.prefixLen === 32) return reverseName(hosts, r.dst) ?? formatIPv4(r.dst);
    return formatIPv4(r.dst);
  };
  const gwName = (r: Route) => (r.gateway === undefined ? "0.0.0.0" : numeric ? formatIPv4(r.gateway) : (reverseName(hosts, r.gateway) ?? formatIPv4(r.gateway)));
  let out = "Kernel IP routing table\n";
  if (ext === 1) out += "Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n";
  else if (ext >= 2) out += "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface    MSS   Window irtt\n";
  else out += "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n";
  for (const r of ctx.ns.routes.table(TABLE_MAIN)) {
    const reject = r.type === "unreachable" || r.type === "prohibit";
    const dst = col(dstName(r), 15);
    const mask = col(maskDotted(r.prefixLen), 15);
    const flags = flagsOf(r);
    const iface = r.dev ? r.dev.name : "*";
    if (ext === 1) {
      if (reject) out += `${dst} -               ${mask} ${flags.padEnd(5)}     - -          - -\n`;
      else out += `${dst} ${col(gwName(r), 15)} ${mask} ${flags.padEnd(5)} ${"0".padStart(5)} ${"0".padEnd(6)} ${"0".padStart(5)} ${iface}\n`;
    } else if (ext >= 2) {
      if (reject) out += `${dst} -               ${mask} ${flags.padEnd(5)} ${String(r.metric).padEnd(6)} -  ${"0".padStart(7)} ${"-".padEnd(8)} ${"-".padEnd(5)} ${"-".padEnd(6)} -\n`;
      else out += `${dst} ${col(gwName(r), 15)} ${mask} ${flags.padEnd(5)} ${String(r.metric).padEnd(6)} ${"0".padEnd(2)} ${"0".padStart(7)} ${iface.padEnd(8)} ${"0".padEnd(5)} ${"0".padEnd(6)} 0\n`;
    } else {
      if (reject) out += `${dst} -               ${mask} ${flags.padEnd(5)} ${String(r.metric).padEnd(6)} -  ${"0".padStart(7)} -\n`;
      else out += `${dst} ${col(gwName(r), 15)} ${mask} ${flags.padEnd(5)} ${String(r.metric).padEnd(6)} ${"0".padEnd(2)} ${"0".padStart(7)} ${iface}\n`;
    }
  }
  return out;
}

// ---------------------------------------------------------------- add / del

interface RouteReq {
  dst: number;
  isnet: boolean;
  mask?: number;
  maskText?: string;
  gateway?: number;
  metric?: number;
  dev?: string;
  reject: boolean;
}

/** A contiguous mask's prefix length, or undefined. */
function maskLen(mask: number): number | undefined {
  const inv = ~mask >>> 0;
  if ((inv & (inv + 1)) >>> 0 !== 0) return undefined;
  let n = 0;
  for (let m = mask >>> 0; m & 0x80000000; m = (m << 1) >>> 0) n++;
  return n;
}

async function parseReq(ctx: ToolContext, argv: string[]): Promise<RouteReq> {
  const args = [...argv];
  let xflag = 0;
  if (args[0] === "-net") {
    xflag = 1;
    args.shift();
  } else if (args[0] === "-host") {
    xflag = 2;
    args.shift();
  }
  if (args.length === 0) throw optErr();
  let target = args.shift()!;
  const req: RouteReq = { dst: 0, isnet: false, reject: false };
  const slash = target.indexOf("/");
  if (slash >= 0) {
    const len = Number(target.slice(slash + 1));
    target = target.slice(0, slash);
    req.mask = Number.isInteger(len) && len >= 0 && len <= 32 ? prefixMask(len) : 0xffffffff;
    if (!(Number.isInteger(len) && len >= 0 && len <= 32)) req.maskText = "bad";
  }
  if (target === "default") {
    req.dst = 0;
    req.isnet = true;
  } else {
    const a = await netResolve(ctx, target);
    if (a === undefined) throw new ToolExit(6, `${target}: Unknown host\n`);
    req.dst = a;
    req.isnet = false;
  }
  if (xflag === 1) req.isnet = true;
  if (xflag === 2) req.isnet = false;
  let gwSet = false;
  while (args.length) {
    const w = args.shift()!;
    if (w === "metric") {
      const v = args.shift();
      if (v === undefined || !/^\d+$/.test(v)) throw optErr();
      req.metric = Number(v);
      continue;
    }
    if (w === "netmask") {
      const v = args.shift();
      if (v === undefined || req.mask !== undefined) throw optErr();
      const m = await netResolve(ctx, v);
      if (m === undefined) throw new ToolExit(6, `${v}: Unknown host\n`);
      req.mask = m;
      req.maskText = v;
      continue;
    }
    if (w === "gw" || w === "gateway") {
      const v = args.shift();
      if (v === undefined || gwSet) throw optErr();
      if (v === "default") throw optErr(`route: ${v}: cannot use a NETWORK as gateway!\n`);
      const a = await netResolve(ctx, v);
      if (a === undefined) throw new ToolExit(6, `${v}: Unknown host\n`);
      req.gateway = a;
      gwSet = true;
      continue;
    }
    if (w === "mss" || w === "mtu" || w === "window" || w === "irtt") {
      const v = args.shift();
      if (v === undefined || !/^\d+$/.test(v)) throw optErr();
      continue;
    }
    if (w === "reject") {
      req.reject = true;
      continue;
    }
    if (w === "mod" || w === "dyn" || w === "reinstate") continue;
    if (w === "dev" || w === "device") {
      const v = args.shift();
      if (req.dev !== undefined || v === undefined) throw optErr();
      req.dev = v;
      continue;
    }
    if (req.dev === undefined) {
      req.dev = w;
      if (args.length) throw optErr();
    } else throw optErr();
  }
  if (req.reject && req.dev === undefined) req.dev = "lo";
  if (req.mask !== undefined) {
    if (req.maskText === "bad") throw optErr("route: netmask doesn't match route address\n");
    const inv = ~req.mask >>> 0;
    if (!req.isnet && inv !== 0) throw optErr(`route: netmask ${inv.toString(16).padStart(8, "0")} doesn't make sense with host route\n`);
    if ((inv & (inv + 1)) >>> 0 !== 0) throw optErr(`route: bogus netmask ${req.maskText ?? maskDotted(maskLen(req.mask) ?? 0)}\n`);
    if ((req.dst & inv) >>> 0 !== 0) throw optErr("route: netmask doesn't match route address\n");
  }
  return req;
}

const SIOC = { add: "SIOCADDRT", del: "SIOCDELRT" } as const;
const sockErr = (action: "add" | "del", text: string) => new ToolExit(7, `${SIOC[action]}: ${text}\n`);

/** A gateway must be on a link: a connected (scope link) or local route covers it. */
function gatewayDevice(ns: NetNamespace, gw: number, dev?: NetInterface): NetInterface | undefined {
  for (const t of [TABLE_MAIN, TABLE_LOCAL]) {
    let best: Route | undefined;
    for (const r of ns.routes.table(t)) {
      if (!inPrefix(gw, r.dst, r.prefixLen) || r.gateway !== undefined || !r.dev) continue;
      if (r.type !== "unicast" && r.type !== "local") continue;
      if (r.scope === "global") continue;
      if (dev && r.dev !== dev && r.type !== "local") continue;
      if (!best || r.prefixLen > best.prefixLen || (r.prefixLen === best.prefixLen && r.metric < best.metric)) best = r;
    }
    if (best) return dev ?? (best.type === "local" ? best.dev : best.dev);
  }
  return undefined;
}

async function modify(ctx: ToolContext, action: "add" | "del", argv: string[]): Promise<ToolResult> {
  if (argv.length === 0) return { stdout: INET_ROUTE_USAGE, stderr: "", exitCode: 0 };
  const req = await parseReq(ctx, argv);
  const ns = ctx.ns;
  // rtentry_to_fib_config: a host route is /32, otherwise the mask (0.0.0.0 when none was given).
  const len = !req.isnet ? 32 : maskLen(req.mask ?? 0);
  if (len === undefined) throw sockErr(action, "Invalid argument");
  if ((req.dst & ~prefixMask(len)) >>> 0 !== 0) throw sockErr(action, "Invalid argument");
  const type = req.reject ? "unreachable" : "unicast";
  let dev: NetInterface | undefined;
  if (req.dev !== undefined && !req.reject) {
    dev = ns.byName(req.dev.split(":")[0]);
    if (!dev) throw sockErr(action, "No such device");
  }
  const main = ns.routes.table(TABLE_MAIN);
  if (action === "del") {
    const hit = main.find(
      (r) =>
        r.dst === req.dst &&
        r.prefixLen === len &&
        r.type === type &&
        (req.metric === undefined || r.metric === req.metric) &&
        (req.gateway === undefined || r.gateway === req.gateway) &&
        (dev === undefined || r.dev === dev),
    );
    if (!hit) throw sockErr(action, "No such process");
    ns.routes.remove((r) => r === hit);
    ctx.sim.changed(ns);
    return { stdout: "", stderr: "", exitCode: 0 };
  }
  let route: Route;
  if (req.reject) {
    route = { table: TABLE_MAIN, type: "unreachable", dst: req.dst, prefixLen: len, proto: "boot", scope: "host", metric: req.metric ?? 0, onlink: false };
  } else if (req.gateway !== undefined) {
    const out = gatewayDevice(ns, req.gateway, dev);
    if (!out) throw sockErr(action, "Network is unreachable");
    if (dev && !dev.adminUp) throw sockErr(action, "Network is unreachable");
    route = { table: TABLE_MAIN, type: "unicast", dst: req.dst, prefixLen: len, gateway: req.gateway, dev: out, proto: "boot", scope: "global", metric: req.metric ?? 0, onlink: false };
  } else {
    if (!dev) throw sockErr(action, "No such device");
    if (!dev.adminUp) throw sockErr(action, "Network is unreachable");
    route = { table: TABLE_MAIN, type: "unicast", dst: req.dst, prefixLen: len, dev, proto: "boot", scope: "link", metric: req.metric ?? 0, onlink: false };
  }
  const same = main.filter((r) => r.dst === route.dst && r.prefixLen === route.prefixLen && r.metric === route.metric);
  if (same.some((r) => r.type === route.type && r.gateway === route.gateway && r.dev === route.dev)) throw sockErr(action, "File exists");
  // NLM_F_CREATE without APPEND: in front of the existing routes with the same key.
  const at = main.findIndex((r) => compareRoutes(r, route) >= 0);
  main.splice(at < 0 ? main.length : at, 0, route);
  ctx.sim.changed(ns);
  return { stdout: "", stderr: "", exitCode: 0 };
}
