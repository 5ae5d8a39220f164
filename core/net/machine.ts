// A simulated Linux machine: its initial network namespace, the named namespaces created with
// `ip netns add` (machine-wide, as /run/netns is), its NICs and its disk. Files survive a reboot;
// everything else in the kernel does not.
import { NetNamespace } from "./namespace";
import type { NetInterface } from "./interface";
import type { Simulation } from "./simulation";
import { KernelError } from "./errors";

export class Machine {
  root: NetNamespace;
  /** Named namespaces in creation order (what `ip netns list` walks). */
  readonly namespaces = new Map<string, NetNamespace>();
  hostname: string;
  /** Kernel ring buffer lines (LOG target, link events) for `dmesg`. */
  readonly kernelLog: string[] = [];
  /** NICs as cabled: recreated at boot. */
  readonly nicSpecs: { name: string; mac: string }[] = [];
  /** Opaque per-machine state owned by other layers (shell, processes...). */
  readonly ext = new Map<string, unknown>();
  bootCount = 0;

  constructor(
    readonly sim: Simulation,
    readonly name: string,
  ) {
    this.hostname = name;
    this.root = new NetNamespace(this, null);
  }

  netns(name: string): NetNamespace | undefined {
    return this.namespaces.get(name);
  }

  /** `ip netns add NAME`. */
  addNetns(name: string): NetNamespace {
    if (this.namespaces.has(name)) throw new KernelError("EEXIST");
    const ns = new NetNamespace(this, name);
    this.namespaces.set(name, ns);
    this.sim.changed(ns);
    return ns;
  }

  /**
   * `ip netns del NAME`: the namespace goes away with its devices; a veth whose other end lives
   * elsewhere is destroyed with it (its peer disappears too), physical NICs return to the root.
   */
  deleteNetns(name: string): void {
    const ns = this.namespaces.get(name);
    if (!ns) throw new KernelError("ENOENT");
    for (const iface of ns.list()) {
      if (iface.kind === "loopback") continue;
      if (iface.kind === "ether") {
        // The kernel renames a returning device whose name is taken to dev<ifindex>.
        if (this.root.byName(iface.name)) iface.name = `dev${iface.ifindex}`;
        while (this.root.byName(iface.name)) iface.name = `dev${iface.ifindex}-${this.sim.rng.int(0, 999)}`;
        ns.moveInterface(iface, this.root);
      } else ns.deleteInterface(iface);
    }
    this.namespaces.delete(name);
    for (const other of this.allNamespaces()) other.forgetNs(ns);
    this.sim.changed(this.root);
  }

  allNamespaces(): NetNamespace[] {
    return [this.root, ...this.namespaces.values()];
  }

  /** Adds a physical NIC in the root namespace (cabling is the simulation's job). */
  addNic(name: string, mac?: string): NetInterface {
    const nic = this.root.createInterface("ether", name, mac);
    this.nicSpecs.push({ name, mac: nic.mac });
    return nic;
  }

  /**
   * The kernel side of a reboot: every namespace, address, route, ARP entry, rule and socket is gone;
   * the NICs come back (same names, MACs and cables), down, in a fresh initial namespace.
   */
  resetKernel(): void {
    const oldNics = this.root.list().filter((i) => i.kind === "ether");
    for (const ns of this.namespaces.values()) for (const i of ns.list()) if (i.kind === "ether") oldNics.push(i);
    this.namespaces.clear();
    this.root = new NetNamespace(this, null);
    for (const spec of this.nicSpecs) {
      const nic = this.root.createInterface("ether", spec.name, spec.mac);
      const old = oldNics.find((o) => o.mac === spec.mac);
      if (old?.cable) old.cable.replaceEnd(old, nic);
    }
    this.kernelLog.length = 0;
    this.sim.changed(this.root);
  }

  log(line: string): void {
    this.kernelLog.push(line);
    if (this.kernelLog.length > 2000) this.kernelLog.splice(0, this.kernelLog.length - 2000);
  }
}
