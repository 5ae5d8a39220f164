// `ip link`: show, add (veth, bridge, dummy, vxlan), delete and set, parsed the way iproute2 6.1's
// iplink_parse() does (keyword abbreviations included: `ip link add a type veth` reads `a` as
// `address`), applied in the kernel's do_setlink order (netns, address, mtu, name, flags, master).
import type { LinkKind, NetInterface } from "../../../net/interface";
import type { NetNamespace } from "../../../net/namespace";
import { KernelError } from "../../../net/errors";
import { parseIPv4 } from "../../../net/ip";
import { Argv, IpExit, type IpCtx, changed, die, duparg, duparg2, invarg, kernel, matches, needDev, onOff, parseLladdr, parseUint, print, validIfname, kernelIfnameError, warn } from "./args";
import { USAGE_LINK, USAGE_VXLAN, USAGE_BRIDGE_OPTS } from "./help";
import { briefLink, linkBlock, promiscFlag } from "./link-format";
import { showDevices } from "./addr";

interface LinkReq {
  dev?: string;
  name?: string;
  up?: boolean;
  mtu?: number;
  address?: string;
  netns?: string;
  promisc?: boolean;
  master?: string | null;
  alias?: string;
  type?: string;
  /** Index of the first argument after `type KIND`. */
  typeArgs: string[];
  link?: string;
}

/** iproute2 iplink_parse(): returns the request; `type` stops parsing (the rest belongs to the kind). */
function parseLink(argv: string[], c: IpCtx): LinkReq {
  const a = new Argv(argv);
  const r: LinkReq = { typeArgs: [] };
  let devFromName = false;
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === "up") r.up = true;
    else if (w === "down") r.up = false;
    else if (w === "name") {
      const v = a.next();
      if (r.name) duparg("name", v);
      if (!validIfname(v)) invarg(`"name" not a valid ifname`, v);
      r.name = v;
      if (r.dev === undefined) {
        r.dev = v;
        devFromName = true;
      }
    } else if (w === "index") {
      const v = a.next();
      if (parseUint(v) === undefined) invarg(`Invalid "index" value\n`, v);
    } else if (matches(w, "link")) r.link = a.next();
    else if (matches(w, "address")) {
      const v = a.next();
      const mac = parseLladdr(v);
      if (!mac) die(`"${v}" is invalid lladdr.`, 1);
      r.address = mac;
    } else if (matches(w, "broadcast") || w === "brd") {
      const v = a.next();
      if (!parseLladdr(v)) die(`"${v}" is invalid lladdr.`, 1);
    } else if (matches(w, "txqueuelen") || w === "qlen" || matches(w, "txqlen")) {
      const v = a.next();
      if (parseUint(v) === undefined) invarg(`Invalid "txqueuelen" value\n`, v);
    } else if (w === "mtu") {
      const v = a.next();
      if (r.mtu !== undefined) duparg("mtu", v);
      const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n)) invarg(`Invalid "mtu" value\n`, v);
      r.mtu = n;
    } else if (w === "netns") {
      const v = a.next();
      if (r.netns !== undefined) duparg("netns", v);
      if (!c.ns.machine.netns(v) && !/^-?\d+$/.test(v)) invarg(`Invalid "netns" value\n`, v);
      r.netns = v;
    } else if (["multicast", "allmulticast", "trailers", "arp", "carrier", "dynamic"].includes(w)) onOff(w, a.next());
    else if (w === "promisc") r.promisc = onOff("promisc", a.next());
    else if (matches(w, "master")) {
      const v = a.next();
      if (!c.ns.byName(v)) invarg("Device does not exist\n", v);
      r.master = v;
    } else if (w === "vrf") {
      invarg("Not a valid VRF name\n", a.next());
    } else if (matches(w, "nomaster")) r.master = null;
    else if (matches(w, "dynamic")) onOff("dynamic", a.next());
    else if (matches(w, "type")) {
      r.type = a.next();
      r.typeArgs = a.a.slice(a.i + 1);
      break;
    } else if (matches(w, "alias")) r.alias = a.next();
    else if (["group", "mode", "state", "numtxqueues", "numrxqueues", "addrgenmode", "link-netns", "link-netnsid", "protodown", "gso_max_size", "gso_max_segs", "gro_max_size", "parentdev"].includes(w)) a.next();
    else {
      if (matches(w, "help")) die(USAGE_LINK);
      let v = w;
      if (w === "dev") v = a.next();
      if (r.dev !== undefined && !devFromName) duparg2("dev", v);
      if (v === "" || v.length >= 128 || /[/\s]/.test(v)) invarg(`"dev" not a valid ifname`, v);
      r.dev = v;
      devFromName = false;
    }
  }
  return r;
}

