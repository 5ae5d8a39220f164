// One network namespace: interfaces, addresses, routes, neighbours, sysctls and netfilter.
// Mutations here follow the kernel's rules (connected routes from addresses, routes flushed when a
// device goes down, a veth pair dies together, a device moved to another namespace loses its addresses).
import { NetInterface, type IfAddress, type LinkKind } from "./interface";
import { RoutingTables, TABLE_LOCAL, TABLE_MAIN, type Route } from "./routes";
import { NeighbourTable } from "./neighbour";
import { SysctlTable } from "./sysctl";
import { KernelError } from "./errors";
import { broadcastOf, inPrefix, isLoopback, networkOf, parseIPv4, prefixMask } from "./ip";
import { Netfilter } from "./netfilter/index";
import type { NetfilterEnv } from "./netfilter/api";
import type { Machine } from "./machine";

export class NetNamespace {
  readonly interfaces = new Map<number, NetInterface>();
  readonly routes = new RoutingTables();
  readonly neigh = new NeighbourTable();
  readonly sysctl = new SysctlTable();
  readonly netfilter: Netfilter;
  /** Peer namespace ids as this namespace knows them (`link-netnsid N`, `ip netns list (id: N)`). */
  private readonly nsids = new Map<NetNamespace, number>();
  private nextIfindex = 1;
  /** Opaque per-namespace state owned by other layers (sockets, conntrack helpers...). */
  readonly ext = new Map<string, unknown>();

  constructor(
    readonly machine: Machine,
    /** null for the machine's initial namespace; the `ip netns` name otherwise. */
    public name: string | null,
  ) {
    const env: NetfilterEnv = {
      addrType: (ip) => this.addrType(ip),
      masqueradeSource: (outIface, dst) => {
        const dev = this.byName(outIface);
        return dev ? this.selectSource(dev, dst) : undefined;
      },
      now: () => machine.sim.clock.now(),
      random: () => machine.sim.rng.next(),
    };
    this.netfilter = new Netfilter(env);
    this.createInterface("loopback", "lo", "00:00:00:00:00:00");
  }

  /** How logs and traces name this namespace: `host-a` or `host-a/red`. */
  get label(): string {
    return this.name === null ? this.machine.name : `${this.machine.name}/${this.name}`;
  }

  // ---------------------------------------------------------------- interfaces

  byName(name: string): NetInterface | undefined {
    for (const i of this.interfaces.values()) if (i.name === name) return i;
    return undefined;
  }

  byIndex(ifindex: number): NetInterface | undefined {
    return this.interfaces.get(ifindex);
  }

  /** Interfaces in ifindex order, as `ip link` lists them. */
  list(): NetInterface[] {
    return [...this.interfaces.values()].sort((a, b) => a.ifindex - b.ifindex);
  }

  get loopback(): NetInterface {
    return this.interfaces.get(1)!;
  }

  /** Creates a device. Throws EEXIST for a taken name. */
  createInterface(kind: LinkKind, name: string, mac?: string): NetInterface {
    if (this.byName(name)) throw new KernelError("EEXIST");
    const iface = new NetInterface(this, this.allocIfindex(), name, kind, mac ?? this.machine.sim.rng.mac());
    this.interfaces.set(iface.ifindex, iface);
    this.sysctl.addInterface(name);
    this.machine.sim.changed(this);
    return iface;
  }

  /** A veth pair: the kernel creates the peer first, so it gets the lower ifindex. */
  createVethPair(name: string, peerName: string, peerNs: NetNamespace = this): [NetInterface, NetInterface] {
    if (this.byName(name) || peerNs.byName(peerName) || (peerNs === this && name === peerName)) throw new KernelError("EEXIST");
    const peer = peerNs.createInterface("veth", peerName);
    const dev = this.createInterface("veth", name);
    dev.peer = peer;
    peer.peer = dev;
    return [dev, peer];
  }

  private allocIfindex(): number {
    while (this.interfaces.has(this.nextIfindex)) this.nextIfindex++;
    return this.nextIfindex++;
  }

  /** Deletes a device; a veth takes its peer with it, a bridge releases its ports. */
  deleteInterface(iface: NetInterface): void {
    if (iface.kind === "loopback") throw new KernelError("EOPNOTSUPP");
    this.detach(iface);
    if (iface.peer) {
      const peer = iface.peer;
      iface.peer = undefined;
      peer.peer = undefined;
      peer.ns.detach(peer);
    }
  }

