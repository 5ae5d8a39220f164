// A rule as `iptables -S` / `iptables-save` print it (canonical order: -s -d -i -o -p, matches in the
// order they were loaded, [-c], then -j/-g and target options). The engine uses it for RuleHit.rule,
// rule identity (-D/-C compare these texts) and the shell for -S and iptables-save.

import { formatIPv4 } from "../ip";
import { protoName } from "./names";
import {
  ADDRTYPE_NAMES,
  CT_STATE_NAMES,
  INV_DST,
  INV_IN,
  INV_OUT,
  INV_PROTO,
  INV_SRC,
  PHYSDEV_BRIDGED,
  PHYSDEV_IN,
  PHYSDEV_ISIN,
  PHYSDEV_ISOUT,
  PHYSDEV_OUT,
  type Match,
  type NatRange,
  type PortRange,
  type Rule,
  type Target,
} from "./rule";

/** Prefix length of a contiguous mask, or -1. */
export function maskLen(mask: number): number {
  const m = mask >>> 0;
  const inv = ~m >>> 0;
  if ((inv & (inv + 1)) !== 0) return -1;
  let n = 0;
  for (let b = m; b !== 0; b = (b << 1) >>> 0) n++;
  return n;
}

/** xtables_save_string: bare when only [A-Za-z0-9_-], else double-quoted with \" \\ \' escapes. */
export function saveString(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return " " + value;
  return ' "' + value.replace(/["\\']/g, (c) => "\\" + c) + '"';
}

export function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16);
}

function saveAddr(letter: string, addr: number, mask: number, inv: boolean): string {
  if (mask === 0 && !inv && addr === 0) return "";
  const len = maskLen(mask);
  return `${inv ? " !" : ""} -${letter} ${formatIPv4(addr)}/${len >= 0 ? len : formatIPv4(mask)}`;
}

function range(r: PortRange, sep: string): string {
  return r.lo === r.hi ? String(r.lo) : `${r.lo}${sep}${r.hi}`;
}

export const TCP_FLAG_NAMES: [string, number][] = [
  ["FIN", 0x01],
  ["SYN", 0x02],
  ["RST", 0x04],
  ["PSH", 0x08],
  ["ACK", 0x10],
  ["URG", 0x20],
];

export function tcpFlagsText(flags: number): string {
  const names = TCP_FLAG_NAMES.filter(([, bit]) => flags & bit).map(([n]) => n);
  return names.length ? names.join(",") : "NONE";
}

export function ctStatesText(states: number): string {
  return CT_STATE_NAMES.filter(([, bit]) => states & bit)
    .map(([n]) => n)
    .join(",");
}

export function addrTypesText(bits: number): string {
  return ADDRTYPE_NAMES.filter((_, i) => bits & (1 << i)).join(",");
}

export function probabilityText(prob: number): string {
  return (prob / 0x80000000).toFixed(11);
}

export function natRangeText(r: NatRange): string {
  let s = "";
  if (r.minIp !== undefined) {
    s = formatIPv4(r.minIp);
    if (r.maxIp !== undefined && r.maxIp !== r.minIp) s += "-" + formatIPv4(r.maxIp);
  }
  if (r.ports) s += ":" + range(r.ports, "-");
  return s;
}

