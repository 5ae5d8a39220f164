// Lab checks as the syllabus states them: predicates over simulated state and probes run from a named
// host or namespace. Never the commands typed.
import { World } from "../../core/script/world";
import { runScript } from "../../core/script/run";
import { getPreset } from "../../core/presets/index";
import { parseIPv4, formatIPv4 } from "../../core/net/ip";
import { echo, tcpConnect } from "../../core/net/walk/index";
import type { NetNamespace } from "../../core/net/namespace";
import type { CommandResult } from "../../core/script/types";
import { TABLE_MAIN } from "../../core/net/routes";

const worlds: World[] = [];
/** Stops the background jobs of every world these helpers built (call from `after`). */
export async function stopAllWorlds(): Promise<void> {
  await Promise.all(worlds.splice(0).map((w) => w.stopJobs()));
}

export async function lab(preset: string): Promise<{ world: World; play: (script: string) => Promise<CommandResult[]> }> {
  const topology = getPreset(preset);
  if (!topology) throw new Error(`no preset ${preset}`);
  const world = await World.fromTopology(topology);
  worlds.push(world);
  return { world, play: (script) => runScript({ topology, script, world }) };
}

export function ns(world: World, where: string): NetNamespace {
  const [host, name] = where.split("/");
  const m = world.sim.machine(host);
  if (!m) throw new Error(`no machine ${host}`);
  if (!name) return m.root;
  const n = m.netns(name);
  if (!n) throw new Error(`no namespace ${name} on ${host}`);
  return n;
}

let probeId = 4000;
/**
 * Probe: one ICMP echo from `where` (`host` or `host/ns`) to `dst`; true when a reply comes back.
 * Each probe is a new "ping process" with its own ICMP id, so it is a new conntrack flow (a reused id
 * would keep the NAT binding of an earlier attempt, exactly as on a real kernel).
 */
export async function pingOk(world: World, where: string, dst: string): Promise<boolean> {
  const r = await echo(ns(world, where), parseIPv4(dst)!, { id: ++probeId, seq: 1, timeoutMs: 1000 });
  return r.kind === "reply";
}

/** Probe: an HTTP GET from `where` to dst:port; the response text, or the errno. */
export async function httpGet(world: World, where: string, dst: string, port: number, path = "/"): Promise<string> {
  const c = await tcpConnect(ns(world, where), parseIPv4(dst)!, port, { timeoutMs: 2000 });
  if (!c.ok) return `errno ${c.errno}`;
  const r = await c.conn.request(`GET ${path} HTTP/1.1\r\nHost: ${dst}\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n`);
  c.conn.close();
  return r.ok ? r.data : `errno ${r.errno}`;
}

/** Routes of the main table as `ip route` would name them: "192.168.2.0/24 via 192.168.1.1". */
export function routes(world: World, where: string): string[] {
  return ns(world, where)
    .routes.table(TABLE_MAIN)
    .map((r) => {
      const dst = r.prefixLen === 0 ? "default" : r.prefixLen === 32 ? formatIPv4(r.dst) : `${formatIPv4(r.dst)}/${r.prefixLen}`;
      return r.gateway !== undefined ? `${dst} via ${formatIPv4(r.gateway)}` : `${dst} dev ${r.dev?.name}`;
    });
}

export function addresses(world: World, where: string, iface: string): string[] {
  const i = ns(world, where).byName(iface);
  return i ? i.addresses.map((a) => `${formatIPv4(a.addr)}/${a.prefixLen}`) : [];
}

/** A script must run without surprises: every line exits 0 unless it is marked `# expect N`. */
export function failures(results: CommandResult[]): string[] {
  return results.filter((r) => r.exitCode !== 0).map((r) => `${r.host}$ ${r.command} -> ${r.exitCode}: ${r.stderr.trim()}`);
}