  /** Removes a device from this namespace with everything that referred to it. */
  private detach(iface: NetInterface): void {
    this.setAdminState(iface, false);
    if (iface.master) this.setMaster(iface, undefined);
    if (iface.ports) for (const p of [...iface.ports]) p.ns.setMaster(p, undefined);
    iface.addresses = [];
    this.routes.remove((r) => r.dev === iface);
    this.neigh.flushDev(iface);
    this.interfaces.delete(iface.ifindex);
    this.sysctl.removeInterface(iface.name);
    this.machine.sim.changed(this);
  }

  /** `ip link set DEV netns NS`: the device arrives down and without addresses. */
  moveInterface(iface: NetInterface, target: NetNamespace): void {
    if (target === this) return;
    if (iface.kind === "loopback" || iface.kind === "bridge") throw new KernelError("EINVAL");
    if (target.byName(iface.name)) throw new KernelError("EEXIST");
    this.detach(iface);
    iface.ns = target;
    iface.movedIn = true;
    // The device is re-registered in the new namespace: its qdisc starts over as `noop`.
    iface.everUp = false;
    if (iface.peer?.adminUp) iface.peer.noCarrierState = "DOWN";
    if (target.interfaces.has(iface.ifindex)) iface.ifindex = target.allocIfindex();
    target.interfaces.set(iface.ifindex, iface);
    target.sysctl.addInterface(iface.name);
    if (iface.peer) {
      // Both sides learn an id for each other, as the kernel assigns nsids when a link crosses.
      this.nsidOf(target);
      target.nsidOf(iface.peer.ns);
      iface.peer.ns.nsidOf(target);
    }
    this.machine.sim.changed(target);
  }

  rename(iface: NetInterface, newName: string): void {
    if (iface.adminUp) throw new KernelError("EBUSY");
    if (this.byName(newName)) throw new KernelError("EEXIST");
    this.sysctl.removeInterface(iface.name);
    iface.name = newName;
    this.sysctl.addInterface(newName);
    this.machine.sim.changed(this);
  }

  setAdminState(iface: NetInterface, up: boolean): void {
    if (iface.adminUp === up) return;
    iface.adminUp = up;
    if (iface.peer) {
      const peer = iface.peer;
      if (up && !peer.adminUp) iface.noCarrierState = peer.ns === iface.ns || iface.movedIn ? "LOWERLAYERDOWN" : "DOWN";
      if (!up && peer.adminUp) peer.noCarrierState = peer.ns === iface.ns ? "LOWERLAYERDOWN" : "DOWN";
    }
    if (up) {
      iface.everUp = true;
      if (iface.kind === "loopback" && !iface.addresses.some((a) => a.addr === 0x7f000001)) {
        iface.addresses.unshift({ addr: 0x7f000001, prefixLen: 8, scope: "host", label: "lo" });
      }
    } else {
      // NETDEV_DOWN: every route through the device goes, user routes included (host-scope local
      // routes come back from the addresses below); ARP entries too.
      this.routes.remove((r) => r.dev === iface);
      this.neigh.flushDev(iface);
      if (iface.fdb) for (const [mac, e] of iface.fdb) if (!e.local) iface.fdb.delete(mac);
    }
    this.refreshKernelRoutes(iface);
    this.machine.sim.changed(this);
  }

  setMaster(port: NetInterface, bridge: NetInterface | undefined): void {
    if (bridge && bridge.kind !== "bridge") throw new KernelError("EOPNOTSUPP");
    if (bridge === port) throw new KernelError("ELOOP" as never);
    if (port.master) {
      const old = port.master;
      old.ports!.delete(port);
      for (const [mac, e] of old.fdb!) if (e.port === port) old.fdb!.delete(mac);
      port.promiscuity = Math.max(0, port.promiscuity - 1);
      port.master = undefined;
      old.ns.updateBridgeMac(old);
    }
    if (bridge) {
      port.master = bridge;
      bridge.ports!.add(port);
      bridge.fdb!.set(port.mac, { port, updated: this.machine.sim.clock.now(), local: true });
      port.promiscuity += 1;
      // An enslaved device's own addresses stay but it no longer routes on its own.
      this.updateBridgeMac(bridge);
    }
    this.machine.sim.changed(this);
  }

