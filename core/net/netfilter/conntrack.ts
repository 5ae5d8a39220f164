// Connection tracking: one entry per flow with its original and reply tuples (the reply tuple carries
// the NAT bindings), protocol state and timeout. Entries are found by tuple through a string index;
// an entry stays "unconfirmed" until its first packet leaves the last hook (POSTROUTING or INPUT).

import type { ConntrackEntry } from "./api";
import { PROTO_NUMBER, type L4Proto, type Packet } from "../packet";

export const ORIGINAL = 0;
export const REPLY = 1;
export type Dir = typeof ORIGINAL | typeof REPLY;

/** For ICMP queries the echo id stands in both port positions, as in the kernel's tuple. */
export interface Tuple {
  src: number;
  dst: number;
  sport: number;
  dport: number;
}

/** Timeouts (ms), the kernel's defaults. */
export const TIMEOUT = {
  icmp: 30_000,
  udp: 30_000,
  udpStream: 120_000,
  tcpSynSent: 120_000,
  tcpSynRecv: 60_000,
  tcpEstablished: 432_000_000,
  tcpFinWait: 120_000,
  tcpLastAck: 30_000,
  tcpTimeWait: 120_000,
  tcpClose: 10_000,
} as const;

/** ICMP types that open a connection (echo, timestamp, info, address mask requests). */
const ICMP_QUERY = new Set([8, 13, 15, 17]);
/** ICMP error types, which carry the header of the packet that caused them. */
export const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

export class CtEntry {
  confirmed = false;
  seenReply = false;
  assured = false;
  /** Whether the destination/source NAT binding has been decided (possibly as identity). */
  dnatDone = false;
  snatDone = false;
  dnatKind?: "DNAT";
  snatKind?: "SNAT" | "MASQUERADE";
  tcpState?: string;
  /** Direction of the first FIN (TCP teardown). */
  finDir?: Dir;
  expires = 0;
  packets = 0;
  bytes = 0;
  keys: string[] = [];
  altKeys: string[] = [];

  constructor(
    readonly proto: L4Proto,
    readonly orig: Tuple,
    public reply: Tuple,
    readonly created: number,
  ) {}

  get hasDnat(): boolean {
    return this.reply.src !== this.orig.dst || this.reply.sport !== this.orig.dport;
  }
  get hasSnat(): boolean {
    return this.reply.dst !== this.orig.src || this.reply.dport !== this.orig.sport;
  }
}

export function tupleKey(proto: number, t: Tuple): string {
  return `${proto}|${t.src}|${t.sport}|${t.dst}|${t.dport}`;
}

export function packetTuple(p: Packet): Tuple {
  if (p.proto === "icmp") {
    const id = p.icmpId ?? 0;
    return { src: p.src, dst: p.dst, sport: id, dport: id };
  }
  return { src: p.src, dst: p.dst, sport: p.sport ?? 0, dport: p.dport ?? 0 };
}

export function invert(t: Tuple): Tuple {
  return { src: t.dst, dst: t.src, sport: t.dport, dport: t.sport };
}

export interface CtRef {
  e: CtEntry;
  dir: Dir;
}

export class ConntrackTable {
  readonly entries = new Set<CtEntry>();
  /** Original and reply tuples: unique per entry. */
  private readonly main = new Map<string, CtRef>();
  /** Tuples of a packet after one or both NAT rewrites (seen again on loopback or after the walk cloned it). */
  private readonly alt = new Map<string, CtRef>();

  lookup(proto: L4Proto, t: Tuple, withAlt: boolean): CtRef | undefined {
    const key = tupleKey(PROTO_NUMBER[proto], t);
    return this.main.get(key) ?? (withAlt ? this.alt.get(key) : undefined);
  }

  /** Whether another entry already owns this reply tuple (NAT must pick another port). */
  replyTaken(proto: L4Proto, reply: Tuple, self: CtEntry): boolean {
    const ref = this.main.get(tupleKey(PROTO_NUMBER[proto], reply));
    return ref !== undefined && ref.e !== self;
  }

  /** Can this packet open a connection? (ICMP: only queries; TCP: not a bare RST.) */
  static canCreate(p: Packet): boolean {
    if (p.proto === "icmp") return ICMP_QUERY.has(p.icmpType ?? -1);
    if (p.proto === "tcp") return !p.tcpFlags?.rst;
    return true;
  }

  create(p: Packet, now: number): CtEntry {
    const orig = packetTuple(p);
    const e = new CtEntry(p.proto, orig, invert(orig), now);
    if (p.proto === "tcp") {
      const f = p.tcpFlags;
      e.tcpState = !f || f.syn ? "SYN_SENT" : "ESTABLISHED";
    }
    this.entries.add(e);
    this.index(e);
    return e;
  }

  /** Re-registers an entry's tuples (after a NAT binding changed its reply tuple). */
  index(e: CtEntry): void {
    this.unindex(e);
    const proto = PROTO_NUMBER[e.proto];
    const o = e.orig;
    const r = e.reply;
    const put = (map: Map<string, CtRef>, list: string[], t: Tuple, dir: Dir) => {
      const k = tupleKey(proto, t);
      if (map.has(k)) return;
      map.set(k, { e, dir });
      list.push(k);
    };
    put(this.main, e.keys, o, ORIGINAL);
    put(this.main, e.keys, r, REPLY);
    put(this.alt, e.altKeys, { src: o.src, sport: o.sport, dst: r.src, dport: r.sport }, ORIGINAL);
    put(this.alt, e.altKeys, invert(r), ORIGINAL);
    put(this.alt, e.altKeys, { src: r.src, sport: r.sport, dst: o.src, dport: o.sport }, REPLY);
    put(this.alt, e.altKeys, invert(o), REPLY);
  }

