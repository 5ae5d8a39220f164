// `ip neigh` / `ip neighbour`: show (NOARP entries hidden unless asked), add/replace/change/del and
// flush, over the namespace's ARP table. States are displayed as they decay with simulated time.
import type { NetInterface } from "../../../net/interface";
import { NeighbourTable, type NeighEntry, type NeighState } from "../../../net/neighbour";
import { formatIPv4, inPrefix, parseCidr, parseIPv4 } from "../../../net/ip";
import { Argv, type IpCtx, changed, die, invarg, matches, needDev, parseLladdr, print } from "./args";
import { USAGE_NEIGH } from "./help";

const NUD: Record<string, NeighState | "NONE" | "ALL"> = {
  permanent: "PERMANENT", reachable: "REACHABLE", stale: "STALE", delay: "DELAY", probe: "PROBE", failed: "FAILED",
  incomplete: "INCOMPLETE", noarp: "NOARP", none: "NONE", all: "ALL",
};

function parseNud(v: string): NeighState | "NONE" | "ALL" {
  const s = NUD[v.toLowerCase()];
  if (!s) invarg("nud state is bad", v);
  return s!;
}

function neighModify(c: IpCtx, argv: string[], mode: "add" | "replace" | "change" | "del"): void {
  const a = new Argv(argv);
  let dst: number | undefined;
  let dev: string | undefined;
  let mac: string | undefined;
  let nud: NeighState | "NONE" | "ALL" | undefined;
  for (; a.more; a.i++) {
    const w = a.cur;
    if (matches(w, "lladdr")) {
      const v = a.next();
      const m = parseLladdr(v);
      if (!m) die(`"${v}" is invalid lladdr.`, 1);
      mac = m;
    } else if (w === "nud") nud = parseNud(a.next());
    else if (matches(w, "proxy")) {
      const v = a.next();
      if (parseIPv4(v) === undefined) die(`Error: any valid address is expected rather than "${v}".`, 1);
      dst = parseIPv4(v);
    } else if (w === "dev") dev = a.next();
    else if (matches(w, "router") || w === "use" || w === "managed" || w === "extern_learn") {
      // flags accepted
    } else if (matches(w, "protocol")) a.next();
    else {
      let v = w;
      if (w === "to") v = a.next();
      if (matches(v, "help")) die(USAGE_NEIGH);
      if (dst !== undefined) die(`Error: either "to" is duplicate, or "${v}" is a garbage.`);
      const ip = parseIPv4(v);
      if (ip === undefined) die(`Error: any valid address is expected rather than "${v}".`, 1);
      dst = ip;
    }
  }
  if (dev === undefined || dst === undefined) die("Device and destination are required arguments.");
  const iface = needDev(c.ns, dev!);
  const table = c.ns.neigh;
  const existing = table.get(iface, dst!);
  if (mode === "del") {
    if (!existing) die("RTNETLINK answers: No such file or directory", 2);
    table.delete(iface, dst!);
    changed(c.ns);
    return;
  }
  const state: NeighState = nud === undefined || nud === "ALL" ? "PERMANENT" : nud === "NONE" ? "FAILED" : nud;
  if (!mac && !["FAILED", "INCOMPLETE", "NOARP", "NONE"].includes(state) && !(existing?.mac)) die("Error: No link layer address given.", 2);
  if (mode === "add" && existing) die("RTNETLINK answers: File exists", 2);
  if (mode === "change" && !existing) die("RTNETLINK answers: No such file or directory", 2);
  table.set({ ip: dst!, dev: iface, mac: mac ?? existing?.mac, state, confirmed: c.tool.sim.clock.now() });
  changed(c.ns);
}

interface NeighFilter {
  dev?: NetInterface;
  to?: { addr: number; len: number };
  nud?: (NeighState | "NONE" | "ALL")[];
  proxy?: boolean;
}

function parseFilter(c: IpCtx, argv: string[]): NeighFilter {
  const a = new Argv(argv);
  const f: NeighFilter = {};
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === "dev") f.dev = needDev(c.ns, a.next());
    else if (w === "master") needDev(c.ns, a.next());
    else if (w === "vrf") invarg("Not a valid VRF name\n", a.next());
    else if (w === "nomaster") {
      // all our neighbours are on non-enslaved devices or not: accept
    } else if (w === "unused") {
      // accepted
    } else if (w === "nud") (f.nud ??= []).push(parseNud(a.next()));
    else if (w === "proxy") f.proxy = true;
    else {
      let v = w;
      if (w === "to") v = a.next();
      if (matches(v, "help")) die(USAGE_NEIGH);
      if (v === "all" || v === "default" || v === "any") continue;
      const p = parseCidr(v);
      if (!p) die(`Error: any valid prefix is expected rather than "${v}".`, 1);
      f.to = p;
    }
  }
  return f;
}

