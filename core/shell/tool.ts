// The shape of our commands (ip, iptables, ping, …): a function of argv and a context that names the
// machine and namespace it runs in. Output and errors are the real tool's, as text plus an exit code.
import type { IFileSystem } from "just-bash";
import type { Machine } from "../net/machine";
import type { NetNamespace } from "../net/namespace";
import type { Simulation } from "../net/simulation";

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ToolContext {
  /** Arguments after the command name. */
  args: string[];
  stdin: string;
  cwd: string;
  env: Map<string, string>;
  /** The machine's filesystem (with /proc and /run/netns). */
  fs: IFileSystem;
  sim: Simulation;
  machine: Machine;
  ns: NetNamespace;
  /** Fires when the user presses Ctrl+C or the run is cancelled. */
  signal: AbortSignal;
  /** Waits simulated time; resolves false if interrupted. */
  sleep(ms: number): Promise<boolean>;
  /** Runs a command line in this shell, optionally inside another namespace (for `ip netns exec`). */
  exec(commandLine: string, opts?: { ns?: NetNamespace; stdin?: string; args?: string[] }): Promise<ToolResult>;
}

export interface Tool {
  name: string;
  /** Other names it answers to (iptables-legacy, ip6tables…). */
  aliases?: string[];
  run(ctx: ToolContext): Promise<ToolResult> | ToolResult;
}

/**
 * Thrown by a tool to end at once with this result (a usage error deep in option parsing, say). The
 * host shell turns it into the command's output and exit status.
 */
export class ToolExit {
  constructor(
    readonly code: number,
    readonly stderr: string,
    readonly stdout = "",
  ) {}
}

export const ok = (stdout = ""): ToolResult => ({ stdout, stderr: "", exitCode: 0 });
export const fail = (stderr: string, exitCode = 1, stdout = ""): ToolResult => ({ stdout, stderr, exitCode });

/** Single-quotes an argument for re-parsing by the shell. */
export function shellQuote(arg: string): string {
  if (arg !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
