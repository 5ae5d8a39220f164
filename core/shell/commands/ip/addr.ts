// `ip address`: show (with the device filters shared by `ip link show`), add/change/replace, del and
// flush. IPv4 only: the simulator has no IPv6, so no inet6 lines are printed and `-6` shows nothing.
import type { IfAddress, NetInterface } from "../../../net/interface";
import { broadcastOf, formatIPv4, isLoopback, networkOf, parseCidr, parseIPv4, prefixMask } from "../../../net/ip";
import { Argv, type IpCtx, changed, die, duparg, duparg2, invarg, kernel, matches, needDev, print, warn } from "./args";
import { USAGE_ADDR, USAGE_LINK } from "./help";
import { linkBlock } from "./link-format";

const SCOPES: Record<string, IfAddress["scope"]> = { global: "global", universe: "global", site: "global", link: "link", host: "host", "0": "global", "200": "global", "253": "link", "254": "host" };

/**
 * Device filters of `ip link show` / `ip addr show|flush` (ipaddr_list_flush_or_save): a device name,
 * `up`, `type KIND`, `master DEV`, `nomaster`, `label`, `scope`, `to`, `group`. Returns the devices.
 */
export function showDevices(c: IpCtx, argv: string[], mode: "link" | "addr", filter?: AddrFilter): NetInterface[] {
  const a = new Argv(argv);
  let dev: string | undefined;
  let up = false;
  let type: string | undefined;
  let master: NetInterface | null | undefined;
  let groupMiss = false;
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === "to") {
      const v = a.next();
      const p = parseCidr(v);
      if (!p) invarg(`invalid "to"\n`, v);
      if (filter) filter.to = p;
    } else if (w === "scope") {
      const v = a.next();
      if (!(v in SCOPES) && v !== "all") invarg(`invalid "scope"\n`, v);
      if (filter && v !== "all") filter.scope = SCOPES[v];
    } else if (w === "up") up = true;
    else if (["permanent", "dynamic", "secondary", "primary", "temporary", "deprecated", "-deprecated", "dadfailed", "-dadfailed", "tentative", "-tentative", "home", "nodad", "optimistic", "mngtmpaddr", "noprefixroute", "autojoin", "stable-privacy"].includes(w)) {
      if (filter && (w === "secondary" || w === "primary")) filter.flag = w;
      if (filter && (w === "temporary" || w === "deprecated" || w === "dadfailed" || w === "tentative" || w === "dynamic")) filter.none = true;
    } else if (w === "label") {
      const v = a.next();
      if (filter) filter.label = v;
    } else if (w === "group") {
      const v = a.next();
      if (v !== "default" && v !== "0") {
        if (!/^\d+$/.test(v)) invarg(`Invalid "group" value\n`, v);
        groupMiss = true;
      }
    } else if (w === "master") {
      const v = a.next();
      const m = c.ns.byName(v);
      if (!m) invarg("Device does not exist\n", v);
      master = m!;
    } else if (w === "vrf") {
      invarg("Not a valid VRF name\n", a.next());
    } else if (w === "nomaster") master = null;
    else if (w === "type") type = a.next();
    else {
      let v = w;
      if (w === "dev") v = a.next();
      else if (matches(w, "help")) die(mode === "link" ? USAGE_LINK : USAGE_ADDR);
      if (dev !== undefined) duparg2("dev", v);
      dev = v;
    }
  }
  let devs = c.ns.list();
  if (dev !== undefined) {
    const d = c.ns.byName(dev);
    if (!d) die(`Device "${dev}" does not exist.`, 1);
    devs = [d!];
  }
  if (groupMiss) return [];
  if (up) devs = devs.filter((d) => d.adminUp);
  if (master === null) devs = devs.filter((d) => !d.master);
  else if (master) devs = devs.filter((d) => d.master === master);
  if (type !== undefined) devs = devs.filter((d) => kindName(d) === type || (type === "bridge_slave" && d.master?.kind === "bridge"));
  return devs;
}

/** The rtnetlink kind (`ip link show type KIND`); loopback and NICs have none. */
function kindName(d: NetInterface): string | undefined {
  return d.kind === "loopback" || d.kind === "ether" ? undefined : d.kind;
}

interface AddrFilter {
  to?: { addr: number; len: number };
  scope?: IfAddress["scope"];
  label?: string;
  flag?: "primary" | "secondary";
  none?: boolean;
}

