// ifconfig (net-tools 2.10): interfaces in name order with their SIOCGIFFLAGS flags, the address whose
// label is the interface name (aliases such as eth0:1 are entries of their own), MAC, MTU and counters;
// and the classic setters (address with a classful default mask, netmask, broadcast, mtu, up/down,
// promisc, hw ether, name, del) with the ioctl error texts. IPv4 only, as the rest of the simulator.
import type { Tool, ToolContext, ToolResult } from "../../tool";
import type { IfAddress, NetInterface } from "../../../net/interface";
import type { NetNamespace } from "../../../net/namespace";
import { KernelError, STRERROR } from "../../../net/errors";
import { broadcastOf, formatIPv4, maskDotted } from "../../../net/ip";
import { promiscFlag } from "../ip/link-format";
import { IFCONFIG_USAGE_ALL_ERR, IFCONFIG_USAGE_ERR, IFCONFIG_USAGE_OUT } from "./usage";
import { netResolve, nstrcmp, ToolExit } from "./common";
import { parseEther } from "./arp";

const IFF = { UP: 0x1, BROADCAST: 0x2, DEBUG: 0x4, LOOPBACK: 0x8, POINTOPOINT: 0x10, NOTRAILERS: 0x20, RUNNING: 0x40, NOARP: 0x80, PROMISC: 0x100, ALLMULTI: 0x200, MASTER: 0x400, SLAVE: 0x800, MULTICAST: 0x1000 };
const FLAG_NAMES: [number, string][] = Object.entries(IFF).map(([k, v]) => [v, k]);

export const ifconfigTool: Tool = {
  name: "ifconfig",
  run: (ctx) => ifconfig(ctx),
};

/** The 16-bit flags SIOCGIFFLAGS reports. */
export function ifFlags(i: NetInterface): number {
  let f = 0;
  if (i.adminUp) f |= IFF.UP;
  if (i.kind === "loopback") f |= IFF.LOOPBACK;
  else {
    f |= IFF.BROADCAST;
    if (i.kind === "dummy") f |= IFF.NOARP;
    else f |= IFF.MULTICAST;
  }
  const oper = i.operState;
  if (i.adminUp && (oper === "UP" || oper === "UNKNOWN")) f |= IFF.RUNNING;
  if (promiscFlag.has(i)) f |= IFF.PROMISC;
  return f;
}

function flagText(f: number): string {
  return `flags=${f}<${FLAG_NAMES.filter(([b]) => f & b).map(([, n]) => n).join(",")}>`;
}

/** net-tools' "(39.0 MiB)": tenths, truncated, in binary units. */
export function scaled(bytes: number): string {
  const units: [number, string][] = [
    [1125899906842624, "PiB"],
    [1099511627776, "TiB"],
    [1073741824, "GiB"],
    [1048576, "MiB"],
    [1024, "KiB"],
  ];
  let tenths = bytes * 10;
  let unit = "B";
  for (const [div, name] of units) {
    if (bytes > div) {
      tenths = Math.floor((bytes * 10) / div);
      unit = name;
      break;
    }
  }
  return `${Math.floor(tenths / 10)}.${tenths % 10} ${unit}`;
}

interface Entry {
  name: string;
  dev: NetInterface;
  addr?: IfAddress;
  alias: boolean;
}

/** Every interface, plus one entry per alias label, in nstrcmp order. */
function entries(ns: NetNamespace): Entry[] {
  const out: Entry[] = [];
  for (const dev of ns.list()) {
    out.push({ name: dev.name, dev, addr: dev.addresses.find((a) => a.label === dev.name), alias: false });
    const seen = new Set<string>();
    for (const a of dev.addresses) {
      if (a.label === dev.name || seen.has(a.label)) continue;
      seen.add(a.label);
      out.push({ name: a.label, dev, addr: a, alias: true });
    }
  }
  return out.sort((a, b) => nstrcmp(a.name, b.name));
}

