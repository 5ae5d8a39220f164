// How `ip link` / `ip addr` print a device: the header line, the link/ether line, -s statistics,
// -d details and the -br brief line, in iproute2 6.1's exact layout.
import type { NetInterface } from "../../../net/interface";
import type { NetNamespace } from "../../../net/namespace";
import type { IpCtx } from "./args";

/** `ip link set X promisc on` is a user flag (IFF_PROMISC) apart from the promiscuity counter. */
export const promiscFlag = new WeakSet<NetInterface>();

export function linkFlags(i: NetInterface, ns: NetNamespace): string[] {
  const f: string[] = [];
  const carrier = i.carrier;
  if (i.adminUp && !carrier) f.push("NO-CARRIER");
  if (i.kind === "loopback") f.push("LOOPBACK");
  else if (i.kind === "dummy") f.push("BROADCAST", "NOARP");
  else f.push("BROADCAST", "MULTICAST");
  if (promiscFlag.has(i)) f.push("PROMISC");
  if (i.adminUp) f.push("UP");
  if (i.adminUp && carrier) f.push("LOWER_UP");
  if (i.peer && i.peer.ns === ns && !i.peer.adminUp) f.push("M-DOWN");
  return f;
}

/** `@peer` while the veth peer is in the same namespace, `@ifN` once it is elsewhere. */
export function nameWithLink(i: NetInterface, ns: NetNamespace): string {
  if (!i.peer) return i.name;
  return i.peer.ns === ns ? `${i.name}@${i.peer.name}` : `${i.name}@if${i.peer.ifindex}`;
}

/** ` link-netns NAME` when the peer's namespace has an `ip netns` name, else ` link-netnsid N`. */
export function linkNetns(i: NetInterface, ns: NetNamespace): string {
  if (!i.peer || i.peer.ns === ns) return "";
  const other = i.peer.ns;
  const id = ns.nsidOf(other);
  if (other.name !== null && other.machine === ns.machine && ns.machine.namespaces.get(other.name) === other) return ` link-netns ${other.name}`;
  return ` link-netnsid ${id}`;
}

export function headerLine(c: IpCtx, i: NetInterface, mode: "link" | "addr"): string {
  const master = i.master ? ` master ${i.master.name}` : "";
  const tail = mode === "addr" && c.opts.family === "inet" ? linkNetns(i, c.ns) : "";
  return (
    `${i.ifindex}: ${nameWithLink(i, c.ns)}: <${linkFlags(i, c.ns).join(",")}> mtu ${i.mtu} qdisc ${i.qdisc}${master} state ${i.operState} ` +
    `${mode === "link" ? "mode DEFAULT " : ""}group default qlen 1000${tail}`
  );
}

function etherLine(c: IpCtx, i: NetInterface): string {
  if (i.kind === "loopback") return `    link/loopback ${i.mac} brd 00:00:00:00:00:00`;
  return `    link/ether ${i.mac} brd ff:ff:ff:ff:ff:ff${linkNetns(i, c.ns)}`;
}

/** Header, link line, alias, details and statistics: the per-device block of `ip link show`. */
export function linkBlock(c: IpCtx, i: NetInterface, mode: "link" | "addr", addrLines: string[] = []): string[] {
  const lines = [headerLine(c, i, mode)];
  const showLink = !(mode === "addr" && c.opts.family === "inet");
  if (showLink) {
    let l = etherLine(c, i);
    if (c.opts.details) l += detailsTail(i);
    lines.push(l);
    if (c.opts.details) {
      const extra = detailLines(i);
      lines.push(...extra);
    }
    if (i.alias !== undefined) lines.push(`    alias ${i.alias}`);
  }
  lines.push(...addrLines);
  if (c.opts.stats && showLink) lines.push(...statsLines(i, c.opts.stats));
  return lines;
}

// ---------------------------------------------------------------- -d

const COMMON_TAIL = (i: NetInterface) => {
  const q = i.kind === "veth" ? 2 : 1;
  const tso = i.kind === "vxlan" ? 65536 : 524280;
  return `addrgenmode eui64 numtxqueues ${q} numrxqueues ${q} gso_max_size 65536 gso_max_segs 65535 tso_max_size ${tso} tso_max_segs 65535 gro_max_size 65536 `;
};

function detailsTail(i: NetInterface): string {
  const minmax = i.kind === "loopback" ? "minmtu 0 maxmtu 0" : i.kind === "ether" ? "minmtu 68 maxmtu 65535" : "minmtu 68 maxmtu 65535";
  let s = ` promiscuity ${i.promiscuity}  allmulti ${i.master ? 1 : 0} ${minmax} `;
  if ((i.kind === "loopback" || i.kind === "ether") && !i.master) s += COMMON_TAIL(i);
  return s;
}