/** Resolves a `netns NAME|PID` value (PID 1 is init, in the machine's initial namespace). */
function targetNs(c: IpCtx, v: string): NetNamespace {
  const byName = c.ns.machine.netns(v);
  if (byName) return byName;
  if (v === "1") return c.ns.machine.root;
  return die("RTNETLINK answers: No such process", 2);
}

const KNOWN_KINDS: Record<string, LinkKind> = { veth: "veth", bridge: "bridge", dummy: "dummy", vxlan: "vxlan" };

function linkAdd(c: IpCtx, argv: string[]): void {
  const r = parseLink(argv, c);
  if (r.link !== undefined && !c.ns.byName(r.link)) die(`Cannot find device "${r.link}"`, 1);
  if (!r.type) die(`Not enough information: "type" argument is required`, 1);
  const kind = KNOWN_KINDS[r.type!];
  let peer: LinkReq | undefined;
  let vx: NetInterface["vxlan"];
  if (kind === "veth" && r.typeArgs.length) {
    if (r.typeArgs[0] !== "peer") {
      c.out.push("Usage: ip link <options> type veth [peer <options>]\nTo get <options> type 'ip link add help'\n");
      throw new IpExit(1, "");
    }
    peer = parseLink(r.typeArgs.slice(1), c);
    if (peer.type) duparg("type", peer.type);
  } else if (kind === "bridge" && r.typeArgs.length) {
    parseBridgeOpts(r.typeArgs);
  } else if (kind === "vxlan" && r.typeArgs.length) {
    vx = parseVxlan(c, r.typeArgs);
  } else if (!kind && r.typeArgs.length) {
    if (matches(r.typeArgs[0], "help")) die(USAGE_LINK);
    die(`Garbage instead of arguments "${r.typeArgs[0]} ...". Try "ip link help".`, 1);
  }
  if (r.link && !c.ns.byName(r.link)) die(`Cannot find device "${r.link}"`, 1);
  if (!kind) die("Error: Unknown device type.", 2);
  if (kind === "vxlan" && !vx) die("Error: Required attributes not provided to perform the operation.", 2);
  const name = r.dev;
  const badName = name !== undefined ? kernelIfnameError(name) : undefined;
  if (badName) die(badName, 2);
  if (r.mtu !== undefined && (r.mtu < 68 || r.mtu > 65535)) die(r.mtu < 68 ? "Error: mtu less than device minimum." : "Error: mtu greater than device maximum.", 2);
  const targetNamespace = r.netns !== undefined ? targetNs(c, r.netns) : c.ns;
  if (name && targetNamespace.byName(name)) die("RTNETLINK answers: File exists", 2);
  if (r.master && c.ns.byName(r.master)?.kind !== "bridge") die("RTNETLINK answers: Operation not supported", 2);
  kernel(() => {
    let dev: NetInterface;
    if (kind === "veth") {
      const peerNs = peer?.netns !== undefined ? targetNs(c, peer.netns) : targetNamespace;
      const peerName = peer?.dev ?? autoName(peerNs, "veth");
      if (!validIfname(peerName)) die(`Error: argument "${peerName}" is wrong: "name" not a valid ifname`, 255);
      const devName = name ?? autoName(targetNamespace, "veth", peerNs === targetNamespace ? [peerName] : []);
      [dev] = targetNamespace.createVethPair(devName, peerName, peerNs);
      const p = dev.peer!;
      if (peer?.address) p.mac = peer.address;
      if (peer?.mtu !== undefined) p.mtu = peer.mtu;
      if (peer?.up) peerNs.setAdminState(p, true);
      if (peerNs !== targetNamespace) {
        targetNamespace.nsidOf(peerNs);
        peerNs.nsidOf(targetNamespace);
      }
    } else {
      const base = kind === "bridge" ? "bridge" : kind === "dummy" ? "dummy" : "vxlan";
      dev = targetNamespace.createInterface(kind, name ?? autoName(targetNamespace, base));
      if (kind === "vxlan") dev.vxlan = vx;
      if (kind === "bridge" && r.address) dev.macFixed = true;
    }
    if (r.address) dev.mac = r.address;
    if (r.mtu !== undefined) dev.mtu = r.mtu;
    if (r.alias !== undefined) dev.alias = r.alias;
    if (r.master) targetNamespace.setMaster(dev, c.ns.byName(r.master));
    if (r.up) targetNamespace.setAdminState(dev, true);
    changed(targetNamespace);
  });
}