export function formatEntry(e: Entry): string {
  const d = e.dev;
  const f = ifFlags(d);
  let s = `${e.name}: ${flagText(f)}  mtu ${d.mtu}\n`;
  if (e.addr) {
    s += `        inet ${formatIPv4(e.addr.addr)}  netmask ${maskDotted(e.addr.prefixLen)}`;
    if (f & IFF.BROADCAST) s += `  broadcast ${formatIPv4(e.addr.broadcast ?? 0)}`;
    s += "\n";
  }
  s += d.kind === "loopback" ? "        loop  txqueuelen 1000  (Local Loopback)\n" : `        ether ${d.mac}  txqueuelen 1000  (Ethernet)\n`;
  if (!e.alias) {
    const st = d.stats;
    s += `        RX packets ${st.rxPackets}  bytes ${st.rxBytes} (${scaled(st.rxBytes)})\n`;
    s += `        RX errors ${st.rxErrors}  dropped ${st.rxDropped}  overruns 0  frame 0\n`;
    s += `        TX packets ${st.txPackets}  bytes ${st.txBytes} (${scaled(st.txBytes)})\n`;
    s += `        TX errors ${st.txErrors}  dropped ${st.txDropped} overruns 0  carrier 0  collisions 0\n`;
  }
  return s + "\n";
}

function shortFlags(f: number): string {
  let s = "";
  if (f === 0) s += "[NO FLAGS]";
  if (f & IFF.ALLMULTI) s += "A";
  if (f & IFF.BROADCAST) s += "B";
  if (f & IFF.DEBUG) s += "D";
  if (f & IFF.LOOPBACK) s += "L";
  if (f & IFF.MULTICAST) s += "M";
  if (f & IFF.PROMISC) s += "P";
  if (f & IFF.NOTRAILERS) s += "N";
  if (f & IFF.NOARP) s += "O";
  if (f & IFF.POINTOPOINT) s += "P";
  if (f & IFF.RUNNING) s += "R";
  if (f & IFF.UP) s += "U";
  return s;
}

function formatShort(d: NetInterface): string {
  const st = d.stats;
  const n = (v: number, w: number) => String(v).padStart(w);
  return `${d.name.padEnd(15)} ${n(d.mtu, 5)} ${n(st.rxPackets, 8)} ${n(st.rxErrors, 6)} ${n(st.rxDropped, 6)} ${"0".padEnd(6)} ${n(st.txPackets, 8)} ${n(st.txErrors, 6)} ${n(st.txDropped, 6)} ${n(0, 6)} ${shortFlags(ifFlags(d))}\n`;
}

const SHORT_HEAD = "Iface      MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n";

async function ifconfig(ctx: ToolContext): Promise<ToolResult> {
  const argv = [...ctx.args];
  let all = false;
  let short = false;
  while (argv.length && argv[0].startsWith("-")) {
    const a = argv[0];
    if (a === "-a") all = true;
    else if (a === "-s") short = true;
    else if (a === "-v") {
      /* verbose: same output here */
    } else if (a === "--help" || a === "-h" || a === "-?") return { stdout: IFCONFIG_USAGE_OUT, stderr: IFCONFIG_USAGE_ERR, exitCode: 0 };
    else if (a === "-V" || a === "--version") return { stdout: "net-tools 2.10\n", stderr: "", exitCode: 0 };
    else return { stdout: "", stderr: `ifconfig: option \`${a}' not recognised.\nifconfig: \`--help' gives usage information.\n`, exitCode: 1 };
    argv.shift();
  }
  const ns = ctx.ns;
  if (argv.length === 0) {
    const list = entries(ns).filter((e) => all || e.dev.adminUp);
    if (short) return { stdout: SHORT_HEAD + list.filter((e) => !e.alias).map((e) => formatShort(e.dev)).join(""), stderr: "", exitCode: 0 };
    return { stdout: list.map(formatEntry).join(""), stderr: "", exitCode: 0 };
  }
  const name = argv.shift()!;
  if (argv.length === 0) {
    const e = entries(ns).find((x) => x.name === name);
    if (!e) return { stdout: "", stderr: `${name}: error fetching interface information: Device not found\n`, exitCode: 1 };
    if (short) return { stdout: SHORT_HEAD + formatShort(e.dev), stderr: "", exitCode: 0 };
    return { stdout: formatEntry(e), stderr: "", exitCode: 0 };
  }
  return set(ctx, name, argv);
}

