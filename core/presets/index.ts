// Named starting topologies for the CLI, the tests and the labs. Each is plain data: machines, cables,
// and the ordinary commands that bring them to the lab's starting state.
import type { TopologySpec } from "../net/topology";
import { INTERNET_LINK_NET, internetGatewaySetup, internetMachine, ROUTER_SYSCTL } from "./internet";
import { debianHost } from "./host";

const bare: TopologySpec = { machines: [{ name: "host" }] };

/** Lab 1.1 — two switches, one router, one internet gateway. host-a starts without an address. */
const lab11: TopologySpec = {
  switches: ["sw1", "sw2"],
  machines: [
    debianHost("host-a", [{ name: "eth0", link: "switch:sw1" }], { setup: ["ip link set eth0 down"] }),
    debianHost("host-b", [{ name: "eth0", link: "switch:sw1", address: "192.168.1.11/24" }]),
    debianHost("host-c", [{ name: "eth0", link: "switch:sw2", address: "192.168.2.10/24" }]),
    debianHost("host-d", [{ name: "eth0", link: "switch:sw2", address: "192.168.2.11/24" }]),
    debianHost(
      "rt",
      [
        { name: "eth0", link: "switch:sw1", address: "192.168.1.1/24" },
        { name: "eth1", link: "switch:sw2", address: "192.168.2.2/24" },
      ],
      { setup: ["ip route add default via 192.168.2.1"], files: ROUTER_SYSCTL },
    ),
    debianHost(
      "inet-gw",
      [
        { name: "eth0", link: "switch:sw2", address: "192.168.2.1/24" },
        { name: "eth1", link: "internet:eth0", address: `${INTERNET_LINK_NET}.2/24` },
      ],
      { gateway: `${INTERNET_LINK_NET}.1`, setup: ["ip route add 192.168.1.0/24 via 192.168.2.2", ...internetGatewaySetup("eth1")], files: ROUTER_SYSCTL },
    ),
    internetMachine("inet-gw", "eth1"),
  ],
};

/** Lab 1.2 — a Linux box as a router (forwarding off). */
const lab12: TopologySpec = {
  machines: [
    debianHost("host-a", [{ name: "eth0", link: "host-b:eth0", address: "192.168.1.5/24" }]),
    debianHost("host-b", [
      { name: "eth0", link: "host-a:eth0", address: "192.168.1.6/24" },
      { name: "eth1", link: "host-c:eth0", address: "192.168.2.6/24" },
    ]),
    debianHost("host-c", [{ name: "eth0", link: "host-b:eth1", address: "192.168.2.5/24" }]),
  ],
};

/** The LAN of modules 3 and 4: lab-host, two neighbours with fixed MACs, and a gateway to the stub internet. */
function lanTopology(labHostSetup: string[]): TopologySpec {
  return {
    switches: ["lan"],
    machines: [
      debianHost("lab-host", [{ name: "eth0", link: "switch:lan", address: "192.168.1.2/24" }], { gateway: "192.168.1.1", setup: labHostSetup }),
      debianHost("lan-host", [{ name: "eth0", link: "switch:lan", mac: "52:54:00:12:35:03", address: "192.168.1.3/24" }]),
      debianHost("lan-host2", [{ name: "eth0", link: "switch:lan", mac: "52:54:00:12:35:04", address: "192.168.1.4/24" }]),
      debianHost(
        "gateway",
        [
          { name: "eth0", link: "switch:lan", address: "192.168.1.1/24" },
          { name: "eth1", link: "internet:eth0", address: `${INTERNET_LINK_NET}.2/24` },
        ],
        { gateway: `${INTERNET_LINK_NET}.1`, setup: internetGatewaySetup("eth1"), files: ROUTER_SYSCTL },
      ),
      internetMachine("gateway", "eth1"),
    ],
  };
}

/** Lab 3.1 — lab-host's ARP table already knows its two LAN neighbours; no namespaces yet. */
const lab31 = lanTopology(["ping -c 1 -W 1 192.168.1.3", "ping -c 1 -W 1 192.168.1.4"]);

const redBlueCable = [
  "ip netns add red",
  "ip netns add blue",
  "ip link add veth-red type veth peer name veth-blue",
  "ip link set veth-red netns red",
  "ip link set veth-blue netns blue",
  "ip -n red addr add 192.168.15.1/24 dev veth-red",
  "ip -n blue addr add 192.168.15.2/24 dev veth-blue",
  "ip -n red link set veth-red up",
  "ip -n blue link set veth-blue up",
];

/** Lab 4.1 — the end state of lab 3.1: red and blue joined by a direct cable. */
const lab41 = lanTopology(redBlueCable);

const fourOnABridge = [
  "ip netns add red",
  "ip netns add blue",
  "ip link add v-net-0 type bridge",
  "ip link set dev v-net-0 up",
  ...["red", "blue", "yellow", "black"].flatMap((c, i) => [
    ...(c === "red" || c === "blue" ? [] : [`ip netns add ${c}`]),
    `ip link add veth-${c} type veth peer name veth-${c}-br`,
    `ip link set veth-${c} netns ${c}`,
    `ip link set veth-${c}-br master v-net-0`,
    `ip -n ${c} addr add 192.168.15.${i + 1}/24 dev veth-${c}`,
    `ip -n ${c} link set veth-${c} up`,
    `ip link set veth-${c}-br up`,
  ]),
  "ip addr add 192.168.15.5/24 dev v-net-0",
];

/** Lab 4.2 — the end state of lab 4.1, forwarding on, and a web server in blue. */
const lab42: TopologySpec = lanTopology([...fourOnABridge, "sysctl -qw net.ipv4.ip_forward=1"]);

export const PRESETS: Record<string, { description: string; topology: TopologySpec; background?: { host: string; command: string }[] }> = {
  bare: { description: "one machine named host, lo up, nothing else configured", topology: bare },
  "lab-1.1": { description: "module 1: two switches, one router (rt), an internet gateway (inet-gw) and a stub internet", topology: lab11 },
  "lab-1.2": { description: "module 1: host-b between two networks, forwarding off", topology: lab12 },
  "lab-3.1": { description: "module 3: lab-host on a LAN with two neighbours, no namespaces yet", topology: lab31 },
  "lab-4.1": { description: "module 4: red and blue joined by a veth pair on lab-host", topology: lab41 },
  "lab-4.2": {
    description: "module 4: four namespaces on bridge v-net-0, forwarding on, a web server in blue",
    topology: lab42,
    background: [{ host: "lab-host", command: "ip netns exec blue echo-server --port 80 --name blue" }],
  },
};

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

export function getPreset(name: string): TopologySpec | undefined {
  return PRESETS[name]?.topology;
}
