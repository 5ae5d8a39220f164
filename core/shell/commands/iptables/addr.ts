// Address text as iptables reads it (-s/-d: comma lists, /len or /dotted masks, short forms like
// "10.1" = 10.1.0.0, "localhost") and prints it in -L (host names without -n).

import { formatIPv4, prefixMask } from "../../../net/ip";
import { maskLen } from "../../../net/netfilter/spec";
import { paramError } from "./errors";

/** xtables_numeric_to_ipaddr: 1 to 4 dotted decimal parts, missing ones are 0. */
export function parseIpText(text: string): number | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){0,3}$/.test(text)) return undefined;
  const parts = text.split(".").map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  while (parts.length < 4) parts.push(0);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** The few names /etc/hosts of a node resolves. */
const HOSTS: Record<string, number> = { localhost: 0x7f000001 };

export interface HostMask {
  addr: number;
  mask: number;
}

/** xtables_ipparse_multiple: "a[/m][,b[/m]...]"; each address masked. */
export function parseHostList(text: string): HostMask[] {
  const out: HostMask[] = [];
  for (const item of text.split(",")) {
    const slash = item.indexOf("/");
    const host = slash < 0 ? item : item.slice(0, slash);
    let mask = 0xffffffff;
    if (slash >= 0) {
      const m = item.slice(slash + 1);
      const dotted = m.includes(".") ? parseIpText(m) : undefined;
      if (dotted !== undefined) mask = dotted;
      else if (/^\d+$/.test(m) && Number(m) <= 32) mask = prefixMask(Number(m));
      else throw paramError(`invalid mask \`${m}' specified`);
    }
    const addr = parseIpText(host) ?? HOSTS[host.toLowerCase()];
    if (addr === undefined) throw paramError(`host/network \`${host}' not found`);
    const entry = { addr: (addr & mask) >>> 0, mask };
    if (!out.some((o) => o.addr === entry.addr && o.mask === entry.mask)) out.push(entry);
  }
  return out;
}

/** -L address column: "anywhere" for /0 without -n, host names for known hosts, "/len" unless /32. */
export function formatAddrColumn(addr: number, mask: number, numeric: boolean): string {
  if (mask === 0 && !numeric) return "anywhere";
  let host = formatIPv4(addr);
  if (!numeric && mask === 0xffffffff) {
    for (const [name, a] of Object.entries(HOSTS)) if (a === addr) host = name;
  }
  if (mask === 0xffffffff) return host;
  const len = maskLen(mask);
  return `${host}/${len >= 0 ? len : formatIPv4(mask)}`;
}
