// A stub internet for offline labs: one machine that owns a few well-known public addresses
// (8.8.8.8, 1.1.1.1) on its loopback, reached through a gateway that must NAT, exactly like the real
// one: it has no route back to private networks.
import type { MachineSpec } from "../net/topology";
import { debianHost } from "./host";

export const INTERNET_LINK_NET = "203.0.113";

/** The `internet` machine, cabled to `gateway`'s `gatewayNic`. */
export function internetMachine(gateway: string, gatewayNic: string): MachineSpec {
  return debianHost("internet", [{ name: "eth0", link: `${gateway}:${gatewayNic}`, address: `${INTERNET_LINK_NET}.1/24` }], {
    setup: ["ip addr add 8.8.8.8/32 dev lo", "ip addr add 1.1.1.1/32 dev lo", "ip addr add 142.250.74.100/32 dev lo"],
  });
}

/** Setup lines for a gateway whose `nic` faces the stub internet: forwarding and NAT. */
export function internetGatewaySetup(nic: string): string[] {
  return ["sysctl -qw net.ipv4.ip_forward=1", `iptables -t nat -A POSTROUTING -o ${nic} -j MASQUERADE`];
}

export const ROUTER_SYSCTL = { "/etc/sysctl.d/99-router.conf": "net.ipv4.ip_forward = 1\n" };