  /** A bridge without an explicit MAC takes the lowest MAC among its ports. */
  private updateBridgeMac(bridge: NetInterface): void {
    if (bridge.macFixed || !bridge.ports || bridge.ports.size === 0) return;
    let lowest: string | undefined;
    for (const p of bridge.ports) if (lowest === undefined || p.mac < lowest) lowest = p.mac;
    if (lowest) bridge.mac = lowest;
  }

  // ---------------------------------------------------------------- addresses and kernel routes

  /** `ip addr add`. Throws EEXIST with the kernel's extack for a duplicate. */
  addAddress(iface: NetInterface, addr: number, prefixLen: number, opts: { broadcast?: number; label?: string; scope?: IfAddress["scope"] } = {}): void {
    if (iface.addresses.some((a) => a.addr === addr && a.prefixLen === prefixLen)) {
      throw new KernelError("EEXIST", "ipv4: Address already assigned.");
    }
    const scope = opts.scope ?? (isLoopback(addr) ? "host" : "global");
    iface.addresses.push({ addr, prefixLen, scope, broadcast: opts.broadcast, label: opts.label ?? iface.name });
    this.refreshKernelRoutes(iface);
    this.machine.sim.changed(this);
  }

  deleteAddress(iface: NetInterface, addr: number, prefixLen?: number): void {
    const idx = iface.addresses.findIndex((a) => a.addr === addr && (prefixLen === undefined || a.prefixLen === prefixLen));
    if (idx < 0) throw new KernelError("EADDRNOTAVAIL", "ipv4: Address not found.");
    iface.addresses.splice(idx, 1);
    // Routes that used the address as preferred source go with it.
    this.routes.remove((r) => r.src === addr && r.proto !== "kernel");
    this.refreshKernelRoutes(iface);
    this.machine.sim.changed(this);
  }

  flushAddresses(iface: NetInterface): void {
    iface.addresses = iface.kind === "loopback" && iface.adminUp ? iface.addresses.filter((a) => a.addr === 0x7f000001) : [];
    this.refreshKernelRoutes(iface);
    this.machine.sim.changed(this);
  }

  /** Whether an address is secondary: another address on the device already covers its subnet. */
  isSecondary(iface: NetInterface, a: IfAddress): boolean {
    for (const other of iface.addresses) {
      if (other === a) return false;
      if (other.prefixLen === a.prefixLen && inPrefix(a.addr, other.addr, other.prefixLen)) return true;
    }
    return false;
  }

  /**
   * Rebuilds the proto-kernel routes (local and broadcast in table local, prefix routes in main) from
   * the addresses of one device (or all), keeping their order stable. User routes are untouched.
   */
  refreshKernelRoutes(only?: NetInterface): void {
    this.routes.remove((r) => r.proto === "kernel" && (!only || r.dev === only));
    for (const iface of only ? [only] : this.interfaces.values()) {
      for (const a of iface.addresses) {
        const secondary = this.isSecondary(iface, a);
        const primary = secondary ? iface.addresses.find((o) => o.prefixLen === a.prefixLen && inPrefix(a.addr, o.addr, o.prefixLen))! : a;
        const base = { proto: "kernel", metric: 0, onlink: false, dev: iface } as const;
        // lo's 127.0.0.0/8 is added when lo comes up and, being host scope, survives it going down.
        if (iface.kind === "loopback" && a.prefixLen < 32 && (iface.adminUp || iface.everUp)) {
          this.addKernelRoute({ ...base, table: TABLE_LOCAL, type: "local", dst: networkOf(a.addr, a.prefixLen), prefixLen: a.prefixLen, scope: "host", src: a.addr });
        }
        // The local route lives as long as the address (scope host survives NETDEV_DOWN); broadcast and
        // prefix routes exist only while the device is up.
        this.addKernelRoute({ ...base, table: TABLE_LOCAL, type: "local", dst: a.addr, prefixLen: 32, scope: "host", src: primary.addr });
        if (!iface.adminUp) continue;
        if (a.prefixLen < 31 && !secondary) {
          const brd = a.broadcast ?? broadcastOf(a.addr, a.prefixLen);
          this.addKernelRoute({ ...base, table: TABLE_LOCAL, type: "broadcast", dst: brd, prefixLen: 32, scope: "link", src: a.addr });
        }
        if (a.prefixLen < 32 && iface.kind !== "loopback" && !secondary) {
          this.addKernelRoute({ ...base, table: TABLE_MAIN, type: "unicast", dst: networkOf(a.addr, a.prefixLen), prefixLen: a.prefixLen, scope: "link", src: a.addr });
        }
      }
    }
  }

