// Shared bits of the net-tools family (arp, route, ifconfig): name resolution the way their
// INET_resolve reports failures, and natural name ordering.
import type { ToolContext } from "../../tool";
import { resolveHost } from "../probe/resolve";

export { ToolExit } from "../../tool";

/**
 * INET_resolve: a number in any inet_aton form, else /etc/hosts. Without DNS in the simulation a name
 * that is not there is NXDOMAIN, which net-tools reports as `<name>: Unknown host`.
 */
export async function netResolve(ctx: ToolContext, name: string): Promise<number | undefined> {
  const r = await resolveHost(ctx, name);
  return r.ok ? r.addr : undefined;
}

/** nstrcmp: interface names compare with their numeric parts as numbers (eth2 < eth10). */
export function nstrcmp(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) return Number(x) - Number(y) || (x < y ? -1 : 1);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** `%-Ns` with truncation (`%-N.Ns`). */
export const col = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s.padEnd(n));
