// The path of one probe, hop by hop, with what decided each step. The CLI prints it with `trace`; the
// app will draw it on the topology.
import type { RuleHit, NatChange } from "./netfilter/api";

export type HopKind =
  | "send" // a socket hands the packet to the stack
  | "route" // route lookup (output or forward)
  | "netfilter" // a hook traversal (rules hit, NAT, verdict)
  | "arp" // neighbour resolution (request/reply or cached)
  | "l2" // frame crosses a veth, cable, switch or bridge
  | "deliver" // local delivery to a socket (or ICMP echo)
  | "forward" // the namespace forwards (ip_forward)
  | "drop" // the packet dies here (reason says why)
  | "icmp-error" // an ICMP error is generated
  | "reply"; // the answer starts its way back

export interface Hop {
  kind: HopKind;
  /** Where: `host-a` or `host-a/red` (machine/namespace), plus interface when relevant. */
  at: string;
  iface?: string;
  /** One line for humans: "192.168.2.0/24 via 192.168.1.1 dev eth0", "FORWARD policy DROP"… */
  summary: string;
  route?: string;
  rules?: RuleHit[];
  nat?: NatChange;
  /** The packet's addresses at this point, as text (`10.0.0.1:5000 > 10.0.0.2:80 tcp SYN`). */
  packet?: string;
}

export interface Trace {
  hops: Hop[];
  /** Final outcome in words: "delivered", "dropped: ip_forward=0 on rt", "no ARP reply for 192.168.1.99"… */
  outcome: string;
}
