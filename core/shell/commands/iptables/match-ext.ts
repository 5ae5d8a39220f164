// Match extensions (-m NAME and the implicit -p tcp/udp/icmp ones): their options, checks and errors
// as libxt_* prints them.

import { ICMP_TYPES } from "../../../net/netfilter/names";
import {
  ADDRTYPE_NAMES,
  CT_STATE_NAMES,
  PHYSDEV_BRIDGED,
  PHYSDEV_IN,
  PHYSDEV_ISIN,
  PHYSDEV_ISOUT,
  PHYSDEV_OUT,
  type Match,
  type PortRange,
} from "../../../net/netfilter/rule";
import { TCP_FLAG_NAMES } from "../../../net/netfilter/spec";
import { paramError } from "./errors";
import { longs, mustSpecify, noInvert, parseMarkMask, parsePort, parsePortRange, Seen, type ExtParser, type RuleCtx } from "./ext-common";

type MatchParser = ExtParser<Match>;

function tcpudp(kind: "tcp" | "udp"): MatchParser {
  const m: Extract<Match, { kind: "tcp" | "udp" }> = { kind, sportInv: false, dportInv: false };
  const opts: [string, 0 | 1][] = [
    ["source-port", 1],
    ["sport", 1],
    ["destination-port", 1],
    ["dport", 1],
  ];
  if (kind === "tcp") opts.push(["syn", 0], ["tcp-flags", 1]);
  const flag = (text: string): number => {
    let bits = 0;
    for (const name of text.split(",")) {
      const up = name.toUpperCase();
      if (up === "ALL") bits |= 0x3f;
      else if (up === "NONE") continue;
      else {
        const f = TCP_FLAG_NAMES.find(([n]) => n === up);
        if (!f) throw paramError(`Unknown TCP flag \`${name}'`);
        bits |= f[1];
      }
    }
    return bits;
  };
  return {
    name: kind,
    longs: longs(kind, opts),
    parse(id, arg, invert, g) {
      const opt = id.slice(kind.length + 1);
      if (opt === "source-port" || opt === "sport") {
        if (m.sport) throw paramError("Only one `--source-port' allowed");
        m.sport = parsePortRange(arg!, kind);
        m.sportInv = invert;
      } else if (opt === "destination-port" || opt === "dport") {
        if (m.dport) throw paramError("Only one `--destination-port' allowed");
        m.dport = parsePortRange(arg!, kind);
        m.dportInv = invert;
      } else if (opt === "syn") {
        if (m.flags) throw paramError("Only one of `--syn' or `--tcp-flags'  allowed");
        m.flags = { mask: 0x17, cmp: 0x02, inv: invert };
      } else {
        if (m.flags) throw paramError("Only one of `--syn' or `--tcp-flags'  allowed");
        const cmp = g.peek();
        if (cmp === undefined || cmp.startsWith("-") || cmp === "!") throw paramError("--tcp-flags requires two args.");
        g.take();
        m.flags = { mask: flag(arg!), cmp: flag(cmp), inv: invert };
      }
    },
    final(rule) {
      const want = kind === "tcp" ? 6 : 17;
      // Without options the kernel, not iptables, refuses a mismatched protocol (tables.ts).
      const used = m.sport || m.dport || m.flags;
      if (used && (rule.proto !== want || rule.protoInv)) throw paramError(`${kind.toUpperCase()} match requires '-p ${kind}'`);
      return m;
    },
  };
}

function icmp(): MatchParser {
  const m: Extract<Match, { kind: "icmp" }> = { kind: "icmp", type: 0xff, codeMin: 0, codeMax: 0xff, inv: false };
  return {
    name: "icmp",
    longs: longs("icmp", [["icmp-type", 1]]),
    parse(_id, arg, invert) {
      const text = arg!;
      const named = ICMP_TYPES.find((t) => t.name.toLowerCase() === text.toLowerCase());
      if (named) Object.assign(m, { type: named.type, codeMin: named.codeMin, codeMax: named.codeMax });
      else {
        const num = /^(\d{1,3})(?:\/(\d{1,3}))?$/.exec(text);
        if (!num || Number(num[1]) > 255 || (num[2] !== undefined && Number(num[2]) > 255)) throw paramError(`Unknown ICMP type \`${text}'`);
        m.type = Number(num[1]);
        if (num[2] !== undefined) m.codeMin = m.codeMax = Number(num[2]);
      }
      m.inv = invert;
    },
    final: () => m,
  };
}

