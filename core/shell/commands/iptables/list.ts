// `iptables -L`: the table layout of iptables' print_header/print_rule, column widths, trailing
// spaces and all (a long target name pushes the rest of its row right, as in the real tool).

import type { TableName } from "../../../net/netfilter/api";
import { ICMP_TYPES, protoName } from "../../../net/netfilter/names";
import { INV_DST, INV_IN, INV_OUT, INV_PROTO, INV_SRC, targetName, type Chain, type Match, type PortRange, type Rule, type Target } from "../../../net/netfilter/rule";
import { addrTypesText, ctStatesText, hex, natRangeText, probabilityText, tcpFlagsText } from "../../../net/netfilter/spec";
import type { Ruleset } from "../../../net/netfilter/tables";
import { isBuiltin } from "../../../net/netfilter/tables";
import { formatAddrColumn } from "./addr";
import { serviceName } from "./services";

export interface ListFormat {
  numeric: boolean;
  verbose: boolean;
  exact: boolean;
  lineNumbers: boolean;
}

/** xtables_print_num: K/M/G/T with rounding unless -x; `table` pads to the column. */
export function formatNum(n: number, exact: boolean, table = true): string {
  if (exact) return table ? String(n).padStart(8) + " " : `${n} `;
  if (n <= 99999) return table ? String(n).padStart(5) + " " : `${n} `;
  for (const unit of ["K", "M", "G"]) {
    n = Math.floor((n + 500) / 1000);
    if (n <= 9999) return (table ? String(n).padStart(4) : String(n)) + unit + " ";
  }
  n = Math.floor((n + 500) / 1000);
  return (table ? String(n).padStart(4) : String(n)) + "T ";
}

function port(p: number, proto: "tcp" | "udp", numeric: boolean): string {
  return (!numeric && serviceName(p, proto)) || String(p);
}

function ports(label: string, r: PortRange | undefined, inv: boolean, proto: "tcp" | "udp", numeric: boolean): string {
  if (!r || (r.lo === 0 && r.hi === 0xffff && !inv)) return "";
  const bang = inv ? "!" : "";
  if (r.lo === r.hi) return ` ${label}:${bang}${port(r.lo, proto, numeric)}`;
  return ` ${label}s:${bang}${port(r.lo, proto, numeric)}:${port(r.hi, proto, numeric)}`;
}

function printMatch(m: Match, proto: number, numeric: boolean): string {
  switch (m.kind) {
    case "tcp":
    case "udp": {
      let s = ` ${m.kind}` + ports("spt", m.sport, m.sportInv, m.kind, numeric) + ports("dpt", m.dport, m.dportInv, m.kind, numeric);
      if (m.flags) {
        s += ` flags:${m.flags.inv ? "!" : ""}`;
        const h2 = (n: number) => "0x" + n.toString(16).toUpperCase().padStart(2, "0");
        s += numeric ? `${h2(m.flags.mask)}/${h2(m.flags.cmp)}` : `${tcpFlagsText(m.flags.mask)}/${tcpFlagsText(m.flags.cmp)}`;
      }
      return s;
    }
    case "icmp": {
      if (!numeric) {
        const named = ICMP_TYPES.find((t) => t.type === m.type && t.codeMin === m.codeMin && t.codeMax === m.codeMax);
        if (named) return ` icmp ${m.inv ? "!" : ""}${named.name}`;
      }
      let s = ` icmp${m.inv ? " !" : ""}type ${m.type}`;
      if (m.codeMin === m.codeMax) s += ` code ${m.codeMin}`;
      else if (m.codeMin !== 0 || m.codeMax !== 0xff) s += ` codes ${m.codeMin}-${m.codeMax}`;
      return s;
    }
    case "comment":
      return ` /* ${m.text} */`;
    case "conntrack":
      return `${m.inv ? " !" : ""} ctstate ${ctStatesText(m.states)}`;
    case "state":
      return `${m.inv ? " !" : ""} state ${ctStatesText(m.states)}`;
    case "addrtype": {
      let s = " ADDRTYPE match";
      if (m.src) s += ` src-type ${m.srcInv ? "!" : ""}${addrTypesText(m.src)}`;
      if (m.dst) s += ` dst-type ${m.dstInv ? "!" : ""}${addrTypesText(m.dst)}`;
      if (m.limitIn) s += " limit-in";
      if (m.limitOut) s += " limit-out";
      return s;
    }
    case "statistic":
      if (m.mode === "random") return ` statistic mode random${m.inv ? " !" : ""} probability ${probabilityText(m.prob)}`;
      return ` statistic mode nth${m.inv ? " !" : ""} every ${m.every}${m.packet ? ` packet ${m.packet}` : ""}`;
    case "mark":
      return ` mark match${m.inv ? " !" : ""} ${hex(m.value)}${m.mask !== 0xffffffff ? "/" + hex(m.mask) : ""}`;
    case "multiport": {
      const p = proto === 17 ? "udp" : "tcp";
      const list = m.ports.map((r) => (r.lo === r.hi ? port(r.lo, p, numeric) : `${port(r.lo, p, numeric)}:${port(r.hi, p, numeric)}`));
      return ` multiport ${m.dir} ${m.inv ? " !" : ""}${list.join(",")}`;
    }
    case "physdev": {
      const inv = (bit: number) => (m.invert & bit ? " !" : "");
      let s = " PHYSDEV match";
      if (m.flags & 8) s += `${inv(8)} --physdev-is-in`;
      if (m.flags & 1) s += `${inv(1)} --physdev-in ${m.in}`;
      if (m.flags & 16) s += `${inv(16)} --physdev-is-out`;
      if (m.flags & 2) s += `${inv(2)} --physdev-out ${m.out}`;
      if (m.flags & 4) s += `${inv(4)} --physdev-is-bridged`;
      return s;
    }
  }
}

