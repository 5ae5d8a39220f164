// IPv4 address helpers. Text is parsed and validated with ip-num; inside the engine an address is an
// unsigned 32-bit number so that route lookup and rule matching stay cheap on the packet path.
import { IPv4, Validator } from "ip-num";

/** Strict dotted quad ("10.0.0.1"); undefined when not a valid IPv4 address. */
export function parseIPv4(text: string): number | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return undefined;
  const [ok] = Validator.isValidIPv4String(text);
  if (!ok) return undefined;
  return Number(IPv4.fromDecimalDottedString(text).getValue());
}

export function formatIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function prefixMask(len: number): number {
  return len <= 0 ? 0 : len >= 32 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0;
}

export function networkOf(addr: number, len: number): number {
  return (addr & prefixMask(len)) >>> 0;
}

export function inPrefix(ip: number, net: number, len: number): boolean {
  return ((ip ^ net) & prefixMask(len)) === 0;
}

export function broadcastOf(addr: number, len: number): number {
  return (networkOf(addr, len) | (~prefixMask(len) >>> 0)) >>> 0;
}

/** "a.b.c.d/len" or "a.b.c.d" (len 32 when omitted, as `ip` does). */
export function parseCidr(text: string): { addr: number; len: number } | undefined {
  const slash = text.indexOf("/");
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const addr = parseIPv4(addrText);
  if (addr === undefined) return undefined;
  if (slash < 0) return { addr, len: 32 };
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,2}$/.test(lenText)) return undefined;
  const len = Number(lenText);
  if (len > 32) return undefined;
  return { addr, len };
}

/** Dotted netmask for a prefix length (route, ifconfig). */
export function maskDotted(len: number): string {
  return formatIPv4(prefixMask(len));
}

export function formatCidr(addr: number, len: number): string {
  return `${formatIPv4(addr)}/${len}`;
}

export const isLoopback = (ip: number) => ip >>> 24 === 127;
export const isMulticast = (ip: number) => ip >>> 28 === 0xe;
export const LIMITED_BROADCAST = 0xffffffff;
