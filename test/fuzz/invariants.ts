// Structural invariants of the simulated kernel, checked by the fuzz test after its commands: whatever a
// tool did (or failed to do) to the model, the model must still be a state a Linux kernel can be in.
// Each message names the machine/namespace and the object so that a failure points at its cause.
import type { Simulation } from "../../core/net/simulation";
import type { Machine } from "../../core/net/machine";
import type { NetNamespace } from "../../core/net/namespace";
import type { NetInterface } from "../../core/net/interface";
import { formatIPv4, networkOf } from "../../core/net/ip";

const NEIGH_STATES = new Set(["INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "PERMANENT", "NOARP", "NONE"]);
const ADDR_SCOPES = new Set(["global", "host", "link", "site", "nowhere"]);
const ROUTE_TYPES = new Set(["unicast", "local", "broadcast", "blackhole", "unreachable", "prohibit", "throw", "anycast", "multicast", "nat"]);
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

const isU32 = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;

/** Every broken invariant in the simulation, as one line each; empty when all hold. */
export function checkInvariants(sim: Simulation): string[] {
  const errs: string[] = [];
  for (const m of sim.machines.values()) checkMachine(m, errs);
  return errs;
}

function checkMachine(m: Machine, errs: string[]): void {
  const live = new Set<NetNamespace>([m.root, ...m.namespaces.values()]);
  if (m.root.name !== null) errs.push(`${m.name}: root namespace has a name (${m.root.name})`);
  for (const [key, ns] of m.namespaces) {
    if (ns.name !== key) errs.push(`${m.name}: netns registered as "${key}" is named "${ns.name}"`);
    if (ns.machine !== m) errs.push(`${m.name}: netns ${key} belongs to machine ${ns.machine.name}`);
    if (ns === m.root) errs.push(`${m.name}: root namespace registered as netns ${key}`);
  }
  for (const ns of live) checkNamespace(ns, live, errs);
}

/** Whether `i` is registered in its namespace under its ifindex (a live device). */
function registered(i: NetInterface): boolean {
  return i.ns.interfaces.get(i.ifindex) === i;
}

function describe(i: NetInterface): string {
  return `${i.name}(${i.kind}, ifindex ${i.ifindex}, in ${i.ns.label})`;
}

function checkNamespace(ns: NetNamespace, live: Set<NetNamespace>, errs: string[]): void {
  const at = ns.label;
  const names = new Map<string, NetInterface>();

  // ------------------------------------------------------------------ devices
  // The loopback is ifindex 1 for the life of the namespace (it may be renamed while down, as on Linux).
  const lo = ns.interfaces.get(1);
  if (!lo || lo.kind !== "loopback") errs.push(`${at}: ifindex 1 is not the loopback (${lo ? describe(lo) : "missing"})`);
  for (const [idx, i] of ns.interfaces) {
    if (idx !== i.ifindex) errs.push(`${at}: ${describe(i)} registered under ifindex ${idx}`);
    if (!Number.isInteger(i.ifindex) || i.ifindex < 1) errs.push(`${at}: ${describe(i)} has an invalid ifindex`);
    if (i.ns !== ns) errs.push(`${at}: ${describe(i)} is registered here but says it lives in ${i.ns.label}`);
    const dup = names.get(i.name);
    if (dup) errs.push(`${at}: two devices named ${i.name}: ifindex ${dup.ifindex} and ${i.ifindex}`);
    names.set(i.name, i);
    // dev_valid_name(): 1..15 bytes, not "." or "..", no '/', ':' or whitespace.
    if (typeof i.name !== "string" || i.name.length === 0 || Buffer.byteLength(i.name) > 15 || i.name === "." || i.name === ".." || /[/:\s]/.test(i.name))
      errs.push(`${at}: device name ${JSON.stringify(i.name)} is not a valid ifname (the kernel refuses it)`);
    if (i.kind === "loopback" && i.ifindex !== 1) errs.push(`${at}: a second loopback ${describe(i)}`);
    if (!MAC.test(i.mac)) errs.push(`${at}: ${describe(i)} has MAC ${JSON.stringify(i.mac)}`);
    if (!Number.isInteger(i.mtu) || i.mtu < 0) errs.push(`${at}: ${describe(i)} has mtu ${i.mtu}`);

    // veth pairs
    if (i.kind === "veth") {
      const p = i.peer;
      if (!p) errs.push(`${at}: veth ${describe(i)} has no peer (a veth dies with its peer)`);
      else {
        if (p.peer !== i) errs.push(`${at}: veth ${describe(i)}: its peer ${describe(p)} points back at ${p.peer ? describe(p.peer) : "nothing"}`);
        if (p.kind !== "veth") errs.push(`${at}: veth ${describe(i)} is paired with a ${p.kind}`);
        if (p === i) errs.push(`${at}: veth ${describe(i)} is its own peer`);
        if (!registered(p)) errs.push(`${at}: veth ${describe(i)}: peer ${describe(p)} is not registered in its namespace`);
        if (p.ns.machine !== ns.machine || !live.has(p.ns)) errs.push(`${at}: veth ${describe(i)}: peer lives in a namespace that no longer exists (${p.ns.label})`);
      }
    } else if (i.peer) errs.push(`${at}: ${describe(i)} is not a veth but has a peer ${describe(i.peer)}`);

    // bridge ports
    if (i.master) {
      const b = i.master;
      if (b.kind !== "bridge") errs.push(`${at}: ${describe(i)} has master ${describe(b)}, not a bridge`);
      if (b.ns !== ns) errs.push(`${at}: ${describe(i)} has master ${describe(b)} in another namespace`);
      if (!registered(b)) errs.push(`${at}: ${describe(i)} has master ${describe(b)} that is not registered (deleted bridge)`);
      if (!b.ports?.has(i)) errs.push(`${at}: ${describe(i)} has master ${b.name} but is not in its port list`);
      if (b === i) errs.push(`${at}: ${describe(i)} is its own master`);
      if (i.kind === "bridge") errs.push(`${at}: bridge ${describe(i)} enslaved to bridge ${b.name} (the kernel refuses: ELOOP)`);
      if (i.kind === "loopback") errs.push(`${at}: lo enslaved to ${b.name} (the kernel refuses)`);
    }
    if (i.kind === "bridge") {
      if (!i.ports || !i.fdb) errs.push(`${at}: bridge ${describe(i)} without port list or fdb`);
      for (const p of i.ports ?? []) {
        if (p.master !== i) errs.push(`${at}: bridge ${i.name} lists port ${describe(p)} whose master is ${p.master ? describe(p.master) : "none"}`);
        if (p.ns !== ns || !registered(p)) errs.push(`${at}: bridge ${i.name} lists port ${describe(p)} that is not a live device of this namespace`);
      }
      for (const [mac, e] of i.fdb ?? []) {
        if (e.port !== i && !i.ports?.has(e.port)) errs.push(`${at}: bridge ${i.name} fdb entry ${mac} points at ${describe(e.port)}, not one of its ports`);
      }
    } else if (i.ports && i.ports.size > 0) errs.push(`${at}: ${describe(i)} is not a bridge but has ports`);

    // addresses
    const seen = new Set<string>();
    for (const a of i.addresses) {
      if (!isU32(a.addr)) errs.push(`${at}: ${i.name} has address ${String(a.addr)} (not an IPv4 number)`);
      if (!Number.isInteger(a.prefixLen) || a.prefixLen < 0 || a.prefixLen > 32) errs.push(`${at}: ${i.name} address ${formatIPv4(a.addr)} has prefix length ${a.prefixLen}`);
      if (!ADDR_SCOPES.has(a.scope)) errs.push(`${at}: ${i.name} address ${formatIPv4(a.addr)} has scope ${String(a.scope)}`);
      if (a.broadcast !== undefined && !isU32(a.broadcast)) errs.push(`${at}: ${i.name} address ${formatIPv4(a.addr)} has broadcast ${String(a.broadcast)}`);
      const k = `${a.addr}/${a.prefixLen}`;
      if (seen.has(k)) errs.push(`${at}: ${i.name} has ${formatIPv4(a.addr)}/${a.prefixLen} twice`);
      seen.add(k);
    }
  }

  // ------------------------------------------------------------------ routes
  for (const r of ns.routes.all()) {
    const what = `route ${r.type} ${isU32(r.dst) ? formatIPv4(r.dst) : String(r.dst)}/${r.prefixLen} table ${r.table}${r.dev ? ` dev ${r.dev.name}` : ""}`;
    if (!isU32(r.dst) || !Number.isInteger(r.prefixLen) || r.prefixLen < 0 || r.prefixLen > 32) errs.push(`${at}: ${what}: invalid destination`);
    else if (networkOf(r.dst, r.prefixLen) !== r.dst) errs.push(`${at}: ${what}: host bits set in the destination (the kernel refuses: Invalid prefix for given prefix length)`);
    if (!ROUTE_TYPES.has(r.type)) errs.push(`${at}: ${what}: unknown type`);
    if (!Number.isInteger(r.table) || r.table < 0) errs.push(`${at}: ${what}: invalid table`);
    if (!Number.isInteger(r.metric) || r.metric < 0 || r.metric > 0xffffffff) errs.push(`${at}: ${what}: invalid metric ${r.metric}`);
    if (r.gateway !== undefined && !isU32(r.gateway)) errs.push(`${at}: ${what}: invalid gateway ${String(r.gateway)}`);
    if (r.dev) {
      if (r.dev.ns !== ns || !registered(r.dev)) errs.push(`${at}: ${what}: points at ${describe(r.dev)}, not a live device of this namespace`);
      // NETDEV_DOWN flushes every route through the device but the local ones (their nexthop scope is
      // "nowhere", which fib_sync_down_dev spares), and new ones are refused ("Nexthop device is not up").
      else if (!r.dev.adminUp && r.type !== "local") errs.push(`${at}: ${what}: goes through ${r.dev.name}, which is down`);
    } else if (r.type === "unicast" || r.type === "local") errs.push(`${at}: ${what}: a ${r.type} route without a device`);
  }

  // ------------------------------------------------------------------ neighbours
  for (const e of ns.neigh.list()) {
    const what = `neighbour ${isU32(e.ip) ? formatIPv4(e.ip) : String(e.ip)} dev ${e.dev?.name}`;
    if (!e.dev || e.dev.ns !== ns || !registered(e.dev)) errs.push(`${at}: ${what}: not on a live device of this namespace${e.dev ? ` (${describe(e.dev)})` : ""}`);
    if (!isU32(e.ip)) errs.push(`${at}: ${what}: invalid address`);
    if (!NEIGH_STATES.has(e.state)) errs.push(`${at}: ${what}: unknown state ${String(e.state)}`);
    if (e.mac !== undefined && !MAC.test(e.mac)) errs.push(`${at}: ${what}: lladdr ${JSON.stringify(e.mac)}`);
  }

  // ------------------------------------------------------------------ per-device sysctls
  const keys = new Set(ns.sysctl.keys());
  for (const i of ns.interfaces.values()) {
    if (!keys.has(`net.ipv4.conf.${i.name}.forwarding`)) errs.push(`${at}: no net.ipv4.conf.${i.name}.* for live device ${i.name}`);
  }
  for (const k of keys) {
    const mm = /^net\.ipv4\.conf\.(.+)\.forwarding$/.exec(k);
    if (mm && mm[1] !== "all" && mm[1] !== "default" && !names.has(mm[1])) errs.push(`${at}: ${k} left behind for a device that is gone`);
  }

  // ------------------------------------------------------------------ netfilter and conntrack
  const nf = ns.netfilter as unknown as { checkInvariants?: () => string[]; conntrackEntries?: () => unknown[] };
  if (typeof nf.checkInvariants === "function") {
    for (const e of nf.checkInvariants()) errs.push(`${at}: netfilter: ${e}`);
  }
  if (typeof nf.conntrackEntries === "function") checkConntrack(at, ns, errs);
}

/** What the conntrack snapshot must look like even without the engine's own check. */
function checkConntrack(at: string, ns: NetNamespace, errs: string[]): void {
  const origs = new Set<string>();
  const replies = new Set<string>();
  for (const e of ns.netfilter.conntrackEntries()) {
    const key = (t: { src: number; dst: number; sport?: number; dport?: number; id?: number }) => `${e.proto}|${t.src}|${t.sport ?? t.id ?? ""}|${t.dst}|${t.dport ?? t.id ?? ""}`;
    const name = `conntrack ${key(e.orig)}`;
    if (!["icmp", "tcp", "udp"].includes(e.proto)) errs.push(`${at}: ${name}: protocol ${String(e.proto)}`);
    for (const t of [e.orig, e.reply]) {
      if (!isU32(t.src) || !isU32(t.dst)) errs.push(`${at}: ${name}: invalid address in a tuple`);
      for (const p of [t.sport, t.dport]) if (p !== undefined && (!Number.isInteger(p) || p < 0 || p > 65535)) errs.push(`${at}: ${name}: port ${p}`);
    }
    if (!Number.isFinite(e.expires)) errs.push(`${at}: ${name}: expires ${e.expires}`);
    if (e.packets < 0 || e.bytes < 0) errs.push(`${at}: ${name}: negative counters`);
    // Tuples are hash keys: two live flows never share an original or a reply tuple.
    const o = key(e.orig);
    const r = key(e.reply);
    if (origs.has(o)) errs.push(`${at}: ${name}: two entries with the same original tuple`);
    if (replies.has(r)) errs.push(`${at}: ${name}: two entries with the same reply tuple ${r}`);
    origs.add(o);
    replies.add(r);
  }
}
