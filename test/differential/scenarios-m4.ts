// Module 4 — Linux bridges, NAT and port forwarding for namespaces (plus the pod and Docker networks
// that automate the same recipe).

import type { MachineSpec, TopologySpec } from "../../core/net/topology";
import { bridge, host, nsOnBridge, script, type Scenario } from "./scenario-kit";

/** The stub internet: 192.168.1.1 routes to nothing but owns 8.8.8.8 itself. */
const gw: MachineSpec = host("gw", "lan", "192.168.1.1/24", "ip addr add 8.8.8.8/32 dev lo");

/** lab-host (192.168.1.2) with bridge v-net-0 and the given namespaces, a LAN host and the gateway. */
function bridgeLab(opts: {
  namespaces: [string, string][];
  bridgeCidr?: string;
  nsDefaultRoute?: boolean;
  extraSetup?: string[];
  lanSetup?: string[];
}): TopologySpec {
  const ns = opts.namespaces.flatMap(([name, cidr]) =>
    nsOnBridge(name, "v-net-0", cidr, opts.nsDefaultRoute ? "192.168.15.5" : undefined),
  );
  return {
    switches: ["lan"],
    machines: [
      host("lab-host", "lan", "192.168.1.2/24", ...bridge("v-net-0", opts.bridgeCidr), ...ns, ...(opts.extraSetup ?? [])),
      host("lan-host", "lan", "192.168.1.3/24", ...(opts.lanSetup ?? [])),
      gw,
    ],
  };
}

const four: [string, string][] = [
  ["red", "192.168.15.1/24"],
  ["blue", "192.168.15.2/24"],
  ["yellow", "192.168.15.3/24"],
  ["black", "192.168.15.4/24"],
];

/** Every directed pair of the four namespaces pings the other. */
const allPairs = four
  .flatMap(([from]) => four.filter(([to]) => to !== from).map(([, cidr]) => `@lab-host ip netns exec ${from} ping -c 1 -W 1 ${cidr.split("/")[0]}`))
  .join("\n");

/** Lab 4.2 start: forwarding on, default route to the stub internet, blue (and red) on the bridge. */
const natLab = (extra: string[] = [], lanSetup: string[] = []) =>
  bridgeLab({
    namespaces: [
      ["red", "192.168.15.1/24"],
      ["blue", "192.168.15.2/24"],
    ],
    bridgeCidr: "192.168.15.5/24",
    extraSetup: ["sysctl -w net.ipv4.ip_forward=1", "ip route add default via 192.168.1.1", ...extra],
    lanSetup,
  });

/** node0N: bridge cni0 with 10.244.N.0/24, one pod namespace podN with eth0 = 10.244.N.2, forwarding on. */
function node(n: number): MachineSpec {
  return host(
    `node0${n}`,
    "lan",
    `192.168.1.1${n}/24`,
    "sysctl -w net.ipv4.ip_forward=1",
    ...bridge("cni0", `10.244.${n}.1/24`),
    `ip netns add pod${n}`,
    `ip link add veth-pod${n} type veth peer name ceth0`,
    `ip link set ceth0 netns pod${n}`,
    `ip -n pod${n} link set ceth0 name eth0`,
    `ip link set veth-pod${n} master cni0`,
    `ip link set veth-pod${n} up`,
    `ip -n pod${n} addr add 10.244.${n}.2/24 dev eth0`,
    `ip -n pod${n} link set eth0 up`,
    `ip -n pod${n} link set lo up`,
    `ip -n pod${n} route add default via 10.244.${n}.1`,
  );
}

