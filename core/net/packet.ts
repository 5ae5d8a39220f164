// An IPv4 packet as the simulated kernel sees it. Addresses are unsigned 32-bit integers (see ip.ts);
// everything the netfilter and routing code matches on lives here, nothing more.

export type L4Proto = "icmp" | "tcp" | "udp";

export const PROTO_NUMBER: Record<L4Proto, number> = { icmp: 1, tcp: 6, udp: 17 };

export interface TcpFlags {
  syn?: boolean;
  ack?: boolean;
  fin?: boolean;
  rst?: boolean;
  psh?: boolean;
}

export interface Packet {
  src: number;
  dst: number;
  proto: L4Proto;
  ttl: number;
  /** IP total length in bytes (headers + payload); counters add this. */
  length: number;
  /** TCP/UDP ports. */
  sport?: number;
  dport?: number;
  tcpFlags?: TcpFlags;
  /** ICMP type/code; echo id and sequence. */
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  icmpSeq?: number;
  /** For ICMP errors: the header of the packet that caused it (conntrack relates it to that flow). */
  inner?: Packet;
  /** skb->mark, set by -j MARK and matched by -m mark. */
  mark: number;
  /** Application bytes carried (HTTP request, DNS query...); opaque to the network layer. */
  payload?: string;
}

export const ICMP = {
  ECHO_REPLY: 0,
  DEST_UNREACH: 3,
  ECHO_REQUEST: 8,
  TIME_EXCEEDED: 11,
} as const;

/** ICMP destination-unreachable codes the simulator produces. */
export const UNREACH = {
  NET: 0,
  HOST: 1,
  PROTO: 2,
  PORT: 3,
  NET_PROHIBITED: 9,
  HOST_PROHIBITED: 10,
  ADMIN_PROHIBITED: 13,
} as const;

export function clonePacket(p: Packet): Packet {
  return { ...p, tcpFlags: p.tcpFlags ? { ...p.tcpFlags } : undefined, inner: p.inner ? clonePacket(p.inner) : undefined };
}