/** Kernel list order: primaries by scope (host, link, then global, in insertion order), secondaries last. */
export function orderedAddresses(d: NetInterface): { a: IfAddress; secondary: boolean }[] {
  const prim: IfAddress[] = [];
  const sec: IfAddress[] = [];
  const rank = (s: IfAddress["scope"]) => (s === "host" ? 254 : s === "link" ? 253 : 0);
  for (const a of d.addresses) {
    if (d.ns.isSecondary(d, a)) {
      sec.push(a);
      continue;
    }
    let pos = 0;
    for (let k = 0; k < prim.length; k++) if (rank(a.scope) <= rank(prim[k].scope)) pos = k + 1;
    prim.splice(pos, 0, a);
  }
  return [...prim.map((a) => ({ a, secondary: false })), ...sec.map((a) => ({ a, secondary: true }))];
}

function addrMatches(f: AddrFilter, x: { a: IfAddress; secondary: boolean }): boolean {
  if (f.none) return false;
  if (f.to && !(x.a.prefixLen >= f.to.len && ((x.a.addr ^ f.to.addr) & prefixMask(f.to.len)) === 0)) return false;
  if (f.scope && x.a.scope !== f.scope) return false;
  if (f.label !== undefined && !globMatch(f.label, x.a.label)) return false;
  if (f.flag === "secondary" && !x.secondary) return false;
  if (f.flag === "primary" && x.secondary) return false;
  return true;
}

function globMatch(pattern: string, s: string): boolean {
  const re = new RegExp("^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$");
  return re.test(s);
}

export function inetLine(x: { a: IfAddress; secondary: boolean }): string {
  const a = x.a;
  const brd = a.broadcast !== undefined ? ` brd ${formatIPv4(a.broadcast)}` : "";
  return `    inet ${formatIPv4(a.addr)}/${a.prefixLen}${brd} scope ${a.scope}${x.secondary ? " secondary" : ""} ${a.label}`;
}

const LFT = "       valid_lft forever preferred_lft forever";

function addrShow(c: IpCtx, argv: string[]): void {
  const f: AddrFilter = {};
  const devs = showDevices(c, argv, "addr", f);
  // The simulator is IPv4-only: an IPv6 dump has nothing to print.
  if (c.opts.family === "inet6") return;
  const filtering = f.to || f.scope || f.label !== undefined || f.flag || f.none;
  for (const d of devs) {
    const addrs = orderedAddresses(d).filter((x) => addrMatches(f, x));
    if ((c.opts.family === "inet" || filtering) && addrs.length === 0) continue;
    if (c.opts.brief) {
      print(c, `${nameOf(c, d).padEnd(16)} ${d.operState.padEnd(14)} ${addrs.map((x) => `${formatIPv4(x.a.addr)}/${x.a.prefixLen} `).join("")}\n`);
      continue;
    }
    if (c.opts.oneline) {
      for (const x of addrs) print(c, `${d.ifindex}: ${d.name.padEnd(5)} ${inetLine(x).trimStart()}\\${LFT}\n`);
      continue;
    }
    const lines: string[] = [];
    for (const x of addrs) lines.push(inetLine(x), LFT);
    print(c, linkBlock(c, d, "addr", lines).join("\n") + "\n");
  }
}

function nameOf(c: IpCtx, d: NetInterface): string {
  if (!d.peer) return d.name;
  return d.peer.ns === c.ns ? `${d.name}@${d.peer.name}` : `${d.name}@if${d.peer.ifindex}`;
}

interface AddrReq {
  local?: { addr: number; len: number; lenGiven: boolean };
  dev?: string;
  brd?: number | "+" | "-";
  label?: string;
  scope?: IfAddress["scope"];
}

function parseAddrReq(argv: string[]): AddrReq {
  const a = new Argv(argv);
  const r: AddrReq = {};
  let peerSeen = false;
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === "peer" || w === "remote") {
      const v = a.next();
      if (peerSeen) duparg("peer", v);
      if (!parseCidr(v)) die(`Error: any valid prefix is expected rather than "${v}".`, 1);
      peerSeen = true;
    } else if (matches(w, "broadcast") || w === "brd") {
      const v = a.next();
      if (r.brd !== undefined) duparg("broadcast", v);
      if (v === "+" || v === "-") r.brd = v;
      else {
        const ip = parseIPv4(v);
        if (ip === undefined) die(`Error: inet address is expected rather than "${v}".`, 1);
        r.brd = ip;
      }
    } else if (w === "anycast") {
      const v = a.next();
      if (parseIPv4(v) === undefined) die(`Error: inet address is expected rather than "${v}".`, 1);
    } else if (w === "scope") {
      const v = a.next();
      if (!(v in SCOPES)) invarg("invalid scope value.", v);
      r.scope = SCOPES[v];
    } else if (w === "dev") r.dev = a.next();
    else if (w === "label") r.label = a.next();
    else if (matches(w, "metric") || matches(w, "priority") || matches(w, "preference")) {
      const v = a.next();
      if (!/^\d+$/.test(v)) invarg(`"metric" value is invalid\n`, v);
    } else if (matches(w, "valid_lft") || matches(w, "preferred_lft")) {
      const v = a.next();
      if (v !== "forever" && !/^\d+$/.test(v)) invarg(`${matches(w, "valid_lft") ? "valid_lft" : "preferred_lft"} value`, v);
    } else if (["home", "nodad", "optimistic", "mngtmpaddr", "noprefixroute", "autojoin"].includes(w)) {
      // IPv6/route flags: accepted, nothing to model.
    } else {
      let v = w;
      if (w === "local") v = a.next();
      if (matches(v, "help")) die(USAGE_ADDR);
      if (r.local) duparg2("local", v);
      const p = parseCidr(v);
      if (!p) die(`Error: any valid prefix is expected rather than "${v}".`, 1);
      r.local = { ...p!, lenGiven: v.includes("/") };
    }
  }
  return r;
}

