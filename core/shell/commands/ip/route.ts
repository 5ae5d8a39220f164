// `ip route`: list/show with iproute2's selectors, add/del/change/append/replace/flush with the
// kernel's checks (reachable gateway, device up, prefsrc local, duplicates), and `ip route get`.
import type { NetInterface } from "../../../net/interface";
import type { NetNamespace } from "../../../net/namespace";
import { TABLE_LOCAL, TABLE_MAIN, type Route, type RouteType } from "../../../net/routes";
import { formatIPv4, inPrefix, parseIPv4 } from "../../../net/ip";
import { Argv, type IpCtx, changed, die, duparg2, invarg, matches, needDev, print } from "./args";
import { USAGE_ROUTE } from "./help";
import { routeGet } from "./route-get";

const PROTOS: Record<number, string> = {
  0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra", 10: "mrt", 11: "zebra", 12: "bird",
  13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp", 18: "keepalived", 42: "babel", 99: "openr", 186: "bgp", 187: "isis",
  188: "ospf", 189: "rip", 192: "eigrp",
};
const PROTO_BY_NAME = Object.fromEntries(Object.entries(PROTOS).map(([n, s]) => [s, Number(n)]));

/** rtnl_rtprot_a2n: a name from rt_protos or a number 0–255; returns the display name. */
function parseProto(text: string): string | undefined {
  if (text in PROTO_BY_NAME) return text;
  const n = parseNum(text, 255);
  if (n === undefined) return undefined;
  return PROTOS[n] ?? String(n);
}

const TABLE_NAMES: Record<string, number> = { local: 255, main: 254, default: 253, unspec: 0 };
function parseTable(text: string): number | undefined {
  if (text in TABLE_NAMES) return TABLE_NAMES[text];
  return parseNum(text, 0xffffffff);
}
const tableName = (id: number) => Object.entries(TABLE_NAMES).find(([, v]) => v === id)?.[0] ?? String(id);

const SCOPE_BY_NAME: Record<string, Route["scope"]> = { global: "global", universe: "global", link: "link", host: "host", "0": "global", "253": "link", "254": "host", site: "global", "200": "global" };

function parseNum(text: string, max: number): number | undefined {
  let n: number;
  if (/^0x[0-9a-f]+$/i.test(text)) n = parseInt(text, 16);
  else if (/^0[0-7]*$/.test(text)) n = parseInt(text, 8);
  else if (/^[1-9]\d*$/.test(text)) n = Number(text);
  else return undefined;
  return n <= max ? n : undefined;
}

type AnyType = RouteType | "multicast" | "anycast" | "nat" | "xresolve";
/** rtnl_rtntype_a2n. */
function parseType(text: string): AnyType | undefined {
  if (text === "local") return "local";
  if (text === "nat") return "nat";
  if (matches(text, "broadcast") || text === "brd") return "broadcast";
  if (matches(text, "anycast")) return "anycast";
  if (matches(text, "multicast")) return "multicast";
  if (matches(text, "prohibit")) return "prohibit";
  if (matches(text, "unreachable")) return "unreachable";
  if (matches(text, "blackhole")) return "blackhole";
  if (matches(text, "xresolve")) return "xresolve";
  if (matches(text, "unicast")) return "unicast";
  if (matches(text, "throw")) return "throw";
  return undefined;
}

interface Prefix {
  addr: number;
  len: number;
  lenGiven: boolean;
}

/** get_prefix(): `default`/`any`/`all` are 0/0; errors exit 1 with iproute2's text. */
export function getPrefix(text: string, family = "any valid"): Prefix {
  if (text === "default" || text === "any" || text === "all") return { addr: 0, len: 0, lenGiven: true };
  const slash = text.indexOf("/");
  const ip = parseIPv4(slash < 0 ? text : text.slice(0, slash));
  const lenText = slash < 0 ? undefined : text.slice(slash + 1);
  const len = lenText === undefined ? 32 : /^\d{1,2}$/.test(lenText) ? Number(lenText) : 99;
  if (ip === undefined || len > 32) die(`Error: ${family} prefix is expected rather than "${text}".`, 1);
  return { addr: ip!, len, lenGiven: lenText !== undefined };
}

function getAddr(text: string): number {
  const ip = parseIPv4(text);
  if (ip === undefined) die(`Error: inet address is expected rather than "${text}".`, 1);
  return ip!;
}