/** The kernel's "%d" names: the lowest free vethN, bridgeN… */
function autoName(ns: NetNamespace, base: string, taken: string[] = []): string {
  for (let n = 0; ; n++) if (!ns.byName(`${base}${n}`) && !taken.includes(`${base}${n}`)) return `${base}${n}`;
}

const BRIDGE_KEYS = new Set([
  "fdb_flush", "forward_delay", "hello_time", "max_age", "ageing_time", "stp_state", "priority", "group_fwd_mask", "group_address",
  "no_linklocal_learn", "vlan_filtering", "vlan_protocol", "vlan_default_pvid", "vlan_stats_enabled", "vlan_stats_per_port",
  "mcast_snooping", "mcast_vlan_snooping", "mcast_router", "mcast_query_use_ifaddr", "mcast_querier", "mcast_hash_elasticity",
  "mcast_hash_max", "mcast_last_member_count", "mcast_startup_query_count", "mcast_last_member_interval", "mcast_membership_interval",
  "mcast_querier_interval", "mcast_query_interval", "mcast_query_response_interval", "mcast_startup_query_interval",
  "mcast_stats_enabled", "mcast_igmp_version", "mcast_mld_version", "nf_call_iptables", "nf_call_ip6tables", "nf_call_arptables",
]);

/** Bridge options are accepted (and not modelled: no STP, no VLAN filtering in the simulator). */
function parseBridgeOpts(args: string[]): void {
  const a = new Argv(args);
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === "fdb_flush") continue;
    if (BRIDGE_KEYS.has(w)) {
      a.next();
      continue;
    }
    if (matches(w, "help")) die(USAGE_BRIDGE_OPTS);
    die(`bridge: unknown command "${w}"?\n${USAGE_BRIDGE_OPTS}`, 1);
  }
}

function parseVxlan(c: IpCtx, args: string[]): NetInterface["vxlan"] {
  const a = new Argv(args);
  let id: number | undefined;
  let dstport: number | undefined;
  const v: { remote?: number; local?: number; dev?: string } = {};
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === "id" || w === "vni") {
      const x = a.next();
      const n = parseUint(x, 16777215);
      if (n === undefined) invarg("invalid id", x);
      id = n;
    } else if (w === "remote" || w === "group") {
      const x = a.next();
      const ip = parseIPv4(x);
      if (ip === undefined) die(`Error: inet address is expected rather than "${x}".`, 1);
      v.remote = ip;
    } else if (w === "local") {
      const x = a.next();
      const ip = x === "any" ? undefined : parseIPv4(x);
      if (x !== "any" && ip === undefined) die(`Error: inet address is expected rather than "${x}".`, 1);
      v.local = ip;
    } else if (w === "dev") {
      const x = a.next();
      if (!c.ns.byName(x)) die(`Cannot find device "${x}"`, 1);
      v.dev = x;
    } else if (w === "dstport") {
      const x = a.next();
      const n = parseUint(x, 65535);
      if (n === undefined) invarg("dstport", x);
      dstport = n;
    } else if (["ttl", "hoplimit", "tos", "dsfield", "df", "flowlabel", "ageing", "maxaddress", "label"].includes(w)) a.next();
    else if (w === "srcport") {
      a.next();
      a.next();
    } else if (/^(no)?(learning|proxy|rsc|l2miss|l3miss|udpcsum|udp6zerocsumtx|udp6zerocsumrx|remcsumtx|remcsumrx|external|vnifilter)$/.test(w) || w === "gbp" || w === "gpe") {
      // accepted, not modelled
    } else if (matches(w, "help")) die(USAGE_VXLAN);
    else die(`vxlan: unknown command "${w}"?\n${USAGE_VXLAN}`, 1);
  }
  if (id === undefined) die("vxlan: missing virtual network identifier", 1);
  if (dstport === undefined) {
    warn(c, "vxlan: destination port not specified\nWill use Linux kernel default (non-standard value)\nUse 'dstport 4789' to get the IANA assigned value\nUse 'dstport 0' to get default and quiet this message");
  }
  return { id: id!, ...v, dstport: dstport || 8472 };
}

