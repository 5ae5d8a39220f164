// What every probe does around its packets: the socket layer's checks before the first one (bind,
// SO_BINDTODEVICE, route lookup, source selection), a guard so that the walk never throws at a tool,
// and waiting on the simulation clock until a moment of the probe's timeline.
import type { NetNamespace } from "../namespace";
import type { NetInterface } from "../interface";
import type { Errno } from "../errors";
import type { SendOptions } from "../probes";
import { formatIPv4 } from "../ip";
import type { Run } from "./run";
import { fibLookup, isLocal, type FibResult } from "./fib";
import { sourceFor } from "./stack";

export type Prep = { fib: Exclude<FibResult, { kind: "error" | "broadcast" }>; src: number; oif?: NetInterface };
export type PrepError = { errno: Errno; syscall: "connect" | "bind" | "setsockopt" };

/** connect()/sendto() to 0.0.0.0 means this host: the kernel sends to the bound source or 127.0.0.1. */
export function effectiveDst(dst: number, opts: SendOptions): number {
  return dst === 0 ? opts.src || 0x7f000001 : dst >>> 0;
}

/** What the socket layer does before the first packet: bind checks, route lookup, source selection. */
export function prepare(run: Run, ns: NetNamespace, dst: number, opts: SendOptions, proto: "icmp" | "tcp" | "udp"): Prep | PrepError {
  let oif: NetInterface | undefined;
  if (opts.iface !== undefined) {
    oif = ns.byName(opts.iface);
    if (!oif) {
      run.drop(ns.label, `no device ${opts.iface} in ${ns.label}`);
      return { errno: "ENODEV", syscall: "setsockopt" };
    }
  }
  if (opts.src !== undefined && opts.src !== 0 && !isLocal(ns, opts.src)) {
    run.drop(ns.label, `${formatIPv4(opts.src)} is not an address of ${ns.label}`);
    return { errno: "EADDRNOTAVAIL", syscall: "bind" };
  }
  const fib = fibLookup(ns, dst, { oif });
  if (fib.kind === "error") {
    run.hop({ kind: "route", at: ns.label, summary: fib.text, route: fib.route ? fib.text : undefined });
    run.drop(ns.label, fib.type === "none" ? `no route to ${formatIPv4(dst)} on ${ns.label}` : `route \`${fib.text}\` on ${ns.label}`);
    return { errno: fib.errno, syscall: "connect" };
  }
  if (fib.kind === "broadcast") {
    run.drop(ns.label, `${formatIPv4(dst)} is a broadcast address on ${ns.label}`);
    return { errno: proto === "tcp" ? "ENETUNREACH" : "EACCES", syscall: "connect" };
  }
  const src = opts.src || sourceFor(ns, fib, dst);
  return { fib, src, oif };
}

export function isPrepError(p: Prep | PrepError): p is PrepError {
  return "errno" in p;
}

/** Runs a synchronous stretch of walk; an exception is recorded, never thrown at the caller. */
export function guard(run: Run, ns: NetNamespace, what: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    ns.machine.sim.internalErrors.push({ command: `packet walk: ${what} from ${ns.label}`, error: String((e as Error)?.stack ?? e) });
    run.drops.push(`internal error in the packet walk (${what})`);
  } finally {
    try {
      run.finish();
    } catch {
      // finish only notifies listeners
    }
  }
}

/** Waits until `tRel` ms after the probe started; false when the signal fired first. */
export async function sleepUntil(run: Run, tRel: number, signal?: AbortSignal): Promise<boolean> {
  const clock = run.sim.clock;
  const wait = run.start + tRel - clock.now();
  if (wait > 0) return clock.sleep(wait, signal);
  return !signal?.aborted;
}

export const round = (ms: number) => Math.round(ms * 1000) / 1000;
