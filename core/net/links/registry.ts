// One entry per link kind, as containerlab keeps one file per link type. `ip link add ... type KIND`
// asks the registry and gets the kernel's error for kinds it does not know.
import type { LinkKind, NetInterface } from "../interface";
import { loopbackLink } from "./loopback";
import { etherLink } from "./ether";
import { vethLink } from "./veth";
import { bridgeLink } from "./bridge";
import { dummyLink } from "./dummy";
import { vxlanLink } from "./vxlan";

export interface LinkType {
  kind: LinkKind;
  /** Whether `ip link add NAME type KIND` may create it (loopback and NICs exist, they are not added). */
  userCreatable: boolean;
  carrier(iface: NetInterface): boolean;
  operState(iface: NetInterface): "UP" | "DOWN" | "LOWERLAYERDOWN" | "UNKNOWN";
  /** Queueing discipline shown once the device has been up. */
  qdisc: string;
}

const registry = new Map<LinkKind, LinkType>(
  [loopbackLink, etherLink, vethLink, bridgeLink, dummyLink, vxlanLink].map((t) => [t.kind, t]),
);

export function linkType(kind: LinkKind): LinkType {
  const t = registry.get(kind);
  if (!t) throw new Error(`unknown link kind ${kind}; known: ${[...registry.keys()].join(", ")}`);
  return t;
}

/** Kinds a user can create with `ip link add ... type KIND`. */
export function creatableKinds(): LinkKind[] {
  return [...registry.values()].filter((t) => t.userCreatable).map((t) => t.kind);
}

/** Shared state rule for Ethernet-like devices: down, no carrier, or up. */
export function etherLikeOperState(iface: NetInterface): "UP" | "DOWN" | "LOWERLAYERDOWN" {
  if (!iface.adminUp) return "DOWN";
  return iface.carrier ? "UP" : "LOWERLAYERDOWN";
}
