// Module 1 — switching, routing and gateways.

import type { TopologySpec } from "../../core/net/topology";
import { host, script, type Scenario } from "./scenario-kit";

/** Lab 1.2: host-a — sw1 — host-b (router, forwarding off) — sw2 — host-c. */
const routerLab: TopologySpec = {
  switches: ["sw1", "sw2"],
  machines: [
    host("host-a", "sw1", "192.168.1.5/24"),
    {
      name: "host-b",
      nics: [
        { name: "eth0", link: "switch:sw1" },
        { name: "eth1", link: "switch:sw2" },
      ],
      setup: ["ip addr add 192.168.1.6/24 dev eth0", "ip addr add 192.168.2.6/24 dev eth1"],
    },
    host("host-c", "sw2", "192.168.2.5/24"),
  ],
};

/** Same as routerLab with forwarding on and host-a's route in place. */
const routerLabForwarding: TopologySpec = {
  ...routerLab,
  machines: routerLab.machines.map((m) =>
    m.name === "host-b"
      ? { ...m, setup: [...(m.setup ?? []), "sysctl -w net.ipv4.ip_forward=1"] }
      : m.name === "host-a"
        ? { ...m, setup: [...(m.setup ?? []), "ip route add 192.168.2.0/24 via 192.168.1.6"] }
        : m,
  ),
};