// ---------------------------------------------------------------- show / flush

interface Selector {
  table: number | "all";
  root?: Prefix;
  match?: Prefix;
  proto?: string;
  scope?: Route["scope"];
  type?: AnyType;
  dev?: NetInterface;
  via?: Prefix;
  src?: Prefix;
  metric?: number;
  cache?: boolean;
}

function parseSelector(c: IpCtx, argv: string[]): Selector {
  const s: Selector = { table: TABLE_MAIN };
  const a = new Argv(argv);
  let od: string | undefined;
  let id: string | undefined;
  for (; a.more; a.i++) {
    const w = a.cur;
    if (matches(w, "table")) {
      const v = a.next();
      const t = parseTable(v);
      if (t !== undefined) s.table = t;
      else if (v === "all") s.table = "all";
      else if (v === "cache") s.cache = true;
      else invarg("table id value is invalid\n", v);
    } else if (matches(w, "vrf")) invarg("Not a valid VRF name\n", a.next());
    else if (matches(w, "cached") || matches(w, "cloned")) s.cache = true;
    else if (w === "tos" || matches(w, "dsfield")) a.next();
    else if (matches(w, "protocol")) {
      const v = a.next();
      const p = parseProto(v);
      if (p === undefined && v !== "all") invarg(`invalid "protocol"\n`, v);
      if (p !== undefined) s.proto = p;
    } else if (matches(w, "scope")) {
      const v = a.next();
      if (!(v in SCOPE_BY_NAME) && v !== "all" && v !== "nowhere") invarg(`invalid "scope"\n`, v);
      if (v in SCOPE_BY_NAME) s.scope = SCOPE_BY_NAME[v];
    } else if (matches(w, "type")) {
      const v = a.next();
      const t = parseType(v);
      if (!t) invarg("node type value is invalid\n", v);
      s.type = t;
    } else if (w === "dev" || w === "oif") od = a.next();
    else if (w === "iif") id = a.next();
    else if (w === "mark") a.next();
    else if (matches(w, "metric") || matches(w, "priority") || w === "preference") {
      const v = a.next();
      const n = parseNum(v, 0xffffffff);
      if (n === undefined) invarg(`"metric" value is invalid\n`, v);
      s.metric = n;
    } else if (w === "via") {
      let v = a.next();
      if (v === "inet") v = a.next();
      s.via = getPrefix(v);
    } else if (w === "src") s.src = getPrefix(a.next());
    else if (matches(w, "realms")) a.next();
    else if (matches(w, "from")) {
      let v = a.next();
      if (matches(v, "root") || matches(v, "match") || matches(v, "exact")) v = a.next();
      getPrefix(v);
    } else {
      let v = w;
      if (matches(v, "to")) v = a.next();
      if (matches(v, "root")) s.root = getPrefix(a.next());
      else if (matches(v, "match")) s.match = getPrefix(a.next());
      else {
        if (matches(v, "exact")) v = a.next();
        s.root = s.match = getPrefix(v);
      }
    }
  }
  if (id) needDev(c.ns, id);
  if (od) s.dev = needDev(c.ns, od);
  return s;
}

function selects(s: Selector, r: Route): boolean {
  if (s.table !== "all" && r.table !== s.table) return false;
  if (s.root && !(r.prefixLen >= s.root.len && inPrefix(r.dst, s.root.addr, s.root.len))) return false;
  if (s.match && !(r.prefixLen <= s.match.len && inPrefix(s.match.addr, r.dst, r.prefixLen))) return false;
  if (s.proto !== undefined && r.proto !== s.proto) return false;
  if (s.scope !== undefined && r.scope !== s.scope) return false;
  if (s.type !== undefined && r.type !== s.type) return false;
  if (s.dev && r.dev !== s.dev) return false;
  if (s.via && (r.gateway === undefined || !inPrefix(r.gateway, s.via.addr, s.via.len))) return false;
  if (s.src && (r.src === undefined || !inPrefix(r.src, s.src.addr, s.src.len))) return false;
  if (s.metric !== undefined && r.metric !== s.metric) return false;
  return true;
}

const dstText = (r: { dst: number; prefixLen: number }) => (r.prefixLen === 0 ? "default" : r.prefixLen === 32 ? formatIPv4(r.dst) : `${formatIPv4(r.dst)}/${r.prefixLen}`);

