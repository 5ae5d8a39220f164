// Module 3 — network namespaces and veth pairs.

import type { TopologySpec } from "../../core/net/topology";
import { host, script, type Scenario } from "./scenario-kit";

/** Lab 3.1 start: lab-host 192.168.1.2/24 with a LAN neighbour 192.168.1.3. */
const labHost: TopologySpec = {
  switches: ["lan"],
  machines: [host("lab-host", "lan", "192.168.1.2/24"), host("lan-host", "lan", "192.168.1.3/24")],
};

/** lab-host with red and blue joined by veth-red/veth-blue, addressed and UP (end of Lab 3.1). */
const redBlue: TopologySpec = {
  switches: ["lan"],
  machines: [
    host(
      "lab-host",
      "lan",
      "192.168.1.2/24",
      "ip netns add red",
      "ip netns add blue",
      "ip link add veth-red type veth peer name veth-blue",
      "ip link set veth-red netns red",
      "ip link set veth-blue netns blue",
      "ip -n red addr add 192.168.15.1/24 dev veth-red",
      "ip -n blue addr add 192.168.15.2/24 dev veth-blue",
      "ip -n red link set veth-red up",
      "ip -n blue link set veth-blue up",
    ),
  ],
};

export const module3: Scenario[] = [
  {
    name: "red and blue joined by a veth pair (Lab 3.1)",
    module: 3,
    topology: labHost,
    script: script(`
      @lab-host ip netns add red
      @lab-host ip netns add blue
      @lab-host ip netns
      @lab-host ls /var/run/netns
      @lab-host ip -n red link
      @lab-host ip netns exec red ip link
      @lab-host ip -n red route
      @lab-host ip link add veth-red type veth peer name veth-blue
      @lab-host ip link show type veth
      @lab-host ip link set veth-red netns red
      @lab-host ip link set veth-blue netns blue
      @lab-host ip link show type veth
      @lab-host ip -n red link
      @lab-host ip link set veth-red up
      @lab-host ip -n red addr add 192.168.15.1/24 dev veth-red
      @lab-host ip -n blue addr add 192.168.15.2/24 dev veth-blue
      @lab-host ip -n red link set veth-red up
      @lab-host ip -n red link
      @lab-host ip -n red route
      @lab-host ip -n blue link set veth-blue up
      @lab-host ip -n red addr
      @lab-host ip -n red -br addr
      @lab-host ip netns exec red ping -c 1 -W 1 192.168.15.2
      @lab-host ip netns exec red ip neigh
      @lab-host ip netns exec red arp -n
      @lab-host ip -n blue neigh
      @lab-host ping -c 1 -W 1 192.168.1.3
      @lab-host arp -n
      @lab-host ip netns list
      @lab-host ip -n red route
      @lab-host ip netns exec red route -n
      @lab-host ping -c 1 -W 1 192.168.15.2
    `),
  },
  {
    name: "namespace address without prefix: /32, Network is unreachable",
    module: 3,
    topology: labHost,
    script: script(`
      @lab-host ip netns add red
      @lab-host ip netns add blue
      @lab-host ip link add veth-red type veth peer name veth-blue
      @lab-host ip link set veth-red netns red
      @lab-host ip link set veth-blue netns blue
      @lab-host ip -n red addr add 192.168.15.1 dev veth-red
      @lab-host ip -n blue addr add 192.168.15.2/24 dev veth-blue
      @lab-host ip -n red link set veth-red up
      @lab-host ip -n blue link set veth-blue up
      @lab-host ip -n red addr show veth-red
      @lab-host ip -n red route
      @lab-host ip netns exec red ping -c 1 -W 1 192.168.15.2
      @lab-host ip -n red addr del 192.168.15.1/32 dev veth-red
      @lab-host ip -n red addr add 192.168.15.1/24 dev veth-red
      @lab-host ip netns exec red ping -c 1 -W 1 192.168.15.2
      @lab-host ip -n blue addr add 192.168.15.2/24 dev veth-red
    `),
  },
  {
    name: "one veth end left down: NO-CARRIER, linkdown route, silent loss",
    module: 3,
    topology: labHost,
    script: script(`
      @lab-host ip netns add red
      @lab-host ip netns add blue
      @lab-host ip link add veth-red type veth peer name veth-blue
      @lab-host ip link set veth-red netns red
      @lab-host ip link set veth-blue netns blue
      @lab-host ip -n red addr add 192.168.15.1/24 dev veth-red
      @lab-host ip -n blue addr add 192.168.15.2/24 dev veth-blue
      @lab-host ip -n red link set veth-red up
      @lab-host ip -n red link show veth-red
      @lab-host ip -n blue link show veth-blue
      @lab-host ip -n red route
      @lab-host ip netns exec red ping -c 1 -W 1 192.168.15.2
      @lab-host ip -n blue link set veth-blue up
      @lab-host ip -n red route
      @lab-host ip netns exec red ping -c 1 -W 3 192.168.15.2
      @lab-host ip -n red link set veth-red down
      @lab-host ip -n blue link show veth-blue
      @lab-host ip -n red route
    `),
  },
  {
    // The kernel gives up on ARP after 3 probes (~3 s); the error reaches ping only through lo.
    name: "unanswered ARP: Destination Host Unreachable from the sender, only once lo is UP",
    module: 3,
    topology: redBlue,
    script: script(`
      @lab-host ip netns exec red ping -c 1 -W 4 192.168.15.9
      @lab-host ip -n red neigh
      @lab-host ip netns exec red arp -n
      @lab-host ip -n red link set lo up
      @lab-host ip netns exec red ping -c 1 -W 4 192.168.15.9
      @lab-host ip netns exec red ping -c 1 -W 1 192.168.15.2
      @lab-host ip -n red neigh show dev veth-red
    `),
  },
  {
    name: "deleting one veth end removes its peer (also across namespaces and with the namespace)",
    module: 3,
    topology: redBlue,
    script: script(`
      @lab-host ip link add veth-x type veth peer name veth-y
      @lab-host ip link set veth-x up
      @lab-host ip link show veth-x
      @lab-host ip link del veth-y
      @lab-host ip link show veth-x
      @lab-host ip -n red link del veth-red
      @lab-host ip -n blue link show veth-blue
      @lab-host ip -n blue link
      @lab-host ip -n blue route
      @lab-host ip link add veth-red type veth peer name veth-red-br
      @lab-host ip link set veth-red netns red
      @lab-host ip link show veth-red-br
      @lab-host ip netns del red
      @lab-host ip link show veth-red-br
      @lab-host ip netns
      @lab-host ip link
    `),
  },
  {
    name: "moving an interface into a namespace loses its addresses and routes",
    module: 3,
    topology: labHost,
    script: script(`
      @lab-host ip netns add red
      @lab-host ip link add veth-a type veth peer name veth-b
      @lab-host ip addr add 10.9.0.1/24 dev veth-a
      @lab-host ip link set veth-a up
      @lab-host ip link set veth-b up
      @lab-host ip route
      @lab-host ip addr show veth-a
      @lab-host ip link set veth-a netns red
      @lab-host ip route
      @lab-host ip addr show veth-a
      @lab-host ip -n red addr show veth-a
      @lab-host ip -n red route
      @lab-host ip link show veth-b
      @lab-host ip -n red link set veth-a up
      @lab-host ip link show veth-b
    `),
  },
  {
    name: "a new namespace is isolated: only lo (DOWN), no routes, own iptables and sysctls",
    module: 3,
    topology: { switches: ["lan"], machines: [host("lab-host", "lan", "192.168.1.2/24", "sysctl -w net.ipv4.ip_forward=1", "iptables -P FORWARD DROP")] },
    script: script(`
      @lab-host ip netns add red
      @lab-host ip -n red link
      @lab-host ip -n red addr
      @lab-host ip -n red route
      @lab-host ip netns exec red ip neigh
      @lab-host ip netns exec red ping -c 1 -W 1 192.168.1.2
      @lab-host ip netns exec red ping -c 1 -W 1 127.0.0.1
      @lab-host ip -n red link set lo up
      @lab-host ip -n red addr show lo
      @lab-host ip netns exec red ping -c 1 -W 1 127.0.0.1
      @lab-host ip netns exec red cat /proc/sys/net/ipv4/ip_forward
      @lab-host cat /proc/sys/net/ipv4/ip_forward
      @lab-host ip netns exec red sysctl net.ipv4.ip_forward
      @lab-host ip netns exec red iptables -S
      @lab-host iptables -S
      @lab-host ip netns exec red hostname
      @lab-host ip -n red link show eth0
    `),
  },
  {
    name: "namespaces are per machine: ip netns add on one machine is invisible on another",
    module: 3,
    topology: {
      switches: ["lan"],
      machines: [host("host-a", "lan", "192.168.1.10/24"), host("host-b", "lan", "192.168.1.11/24")],
    },
    script: script(`
      @host-a ip netns add red
      @host-a ip netns
      @host-b ip netns
      @host-b ip netns exec red ip link
      @host-b ip netns add red
      @host-b ip netns add blue
      @host-a ip netns
      @host-b ip netns
      @host-a ip netns del red
      @host-b ip netns exec red hostname
    `),
  },
];