function addrAdd(c: IpCtx, argv: string[], mode: "add" | "replace" | "change"): void {
  const r = parseAddrReq(argv);
  if (r.dev === undefined) die(`Not enough information: "dev" argument is required.`, 1);
  const dev = needDev(c.ns, r.dev!);
  if (!r.local) die("RTNETLINK answers: Operation not supported", 2);
  const { addr, len } = r.local!;
  let broadcast: number | undefined;
  if (r.brd === "+") broadcast = len < 31 ? broadcastOf(addr, len) : undefined;
  else if (r.brd === "-") broadcast = len < 31 ? networkOf(addr, len) : undefined;
  else broadcast = r.brd;
  const scope = r.scope ?? (isLoopback(addr) ? "host" : "global");
  const existing = dev.addresses.find((x) => x.addr === addr && x.prefixLen === len);
  if (existing && mode !== "add") {
    existing.broadcast = broadcast;
    existing.scope = scope;
    if (r.label !== undefined) existing.label = r.label;
    kernel(() => c.ns.refreshKernelRoutes());
    changed(c.ns);
    return;
  }
  if (!existing && mode === "change") die("RTNETLINK answers: No such file or directory", 2);
  kernel(() => c.ns.addAddress(dev, addr, len, { broadcast, label: r.label, scope }));
}

function addrDel(c: IpCtx, argv: string[]): void {
  const r = parseAddrReq(argv);
  if (r.dev === undefined) die(`Not enough information: "dev" argument is required.`, 1);
  const dev = needDev(c.ns, r.dev!);
  if (!r.local) die("RTNETLINK answers: Operation not supported", 2);
  const { addr, len, lenGiven } = r.local!;
  if (!lenGiven) {
    warn(
      c,
      `Warning: Executing wildcard deletion to stay compatible with old scripts.\n         Explicitly specify the prefix length (${formatIPv4(addr)}/32) to avoid this warning.\n         This special behaviour is likely to disappear in further releases,\n         fix your scripts!`,
    );
  }
  kernel(() => c.ns.deleteAddress(dev, addr, lenGiven ? len : undefined));
}

function addrFlush(c: IpCtx, argv: string[]): void {
  if (argv.length === 0) die("Flush requires arguments.", 1);
  const f: AddrFilter = {};
  const devs = showDevices(c, argv, "addr", f);
  if (c.opts.family === "inet6") return;
  for (const d of devs) {
    const doomed = orderedAddresses(d).filter((x) => addrMatches(f, x)).map((x) => x.a);
    if (doomed.length === 0) continue;
    if (doomed.length === d.addresses.length) {
      kernel(() => c.ns.flushAddresses(d));
      // flushAddresses keeps 127.0.0.1 on an up lo; flushing lo really removes it.
      if (d.kind === "loopback" && d.addresses.length) kernel(() => c.ns.deleteAddress(d, d.addresses[0].addr, d.addresses[0].prefixLen));
    } else for (const a of doomed) kernel(() => c.ns.deleteAddress(d, a.addr, a.prefixLen));
  }
}

export function doAddr(c: IpCtx, argv: string[]): number {
  if (argv.length === 0) {
    addrShow(c, []);
    return 0;
  }
  const [cmd, ...rest] = argv;
  if (matches(cmd, "add")) addrAdd(c, rest, "add");
  else if (matches(cmd, "change") || matches(cmd, "chg")) addrAdd(c, rest, "change");
  else if (matches(cmd, "replace")) addrAdd(c, rest, "replace");
  else if (matches(cmd, "delete")) addrDel(c, rest);
  else if (matches(cmd, "list") || matches(cmd, "show") || matches(cmd, "lst")) addrShow(c, rest);
  else if (matches(cmd, "flush")) addrFlush(c, rest);
  else if (matches(cmd, "help")) die(USAGE_ADDR);
  else die(`Command "${cmd}" is unknown, try "ip address help".`);
  return 0;
}
