// The FIB lookup the packet walk uses: local routes first (they outlive a down device, as in the
// kernel), `linkdown` routes are still used (ignore_routes_with_linkdown=0),
// `throw` continues in the next table, and a socket bound to a device with no route there assumes the
// destination is on-link.
import type { NetNamespace } from "../namespace";
import type { NetInterface } from "../interface";
import { TABLE_DEFAULT, TABLE_LOCAL, TABLE_MAIN, type Route } from "../routes";
import { formatIPv4, inPrefix } from "../ip";
import type { Errno } from "../errors";

export type FibResult =
  | { kind: "local"; route: Route; text: string }
  | { kind: "broadcast"; route: Route; text: string }
  | { kind: "unicast"; route: Route; text: string; dev: NetInterface; nexthop: number; gateway?: number }
  | { kind: "error"; errno: Errno; route?: Route; text: string; type: "none" | "blackhole" | "unreachable" | "prohibit" };

const RULE_TABLES = [TABLE_LOCAL, TABLE_MAIN, TABLE_DEFAULT];

/**
 * The `local` route covering `ip` (what inet_addr_type reports as RTN_LOCAL). The model keeps local
 * routes while their device is down, as the kernel does, so the stored local table is the answer.
 */
export function localRouteFor(ns: NetNamespace, ip: number): Route | undefined {
  let best: Route | undefined;
  for (const r of ns.routes.table(TABLE_LOCAL)) {
    if (r.type !== "local" || !inPrefix(ip, r.dst, r.prefixLen)) continue;
    if (!best || r.prefixLen > best.prefixLen) best = r;
  }
  return best;
}

export function isLocal(ns: NetNamespace, ip: number): boolean {
  return localRouteFor(ns, ip) !== undefined;
}

function bestIn(ns: NetNamespace, routes: Route[], dst: number, oif?: NetInterface): Route | undefined {
  let best: Route | undefined;
  for (const r of routes) {
    if (!inPrefix(dst, r.dst, r.prefixLen)) continue;
    if (r.type === "broadcast" && r.dst !== dst) continue;
    if (r.dev && (!r.dev.adminUp || r.dev.ns !== ns)) continue;
    if (oif && r.dev && r.dev !== oif && r.type !== "local") continue;
    if (!best || r.prefixLen > best.prefixLen || (r.prefixLen === best.prefixLen && r.metric < best.metric)) best = r;
  }
  return best;
}

/** The output device of a gateway route without `dev` (not created by `ip route`, but be safe). */
function devForGateway(ns: NetNamespace, gw: number): NetInterface | undefined {
  const r = bestIn(ns, ns.routes.table(TABLE_MAIN), gw);
  return r?.type === "unicast" && !r.gateway ? r.dev : undefined;
}

/** fib_lookup: local, main, default; longest prefix then lowest metric. */
export function fibLookup(ns: NetNamespace, dst: number, opts: { oif?: NetInterface } = {}): FibResult {
  if (dst === 0xffffffff) {
    const route: Route = { table: TABLE_LOCAL, type: "broadcast", dst, prefixLen: 32, proto: "kernel", scope: "link", metric: 0, onlink: false };
    return { kind: "broadcast", route, text: "broadcast 255.255.255.255" };
  }
  const local = localRouteFor(ns, dst);
  if (local) return { kind: "local", route: local, text: formatRoute(local) };
  for (const id of RULE_TABLES) {
    const r = bestIn(ns, ns.routes.table(id), dst, opts.oif);
    if (!r) continue;
    if (r.type === "throw") continue;
    const text = formatRoute(r);
    switch (r.type) {
      case "local":
        return { kind: "local", route: r, text };
      case "broadcast":
        return { kind: "broadcast", route: r, text };
      case "blackhole":
        return { kind: "error", errno: "EINVAL", route: r, text, type: "blackhole" };
      case "unreachable":
        return { kind: "error", errno: "EHOSTUNREACH", route: r, text, type: "unreachable" };
      case "prohibit":
        return { kind: "error", errno: "EACCES", route: r, text, type: "prohibit" };
      default: {
        const dev = r.dev ?? (r.gateway !== undefined ? devForGateway(ns, r.gateway) : undefined);
        if (!dev) continue;
        return { kind: "unicast", route: r, text, dev, nexthop: r.gateway ?? dst, gateway: r.gateway };
      }
    }
  }
  if (opts.oif && opts.oif.adminUp) {
    // "Apparently, routing tables are wrong. Assume, that the destination is on link." (route.c)
    const route: Route = { table: TABLE_MAIN, type: "unicast", dst, prefixLen: 32, dev: opts.oif, proto: "kernel", scope: "link", metric: 0, onlink: false };
    return { kind: "unicast", route, text: `${formatIPv4(dst)} dev ${opts.oif.name} (bound to device, assumed on-link)`, dev: opts.oif, nexthop: dst };
  }
  return { kind: "error", errno: "ENETUNREACH", text: `no route to ${formatIPv4(dst)}`, type: "none" };
}

const TABLE_NAMES: Record<number, string> = { [TABLE_LOCAL]: "local", [TABLE_MAIN]: "main", [TABLE_DEFAULT]: "default" };

/** A route as `ip route show table all` prints it (without the trailing space). */
export function formatRoute(r: Route): string {
  const parts: string[] = [];
  if (r.type !== "unicast") parts.push(r.type);
  parts.push(r.prefixLen === 0 && r.dst === 0 ? "default" : r.prefixLen === 32 ? formatIPv4(r.dst) : `${formatIPv4(r.dst)}/${r.prefixLen}`);
  if (r.gateway !== undefined) parts.push(`via ${formatIPv4(r.gateway)}`);
  if (r.dev) parts.push(`dev ${r.dev.name}`);
  if (r.table !== TABLE_MAIN) parts.push(`table ${TABLE_NAMES[r.table] ?? r.table}`);
  if (r.proto && r.proto !== "boot") parts.push(`proto ${r.proto}`);
  if (r.scope !== "global") parts.push(`scope ${r.scope}`);
  if (r.src !== undefined) parts.push(`src ${formatIPv4(r.src)}`);
  if (r.metric) parts.push(`metric ${r.metric}`);
  if (r.onlink) parts.push("onlink");
  if (r.dev && r.type === "unicast" && r.dev.adminUp && !r.dev.carrier) parts.push("linkdown");
  return parts.join(" ");
}
