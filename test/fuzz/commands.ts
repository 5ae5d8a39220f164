// Random command lines for the fuzz test: `ip`, `iptables` and `ping -c N -W 1`, valid, near-valid and
// garbage. Names and addresses come partly from the live state (so that commands hit existing
// interfaces, namespaces and addresses) and partly from small pools (so that creations collide and
// deletions find their target), with bad values mixed in.
//
// Two things must never be generated, because they never end on their own: `ping` without `-c`
// (the Ctrl+C test does that on purpose, through a session it interrupts) and `ip monitor` / `ip netns
// monitor` (abbreviations starting with "mo" resolve to it, so object names here never start so).
import type { Machine } from "../../core/net/machine";
import type { NetNamespace } from "../../core/net/namespace";
import type { Simulation } from "../../core/net/simulation";
import { formatIPv4 } from "../../core/net/ip";
import { shellQuote } from "../../core/shell/tool";
import type { Prng } from "./prng";

export interface GenEnv {
  sim: Simulation;
  machine: Machine;
}

/** A command as argv tokens; `fixed` leading tokens are never mutated (ping's -c/-W, the command name). */
interface Cmd {
  tokens: string[];
  fixed: number;
}

const NS_POOL = ["red", "blue", "yellow", "black", "fzns0", "fzns1", "fzns2"];
const NS_BAD = ["nosuch", "", "a/b", "..", ".", "x".repeat(300), "-n", "red blue", "ünï"];
const IF_POOL = ["fz0", "fz1", "fz.1", "fz", "br-fz", "br-fz1", "veth-fz0", "veth-fz0p", "veth-fz1", "veth-fz1p", "dummy0", "v-net-0", "eth0", "lo", "vx-fz"];
const IF_BAD = ["nosuch0", "", "x".repeat(16), "üüüüüüüü", "a/b", "..", "eth0:1", "eth0@if3", "bad name", "-", "all", "dev"];
const BAD_ADDR = [
  "300.1.1.1", "1.2.3", "1.2.3.4.5", "10.0.0.1/33", "10.0.0.1/-1", "10.0.0.1/", "/24", "0.0.0.0", "0.0.0.0/0",
  "255.255.255.255", "::1", "fe80::1/64", "abc", "10.0.0.256", "999999999", "-1", "", "10.0.0.1/24/24", "01.2.3.4",
  "0x0a000001", "10.1", "localhost", "default", "all", "10.0.0.1/255.255.255.0", "10.0.0.1/8x", "224.0.0.1", "127.0.0.1/8",
];
const BAD_NUM = ["-1", "0", "65536", "4294967295", "4294967296", "99999999999999999999", "1e3", "0x10", "abc", "", "NaN", "Infinity", "1.5", "+5"];
const GARBAGE = [
  "foo", "help", "--", "-", "-x", "--bogus", "dev", "via", "up", "down", "type", "name", "peer", "master", "netns", "table",
  "metric", "proto", "scope", "src", "lladdr", "nud", "!", "ü", "a".repeat(40), "x".repeat(16), " ", "*", "%", "@", "-j",
  "-p", "--dport", "-m", "ACCEPT", "0", "-1", "default", "all", "list", "show", "add", "del", "flush", "set",
];
const MACS = ["52:54:00:12:35:03", "aa:bb:cc:dd:ee:ff", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "02:42:ac:11:00:02"];
const BAD_MACS = ["aa:bb:cc", "zz:zz:zz:zz:zz:zz", "aa:bb:cc:dd:ee:ff:00", "", "1"];

// ------------------------------------------------------------------------------------------ state

function namespaceNames(m: Machine): string[] {
  return [...m.namespaces.keys()];
}

/** Interface names of a namespace (live), for the generator. */
function ifNames(ns: NetNamespace | undefined): string[] {
  return ns ? [...ns.interfaces.values()].map((i) => i.name) : [];
}

function liveAddresses(sim: Simulation): number[] {
  const out: number[] = [];
  for (const m of sim.machines.values()) for (const ns of m.allNamespaces()) for (const i of ns.interfaces.values()) for (const a of i.addresses) out.push(a.addr);
  return out;
}

class Vocab {
  constructor(
    readonly r: Prng,
    readonly env: GenEnv,
    /** The namespace `-n` targets (or the root), whose devices commands name. */
    readonly ns: NetNamespace | undefined,
  ) {}

  netns(): string {
    const live = namespaceNames(this.env.machine);
    return this.r.weighted<() => string>([
      [6, () => (live.length ? this.r.pick(live) : this.r.pick(NS_POOL))],
      [3, () => this.r.pick(NS_POOL)],
      [1, () => this.r.pick(NS_BAD)],
    ])();
  }