/** Natural mask of an address class (inet_abc_len): A /8, B /16, C /24, else /32. */
function classfulLen(addr: number): number {
  if (addr === 0) return 0;
  const top = addr >>> 24;
  if (top < 128) return 8;
  if (top < 192) return 16;
  if (top < 224) return 24;
  return 32;
}

async function set(ctx: ToolContext, name: string, argv: string[]): Promise<ToolResult> {
  const ns = ctx.ns;
  const base = name.split(":")[0];
  const dev = ns.byName(base);
  let err = "";
  let goterr = 0;
  const usage = () => new ToolExit(3, IFCONFIG_USAGE_ALL_ERR);
  const flagsErr = () => {
    err += `${name}: ERROR while getting interface flags: No such device\n`;
    goterr = -1;
  };
  const ioctlErr = (call: string, errno: keyof typeof STRERROR) => {
    err += `${call}: ${STRERROR[errno]}\n`;
    goterr |= 1;
  };
  /** The address SIOCSIF* ioctls act on: the first one labelled exactly `name`. */
  const labelled = () => dev?.addresses.find((a) => a.label === name);
  const kernel = (call: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof KernelError) ioctlErr(call, e.errno);
      else throw e;
    }
  };
  const changed = () => ctx.sim.changed(ns);

  for (let i = 0; i < argv.length; i++) {
    const w = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw usage();
      return argv[++i];
    };
    switch (w) {
      case "up":
      case "down":
        if (!dev) flagsErr();
        else ns.setAdminState(dev, w === "up");
        continue;
      case "promisc":
      case "-promisc":
        if (!dev) flagsErr();
        else if ((w === "promisc") !== promiscFlag.has(dev)) {
          if (w === "promisc") promiscFlag.add(dev);
          else promiscFlag.delete(dev);
          dev.promiscuity = Math.max(0, dev.promiscuity + (w === "promisc" ? 1 : -1));
          changed();
        }
        continue;
      case "arp":
      case "-arp":
      case "allmulti":
      case "-allmulti":
      case "multicast":
      case "trailers":
      case "-trailers":
      case "dynamic":
      case "-dynamic":
        if (!dev) flagsErr();
        continue;
      case "-broadcast":
        if (!dev) flagsErr();
        else err += `Warning: Interface ${name} still in BROADCAST mode.\n`;
        continue;
      case "mtu": {
        const v = next();
        const n = /^\s*[+-]?\d+/.exec(v) ? parseInt(v, 10) : 0;
        if (!dev) ioctlErr("SIOCSIFMTU", "ENODEV");
        else if (n < (dev.kind === "loopback" ? 0 : 68) || n > (dev.kind === "loopback" ? 2147483647 : 65535)) ioctlErr("SIOCSIFMTU", "EINVAL");
        else {
          dev.mtu = n;
          changed();
        }
        continue;
      }
      case "txqueuelen":
      case "metric":
      case "mem_start":
      case "io_addr":
      case "irq":
      case "media":
      case "outfill":
      case "keepalive":
        next();
        continue;
      case "netmask": {
        const v = next();
        const m = await netResolve(ctx, v);
        if (m === undefined) throw new ToolExit(1, `${v}: Unknown host\n`);
        const inv = ~m >>> 0;
        const a = labelled();
        if (!dev) ioctlErr("SIOCSIFNETMASK", "ENODEV");
        else if ((inv & (inv + 1)) >>> 0 !== 0) ioctlErr("SIOCSIFNETMASK", "EINVAL");
        else if (!a) ioctlErr("SIOCSIFNETMASK", "EADDRNOTAVAIL");
        else kernel("SIOCSIFNETMASK", () => setMask(ns, dev, a, 32 - Math.log2(inv + 1)));
        continue;
      }
      case "broadcast": {
        const v = next();
        const b = await netResolve(ctx, v);
        if (b === undefined) throw new ToolExit(1, `${v}: Unknown host\n`);
        const a = labelled();
        if (!dev) ioctlErr("SIOCSIFBRDADDR", "ENODEV");
        else if (!a) ioctlErr("SIOCSIFBRDADDR", "EADDRNOTAVAIL");
        else {
          a.broadcast = b;
          ns.refreshKernelRoutes();
          changed();
        }
        continue;
      }
      case "hw": {
        const type = next();
        const mac = next();
        if (type !== "ether") throw new ToolExit(1, `hw: unknown hardware type '${type}'\n`);
        const parsed = parseEther(mac);
        if (!parsed) throw new ToolExit(1, `${mac}: invalid ether address.\n`);
        if (!dev) ioctlErr("SIOCSIFHWADDR", "ENODEV");
        else {
          dev.mac = parsed;
          if (dev.kind === "bridge") dev.macFixed = true;
          changed();
        }
        continue;
      }
      case "name": {
        const v = next();
        if (!dev) ioctlErr("SIOCSIFNAME", "ENODEV");
        else kernel("SIOCSIFNAME", () => ns.rename(dev, v));
        continue;
      }
      case "del": {
        const v = next();
        const [addrText, lenText] = v.split("/");
        const addr = await netResolve(ctx, addrText);
        if (addr === undefined) throw new ToolExit(1, `${addrText}: Unknown host\nifconfig: \`--help' gives usage information.\n`);
        if (!dev) ioctlErr("SIOCDIFADDR", "ENODEV");
        else {
          const a = dev.addresses.find((x) => x.addr === addr && (lenText === undefined || x.prefixLen === Number(lenText)));
          if (!a) ioctlErr("SIOCDIFADDR", "EADDRNOTAVAIL");
          else kernel("SIOCDIFADDR", () => ns.deleteAddress(dev, a.addr, a.prefixLen));
        }
        continue;
      }
      case "inet":
        continue;
      default: {
        // An address, optionally with /prefix; then the interface is brought up.
        const [addrText, lenText] = w.split("/");
        const addr = await netResolve(ctx, addrText);
        if (addr === undefined) throw new ToolExit(1, `${addrText}: Unknown host\nifconfig: \`--help' gives usage information.\n`);
        if (!dev) {
          ioctlErr("SIOCSIFADDR", "ENODEV");
          flagsErr();
          continue;
        }
        kernel("SIOCSIFADDR", () => setAddress(ns, dev, name, addr));
        if (lenText !== undefined) {
          const n = Number(lenText);
          const len = Number.isInteger(n) && n >= 0 ? (n > 32 ? n % 32 : n) : 32;
          const a = labelled();
          if (a) kernel("SIOCSIFNETMASK", () => setMask(ns, dev, a, len));
        }
        if (addr !== 0) ns.setAdminState(dev, true);
        continue;
      }
    }
  }
  return { stdout: "", stderr: err, exitCode: goterr < 0 ? 255 : goterr };
}

