// Does a rule match a packet? The IP part first (cheap number compares), then each match extension
// as its kernel module decides it. Runs on the packet path: no allocation, no string building.

import type { HookContext, NetfilterEnv } from "./api";
import { PROTO_NUMBER, type Packet } from "../packet";
import {
  ADDRTYPE_NAMES,
  INV_DST,
  INV_IN,
  INV_OUT,
  INV_PROTO,
  INV_SRC,
  PHYSDEV_BRIDGED,
  PHYSDEV_IN,
  PHYSDEV_ISIN,
  PHYSDEV_ISOUT,
  PHYSDEV_OUT,
  type Match,
  type PortRange,
  type Rule,
} from "./rule";

export interface MatchEnv {
  ctx: HookContext;
  env: NetfilterEnv;
  /** Conntrack state bits of the packet (CT_* plus CT_SNAT/CT_DNAT for translated connections). */
  ctBits: number;
}

const ADDRTYPE_BIT: Record<string, number> = {};
ADDRTYPE_NAMES.forEach((n, i) => (ADDRTYPE_BIT[n] = 1 << i));

export function ifaceMatches(pattern: string, name: string | undefined): boolean {
  if (name === undefined) return false;
  const last = pattern.length - 1;
  if (pattern.charCodeAt(last) === 43 /* + */) return name.startsWith(pattern.slice(0, last));
  return name === pattern;
}

function inRange(v: number | undefined, r: PortRange): boolean {
  return v !== undefined && v >= r.lo && v <= r.hi;
}

function tcpFlagBits(p: Packet): number {
  const f = p.tcpFlags;
  if (!f) return 0;
  return (f.fin ? 1 : 0) | (f.syn ? 2 : 0) | (f.rst ? 4 : 0) | (f.psh ? 8 : 0) | (f.ack ? 0x10 : 0);
}

function physdevMatches(m: Extract<Match, { kind: "physdev" }>, me: MatchEnv): boolean {
  const { ctx } = me;
  const inv = (bit: number, v: boolean) => (m.invert & bit ? !v : v);
  if (!ctx.bridged) {
    // Not bridged: any positive physdev test fails, inverted ones pass (xt_physdev).
    for (const bit of [PHYSDEV_BRIDGED, PHYSDEV_ISIN, PHYSDEV_ISOUT, PHYSDEV_IN, PHYSDEV_OUT])
      if (m.flags & bit && !(m.invert & bit)) return false;
    return true;
  }
  const physIn = ctx.physIn ?? ctx.inIface;
  const physOut = ctx.physOut ?? ctx.outIface;
  if (m.flags & PHYSDEV_BRIDGED && !inv(PHYSDEV_BRIDGED, physOut !== undefined)) return false;
  if (m.flags & PHYSDEV_ISIN && !inv(PHYSDEV_ISIN, physIn !== undefined)) return false;
  if (m.flags & PHYSDEV_ISOUT && !inv(PHYSDEV_ISOUT, physOut !== undefined)) return false;
  if (m.flags & PHYSDEV_IN && !inv(PHYSDEV_IN, ifaceMatches(m.in, physIn))) return false;
  if (m.flags & PHYSDEV_OUT && !inv(PHYSDEV_OUT, ifaceMatches(m.out, physOut))) return false;
  return true;
}

function matchOne(m: Match, p: Packet, me: MatchEnv): boolean {
  switch (m.kind) {
    case "tcp":
    case "udp":
      if (p.proto !== m.kind) return false;
      if (m.sport && inRange(p.sport, m.sport) === m.sportInv) return false;
      if (m.dport && inRange(p.dport, m.dport) === m.dportInv) return false;
      if (m.flags && ((tcpFlagBits(p) & m.flags.mask) === m.flags.cmp) === m.flags.inv) return false;
      return true;
    case "icmp": {
      if (p.proto !== "icmp") return false;
      const type = p.icmpType ?? 0;
      const code = p.icmpCode ?? 0;
      const hit = m.type === 0xff || (type === m.type && code >= m.codeMin && code <= m.codeMax);
      return hit !== m.inv;
    }
    case "comment":
      return true;
    case "conntrack":
    case "state":
      return ((me.ctBits & m.states) !== 0) !== m.inv;
    case "addrtype":
      if (m.src && ((ADDRTYPE_BIT[me.env.addrType(p.src)] & m.src) !== 0) === m.srcInv) return false;
      if (m.dst && ((ADDRTYPE_BIT[me.env.addrType(p.dst)] & m.dst) !== 0) === m.dstInv) return false;
      return true;
    case "statistic":
      if (m.mode === "random") return (Math.floor(me.env.random() * 0x80000000) < m.prob) !== m.inv;
      // xt_statistic nth: the counter starts at --packet and the rule hits when it wraps to 0.
      m.count = m.count === m.every - 1 ? 0 : m.count + 1;
      return (m.count === 0) !== m.inv;
    case "mark":
      return (((p.mark & m.mask) >>> 0) === m.value) !== m.inv;
    case "multiport": {
      let hit = false;
      for (const r of m.ports) {
        if ((m.dir !== "dports" && inRange(p.sport, r)) || (m.dir !== "sports" && inRange(p.dport, r))) {
          hit = true;
          break;
        }
      }
      return hit !== m.inv;
    }
    case "physdev":
      return physdevMatches(m, me);
  }
}

export function ruleMatches(r: Rule, p: Packet, me: MatchEnv): boolean {
  const inv = r.inv;
  if (r.smsk !== 0 || inv & INV_SRC) if ((((p.src & r.smsk) >>> 0) === r.src) === ((inv & INV_SRC) !== 0)) return false;
  if (r.dmsk !== 0 || inv & INV_DST) if ((((p.dst & r.dmsk) >>> 0) === r.dst) === ((inv & INV_DST) !== 0)) return false;
  if (r.inIface && ifaceMatches(r.inIface, me.ctx.inIface) === ((inv & INV_IN) !== 0)) return false;
  if (r.outIface && ifaceMatches(r.outIface, me.ctx.outIface) === ((inv & INV_OUT) !== 0)) return false;
  if (r.proto !== 0 && (PROTO_NUMBER[p.proto] === r.proto) === ((inv & INV_PROTO) !== 0)) return false;
  for (let i = 0; i < r.matches.length; i++) if (!matchOne(r.matches[i], p, me)) return false;
  return true;
}
