// Time and randomness are injected so that a simulation is deterministic in tests and golden files.

export interface Clock {
  /** Milliseconds since the epoch, simulated. */
  now(): number;
  /** Waits `ms` of simulated time; resolves false if `signal` fired first. */
  sleep(ms: number, signal?: AbortSignal): Promise<boolean>;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Time that only moves when someone waits: a 3-packet ping returns at once but reports 2 s elapsed. */
export class VirtualClock implements Clock {
  private t: number;
  constructor(start = Date.UTC(2026, 10, 21, 9, 0, 0)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += Math.max(0, ms);
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
    // Yield a macrotask so cancellation and other sessions get to run between simulated waits.
    await yieldToEventLoop();
    if (signal?.aborted) return false;
    this.t += Math.max(0, ms);
    return true;
  }
}

/** Wall-clock time, for the interactive app where `ping` should tick once per second. */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(ok);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(true), Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/** Seeded PRNG (mulberry32): same seed, same MACs, ports and RTTs. */
export class Rng {
  private s: number;
  constructor(seed = 1) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, maxInclusive: number): number {
    return min + Math.floor(this.next() * (maxInclusive - min + 1));
  }
  /** A locally administered unicast MAC, as the kernel generates for veth/bridge. */
  mac(): string {
    const b = Array.from({ length: 6 }, () => this.int(0, 255));
    b[0] = (b[0] & 0xfe) | 0x02;
    return b.map((x) => x.toString(16).padStart(2, "0")).join(":");
  }
}
