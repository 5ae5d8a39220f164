// Golden tests for ip/bridge against the captured iproute2 6.1 outputs (shared/reference/a-iproute2.md)
// and the real tool's behaviour checked in throwaway namespaces. MACs are random on a real machine,
// so they are masked; ifindexes follow the simulator's allocation (lo=1, eth0=2, …).
import { test } from "node:test";
import assert from "node:assert/strict";
import { World } from "../../../script/world";

const MAC = /\b([0-9a-f]{2}:){5}[0-9a-f]{2}\b/g;
const mask = (s: string) => s.replace(MAC, (m) => (m === "00:00:00:00:00:00" || m === "ff:ff:ff:ff:ff:ff" ? m : "MAC"));

async function world(): Promise<World> {
  const w = new World();
  await w.build({ machines: [{ name: "node01", nics: [{ name: "eth0", link: "switch:lan" }] }], switches: ["lan"] });
  return w;
}

function sh(w: World) {
  const s = w.shell("node01");
  return async (line: string) => {
    const r = await s.exec(line);
    return { out: mask(r.stdout), err: r.stderr, code: r.exitCode };
  };
}

const lines = (...l: string[]) => l.join("\n") + "\n";

test("veth pair: @peer naming, M-DOWN, move into namespaces, link-netns, /32 address", async () => {
  const w = await world();
  const ip = sh(w);
  await ip("ip netns add red");
  await ip("ip netns add blue");
  assert.equal((await ip("ip netns")).out, "blue\nred\n");
  assert.equal((await ip("ip link add veth-red type veth peer name veth-blue")).code, 0);
  assert.equal(
    (await ip("ip link show type veth")).out,
    lines(
      "3: veth-blue@veth-red: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000",
      "    link/ether MAC brd ff:ff:ff:ff:ff:ff",
      "4: veth-red@veth-blue: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000",
      "    link/ether MAC brd ff:ff:ff:ff:ff:ff",
    ),
  );
  await ip("ip link set veth-red netns red");
  await ip("ip link set veth-blue netns blue");
  const redLink = lines(
    "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000",
    "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
    "4: veth-red@if3: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000",
    "    link/ether MAC brd ff:ff:ff:ff:ff:ff link-netns blue",
  );
  assert.equal((await ip("ip -n red link")).out, redLink);
  assert.equal((await ip("ip netns exec red ip link")).out, redLink);
  assert.equal((await ip("ip netns list")).out, "blue (id: 1)\nred (id: 0)\n");
  await ip("ip -n red addr add 192.168.15.1 dev veth-red");
  assert.equal(
    (await ip("ip -n red addr")).out,
    lines(
      "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN group default qlen 1000",
      "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
      "4: veth-red@if3: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default qlen 1000",
      "    link/ether MAC brd ff:ff:ff:ff:ff:ff link-netns blue",
      "    inet 192.168.15.1/32 scope global veth-red",
      "       valid_lft forever preferred_lft forever",
    ),
  );
});

