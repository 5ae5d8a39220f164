// One terminal's shell on one machine: keeps the working directory and environment between command
// lines and turns Ctrl+C into what bash does (SIGINT to the foreground job, then the prompt back).
import type { HostShell } from "./host-shell";
import type { ToolResult } from "./tool";

/** Variables the interpreter manages itself; they are not carried from one line to the next. */
const VOLATILE = new Set(["?", "PWD", "OLDPWD", "SHELLOPTS", "BASHOPTS", "IFS", "OPTIND", "_", "PPID", "BASHPID", "LINENO", "RANDOM", "SECONDS", "#", "@", "*", "0", "$", "!", "-"]);

/** Ctrl+C first interrupts softly (ping prints its statistics); after this grace period it aborts hard. */
export const INTERRUPT_GRACE_MS = 50;

export class ShellSession {
  cwd = "/root";
  private env: Record<string, string> = {};
  private running?: { soft: AbortController; hard: AbortController; timer?: ReturnType<typeof setTimeout> };

  constructor(readonly shell: HostShell) {}

  get machineName(): string {
    return this.shell.machine.name;
  }

  /** `root@host-a:~# ` as bash's default PS1 shows it. */
  get prompt(): string {
    const dir = this.cwd === "/root" ? "~" : this.cwd.startsWith("/root/") ? "~" + this.cwd.slice(5) : this.cwd;
    return `root@${this.shell.machine.hostname}:${dir}# `;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Runs one command line at this prompt. */
  async run(line: string, opts: { stdin?: string } = {}): Promise<ToolResult & { interrupted: boolean }> {
    const soft = new AbortController();
    const hard = new AbortController();
    const me = { soft, hard } as NonNullable<ShellSession["running"]>;
    this.running = me;
    try {
      const r = await this.shell.exec(line, { cwd: this.cwd, env: this.env, interrupt: soft.signal, signal: hard.signal, stdin: opts.stdin });
      if (r.env) {
        if (r.env.PWD) this.cwd = r.env.PWD;
        const next: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.env)) if (!VOLATILE.has(k)) next[k] = v;
        this.env = next;
      }
      if (hard.signal.aborted) {
        // The interpreter was stopped: bash reports a SIGINT death as status 130 and prints no message.
        return { stdout: r.stdout, stderr: r.stderr.replace(/^bash: execution aborted\n?/m, ""), exitCode: 130, interrupted: true };
      }
      return { ...r, interrupted: soft.signal.aborted };
    } finally {
      if (me.timer) clearTimeout(me.timer);
      if (this.running === me) this.running = undefined;
    }
  }

  /** Ctrl+C. Returns false when nothing was running. */
  interrupt(): boolean {
    const r = this.running;
    if (!r) return false;
    r.soft.abort();
    r.timer ??= setTimeout(() => r.hard.abort(), INTERRUPT_GRACE_MS);
    return true;
  }
}
