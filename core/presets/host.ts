// A Debian-style machine for presets: NIC addresses and the default gateway live in
// /etc/network/interfaces (so they survive a reboot, and `cat /etc/network/interfaces` shows them);
// anything else the lab needs at start goes in `setup` (runtime only).
import type { MachineSpec } from "../net/topology";
import { inPrefix, parseCidr, parseIPv4 } from "../net/ip";

export interface NicPlan {
  name: string;
  link?: string;
  mac?: string;
  /** `192.168.1.11/24`; omitted = the NIC is not configured at boot. */
  address?: string;
}

export function debianHost(name: string, nics: NicPlan[], opts: { gateway?: string; setup?: string[]; files?: Record<string, string> } = {}): MachineSpec {
  const stanzas = nics
    .filter((n) => n.address)
    .map((n) => {
      const [addr, len] = n.address!.split("/");
      const lines = [`auto ${n.name}`, `iface ${n.name} inet static`, `    address ${addr}/${len ?? "32"}`];
      // The gateway belongs to the stanza of the NIC whose subnet contains it, as ifupdown expects.
      const cidr = parseCidr(n.address!);
      const gw = opts.gateway ? parseIPv4(opts.gateway) : undefined;
      if (cidr && gw !== undefined && inPrefix(gw, cidr.addr, cidr.len)) lines.push(`    gateway ${opts.gateway}`);
      return lines.join("\n") + "\n";
    });
  const interfaces =
    "# This file describes the network interfaces available on your system\n# and how to activate them. For more information, see interfaces(5).\n\nsource /etc/network/interfaces.d/*\n\n# The loopback network interface\nauto lo\niface lo inet loopback\n" +
    stanzas.map((s) => "\n" + s).join("");
  return {
    name,
    nics: nics.map(({ name: n, link, mac }) => ({ name: n, link, mac })),
    setup: opts.setup,
    files: { "/etc/network/interfaces": interfaces, ...(opts.files ?? {}) },
  };
}