  private unindex(e: CtEntry): void {
    for (const k of e.keys) if (this.main.get(k)?.e === e) this.main.delete(k);
    for (const k of e.altKeys) if (this.alt.get(k)?.e === e) this.alt.delete(k);
    e.keys = [];
    e.altKeys = [];
  }

  remove(e: CtEntry): void {
    this.unindex(e);
    this.entries.delete(e);
  }

  clear(): void {
    this.entries.clear();
    this.main.clear();
    this.alt.clear();
  }

  /** Accounting, state machine and timeout for a packet that conntrack saw at PREROUTING/OUTPUT. */
  touch(e: CtEntry, dir: Dir, p: Packet, now: number): void {
    e.packets++;
    e.bytes += p.length;
    if (dir === REPLY) e.seenReply = true;
    if (e.proto === "icmp") {
      e.expires = now + TIMEOUT.icmp;
    } else if (e.proto === "udp") {
      // A flow still talking both ways 2 s after it started is a stream: assured, longer timeout.
      if (e.seenReply && now - e.created > 2000) e.assured = true;
      e.expires = now + (e.assured ? TIMEOUT.udpStream : TIMEOUT.udp);
    } else {
      e.expires = now + this.tcpStep(e, dir, p);
    }
  }

  private tcpStep(e: CtEntry, dir: Dir, p: Packet): number {
    const f = p.tcpFlags;
    const s = e.tcpState;
    let next = s ?? "SYN_SENT";
    if (f?.rst) next = "CLOSE";
    else if (f?.fin) next = s === "FIN_WAIT" && dir !== e.finDir ? "LAST_ACK" : s === "LAST_ACK" ? s : "FIN_WAIT";
    else if (s === "SYN_SENT" && dir === REPLY) next = f?.syn ? "SYN_RECV" : "ESTABLISHED";
    else if (s === "SYN_RECV" && dir === ORIGINAL && (!f || f.ack)) next = "ESTABLISHED";
    else if (s === "LAST_ACK" && f?.ack) next = "TIME_WAIT";
    if (f?.fin && next === "FIN_WAIT" && s !== "FIN_WAIT") e.finDir = dir;
    e.tcpState = next;
    if (next === "ESTABLISHED") e.assured = true;
    switch (next) {
      case "SYN_SENT":
        return TIMEOUT.tcpSynSent;
      case "SYN_RECV":
        return TIMEOUT.tcpSynRecv;
      case "ESTABLISHED":
        return TIMEOUT.tcpEstablished;
      case "FIN_WAIT":
        return TIMEOUT.tcpFinWait;
      case "LAST_ACK":
        return TIMEOUT.tcpLastAck;
      case "TIME_WAIT":
        return TIMEOUT.tcpTimeWait;
      default:
        return TIMEOUT.tcpClose;
    }
  }

  /** Public snapshot (conntrack -L); unconfirmed entries are not in the table yet. */
  snapshot(): ConntrackEntry[] {
    const out: ConntrackEntry[] = [];
    for (const e of this.entries) {
      if (!e.confirmed) continue;
      const view = (t: Tuple) =>
        e.proto === "icmp" ? { src: t.src, dst: t.dst, id: t.sport } : { src: t.src, dst: t.dst, sport: t.sport, dport: t.dport };
      out.push({
        proto: e.proto,
        orig: view(e.orig),
        reply: view(e.reply),
        state: e.seenReply ? "ESTABLISHED" : "NEW",
        expires: e.expires,
        packets: e.packets,
        bytes: e.bytes,
        seenReply: e.seenReply,
        assured: e.assured,
        tcpState: e.tcpState,
      });
    }
    return out;
  }

  /** Drops timed-out entries, and unconfirmed ones whose packet died on the way (older than 1 s). */
  expire(now: number): void {
    for (const e of [...this.entries]) {
      if ((e.confirmed && e.expires <= now) || (!e.confirmed && now - e.created > 1000)) this.remove(e);
    }
  }

  checkInvariants(now: number): string[] {
    const errs: string[] = [];
    const proto = (e: CtEntry) => PROTO_NUMBER[e.proto];
    for (const e of this.entries) {
      const name = `${e.proto} ${tupleKey(proto(e), e.orig)}`;
      if (e.confirmed && e.expires <= now) errs.push(`conntrack: ${name} expired but still listed`);
      if (e.confirmed && (!e.dnatDone || !e.snatDone)) errs.push(`conntrack: ${name} confirmed without NAT bindings`);
      const o = this.main.get(tupleKey(proto(e), e.orig));
      if (!o || o.e !== e || o.dir !== ORIGINAL) errs.push(`conntrack: ${name} original tuple not indexed`);
      const r = this.main.get(tupleKey(proto(e), e.reply));
      if (!r || r.e !== e) errs.push(`conntrack: ${name} reply tuple not indexed`);
      if (e.packets < 0 || e.bytes < 0) errs.push(`conntrack: ${name} negative counters`);
    }
    for (const [k, ref] of this.main) if (!this.entries.has(ref.e)) errs.push(`conntrack: index key ${k} points to a deleted entry`);
    for (const [k, ref] of this.alt) if (!this.entries.has(ref.e)) errs.push(`conntrack: alt key ${k} points to a deleted entry`);
    return errs;
  }
}