export function formatRoute(r: Route, s: Selector): string {
  const p: string[] = [];
  if (r.type !== "unicast") p.push(r.type);
  p.push(dstText(r));
  if (r.gateway !== undefined && !s.via) p.push(`via ${formatIPv4(r.gateway)}`);
  if (r.dev && !s.dev) p.push(`dev ${r.dev.name}`);
  if (s.table === "all" && r.table !== TABLE_MAIN) p.push(`table ${tableName(r.table)}`);
  if (r.proto !== "boot" && s.proto === undefined) p.push(`proto ${r.proto}`);
  if (r.scope !== "global" && s.scope === undefined) p.push(`scope ${r.scope}`);
  if (r.src !== undefined) p.push(`src ${formatIPv4(r.src)}`);
  if (r.metric) p.push(`metric ${r.metric}`);
  if (r.onlink) p.push("onlink");
  if (r.dev && r.dev.adminUp && !r.dev.carrier) p.push("linkdown");
  return p.join(" ") + " ";
}

/** Tables in the kernel's dump order (hash bucket id & 255), routes in FIB order within each. */
function dumpRoutes(ns: NetNamespace, s: Selector): Route[] {
  const ids = s.table === "all" ? ns.routes.tableIds().sort((a, b) => (a & 255) - (b & 255) || a - b) : [s.table];
  return ids.flatMap((id) => ns.routes.table(id).filter((r) => selects(s, r)));
}

function routeShow(c: IpCtx, argv: string[]): void {
  const s = parseSelector(c, argv);
  if (c.opts.family === "inet6" || s.cache) return;
  for (const r of dumpRoutes(c.ns, s)) print(c, formatRoute(r, s) + "\n");
}

function routeFlush(c: IpCtx, argv: string[]): void {
  if (argv.length === 0) die(`"ip route flush" requires arguments.`, 1);
  const s = parseSelector(c, argv);
  if (c.opts.family === "inet6" || s.cache) return;
  const doomed = new Set(dumpRoutes(c.ns, s));
  if (doomed.size === 0) return;
  c.ns.routes.remove((r) => doomed.has(r));
  changed(c.ns);
}

// ---------------------------------------------------------------- add / del / change / replace / append

interface RouteReq {
  type?: AnyType;
  dst?: Prefix;
  gateway?: number;
  dev?: string;
  metric?: number;
  src?: number;
  onlink: boolean;
  proto?: string;
  scope?: Route["scope"];
  table?: number;
}

const IGNORED_METRICS = ["mtu", "hoplimit", "advmss", "reordering", "rtt", "rttvar", "window", "cwnd", "initcwnd", "initrwnd", "features", "quickack", "congctl", "rto_min", "ssthresh", "realms", "tos", "dsfield", "expires", "pref", "ttl-propagate", "fastopen_no_cookie", "as", "weight"];

function parseRouteReq(argv: string[]): RouteReq {
  const a = new Argv(argv);
  const r: RouteReq = { onlink: false };
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === "src") r.src = getAddr(a.next());
    else if (w === "via") {
      let v = a.next();
      if (v === "inet") v = a.next();
      r.gateway = getAddr(v);
    } else if (w === "from") getPrefix(a.next());
    else if (matches(w, "metric") || matches(w, "priority") || w === "preference") {
      const v = a.next();
      const n = parseNum(v, 0xffffffff);
      if (n === undefined) invarg(`"metric" value is invalid\n`, v);
      r.metric = n;
    } else if (w === "scope") {
      const v = a.next();
      if (!(v in SCOPE_BY_NAME)) invarg(`invalid "scope" value\n`, v);
      r.scope = SCOPE_BY_NAME[v];
    } else if (w === "onlink") r.onlink = true;
    else if (w === "pervasive") {
      // accepted
    } else if (matches(w, "protocol")) {
      const v = a.next();
      const p = parseProto(v);
      if (p === undefined) invarg(`"protocol" value is invalid\n`, v);
      r.proto = p;
    } else if (matches(w, "table")) {
      const v = a.next();
      const t = parseTable(v);
      if (t === undefined) invarg(`"table" value is invalid\n`, v);
      r.table = t;
    } else if (w === "dev" || w === "oif") r.dev = a.next();
    else if (w === "vrf") invarg("Not a valid VRF name\n", a.next());
    else if (w === "nexthop" || w === "nhid" || w === "encap") die("RTNETLINK answers: Operation not supported", 2);
    else if (IGNORED_METRICS.includes(w)) {
      const v = a.next();
      if (w === "mtu" && v === "lock") a.next();
    } else {
      let v = w;
      if (v === "to") v = a.next();
      if ((v[0] < "0" || v[0] > "9") && parseType(v)) {
        r.type = parseType(v);
        v = a.next();
      }
      if (matches(v, "help")) die(USAGE_ROUTE);
      if (r.dst) duparg2("to", v);
      r.dst = getPrefix(v);
    }
  }
  if (!r.dst) die(USAGE_ROUTE);
  return r;
}