/** SIOCSIFADDR: replace the address labelled `label` (classful mask, derived broadcast); 0.0.0.0 removes it. */
function setAddress(ns: NetNamespace, dev: NetInterface, label: string, addr: number): void {
  const old = dev.addresses.find((a) => a.label === label);
  if (old && old.addr === addr) return;
  if (old) ns.deleteAddress(dev, old.addr, old.prefixLen);
  if (addr === 0) return;
  const len = classfulLen(addr);
  const brd = dev.kind !== "loopback" && len < 31 ? broadcastOf(addr, len) : undefined;
  ns.addAddress(dev, addr, len, { broadcast: brd, label });
}

/** SIOCSIFNETMASK: a new prefix; the broadcast follows when it was the derived one. */
function setMask(ns: NetNamespace, dev: NetInterface, a: IfAddress, len: number): void {
  if (a.prefixLen === len) return;
  const oldDerived = a.broadcast === undefined ? false : a.broadcast === broadcastOf(a.addr, a.prefixLen);
  const brd = oldDerived && dev.kind !== "loopback" && len < 31 ? broadcastOf(a.addr, len) : a.broadcast;
  ns.deleteAddress(dev, a.addr, a.prefixLen);
  ns.addAddress(dev, a.addr, len, { broadcast: brd, label: a.label, scope: a.scope });
}