function matchSpec(m: Match): string {
  switch (m.kind) {
    case "tcp":
    case "udp": {
      let s = ` -m ${m.kind}`;
      if (m.sport) s += `${m.sportInv ? " !" : ""} --sport ${range(m.sport, ":")}`;
      if (m.dport) s += `${m.dportInv ? " !" : ""} --dport ${range(m.dport, ":")}`;
      if (m.flags) s += `${m.flags.inv ? " !" : ""} --tcp-flags ${tcpFlagsText(m.flags.mask)} ${tcpFlagsText(m.flags.cmp)}`;
      return s;
    }
    case "icmp": {
      let s = ` -m icmp${m.inv ? " !" : ""}`;
      if (m.type === 0xff) return s + " --icmp-type any";
      s += ` --icmp-type ${m.type}`;
      if (m.codeMin !== 0 || m.codeMax !== 0xff) s += `/${m.codeMin}`;
      return s;
    }
    case "comment":
      return " -m comment --comment" + saveString(m.text);
    case "conntrack":
      return ` -m conntrack${m.inv ? " !" : ""} --ctstate ${ctStatesText(m.states)}`;
    case "state":
      return ` -m state${m.inv ? " !" : ""} --state ${ctStatesText(m.states)}`;
    case "addrtype": {
      let s = " -m addrtype";
      if (m.src) s += `${m.srcInv ? " !" : ""} --src-type ${addrTypesText(m.src)}`;
      if (m.dst) s += `${m.dstInv ? " !" : ""} --dst-type ${addrTypesText(m.dst)}`;
      if (m.limitIn) s += " --limit-iface-in";
      if (m.limitOut) s += " --limit-iface-out";
      return s;
    }
    case "statistic":
      if (m.mode === "random") return ` -m statistic --mode random${m.inv ? " !" : ""} --probability ${probabilityText(m.prob)}`;
      return ` -m statistic --mode nth${m.inv ? " !" : ""} --every ${m.every} --packet ${m.packet}`;
    case "mark":
      return ` -m mark${m.inv ? " !" : ""} --mark ${hex(m.value)}${m.mask !== 0xffffffff ? "/" + hex(m.mask) : ""}`;
    case "multiport":
      return ` -m multiport${m.inv ? " !" : ""} --${m.dir} ${m.ports.map((p) => range(p, ":")).join(",")}`;
    case "physdev": {
      const inv = (bit: number) => (m.invert & bit ? " !" : "");
      let s = " -m physdev";
      if (m.flags & PHYSDEV_ISIN) s += `${inv(PHYSDEV_ISIN)} --physdev-is-in`;
      if (m.flags & PHYSDEV_IN) s += `${inv(PHYSDEV_IN)} --physdev-in ${m.in}`;
      if (m.flags & PHYSDEV_ISOUT) s += `${inv(PHYSDEV_ISOUT)} --physdev-is-out`;
      if (m.flags & PHYSDEV_OUT) s += `${inv(PHYSDEV_OUT)} --physdev-out ${m.out}`;
      if (m.flags & PHYSDEV_BRIDGED) s += `${inv(PHYSDEV_BRIDGED)} --physdev-is-bridged`;
      return s;
    }
  }
}

export const LOG_DEFAULT_LEVEL = 4;
export const LOG_FLAG_NAMES: [string, number][] = [
  ["tcp-sequence", 0x01],
  ["tcp-options", 0x02],
  ["ip-options", 0x04],
  ["uid", 0x08],
  ["macdecode", 0x20],
];

export function targetSpec(t: Target): string {
  switch (t.kind) {
    case "none":
      return "";
    case "ACCEPT":
    case "DROP":
    case "RETURN":
      return " -j " + t.kind;
    case "jump":
      return (t.goto ? " -g " : " -j ") + t.chain;
    case "REJECT":
      return " -j REJECT --reject-with " + t.with;
    case "LOG": {
      let s = " -j LOG";
      if (t.prefix !== "") s += " --log-prefix" + saveString(t.prefix);
      if (t.level !== LOG_DEFAULT_LEVEL) s += ` --log-level ${t.level}`;
      for (const [name, bit] of LOG_FLAG_NAMES) if (t.flags & bit) s += ` --log-${name}`;
      return s;
    }
    case "MARK":
      return ` -j MARK --set-xmark ${hex(t.mark)}/${hex(t.mask)}`;
    case "MASQUERADE": {
      let s = " -j MASQUERADE";
      if (t.ports) s += " --to-ports " + range(t.ports, "-");
      if (t.random) s += " --random";
      if (t.randomFully) s += " --random-fully";
      return s;
    }
    case "SNAT":
    case "DNAT": {
      let s = ` -j ${t.kind} ${t.kind === "SNAT" ? "--to-source" : "--to-destination"} ${natRangeText(t.range)}`;
      if (t.random) s += " --random";
      if (t.randomFully) s += " --random-fully";
      if (t.persistent) s += " --persistent";
      return s;
    }
  }
}

/** The rule text after "-A CHAIN" (cached on the rule; counters are never part of it). */
export function ruleSpec(r: Rule): string {
  if (r.spec !== undefined) return r.spec;
  r.spec = ruleSpecWith(r, false);
  return r.spec;
}

/** With counters: `-c PKTS BYTES` goes after the matches, before the target (iptables -S -v). */
export function ruleSpecWith(r: Rule, counters: boolean): string {
  let s = saveAddr("s", r.src, r.smsk, (r.inv & INV_SRC) !== 0) + saveAddr("d", r.dst, r.dmsk, (r.inv & INV_DST) !== 0);
  if (r.inIface) s += `${r.inv & INV_IN ? " !" : ""} -i ${r.inIface}`;
  if (r.outIface) s += `${r.inv & INV_OUT ? " !" : ""} -o ${r.outIface}`;
  if (r.proto !== 0 || r.inv & INV_PROTO) s += `${r.inv & INV_PROTO ? " !" : ""} -p ${protoName(r.proto) ?? r.proto}`;
  for (const m of r.matches) s += matchSpec(m);
  if (counters) s += ` -c ${r.pkts} ${r.bytes}`;
  return s + targetSpec(r.target);
}