function comment(): MatchParser {
  let text: string | undefined;
  const seen = new Seen("comment");
  return {
    name: "comment",
    longs: longs("comment", [["comment", 1]]),
    parse(_id, arg, invert) {
      noInvert("comment", "comment", invert);
      seen.once("comment");
      text = arg!.slice(0, 255);
    },
    final() {
      if (text === undefined) mustSpecify("comment", "comment");
      return { kind: "comment", text };
    },
  };
}

function states(kind: "conntrack" | "state"): MatchParser {
  let m: Extract<Match, { kind: "conntrack" | "state" }> | undefined;
  const opt = kind === "conntrack" ? "ctstate" : "state";
  return {
    name: kind,
    longs: longs(kind, [[opt, 1]]),
    parse(_id, arg, invert) {
      let bits = 0;
      for (const name of arg!.split(",")) {
        const found = CT_STATE_NAMES.find(([n, bit]) => n === name.toUpperCase() && (kind === "conntrack" || bit < 32));
        if (!found) throw paramError(kind === "conntrack" ? `Bad ctstate "${name}"` : `Bad state "${name}"`);
        bits |= found[1];
      }
      m = { kind, states: bits, inv: invert };
    },
    final() {
      if (!m) {
        if (kind === "conntrack") throw paramError("conntrack: At least one option is required");
        mustSpecify("state", "state");
      }
      return m;
    },
  };
}

function addrtype(): MatchParser {
  const m: Extract<Match, { kind: "addrtype" }> = { kind: "addrtype", src: 0, srcInv: false, dst: 0, dstInv: false, limitIn: false, limitOut: false };
  const types = (text: string): number => {
    let bits = 0;
    for (const name of text.split(",")) {
      const i = ADDRTYPE_NAMES.findIndex((n) => n === name.toUpperCase());
      if (i < 0) throw paramError(`addrtype: bad type "${name}"`);
      bits |= 1 << i;
    }
    return bits;
  };
  return {
    name: "addrtype",
    longs: longs("addrtype", [
      ["src-type", 1],
      ["dst-type", 1],
      ["limit-iface-in", 0],
      ["limit-iface-out", 0],
    ]),
    parse(id, arg, invert) {
      const opt = id.slice("addrtype:".length);
      if (opt === "src-type") {
        if (m.src) throw paramError("addrtype: can't specify src-type twice");
        m.src = types(arg!);
        m.srcInv = invert;
      } else if (opt === "dst-type") {
        if (m.dst) throw paramError("addrtype: can't specify dst-type twice");
        m.dst = types(arg!);
        m.dstInv = invert;
      } else if (opt === "limit-iface-in") m.limitIn = true;
      else m.limitOut = true;
    },
    final() {
      if (!m.src && !m.dst) throw paramError("addrtype: you must specify --src-type or --dst-type");
      if (m.limitIn && m.limitOut) throw paramError("addrtype: you can't specify both --limit-iface-in and --limit-iface-out");
      return m;
    },
  };
}

function statistic(): MatchParser {
  let mode: "random" | "nth" = "random";
  let prob: number | undefined;
  let every: number | undefined;
  let packet: number | undefined;
  let inv = false;
  const seen = new Seen("statistic");
  const bad = (opt: string, range = "") => paramError(`statistic: bad value for option "--${opt}"${range ? `, or out of range (${range}).` : ", or out of range."}\n`);
  return {
    name: "statistic",
    longs: longs("statistic", [
      ["mode", 1],
      ["probability", 1],
      ["every", 1],
      ["packet", 1],
    ]),
    parse(id, arg, invert) {
      const opt = id.slice("statistic:".length);
      seen.once(opt);
      const text = arg!;
      if (opt === "mode") {
        noInvert("statistic", "mode", invert);
        if (text !== "random" && text !== "nth") throw paramError(`Bad mode "${text}"`);
        mode = text;
      } else if (opt === "probability") {
        const p = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
        if (!(p >= 0 && p <= 1)) throw bad("probability", "0-1");
        prob = Math.round(0x80000000 * p);
        inv ||= invert;
      } else if (opt === "every") {
        if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 0xffffffff) throw bad("every");
        every = Number(text);
        inv ||= invert;
      } else {
        noInvert("statistic", "packet", invert);
        if (!/^\d+$/.test(text) || Number(text) > 0xffffffff) throw bad("packet");
        packet = Number(text);
      }
    },
    final(): Match {
      if (mode === "random") {
        if (every !== undefined) throw paramError("--every can only be used in nth mode");
        if (packet !== undefined) throw paramError("--packet can only be used in nth mode");
        if (prob === undefined) throw paramError("--probability must be specified when using random mode");
        return { kind: "statistic", mode, prob, inv };
      }
      if (prob !== undefined) throw paramError("--probability can only be used in random mode");
      const n = every ?? 0;
      const p = packet ?? 0;
      if (p > n - 1) throw paramError("the --packet p must be 0 <= p <= n-1");
      return { kind: "statistic", mode, every: n, packet: p, count: p, inv };
    },
  };
}

