// Target extensions (-j NAME with options): REJECT, LOG, MARK, MASQUERADE, SNAT, DNAT, with libxt_*'s
// checks and error texts.

import type { NatRange, PortRange, RejectWith, Target } from "../../../net/netfilter/rule";
import { paramError } from "./errors";
import { longs, mustSpecify, noInvert, parseMarkMask, parseUint32, Seen, type ExtParser, type RuleCtx } from "./ext-common";
import { parseIpText } from "./addr";

type TargetParser = ExtParser<Target>;

const REJECT_NAMES: [RejectWith, string][] = [
  ["icmp-net-unreachable", "net-unreach"],
  ["icmp-host-unreachable", "host-unreach"],
  ["icmp-proto-unreachable", "proto-unreach"],
  ["icmp-port-unreachable", "port-unreach"],
  ["icmp-net-prohibited", "net-prohib"],
  ["icmp-host-prohibited", "host-prohib"],
  ["tcp-reset", "tcp-rst"],
  ["icmp-admin-prohibited", "admin-prohib"],
];

function reject(): TargetParser {
  let w: RejectWith = "icmp-port-unreachable";
  return {
    name: "REJECT",
    longs: longs("REJECT", [["reject-with", 1]]),
    parse(_id, arg, invert) {
      noInvert("REJECT", "reject-with", invert);
      const hit = REJECT_NAMES.find(([name, alias]) => arg === name || arg === alias);
      if (!hit) throw paramError(`unknown reject type "${arg}"`);
      w = hit[0];
    },
    final: () => ({ kind: "REJECT", with: w }),
  };
}

/** Syslog level names LOG accepts (libxt_LOG). */
const LOG_LEVELS: Record<string, number> = {
  alert: 1,
  crit: 2,
  debug: 7,
  emerg: 0,
  error: 3,
  info: 6,
  notice: 5,
  panic: 0,
  warning: 4,
};

function log(): TargetParser {
  const t: Extract<Target, { kind: "LOG" }> = { kind: "LOG", prefix: "", level: 4, flags: 0 };
  const seen = new Seen("LOG");
  const flagOf: Record<string, number> = { "log-tcp-sequence": 1, "log-tcp-options": 2, "log-ip-options": 4, "log-uid": 8, "log-macdecode": 0x20 };
  return {
    name: "LOG",
    longs: longs("LOG", [
      ["log-level", 1],
      ["log-prefix", 1],
      ["log-tcp-sequence", 0],
      ["log-tcp-options", 0],
      ["log-ip-options", 0],
      ["log-uid", 0],
      ["log-macdecode", 0],
    ]),
    parse(id, arg, invert) {
      const opt = id.slice("LOG:".length);
      noInvert("LOG", opt, invert);
      seen.once(opt);
      if (opt === "log-level") {
        const a = arg!;
        const level = /^[0-7]$/.test(a) ? Number(a) : LOG_LEVELS[a.toLowerCase()];
        if (level === undefined) throw paramError(`log level "${a}" unknown\n`);
        t.level = level;
      } else if (opt === "log-prefix") {
        if (arg!.includes("\n")) throw paramError("Newlines not allowed in --log-prefix");
        // nf_tables keeps at most 29 characters of the prefix.
        t.prefix = arg!.slice(0, 29);
      } else t.flags |= flagOf[opt];
    },
    final: () => t,
  };
}

function markTarget(): TargetParser {
  let t: Extract<Target, { kind: "MARK" }> | undefined;
  return {
    name: "MARK",
    longs: longs("MARK", [
      ["set-xmark", 1],
      ["set-mark", 1],
      ["and-mark", 1],
      ["or-mark", 1],
      ["xor-mark", 1],
    ]),
    parse(id, arg, invert) {
      const opt = id.slice("MARK:".length);
      noInvert("MARK", opt, invert);
      if (t) throw paramError("MARK target: Can't specify --" + opt + " twice");
      const v = opt === "set-xmark" || opt === "set-mark" ? parseMarkMask(arg!) : ((n) => (n === undefined ? undefined : { value: n, mask: undefined }))(parseUint32(arg!));
      if (!v) throw paramError(`MARK: bad integer value for option "--${opt}", or out of range.\n`);
      const mask = v.mask ?? 0xffffffff;
      // All forms reduce to (mark & ~mask) ^ value, which is how -S prints them back.
      if (opt === "set-xmark") t = { kind: "MARK", mark: v.value, mask };
      else if (opt === "set-mark") t = { kind: "MARK", mark: v.value, mask: (mask | v.value) >>> 0 };
      else if (opt === "and-mark") t = { kind: "MARK", mark: 0, mask: ~v.value >>> 0 };
      else if (opt === "or-mark") t = { kind: "MARK", mark: v.value, mask: v.value };
      else t = { kind: "MARK", mark: v.value, mask: 0 };
    },
    final() {
      if (!t) throw paramError("MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required");
      return t;
    },
  };
}

