// Per-namespace kernel parameters under /proc/sys/net (and a few machine-wide ones), with their
// Linux defaults. Unknown keys do not exist, exactly as a missing /proc file.

const NET_DEFAULTS: Record<string, string> = {
  "net.ipv4.ip_forward": "0",
  "net.ipv4.conf.all.forwarding": "0",
  "net.ipv4.conf.default.forwarding": "0",
  "net.ipv4.conf.all.rp_filter": "0",
  "net.ipv4.conf.default.rp_filter": "0",
  "net.ipv4.conf.all.proxy_arp": "0",
  "net.ipv4.conf.all.route_localnet": "0",
  "net.ipv4.conf.all.accept_redirects": "1",
  "net.ipv4.conf.all.send_redirects": "1",
  "net.ipv4.ip_local_port_range": "32768\t60999",
  "net.ipv4.icmp_echo_ignore_all": "0",
  "net.ipv4.icmp_echo_ignore_broadcasts": "1",
  "net.ipv4.ping_group_range": "0\t2147483647",
  "net.ipv4.tcp_syn_retries": "6",
  "net.ipv4.ip_default_ttl": "64",
  "net.ipv6.conf.all.forwarding": "0",
  "net.ipv6.conf.all.disable_ipv6": "0",
  "net.ipv6.conf.default.disable_ipv6": "0",
  // br_netfilter is loaded on Kubernetes nodes and Docker hosts, so bridged IPv4 meets iptables.
  "net.bridge.bridge-nf-call-iptables": "1",
  "net.bridge.bridge-nf-call-ip6tables": "1",
  "net.bridge.bridge-nf-call-arptables": "1",
  "net.netfilter.nf_conntrack_max": "262144",
  "net.core.somaxconn": "4096",
};

/** Keys that are one value seen under two names. */
const ALIASES: Record<string, string> = {
  "net.ipv4.conf.all.forwarding": "net.ipv4.ip_forward",
};

export const MACHINE_SYSCTLS: Record<string, string> = {
  "kernel.hostname": "",
  "kernel.pid_max": "4194304",
  "fs.file-max": "9223372036854775807",
  "vm.swappiness": "60",
};

const IFACE_LEAVES = ["forwarding", "rp_filter", "proxy_arp", "route_localnet"];

export class SysctlTable {
  private values = new Map<string, string>(Object.entries(NET_DEFAULTS));

  static canonical(key: string): string {
    const k = key.replace(/\//g, ".");
    return ALIASES[k] ?? k;
  }

  has(key: string): boolean {
    return this.values.has(SysctlTable.canonical(key));
  }

  get(key: string): string | undefined {
    return this.values.get(SysctlTable.canonical(key));
  }

  /** Sets a value; returns false if the key does not exist. Booleans are normalised like the kernel's int parser. */
  set(key: string, value: string): boolean {
    const k = SysctlTable.canonical(key);
    if (!this.values.has(k)) return false;
    this.values.set(k, value.trim().replace(/\s+/g, "\t"));
    return true;
  }

  keys(): string[] {
    return [...new Set([...this.values.keys(), ...Object.keys(ALIASES)])].sort();
  }

  /** Per-interface keys appear when an interface exists (net.ipv4.conf.<if>.*). */
  addInterface(name: string): void {
    for (const leaf of IFACE_LEAVES) {
      const k = `net.ipv4.conf.${name}.${leaf}`;
      if (!this.values.has(k)) this.values.set(k, leaf === "forwarding" ? this.values.get("net.ipv4.ip_forward")! : "0");
    }
  }

  removeInterface(name: string): void {
    // Exact keys only: removing `eth0` must not touch the keys of a device named `eth0.1`.
    for (const leaf of IFACE_LEAVES) this.values.delete(`net.ipv4.conf.${name}.${leaf}`);
  }
}
