// `@HOST COMMAND` scripts on a fresh simulation: the headless CLI's `run`, the differential tests and
// lab solutions all go through here.
import type { TopologySpec } from "../net/topology";
import type { SimulationOptions } from "../net/simulation";
import { World } from "./world";
import { ShellSession } from "../shell/session";
import type { CommandResult } from "./types";

export interface ScriptLine {
  host: string;
  command: string;
  background: boolean;
  lineNo: number;
}

/** Parses script text: `@HOST COMMAND` per line, `#` comments and blank lines ignored, `\` continues a line. */
export function parseScript(text: string): { lines: ScriptLine[]; errors: string[] } {
  const lines: ScriptLine[] = [];
  const errors: string[] = [];
  const raw = text.split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    const lineNo = i + 1;
    let l = raw[i];
    // A trailing backslash joins the next line, as in the shell.
    while (l.endsWith("\\") && i + 1 < raw.length) l = l.slice(0, -1) + " " + raw[++i];
    const t = l.trim();
    if (!t || t.startsWith("#")) continue;
    const m = /^@(\S+)\s+(.*)$/.exec(t);
    if (!m) {
      errors.push(`line ${lineNo}: expected "@HOST COMMAND", got: ${t}`);
      continue;
    }
    let command = m[2].trim();
    // A trailing single `&` (not `&&`) sends the command to the background until the script ends.
    const background = /[^&]&$/.test(command) || command === "&";
    if (background) command = command.slice(0, -1).trim();
    lines.push({ host: m[1], command, background, lineNo });
  }
  return { lines, errors };
}

export interface RunOptions {
  topology: TopologySpec;
  script: string;
  sim?: SimulationOptions;
  /** Called after each foreground command (the CLI streams JSON lines through it). */
  onResult?: (r: CommandResult) => void;
  /** A world to run in instead of building one from `topology`; its background jobs outlive the script. */
  world?: World;
}

export async function runScript(opts: RunOptions): Promise<CommandResult[]> {
  const { lines, errors } = parseScript(opts.script);
  if (errors.length) throw new Error(errors.join("\n"));
  const world = opts.world ?? (await World.fromTopology(opts.topology, opts.sim));
  const sessions = new Map<string, ShellSession>();
  const results: CommandResult[] = [];
  const emit = (r: CommandResult) => {
    results.push(r);
    opts.onResult?.(r);
  };
  try {
    for (const line of lines) {
      if (!world.sim.machine(line.host)) {
        emit({ host: line.host, command: line.command, stdout: "", stderr: `kube-netlab: no machine named "${line.host}" (machines: ${world.machineNames().join(", ")})\n`, exitCode: 127 });
        continue;
      }
      if (line.background) {
        await world.startJob(line.host, line.command);
        emit({ host: line.host, command: line.command + " &", stdout: "", stderr: "", exitCode: 0 });
        continue;
      }
      let s = sessions.get(line.host);
      if (!s) sessions.set(line.host, (s = new ShellSession(world.shell(line.host))));
      const r = await s.run(line.command);
      emit({ host: line.host, command: line.command, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode });
    }
  } finally {
    // A world built for this script ends with it; a world passed in keeps its jobs running.
    if (!opts.world) await world.stopJobs();
  }
  return results;
}