  iface(): string {
    const live = ifNames(this.ns);
    return this.r.weighted<() => string>([
      [6, () => (live.length ? this.r.pick(live) : this.r.pick(IF_POOL))],
      [3, () => this.r.pick(IF_POOL)],
      [1, () => this.r.pick(IF_BAD)],
    ])();
  }

  /** A name for a new device: mostly from the pool, so that it collides now and then. */
  newIface(): string {
    return this.r.weighted<() => string>([
      [8, () => this.r.pick(IF_POOL)],
      [1, () => `fz${this.r.int(0, 99)}`],
      [1, () => this.r.pick(IF_BAD)],
    ])();
  }

  bridge(): string {
    const live = this.ns ? [...this.ns.interfaces.values()].filter((i) => i.kind === "bridge").map((i) => i.name) : [];
    return this.r.chance(0.7) && live.length ? this.r.pick(live) : this.iface();
  }

  ip(): string {
    const live = liveAddresses(this.env.sim);
    return this.r.weighted<() => string>([
      [4, () => (live.length ? formatIPv4(this.r.pick(live)) : "192.168.15.1")],
      [3, () => `192.168.${this.r.pick([1, 15, 15, 16])}.${this.r.int(0, 255)}`],
      [2, () => `10.${this.r.int(0, 3)}.${this.r.int(0, 3)}.${this.r.int(0, 255)}`],
      [1, () => this.r.pick(["8.8.8.8", "1.1.1.1", "203.0.113.1", "127.0.0.1", "0.0.0.0", "255.255.255.255", "192.168.15.255", "224.0.0.1"])],
      [1, () => this.r.pick(BAD_ADDR)],
    ])();
  }

  /** A gateway: mostly a host on a subnet the namespace is connected to (so that the route is accepted). */
  gateway(): string {
    const subnets = this.ns ? [...this.ns.interfaces.values()].filter((i) => i.adminUp).flatMap((i) => i.addresses.filter((a) => a.prefixLen >= 16 && a.prefixLen < 31)) : [];
    if (subnets.length && this.r.chance(0.6)) {
      const a = this.r.pick(subnets);
      const host = this.r.int(1, Math.min(254, 2 ** (32 - a.prefixLen) - 2));
      return formatIPv4(((a.addr & ~(2 ** (32 - a.prefixLen) - 1)) + host) >>> 0);
    }
    return this.ip();
  }

  prefixLen(): number {
    return this.r.pick([8, 16, 24, 24, 24, 30, 31, 32, 0]);
  }

  cidr(): string {
    if (this.r.chance(0.08)) return this.r.pick(BAD_ADDR);
    const a = this.ip();
    if (a.includes("/") || this.r.chance(0.15)) return a;
    return `${a}/${this.prefixLen()}`;
  }

  /** A route destination: default, a network, a host, or a bad one. */
  dst(): string {
    return this.r.weighted<() => string>([
      [2, () => "default"],
      [5, () => `10.${this.r.int(0, 3)}.${this.r.int(0, 3)}.0/24`],
      [2, () => `${this.ip()}/32`],
      [2, () => this.cidr()],
      [1, () => this.r.pick(["0.0.0.0/0", "10.0.0.0/8", "192.168.15.0/24", "192.168.1.0/24", "10.1.2.3/8", "8.8.8.8"])],
      [1, () => this.r.pick(BAD_ADDR)],
    ])();
  }

  num(lo: number, hi: number): string {
    return this.r.chance(0.1) ? this.r.pick(BAD_NUM) : String(this.r.int(lo, hi));
  }

  garbage(): string {
    return this.r.weighted<() => string>([
      [5, () => this.r.pick(GARBAGE)],
      [1, () => this.r.pick(BAD_ADDR)],
      [1, () => this.r.pick(BAD_NUM)],
      [1, () => this.r.pick(IF_BAD)],
      [1, () => randomWord(this.r)],
    ])();
  }
}

function randomWord(r: Prng): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_./:+,=@%";
  let s = "";
  for (let n = r.int(1, 12); n > 0; n--) s += alphabet[r.int(0, alphabet.length - 1)];
  // "mo…" abbreviates `monitor`, which never returns.
  return s.startsWith("mo") ? `x${s}` : s;
}

// ------------------------------------------------------------------------------------------ ip