test("link states: NO-CARRIER/LOWERLAYERDOWN, linkdown route, UP, -4, -br, lo", async () => {
  const w = await world();
  const ip = sh(w);
  for (const l of ["ip netns add red", "ip netns add blue", "ip link add veth-red type veth peer name veth-blue", "ip link set veth-red netns red", "ip link set veth-blue netns blue", "ip -n red addr add 192.168.15.1/24 dev veth-red", "ip -n blue addr add 192.168.15.2/24 dev veth-blue", "ip -n red link set veth-red up"])
    assert.equal((await ip(l)).code, 0, l);
  assert.equal(
    (await ip("ip -n red link show veth-red")).out,
    lines(
      "4: veth-red@if3: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000",
      "    link/ether MAC brd ff:ff:ff:ff:ff:ff link-netns blue",
    ),
  );
  assert.equal((await ip("ip -n red route")).out, "192.168.15.0/24 dev veth-red proto kernel scope link src 192.168.15.1 linkdown \n");
  await ip("ip -n blue link set veth-blue up");
  assert.equal((await ip("ip -n red route")).out, "192.168.15.0/24 dev veth-red proto kernel scope link src 192.168.15.1 \n");
  assert.equal(
    (await ip("ip -n red -4 addr")).out,
    lines(
      "4: veth-red@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000 link-netns blue",
      "    inet 192.168.15.1/24 scope global veth-red",
      "       valid_lft forever preferred_lft forever",
    ),
  );
  assert.equal((await ip("ip -n red -br addr")).out, "lo               DOWN           \nveth-red@if3     UP             192.168.15.1/24 \n");
  assert.equal((await ip("ip -n red -br link")).out, "lo               DOWN           00:00:00:00:00:00 <LOOPBACK> \nveth-red@if3     UP             MAC <BROADCAST,MULTICAST,UP,LOWER_UP> \n");
  await ip("ip -n red link set lo up");
  assert.equal(
    (await ip("ip -n red addr show lo")).out,
    lines(
      "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000",
      "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
      "    inet 127.0.0.1/8 scope host lo",
      "       valid_lft forever preferred_lft forever",
    ),
  );
  assert.equal(
    (await ip("ip -n red route show table local")).out,
    lines(
      "local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 ",
      "local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1 ",
      "broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1 ",
      "local 192.168.15.1 dev veth-red proto kernel scope host src 192.168.15.1 ",
      "broadcast 192.168.15.255 dev veth-red proto kernel scope link src 192.168.15.1 ",
    ),
  );
  assert.equal((await ip("ip -n red -s link show veth-red")).out.split("\n").slice(2).join("\n"), [
    "    RX:  bytes packets errors dropped  missed   mcast           ",
    "             0       0      0       0       0       0 ",
    "    TX:  bytes packets errors dropped carrier collsns           ",
    "             0       0      0       0       0       0 ",
    "",
  ].join("\n"));
  // Deleting one end deletes the pair, even across namespaces.
  assert.equal((await ip("ip -n red link del veth-red")).code, 0);
  assert.equal((await ip("ip -n blue link show veth-blue")).err, 'Device "veth-blue" does not exist.\n');
});

test("physical NIC and the bridge host view: master, bridge link, brctl, -d", async () => {
  const w = await world();
  const ip = sh(w);
  assert.equal(
    (await ip("ip link show eth0")).out,
    lines("2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000", "    link/ether MAC brd ff:ff:ff:ff:ff:ff"),
  );
  for (const l of ["ip link add v-net-0 type bridge", "ip link set dev v-net-0 up", "ip netns add red", "ip link add veth-red type veth peer name veth-red-br", "ip link set veth-red netns red", "ip link set veth-red-br master v-net-0", "ip link set veth-red-br up", "ip -n red link set veth-red up", "ip addr add 192.168.15.5/24 dev v-net-0"])
    assert.equal((await ip(l)).code, 0, l);
  assert.equal(
    (await ip("ip link show master v-net-0")).out,
    lines(
      "4: veth-red-br@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master v-net-0 state UP mode DEFAULT group default qlen 1000",
      "    link/ether MAC brd ff:ff:ff:ff:ff:ff link-netns red",
    ),
  );
  assert.equal((await ip("bridge link")).out, "4: veth-red-br@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master v-net-0 state forwarding priority 32 cost 2 \n");
  const br = w.sim.machine("node01")!.root.byName("v-net-0")!;
  assert.equal(br.mac, w.sim.machine("node01")!.root.byName("veth-red-br")!.mac, "the bridge takes its port's MAC");
  assert.equal((await ip("brctl show")).out, `bridge name\tbridge id\t\tSTP enabled\tinterfaces\nv-net-0\t\t8000.MAC\tno\t\tveth-red-br\n`.replace("8000.MAC", `8000.${br.mac.replace(/:/g, "")}`));
  assert.equal(
    (await ip("ip addr show type bridge")).out,
    lines(
      "3: v-net-0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000",
      "    link/ether MAC brd ff:ff:ff:ff:ff:ff",
      "    inet 192.168.15.5/24 scope global v-net-0",
      "       valid_lft forever preferred_lft forever",
    ),
  );
  const d = (await ip("ip -d link show veth-red-br")).out.split("\n");
  assert.match(d[1], / link-netns red promiscuity 1  allmulti 1 minmtu 68 maxmtu 65535 $/);
  assert.equal(d[2], "    veth ");
  assert.match(d[3], /^    bridge_slave state forwarding priority 32 cost 2 hairpin off /);
  assert.equal((await ip("bridge link set dev veth-red-br hairpin on")).code, 0);
  assert.match((await ip("bridge -d link")).out, /\n    hairpin on guard off/);
  assert.equal((await ip("bridge vlan")).out, "port              vlan-id  \nv-net-0           1 PVID Egress Untagged\nveth-red-br       1 PVID Egress Untagged\n");
  await ip("ip link set veth-red-br nomaster");
  assert.equal((await ip("ip link show master v-net-0")).out, "");
  assert.equal((await ip("bridge link")).out, "");
});

