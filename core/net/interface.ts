// A network interface inside one namespace: the state `ip link` and `ip addr` show.
import type { NetNamespace } from "./namespace";
import type { Cable } from "./switch";
import { linkType } from "./links/registry";

export type LinkKind = "loopback" | "ether" | "veth" | "bridge" | "dummy" | "vxlan";

export interface IfAddress {
  addr: number;
  prefixLen: number;
  scope: "global" | "host" | "link";
  /** Broadcast address when set (`brd`), printed in `ip addr`. */
  broadcast?: number;
  label: string;
}

export interface IfStats {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

export interface FdbEntry {
  port: NetInterface;
  /** Simulated ms when last seen; permanent entries (the bridge's own ports' MACs) are local. */
  updated: number;
  local: boolean;
}

export class NetInterface {
  adminUp = false;
  /** True once the device has been up at least once: the qdisc stays `noqueue` afterwards. */
  everUp = false;
  mtu: number;
  addresses: IfAddress[] = [];
  stats: IfStats = { rxBytes: 0, rxPackets: 0, rxErrors: 0, rxDropped: 0, txBytes: 0, txPackets: 0, txErrors: 0, txDropped: 0 };
  /** veth: the other end (possibly in another namespace). */
  peer?: NetInterface;
  /** Bridge port: the bridge it is enslaved to (`master`). */
  master?: NetInterface;
  /** Bridge port flag (`bridge link set dev X hairpin on`). */
  hairpin = false;
  /** Bridge only: its ports and forwarding database. */
  ports?: Set<NetInterface>;
  fdb?: Map<string, FdbEntry>;
  /** Bridge only: MAC set explicitly (otherwise the bridge takes the lowest port MAC). */
  macFixed = false;
  /** Physical NIC: the cable plugged into it. */
  cable?: Cable;
  /** vxlan: its parameters (id, remote/local, dstport, underlying device). */
  vxlan?: { id: number; remote?: number; local?: number; dstport: number; dev?: string };
  /** Interface alias (`ip link set X alias TEXT`). */
  alias?: string;
  promiscuity = 0;
  /**
   * veth only: what `state` reads while up without carrier. The kernel computes it when the carrier
   * event happens, so it depends on history (captured on 6.18): LOWERLAYERDOWN when set up while the
   * peer is down (peer in the same namespace, or this end was moved in); DOWN when the carrier went
   * away later across namespaces, or when this end stayed while its down peer moved away.
   */
  noCarrierState: "LOWERLAYERDOWN" | "DOWN" = "LOWERLAYERDOWN";
  /** True once the device was moved into its current namespace from another. */
  movedIn = false;

  constructor(
    public ns: NetNamespace,
    public ifindex: number,
    public name: string,
    public readonly kind: LinkKind,
    public mac: string,
  ) {
    this.mtu = kind === "loopback" ? 65536 : 1500;
    if (kind === "bridge") {
      this.ports = new Set();
      this.fdb = new Map();
    }
  }

  /** Lower layer up (carrier), as the link type defines it. */
  get carrier(): boolean {
    return linkType(this.kind).carrier(this);
  }

  /** Administratively up and carrier: packets can move. */
  get running(): boolean {
    return this.adminUp && this.carrier;
  }

  get operState(): "UP" | "DOWN" | "LOWERLAYERDOWN" | "UNKNOWN" {
    return linkType(this.kind).operState(this);
  }

  get qdisc(): string {
    if (!this.everUp) return "noop";
    return linkType(this.kind).qdisc;
  }

  /** Primary IPv4 addresses first, in the order added (what `ip addr` prints). */
  primaryAddressFor(dst?: number): IfAddress | undefined {
    if (dst !== undefined) {
      const same = this.addresses.find((a) => a.scope !== "host" && sameSubnet(a, dst));
      if (same) return same;
    }
    return this.addresses.find((a) => a.scope === "global") ?? this.addresses[0];
  }
}

function sameSubnet(a: IfAddress, ip: number): boolean {
  const mask = a.prefixLen === 0 ? 0 : (0xffffffff << (32 - a.prefixLen)) >>> 0;
  return ((a.addr ^ ip) & mask) === 0;
}
