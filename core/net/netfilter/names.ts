// Protocol and ICMP type names as iptables resolves them (its own short table first, then
// /etc/protocols of a Debian/Ubuntu node), shared by the engine (-S text in rule hits) and the shell.

/** iptables' xtables_chain_protos, consulted before /etc/protocols. */
const CHAIN_PROTOS: [string, number][] = [
  ["tcp", 6],
  ["sctp", 132],
  ["udp", 17],
  ["udplite", 136],
  ["icmp", 1],
  ["icmpv6", 58],
  ["ipv6-icmp", 58],
  ["esp", 50],
  ["ah", 51],
  ["ipv6-mh", 135],
  ["mh", 135],
  ["all", 0],
];

/** /etc/protocols (netbase): number -> official name. */
const ETC_PROTOCOLS =
  "0:ip 1:icmp 2:igmp 3:ggp 4:ipencap 5:st 6:tcp 8:egp 9:igp 12:pup 17:udp 20:hmp 22:xns-idp 27:rdp 29:iso-tp4 " +
  "33:dccp 36:xtp 37:ddp 38:idpr-cmtp 41:ipv6 43:ipv6-route 44:ipv6-frag 45:idrp 46:rsvp 47:gre 50:esp 51:ah " +
  "57:skip 58:ipv6-icmp 59:ipv6-nonxt 60:ipv6-opts 73:rspf 81:vmtp 88:eigrp 89:ospf 93:ax.25 94:ipip 97:etherip " +
  "98:encap 103:pim 108:ipcomp 112:vrrp 115:l2tp 124:isis 132:sctp 133:fc 135:mobility-header 136:udplite " +
  "137:mpls-in-ip 138:manet 139:hip 140:shim6 141:wesp 142:rohc 143:ethernet";

const byNumber = new Map<number, string>();
const byName = new Map<string, number>();
for (const item of ETC_PROTOCOLS.split(" ")) {
  const [num, name] = item.split(":");
  byNumber.set(Number(num), name);
  byName.set(name, Number(num));
}
// Upper-case aliases of /etc/protocols, matched case-insensitively since iptables lower-cases -p.
byName.set("ip-encap", 4);
byName.set("ipsec-esp", 50);
byName.set("ipsec-ah", 51);
byName.set("ospfigp", 89);
byName.set("cphb", 73);

/** Name iptables prints for a protocol number (prot column, `-p` in -S); undefined = print the number. */
export function protoName(num: number): string | undefined {
  for (const [name, n] of CHAIN_PROTOS) if (n === num) return name;
  return byNumber.get(num);
}

/** Parses `-p` the way xtables_parse_protocol does; undefined when unknown. */
export function parseProto(text: string): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n <= 255 ? n : undefined;
  }
  const lower = text.toLowerCase();
  if (lower === "all") return 0;
  const etc = byName.get(lower);
  if (etc !== undefined) return etc;
  for (const [name, n] of CHAIN_PROTOS) if (name === lower) return n;
  return undefined;
}

export interface IcmpTypeName {
  name: string;
  type: number;
  codeMin: number;
  codeMax: number;
}

/** libxt_icmp's table; the first entry with matching values is the one printed. */
export const ICMP_TYPES: IcmpTypeName[] = (
  [
    ["any", 0xff, 0, 0xff],
    ["echo-reply", 0, 0, 0xff],
    ["pong", 0, 0, 0xff],
    ["destination-unreachable", 3, 0, 0xff],
    ["network-unreachable", 3, 0, 0],
    ["host-unreachable", 3, 1, 1],
    ["protocol-unreachable", 3, 2, 2],
    ["port-unreachable", 3, 3, 3],
    ["fragmentation-needed", 3, 4, 4],
    ["source-route-failed", 3, 5, 5],
    ["network-unknown", 3, 6, 6],
    ["host-unknown", 3, 7, 7],
    ["network-prohibited", 3, 9, 9],
    ["host-prohibited", 3, 10, 10],
    ["TOS-network-unreachable", 3, 11, 11],
    ["TOS-host-unreachable", 3, 12, 12],
    ["communication-prohibited", 3, 13, 13],
    ["host-precedence-violation", 3, 14, 14],
    ["precedence-cutoff", 3, 15, 15],
    ["source-quench", 4, 0, 0xff],
    ["redirect", 5, 0, 0xff],
    ["network-redirect", 5, 0, 0],
    ["host-redirect", 5, 1, 1],
    ["TOS-network-redirect", 5, 2, 2],
    ["TOS-host-redirect", 5, 3, 3],
    ["echo-request", 8, 0, 0xff],
    ["ping", 8, 0, 0xff],
    ["router-advertisement", 9, 0, 0xff],
    ["router-solicitation", 10, 0, 0xff],
    ["time-exceeded", 11, 0, 0xff],
    ["ttl-exceeded", 11, 0, 0xff],
    ["ttl-zero-during-transit", 11, 0, 0],
    ["ttl-zero-during-reassembly", 11, 1, 1],
    ["parameter-problem", 12, 0, 0xff],
    ["ip-header-bad", 12, 0, 0],
    ["required-option-missing", 12, 1, 1],
    ["timestamp-request", 13, 0, 0xff],
    ["timestamp-reply", 14, 0, 0xff],
    ["address-mask-request", 17, 0, 0xff],
    ["address-mask-reply", 18, 0, 0xff],
  ] as [string, number, number, number][]
).map(([name, type, codeMin, codeMax]) => ({ name, type, codeMin, codeMax }));