const IP_OBJECTS = {
  link: ["link", "l", "li", "lin"],
  addr: ["addr", "a", "ad", "address", "addre"],
  route: ["route", "r", "ro", "rou", "rout"],
  neigh: ["neigh", "n", "ne", "neighbor", "neighbour", "nei"],
  netns: ["netns", "net", "netn"],
} as const;

function ipOptions(r: Prng, v: Vocab, nsName: string | undefined): string[] {
  const out: string[] = [];
  if (nsName !== undefined) out.push(r.pick(["-n", "-n", "-netns", "-net"]), nsName);
  for (let k = r.weighted([[5, 0], [3, 1], [1, 2]] as const); k > 0; k--) {
    out.push(...r.weighted<string[]>([
      [3, ["-br"]], [1, ["-brief"]], [2, ["-4"]], [2, ["-s"]], [1, ["-s", "-s"]], [1, ["-stats"]], [1, ["-d"]], [1, ["-details"]],
      [1, ["-o"]], [1, ["-oneline"]], [1, ["-c"]], [1, ["-j"]], [1, ["-6"]], [1, ["-X"]], [1, [v.garbage()]],
    ]));
  }
  return out;
}

function ipLink(r: Prng, v: Vocab): string[] {
  const op = r.weighted([[4, "show"], [3, "add"], [2, "del"], [5, "set"], [1, "garbage"]] as const);
  const devKw = () => (r.chance(0.5) ? ["dev"] : []);
  switch (op) {
    case "show": {
      const verb = r.pick(["show", "list", "ls", "sh", "lst"]);
      return [
        verb,
        ...r.weighted<string[]>([
          [3, []], [3, [...devKw(), v.iface()]], [2, ["type", r.pick(["bridge", "veth", "dummy", "vxlan", "bogus"])]],
          [1, ["up"]], [1, ["master", v.bridge()]], [1, [v.garbage()]],
        ]),
      ];
    }
    case "add": {
      const name = v.newIface();
      const nameArgs = r.weighted<string[]>([[6, [name]], [1, ["name", name]], [1, ["dev", name]], [1, []]]);
      const typ = r.weighted<string[]>([
        [5, ["type", "veth", ...(r.chance(0.85) ? ["peer", "name", r.chance(0.9) ? `${name}p` : v.newIface(), ...(r.chance(0.15) ? ["netns", v.netns()] : [])] : [])]],
        [3, ["type", "bridge"]],
        [3, ["type", "dummy"]],
        [1, ["type", "vxlan", "id", v.num(1, 100), ...(r.chance(0.5) ? ["remote", v.ip()] : []), ...(r.chance(0.5) ? ["dstport", v.num(1, 65535)] : []), ...(r.chance(0.4) ? ["dev", v.iface()] : [])]],
        [1, ["type", r.pick(["bogus", "loopback", "ether", "vlan", ""])]],
        [1, []],
      ]);
      const extra = r.chance(0.1) ? r.pick([["mtu", v.num(68, 9000)], ["address", r.pick(MACS)], ["up"]]) : [];
      return ["add", ...nameArgs, ...extra, ...typ];
    }
    case "del":
      return [r.pick(["del", "delete", "d"]), ...devKw(), v.iface(), ...(r.chance(0.1) ? ["type", r.pick(["veth", "bridge"])] : [])];
    case "set": {
      const out = ["set", ...devKw(), v.iface()];
      for (let k = r.weighted([[1, 0], [8, 1], [2, 2]] as const); k > 0; k--) {
        out.push(...r.weighted<string[]>([
          [6, ["up"]], [3, ["down"]], [4, ["master", v.bridge()]], [2, ["nomaster"]], [4, ["netns", v.netns()]],
          [1, ["netns", v.num(0, 5)]], [2, ["name", v.newIface()]], [2, ["mtu", v.num(68, 9000)]],
          [1, ["address", r.chance(0.8) ? r.pick(MACS) : r.pick(BAD_MACS)]], [1, ["alias", r.pick(["fuzz", "", "x y"])]],
          [1, ["promisc", r.pick(["on", "off", "maybe"])]], [1, ["arp", r.pick(["on", "off"])]], [1, ["txqueuelen", v.num(0, 5000)]],
          [1, [v.garbage()]],
        ]));
      }
      return out;
    }
    default:
      return [v.garbage(), v.garbage()];
  }
}

