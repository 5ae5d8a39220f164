// Small builders for packet-walk tests: topologies through the model API, as `ip` would leave them.
import { Simulation } from "../simulation";
import type { NetNamespace } from "../namespace";
import type { NetInterface } from "../interface";
import type { Machine } from "../machine";
import type { Switch } from "../switch";
import { parseCidr, parseIPv4 } from "../ip";
import { TABLE_MAIN, type RouteType } from "../routes";

export function ip(text: string): number {
  const v = parseIPv4(text);
  if (v === undefined) throw new Error(`bad address ${text}`);
  return v;
}

export function dev(ns: NetNamespace, name: string): NetInterface {
  const d = ns.byName(name);
  if (!d) throw new Error(`no ${name} in ${ns.label}`);
  return d;
}

/** `ip addr add CIDR dev NAME` + `ip link set NAME up`. */
export function addr(ns: NetNamespace, name: string, cidr: string, up = true): NetInterface {
  const d = dev(ns, name);
  const c = parseCidr(cidr)!;
  ns.addAddress(d, c.addr, c.len);
  if (up) ns.setAdminState(d, true);
  return d;
}

export function up(ns: NetNamespace, ...names: string[]): void {
  for (const n of names) ns.setAdminState(dev(ns, n), true);
}

export function down(ns: NetNamespace, ...names: string[]): void {
  for (const n of names) ns.setAdminState(dev(ns, n), false);
}

/** `ip route add DST [via GW] [dev DEV]` (type unicast unless given). */
export function route(ns: NetNamespace, dst: string, opts: { via?: string; dev?: string; type?: RouteType; src?: string; metric?: number; onlink?: boolean } = {}): void {
  const c = dst === "default" ? { addr: 0, len: 0 } : parseCidr(dst)!;
  let d = opts.dev ? dev(ns, opts.dev) : undefined;
  if (!d && opts.via) {
    const gw = ip(opts.via);
    d = ns.routes.lookup(gw)?.dev;
  }
  ns.routes.add({
    table: TABLE_MAIN,
    type: opts.type ?? "unicast",
    dst: c.addr,
    prefixLen: c.len,
    gateway: opts.via ? ip(opts.via) : undefined,
    dev: opts.type && opts.type !== "unicast" ? undefined : d,
    proto: "boot",
    scope: opts.via || (opts.type && opts.type !== "unicast") ? "global" : "link",
    src: opts.src ? ip(opts.src) : undefined,
    metric: opts.metric ?? 0,
    onlink: !!opts.onlink,
  });
}

export function forwarding(ns: NetNamespace, on = true): void {
  ns.sysctl.set("net.ipv4.ip_forward", on ? "1" : "0");
}

/** A namespace on a machine with lo up (as the syllabus labs do). */
export function netns(m: Machine, name: string, loUp = true): NetNamespace {
  const ns = m.addNetns(name);
  if (loUp) ns.setAdminState(ns.loopback, true);
  return ns;
}

/** A veth pair between two namespaces, both ends up, with optional addresses. */
export function vethPair(a: NetNamespace, aName: string, b: NetNamespace, bName: string, aCidr?: string, bCidr?: string): [NetInterface, NetInterface] {
  const [x, y] = a.createVethPair(aName, bName, b);
  if (aCidr) addr(a, aName, aCidr);
  if (bCidr) addr(b, bName, bCidr);
  a.setAdminState(x, true);
  b.setAdminState(y, true);
  return [x, y];
}

/** A machine whose eth0 is cabled to `sw` with an address (lo up). */
export function host(sim: Simulation, name: string, sw: Switch, cidr?: string): Machine {
  const m = sim.addMachine(name);
  m.root.setAdminState(m.root.loopback, true);
  const nic = m.addNic("eth0");
  sim.connect(nic, sw);
  if (cidr) addr(m.root, "eth0", cidr);
  else up(m.root, "eth0");
  return m;
}

/** Adds a NIC cabled to `sw`, addressed and up. */
export function nic(sim: Simulation, m: Machine, name: string, sw: Switch, cidr: string): NetInterface {
  const n = m.addNic(name);
  sim.connect(n, sw);
  return addr(m.root, name, cidr);
}

/** Lab 1.2: host-a (192.168.1.5) — sw1 — host-b router (.6 / 192.168.2.6) — sw2 — host-c (192.168.2.5). */
export function routerLab(opts: { forward?: boolean; routes?: boolean } = {}) {
  const sim = new Simulation({ seed: 7 });
  const sw1 = sim.addSwitch("sw1");
  const sw2 = sim.addSwitch("sw2");
  const a = host(sim, "host-a", sw1, "192.168.1.5/24");
  const b = host(sim, "host-b", sw1, "192.168.1.6/24");
  nic(sim, b, "eth1", sw2, "192.168.2.6/24");
  const c = host(sim, "host-c", sw2, "192.168.2.5/24");
  if (opts.forward) forwarding(b.root);
  if (opts.routes) {
    route(a.root, "192.168.2.0/24", { via: "192.168.1.6" });
    route(c.root, "192.168.1.0/24", { via: "192.168.2.6" });
  }
  return { sim, sw1, sw2, a: a.root, b: b.root, c: c.root };
}

/**
 * Module 4: lab-host (eth0 192.168.1.2 on the LAN with lan-host 192.168.1.3) with bridge v-net-0 and
 * namespaces red, blue, yellow, black (192.168.15.1-4) attached through veth-X / veth-X-br.
 */
export function bridgeLab(opts: { bridgeAddr?: boolean; gateways?: boolean } = {}) {
  const sim = new Simulation({ seed: 11 });
  const lan = sim.addSwitch("lan");
  const labHost = host(sim, "lab-host", lan, "192.168.1.2/24");
  const lanHost = host(sim, "lan-host", lan, "192.168.1.3/24");
  const root = labHost.root;
  const br = root.createInterface("bridge", "v-net-0");
  root.setAdminState(br, true);
  if (opts.bridgeAddr) addr(root, "v-net-0", "192.168.15.5/24");
  const names = ["red", "blue", "yellow", "black"];
  const spaces: Record<string, NetNamespace> = {};
  names.forEach((n, i) => {
    const ns = netns(labHost, n);
    const [inner, outer] = root.createVethPair(`veth-${n}`, `veth-${n}-br`);
    root.moveInterface(inner, ns);
    root.setMaster(outer, br);
    root.setAdminState(outer, true);
    addr(ns, `veth-${n}`, `192.168.15.${i + 1}/24`);
    if (opts.gateways) route(ns, "default", { via: "192.168.15.5" });
    spaces[n] = ns;
  });
  return { sim, lan, root, br, lanHost: lanHost.root, labHost, ns: spaces };
}
