// NAT as the kernel does it: the nat table decides once per connection (a binding stored in the
// conntrack reply tuple); every packet then gets that binding applied at its hook. Destination
// rewrites happen at PREROUTING/OUTPUT, source rewrites at POSTROUTING/INPUT, in both directions
// (a reply's destination is un-SNATed at PREROUTING, its source un-DNATed at POSTROUTING/INPUT).

import type { NatChange, NetfilterEnv } from "./api";
import type { Packet } from "../packet";
import { ConntrackTable, CtEntry, ORIGINAL, type Dir, type Tuple } from "./conntrack";
import type { PortRange, Target } from "./rule";

export type Manip = "SRC" | "DST";
type NatTarget = Extract<Target, { kind: "SNAT" | "DNAT" | "MASQUERADE" }>;

/** Picks an address from a range: stable per client (as the kernel's hash of the source is). */
function pickIp(min: number, max: number, key: number): number {
  const count = max - min + 1;
  return count <= 1 ? min : min + ((key >>> 0) % count);
}

/** Port search order for a remap: the given range, else the kernel's default by privilege class. */
function portSpace(orig: number, ports?: PortRange): PortRange {
  if (ports) return ports;
  return orig < 1024 ? { lo: 1, hi: 1023 } : { lo: 1024, hi: 65535 };
}

/**
 * Decides the source binding for a new connection (SNAT/MASQUERADE target, or identity when
 * `t` is undefined) and stores it in the reply tuple. Returns false when MASQUERADE has no
 * address to use (the kernel drops the packet).
 */
export function bindSrc(ct: ConntrackTable, e: CtEntry, t: NatTarget | undefined, outIface: string | undefined, env: NetfilterEnv): boolean {
  let ip = e.orig.src;
  let ports: PortRange | undefined;
  let randomize = false;
  if (t?.kind === "MASQUERADE") {
    const src = outIface === undefined ? undefined : env.masqueradeSource(outIface, e.reply.src);
    if (src === undefined) return false;
    ip = src;
    ports = t.ports;
    randomize = t.random || t.randomFully;
    e.snatKind = "MASQUERADE";
  } else if (t?.kind === "SNAT") {
    if (t.range.minIp !== undefined) ip = pickIp(t.range.minIp, t.range.maxIp ?? t.range.minIp, e.orig.src ^ (t.persistent ? 0 : e.reply.src));
    ports = t.range.ports;
    randomize = t.random || t.randomFully;
    e.snatKind = "SNAT";
  }
  const base: Tuple = { ...e.reply, dst: ip };
  const port = choosePort(ct, e, base, "dport", e.orig.sport, ports, randomize, env);
  e.reply = { ...base, dport: port, ...(e.proto === "icmp" ? { sport: port } : {}) };
  // A clash forced a port change without any rule asking for it: the kernel counts that as SNAT too.
  if (!t && e.hasSnat) e.snatKind = "SNAT";
  e.snatDone = true;
  ct.index(e);
  return true;
}

/** Decides the destination binding (DNAT target, or identity) and stores it in the reply tuple. */
export function bindDst(ct: ConntrackTable, e: CtEntry, t: NatTarget | undefined, env: NetfilterEnv): void {
  if (t?.kind === "DNAT") {
    const r = t.range;
    const ip = r.minIp === undefined ? e.orig.dst : pickIp(r.minIp, r.maxIp ?? r.minIp, e.orig.src ^ (t.persistent ? 0 : e.orig.dst));
    let port = e.orig.dport;
    if (r.ports && e.proto !== "icmp") {
      const base: Tuple = { ...e.reply, src: ip };
      port = choosePort(ct, e, base, "sport", e.orig.dport, r.ports, t.random || t.randomFully, env, true);
    }
    e.reply = { ...e.reply, src: ip, sport: port };
    e.dnatKind = "DNAT";
  }
  e.dnatDone = true;
  ct.index(e);
}

/**
 * Keeps `orig` when it is inside the allowed range and the reply tuple stays unique; otherwise takes
 * the first free port (from a random start with --random/--random-fully).
 */