/** ether_ntoa: octets without leading zeros, as bridge ids are printed. */
const ntoa = (mac: string) => mac.split(":").map((o) => parseInt(o, 16).toString(16)).join(":");
export const bridgeId = (br: NetInterface) => `8000.${ntoa(br.mac)}`;

export function portNumber(port: NetInterface): number {
  const br = port.master;
  if (!br?.ports) return 0;
  return [...br.ports].indexOf(port) + 1;
}

export function portState(port: NetInterface): string {
  return port.master && port.master.adminUp && port.running ? "forwarding" : "disabled";
}

function slaveLine(i: NetInterface): string {
  const br = i.master!;
  const no = portNumber(i);
  const id = bridgeId(br);
  return (
    `    bridge_slave state ${portState(i)} priority 32 cost 2 hairpin ${i.hairpin ? "on" : "off"} guard off root_block off fastleave off learning on flood on ` +
    `port_id 0x${(0x8000 + no).toString(16)} port_no 0x${no.toString(16)} designated_port ${0x8000 + no} designated_cost 0 designated_bridge ${id} designated_root ${id} ` +
    `hold_timer    0.00 message_age_timer    0.00 forward_delay_timer    0.00 topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off ` +
    `mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 ` +
    `vlan_tunnel off isolated off locked off ${COMMON_TAIL(i)}`
  );
}

function detailLines(i: NetInterface): string[] {
  const out: string[] = [];
  const kindLine = (text: string) => (i.master ? `    ${text} ` : `    ${text} ${COMMON_TAIL(i)}`);
  if (i.kind === "veth") out.push(kindLine("veth"));
  else if (i.kind === "dummy") out.push(kindLine("dummy"));
  else if (i.kind === "vxlan" && i.vxlan) {
    const v = i.vxlan;
    const parts = [`vxlan id ${v.id}`];
    if (v.remote !== undefined) parts.push(`remote ${fmt(v.remote)}`);
    if (v.local !== undefined) parts.push(`local ${fmt(v.local)}`);
    if (v.dev) parts.push(`dev ${v.dev}`);
    parts.push(`srcport 0 0 dstport ${v.dstport} ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx`);
    out.push(kindLine(parts.join(" ")));
  } else if (i.kind === "bridge") {
    const id = bridgeId(i);
    out.push(
      `    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 0 bridge_id ${id} designated_root ${id} ` +
        `root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 hello_timer    0.00 tcn_timer    0.00 topology_change_timer    0.00 gc_timer    0.00 ` +
        `group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 0 mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 ` +
        `mcast_querier 0 mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 mcast_startup_query_count 2 mcast_last_member_interval 100 ` +
        `mcast_membership_interval 26000 mcast_querier_interval 25500 mcast_query_interval 12500 mcast_query_response_interval 1000 mcast_startup_query_interval 3124 ` +
        `mcast_stats_enabled 0 mcast_igmp_version 2 mcast_mld_version 1 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 ${COMMON_TAIL(i)}`,
    );
  }
  if (i.master) out.push(slaveLine(i));
  return out;
}

const fmt = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

// ---------------------------------------------------------------- -s

function row(vals: number[], widths: number[]): string {
  return "    " + vals.map((v, k) => String(v).padStart(widths[k])).join(" ") + " ";
}

export function statsLines(i: NetInterface, level: number): string[] {
  const s = i.stats;
  const rx = [s.rxBytes, s.rxPackets, s.rxErrors, s.rxDropped, 0, 0];
  const tx = [s.txBytes, s.txPackets, s.txErrors, s.txDropped, 0, 0];
  const base = [10, 7, 6, 7, 7, 7];
  const w = base.map((b, k) => Math.max(b, String(rx[k]).length, String(tx[k]).length));
  const head = (dir: string, names: string[]) => `    ${dir}: ${names.map((n, k) => n.padStart(k === 0 ? w[0] - 4 : w[k])).join(" ")}           `;
  const lines = [head("RX", ["bytes", "packets", "errors", "dropped", "missed", "mcast"]), row(rx, w)];
  if (level > 1) lines.push("    RX errors:  length    crc   frame    fifo overrun", "                     0      0       0       0       0 ");
  lines.push(head("TX", ["bytes", "packets", "errors", "dropped", "carrier", "collsns"]), row(tx, w));
  if (level > 1) lines.push("    TX errors: aborted   fifo  window heartbt transns", "                     0      0       0       0       0 ");
  return lines;
}

// ---------------------------------------------------------------- -br

export function briefLink(c: IpCtx, i: NetInterface): string {
  return `${nameWithLink(i, c.ns).padEnd(16)} ${i.operState.padEnd(14)} ${i.mac} <${linkFlags(i, c.ns).join(",")}> `;
}
