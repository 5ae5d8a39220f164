// kube-netlab headless CLI: `shell` (the simulated shell in your terminal) and `run` (scripts).
import { readFileSync } from "node:fs";
import { getPreset, PRESETS, presetNames } from "../presets/index";
import { runScript } from "../script/run";
import { World } from "../script/world";
import { runShell } from "./shell";

const USAGE = `Usage:
  kube-netlab shell [--preset NAME] [--host MACHINE]   interactive shell on a simulated machine
  kube-netlab run [--preset NAME] [--json] FILE|-      run a script of "@HOST COMMAND" lines
  kube-netlab presets                                  list the presets
  kube-netlab help

The default preset is "bare" (one machine named host).
`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const opt = (name: string): string | undefined => {
    const i = rest.indexOf(name);
    if (i < 0) return undefined;
    const v = rest[i + 1];
    rest.splice(i, 2);
    return v;
  };
  const flag = (name: string): boolean => {
    const i = rest.indexOf(name);
    if (i >= 0) rest.splice(i, 1);
    return i >= 0;
  };
  switch (cmd) {
    case "shell": {
      const preset = opt("--preset") ?? "bare";
      const host = opt("--host");
      const topology = getPreset(preset);
      if (!topology) return unknownPreset(preset);
      return runShell({ preset, topology, host, background: PRESETS[preset].background });
    }
    case "run": {
      const preset = opt("--preset") ?? "bare";
      const json = flag("--json");
      const file = rest[0];
      const topology = getPreset(preset);
      if (!topology) return unknownPreset(preset);
      if (!file) {
        process.stderr.write(USAGE);
        return 2;
      }
      let script: string;
      try {
        script = file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8");
      } catch (e) {
        process.stderr.write(`kube-netlab: cannot read ${file}: ${(e as Error).message}\n`);
        return 2;
      }
      let failed = 0;
      let world: World;
      try {
        world = await World.fromTopology(topology);
        for (const b of PRESETS[preset].background ?? []) await world.startJob(b.host, b.command);
        await runScript({
          topology,
          script,
          world,
          onResult: (r) => {
            if (r.exitCode !== 0) failed++;
            if (json) process.stdout.write(JSON.stringify(r) + "\n");
            else {
              process.stdout.write(`${r.host}$ ${r.command}\n${r.stdout}`);
              if (r.stderr) process.stdout.write(r.stderr);
            }
          },
        });
      } catch (e) {
        process.stderr.write(`kube-netlab: ${(e as Error).message}\n`);
        return 2;
      }
      await world.stopJobs();
      return failed ? 1 : 0;
    }
    case "presets":
      for (const name of presetNames()) process.stdout.write(`${name.padEnd(10)} ${PRESETS[name].description}\n`);
      return 0;
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`kube-netlab: unknown command "${cmd}"\n${USAGE}`);
      return 2;
  }
}

function unknownPreset(name: string): number {
  process.stderr.write(`kube-netlab: unknown preset "${name}" (known: ${presetNames().join(", ")})\n`);
  return 2;
}
