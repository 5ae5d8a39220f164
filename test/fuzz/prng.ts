// A small seeded PRNG for the fuzz test and the benchmark (mulberry32): the same seed gives the same
// command stream, so a failure reproduces from the printed seed.

import { Rng } from "../../core/net/clock";

/** The engine's own PRNG (mulberry32), with the helpers the fuzz generator needs. */
export class Prng extends Rng {
  constructor(readonly seed: number) {
    super(seed);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** One of `choices` by weight: [[weight, value], ...]. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    const total = choices.reduce((s, [w]) => s + w, 0);
    let r = this.next() * total;
    for (const [w, v] of choices) {
      if ((r -= w) < 0) return v;
    }
    return choices[choices.length - 1][1];
  }

  /** A derived generator (for a sub-stream that must not shift the main one). */
  fork(salt: number): Prng {
    return new Prng((this.seed ^ Math.imul(salt + 1, 0x9e3779b1)) >>> 0);
  }
}

/** Seed from FUZZ_SEED / BENCH_SEED style variables: a number, `random`, or the default. */
export function seedFrom(value: string | undefined, fallback: number): number {
  if (!value) return fallback;
  if (value === "random") return (Math.random() * 0x100000000) >>> 0;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`bad seed ${JSON.stringify(value)}: want a number or "random"`);
  return n >>> 0;
}