test("routes: ordering, default vs 0.0.0.0 (a /32), types, metrics, onlink, replace/append, del", async () => {
  const w = await world();
  const ip = sh(w);
  for (const l of [
    "ip addr add 192.168.15.1/24 dev eth0",
    "ip route add 10.0.0.0/24 via 192.168.15.5",
    "ip route add 10.0.0.0/24 via 192.168.15.6 metric 100",
    "ip route add 10.0.0.0/16 via 192.168.15.5 dev eth0 proto static",
    "ip route add default via 192.168.15.5",
    "ip route add 0.0.0.0/0 via 192.168.15.6 metric 50",
    "ip route add 0.0.0.0 via 192.168.15.5",
    "ip route add 10.1.0.0/24 via 172.16.0.1 dev eth0 onlink",
    "ip route add 10.2.0.0/24 dev eth0",
    "ip route add blackhole 10.6.0.0/16",
    "ip route add unreachable 10.9.0.0/16",
    "ip route add 10.22.0.0/24 dev eth0 proto 42",
  ])
    assert.equal((await ip(l)).code, 0, l);
  assert.equal(
    (await ip("ip route")).out,
    lines(
      "0.0.0.0 via 192.168.15.5 dev eth0 ",
      "default via 192.168.15.5 dev eth0 ",
      "default via 192.168.15.6 dev eth0 metric 50 ",
      "10.0.0.0/24 via 192.168.15.5 dev eth0 ",
      "10.0.0.0/24 via 192.168.15.6 dev eth0 metric 100 ",
      "10.0.0.0/16 via 192.168.15.5 dev eth0 proto static ",
      "10.1.0.0/24 via 172.16.0.1 dev eth0 onlink ",
      "10.2.0.0/24 dev eth0 scope link ",
      "blackhole 10.6.0.0/16 ",
      "unreachable 10.9.0.0/16 ",
      "10.22.0.0/24 dev eth0 proto babel scope link ",
      "192.168.15.0/24 dev eth0 proto kernel scope link src 192.168.15.1 ",
    ),
  );
  assert.equal((await ip("ip r s 10.0.0.0/24")).out, "10.0.0.0/24 via 192.168.15.5 dev eth0 \n10.0.0.0/24 via 192.168.15.6 dev eth0 metric 100 \n");
  assert.equal((await ip("ip route show dev eth0 proto kernel")).out, "192.168.15.0/24 scope link src 192.168.15.1 \n");
  assert.equal((await ip("ip route add default via 192.168.15.6")).err, "RTNETLINK answers: File exists\n");
  assert.equal((await ip("ip route replace default via 192.168.15.7")).code, 0);
  assert.match((await ip("ip route show default")).out, /^default via 192\.168\.15\.7 dev eth0 \n/);
  assert.equal((await ip("ip route del 10.0.0.0/24")).code, 0);
  assert.equal((await ip("ip route del 10.0.0.0/24")).code, 0, "the metric 100 one");
  const r = await ip("ip route del 10.0.0.0/24");
  assert.deepEqual([r.err, r.code], ["RTNETLINK answers: No such process\n", 2]);
  assert.deepEqual(await ip("ip route change 10.99.0.0/24 via 192.168.15.7"), { out: "", err: "RTNETLINK answers: No such file or directory\n", code: 2 });
  assert.deepEqual(await ip("ip route flush"), { out: "", err: '"ip route flush" requires arguments.\n', code: 1 });
});

