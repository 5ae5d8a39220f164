// Differential tests: every scenario runs on the simulator (core/script/run.ts) and on the real Linux
// kernel (network namespaces built by real-kernel.ts); the results must agree command by command.
// Needs root. Without it (or without ip/unshare/nsenter/iptables) the suite says so and skips.
// DIFF_FILTER=text runs only the scenarios whose name contains `text`.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TopologySpec } from "../../core/net/topology";
import type { CommandResult } from "../../core/script/types";
import { compareRuns, formatDifferences } from "./compare";
import { kernelAvailable, runOnKernel } from "./real-kernel";
import { scenarios } from "./scenarios";

type RunScript = (opts: { topology: TopologySpec; script: string }) => Promise<CommandResult[]>;

/** The simulator's script runner. Loaded by URL so this file type-checks before core/script/run.ts exists. */
async function loadSimulator(): Promise<RunScript> {
  const url = new URL("../../core/script/run.ts", import.meta.url).href;
  let mod: { runScript?: RunScript };
  try {
    mod = (await import(url)) as { runScript?: RunScript };
  } catch (e) {
    throw new Error(`cannot load the simulator's runScript from core/script/run.ts: ${(e as Error).message}`);
  }
  if (typeof mod.runScript !== "function") throw new Error("core/script/run.ts does not export runScript()");
  return mod.runScript;
}

const kernel = kernelAvailable();
const filter = process.env.DIFF_FILTER;
const selected = scenarios.filter((s) => !filter || s.name.includes(filter));

describe("differential: simulator vs real kernel", () => {
  let runScript: RunScript | undefined;
  let loadError: Error | undefined;
  let kernelMs = 0;

  before(async () => {
    if (!kernel.ok) {
      console.log(`differential tests cannot run the real-kernel side here: ${kernel.why}`);
      return;
    }
    try {
      runScript = await loadSimulator();
    } catch (e) {
      loadError = e as Error;
    }
  });

  for (const scenario of selected) {
    test(`[module ${scenario.module}] ${scenario.name}`, { timeout: 90_000 }, async (t) => {
      if (!kernel.ok) {
        t.skip(`real kernel unavailable: ${kernel.why}`);
        return;
      }
      if (!runScript) throw loadError ?? new Error("simulator not loaded");
      const started = Date.now();
      // Both sides run concurrently; the kernel run always finishes (and cleans up) before the next test.
      const [sim, real] = await Promise.allSettled([
        runScript({ topology: scenario.topology, script: scenario.script }),
        runOnKernel(scenario.topology, scenario.script).finally(() => (kernelMs += Date.now() - started)),
      ]);
      if (real.status === "rejected") throw new Error(`real-kernel run failed: ${(real.reason as Error).message}`);
      if (sim.status === "rejected") throw new Error(`simulator run failed: ${(sim.reason as Error).stack ?? sim.reason}`);
      let diffs = compareRuns(scenario, sim.value, real.value);
      if (diffs.length > 0) {
        // The oracle is occasionally noisy: iputils ping sometimes gives up after 0 ms although the
        // kernel counted the echo reply (seen on 6.18). A difference counts only if a second kernel run
        // shows it too; the simulator is deterministic and is not re-run.
        const again = await runOnKernel(scenario.topology, scenario.script);
        const second = compareRuns(scenario, sim.value, again);
        if (second.length < diffs.length) console.log(`differential: ${scenario.name}: the kernel's first run differed in ${diffs.length} place(s), its second in ${second.length}`);
        diffs = second.length < diffs.length ? second : diffs;
      }
      assert.equal(diffs.length, 0, formatDifferences(scenario, diffs));
    });
  }

  after(() => {
    if (kernel.ok) console.log(`differential: ${selected.length} scenarios, real-kernel side took ${(kernelMs / 1000).toFixed(1)} s`);
  });
});