  private addKernelRoute(r: Route): void {
    if (this.routes.table(r.table).some((x) => x.type === r.type && x.dst === r.dst && x.prefixLen === r.prefixLen && x.dev === r.dev && x.proto === "kernel")) return;
    this.routes.add(r);
  }

  /** Every IPv4 address configured in this namespace. */
  localAddresses(): { iface: NetInterface; addr: IfAddress }[] {
    const out: { iface: NetInterface; addr: IfAddress }[] = [];
    for (const iface of this.list()) for (const a of iface.addresses) out.push({ iface, addr: a });
    return out;
  }

  /** Address type from the local table, as netfilter's addrtype match and the input path see it. */
  addrType(ip: number): "LOCAL" | "UNICAST" | "BROADCAST" | "MULTICAST" | "BLACKHOLE" | "UNREACHABLE" | "PROHIBIT" {
    if (ip === 0xffffffff) return "BROADCAST";
    if (ip >>> 28 === 0xe) return "MULTICAST";
    const r = this.routes.lookup(ip, { tables: [TABLE_LOCAL] });
    if (r?.type === "local") return "LOCAL";
    if (r?.type === "broadcast" && r.dst === ip) return "BROADCAST";
    const m = this.routes.lookup(ip);
    if (m?.type === "blackhole") return "BLACKHOLE";
    if (m?.type === "unreachable") return "UNREACHABLE";
    if (m?.type === "prohibit") return "PROHIBIT";
    return "UNICAST";
  }

  isLocalAddress(ip: number): boolean {
    return this.addrType(ip) === "LOCAL";
  }

  /**
   * Source address selection (inet_select_addr): an address on the output device in the same subnet
   * as the destination or gateway, else the device's first global address, else any global address.
   */
  selectSource(dev: NetInterface, dst: number, gateway?: number): number | undefined {
    const near = gateway ?? dst;
    const onDev = dev.addresses.filter((a) => a.scope !== "host" || dev.kind === "loopback");
    const same = onDev.find((a) => inPrefix(near, a.addr, a.prefixLen) && !this.isSecondary(dev, a));
    if (same) return same.addr;
    const first = onDev.find((a) => a.scope === "global" && !this.isSecondary(dev, a)) ?? onDev[0];
    if (first) return first.addr;
    for (const i of this.list()) {
      if (!i.adminUp) continue;
      const g = i.addresses.find((a) => a.scope === "global");
      if (g) return g.addr;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- namespace ids

  /** The id this namespace uses for `other` (allocated on first use, from 0). */
  nsidOf(other: NetNamespace): number {
    let id = this.nsids.get(other);
    if (id === undefined) {
      // The lowest free id, as the kernel's idr allocates (ids freed by forgetNs or taken by assignNsid).
      const used = new Set(this.nsids.values());
      id = 0;
      while (used.has(id)) id++;
      this.nsids.set(other, id);
    }
    return id;
  }

  /** `ip netns set NAME ID`: false when `other` already has an id here or `id` is taken. */
  assignNsid(other: NetNamespace, id: number): boolean {
    if (this.nsids.has(other) || [...this.nsids.values()].includes(id)) return false;
    this.nsids.set(other, id);
    return true;
  }

  /** Known nsid for `other` without allocating one. */
  peekNsid(other: NetNamespace): number | undefined {
    return this.nsids.get(other);
  }

  forgetNs(other: NetNamespace): void {
    this.nsids.delete(other);
  }

  // ---------------------------------------------------------------- sysctl helpers

  get ipForward(): boolean {
    return this.sysctl.get("net.ipv4.ip_forward") === "1";
  }

  get bridgeNfCallIptables(): boolean {
    return this.sysctl.get("net.bridge.bridge-nf-call-iptables") === "1";
  }
}

/** Parses an IPv4 literal or throws EINVAL (helper for callers that already validated syntax). */
export function mustIPv4(text: string): number {
  const ip = parseIPv4(text);
  if (ip === undefined) throw new KernelError("EINVAL");
  return ip;
}

export { prefixMask };
