// What match and target extensions share: the parser interface, the standard option errors
// (xtables_option_parse wording) and number/port parsing.

import type { PortRange } from "../../../net/netfilter/rule";
import { paramError } from "./errors";
import type { Getopt, LongOpt } from "./getopt";
import { servicePort } from "./services";

/** What an extension sees of the rule being built. */
export interface RuleCtx {
  proto: number;
  protoInv: boolean;
}

export interface ExtParser<T> {
  name: string;
  longs: LongOpt[];
  /** Handles one of its own options (`id` is the LongOpt id). */
  parse(id: string, arg: string | undefined, invert: boolean, g: Getopt, rule: RuleCtx): void;
  /** Final check (xtables_option_mfcall/tfcall) and the result. */
  final(rule: RuleCtx): T;
}

export function longs(ext: string, names: [string, 0 | 1][]): LongOpt[] {
  return names.map(([name, hasArg]) => ({ name, hasArg, id: `${ext}:${name}` }));
}

/** Tracks options already given, with the standard "can only be used once" error. */
export class Seen {
  private readonly set = new Set<string>();
  constructor(private readonly ext: string) {}
  once(opt: string): void {
    if (this.set.has(opt)) throw paramError(`${this.ext}: option "--${opt}" can only be used once.\n`);
    this.set.add(opt);
  }
  has(opt: string): boolean {
    return this.set.has(opt);
  }
}

export function noInvert(ext: string, opt: string, invert: boolean): void {
  if (invert) throw paramError(`${ext}: option "--${opt}" cannot be inverted.\n`);
}

export function mustSpecify(ext: string, opt: string): never {
  throw paramError(`${ext}: option "--${opt}" must be specified\n`);
}

/** strtoul(…, 0) limited to 32 bits; undefined when not a whole valid number. */
export function parseUint32(text: string): number | undefined {
  let n: number;
  if (/^0x[0-9a-f]+$/i.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^0[0-7]*$/.test(text)) n = parseInt(text, 8);
  else if (/^[1-9][0-9]*$/.test(text)) n = Number(text);
  else return undefined;
  return n <= 0xffffffff ? n : undefined;
}

/** value[/mask] as the mark match and MARK target take it. */
export function parseMarkMask(text: string): { value: number; mask?: number } | undefined {
  const slash = text.indexOf("/");
  const value = parseUint32(slash < 0 ? text : text.slice(0, slash));
  if (value === undefined) return undefined;
  if (slash < 0) return { value };
  const mask = parseUint32(text.slice(slash + 1));
  return mask === undefined ? undefined : { value, mask };
}

export function parsePort(text: string, proto: "tcp" | "udp"): number {
  if (/^\d+$/.test(text) && Number(text) <= 65535) return Number(text);
  const named = /^\d/.test(text) ? undefined : servicePort(text, proto);
  if (named === undefined) throw paramError(`invalid port/service \`${text}' specified`);
  return named;
}

/** --sport/--dport: "a", "a:b", ":b", "a:". */
export function parsePortRange(text: string, proto: "tcp" | "udp"): PortRange {
  const colon = text.indexOf(":");
  if (colon < 0) {
    const p = parsePort(text, proto);
    return { lo: p, hi: p };
  }
  const a = text.slice(0, colon);
  const b = text.slice(colon + 1);
  const lo = a === "" ? 0 : parsePort(a, proto);
  const hi = b === "" ? 65535 : parsePort(b, proto);
  if (lo > hi) throw paramError("invalid portrange (min > max)");
  return { lo, hi };
}

export function protoForPorts(proto: number): "tcp" | "udp" {
  return proto === 17 ? "udp" : "tcp";
}