test("ip route get: gateway, connected, local, errors, forwarding decision with iif", async () => {
  const w = await world();
  const ip = sh(w);
  await ip("ip addr add 192.168.15.1/24 dev eth0");
  await ip("ip route add 10.0.0.0/24 via 192.168.15.5");
  await ip("ip route add blackhole 10.6.0.0/16");
  assert.equal((await ip("ip route get 10.0.0.7")).out, "10.0.0.7 via 192.168.15.5 dev eth0 src 192.168.15.1 uid 0 \n    cache \n");
  assert.equal((await ip("ip route get 192.168.15.9")).out, "192.168.15.9 dev eth0 src 192.168.15.1 uid 0 \n    cache \n");
  assert.equal((await ip("ip route get 192.168.15.1")).out, "local 192.168.15.1 dev lo src 192.168.15.1 uid 0 \n    cache <local> \n");
  assert.equal((await ip("ip route get 10.0.0.7 from 192.168.15.1")).out, "10.0.0.7 from 192.168.15.1 via 192.168.15.5 dev eth0 uid 0 \n    cache \n");
  assert.deepEqual(await ip("ip route get 8.8.8.8"), { out: "", err: "RTNETLINK answers: Network is unreachable\n", code: 2 });
  assert.equal((await ip("ip route get 10.6.0.1")).err, "RTNETLINK answers: Invalid argument\n");
  assert.equal((await ip("ip route get 10.0.0.7 from 192.168.15.2 iif eth0")).err, "RTNETLINK answers: No route to host\n");
  w.sim.machine("node01")!.root.sysctl.set("net.ipv4.ip_forward", "1");
  assert.equal((await ip("ip route get 10.0.0.7 from 192.168.15.2 iif eth0")).out, "10.0.0.7 from 192.168.15.2 via 192.168.15.5 dev eth0 \n    cache <redirect> iif eth0 \n");
  assert.equal((await ip("ip route get 10.20.0.1 from 192.168.15.2 iif eth0")).err, "RTNETLINK answers: Network is unreachable\n");
  assert.deepEqual(await ip("ip route get"), { out: "", err: "need at least a destination address\n", code: 1 });
});