/** A route lookup as the kernel does it for nexthop validation and `ip route get`: link state ignored. */
export function fibLookup(ns: NetNamespace, dst: number, opts: { oif?: NetInterface; scopeAbove?: boolean; tables?: number[] } = {}): Route | undefined {
  for (const id of opts.tables ?? [TABLE_LOCAL, TABLE_MAIN]) {
    let best: Route | undefined;
    for (const r of ns.routes.table(id)) {
      if (!inPrefix(dst, r.dst, r.prefixLen)) continue;
      if (r.type === "broadcast" && r.dst !== dst) continue;
      if (opts.oif && r.dev && r.dev !== opts.oif) continue;
      if (opts.oif && !r.dev && (r.type === "unicast" || r.type === "local")) continue;
      if (opts.scopeAbove && r.scope === "global") continue;
      if (!best || r.prefixLen > best.prefixLen || (r.prefixLen === best.prefixLen && r.metric < best.metric)) best = r;
    }
    if (best) return best;
  }
  return undefined;
}

const ERROR_TYPES: AnyType[] = ["blackhole", "unreachable", "prohibit", "throw"];

function buildRoute(c: IpCtx, q: RouteReq): Route {
  const ns = c.ns;
  const type = (q.type ?? "unicast") as AnyType;
  const dev = q.dev !== undefined ? needDev(ns, q.dev) : undefined;
  const dst = q.dst!;
  if ((dst.addr & ~(dst.len === 0 ? 0 : (0xffffffff << (32 - dst.len)) >>> 0)) >>> 0 !== 0 && dst.len < 32) die("Error: Invalid prefix for given prefix length.", 2);
  if (type === "multicast" || type === "anycast" || type === "nat" || type === "xresolve") die("RTNETLINK answers: Invalid argument", 2);
  const table = q.table ?? (type === "local" || type === "broadcast" ? TABLE_LOCAL : TABLE_MAIN);
  const scope: Route["scope"] = q.scope ?? (type === "local" ? "host" : type === "broadcast" ? "link" : type === "unicast" && q.gateway === undefined ? "link" : "global");
  let outDev = dev;
  if (ERROR_TYPES.includes(type)) {
    if (q.gateway !== undefined || dev) die("Error: Gateway, device and multipath can not be specified for this route type.", 2);
  } else if (q.gateway !== undefined) {
    if (q.onlink) {
      if (!dev) die("Error: Nexthop device required for onlink.", 2);
      if (!dev!.adminUp) die("Error: Nexthop device is not up.", 2);
    } else {
      const via = scope === "global" ? fibLookup(ns, q.gateway, { oif: dev, scopeAbove: true }) : undefined;
      if (!via || (via.type !== "unicast" && via.type !== "local") || !via.dev) die("Error: Nexthop has invalid gateway.", 2);
      outDev = dev ?? via!.dev;
      // fib_check_nh: the gateway resolves, but through a device that is down (ENETDOWN).
      if (outDev && !outDev.adminUp) die("RTNETLINK answers: Network is down", 2);
    }
  } else {
    if (!dev) die("RTNETLINK answers: No such device", 2);
    if (!dev!.adminUp) die("Error: Device for nexthop is not up.", 2);
  }
  if (q.src !== undefined && !ns.localAddresses().some((x) => x.addr.addr === q.src)) die("Error: Invalid prefsrc address.", 2);
  return {
    table,
    type: type as RouteType,
    dst: dst.addr,
    prefixLen: dst.len,
    gateway: q.gateway,
    dev: ERROR_TYPES.includes(type) ? undefined : outDev,
    proto: q.proto ?? "boot",
    scope,
    src: q.src,
    metric: q.metric ?? 0,
    onlink: q.onlink,
  };
}

