// Routing tables as the kernel keeps them: main (254) and local (255), plus any numbered table.
// Kernel routes (proto kernel) are maintained from addresses; user routes are added with `ip route`.
import { inPrefix, networkOf } from "./ip";
import type { NetInterface } from "./interface";

export type RouteType = "unicast" | "local" | "broadcast" | "blackhole" | "unreachable" | "prohibit" | "throw";

export const TABLE_MAIN = 254;
export const TABLE_LOCAL = 255;
export const TABLE_DEFAULT = 253;

export interface Route {
  table: number;
  type: RouteType;
  dst: number;
  prefixLen: number;
  gateway?: number;
  dev?: NetInterface;
  /** kernel, boot (ip route add's default), static, dhcp, or a number. */
  proto: string;
  scope: "global" | "link" | "host";
  src?: number;
  metric: number;
  onlink: boolean;
}

/** Route ordering of `ip route` dumps: destination ascending, longer prefix first, then metric. */
export function compareRoutes(a: Route, b: Route): number {
  return a.dst - b.dst || b.prefixLen - a.prefixLen || a.metric - b.metric;
}

export class RoutingTables {
  private tables = new Map<number, Route[]>();

  table(id: number): Route[] {
    let t = this.tables.get(id);
    if (!t) this.tables.set(id, (t = []));
    return t;
  }

  tableIds(): number[] {
    return [...this.tables.keys()].filter((id) => this.tables.get(id)!.length > 0);
  }

  all(): Route[] {
    return [...this.tables.values()].flat();
  }

  /** Same key as the kernel's duplicate check: table, dst/len, metric (and TOS, which we do not model). */
  findExact(table: number, dst: number, prefixLen: number, metric: number, type?: RouteType): Route | undefined {
    return this.table(table).find(
      (r) => r.dst === dst && r.prefixLen === prefixLen && r.metric === metric && (type === undefined || r.type === type),
    );
  }

  add(route: Route): void {
    const t = this.table(route.table);
    t.push(route);
    t.sort(compareRoutes);
  }

  remove(pred: (r: Route) => boolean): Route[] {
    const removed: Route[] = [];
    for (const [id, t] of this.tables) {
      const keep = t.filter((r) => (pred(r) ? (removed.push(r), false) : true));
      this.tables.set(id, keep);
    }
    return removed;
  }

  /**
   * FIB lookup: local table first, then main; longest prefix wins, then lowest metric. `linkdown`
   * routes (device up without carrier) are still used, as with ignore_routes_with_linkdown=0.
   */
  lookup(dst: number, opts: { oif?: NetInterface; tables?: number[] } = {}): Route | undefined {
    for (const id of opts.tables ?? [TABLE_LOCAL, TABLE_MAIN]) {
      const best = this.lookupIn(id, dst, opts.oif);
      if (best) return best;
    }
    return undefined;
  }

  private lookupIn(id: number, dst: number, oif?: NetInterface): Route | undefined {
    let best: Route | undefined;
    for (const r of this.tables.get(id) ?? []) {
      if (!inPrefix(dst, r.dst, r.prefixLen)) continue;
      if (r.type === "broadcast" && r.dst !== dst) continue;
      if (oif && r.dev && r.dev !== oif) continue;
      if (!best || r.prefixLen > best.prefixLen || (r.prefixLen === best.prefixLen && r.metric < best.metric)) best = r;
    }
    return best;
  }
}

export function routeKey(dst: number, len: number): string {
  return `${networkOf(dst, len)}/${len}`;
}
