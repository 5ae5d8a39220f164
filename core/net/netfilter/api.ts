// The contract between the packet walk (core/net/walk.ts) and netfilter (this folder).
// The walk calls `Netfilter.hook()` at each of the kernel's five hooks; netfilter runs conntrack,
// the raw/mangle/nat/filter tables in the kernel's priority order, applies NAT and reports what it did.

import type { Packet } from "../packet";

export type Hook = "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING";
export type TableName = "filter" | "nat" | "mangle" | "raw";

/** What netfilter needs to know about the namespace it lives in. Provided by NetNamespace. */
export interface NetfilterEnv {
  /** addrtype match: type of an address as seen by this namespace's local routing table. */
  addrType(ip: number): "LOCAL" | "UNICAST" | "BROADCAST" | "MULTICAST" | "BLACKHOLE" | "UNREACHABLE" | "PROHIBIT";
  /** MASQUERADE: the primary address on `outIface` that the kernel would pick for `dst`; undefined if none. */
  masqueradeSource(outIface: string, dst: number): number | undefined;
  /** Whether an interface of that name exists in this namespace (for -i/-o wildcard `+` handling only names matter). */
  now(): number;
  /** Deterministic randomness in [0,1) for -m statistic --mode random and port allocation. */
  random(): number;
}

export interface HookContext {
  /** Input interface name (PREROUTING, INPUT, FORWARD). */
  inIface?: string;
  /** Output interface name (FORWARD, OUTPUT after routing, POSTROUTING). */
  outIface?: string;
  /** True when the packet is being bridged (br_netfilter): physdev in/out are bridge ports. */
  bridged?: boolean;
  /** With `bridged`: the bridge ports the frame came in / goes out on (-m physdev); default inIface/outIface. */
  physIn?: string;
  physOut?: string;
}

/** One rule (or policy) that a packet met and that decided something or counted it. */
export interface RuleHit {
  table: TableName;
  chain: string;
  /** 1-based rule number in the chain; 0 for the chain policy. */
  ruleNum: number;
  /** The rule as `iptables -S` prints it (`-A CHAIN ...`), or `-P CHAIN POLICY`. */
  rule: string;
  /** ACCEPT, DROP, DNAT, MASQUERADE, a user chain name, RETURN, LOG, MARK ... */
  target: string;
}

export interface NatChange {
  kind: "DNAT" | "SNAT" | "MASQUERADE" | "unDNAT" | "unSNAT";
  from: { addr: number; port?: number };
  to: { addr: number; port?: number };
}

export interface HookResult {
  verdict: "ACCEPT" | "DROP" | "REJECT";
  /** With REJECT: the ICMP (type 3 code N) or "tcp-reset" the kernel sends back. */
  reject?: { with: "icmp"; code: number } | { with: "tcp-reset" };
  /** The packet after NAT (a new object when changed; the input object otherwise). */
  packet: Packet;
  hits: RuleHit[];
  nat?: NatChange;
  /** Conntrack state of the packet at this hook (NEW, ESTABLISHED, RELATED, INVALID). */
  ctState?: "NEW" | "ESTABLISHED" | "RELATED" | "INVALID";
  /** LOG target lines ("IN=eth0 OUT= SRC=..."), to be appended to the machine's kernel log. */
  log?: string[];
}

export interface ConntrackEntry {
  proto: Packet["proto"];
  orig: { src: number; dst: number; sport?: number; dport?: number; id?: number };
  reply: { src: number; dst: number; sport?: number; dport?: number; id?: number };
  state: "NEW" | "ESTABLISHED";
  /** Simulated clock (ms) after which the entry is gone. */
  expires: number;
  packets: number;
  bytes: number;
  /** True when the reply has been seen (conntrack -L prints [ASSURED]/[UNREPLIED]). */
  seenReply: boolean;
  /** [ASSURED] in conntrack -L (TCP established, UDP stream). */
  assured?: boolean;
  /** TCP only: SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, LAST_ACK, TIME_WAIT, CLOSE. */
  tcpState?: string;
}
