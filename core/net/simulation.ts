// The whole simulated world: machines, switches and cables, one clock and one random source.
import { Machine } from "./machine";
import { Cable, Switch } from "./switch";
import type { NetInterface } from "./interface";
import type { NetNamespace } from "./namespace";
import { Rng, VirtualClock, type Clock } from "./clock";
import { Emitter } from "./events";

export interface SimulationOptions {
  clock?: Clock;
  seed?: number;
}

export class Simulation {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly machines = new Map<string, Machine>();
  readonly switches = new Map<string, Switch>();
  readonly cables: Cable[] = [];
  private readonly _onDidChange = new Emitter<NetNamespace>();
  /** Fires after any change to kernel state (for topology views and lab checks). */
  readonly onDidChange = this._onDidChange.event;
  /** Monotonic counter of state changes; cheap for callers that poll. */
  version = 0;
  /** Exceptions caught at the tool boundary (a bug if ever non-empty; the fuzz test asserts it stays empty). */
  readonly internalErrors: { command: string; error: string }[] = [];

  constructor(opts: SimulationOptions = {}) {
    this.clock = opts.clock ?? new VirtualClock();
    this.rng = new Rng(opts.seed ?? 1);
  }

  changed(ns: NetNamespace): void {
    this.version++;
    this._onDidChange.fire(ns);
  }

  addMachine(name: string): Machine {
    if (this.machines.has(name)) throw new Error(`machine ${name} already exists`);
    const m = new Machine(this, name);
    this.machines.set(name, m);
    return m;
  }

  machine(name: string): Machine | undefined {
    return this.machines.get(name);
  }

  addSwitch(name: string): Switch {
    if (this.switches.has(name)) throw new Error(`switch ${name} already exists`);
    const s = new Switch(name);
    this.switches.set(name, s);
    return s;
  }

  /** Plugs a cable between a NIC and a switch or another NIC. */
  connect(nic: NetInterface, to: NetInterface | Switch): Cable {
    if (nic.cable) throw new Error(`${nic.name} is already cabled`);
    const cable = new Cable(nic, to);
    nic.cable = cable;
    if (to instanceof Switch) to.ports.add(nic);
    else {
      if (to.cable) throw new Error(`${to.name} is already cabled`);
      to.cable = cable;
    }
    this.cables.push(cable);
    this.changed(nic.ns);
    return cable;
  }
}