function routeModify(c: IpCtx, argv: string[], mode: "add" | "change" | "replace" | "append" | "prepend"): void {
  const q = parseRouteReq(argv);
  const route = buildRoute(c, q);
  const existing = c.ns.routes.findExact(route.table, route.dst, route.prefixLen, route.metric);
  if (mode === "add" && existing) die("RTNETLINK answers: File exists", 2);
  if (mode === "change" && !existing) die("RTNETLINK answers: No such file or directory", 2);
  if ((mode === "change" || mode === "replace") && existing) {
    let done = false;
    c.ns.routes.remove((r) => !done && r === existing && (done = true));
  }
  c.ns.routes.add(route);
  changed(c.ns);
}

function routeDel(c: IpCtx, argv: string[]): void {
  const q = parseRouteReq(argv);
  const dev = q.dev !== undefined ? needDev(c.ns, q.dev) : undefined;
  const table = q.table ?? (q.type === "local" || q.type === "broadcast" ? TABLE_LOCAL : TABLE_MAIN);
  const dst = q.dst!;
  const hit = c.ns.routes.table(table).find(
    (r) =>
      r.dst === dst.addr &&
      r.prefixLen === dst.len &&
      (q.metric === undefined || r.metric === q.metric) &&
      (q.gateway === undefined || r.gateway === q.gateway) &&
      (!dev || r.dev === dev) &&
      (q.type === undefined || r.type === q.type) &&
      (q.proto === undefined || r.proto === q.proto) &&
      (q.scope === undefined || r.scope === q.scope),
  );
  if (!hit) die("RTNETLINK answers: No such process", 2);
  let done = false;
  c.ns.routes.remove((r) => !done && r === hit && (done = true));
  changed(c.ns);
}

export function doRoute(c: IpCtx, argv: string[]): number {
  if (argv.length === 0) {
    routeShow(c, []);
    return 0;
  }
  const [cmd, ...rest] = argv;
  if (matches(cmd, "add")) routeModify(c, rest, "add");
  else if (matches(cmd, "change") || cmd === "chg") routeModify(c, rest, "change");
  else if (matches(cmd, "replace")) routeModify(c, rest, "replace");
  else if (cmd === "prepend") routeModify(c, rest, "prepend");
  else if (matches(cmd, "append")) routeModify(c, rest, "append");
  else if (cmd === "test") die(USAGE_ROUTE);
  else if (matches(cmd, "delete")) routeDel(c, rest);
  else if (matches(cmd, "list") || matches(cmd, "show") || matches(cmd, "lst")) routeShow(c, rest);
  else if (matches(cmd, "get")) routeGet(c, rest);
  else if (matches(cmd, "flush")) routeFlush(c, rest);
  else if (matches(cmd, "help")) die(USAGE_ROUTE);
  else die(`Command "${cmd}" is unknown, try "ip route help".`);
  return 0;
}

/** `ip -j route [show SELECTOR]`. */
export function jsonRoutes(c: IpCtx, argv: string[]): { [k: string]: unknown }[] {
  const s = parseSelector(c, argv);
  if (c.opts.family === "inet6" || s.cache) return [];
  return dumpRoutes(c.ns, s).map((r) => {
    const o: { [k: string]: unknown } = {};
    if (r.type !== "unicast") o.type = r.type;
    o.dst = dstText(r);
    if (r.gateway !== undefined && !s.via) o.gateway = formatIPv4(r.gateway);
    if (r.dev && !s.dev) o.dev = r.dev.name;
    if (s.table === "all" && r.table !== TABLE_MAIN) o.table = tableName(r.table);
    if (r.proto !== "boot" && s.proto === undefined) o.protocol = r.proto;
    if (r.scope !== "global" && s.scope === undefined) o.scope = r.scope;
    if (r.src !== undefined) o.prefsrc = formatIPv4(r.src);
    if (r.metric) o.metric = r.metric;
    const flags: string[] = [];
    if (r.onlink) flags.push("onlink");
    if (r.dev && r.dev.adminUp && !r.dev.carrier) flags.push("linkdown");
    o.flags = flags;
    return o;
  });
}
