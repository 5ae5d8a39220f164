// Shared plumbing of the ip/bridge commands: iproute2's argument helpers (matches, NEXT_ARG, invarg,
// duparg2…) with the exact texts and exit codes they print, and the per-invocation context.
import type { NetInterface } from "../../../net/interface";
import type { NetNamespace } from "../../../net/namespace";
import { KernelError, rtnetlinkMessage } from "../../../net/errors";
import type { ToolContext } from "../../tool";

/** Ends the command with this stderr and exit code (iproute2's `exit(-1)` is 255). */
export class IpExit extends Error {
  constructor(
    readonly code: number,
    readonly stderrText: string,
  ) {
    super(stderrText);
  }
}

export function die(msg: string, code = 255): never {
  throw new IpExit(code, msg.endsWith("\n") ? msg : msg + "\n");
}

/** iproute2's matches(): a non-empty prefix of the keyword. */
export function matches(arg: string | undefined, keyword: string): boolean {
  return !!arg && arg.length <= keyword.length && keyword.startsWith(arg);
}

export const incomplete = (): never => die(`Command line is not complete. Try option "help"`);
/** invarg(msg, arg); messages that end in "\n" in iproute2 leave an empty line after them. */
export const invarg = (msg: string, arg: string): never => die(`Error: argument "${arg}" is wrong: ${msg}\n`);
export const duparg2 = (key: string, arg: string): never => die(`Error: either "${key}" is duplicate, or "${arg}" is a garbage.`);
export const duparg = (key: string, arg: string): never => die(`Error: duplicate "${key}": "${arg}" is the second value.`);

/** on|off argument (iproute2 parse_on_off). */
export function onOff(key: string, arg: string): boolean {
  if (arg === "on") return true;
  if (arg === "off") return false;
  return die(`Error: argument of "${key}" must be "on" or "off", not "${arg}"`, 1);
}

/** A cursor over argv with NEXT_ARG semantics. */
export class Argv {
  i = 0;
  constructor(readonly a: string[]) {}
  get more(): boolean {
    return this.i < this.a.length;
  }
  get cur(): string {
    return this.a[this.i];
  }
  get rest(): string[] {
    return this.a.slice(this.i);
  }
  /** Advances and returns the next argument, or dies with "Command line is not complete". */
  next(): string {
    this.i++;
    if (this.i >= this.a.length) incomplete();
    return this.a[this.i];
  }
  shift(): string {
    return this.a[this.i++];
  }
}

export interface GlobalOpts {
  family: "unspec" | "inet" | "inet6" | "link" | "other";
  stats: number;
  details: number;
  brief: boolean;
  oneline: boolean;
  json: boolean;
  pretty: boolean;
  all: boolean;
}

export interface IpCtx {
  tool: ToolContext;
  ns: NetNamespace;
  opts: GlobalOpts;
  out: string[];
  err: string[];
}

export function print(c: IpCtx, text: string): void {
  c.out.push(text);
}

export function warn(c: IpCtx, text: string): void {
  c.err.push(text.endsWith("\n") ? text : text + "\n");
}

/** Runs a kernel mutation; a KernelError becomes iproute2's netlink error text (exit 2). */
export function kernel<T>(fn: () => T, code = 2): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KernelError) die(rtnetlinkMessage(e), code);
    throw e;
  }
}

export function changed(ns: NetNamespace): void {
  ns.machine.sim.changed(ns);
}

/** Device lookup by name for commands that send it to the kernel (`Cannot find device`). */
export function needDev(ns: NetNamespace, name: string): NetInterface {
  const d = ns.byName(name);
  if (!d) die(`Cannot find device "${name}"`, 1);
  return d!;
}

/** Interface names the kernel accepts (dev_valid_name): 1–15 bytes, no '/', ':' or whitespace. */
export function validIfname(name: string): boolean {
  return name.length > 0 && ifnameBytes(name) < 16 && name !== "." && name !== ".." && !/[/:\s]/.test(name);
}

/** IFNAMSIZ counts bytes, not characters. */
export function ifnameBytes(name: string): number {
  return new TextEncoder().encode(name).length;
}

/** What the kernel says about a name iproute2 let through: too long, or not a valid device name. */
export function kernelIfnameError(name: string): string | undefined {
  if (ifnameBytes(name) > 15) return "Error: Attribute failed policy validation.";
  if (name === "" || name === "." || name === ".." || /[/:\s]/.test(name)) return "RTNETLINK answers: Invalid argument";
  return undefined;
}

/** Link-layer address (ll_addr_a2n): colon-separated 1–2 hex digit octets. */
export function parseLladdr(text: string): string | undefined {
  const parts = text.split(":");
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return parts.map((p) => p.toLowerCase().padStart(2, "0")).join(":");
}

/** Unsigned decimal (or 0x hex) integer like get_unsigned(); undefined when invalid. */
export function parseUint(text: string, max = 0xffffffff): number | undefined {
  let n: number;
  if (/^0x[0-9a-f]+$/i.test(text)) n = parseInt(text, 16);
  else if (/^\d+$/.test(text)) n = Number(text);
  else return undefined;
  return Number.isFinite(n) && n <= max ? n : undefined;
}