export const module4: Scenario[] = [
  {
    name: "four namespaces on one bridge: every pair pings (Lab 4.1)",
    module: 4,
    topology: bridgeLab({ namespaces: four }),
    script: script(`
      ${allPairs}
      @lab-host ip link show type bridge
      @lab-host ip link show master v-net-0
      @lab-host bridge link
      @lab-host ip -n yellow addr show veth-yellow
      @lab-host ip netns exec red ip neigh
      @lab-host ip link set veth-blue-br down
      @lab-host ip netns exec red ping -c 1 -W 1 192.168.15.2
      @lab-host bridge link
    `),
  },
  {
    name: "the host reaches the namespaces only once the bridge has an address",
    module: 4,
    topology: bridgeLab({ namespaces: four.slice(0, 2) }),
    script: script(`
      @lab-host ping -c 1 -W 1 192.168.15.1
      @lab-host ip route
      @lab-host ip addr add 192.168.15.5/24 dev v-net-0
      @lab-host ip route
      @lab-host ip addr show type bridge
      @lab-host ping -c 1 -W 1 192.168.15.1
      @lab-host ping -c 1 -W 1 192.168.15.2
      @lab-host ip netns exec red ping -c 1 -W 1 192.168.15.5
      @lab-host ip netns exec red ping -c 1 -W 1 192.168.1.2
      @lab-host ip netns exec red ip route add default via 192.168.15.5
      @lab-host ip netns exec red ping -c 1 -W 1 192.168.1.2
      @lab-host ip netns exec red ping -c 1 -W 1 192.168.1.3
      @lab-host arp -n
      @lab-host ip -br addr
    `),
  },
  {
    name: "namespace to LAN: route, then MASQUERADE makes the replies come back (Lab 4.2)",
    module: 4,
    topology: natLab([], ["echo-server --port 8080 &"]),
    script: script(`
      @lab-host ip netns exec blue ping -c 1 -W 1 192.168.1.3
      @lab-host ip netns exec blue ip route add 192.168.1.0/24 via 192.168.15.5
      @lab-host ip -n blue route
      @lab-host ip netns exec blue ping -c 1 -W 1 192.168.1.3
      @lab-host ip netns exec blue curl -s --connect-timeout 1 http://192.168.1.3:8080/
      @lab-host iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE
      @lab-host ip netns exec blue ping -c 2 -i 0.2 -W 1 192.168.1.3
      @lab-host ip netns exec blue curl -s http://192.168.1.3:8080/hello
      @lab-host ip netns exec blue ping -c 1 -W 1 8.8.8.8
      @lab-host ip netns exec blue ip route add default via 192.168.15.5
      @lab-host ip netns exec blue ping -c 1 -W 1 8.8.8.8
      @lab-host ip netns exec blue route
      @lab-host ip netns exec blue route -n
      @lab-host iptables -t nat -S
      @lab-host iptables -t nat -L -n
      @lab-host iptables -t nat -L
      @lab-host iptables -t nat -D POSTROUTING 1
      @lab-host ip netns exec blue ping -c 1 -W 1 8.8.8.8
      @lab-host iptables -t nat -S POSTROUTING
    `),
  },
  {
    name: "publishing a namespace's web server with DNAT (Lab 4.2 task 4)",
    module: 4,
    topology: natLab([
      "ip -n blue route add default via 192.168.15.5",
      "iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE",
      "ip netns exec blue echo-server --port 80 &",
    ]),
    script: script(`
      @lan-host curl -s --connect-timeout 1 http://192.168.1.2/
      @lan-host nc -z -v -w 1 192.168.1.2 80
      @lab-host iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80
      @lan-host curl -s http://192.168.1.2/index.html
      @lan-host nc -z -v -w 1 192.168.1.2 80
      @lab-host curl -s --connect-timeout 1 http://192.168.1.2/
      @lab-host curl -s http://192.168.15.2/direct
      @lab-host ip netns exec red curl -s -m 2 http://192.168.15.2/from-red
      @lab-host iptables -t nat -L PREROUTING -n --line-numbers
      @lab-host iptables -t nat -L PREROUTING -n -v
    `),
  },
  {
    name: "FORWARD policy DROP blocks routed and bridged traffic; ACCEPT rules restore it",
    module: 4,
    topology: natLab(["ip -n blue route add default via 192.168.15.5", "iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE"]),
    script: script(`
      @lab-host cat /proc/sys/net/bridge/bridge-nf-call-iptables
      @lab-host ip netns exec blue ping -c 1 -W 1 8.8.8.8
      @lab-host iptables -P FORWARD DROP
      @lab-host ip netns exec blue ping -c 1 -W 1 8.8.8.8
      @lab-host ip netns exec blue ping -c 1 -W 1 192.168.15.1
      @lab-host ip netns exec blue ping -c 1 -W 1 192.168.15.5
      @lab-host iptables -A FORWARD -i v-net-0 -j ACCEPT
      @lab-host ip netns exec blue ping -c 1 -W 1 192.168.15.1
      @lab-host ip netns exec blue ping -c 1 -W 1 8.8.8.8
      @lab-host iptables -A FORWARD -o v-net-0 -j ACCEPT
      @lab-host ip netns exec blue ping -c 1 -W 1 8.8.8.8
      @lab-host iptables -L FORWARD -n --line-numbers
      @lab-host iptables -L FORWARD -n -v
      @lab-host iptables -D FORWARD 2
      @lab-host iptables -D FORWARD 1
      @lab-host iptables -P FORWARD ACCEPT
      @lab-host ip netns exec blue ping -c 1 -W 1 8.8.8.8
      @lab-host iptables -S
      @lab-host iptables -L
      @lab-host iptables -t nat -S POSTROUTING
    `),
  },
  {
    name: "REJECT answers Connection refused / port unreachable, DROP times out",
    module: 4,
    topology: {
      switches: ["lan"],
      machines: [
        host("host-a", "lan", "192.168.1.10/24"),
        host("host-b", "lan", "192.168.1.11/24", "echo-server --port 80 &", "nc -lk -p 81 &", "nc -lk -p 82 &"),
      ],
    },
    script: script(`
      @host-a curl -s http://192.168.1.11/
      @host-a nc -z -v -w 1 192.168.1.11 81
      @host-a nc -z -v -w 1 192.168.1.11 83
      @host-b iptables -A INPUT -p tcp --dport 80 -j REJECT
      @host-a curl -s --connect-timeout 1 http://192.168.1.11/
      @host-a nc -z -v -w 1 192.168.1.11 80
      @host-b iptables -A INPUT -p tcp --dport 81 -j REJECT --reject-with tcp-reset
      @host-a nc -z -v -w 1 192.168.1.11 81
      @host-b iptables -A INPUT -p tcp --dport 82 -j DROP
      @host-a nc -z -v -w 1 192.168.1.11 82
      @host-a curl -s --connect-timeout 1 http://192.168.1.11:82/
      @host-b iptables -A INPUT -p icmp -j REJECT
      @host-a ping -c 1 -W 1 192.168.1.11
      @host-b iptables -S INPUT
      @host-b iptables -L INPUT -n
      @host-b iptables -L INPUT
    `),
  },
  {
    name: "pod networking by hand across three nodes (bridge per node, routes between nodes)",
    module: 4,
    topology: { switches: ["lan"], machines: [node(1), node(2), node(3)] },
    script: script(`
      @node01 ip netns exec pod1 ping -c 1 -W 1 10.244.1.1
      @node01 ip netns exec pod1 ping -c 1 -W 1 10.244.2.2
      @node01 ip route add 10.244.2.0/24 via 192.168.1.12
      @node01 ip route add 10.244.3.0/24 via 192.168.1.13
      @node01 ip netns exec pod1 ping -c 1 -W 1 10.244.2.2
      @node02 ip route add 10.244.1.0/24 via 192.168.1.11
      @node02 ip route add 10.244.3.0/24 via 192.168.1.13
      @node03 ip route add 10.244.1.0/24 via 192.168.1.11
      @node03 ip route add 10.244.2.0/24 via 192.168.1.12
      @node01 ip netns exec pod1 ping -c 1 -W 1 10.244.2.2
      @node01 ip netns exec pod1 ping -c 1 -W 1 10.244.3.2
      @node02 ip netns exec pod2 ping -c 1 -W 1 10.244.3.2
      @node03 ip netns exec pod3 echo-server --port 8080 &
      @node01 ip netns exec pod1 curl -s http://10.244.3.2:8080/pods
      @node02 curl -s http://10.244.3.2:8080/node
      @node01 ip route
      @node03 ip -n pod3 addr show eth0
      @node03 ip -n pod3 route
      @node03 ip link show master cni0
      @node01 ip route get 10.244.3.2
    `),
  },
  {
    name: "Docker-style bridge: docker0 172.17.0.1/16, MASQUERADE and a DNAT port map",
    module: 4,
    topology: {
      switches: ["lan"],
      machines: [
        host(
          "dockerhost",
          "lan",
          "192.168.1.2/24",
          "sysctl -w net.ipv4.ip_forward=1",
          ...bridge("docker0", "172.17.0.1/16"),
          "ip netns add c1",
          "ip link add veth1a2b3c type veth peer name c1eth0",
          "ip link set c1eth0 netns c1",
          "ip -n c1 link set c1eth0 name eth0",
          "ip link set veth1a2b3c master docker0",
          "ip link set veth1a2b3c up",
          "ip -n c1 addr add 172.17.0.2/16 dev eth0",
          "ip -n c1 link set eth0 up",
          "ip -n c1 link set lo up",
          "ip -n c1 route add default via 172.17.0.1",
          "ip netns exec c1 echo-server --port 80 &",
        ),
        host("lan-host", "lan", "192.168.1.3/24", "echo-server --port 8080 &"),
      ],
    },
    script: script(`
      @dockerhost iptables -t nat -N DOCKER
      @dockerhost iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
      @dockerhost iptables -t nat -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
      @dockerhost iptables -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
      @dockerhost iptables -t nat -A DOCKER -i docker0 -j RETURN
      @dockerhost iptables -t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
      @lan-host curl -s http://192.168.1.2:8080/docker
      @dockerhost curl -s http://192.168.1.2:8080/hairpin
      @dockerhost ip netns exec c1 curl -s http://192.168.1.3:8080/out
      @dockerhost ip netns exec c1 ping -c 1 -W 1 192.168.1.3
      @dockerhost iptables -t nat -S
      @dockerhost iptables -t nat -L -n
      @dockerhost iptables -t nat -L DOCKER -n --line-numbers
      @dockerhost iptables-save -t nat
      @dockerhost ip addr show docker0
      @dockerhost ip -n c1 route
    `),
  },
  {
    name: "iptables error messages (c-iptables section 6)",
    module: 4,
    topology: { switches: ["lan"], machines: [host("lab-host", "lan", "192.168.1.2/24")] },
    script: script(`
      @lab-host iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT
      @lab-host iptables -t nat -A PREROUTING -j DNAT --to-destination 192.168.15.2:80
      @lab-host iptables -A FORWARD -p tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80
      @lab-host iptables -A INPUT -j MASQUERADE
      @lab-host iptables -t nat -A NOSUCHCHAIN -j ACCEPT
      @lab-host iptables -t nat -L NOSUCHCHAIN
      @lab-host iptables -t nat -A PREROUTING -j NOSUCHTARGET
      @lab-host iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 192.168.15.300:80
      @lab-host iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination abc
      @lab-host iptables -t foo -L
      @lab-host iptables -t nat -D PREROUTING 9
      @lab-host iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE --to-ports 1024-2000
      @lab-host iptables -t nat -N MYCHAIN
      @lab-host iptables -t nat -N MYCHAIN
      @lab-host iptables -t nat -A PREROUTING -j MYCHAIN
      @lab-host iptables -t nat -X MYCHAIN
      @lab-host iptables -p
      @lab-host iptables -A FORWARD --dport 80 -j ACCEPT
      @lab-host iptables -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80
      @lab-host iptables -P FORWARD DENY
      @lab-host iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to 192.168.15.2:80
      @lab-host iptables -t nat -S
      @lab-host iptables -t nat -L -n
    `),
  },
];