test("error messages of the reference (§8) with exit codes", async () => {
  const w = await world();
  const ip = sh(w);
  for (const l of ["ip netns add red", "ip link add veth-red type veth peer name veth-red-br", "ip link set veth-red netns red", "ip -n red addr add 192.168.15.1/24 dev veth-red", "ip -n red link set veth-red up", "ip link set veth-red-br up"])
    assert.equal((await ip(l)).code, 0, l);
  const cases: [string, string, number][] = [
    ["ip -n red route add 10.0.0.0/24 via 172.16.0.1", "Error: Nexthop has invalid gateway.\n", 2],
    ["ip -n red route add 10.0.0.0/24 via 192.168.15.5", "", 0],
    ["ip -n red route add 10.0.0.0/24 via 192.168.15.5", "RTNETLINK answers: File exists\n", 2],
    ["ip -n red route del 10.0.0.0/24", "", 0],
    ["ip -n red route del 10.0.0.0/24", "RTNETLINK answers: No such process\n", 2],
    ["ip -n red route add 10.0.0.0/24 via 192.168.15.5 dev veth-nosuch", 'Cannot find device "veth-nosuch"\n', 1],
    ["ip -n red addr add 192.168.15.1/24 dev veth-red", "Error: ipv4: Address already assigned.\n", 2],
    ["ip -n red addr add 192.168.15.1/24 veth-red", 'Error: either "local" is duplicate, or "veth-red" is a garbage.\n', 255],
    ["ip -n red addr add 192.168.15.300/24 dev veth-red", 'Error: any valid prefix is expected rather than "192.168.15.300/24".\n', 1],
    ["ip -n red addr del 192.168.15.77/24 dev veth-red", "Error: ipv4: Address not found.\n", 2],
    ["ip -n red link set veth-nosuch up", 'Cannot find device "veth-nosuch"\n', 1],
    ["ip -n red addr show dev veth-nosuch", 'Device "veth-nosuch" does not exist.\n', 1],
    ["ip -n red link show veth-nosuch", 'Device "veth-nosuch" does not exist.\n', 1],
    ["ip link add veth-red-br type veth peer name xx", "RTNETLINK answers: File exists\n", 2],
    ["ip link set veth-red-br master nosuch-br", 'Error: argument "nosuch-br" is wrong: Device does not exist\n\n', 255],
    ["ip foo", 'Object "foo" is unknown, try "ip help".\n', 1],
    ["ip link foo", 'Command "foo" is unknown, try "ip link help".\n', 255],
    ["ip addr foo", 'Command "foo" is unknown, try "ip address help".\n', 255],
    ["ip route add 10.9.9.0/24", "RTNETLINK answers: No such device\n", 2],
    ["ip netns add red", 'Cannot create namespace file "/run/netns/red": File exists\n', 1],
    ["ip netns exec nosuch ip link", 'Cannot open network namespace "nosuch": No such file or directory\n', 255],
    ["ip -n nosuch link", 'Cannot open network namespace "nosuch": No such file or directory\n', 255],
    ["ip netns del nosuch", 'Cannot remove namespace file "/run/netns/nosuch": No such file or directory\n', 1],
    ["ip link add a type veth", '"type" is invalid lladdr.\n', 1],
    ["ip link add foo type nosuch", "Error: Unknown device type.\n", 2],
    ["ip link add foo", 'Not enough information: "type" argument is required\n', 1],
    ["ip link set veth-red-br foo", 'Error: either "dev" is duplicate, or "foo" is a garbage.\n', 255],
    ["ip link set veth-red-br mtu abc", 'Error: argument "abc" is wrong: Invalid "mtu" value\n\n', 255],
    ["ip route add 10.17.0.5/24 dev veth-red-br", "Error: Invalid prefix for given prefix length.\n", 2],
    ["ip -x", 'Option "-x" is unknown, try "ip -help".\n', 255],
    ["ip addr flush", "Flush requires arguments.\n", 1],
    ["ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09", "Device and destination are required arguments.\n", 255],
  ];
  for (const [cmd, err, code] of cases) {
    const r = await ip(cmd);
    assert.deepEqual([r.err, r.code], [err, code], cmd);
  }
  assert.equal((await ip("ip -V")).out, "ip utility, iproute2-6.1.0, libbpf 1.1.2\n");
  assert.match((await ip("ip")).err, /^Usage: ip \[ OPTIONS \] OBJECT \{ COMMAND \| help \}\n/);
});

test("abbreviations (§9) give the long forms' output", async () => {
  const w = await world();
  const ip = sh(w);
  await ip("ip netns add red");
  await ip("ip addr add 192.168.1.2/24 dev eth0");
  const same: [string, string][] = [
    ["ip a", "ip address show"],
    ["ip ad", "ip addr"],
    ["ip a s eth0", "ip addr show eth0"],
    ["ip r", "ip route show"],
    ["ip ro", "ip route list"],
    ["ip r s", "ip route"],
    ["ip l", "ip link show"],
    ["ip l sh", "ip link"],
    ["ip n", "ip neighbour"],
    ["ip n s", "ip neighbor show"],
    ["ip net", "ip netns list"],
    ["ip m", "ip maddress"],
    ["ip ru", "ip rule show"],
    ["ip t", "ip tunnel show"],
  ];
  for (const [short, long] of same) assert.deepEqual(await ip(short), await ip(long), short);
  assert.equal((await ip("ip ru")).out, "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n");
  assert.equal((await ip("ip net")).out, "red\n");
});

