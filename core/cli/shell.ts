// The interactive CLI shell: a readline prompt over a ShellSession, with the real clock so that
// `ping` ticks once per second. Ctrl+C interrupts the running command, Ctrl+D or `exit` leaves.
// `@HOST` switches to another machine (ssh arrives with the hosts issue).
import { createInterface } from "node:readline";
import type { TopologySpec } from "../net/topology";
import { RealClock } from "../net/clock";
import { World } from "../script/world";
import { ShellSession } from "../shell/session";

export async function runShell(opts: { preset: string; topology: TopologySpec; host?: string; background?: { host: string; command: string }[] }): Promise<number> {
  let world: World;
  try {
    world = await World.fromTopology(opts.topology, { clock: new RealClock() });
  } catch (e) {
    process.stderr.write(`kube-netlab: ${(e as Error).message}\n`);
    return 2;
  }
  const names = world.machineNames();
  const first = opts.host ?? names[0];
  if (!world.sim.machine(first)) {
    process.stderr.write(`kube-netlab: no machine named "${first}" (machines: ${names.join(", ")})\n`);
    return 2;
  }
  for (const b of opts.background ?? []) await world.startJob(b.host, b.command);
  const sessions = new Map<string, ShellSession>();
  const sessionFor = (m: string) => {
    let s = sessions.get(m);
    if (!s) sessions.set(m, (s = new ShellSession(world.shell(m))));
    return s;
  };
  let current = sessionFor(first);
  process.stdout.write(`kube-netlab: preset ${opts.preset}; machines: ${names.join(", ")}. Type "@NAME" to switch machine, "exit" to leave.\n`);

  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY, historySize: 1000 });
  // Ctrl+C: interrupt the running command, or abandon the line being typed, as bash does.
  rl.on("SIGINT", () => {
    process.stdout.write("^C\n");
    if (!current.interrupt()) {
      rl.write(null, { ctrl: true, name: "u" });
      rl.setPrompt(current.prompt);
      rl.prompt();
    }
  });
  return new Promise<number>((resolve) => {
    let last = 0;
    let busy = false;
    let closed = false;
    // Lines typed while a command runs wait their turn (type-ahead), as in bash.
    const queue: string[] = [];
    const prompt = () => {
      rl.setPrompt(current.prompt);
      rl.prompt();
    };
    const finish = () => {
      process.stdout.write("\n");
      resolve(last);
    };
    const drain = async () => {
      if (busy) return;
      busy = true;
      while (queue.length) {
        const line = queue.shift()!;
        const t = line.trim();
        if (t === "exit" || t === "logout") {
          queue.length = 0;
          closed = true;
          rl.close();
          break;
        }
        const sw = /^@(\S+)$/.exec(t);
        if (sw) {
          if (world.sim.machine(sw[1])) current = sessionFor(sw[1]);
          else process.stdout.write(`no machine named "${sw[1]}" (machines: ${names.join(", ")})\n`);
        } else if (t) {
          const r = await current.run(line);
          process.stdout.write(r.stdout);
          process.stderr.write(r.stderr);
          last = r.exitCode;
        }
        if (!closed) prompt();
      }
      busy = false;
      if (closed) finish();
    };
    prompt();
    rl.on("line", (line) => {
      queue.push(line);
      void drain();
    });
    rl.on("close", () => {
      if (closed) return;
      closed = true;
      if (!busy) finish();
    });
  });
}
