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
  /**
   * Transitions already decided by the packet walk that take effect later in simulated time (an
   * INCOMPLETE entry becomes FAILED 3 s after the first probe; DELAY becomes REACHABLE once the
   * unicast probe is answered 5 s later). Each step applies at `at`; `displayState` and `settle` follow them.
   */
  next?: NeighTransition;
}

export interface NeighTransition {
  at: number;
  state: NeighState;
  /** null: the link-layer address is dropped (FAILED). */
  mac?: string | null;
  then?: NeighTransition;
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
    let state = e.state;
    let confirmed = e.confirmed;
    for (let n = e.next; n && now >= n.at; n = n.then) {
      state = n.state;
      confirmed = n.at;
    }
    if (state === "REACHABLE" && now - confirmed > REACHABLE_MS) return "STALE";
    return state;
  }

  /** The link-layer address to display at time `now` (none once a due transition failed the entry). */
  static displayMac(e: NeighEntry, now: number): string | undefined {
    let mac = e.mac;
    for (let n = e.next; n && now >= n.at; n = n.then) {
      if (n.mac === null) mac = undefined;
      else if (n.mac !== undefined) mac = n.mac;
    }
    return mac;
  }

  /** Applies the transitions due at `now` to the stored entry (REACHABLE decays to STALE). */
  static settle(e: NeighEntry, now: number): void {
    while (e.next && now >= e.next.at) {
      const n = e.next;
      e.state = n.state;
      e.confirmed = n.at;
      if (n.mac === null) e.mac = undefined;
      else if (n.mac !== undefined) e.mac = n.mac;
      e.next = n.then;
    }
    if (e.state === "REACHABLE" && now - e.confirmed > REACHABLE_MS) e.state = "STALE";
  }
}