/** Syslog level names as nf_tables prints them back. */
const LOG_LEVEL_NAMES = ["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"];

function printTarget(t: Target, numeric: boolean): string {
  switch (t.kind) {
    case "REJECT":
      return ` reject-with ${t.with}`;
    case "LOG": {
      let s = " LOG";
      if (numeric) s += ` flags ${t.flags} level ${t.level}`;
      else {
        s += ` level ${LOG_LEVEL_NAMES[t.level] ?? t.level}`;
        for (const [name, bit] of [["tcp-sequence", 1], ["tcp-options", 2], ["ip-options", 4], ["uid", 8], ["macdecode", 0x20]] as const)
          if (t.flags & bit) s += " " + name;
      }
      if (t.prefix) s += ` prefix "${t.prefix}"`;
      return s;
    }
    case "MARK":
      if (t.mark === 0) return ` MARK and ${hex(~t.mask >>> 0)}`;
      if (t.mark === t.mask) return ` MARK or ${hex(t.mark)}`;
      if (t.mask === 0) return ` MARK xor ${hex(t.mark)}`;
      if (t.mask === 0xffffffff) return ` MARK set ${hex(t.mark)}`;
      return ` MARK xset ${hex(t.mark)}/${hex(t.mask)}`;
    case "MASQUERADE": {
      let s = "";
      if (t.ports) s += ` masq ports: ${t.ports.lo}${t.ports.hi !== t.ports.lo ? "-" + t.ports.hi : ""}`;
      if (t.random) s += " random";
      if (t.randomFully) s += " random-fully";
      return s;
    }
    case "SNAT":
    case "DNAT":
      return ` to:${natRangeText(t.range)}${t.random ? " random" : ""}${t.randomFully ? " random-fully" : ""}${t.persistent ? " persistent" : ""}`;
    default:
      return "";
  }
}

export function ruleRow(r: Rule, num: number, f: ListFormat): string {
  let s = "";
  if (f.lineNumbers) s += String(num).padEnd(4) + " ";
  if (f.verbose) s += formatNum(r.pkts, f.exact) + formatNum(r.bytes, f.exact);
  s += targetName(r.target).padEnd(9) + " ";
  s += (r.inv & INV_PROTO ? "!" : " ") + (protoName(r.proto) ?? String(r.proto)).padEnd(5);
  s += "-- ";
  if (f.verbose) {
    const any = f.numeric ? "*" : "any";
    s += " " + ((r.inv & INV_IN ? "!" : "") + (r.inIface || any)).padEnd(6) + " ";
    s += ((r.inv & INV_OUT ? "!" : "") + (r.outIface || any)).padEnd(6) + " ";
  }
  s += (r.inv & INV_SRC ? "!" : " ") + formatAddrColumn(r.src, r.smsk, f.numeric).padEnd(19) + " ";
  s += (r.inv & INV_DST ? "!" : " ") + formatAddrColumn(r.dst, r.dmsk, f.numeric).padEnd(19) + " ";
  if (r.target.kind === "jump" && r.target.goto) s += "[goto] ";
  for (const m of r.matches) s += printMatch(m, r.proto, f.numeric);
  return s + printTarget(r.target, f.numeric);
}

function header(rs: Ruleset, table: TableName, c: Chain, f: ListFormat): string {
  let s = `Chain ${c.name}`;
  if (isBuiltin(rs.tables[table], c.name)) {
    s += ` (policy ${c.policy}`;
    if (f.verbose) s += ` ${formatNum(c.pkts, f.exact, false)}packets, ${formatNum(c.bytes, f.exact, false)}bytes`;
    s += ")\n";
  } else s += ` (${rs.references(table, c.name)} references)\n`;
  if (f.lineNumbers) s += "num".padEnd(4) + " ";
  if (f.verbose) s += f.exact ? "pkts".padStart(8) + " " + "bytes".padStart(10) + " " : "pkts".padStart(5) + " " + "bytes".padStart(5) + " ";
  s += "target".padEnd(9) + " " + " prot " + "opt";
  if (f.verbose) s += " " + "in".padEnd(6) + " " + "out".padEnd(6) + " ";
  s += " " + "source".padEnd(19) + " " + " " + "destination".padEnd(19) + " ";
  return s + "\n";
}

/** The whole -L output (chain undefined = every chain); the caller has checked that `chain` exists. */
export function listRules(rs: Ruleset, table: TableName, chain: string | undefined, rulenum: number | undefined, f: ListFormat): string {
  if (chain !== undefined && rulenum !== undefined) {
    const r = rs.chain(table, chain)?.rules[rulenum - 1];
    return r ? ruleRow(r, rulenum, f) + "\n" : "";
  }
  const chains = chain === undefined ? rs.listChains(table) : [rs.chain(table, chain)!];
  return chains.map((c) => header(rs, table, c, f) + c.rules.map((r, i) => ruleRow(r, i + 1, f) + "\n").join("")).join("\n");
}