function ipAddr(r: Prng, v: Vocab): string[] {
  const op = r.weighted([[4, "show"], [5, "add"], [3, "del"], [1, "flush"], [1, "replace"], [1, "garbage"]] as const);
  switch (op) {
    case "show":
      return [r.pick(["show", "list", "ls", "s", ""]), ...r.weighted<string[]>([[4, []], [4, ["dev", v.iface()]], [1, [v.iface()]], [1, ["up"]], [1, [v.garbage()]]])].filter((t) => t !== "");
    case "add":
    case "replace": {
      const out = [op === "add" ? r.pick(["add", "a"]) : "replace", v.cidr()];
      if (r.chance(0.92)) out.push("dev", v.iface());
      if (r.chance(0.15)) out.push("brd", r.chance(0.5) ? "+" : v.ip());
      if (r.chance(0.08)) out.push("label", r.pick(["eth0:1", "fz", "bad label"]));
      if (r.chance(0.08)) out.push("scope", r.pick(["host", "link", "global", "site", "nowhere", "bogus"]));
      if (r.chance(0.05)) out.push(v.garbage());
      if (r.chance(0.1)) out.reverse(); // dev before the address: valid for ip, odd for us
      return out[0] === "add" || out[0] === "a" || out[0] === "replace" ? out : [op, ...out.filter((t) => t !== op)];
    }
    case "del":
      return [r.pick(["del", "delete", "d"]), v.cidr(), ...(r.chance(0.9) ? ["dev", v.iface()] : [])];
    case "flush":
      return ["flush", ...r.weighted<string[]>([[5, ["dev", v.iface()]], [1, []], [1, ["all"]], [1, ["to", v.cidr()]]])];
    default:
      return [v.garbage(), v.cidr()];
  }
}

function routeSpec(r: Prng, v: Vocab, forDel: boolean): string[] {
  const out: string[] = [];
  if (r.chance(0.12)) out.push(r.pick(["blackhole", "unreachable", "prohibit", "throw", "local", "broadcast", "unicast", "bogus"]));
  out.push(v.dst());
  const gw = r.chance(forDel ? 0.4 : 0.6);
  if (gw) out.push("via", v.gateway());
  if (!gw || r.chance(0.4)) if (r.chance(0.8)) out.push("dev", v.iface());
  if (r.chance(0.2)) out.push("metric", v.num(0, 1000));
  if (r.chance(0.05)) out.push("onlink");
  if (r.chance(0.08)) out.push("src", v.ip());
  if (r.chance(0.06)) out.push("proto", r.pick(["static", "kernel", "boot", "dhcp", "99", "bogus"]));
  if (r.chance(0.06)) out.push("scope", r.pick(["link", "host", "global", "bogus"]));
  if (r.chance(0.08)) out.push("table", r.pick(["main", "local", "default", "100", "0", "bogus"]));
  if (r.chance(0.04)) out.push(v.garbage());
  return out;
}

function ipRoute(r: Prng, v: Vocab): string[] {
  const op = r.weighted([[4, "show"], [5, "add"], [3, "del"], [2, "replace"], [1, "append"], [2, "get"], [1, "flush"], [1, "garbage"]] as const);
  switch (op) {
    case "show":
      return [r.pick(["show", "list", "ls", "sh"]), ...r.weighted<string[]>([[5, []], [2, ["table", r.pick(["main", "local", "all", "100", "bogus"])]], [2, ["dev", v.iface()]], [1, [v.dst()]], [1, [v.garbage()]]])];
    case "add":
    case "replace":
    case "append":
      return [op === "add" ? r.pick(["add", "a"]) : op, ...routeSpec(r, v, false)];
    case "del":
      return [r.pick(["del", "delete", "d"]), ...routeSpec(r, v, true)];
    case "get":
      return ["get", ...(r.chance(0.05) ? [] : [v.ip()]), ...(r.chance(0.15) ? ["from", v.ip()] : []), ...(r.chance(0.1) ? ["oif", v.iface()] : []), ...(r.chance(0.05) ? ["iif", v.iface()] : [])];
    case "flush":
      return ["flush", ...r.weighted<string[]>([[3, ["dev", v.iface()]], [1, []], [1, ["table", r.pick(["main", "100"])]], [1, ["cache"]], [1, [v.dst()]]])];
    default:
      return [v.garbage(), v.dst()];
  }
}