function linkDel(c: IpCtx, argv: string[]): void {
  const r = parseLink(argv, c);
  if (!r.dev) die(`Not enough information: "dev" argument is required.`);
  const dev = needDev(c.ns, r.dev!);
  if (dev.kind === "loopback" || dev.kind === "ether") die("RTNETLINK answers: Operation not supported", 2);
  kernel(() => c.ns.deleteInterface(dev));
}

function linkSet(c: IpCtx, argv: string[]): void {
  const r = parseLink(argv, c);
  if (!r.dev) die(`Not enough information: "dev" argument is required.`);
  const dev = needDev(c.ns, r.dev!);
  let ns = c.ns;
  const master = r.master === undefined ? undefined : r.master === null ? null : c.ns.byName(r.master)!;
  kernel(() => {
    if (r.netns !== undefined) {
      const target = targetNs(c, r.netns);
      if (dev.kind === "loopback" || dev.kind === "bridge") throw new KernelError("EINVAL", "The interface netns is immutable.");
      ns.moveInterface(dev, target);
      ns = target;
    }
    if (r.address !== undefined) {
      if (parseInt(r.address.slice(0, 2), 16) & 1) throw new KernelError("EADDRNOTAVAIL");
      dev.mac = r.address;
      if (dev.kind === "bridge") dev.macFixed = true;
      changed(ns);
    }
    if (r.mtu !== undefined) {
      const min = dev.kind === "loopback" ? 0 : 68;
      const max = dev.kind === "loopback" ? 2147483647 : 65535;
      if (r.mtu < min) throw new KernelError("EINVAL", "mtu less than device minimum.");
      if (r.mtu > max) throw new KernelError("EINVAL", "mtu greater than device maximum.");
      dev.mtu = r.mtu;
      changed(ns);
    }
    if (r.name !== undefined && r.name !== dev.name) ns.rename(dev, r.name);
    if (r.alias !== undefined) {
      dev.alias = r.alias === "" ? undefined : r.alias;
      changed(ns);
    }
    if (r.promisc !== undefined && r.promisc !== promiscFlag.has(dev)) {
      if (r.promisc) promiscFlag.add(dev);
      else promiscFlag.delete(dev);
      dev.promiscuity = Math.max(0, dev.promiscuity + (r.promisc ? 1 : -1));
      changed(ns);
    }
    if (r.up !== undefined) ns.setAdminState(dev, r.up);
    if (master !== undefined) {
      if (master === null) {
        if (dev.master) ns.setMaster(dev, undefined);
      } else if (dev.master !== master) {
        if (dev.kind === "bridge") throw new KernelError("ELOOP" as never, "Can not enslave a bridge to a bridge.");
        if (master.kind !== "bridge") throw new KernelError("EOPNOTSUPP");
        if (dev.kind === "loopback") throw new KernelError("EINVAL");
        if (master.ns !== ns) throw new KernelError("ENODEV");
        ns.setMaster(dev, master);
      }
    }
  });
}

export function doLink(c: IpCtx, argv: string[]): number {
  if (argv.length === 0) return showLinks(c, []);
  const [cmd, ...rest] = argv;
  if (matches(cmd, "add")) linkAdd(c, rest);
  else if (cmd === "change" || cmd === "replace") linkSet(c, rest);
  else if (matches(cmd, "set")) linkSet(c, rest);
  else if (matches(cmd, "delete")) linkDel(c, rest);
  else if (matches(cmd, "show") || matches(cmd, "lst") || matches(cmd, "list")) return showLinks(c, rest);
  else if (matches(cmd, "help")) die(USAGE_LINK);
  else if (matches(cmd, "xstats")) die("xstats: missing argument", 1);
  else die(`Command "${cmd}" is unknown, try "ip link help".`);
  return 0;
}

function showLinks(c: IpCtx, argv: string[]): number {
  const devs = showDevices(c, argv, "link");
  for (const d of devs) {
    if (c.opts.brief) print(c, briefLink(c, d) + "\n");
    else {
      const lines = linkBlock(c, d, "link");
      print(c, c.opts.oneline ? lines.join("\\") + "\n" : lines.join("\n") + "\n");
    }
  }
  return 0;
}
