// The neighbour (ARP) table of one namespace. Entries are created by real ARP exchanges in the packet
// walk; what `ip neigh` prints as the state is derived from the simulated time since confirmation.
import type { NetInterface } from "./interface";

export type NeighState = "INCOMPLETE" | "REACHABLE" | "STALE" | "DELAY" | "PROBE" | "FAILED" | "PERMANENT" | "NOARP";

export interface NeighEntry {
  ip: number;
  dev: NetInterface;
  mac?: string;
  /** Stored state; REACHABLE decays to STALE after `REACHABLE_MS` without confirmation. */
  state: NeighState;
  /** Simulated ms of last confirmation (reply seen) or creation. */
  confirmed: number;
}

/** base_reachable_time is 30 s; the kernel randomises it to 15–45 s. We use the base value. */
export const REACHABLE_MS = 30_000;

export class NeighbourTable {
  private entries = new Map<string, NeighEntry>();

  private key(dev: NetInterface, ip: number): string {
    return `${dev.ifindex}/${ip}`;
  }

  get(dev: NetInterface, ip: number): NeighEntry | undefined {
    return this.entries.get(this.key(dev, ip));
  }

  set(entry: NeighEntry): void {
    this.entries.set(this.key(entry.dev, entry.ip), entry);
  }

  delete(dev: NetInterface, ip: number): boolean {
    return this.entries.delete(this.key(dev, ip));
  }

  /** Entries in insertion order, as the kernel's hash dump roughly appears for small tables. */
  list(): NeighEntry[] {
    return [...this.entries.values()];
  }

  flushDev(dev: NetInterface): void {
    for (const [k, e] of this.entries) if (e.dev === dev) this.entries.delete(k);
  }

  /** The state to display at time `now`. */
  static displayState(e: NeighEntry, now: number): NeighState {
    if (e.state === "REACHABLE" && now - e.confirmed > REACHABLE_MS) return "STALE";
    return e.state;
  }
}
