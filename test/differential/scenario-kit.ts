// Types and small topology builders shared by the differential scenarios.

import type { MachineSpec, TopologySpec } from "../../core/net/topology";

/**
 * How one command's results are compared (simulator vs kernel):
 * - `exact`: stdout, stderr and exit code byte for byte (after stripping the iptables version string
 *   and empty lines from stderr);
 * - `normalized`: the default for everything but ping: exit code, stderr as above, stdout after the
 *   normalisations in normalize.ts (MACs, ifindexes, IPv6, netns ids, neighbour states, ephemeral ports …);
 * - `ping`: exit code, stderr, and the probe outcome (header, transmitted/received/errors, reply sources
 *   and TTLs, and the `From X` sources when both sides printed some);
 * - `exit-only`: only the exit code (for output that legitimately differs; say why next to it).
 */
export type CompareMode = "exact" | "normalized" | "ping" | "exit-only";

export interface Scenario {
  name: string;
  /** Syllabus module the scenario comes from. */
  module: 1 | 3 | 4;
  topology: TopologySpec;
  /** `@HOST COMMAND` lines, as for `kube-netlab run`. */
  script: string;
  /** Per-command comparison mode, keyed by the script line `@HOST COMMAND` (every occurrence). */
  compare?: Record<string, CompareMode>;
}

/** A machine with one NIC on a switch and an address on it (plus any extra setup lines). */
export function host(name: string, sw: string, cidr: string, ...setup: string[]): MachineSpec {
  return {
    name,
    nics: [{ name: "eth0", link: `switch:${sw}` }],
    setup: [`ip addr add ${cidr} dev eth0`, ...setup],
  };
}

/** Multi-line script text: trims the common indentation so scenarios read naturally. */
export function script(text: string): string {
  return text
    .split("\n")
    .map((l) => l.trim())
    .join("\n")
    .trim();
}

/**
 * Setup lines for a namespace NS attached to bridge BR on the machine, as the syllabus builds it
 * (veth-NS in the namespace, veth-NS-br on the bridge, both UP, address CIDR, optional default route).
 */
export function nsOnBridge(ns: string, br: string, cidr: string, gw?: string): string[] {
  return [
    `ip netns add ${ns}`,
    `ip link add veth-${ns} type veth peer name veth-${ns}-br`,
    `ip link set veth-${ns} netns ${ns}`,
    `ip link set veth-${ns}-br master ${br}`,
    `ip link set veth-${ns}-br up`,
    `ip -n ${ns} addr add ${cidr} dev veth-${ns}`,
    `ip -n ${ns} link set veth-${ns} up`,
    `ip -n ${ns} link set lo up`,
    ...(gw ? [`ip -n ${ns} route add default via ${gw}`] : []),
  ];
}

/** Setup lines for a bridge BR with address CIDR, UP. */
export function bridge(br: string, cidr?: string): string[] {
  return [`ip link add ${br} type bridge`, `ip link set ${br} up`, ...(cidr ? [`ip addr add ${cidr} dev ${br}`] : [])];
}