export const module1: Scenario[] = [
  {
    name: "switch: /24 reaches the neighbour, an address without prefix is a /32 with no route",
    module: 1,
    topology: {
      switches: ["sw1"],
      machines: [{ name: "host-a", nics: [{ name: "eth0", link: "switch:sw1" }] }, host("host-b", "sw1", "192.168.1.11/24")],
    },
    script: script(`
      @host-a ip addr add 192.168.1.10 dev eth0
      @host-a ip addr show eth0
      @host-a ip -4 addr show eth0
      @host-a ip route
      @host-a ping -c 1 -W 1 192.168.1.11
      @host-a ip addr del 192.168.1.10/24 dev eth0
      @host-a ip addr del 192.168.1.10/32 dev eth0
      @host-a ip addr add 192.168.1.10/24 dev eth0
      @host-a ip route
      @host-a ping -c 2 -i 0.2 -W 1 192.168.1.11
      @host-a ip neigh
      @host-a arp -n
      @host-b ip neigh show dev eth0
      @host-a ip -br addr
      @host-a ip -br link
    `),
  },
  {
    name: "router: no route, then forwarding off (silent loss), then forwarding on",
    module: 1,
    topology: routerLab,
    script: script(`
      @host-a ping -c 1 -W 1 192.168.2.5
      @host-a ip route add 192.168.2.0/24 via 192.168.1.6
      @host-c ip route add 192.168.1.0/24 via 192.168.2.6
      @host-a ip route
      @host-a route -n
      @host-a route
      @host-a ping -c 1 -W 1 192.168.2.5
      @host-b cat /proc/sys/net/ipv4/ip_forward
      @host-b sysctl net.ipv4.ip_forward
      @host-b sysctl -w net.ipv4.ip_forward=1
      @host-a ping -c 2 -i 0.2 -W 1 192.168.2.5
      @host-b echo 0 > /proc/sys/net/ipv4/ip_forward
      @host-b cat /proc/sys/net/ipv4/ip_forward
      @host-a ping -c 1 -W 1 192.168.2.5
      @host-a ip route get 192.168.2.5
      @host-b ip route
    `),
  },
  {
    name: "asymmetric routing: the missing return route is a silent loss",
    module: 1,
    topology: routerLabForwarding,
    script: script(`
      @host-a ping -c 1 -W 1 192.168.2.5
      @host-c ip route get 192.168.1.5
      @host-c ip route add 192.168.1.0/24 via 192.168.2.6
      @host-c ip route get 192.168.1.5
      @host-a ping -c 1 -W 1 192.168.2.5
      @host-c ping -c 1 -W 1 192.168.1.6
      @host-c ping -c 1 -W 1 192.168.1.5
    `),
  },
  {
    name: "two routers on one LAN: specific route plus default route, ip route get picks the right one",
    module: 1,
    topology: {
      switches: ["sw1", "sw2"],
      machines: [
        host("host-a", "sw1", "192.168.1.10/24"),
        host("host-b", "sw1", "192.168.1.11/24"),
        {
          name: "rt",
          nics: [
            { name: "eth0", link: "switch:sw1" },
            { name: "eth1", link: "switch:sw2" },
          ],
          setup: [
            "ip addr add 192.168.1.1/24 dev eth0",
            "ip addr add 192.168.2.2/24 dev eth1",
            "sysctl -w net.ipv4.ip_forward=1",
            "ip route add default via 192.168.2.1",
          ],
        },
        host("host-c", "sw2", "192.168.2.10/24"),
        host("host-d", "sw2", "192.168.2.11/24"),
        // The internet gateway owns 8.8.8.8 itself: a stub internet that answers pings.
        host(
          "inet-gw",
          "sw2",
          "192.168.2.1/24",
          "ip addr add 8.8.8.8/32 dev lo",
          "ip route add 192.168.1.0/24 via 192.168.2.2",
          "sysctl -w net.ipv4.ip_forward=1",
        ),
      ],
    },
    script: script(`
      @host-b ping -c 1 -W 1 192.168.2.10
      @host-b ip route add 192.168.2.0/24 via 192.168.1.1
      @host-b ip route
      @host-c ip route add 192.168.1.0/24 via 192.168.2.2
      @host-b ping -c 1 -W 1 192.168.2.10
      @host-c ip route add default via 192.168.2.1
      @host-c ip route
      @host-c route -n
      @host-c ip route get 8.8.8.8
      @host-c ip route get 192.168.1.10
      @host-c ping -c 1 -W 1 8.8.8.8
      @host-a ip route add 0.0.0.0 via 192.168.1.1
      @host-a ip route
      @host-a ping -c 1 -W 1 8.8.8.8
      @host-a ip route del 0.0.0.0 via 192.168.1.1
      @host-a ip route add 0.0.0.0/0 via 192.168.1.1
      @host-a ip route
      @host-a ping -c 1 -W 1 8.8.8.8
      @host-a ping -c 1 -W 1 192.168.2.11
      @host-d ip route add default via 192.168.2.1
      @host-a ping -c 1 -W 1 192.168.2.11
    `),
  },
  {
    name: "ip route get: local, on-link, via gateway, no route",
    module: 1,
    topology: { switches: ["sw1"], machines: [host("host-a", "sw1", "192.168.1.10/24", "ip route add 10.0.0.0/8 via 192.168.1.1")] },
    script: script(`
      @host-a ip route get 192.168.1.10
      @host-a ip route get 127.0.0.1
      @host-a ip route get 192.168.1.77
      @host-a ip route get 10.20.30.40
      @host-a ip route get 172.16.0.1
      @host-a ip route get 192.168.1.255
      @host-a ip route show table local
    `),
  },
  {
    name: "blackhole, unreachable and prohibit routes",
    module: 1,
    topology: { switches: ["sw1"], machines: [host("host-a", "sw1", "192.168.1.10/24")] },
    script: script(`
      @host-a ip route add blackhole 10.6.0.0/16
      @host-a ip route add unreachable 10.7.0.0/16
      @host-a ip route add prohibit 10.8.0.0/16
      @host-a ip route
      @host-a route -n
      @host-a ping -c 1 -W 1 10.6.0.1
      @host-a ping -c 1 -W 1 10.7.0.1
      @host-a ping -c 1 -W 1 10.8.0.1
      @host-a ip route get 10.6.0.1
      @host-a ip route get 10.7.0.1
      @host-a ip route get 10.8.0.1
      @host-a ip route del blackhole 10.6.0.0/16
      @host-a ip route
    `),
  },
  {
    name: "route add/replace/del, default route and metric preference",
    module: 1,
    topology: { switches: ["sw1"], machines: [host("host-a", "sw1", "192.168.1.10/24")] },
    script: script(`
      @host-a ip route add 10.0.0.0/24 via 192.168.1.1
      @host-a ip route add 10.0.0.0/24 via 192.168.1.1
      @host-a ip route add 10.0.0.0/24 via 192.168.1.2
      @host-a ip route replace 10.0.0.0/24 via 192.168.1.3
      @host-a ip route
      @host-a ip route add 10.1.0.0/16 via 192.168.1.4 metric 100
      @host-a ip route add 10.1.0.0/16 via 192.168.1.5 metric 50
      @host-a ip route
      @host-a ip route get 10.1.2.3
      @host-a route -n
      @host-a ip route del 10.1.0.0/16 metric 50
      @host-a ip route get 10.1.2.3
      @host-a ip route add default via 192.168.1.1
      @host-a ip route add default via 192.168.1.254
      @host-a ip route replace default via 192.168.1.254
      @host-a ip route
      @host-a ip route get 8.8.8.8
      @host-a ip route del 10.0.0.0/24
      @host-a ip route del 10.0.0.0/24
      @host-a ip route del default
      @host-a ip r
    `),
  },
  {
    name: "ip error messages (a-iproute2 section 8)",
    module: 1,
    topology: {
      switches: ["sw1"],
      machines: [host("host-a", "sw1", "192.168.1.10/24", "ip link add veth-x type veth peer name veth-y")],
    },
    script: script(`
      @host-a ip route add 10.0.0.0/24 via 172.16.0.1
      @host-a ip route add 10.0.0.0/24 via 192.168.1.1
      @host-a ip route add 10.0.0.0/24 via 192.168.1.1
      @host-a ip route del 10.9.0.0/24
      @host-a ip route add 10.2.0.0/24 via 192.168.1.1 dev veth-nosuch
      @host-a ip route add 10.9.9.0/24
      @host-a ip addr add 192.168.1.10/24 dev eth0
      @host-a ip addr add 192.168.1.20/24 eth0
      @host-a ip addr add 192.168.1.300/24 dev eth0
      @host-a ip addr del 192.168.1.77/24 dev eth0
      @host-a ip link set veth-nosuch up
      @host-a ip addr show dev veth-nosuch
      @host-a ip link show veth-nosuch
      @host-a ip link add veth-x type veth peer name xx
      @host-a ip link set veth-x master nosuch-br
      @host-a ip foo
      @host-a ip link foo
      @host-a ip addr foo
      @host-a ip route foo
      @host-a ip netns add red
      @host-a ip netns add red
      @host-a ip netns exec nosuch ip link
      @host-a ip -n nosuch link
      @host-a ip netns del nosuch
      @host-a ip netns del red
      @host-a ip netns
    `),
  },
  {
    name: "ping exit codes and probe options",
    module: 1,
    topology: {
      switches: ["sw1"],
      machines: [host("host-a", "sw1", "192.168.1.10/24"), host("host-b", "sw1", "192.168.1.11/24")],
    },
    script: script(`
      @host-a ping -c 1 -W 1 192.168.1.11
      @host-a ping -c 3 -i 0.2 -W 1 192.168.1.11
      @host-a ping -c 1 -W 1 -I eth0 192.168.1.11
      @host-a ping -w 1 -i 0.3 192.168.1.11
      @host-a ping -c 1 -W 1 10.1.1.1
      @host-a ping -c 1 -W 1 127.0.0.1
      @host-a ping -c 1 -W 1 192.168.1.10
      @host-a ping -c 1 -W 1 -I eth9 192.168.1.11
      @host-a echo "192.168.1.11 host-b" >> /etc/hosts
      @host-a ping -c 1 -W 1 host-b
      @host-b ip link set eth0 down
      @host-b ip route
      @host-b ping -c 1 -W 1 192.168.1.10
      @host-a ping -c 1 -W 1 192.168.1.11
    `),
  },
  {
    name: "Destination Host/Net Unreachable come from the right address",
    module: 1,
    topology: routerLabForwarding,
    script: script(`
      @host-a ping -c 1 -W 5 192.168.1.99
      @host-c ip route add 192.168.1.0/24 via 192.168.2.6
      @host-a ping -c 1 -W 5 192.168.2.99
      @host-a ip route add default via 192.168.1.6
      @host-a ping -c 2 -i 0.2 -W 1 10.20.0.1
      @host-a ip neigh show 192.168.1.99
      @host-b ip neigh show 192.168.2.99
      @host-a arp -n 192.168.1.99
    `),
  },
  {
    name: "sysctl and /proc/sys: runtime vs /etc/sysctl.conf, sysctl -p",
    module: 1,
    topology: {
      switches: ["sw1"],
      machines: [
        {
          name: "host-b",
          nics: [{ name: "eth0", link: "switch:sw1" }],
          // eth0's address comes from /etc/network/interfaces at boot, on both sides.
          files: {
            "/etc/sysctl.conf": "# /etc/sysctl.conf - kube-netlab\n#net.ipv4.ip_forward=1\n",
            "/etc/network/interfaces": "auto eth0\niface eth0 inet static\n    address 192.168.1.6/24\n",
          },
        },
      ],
    },
    script: script(`
      @host-b cat /proc/sys/net/ipv4/ip_forward
      @host-b sysctl -p
      @host-b cat /proc/sys/net/ipv4/ip_forward
      @host-b echo "net.ipv4.ip_forward = 1" >> /etc/sysctl.conf
      @host-b cat /proc/sys/net/ipv4/ip_forward
      @host-b sysctl -p
      @host-b sysctl net.ipv4.ip_forward
      @host-b cat /etc/sysctl.conf
      @host-b sysctl -w net.ipv4.ip_foward=1
      @host-b sysctl net.ipv4.ip_foward
      @host-b sysctl -w net.ipv4.ip_forward=0
      @host-b sysctl -n net.ipv4.ip_forward
      @host-b echo 1 > /proc/sys/net/ipv4/ip_forward
      @host-b sysctl net.ipv4.ip_forward
      @host-b cat /etc/network/interfaces
      @host-b hostname
    `),
  },
  {
    name: "interface down removes its connected route; -4 and -br views",
    module: 1,
    topology: {
      switches: ["sw1"],
      machines: [host("host-a", "sw1", "192.168.1.10/24", "ip route add 10.0.0.0/8 via 192.168.1.1"), host("host-b", "sw1", "192.168.1.11/24")],
    },
    script: script(`
      @host-a ip link set eth0 down
      @host-a ip route
      @host-a ip link show eth0
      @host-a ping -c 1 -W 1 192.168.1.11
      @host-a ip link set eth0 up
      @host-a ip route
      @host-a ping -c 1 -W 1 192.168.1.11
      @host-a ip -4 addr
      @host-a ip -4 -br addr
      @host-a ip a s eth0
      @host-a ip l sh eth0
      @host-a ip r s
    `),
  },
];