function ipNeigh(r: Prng, v: Vocab): string[] {
  const op = r.weighted([[4, "show"], [4, "add"], [2, "replace"], [2, "del"], [1, "flush"], [1, "garbage"]] as const);
  const nud = () => (r.chance(0.6) ? ["nud", r.pick(["permanent", "reachable", "stale", "noarp", "delay", "probe", "failed", "none", "incomplete", "bogus"])] : []);
  switch (op) {
    case "show":
      return [r.pick(["show", "list", "ls"]), ...r.weighted<string[]>([[4, []], [3, ["dev", v.iface()]], [1, ["nud", r.pick(["reachable", "permanent", "all"])]], [1, [v.ip()]]])];
    case "add":
    case "replace":
      return [op, v.ip(), ...(r.chance(0.85) ? ["lladdr", r.chance(0.85) ? r.pick(MACS) : r.pick(BAD_MACS)] : []), ...(r.chance(0.9) ? ["dev", v.iface()] : []), ...nud()];
    case "del":
      return [r.pick(["del", "delete"]), v.ip(), ...(r.chance(0.9) ? ["dev", v.iface()] : [])];
    case "flush":
      return ["flush", ...r.weighted<string[]>([[3, ["dev", v.iface()]], [1, ["all"]], [1, []], [1, ["nud", "permanent"]]])];
    default:
      return [v.garbage(), v.ip()];
  }
}

function ipNetns(r: Prng, v: Vocab, depth: number, env: GenEnv): string[] {
  const op = r.weighted([[3, "list"], [3, "add"], [2, "del"], [3, "exec"], [1, "identify"], [1, "pids"], [1, "set"], [1, "garbage"]] as const);
  switch (op) {
    case "list":
      return r.pick([["list"], ["show"], [], ["list-id"], ["ls"]]);
    case "add":
      return ["add", r.chance(0.8) ? r.pick(NS_POOL) : v.netns()];
    case "del":
      return [r.pick(["del", "delete"]), v.netns()];
    case "exec": {
      if (depth > 1 || r.chance(0.05)) return ["exec", v.netns(), ...(r.chance(0.5) ? [] : ["true"])];
      const inner = genTokens(r, env, depth + 1, false);
      return ["exec", v.netns(), ...inner];
    }
    case "identify":
      return ["identify", ...(r.chance(0.5) ? [] : [r.pick(["1", "0", "abc", "99999"])])];
    case "pids":
      return ["pids", v.netns()];
    case "set":
      return ["set", v.netns(), v.num(0, 10)];
    default:
      return [v.garbage()];
  }
}

function ipCommand(r: Prng, env: GenEnv, depth: number): Cmd {
  const liveNs = namespaceNames(env.machine);
  let nsName: string | undefined;
  let ns: NetNamespace | undefined = env.machine.root;
  const roll = r.next();
  if (roll < 0.4) {
    nsName = liveNs.length && r.chance(0.85) ? r.pick(liveNs) : r.chance(0.5) ? r.pick(NS_POOL) : r.pick(NS_BAD);
    ns = env.machine.netns(nsName);
  }
  const v = new Vocab(r, env, ns);
  const obj = r.weighted([[5, "link"], [5, "addr"], [5, "route"], [2, "neigh"], [3, "netns"], [1, "garbage"]] as const);
  const tokens = ["ip", ...ipOptions(r, v, nsName)];
  if (obj === "garbage") {
    tokens.push(...r.weighted<string[]>([[3, [v.garbage()]], [1, []], [1, ["help"]], [1, [r.pick(["-V", "-Version", "-h"])]], [1, ["maddr"]], [1, ["rule"]]]));
    return { tokens, fixed: 1 };
  }
  tokens.push(r.pick(IP_OBJECTS[obj]));
  switch (obj) {
    case "link":
      tokens.push(...ipLink(r, v));
      break;
    case "addr":
      tokens.push(...ipAddr(r, v));
      break;
    case "route":
      tokens.push(...ipRoute(r, v));
      break;
    case "neigh":
      tokens.push(...ipNeigh(r, v));
      break;
    case "netns":
      tokens.push(...ipNetns(r, v, depth, env));
      // `ip netns exec NS CMD`: mutating CMD could turn a bounded ping into an endless one.
      if (tokens.includes("exec")) return { tokens, fixed: tokens.length };
      break;
  }
  return { tokens, fixed: 1 };
}

// ------------------------------------------------------------------------------------------ iptables