function selected(f: NeighFilter, e: NeighEntry, state: NeighState): boolean {
  if (f.proxy) return false;
  if (f.dev && e.dev !== f.dev) return false;
  if (f.to && !inPrefix(e.ip, f.to.addr, f.to.len)) return false;
  if (f.nud) return f.nud.includes("ALL") || f.nud.includes(state);
  return state !== "NOARP";
}

function neighShow(c: IpCtx, argv: string[]): void {
  const f = parseFilter(c, argv);
  if (c.opts.family === "inet6") return;
  const now = c.tool.sim.clock.now();
  for (const e of c.ns.neigh.list()) {
    const state = NeighbourTable.displayState(e, now);
    if (!selected(f, e, state)) continue;
    const dev = f.dev ? "" : ` dev ${e.dev.name}`;
    const ll = e.mac && state !== "FAILED" && state !== "INCOMPLETE" ? ` lladdr ${e.mac}` : "";
    print(c, `${formatIPv4(e.ip)}${dev}${ll} ${state} \n`);
  }
}

function neighFlush(c: IpCtx, argv: string[]): void {
  if (argv.length === 0) die("Flush requires arguments.", 1);
  const f = parseFilter(c, argv);
  const now = c.tool.sim.clock.now();
  const doomed = c.ns.neigh.list().filter((e) => {
    const state = NeighbourTable.displayState(e, now);
    if (!selected({ ...f, nud: f.nud ?? undefined }, e, state)) return false;
    // Without an explicit nud filter, flush spares permanent and noarp entries.
    return f.nud ? true : state !== "PERMANENT";
  });
  for (const e of doomed) c.ns.neigh.delete(e.dev, e.ip);
  if (doomed.length) changed(c.ns);
}

export function doNeigh(c: IpCtx, argv: string[]): number {
  if (argv.length === 0) {
    neighShow(c, []);
    return 0;
  }
  const [cmd, ...rest] = argv;
  if (matches(cmd, "add")) neighModify(c, rest, "add");
  else if (matches(cmd, "change") || cmd === "chg") neighModify(c, rest, "change");
  else if (matches(cmd, "replace")) neighModify(c, rest, "replace");
  else if (matches(cmd, "delete")) neighModify(c, rest, "del");
  else if (matches(cmd, "list") || matches(cmd, "show") || matches(cmd, "lst")) neighShow(c, rest);
  else if (matches(cmd, "flush")) neighFlush(c, rest);
  else if (matches(cmd, "get")) neighGet(c, rest);
  else if (matches(cmd, "help")) die(USAGE_NEIGH);
  else die(`Command "${cmd}" is unknown, try "ip neigh help".`);
  return 0;
}

function neighGet(c: IpCtx, argv: string[]): void {
  const a = new Argv(argv);
  let dst: number | undefined;
  let dev: string | undefined;
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === "dev") dev = a.next();
    else if (w === "proxy") a.next();
    else {
      const v = w === "to" ? a.next() : w;
      const ip = parseIPv4(v);
      if (ip === undefined) die(`Error: any valid address is expected rather than "${v}".`, 1);
      dst = ip;
    }
  }
  if (dev === undefined || dst === undefined) die("Device and destination are required arguments.");
  const iface = needDev(c.ns, dev!);
  const e = c.ns.neigh.get(iface, dst!);
  if (!e) die("RTNETLINK answers: No such file or directory", 2);
  const state = NeighbourTable.displayState(e!, c.tool.sim.clock.now());
  const ll = e!.mac && state !== "FAILED" && state !== "INCOMPLETE" ? ` lladdr ${e!.mac}` : "";
  print(c, `${formatIPv4(e!.ip)} dev ${iface.name}${ll} ${state} \n`);
}

/** `ip -j neigh [show FILTER]`. */
export function jsonNeighbours(c: IpCtx, argv: string[], table: typeof NeighbourTable): { [k: string]: unknown }[] {
  const f = parseFilter(c, argv);
  if (c.opts.family === "inet6") return [];
  const now = c.tool.sim.clock.now();
  const out: { [k: string]: unknown }[] = [];
  for (const e of c.ns.neigh.list()) {
    const state = table.displayState(e, now);
    if (!selected(f, e, state)) continue;
    const o: { [k: string]: unknown } = { dst: formatIPv4(e.ip) };
    if (!f.dev) o.dev = e.dev.name;
    if (e.mac && state !== "FAILED" && state !== "INCOMPLETE") o.lladdr = e.mac;
    o.state = [state];
    out.push(o);
  }
  return out;
}
