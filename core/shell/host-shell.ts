// The shell of one simulated machine: just-bash over the machine's disk, with /proc and /run/netns
// mounted from the kernel model and our tools (ip, iptables, ping…) registered as commands.
import { Bash, InMemoryFs, MountableFs, defineCommand, decodeBytesToUtf8, type IFileSystem } from "just-bash";
import type { Machine } from "../net/machine";
import type { NetNamespace } from "../net/namespace";
import { currentScope, runInScope, type ExecScope } from "./context";
import { NetnsDirFs, ProcFs } from "./procfs";
import { shellQuote, ToolExit, type Tool, type ToolContext, type ToolResult } from "./tool";
import { defaultFiles } from "./default-files";

const NEVER = new AbortController().signal;

export interface ExecOptions {
  ns?: NetNamespace;
  /** Soft interrupt (SIGINT): tools that trap it finish and print their summary. */
  interrupt?: AbortSignal;
  /** Hard cancellation: the interpreter stops at the next statement. */
  signal?: AbortSignal;
  stdin?: string;
  cwd?: string;
  env?: Record<string, string>;
}

export interface ExecResultWithEnv extends ToolResult {
  env?: Record<string, string>;
}

export class HostShell {
  readonly disk: InMemoryFs;
  readonly fs: MountableFs;
  private readonly bash: Bash;

  constructor(
    readonly machine: Machine,
    tools: Tool[],
  ) {
    this.disk = new InMemoryFs(defaultFiles(machine.name));
    const proc = new ProcFs(machine);
    const netns = new NetnsDirFs(machine);
    this.fs = new MountableFs({
      base: this.disk,
      mounts: [
        { mountPoint: "/proc", filesystem: proc },
        { mountPoint: "/run/netns", filesystem: netns },
        { mountPoint: "/var/run/netns", filesystem: netns },
      ],
    });
    const commands = tools.flatMap((t) => [t.name, ...(t.aliases ?? [])].map((name) => this.wrap(name, t)));
    this.bash = new Bash({
      fs: this.fs,
      cwd: "/root",
      env: { HOME: "/root", USER: "root", LOGNAME: "root", SHELL: "/bin/bash", TERM: "xterm-256color", PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOSTNAME: machine.name, LANG: "C.UTF-8" },
      customCommands: commands,
      sleep: (ms: number) => machine.sim.clock.sleep(ms).then(() => undefined),
      // A server started with `&` runs until stopped, as a process does; the interpreter's default one-hour
      // cap would kill it in the middle of a lab.
      executionLimits: { maxCommandCount: 100_000, maxLoopIterations: 100_000, maxExecutionTimeMs: 7 * 24 * 3600 * 1000 },
      // Every command here is our own trusted code and no guest JavaScript runs; the sandbox's timer and
      // intrinsics lockdown would only stop the simulated clock and the tools from waiting.
      defenseInDepth: false,
    });
  }

  /** Runs one command line as if typed at this machine's prompt. */
  async exec(line: string, opts: ExecOptions = {}): Promise<ExecResultWithEnv> {
    const scope: ExecScope = { machine: this.machine, ns: opts.ns ?? this.machine.root, interrupt: opts.interrupt ?? NEVER };
    const r = await runInScope(scope, () =>
      this.bash.exec(line, { signal: opts.signal, stdin: opts.stdin, cwd: opts.cwd, env: opts.env, rawScript: true }),
    );
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, env: r.env };
  }

  private wrap(name: string, tool: Tool) {
    const machine = this.machine;
    const fs: IFileSystem = this.fs;
    return defineCommand(name, async (args, ctx) => {
      const scope = currentScope();
      const ns = scope && scope.machine === machine ? scope.ns : machine.root;
      const interrupt = scope?.interrupt ?? NEVER;
      const signal = anySignal(interrupt, ctx.signal);
      const tctx: ToolContext = {
        args,
        stdin: decodeBytesToUtf8(ctx.stdin),
        cwd: ctx.cwd,
        env: ctx.env,
        fs,
        sim: machine.sim,
        machine,
        ns,
        signal,
        sleep: (ms) => machine.sim.clock.sleep(ms, signal),
        exec: async (commandLine, o = {}) => {
          if (!ctx.exec) return { stdout: "", stderr: `${name}: cannot run subcommands here\n`, exitCode: 1 };
          const inner: ExecScope = { machine, ns: o.ns ?? ns, interrupt };
          const r = await runInScope(inner, () => ctx.exec!(commandLine, { cwd: ctx.cwd, stdin: o.stdin, signal: ctx.signal, args: o.args }));
          return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
        },
      };
      try {
        const r = await tool.run(tctx);
        return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
      } catch (e) {
        if (e instanceof ToolExit) return { stdout: e.stdout, stderr: e.stderr, exitCode: e.code };
        // A bug in a tool must never reach the learner as a stack trace; the fuzz test counts these.
        machine.sim.internalErrors.push({ command: [name, ...args].map(shellQuote).join(" "), error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
        return { stdout: "", stderr: `${name}: internal error: ${e instanceof Error ? e.message : String(e)}\n`, exitCode: 1 };
      }
    });
  }
}

/** An AbortSignal that fires when either input fires. */
function anySignal(a: AbortSignal, b: AbortSignal | undefined): AbortSignal {
  // NEVER lives forever: a tool that listens to it would leak one listener per command, so a call
  // without any interrupt source still gets a signal of its own.
  if (a === NEVER) return b ?? new AbortController().signal;
  if (!b || b === a) return a;
  if (a.aborted) return a;
  if (b.aborted) return b;
  const c = new AbortController();
  const fire = () => c.abort();
  a.addEventListener("abort", fire, { once: true });
  b.addEventListener("abort", fire, { once: true });
  return c.signal;
}
