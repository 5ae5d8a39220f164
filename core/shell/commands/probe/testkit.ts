// Worlds and helpers for the probe and net-tools tests: a LAN (a .10 and b .11 on sw1) and a routed
// network (a and b on 192.168.1.0/24, router r .1/.1, c on 192.168.2.0/24), built with the real `ip`.
import { World } from "../../../script/world";
import type { MachineSpec } from "../../../net/topology";

export interface Run {
  out: string;
  err: string;
  code: number;
}

export const lines = (...l: string[]) => l.join("\n") + "\n";

const host = (name: string, sw: string, cidr: string, ...setup: string[]): MachineSpec => ({
  name,
  nics: [{ name: "eth0", link: `switch:${sw}` }],
  setup: [`ip addr add ${cidr} dev eth0`, ...setup],
});

/** a 192.168.1.10 and b 192.168.1.11 on one switch. */
export async function lan(): Promise<World> {
  const w = new World();
  await w.build({ switches: ["sw1"], machines: [host("a", "sw1", "192.168.1.10/24"), host("b", "sw1", "192.168.1.11/24")] });
  return w;
}

/** a, b on 192.168.1.0/24 with a default route via r (.1, ip_forward=1), c 192.168.2.10 behind r (.1). */
export async function routed(): Promise<World> {
  const w = new World();
  await w.build({
    switches: ["sw1", "sw2"],
    machines: [
      host("a", "sw1", "192.168.1.10/24", "ip route add default via 192.168.1.1"),
      host("b", "sw1", "192.168.1.11/24"),
      {
        name: "r",
        nics: [
          { name: "eth0", link: "switch:sw1" },
          { name: "eth1", link: "switch:sw2" },
        ],
        setup: ["ip addr add 192.168.1.1/24 dev eth0", "ip addr add 192.168.2.1/24 dev eth1", "sysctl -w net.ipv4.ip_forward=1"],
      },
      host("c", "sw2", "192.168.2.10/24", "ip route add default via 192.168.2.1"),
    ],
  });
  return w;
}

/** Runs a command line on a machine (optionally with Ctrl+C wired to `interrupt`). */
export function shell(w: World, machine: string) {
  const s = w.shell(machine);
  return async (line: string, opts: { interrupt?: AbortSignal; stdin?: string } = {}): Promise<Run> => {
    const r = await s.exec(line, { interrupt: opts.interrupt, stdin: opts.stdin ?? "" });
    return { out: r.stdout, err: r.stderr, code: r.exitCode };
  };
}

/** Starts a long-running command (a server) and returns a function that stops it with Ctrl+C. */
export async function background(w: World, machine: string, line: string): Promise<() => Promise<Run>> {
  const ac = new AbortController();
  const p = w.shell(machine).exec(line, { interrupt: ac.signal, stdin: "" });
  // Let it bind its socket before the next command, as `cmd &` returns at once.
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  return async () => {
    ac.abort();
    const r = await p;
    return { out: r.stdout, err: r.stderr, code: r.exitCode };
  };
}

/** RTTs and MACs differ from run to run on a real machine: mask them for golden comparisons. */
export function maskTimes(s: string): string {
  return s.replace(/time=\d+(\.\d+)? ms/g, "time=T ms").replace(/rtt min\/avg\/max\/mdev = [\d./]+ ms/g, "rtt min/avg/max/mdev = R ms").replace(/ {2}\d+\.\d{3} ms/g, "  T ms");
}

export const maskMacs = (s: string) => s.replace(/\b([0-9a-f]{2}:){5}[0-9a-f]{2}\b/g, (m) => (m === "00:00:00:00:00:00" ? m : "MAC"));
