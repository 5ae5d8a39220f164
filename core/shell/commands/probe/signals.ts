// Small helpers for tools that wait on the simulation clock and on Ctrl+C at the same time.
import type { Machine } from "../../../net/machine";

/** An AbortSignal that fires when any input fires. */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  const c = new AbortController();
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) {
      c.abort();
      return c.signal;
    }
    s.addEventListener("abort", () => c.abort(), { once: true });
  }
  return c.signal;
}

/** Resolves when the signal fires (servers wait here until Ctrl+C). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/**
 * A process id for a program the user starts (nc, curl, echo-server…), from a simple per-machine
 * counter (no process table yet). It does not draw from the simulation's random source, so starting a
 * program does not change the MACs or ports that come later.
 */
export function allocPid(machine: Machine): number {
  const key = "probe.nextPid";
  const next = (machine.ext.get(key) as number | undefined) ?? 1200;
  machine.ext.set(key, next + 1);
  return next;
}
