// A running simulation with a shell per machine, built from a TopologySpec. This is what the CLI,
// the tests and (later) a lab session hold.
import { Simulation, type SimulationOptions } from "../net/simulation";
import type { Machine } from "../net/machine";
import type { TopologySpec } from "../net/topology";
import { HostShell } from "../shell/host-shell";
import { allTools } from "../shell/commands/index";
import type { Tool } from "../shell/tool";
import { boot } from "../shell/boot";
import { ShellSession } from "../shell/session";

export class World {
  readonly sim: Simulation;
  private readonly shells = new Map<Machine, HostShell>();
  private readonly tools: Tool[];
  /** Commands started with `&` that run until stopped (servers, listeners). */
  private readonly jobs: { host: string; command: string; session: ShellSession; done: Promise<unknown> }[] = [];

  constructor(opts: SimulationOptions = {}) {
    this.sim = new Simulation(opts);
    this.tools = allTools();
  }

  /** Builds machines, switches and cables, boots every machine and runs each machine's setup lines. */
  static async fromTopology(spec: TopologySpec, opts: SimulationOptions = {}): Promise<World> {
    const w = new World(opts);
    await w.build(spec);
    return w;
  }

  async build(spec: TopologySpec): Promise<void> {
    for (const s of spec.switches ?? []) this.sim.addSwitch(s);
    for (const m of spec.machines) {
      const machine = this.sim.addMachine(m.name);
      const shell = new HostShell(machine, this.tools);
      this.shells.set(machine, shell);
      machine.ext.set("shell", shell);
      for (const [path, content] of Object.entries(m.files ?? {})) {
        await shell.disk.mkdir(path.replace(/\/[^/]*$/, "") || "/", { recursive: true });
        await shell.disk.writeFile(path, content);
      }
      for (const nic of m.nics ?? []) machine.addNic(nic.name, nic.mac);
    }
    for (const m of spec.machines) {
      const machine = this.sim.machine(m.name)!;
      for (const nic of m.nics ?? []) {
        if (!nic.link) continue;
        const iface = machine.root.byName(nic.name)!;
        if (iface.cable) continue;
        const target = this.resolveLink(nic.link, m.name);
        this.sim.connect(iface, target);
      }
    }
    for (const m of spec.machines) await boot(this.sim.machine(m.name)!, this.shell(m.name));
    for (const m of spec.machines) {
      const shell = this.shell(m.name);
      for (const line of m.setup ?? []) {
        // `server &` in a setup starts a background job, as it would in a shell script.
        const bg = /^(.*[^&])&\s*$/.exec(line.trim());
        if (bg) {
          await this.startJob(m.name, bg[1].trim());
          continue;
        }
        const r = await shell.exec(line);
        if (r.exitCode !== 0) throw new Error(`setup of ${m.name} failed: ${line}\n${r.stderr}`);
      }
    }
  }

  private resolveLink(link: string, from: string) {
    const [a, b] = [link.slice(0, link.indexOf(":")), link.slice(link.indexOf(":") + 1)];
    if (a === "switch") {
      const sw = this.sim.switches.get(b);
      if (!sw) throw new Error(`${from}: no switch named ${b}`);
      return sw;
    }
    const peer = this.sim.machine(a)?.root.byName(b);
    if (!peer) throw new Error(`${from}: cable to unknown NIC ${link}`);
    return peer;
  }

  /** Starts a command in the background on `host`; resolves once it has had a chance to start. */
  async startJob(host: string, command: string): Promise<void> {
    const session = new ShellSession(this.shell(host));
    const done = session.run(command).catch(() => undefined);
    this.jobs.push({ host, command, session, done });
    // `cmd &` returns at once in bash; give the job a few turns to bind its socket first.
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  }

  /** Stops every background job (Ctrl+C to each) and waits for them to finish. */
  async stopJobs(): Promise<void> {
    const jobs = this.jobs.splice(0);
    for (const j of jobs) j.session.interrupt();
    await Promise.all(jobs.map((j) => j.done));
  }

  shell(machine: string): HostShell {
    const m = this.sim.machine(machine);
    const s = m && this.shells.get(m);
    if (!s) throw new Error(`no machine named ${machine}`);
    return s;
  }

  machineNames(): string[] {
    return [...this.sim.machines.keys()];
  }
}