function mark(): MatchParser {
  let m: Extract<Match, { kind: "mark" }> | undefined;
  const seen = new Seen("mark");
  return {
    name: "mark",
    longs: longs("mark", [["mark", 1]]),
    parse(_id, arg, invert) {
      seen.once("mark");
      const v = parseMarkMask(arg!);
      if (!v) throw paramError(`mark: bad integer value for option "--mark", or out of range.\n`);
      m = { kind: "mark", value: v.value, mask: v.mask ?? 0xffffffff, inv: invert };
    },
    final() {
      if (!m) mustSpecify("mark", "mark");
      return m;
    },
  };
}

const MULTIPORT_PROTOS = new Set([6, 17, 136, 132, 33]);

function multiport(): MatchParser {
  let m: Extract<Match, { kind: "multiport" }> | undefined;
  return {
    name: "multiport",
    longs: longs("multiport", [
      ["source-ports", 1],
      ["sports", 1],
      ["destination-ports", 1],
      ["dports", 1],
      ["ports", 1],
    ]),
    parse(id, arg, invert, _g, rule: RuleCtx) {
      const opt = id.slice("multiport:".length);
      if (!MULTIPORT_PROTOS.has(rule.proto) || rule.protoInv)
        throw paramError("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
      if (m) throw paramError("multiport can only have one option");
      const proto = rule.proto === 17 ? "udp" : "tcp";
      const ports: PortRange[] = [];
      let count = 0;
      for (const item of arg!.split(",")) {
        const colon = item.indexOf(":");
        const lo = parsePort(colon < 0 ? item : item.slice(0, colon), proto);
        const hi = colon < 0 ? lo : parsePort(item.slice(colon + 1), proto);
        if (lo > hi) throw paramError("invalid portrange specified");
        count += colon < 0 ? 1 : 2;
        ports.push({ lo, hi });
      }
      if (count > 15) throw paramError("too many ports specified");
      const dir = opt === "source-ports" || opt === "sports" ? "sports" : opt === "ports" ? "ports" : "dports";
      m = { kind: "multiport", dir, ports, inv: invert };
    },
    final() {
      if (!m) throw paramError("multiport expection an option");
      return m;
    },
  };
}

function physdev(): MatchParser {
  const m: Extract<Match, { kind: "physdev" }> = { kind: "physdev", flags: 0, invert: 0, in: "", out: "" };
  const bits: Record<string, number> = {
    "physdev-in": PHYSDEV_IN,
    "physdev-out": PHYSDEV_OUT,
    "physdev-is-in": PHYSDEV_ISIN,
    "physdev-is-out": PHYSDEV_ISOUT,
    "physdev-is-bridged": PHYSDEV_BRIDGED,
  };
  return {
    name: "physdev",
    longs: longs("physdev", [
      ["physdev-in", 1],
      ["physdev-out", 1],
      ["physdev-is-in", 0],
      ["physdev-is-out", 0],
      ["physdev-is-bridged", 0],
    ]),
    parse(id, arg, invert) {
      const opt = id.slice("physdev:".length);
      const bit = bits[opt];
      m.flags |= bit;
      if (invert) m.invert |= bit;
      if (bit === PHYSDEV_IN) m.in = arg!;
      if (bit === PHYSDEV_OUT) m.out = arg!;
    },
    final() {
      if (!m.flags) throw paramError("PHYSDEV: no physdev option specified");
      return m;
    },
  };
}

const MATCHES: Record<string, () => MatchParser> = {
  tcp: () => tcpudp("tcp"),
  udp: () => tcpudp("udp"),
  icmp,
  comment,
  conntrack: () => states("conntrack"),
  state: () => states("state"),
  addrtype,
  statistic,
  mark,
  multiport,
  physdev,
};

/** A new parser for `-m name`, or undefined when we do not have that extension. */
export function loadMatch(name: string): MatchParser | undefined {
  return Object.prototype.hasOwnProperty.call(MATCHES, name) ? MATCHES[name]() : undefined;
}
