// Physical wiring between machines: cables and learning switches. A lab says "three hosts on one
// switch" as data and this is what it becomes.
import type { NetInterface } from "./interface";

export interface SwitchFdbEntry {
  port: NetInterface;
  updated: number;
}

/** A plain layer-2 learning switch (no VLANs, no STP): floods unknown and broadcast frames. */
export class Switch {
  readonly ports = new Set<NetInterface>();
  readonly fdb = new Map<string, SwitchFdbEntry>();
  constructor(readonly name: string) {}
}

/** A cable from a NIC to a switch port or to another machine's NIC. */
export class Cable {
  constructor(
    public a: NetInterface,
    public b: NetInterface | Switch,
  ) {}

  /** After a reboot the machine's NIC is a new device object on the same cable. */
  replaceEnd(old: NetInterface, nic: NetInterface): void {
    if (this.a === old) this.a = nic;
    else if (this.b === old) this.b = nic;
    if (this.b instanceof Switch && this.b.ports.delete(old)) this.b.ports.add(nic);
    nic.cable = this;
    old.cable = undefined;
  }

  /** What is at the other end from `nic`. */
  otherEnd(nic: NetInterface): NetInterface | Switch {
    if (nic === this.a) return this.b;
    return this.a;
  }

  /** A switch port always has link; a back-to-back cable needs the far NIC to be up. */
  carrierFor(nic: NetInterface): boolean {
    const other = this.otherEnd(nic);
    return other instanceof Switch ? true : other.adminUp;
  }
}