function choosePort(
  ct: ConntrackTable,
  e: CtEntry,
  base: Tuple,
  field: "sport" | "dport",
  orig: number,
  ports: PortRange | undefined,
  randomize: boolean,
  env: NetfilterEnv,
  dnat = false,
): number {
  const withPort = (p: number): Tuple => (e.proto === "icmp" ? { ...base, sport: p, dport: p } : { ...base, [field]: p });
  const inRange = !ports || (orig >= ports.lo && orig <= ports.hi);
  if (inRange && !randomize && !ct.replyTaken(e.proto, withPort(orig), e)) return orig;
  // DNAT to a port range maps to the range start unless told to randomise (kernel: first free).
  const space = e.proto === "icmp" ? { lo: 0, hi: 65535 } : portSpace(orig, ports);
  const size = space.hi - space.lo + 1;
  const start = randomize ? Math.floor(env.random() * size) : dnat || !inRange ? 0 : orig - space.lo + 1;
  for (let i = 0; i < size; i++) {
    const p = space.lo + ((start + i) % size);
    if (!ct.replyTaken(e.proto, withPort(p), e)) return p;
  }
  return orig;
}

function rewrite(p: Packet, which: "src" | "dst", addr: number, port: number): Packet {
  const out: Packet = { ...p, [which]: addr };
  if (p.proto === "icmp") out.icmpId = port;
  else out[which === "src" ? "sport" : "dport"] = port;
  return out;
}

const portOf = (p: Packet, which: "src" | "dst"): number => (p.proto === "icmp" ? (p.icmpId ?? 0) : ((which === "src" ? p.sport : p.dport) ?? 0));

function change(kind: NatChange["kind"], e: CtEntry, fromAddr: number, fromPort: number, toAddr: number, toPort: number): NatChange {
  if (e.proto === "icmp") return { kind, from: { addr: fromAddr }, to: { addr: toAddr } };
  return { kind, from: { addr: fromAddr, port: fromPort }, to: { addr: toAddr, port: toPort } };
}

/** Applies a connection's stored binding for `manip` to a packet of direction `dir`. */
export function applyBinding(p: Packet, e: CtEntry, dir: Dir, manip: Manip): { packet: Packet; nat?: NatChange } {
  const o = e.orig;
  const r = e.reply;
  if (dir === ORIGINAL) {
    if (manip === "DST") {
      if (!e.hasDnat || p.dst !== o.dst || portOf(p, "dst") !== o.dport) return { packet: p };
      return { packet: rewrite(p, "dst", r.src, r.sport), nat: change(e.dnatKind ?? "DNAT", e, o.dst, o.dport, r.src, r.sport) };
    }
    if (!e.hasSnat || p.src !== o.src || portOf(p, "src") !== o.sport) return { packet: p };
    return { packet: rewrite(p, "src", r.dst, r.dport), nat: change(e.snatKind ?? "SNAT", e, o.src, o.sport, r.dst, r.dport) };
  }
  if (manip === "DST") {
    if (!e.hasSnat || p.dst !== r.dst || portOf(p, "dst") !== r.dport) return { packet: p };
    return { packet: rewrite(p, "dst", o.src, o.sport), nat: change("unSNAT", e, r.dst, r.dport, o.src, o.sport) };
  }
  if (!e.hasDnat || p.src !== r.src || portOf(p, "src") !== r.sport) return { packet: p };
  return { packet: rewrite(p, "src", o.dst, o.dport), nat: change("unDNAT", e, r.src, r.sport, o.dst, o.dport) };
}

/**
 * ICMP error related to a NATed connection (nf_nat_icmp_reply_translation): the outer header is
 * rewritten like any packet of that direction, the quoted inner header the other way round.
 */
export function applyRelated(p: Packet, e: CtEntry, dir: Dir, manip: Manip): { packet: Packet; nat?: NatChange } {
  const needsSnat = (manip === "SRC") === (dir === ORIGINAL);
  if (needsSnat ? !e.hasSnat : !e.hasDnat) return { packet: p };
  const other = dir === ORIGINAL ? e.reply : e.orig;
  const inner = p.inner ? { ...p.inner } : undefined;
  const out: Packet = { ...p, inner };
  let nat: NatChange;
  if (manip === "SRC") {
    out.src = other.dst;
    if (inner) {
      inner.dst = other.dst;
      if (inner.proto === "icmp") inner.icmpId = other.dport;
      else inner.dport = other.dport;
    }
    nat = { kind: dir === ORIGINAL ? (e.snatKind ?? "SNAT") : "unDNAT", from: { addr: p.src }, to: { addr: out.src } };
  } else {
    out.dst = other.src;
    if (inner) {
      inner.src = other.src;
      if (inner.proto === "icmp") inner.icmpId = other.sport;
      else inner.sport = other.sport;
    }
    nat = { kind: dir === ORIGINAL ? (e.dnatKind ?? "DNAT") : "unSNAT", from: { addr: p.dst }, to: { addr: out.dst } };
  }
  return { packet: out, nat };
}
