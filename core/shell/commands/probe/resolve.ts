// Name resolution as glibc's getaddrinfo/getnameinfo do it for the probe tools, limited for now to
// what a machine knows without DNS: numeric addresses in every form inet_aton(3) accepts (`10.1`,
// `0x7f.1`, `1.2.3`) and the machine's /etc/hosts (case-insensitive names, first name canonical).
import type { ToolContext } from "../../tool";
import { formatIPv4 } from "../../../net/ip";

/** inet_aton(3): a, a.b, a.b.c or a.b.c.d, each part decimal, octal (0…) or hex (0x…). */
export function inetAton(text: string): number | undefined {
  if (!/^[0-9a-fA-FxX.]+$/.test(text)) return undefined;
  const parts = text.split(".");
  if (parts.length < 1 || parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) v = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) v = p.length === 1 ? 0 : parseInt(p.slice(1), 8);
    else if (/^[1-9][0-9]*$/.test(p)) v = parseInt(p, 10);
    else return undefined;
    if (!Number.isFinite(v)) return undefined;
    nums.push(v);
  }
  const last = nums[nums.length - 1];
  const lead = nums.slice(0, -1);
  if (lead.some((n) => n > 255)) return undefined;
  const lastMax = [0xffffffff, 0xffffff, 0xffff, 0xff][lead.length];
  if (last > lastMax) return undefined;
  let addr = 0;
  for (let i = 0; i < lead.length; i++) addr += lead[i] * 2 ** (24 - 8 * i);
  return (addr + last) >>> 0;
}

export interface HostsEntry {
  addr: number;
  names: string[];
}

/** The IPv4 lines of /etc/hosts, in file order. */
export async function readHosts(ctx: Pick<ToolContext, "fs">): Promise<HostsEntry[]> {
  let text = "";
  try {
    text = await ctx.fs.readFile("/etc/hosts");
  } catch {
    return [];
  }
  const out: HostsEntry[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    const [ip, ...names] = line.split(/\s+/);
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) continue;
    const addr = inetAton(ip);
    if (addr === undefined || names.length === 0) continue;
    out.push({ addr, names });
  }
  return out;
}

export type Resolved = { ok: true; addr: number; /** AI_CANONNAME: the first name of the hosts line, or the text itself for a number. */ canonical: string; numeric: boolean } | { ok: false; error: string };

/** getaddrinfo's messages (gai_strerror). */
export const EAI_NONAME = "Name or service not known";

/** getaddrinfo(name) for AF_INET: a numeric form, else /etc/hosts. */
export async function resolveHost(ctx: Pick<ToolContext, "fs">, name: string): Promise<Resolved> {
  const n = inetAton(name);
  if (n !== undefined) return { ok: true, addr: n, canonical: name, numeric: true };
  if (name === "" || /\s/.test(name)) return { ok: false, error: EAI_NONAME };
  const lower = name.toLowerCase().replace(/\.$/, "");
  for (const e of await readHosts(ctx)) {
    if (e.names.some((x) => x.toLowerCase() === lower)) return { ok: true, addr: e.addr, canonical: e.names[0], numeric: false };
  }
  return { ok: false, error: EAI_NONAME };
}

/** Reverse lookup through /etc/hosts (getnameinfo with NI_NAMEREQD): the first name for the address. */
export function reverseName(hosts: HostsEntry[], addr: number): string | undefined {
  return hosts.find((e) => e.addr === addr)?.names[0];
}

/** `name (a.b.c.d)` when the address has a name, else the address. */
export function nameAndAddr(hosts: HostsEntry[], addr: number): string {
  const n = reverseName(hosts, addr);
  return n ? `${n} (${formatIPv4(addr)})` : formatIPv4(addr);
}

/** /etc/services: name ↔ port for a protocol. */
export async function readServices(ctx: Pick<ToolContext, "fs">): Promise<{ name: string; port: number; proto: string; aliases: string[] }[]> {
  let text = "";
  try {
    text = await ctx.fs.readFile("/etc/services");
  } catch {
    return [];
  }
  const out: { name: string; port: number; proto: string; aliases: string[] }[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    const m = /^(\S+)\s+(\d+)\/(\w+)\s*(.*)$/.exec(line);
    if (!m) continue;
    out.push({ name: m[1], port: Number(m[2]), proto: m[3], aliases: m[4] ? m[4].split(/\s+/) : [] });
  }
  return out;
}
