// Time and randomness are injected so that a simulation is deterministic in tests and golden files.

export interface Clock {
  /** Milliseconds since the epoch, simulated. */
  now(): number;
  /** Waits `ms` of simulated time; resolves false if `signal` fired first. */
  sleep(ms: number, signal?: AbortSignal): Promise<boolean>;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

interface VirtualTimer {
  at: number;
  seq: number;
  resolve: (ok: boolean) => void;
  cleanup: () => void;
}

/**
 * Time that only moves when someone waits: a 3-packet ping returns at once but reports 2 s elapsed.
 * Waits are discrete events: concurrent sleepers (ping's next send while an echo waits for its reply,
 * two shells at once) wake in time order and the clock jumps to the earliest wake-up, never to the
 * sum of their waits. A lone sleeper behaves as before: one macrotask, then the clock moves by `ms`.
 */
export class VirtualClock implements Clock {
  private t: number;
  private readonly timers: VirtualTimer[] = [];
  private seq = 0;
  private pumpScheduled = false;
  constructor(start = Date.UTC(2026, 10, 21, 9, 0, 0)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += Math.max(0, ms);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      if (signal?.aborted) {
        // Yield a macrotask so cancellation and other sessions get to run between simulated waits.
        void yieldToEventLoop().then(() => resolve(false));
        return;
      }
      const onAbort = () => {
        const i = this.timers.indexOf(timer);
        if (i >= 0) this.timers.splice(i, 1);
        resolve(false);
      };
      const timer: VirtualTimer = {
        at: this.t + Math.max(0, Number.isFinite(ms) ? ms : 0),
        seq: this.seq++,
        resolve,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.timers.push(timer);
      this.schedulePump();
    });
  }
  /** Wakes the earliest sleeper once the event loop has let every runnable task register its wait. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      if (this.timers.length === 0) return;
      let best = 0;
      for (let i = 1; i < this.timers.length; i++) {
        const a = this.timers[i];
        const b = this.timers[best];
        if (a.at < b.at || (a.at === b.at && a.seq < b.seq)) best = i;
      }
      const [timer] = this.timers.splice(best, 1);
      timer.cleanup();
      if (timer.at > this.t) this.t = timer.at;
      timer.resolve(true);
      if (this.timers.length) this.schedulePump();
    });
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
