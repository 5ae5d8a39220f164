// The rule model: what one iptables rule holds once parsed. The IP part is kept as numbers (the kernel's
// struct ipt_ip), matches and the target as small tagged objects, in the order the user loaded them,
// because `iptables -S` and `-L` print them back in that order.

import type { Hook, TableName } from "./api";

export interface PortRange {
  lo: number;
  hi: number;
}

/** Inversion bits of the IP part (IPT_INV_*). */
export const INV_IN = 0x01;
export const INV_OUT = 0x02;
export const INV_SRC = 0x08;
export const INV_DST = 0x10;
export const INV_PROTO = 0x40;

/** Conntrack state bits, as xt_conntrack orders them when printing. */
export const CT_INVALID = 1;
export const CT_NEW = 2;
export const CT_RELATED = 4;
export const CT_ESTABLISHED = 8;
export const CT_UNTRACKED = 16;
export const CT_SNAT = 32;
export const CT_DNAT = 64;
export const CT_STATE_NAMES: [string, number][] = [
  ["INVALID", CT_INVALID],
  ["NEW", CT_NEW],
  ["RELATED", CT_RELATED],
  ["ESTABLISHED", CT_ESTABLISHED],
  ["UNTRACKED", CT_UNTRACKED],
  ["SNAT", CT_SNAT],
  ["DNAT", CT_DNAT],
];

/** addrtype bits (1 << RTN_*), in the kernel's order. */
export const ADDRTYPE_NAMES = [
  "UNSPEC",
  "UNICAST",
  "LOCAL",
  "BROADCAST",
  "ANYCAST",
  "MULTICAST",
  "BLACKHOLE",
  "UNREACHABLE",
  "PROHIBIT",
  "THROW",
  "NAT",
  "XRESOLVE",
] as const;

export interface TcpFlagMatch {
  mask: number;
  cmp: number;
  inv: boolean;
}

export type Match =
  | {
      kind: "tcp" | "udp";
      sport?: PortRange;
      sportInv: boolean;
      dport?: PortRange;
      dportInv: boolean;
      flags?: TcpFlagMatch;
    }
  | { kind: "icmp"; type: number; codeMin: number; codeMax: number; inv: boolean }
  | { kind: "comment"; text: string }
  | { kind: "conntrack" | "state"; states: number; inv: boolean }
  | { kind: "addrtype"; src: number; srcInv: boolean; dst: number; dstInv: boolean; limitIn: boolean; limitOut: boolean }
  | { kind: "statistic"; mode: "random"; prob: number; inv: boolean }
  | { kind: "statistic"; mode: "nth"; every: number; packet: number; count: number; inv: boolean }
  | { kind: "mark"; value: number; mask: number; inv: boolean }
  | { kind: "multiport"; dir: "sports" | "dports" | "ports"; ports: PortRange[]; inv: boolean }
  | { kind: "physdev"; flags: number; invert: number; in: string; out: string };

/** physdev bits (XT_PHYSDEV_OP_*). */
export const PHYSDEV_IN = 1;
export const PHYSDEV_OUT = 2;
export const PHYSDEV_BRIDGED = 4;
export const PHYSDEV_ISIN = 8;
export const PHYSDEV_ISOUT = 16;

export interface NatRange {
  /** Absent for `--to-destination :PORT` (keep the address). */
  minIp?: number;
  maxIp?: number;
  ports?: PortRange;
}

export type RejectWith =
  | "icmp-net-unreachable"
  | "icmp-host-unreachable"
  | "icmp-port-unreachable"
  | "icmp-proto-unreachable"
  | "icmp-net-prohibited"
  | "icmp-host-prohibited"
  | "tcp-reset"
  | "icmp-admin-prohibited";

export const REJECT_CODES: Record<Exclude<RejectWith, "tcp-reset">, number> = {
  "icmp-net-unreachable": 0,
  "icmp-host-unreachable": 1,
  "icmp-proto-unreachable": 2,
  "icmp-port-unreachable": 3,
  "icmp-net-prohibited": 9,
  "icmp-host-prohibited": 10,
  "icmp-admin-prohibited": 13,
};

export type Target =
  | { kind: "none" }
  | { kind: "ACCEPT" | "DROP" | "RETURN" }
  | { kind: "jump"; chain: string; goto: boolean }
  | { kind: "REJECT"; with: RejectWith }
  | { kind: "LOG"; prefix: string; level: number; flags: number }
  | { kind: "MARK"; mark: number; mask: number }
  | { kind: "MASQUERADE"; ports?: PortRange; random: boolean; randomFully: boolean }
  | { kind: "SNAT" | "DNAT"; range: NatRange; random: boolean; randomFully: boolean; persistent: boolean };

export interface Rule {
  /** Network and mask, both uint32; the network is stored already masked. */
  src: number;
  smsk: number;
  dst: number;
  dmsk: number;
  /** "" = any interface; a trailing "+" is a prefix wildcard. */
  inIface: string;
  outIface: string;
  /** IP protocol number; 0 = all. */
  proto: number;
  inv: number;
  matches: Match[];
  target: Target;
  pkts: number;
  bytes: number;
  /** Cached `iptables -S` text after "-A CHAIN" (cleared when chains are renamed). */
  spec?: string;
}

export interface Chain {
  name: string;
  /** Set for built-in chains only. */
  policy?: "ACCEPT" | "DROP";
  rules: Rule[];
  /** Policy counters (built-in chains). */
  pkts: number;
  bytes: number;
}

export const TABLE_NAMES: TableName[] = ["filter", "nat", "mangle", "raw"];

/** Built-in chains per table, in the order iptables lists them. */
export const BUILTIN_CHAINS: Record<TableName, Hook[]> = {
  filter: ["INPUT", "FORWARD", "OUTPUT"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  raw: ["PREROUTING", "OUTPUT"],
};

export function emptyRule(): Rule {
  return {
    src: 0,
    smsk: 0,
    dst: 0,
    dmsk: 0,
    inIface: "",
    outIface: "",
    proto: 0,
    inv: 0,
    matches: [],
    target: { kind: "none" },
    pkts: 0,
    bytes: 0,
  };
}

/** The name iptables shows in the target column ("" when the rule has no -j). */
export function targetName(t: Target): string {
  switch (t.kind) {
    case "none":
      return "";
    case "jump":
      return t.chain;
    default:
      return t.kind;
  }
}
