// /etc/network/interfaces (ifupdown) turned into the commands `ifup -a` would run at boot: addresses,
// netmasks, gateways and `up`/`post-up` lines of `auto` (or `allow-hotplug`) interfaces with `inet static`.
import { parseIPv4 } from "../net/ip";

function maskToLen(mask: string): number | undefined {
  const m = parseIPv4(mask);
  if (m === undefined) return /^\d{1,2}$/.test(mask) ? Number(mask) : undefined;
  let len = 0;
  for (let bit = 31; bit >= 0 && (m >>> bit) & 1; bit--) len++;
  return len;
}

export function ifupCommands(text: string): string[] {
  const auto = new Set<string>();
  const stanzas: { iface: string; method: string; opts: [string, string][] }[] = [];
  let cur: (typeof stanzas)[number] | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    const [kw, ...rest] = line.split(/\s+/);
    if (kw === "auto" || kw === "allow-hotplug") {
      rest.forEach((i) => auto.add(i));
      cur = undefined;
    } else if (kw === "iface") {
      cur = { iface: rest[0], method: rest[2] ?? "", opts: [] };
      stanzas.push(cur);
    } else if (kw === "source" || kw === "source-directory" || kw === "mapping") cur = undefined;
    else if (cur) cur.opts.push([kw, rest.join(" ")]);
  }
  const cmds: string[] = [];
  for (const s of stanzas) {
    if (!auto.has(s.iface) || s.iface === "lo") continue;
    if (s.method === "static") {
      const get = (k: string) => s.opts.find(([o]) => o === k)?.[1];
      const address = get("address");
      if (address) {
        const [a, len] = address.split("/");
        const netmask = get("netmask");
        const prefix = len ?? (netmask ? maskToLen(netmask) : undefined) ?? 32;
        cmds.push(`ip addr add ${a}/${prefix} dev ${s.iface}`);
      }
      cmds.push(`ip link set ${s.iface} up`);
      const gw = get("gateway");
      if (gw) cmds.push(`ip route add default via ${gw} dev ${s.iface}`);
    } else if (s.method === "manual" || s.method === "dhcp") cmds.push(`ip link set ${s.iface} up`);
    for (const [k, v] of s.opts) if (k === "up" || k === "post-up") cmds.push(v);
  }
  return cmds;
}