const TABLE_CHAINS: Record<string, string[]> = {
  filter: ["INPUT", "FORWARD", "OUTPUT"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  raw: ["PREROUTING", "OUTPUT"],
};
const USER_CHAINS = ["FUZZ", "FUZZ-2", "KUBE-SERVICES", "KUBE-SVC-ABCDEF", "DOCKER"];
const BAD_CHAINS = ["x".repeat(29), "-bad", "ACCEPT", "", "in put", "RETURN", "input"];

function iptablesChain(r: Prng, table: string): string {
  return r.weighted<() => string>([
    [5, () => r.pick(TABLE_CHAINS[table] ?? TABLE_CHAINS.filter)],
    [3, () => r.pick(USER_CHAINS)],
    [1, () => r.pick(BAD_CHAINS)],
  ])();
}

function iptablesMatch(r: Prng, v: Vocab): string[] {
  const neg = (t: string[]) => (r.chance(0.1) ? ["!", ...t] : t);
  return r.weighted<() => string[]>([
    [4, () => neg(["-p", r.pick(["tcp", "udp", "icmp", "all", "6", "17", "1", "bogus", "TCP"])])],
    [3, () => neg(["-s", v.cidr()])],
    [3, () => neg(["-d", v.cidr()])],
    [2, () => neg(["-i", r.chance(0.2) ? r.pick(["eth+", "veth+", "+", "v-net-0"]) : v.iface()])],
    [2, () => neg(["-o", r.chance(0.2) ? r.pick(["eth+", "veth+", "+"]) : v.iface()])],
    [3, () => ["-p", "tcp", ...(r.chance(0.5) ? ["-m", "tcp"] : []), r.pick(["--dport", "--sport", "--destination-port"]), r.chance(0.8) ? v.num(1, 65535) : `${v.num(1, 1000)}:${v.num(1000, 65535)}`]],
    [2, () => ["-p", "udp", "--dport", v.num(1, 65535)]],
    [1, () => ["-p", "tcp", r.chance(0.5) ? "--syn" : "--tcp-flags", ...(r.chance(0.5) ? ["SYN,ACK", "SYN"] : [])]],
    [2, () => ["-p", "icmp", "--icmp-type", r.pick(["echo-request", "echo-reply", "8", "0/0", "destination-unreachable", "any", "bogus", "255"])]],
    [3, () => ["-m", "conntrack", "--ctstate", r.pick(["NEW", "ESTABLISHED,RELATED", "INVALID", "DNAT", "SNAT", "bogus", ""])]],
    [1, () => ["-m", "state", "--state", r.pick(["NEW", "ESTABLISHED", "RELATED,ESTABLISHED", "bogus"])]],
    [1, () => ["-p", "tcp", "-m", "multiport", r.pick(["--dports", "--sports", "--ports"]), r.pick(["80,443", "1:1024", "80", "a,b", ""])]],
    [2, () => ["-m", "comment", "--comment", r.pick(["fuzz", "kube svc", "", "x".repeat(300)])]],
    [1, () => ["-m", "mark", "--mark", r.pick(["0x1", "0x1/0xff", "1", "bogus"])]],
    [1, () => ["-m", "addrtype", r.pick(["--dst-type", "--src-type"]), r.pick(["LOCAL", "UNICAST", "BROADCAST", "bogus"])]],
    [1, () => ["-m", "statistic", "--mode", "random", "--probability", r.pick(["0.5", "0.25000000000", "1", "0", "2", "-1", "x"])]],
    [1, () => ["-m", "physdev", r.pick(["--physdev-in", "--physdev-out", "--physdev-is-bridged"]), ...(r.chance(0.7) ? [v.iface()] : [])]],
    [1, () => ["-m", r.pick(["bogus", "limit", "recent", "owner", ""])]],
    [1, () => [v.garbage()]],
  ])();
}

function iptablesTarget(r: Prng, v: Vocab, table: string): string[] {
  const jump = r.chance(0.95) ? "-j" : "-g";
  return r.weighted<() => string[]>([
    [5, () => [jump, "ACCEPT"]],
    [4, () => [jump, "DROP"]],
    [2, () => [jump, "RETURN"]],
    [2, () => [jump, "REJECT", ...(r.chance(0.5) ? ["--reject-with", r.pick(["icmp-port-unreachable", "icmp-host-prohibited", "tcp-reset", "icmp-net-unreachable", "bogus"])] : [])]],
    [2, () => [jump, "LOG", ...(r.chance(0.6) ? ["--log-prefix", r.pick(["FUZZ: ", "", "x".repeat(40)])] : []), ...(r.chance(0.2) ? ["--log-level", r.pick(["4", "info", "9", "bogus"])] : [])]],
    [table === "nat" ? 4 : 1, () => [jump, "MASQUERADE", ...(r.chance(0.2) ? ["--to-ports", r.pick(["1024-2048", "80", "x"])] : []), ...(r.chance(0.1) ? ["--random"] : [])]],
    [table === "nat" ? 4 : 1, () => [jump, "DNAT", ...(r.chance(0.9) ? ["--to-destination", r.pick([v.ip(), `${v.ip()}:${v.num(1, 65535)}`, `${v.ip()}-${v.ip()}`, `${v.ip()}:80-90`, ":80", ""])] : [])]],
    [table === "nat" ? 3 : 1, () => [jump, "SNAT", ...(r.chance(0.9) ? ["--to-source", r.chance(0.8) ? v.ip() : `${v.ip()}:1000-2000`] : [])]],
    [1, () => [jump, "MARK", r.pick(["--set-mark", "--set-xmark"]), r.pick(["0x1", "0x4000/0x4000", "1", "bogus"])]],
    [3, () => [jump, r.pick(USER_CHAINS)]],
    [1, () => [jump, r.pick(["bogus", "", "CT", "accept"])]],
    [1, () => []],
  ])();
}

function ruleSpec(r: Prng, v: Vocab, table: string): string[] {
  const out: string[] = [];
  for (let k = r.weighted([[3, 0], [4, 1], [2, 2], [1, 3]] as const); k > 0; k--) out.push(...iptablesMatch(r, v));
  // Mostly one -p per rule (iptables refuses a second), so that the rule gets as far as the kernel.
  if (r.chance(0.85)) {
    const first = out.indexOf("-p");
    for (let i = out.length - 2; i > first; i--) if (out[i] === "-p" && first >= 0) out.splice(out[i - 1] === "!" ? i - 1 : i, out[i - 1] === "!" ? 3 : 2);
  }
  out.push(...iptablesTarget(r, v, table));
  return out;
}

function iptablesCommand(r: Prng, env: GenEnv): Cmd {
  const v = new Vocab(r, env, env.machine.root);
  const table = r.weighted([[5, "filter"], [4, "nat"], [1, "mangle"], [1, "raw"], [1, "security"], [1, "bogus"]] as const);
  const tokens = [r.chance(0.95) ? "iptables" : r.pick(["iptables-legacy", "iptables-nft", "ip6tables"])];
  const explicitTable = table !== "filter" || r.chance(0.3);
  if (explicitTable) tokens.push(r.chance(0.9) ? "-t" : "--table", table);
  const realTable = TABLE_CHAINS[table] ? table : "filter";
  const chain = () => iptablesChain(r, realTable);
  const op = r.weighted([[8, "A"], [3, "I"], [3, "D"], [1, "R"], [1, "C"], [2, "F"], [2, "X"], [3, "N"], [2, "P"], [4, "L"], [3, "S"], [1, "Z"], [1, "E"], [1, "garbage"]] as const);
  const long: Record<string, string> = { A: "--append", I: "--insert", D: "--delete", F: "--flush", X: "--delete-chain", N: "--new-chain", P: "--policy", L: "--list", S: "--list-rules", Z: "--zero", E: "--rename-chain", R: "--replace", C: "--check" };
  const flag = op !== "garbage" && r.chance(0.1) ? long[op] : `-${op}`;
  switch (op) {
    case "A":
    case "C":
      tokens.push(flag, chain(), ...ruleSpec(r, v, realTable));
      break;
    case "I":
      tokens.push(flag, chain(), ...(r.chance(0.4) ? [v.num(1, 4)] : []), ...ruleSpec(r, v, realTable));
      break;
    case "D":
      tokens.push(flag, chain(), ...(r.chance(0.4) ? [v.num(1, 4)] : ruleSpec(r, v, realTable)));
      break;
    case "R":
      tokens.push(flag, chain(), v.num(1, 4), ...ruleSpec(r, v, realTable));
      break;
    case "F":
    case "X":
    case "Z":
      tokens.push(flag, ...(r.chance(0.6) ? [chain()] : []));
      break;
    case "N":
      tokens.push(flag, r.chance(0.85) ? r.pick(USER_CHAINS) : r.pick(BAD_CHAINS));
      break;
    case "P":
      tokens.push(flag, chain(), r.pick(["ACCEPT", "DROP", "DROP", "RETURN", "bogus", "FUZZ"]));
      break;
    case "L":
      tokens.push(flag, ...(r.chance(0.4) ? [chain()] : []), ...r.pick([[], ["-n"], ["-n", "-v"], ["-nv", "--line-numbers"], ["-v", "-x", "-n"], ["--line-numbers"]]));
      break;
    case "S":
      tokens.push(flag, ...(r.chance(0.5) ? [chain()] : []), ...(r.chance(0.1) ? [v.num(1, 3)] : []), ...(r.chance(0.1) ? ["-v"] : []));
      break;
    case "E":
      tokens.push(flag, r.pick(USER_CHAINS), r.chance(0.8) ? r.pick(USER_CHAINS) : r.pick(BAD_CHAINS));
      break;
    default:
      tokens.push(...r.pick([[], ["-A"], ["-t"], ["-j", "ACCEPT"], ["-L", "-t", "nat"], ["--version"], ["-h"], [v.garbage(), v.garbage()], ["-A", "INPUT", "-A", "OUTPUT"]]));
  }
  return { tokens, fixed: 1 };
}

// ------------------------------------------------------------------------------------------ ping

function pingCommand(r: Prng, env: GenEnv): Cmd {
  const v = new Vocab(r, env, env.machine.root);
  const count = r.weighted([[12, "1"], [1, "2"], [1, "0"], [1, "-1"], [1, "x"]] as const);
  // A bad -c makes ping refuse to start (so it still cannot run forever).
  const tokens = ["ping", "-c", count, "-W", r.chance(0.95) ? "1" : r.pick(["0.5", "2"])];
  const fixed = tokens.length;
  if (r.chance(0.15)) tokens.push("-I", r.chance(0.6) ? v.iface() : v.ip());
  if (r.chance(0.05)) tokens.push("-q");
  if (r.chance(0.05)) tokens.push("-n");
  if (r.chance(0.05)) tokens.push("-s", v.num(0, 2000));
  if (r.chance(0.05)) tokens.push("-t", v.num(1, 255));
  if (r.chance(0.03)) tokens.push("-i", r.pick(["0.2", "1", "0"]));
  if (r.chance(0.03)) tokens.push(v.garbage());
  tokens.push(r.chance(0.9) ? v.ip() : r.pick(["example.com", "lan-host", "localhost", "", "google.com", "8.8.8"]));
  return { tokens, fixed };
}

// ------------------------------------------------------------------------------------------ mix

function mutate(r: Prng, cmd: Cmd, v: Vocab): string[] {
  const t = [...cmd.tokens];
  for (let k = r.int(1, 2); k > 0; k--) {
    if (t.length <= cmd.fixed) {
      t.push(v.garbage());
      continue;
    }
    const i = r.int(cmd.fixed, t.length - 1);
    switch (r.int(0, 5)) {
      case 0: // drop a token (a missing value)
        t.splice(i, 1);
        break;
      case 1: // duplicate one
        t.splice(i, 0, t[i]);
        break;
      case 2: // swap with the next
        if (i + 1 < t.length) [t[i], t[i + 1]] = [t[i + 1], t[i]];
        break;
      case 3: // replace with garbage
        t[i] = v.garbage();
        break;
      case 4: // truncate
        t.length = i;
        break;
      default: // insert garbage
        t.splice(i, 0, v.garbage());
    }
  }
  return t;
}

function genTokens(r: Prng, env: GenEnv, depth: number, allowMutation: boolean): string[] {
  const kind = r.weighted([[58, "ip"], [27, "iptables"], [15, "ping"]] as const);
  const cmd = kind === "ip" ? ipCommand(r, env, depth) : kind === "iptables" ? iptablesCommand(r, env) : pingCommand(r, env);
  if (allowMutation && r.chance(0.3)) return mutate(r, cmd, new Vocab(r, env, env.machine.root));
  return cmd.tokens;
}

/** Lines the shell itself must survive: unbalanced quotes, empty arguments, odd whitespace. */
const RAW_LINES = [
  "ip", "ip ''", "ip \"\"", "iptables", "ping", "ping -c 1 -W 1", "ip link add \"x", "ip 'a b' link", "iptables -A 'INPUT' -j",
  "ip -n", "ip -n ''", "ip link set", "ip addr add", "ip route add", "ip neigh add", "ip netns exec", "ip netns add ''",
  "iptables -t", "iptables -t nat", "iptables -A INPUT -p", "ip route add default via", "ip link set dev", "ip -4 -4 -4 a",
  "ip\tlink", "ip   addr   show", "ip link show dev lo dev lo", "ip addr add 10.0.0.1/24 dev lo label lo:x",
  "ip link add link eth0 name fzv type vlan id 5", "iptables -N", "iptables -X ''", "ip route add 10.9.0.0/24 dev",
];

/** One random command line to type at `env.machine`'s prompt. */
export function randomCommandLine(r: Prng, env: GenEnv): string {
  if (r.chance(0.02)) return r.pick(RAW_LINES);
  return genTokens(r, env, 0, true).map(shellQuote).join(" ");
}

/** An address a never-ending `ping` can chase (for the Ctrl+C test): mostly nowhere. */
export function randomPingTarget(r: Prng, env: GenEnv): string {
  return r.chance(0.7) ? `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}` : new Vocab(r, env, env.machine.root).ip();
}
