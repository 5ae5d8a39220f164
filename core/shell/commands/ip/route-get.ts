// `ip route get`: the kernel's answer for an output route (fib lookup, source selection) or, with
// `iif`, the forwarding decision for a packet arriving on that device (needs ip_forward).
import type { NetInterface } from "../../../net/interface";
import { TABLE_LOCAL, TABLE_MAIN, type RouteType } from "../../../net/routes";
import { formatIPv4, isMulticast } from "../../../net/ip";
import { Argv, type IpCtx, die, invarg, matches, needDev, print, warn } from "./args";
import { USAGE_ROUTE } from "./help";
import { fibLookup, getPrefix } from "./route";

export function routeGet(c: IpCtx, argv: string[]): void {
  const a = new Argv(argv);
  let dst: number | undefined;
  let from: number | undefined;
  let iif: string | undefined;
  let oif: string | undefined;
  let family = "any valid";
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === "tos" || matches(w, "dsfield") || matches(w, "mark") || matches(w, "uid") || w === "as" || w === "sport" || w === "dport" || w === "ipproto") a.next();
    else if (matches(w, "from")) from = getPrefix(a.next(), family).addr;
    else if (matches(w, "iif")) iif = a.next();
    else if (matches(w, "oif") || w === "dev") oif = a.next();
    else if (matches(w, "notify") || matches(w, "connected") || matches(w, "fibmatch")) {
      // accepted
    } else if (matches(w, "vrf")) invarg("Not a valid VRF name\n", a.next());
    else {
      let v = w;
      if (v === "to") v = a.next();
      if (matches(v, "help")) die(USAGE_ROUTE);
      const p = getPrefix(v, family);
      family = "inet";
      if (p.len !== 32) warn(c, `Warning: /${p.len} as prefix is invalid, only /32 (or none) is supported.`);
      dst = p.addr;
    }
  }
  if (dst === undefined) die("need at least a destination address", 1);
  const ns = c.ns;
  const iifDev = iif !== undefined ? needDev(ns, iif) : undefined;
  const oifDev = oif !== undefined ? needDev(ns, oif) : undefined;
  if (c.opts.family === "inet6") die("RTNETLINK answers: Network is unreachable", 2);
  const d = formatIPv4(dst!);
  const fromText = from !== undefined ? ` from ${formatIPv4(from)}` : "";
  const local = fibLookup(ns, dst!, { tables: [TABLE_LOCAL] });
  const isLocal = local?.type === "local";
  const failFor = (t: RouteType): never =>
    die(`RTNETLINK answers: ${t === "blackhole" ? "Invalid argument" : t === "unreachable" ? "No route to host" : t === "prohibit" ? "Permission denied" : "Network is unreachable"}`, 2);

  if (iifDev) {
    // The forwarding decision for a packet arriving on iif (ip_route_input).
    if (from === undefined || ns.isLocalAddress(from)) die("RTNETLINK answers: Invalid argument", 2);
    if (isLocal) {
      print(c, `local ${d}${fromText} dev lo \n    cache <local> iif ${iifDev.name} \n`);
      return;
    }
    if (!ns.ipForward) die("RTNETLINK answers: No route to host", 2);
    const r = ns.routes.lookup(dst!) ?? fibLookup(ns, dst!);
    if (!r) die("RTNETLINK answers: Network is unreachable", 2);
    if (r!.type !== "unicast") failFor(r!.type);
    const via = r!.gateway !== undefined ? ` via ${formatIPv4(r!.gateway)}` : "";
    const redirect = r!.dev === iifDev ? "<redirect> " : "";
    print(c, `${d}${fromText}${via} dev ${r!.dev?.name} \n    cache ${redirect}iif ${iifDev.name} \n`);
    return;
  }
  if (from !== undefined && !ns.isLocalAddress(from)) die("RTNETLINK answers: Network is unreachable", 2);
  if (isLocal && !oifDev) {
    const src = from === undefined ? ` src ${formatIPv4(local!.src ?? dst!)}` : "";
    print(c, `local ${d}${fromText} dev lo${src} uid 0 \n    cache <local> \n`);
    return;
  }
  const brd = dst === 0xffffffff || local?.type === "broadcast";
  let r = oifDev ? fibLookup(ns, dst!, { oif: oifDev }) : ns.routes.lookup(dst!) ?? fibLookup(ns, dst!);
  if (r && (r.type === "local" || r.type === "broadcast")) r = fibLookup(ns, dst!, { oif: oifDev, tables: [TABLE_MAIN] }) ?? (brd ? r : undefined);
  let dev: NetInterface | undefined = r?.dev;
  let gateway = r?.gateway;
  if (!r) {
    if (!oifDev) die("RTNETLINK answers: Network is unreachable", 2);
    // With an output device and no route the kernel assumes the destination is on link.
    dev = oifDev;
    gateway = undefined;
  } else if (r.type !== "unicast" && r.type !== "broadcast" && r.type !== "local") failFor(r.type);
  if (!dev) die("RTNETLINK answers: Network is unreachable", 2);
  const srcAddr = r?.src ?? ns.selectSource(dev!, dst!, gateway);
  const src = from === undefined && srcAddr !== undefined ? ` src ${formatIPv4(srcAddr)}` : "";
  if (brd) {
    print(c, `broadcast ${d}${fromText} dev ${dev!.name}${src} uid 0 \n    cache <local,brd> \n`);
    return;
  }
  if (isMulticast(dst!)) {
    print(c, `multicast ${d}${fromText} dev ${dev!.name}${src} uid 0 \n    cache <local,mc> \n`);
    return;
  }
  const via = gateway !== undefined ? ` via ${formatIPv4(gateway)}` : "";
  print(c, `${d}${fromText}${via} dev ${dev!.name}${src} uid 0 \n    cache \n`);
}