test("netns exec: pipelines, sh -c, exit codes, identify, machine-wide namespaces", async () => {
  const w = await world();
  const ip = sh(w);
  await ip("ip netns add red");
  assert.equal((await ip("ip netns exec red ip link | grep -c LOOPBACK")).out, "1\n");
  assert.equal((await ip("ip netns exec red sh -c 'ip -br link | wc -l'")).out, "1\n");
  assert.equal((await ip("ip netns exec red sh -c 'exit 3'")).code, 3);
  assert.equal((await ip("ip netns identify")).out, "\n");
  assert.equal((await ip("ip netns exec red ip netns identify")).out, "red\n");
  assert.equal((await ip("ip -n red netns identify")).out, "red\n");
  await ip("ip netns exec red ip netns add green");
  assert.equal((await ip("ip netns")).out, "green\nred\n");
  assert.deepEqual(await ip("ip netns exec red"), { out: "", err: "No command specified\n", code: 1 });
  assert.equal((await ip("ip netns set red 7")).code, 0);
  assert.equal((await ip("ip netns")).out, "green\nred (id: 7)\n");
  assert.equal((await ip("ip netns set red 8")).err, "Error: Peer netns already has a nsid assigned.\n");
});

test("neighbours: add/replace/del/flush, FAILED without lladdr, show dev omits dev", async () => {
  const w = await world();
  const ip = sh(w);
  await ip("ip addr add 192.168.15.1/24 dev eth0");
  assert.equal((await ip("ip neigh add 192.168.15.2 lladdr 02:00:00:00:00:02 dev eth0")).code, 0);
  assert.equal((await ip("ip neigh add 192.168.15.2 lladdr 02:00:00:00:00:02 dev eth0")).err, "RTNETLINK answers: File exists\n");
  await ip("ip neigh add 192.168.15.4 lladdr 02:00:00:00:00:04 dev eth0 nud stale");
  await ip("ip neigh add 192.168.15.9 dev eth0 nud failed");
  assert.equal(
    (await ip("ip neigh")).out.replace(MAC, "MAC"),
    lines("192.168.15.2 dev eth0 lladdr MAC PERMANENT ", "192.168.15.4 dev eth0 lladdr MAC STALE ", "192.168.15.9 dev eth0 FAILED "),
  );
  assert.equal((await ip("ip neigh show dev eth0")).out, lines("192.168.15.2 lladdr MAC PERMANENT ", "192.168.15.4 lladdr MAC STALE ", "192.168.15.9 FAILED "));
  assert.equal((await ip("ip neigh flush dev eth0")).code, 0);
  assert.equal((await ip("ip neigh")).out, "192.168.15.2 dev eth0 lladdr MAC PERMANENT \n");
  assert.equal((await ip("ip neigh del 192.168.15.2 dev eth0")).code, 0);
  assert.equal((await ip("ip neigh del 192.168.15.2 dev eth0")).err, "RTNETLINK answers: No such file or directory\n");
});

test("JSON output follows iproute2's json_writer", async () => {
  const w = await world();
  const ip = sh(w);
  await ip("ip addr add 192.168.15.1/24 dev eth0");
  assert.equal((await ip("ip -j route")).out, '[{"dst":"192.168.15.0/24","dev":"eth0","protocol":"kernel","scope":"link","prefsrc":"192.168.15.1","flags":[]}]\n');
  assert.equal(
    (await ip("ip -j -p route")).out,
    '[ {\n        "dst": "192.168.15.0/24",\n        "dev": "eth0",\n        "protocol": "kernel",\n        "scope": "link",\n        "prefsrc": "192.168.15.1",\n        "flags": [ ]\n    } ]\n',
  );
  assert.deepEqual(JSON.parse((await ip("ip -j addr show lo")).out)[0].addr_info[0].local, "127.0.0.1");
});

test("a burst of odd command lines never reaches the internal-error path", async () => {
  const w = await world();
  const ip = sh(w);
  const toks = ["-n", "red", "-4", "-s", "-d", "-br", "-o", "-j", "link", "addr", "route", "neigh", "netns", "add", "del", "set", "show", "flush", "get", "dev", "eth0", "lo", "type", "veth", "peer", "name", "up", "master", "via", "10.0.0.0/24", "default", "metric", "x", "", "lladdr", "nud", "exec", "true", "table", "all"];
  let seed = 1;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
  await ip("ip netns add red");
  for (let i = 0; i < 400; i++) {
    const words = Array.from({ length: 1 + rnd(6) }, () => toks[rnd(toks.length)] || "''");
    await ip(`${rnd(5) === 0 ? "bridge" : "ip"} ${words.join(" ")}`);
  }
  assert.deepEqual(w.sim.internalErrors, []);
});
