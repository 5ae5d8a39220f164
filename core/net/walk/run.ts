// One probe's walk through the simulated network: the trace being written, the simulated time spent so
// far on the current branch, and a step budget that ends loops. The walk itself is synchronous: a probe
// computes every packet's fate at once, then waits the simulated time it took (see index.ts).
import type { Simulation } from "../simulation";
import type { NetNamespace } from "../namespace";
import type { Packet } from "../packet";
import type { Hop, Trace } from "../trace";
import { formatIPv4 } from "../ip";

/** What kind of traffic a packet is, for drop wording ("reply lost") and trace summaries. */
export interface Flow {
  /** The packet answers something (echo reply, SYN/ACK, response data, ICMP error). */
  reply: boolean;
}

export const REQUEST: Flow = { reply: false };
export const REPLY: Flow = { reply: true };

/** Packets delivered to a local ICMP endpoint (echo replies and errors, for ping). */
export interface IcmpDelivery {
  ns: NetNamespace;
  pkt: Packet;
  /** Simulated ms since the probe started when it arrived. */
  t: number;
}

/** Per-hop latency ranges in ms, drawn from the simulation's seeded random source (a switch hop includes its cables). */
const LATENCY: Record<"lo" | "veth" | "bridge" | "cable" | "switch" | "stack", [number, number]> = {
  lo: [0.005, 0.02],
  veth: [0.02, 0.1],
  bridge: [0.02, 0.1],
  cable: [0.05, 0.25],
  switch: [0.05, 0.25],
  stack: [0.002, 0.01],
};

/** Hard bound on work per probe; a broadcast storm or routing loop ends here instead of hanging. */
const MAX_STEPS = 20_000;
/** Hops kept in one trace (a TTL loop would otherwise write hundreds). */
const MAX_HOPS = 400;

export class Run {
  readonly hops: Hop[] = [];
  /** Simulated ms since `start` on the branch being walked. */
  t = 0;
  readonly start: number;
  private steps = 0;
  exhausted = false;
  readonly icmp: IcmpDelivery[] = [];
  /** Drops that explain a loss, in order; the trace outcome quotes the last one. */
  readonly drops: string[] = [];
  /** Namespaces whose neighbour table changed (the simulation is told once, at the end). */
  readonly touched = new Set<NetNamespace>();
  /** Namespaces whose conntrack was expired during this run. */
  readonly expired = new Set<NetNamespace>();
  /** Callbacks to run once the synchronous walk is over (server onAccept). */
  readonly after: (() => void)[] = [];
  private truncated = false;

  constructor(readonly sim: Simulation) {
    this.start = sim.clock.now();
  }

  /** Simulated wall time on the current branch. */
  now(): number {
    return this.start + this.t;
  }

  /** Re-bases the branch time on the clock (after the probe slept, e.g. before a retransmission). */
  resync(): void {
    this.t = Math.max(this.t, this.sim.clock.now() - this.start);
  }

  /** Counts one unit of work; false once the budget is spent (the caller stops). */
  step(): boolean {
    if (++this.steps > MAX_STEPS) {
      if (!this.exhausted) {
        this.exhausted = true;
        this.drops.push("loop guard: the walk took too many steps (L2 or routing loop?)");
      }
      return false;
    }
    return true;
  }

  latency(kind: keyof typeof LATENCY): void {
    const [lo, hi] = LATENCY[kind];
    this.t += lo + (hi - lo) * this.sim.rng.next();
  }

  hop(h: Hop): void {
    if (this.hops.length >= MAX_HOPS) {
      if (!this.truncated) {
        this.truncated = true;
        this.hops.push({ kind: "drop", at: h.at, summary: "trace truncated (too many hops)" });
      }
      return;
    }
    this.hops.push(h);
  }

  drop(at: string, reason: string, pkt?: Packet, iface?: string): void {
    this.drops.push(reason);
    this.hop({ kind: "drop", at, iface, summary: reason, packet: pkt ? describePacket(pkt) : undefined });
  }

  trace(outcome: string): Trace {
    return { hops: this.hops, outcome };
  }

  /** The last drop reason, or a default. */
  lossReason(fallback: string): string {
    return this.drops.length ? `dropped: ${this.drops[this.drops.length - 1]}` : fallback;
  }

  finish(): void {
    for (const ns of this.touched) this.sim.changed(ns);
    this.touched.clear();
    const cbs = this.after.splice(0);
    for (const cb of cbs) {
      try {
        cb();
      } catch {
        // A server callback must not break the walk.
      }
    }
  }
}

const ICMP_NAMES: Record<number, string> = { 0: "echo reply", 3: "destination unreachable", 8: "echo request", 11: "time exceeded" };

function tcpFlagText(p: Packet): string {
  const f = p.tcpFlags ?? {};
  const parts: string[] = [];
  if (f.syn) parts.push("SYN");
  if (f.fin) parts.push("FIN");
  if (f.rst) parts.push("RST");
  if (f.psh) parts.push("PSH");
  if (f.ack) parts.push("ACK");
  return parts.join(",");
}

/** `10.0.0.1:5000 > 10.0.0.2:80 tcp SYN`, `10.0.0.1 > 10.0.0.2 icmp echo request id 7 seq 1 ttl 64`. */
export function describePacket(p: Packet): string {
  const a = formatIPv4(p.src);
  const b = formatIPv4(p.dst);
  if (p.proto === "icmp") {
    const name = ICMP_NAMES[p.icmpType ?? -1] ?? `type ${p.icmpType}`;
    const detail =
      p.icmpType === 0 || p.icmpType === 8 ? ` id ${p.icmpId} seq ${p.icmpSeq}` : p.icmpType === 3 || p.icmpType === 11 ? ` code ${p.icmpCode}` : "";
    return `${a} > ${b} icmp ${name}${detail} ttl ${p.ttl}`;
  }
  const base = `${a}:${p.sport} > ${b}:${p.dport} ${p.proto}`;
  return p.proto === "tcp" ? `${base} ${tcpFlagText(p)}` : base;
}