const PORT_PROTOS = new Set([6, 17, 132, 33]);

function needPorts(rule: RuleCtx): void {
  if (!PORT_PROTOS.has(rule.proto) || rule.protoInv) throw paramError("Need TCP, UDP, SCTP or DCCP with port specification");
}

/** "a" or "a-b" for NAT targets (1-65535). */
function natPorts(text: string): PortRange {
  const dash = text.indexOf("-");
  const one = (s: string): number => {
    if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 65535) throw paramError(`Port \`${s}' not valid`);
    return Number(s);
  };
  const lo = one(dash < 0 ? text : text.slice(0, dash));
  if (dash < 0) return { lo, hi: lo };
  const hiText = text.slice(dash + 1);
  const hi = one(hiText);
  if (hi < lo) throw paramError(`Port range \`${hiText}' funky`);
  return { lo, hi };
}

function parseNatRange(text: string, rule: RuleCtx): NatRange {
  const colon = text.indexOf(":");
  const ipText = colon < 0 ? text : text.slice(0, colon);
  const range: NatRange = {};
  if (colon >= 0) {
    needPorts(rule);
    range.ports = natPorts(text.slice(colon + 1));
  }
  if (ipText !== "" || colon < 0) {
    const dash = ipText.indexOf("-");
    const a = parseIpText(dash < 0 ? ipText : ipText.slice(0, dash));
    if (a === undefined) throw paramError(`Bad IP address "${dash < 0 ? ipText : ipText.slice(0, dash)}"`);
    range.minIp = range.maxIp = a;
    if (dash >= 0) {
      const b = parseIpText(ipText.slice(dash + 1));
      if (b === undefined) throw paramError(`Bad IP address "${ipText.slice(dash + 1)}"`);
      range.maxIp = b;
    }
  }
  return range;
}

function nat(kind: "SNAT" | "DNAT" | "MASQUERADE"): TargetParser {
  const seen = new Seen(kind);
  const toOpt = kind === "SNAT" ? "to-source" : kind === "DNAT" ? "to-destination" : "to-ports";
  let range: NatRange | undefined;
  let ports: PortRange | undefined;
  const flags = { random: false, randomFully: false, persistent: false };
  const opts: [string, 0 | 1][] = [[toOpt, 1], ["random", 0], ["random-fully", 0]];
  if (kind !== "MASQUERADE") opts.push(["persistent", 0]);
  return {
    name: kind,
    longs: longs(kind, opts),
    parse(id, arg, invert, _g, rule) {
      const opt = id.slice(kind.length + 1);
      noInvert(kind, opt, invert);
      seen.once(opt);
      if (opt === "to-ports") {
        needPorts(rule);
        ports = natPorts(arg!);
      } else if (opt === toOpt) range = parseNatRange(arg!, rule);
      else if (opt === "random") flags.random = true;
      else if (opt === "random-fully") flags.randomFully = true;
      else flags.persistent = true;
    },
    final(): Target {
      if (kind === "MASQUERADE") return { kind, ports, random: flags.random, randomFully: flags.randomFully };
      if (!range) mustSpecify(kind, toOpt);
      return { kind, range, ...flags };
    },
  };
}

const TARGETS: Record<string, () => TargetParser> = {
  REJECT: reject,
  LOG: log,
  MARK: markTarget,
  MASQUERADE: () => nat("MASQUERADE"),
  SNAT: () => nat("SNAT"),
  DNAT: () => nat("DNAT"),
};

/** Target extensions we implement; other names are chain names. */
export function loadTarget(name: string): TargetParser | undefined {
  return Object.prototype.hasOwnProperty.call(TARGETS, name) ? TARGETS[name]() : undefined;
}

/** Every target name a user chain may not take (standard verdicts and extensions). */
export const TARGET_NAMES = new Set(["ACCEPT", "DROP", "QUEUE", "RETURN", ...Object.keys(TARGETS)]);
