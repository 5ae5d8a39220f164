// The comparison rules of the differential suite, on outputs captured from the real kernel (no root needed).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CommandResult } from "../../core/script/types";
import { compareRuns, parsePing } from "./compare";
import { normalizeStderr, normalizeStdout, parseIp, program, type NormalizeContext } from "./normalize";
import type { Scenario } from "./scenario-kit";

const ctx: NormalizeContext = { machineNics: ["eth0"], knownMacs: new Set(["02:42:ac:11:00:0a"]) };

describe("normalisation", () => {
  test("a machine NIC (veth on the kernel) equals a physical card in the simulator", () => {
    const kernel = [
      "2: eth0@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000",
      "    link/ether c2:f9:75:4a:4f:8e brd ff:ff:ff:ff:ff:ff link-netnsid 0",
      "    inet 192.168.1.10/32 scope global eth0",
      "       valid_lft forever preferred_lft forever",
      "    inet6 fe80::c0f9:75ff:fe4a:4f8e/64 scope link tentative ",
      "       valid_lft forever preferred_lft forever",
      "",
    ].join("\n");
    const sim = [
      "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000",
      "    link/ether 52:54:00:00:01:0a brd ff:ff:ff:ff:ff:ff",
      "    inet 192.168.1.10/32 scope global eth0",
      "       valid_lft forever preferred_lft forever",
      "",
    ].join("\n");
    assert.equal(normalizeStdout(kernel, "ip addr show eth0", ctx), normalizeStdout(sim, "ip addr show eth0", ctx));
    // …but a real difference (the prefix) still shows.
    assert.notEqual(
      normalizeStdout(kernel, "ip addr show eth0", ctx),
      normalizeStdout(sim.replace("/32", "/24"), "ip addr show eth0", ctx),
    );
  });

  test("veth peers inside namespaces keep @ifN and link-netns, with numbers normalised", () => {
    const a = "6: veth-red@if5: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 3e:c5:2f:30:6f:c8 brd ff:ff:ff:ff:ff:ff link-netns blue\n";
    const b = "9: veth-red@if8: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 52:54:00:aa:bb:cc brd ff:ff:ff:ff:ff:ff link-netnsid 1\n";
    assert.equal(normalizeStdout(a, "ip -n red link", ctx), normalizeStdout(b, "ip -n red link", ctx));
    assert.match(normalizeStdout(a, "ip -n red link", ctx), /^N: veth-red@ifN: /);
    const veths = "2: eth0@if3: <BROADCAST> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n    link/ether c2:f9:75:4a:4f:8e brd ff:ff:ff:ff:ff:ff link-netnsid 0\n";
    assert.equal(normalizeStdout(veths, "ip link show type veth", ctx), "");
  });

  test("fixed MACs from the scenario are kept, random ones are not", () => {
    const out = normalizeStdout("    link/ether 02:42:ac:11:00:0a brd ff:ff:ff:ff:ff:ff\n    link/ether 3e:c5:2f:30:6f:c8\n", "ip link", ctx);
    assert.equal(out, "    link/ether 02:42:ac:11:00:0a brd ff:ff:ff:ff:ff:ff\n    link/ether <mac>\n");
  });

  test("brief listings drop IPv6 tokens and the peer index of machine NICs", () => {
    const kernel = "lo               UNKNOWN        127.0.0.1/8 ::1/128 \neth0@if3         UP             192.168.1.10/24 fe80::c0f9:75ff:fe4a:4f8e/64 \n";
    const sim = "lo               UNKNOWN        127.0.0.1/8 \neth0             UP             192.168.1.10/24 \n";
    assert.equal(normalizeStdout(kernel, "ip -br addr", ctx), normalizeStdout(sim, "ip -br addr", ctx));
  });

  test("neighbour tables: transient states and order do not matter, FAILED and lladdr do", () => {
    const kernel = "192.168.15.3 dev v-net-0 lladdr 56:12:a4:25:93:a0 STALE \n192.168.1.99 dev eth0 FAILED \nfe80::1 dev eth0 lladdr 56:12:a4:25:93:a1 router STALE \n";
    const sim = "192.168.1.99 dev eth0 FAILED \n192.168.15.3 dev v-net-0 lladdr 52:54:00:00:00:01 REACHABLE \n";
    assert.equal(normalizeStdout(kernel, "ip neigh", ctx), normalizeStdout(sim, "ip n", ctx));
    assert.notEqual(normalizeStdout(kernel, "ip neigh", ctx), normalizeStdout(sim.replace("FAILED", "INCOMPLETE"), "ip neigh", ctx));
  });

  test("ip netns list: order and peer ids are not compared", () => {
    assert.equal(normalizeStdout("blue (id: 2)\nred (id: 1)\n", "ip netns list", ctx), normalizeStdout("red\nblue\n", "ip netns", ctx));
  });

  test("echo-server JSON: the client's ephemeral port is ignored, everything else compared", () => {
    const a = '{"name":"lab-host","local":{"address":"192.168.15.2","port":80},"client":{"address":"192.168.1.3","port":58392},"method":"GET"}\n';
    const b = '{\n  "client": {"address": "192.168.1.3", "port": 40000},\n  "local": {"address": "192.168.15.2", "port": 80},\n  "method": "GET", "name": "lab-host"\n}\n';
    assert.equal(normalizeStdout(a, "curl -s http://192.168.1.2/", ctx), normalizeStdout(b, "curl -s http://192.168.1.2/", ctx));
    assert.notEqual(normalizeStdout(a, "curl -s x", ctx), normalizeStdout(b.replace("192.168.1.3", "192.168.1.2"), "curl -s x", ctx));
  });

  test("stderr: only the iptables version and empty lines are normalised", () => {
    assert.equal(
      normalizeStderr('iptables v1.8.9 (nf_tables): DNAT: option "--to-destination" must be specified\n\nTry `iptables -h\' or \'iptables --help\' for more information.\n'),
      normalizeStderr('iptables v1.8.10 (nf_tables): DNAT: option "--to-destination" must be specified\nTry `iptables -h\' or \'iptables --help\' for more information.\n'),
    );
    assert.notEqual(normalizeStderr("RTNETLINK answers: File exists\n"), normalizeStderr("RTNETLINK answers: File exists.\n"));
  });

  test("iptables -n protocol numbers (1.8.9) equal protocol names (1.8.7, 1.8.10+)", () => {
    const v189 = "Chain FORWARD (policy DROP 3 packets, 252 bytes)\n pkts bytes target     prot opt in     out     source               destination         \n    4   336 ACCEPT     0    --  v-net-0 *       0.0.0.0/0            0.0.0.0/0           \nMASQUERADE  0    --  192.168.15.0/24      0.0.0.0/0           \nDNAT       6    --  0.0.0.0/0            0.0.0.0/0            tcp dpt:80 to:192.168.15.2:80\n";
    const named = "Chain FORWARD (policy DROP 3 packets, 252 bytes)\n pkts bytes target     prot opt in     out     source               destination         \n    4   336 ACCEPT     all  --  v-net-0 *       0.0.0.0/0            0.0.0.0/0           \nMASQUERADE  all  --  192.168.15.0/24      0.0.0.0/0           \nDNAT       tcp  --  0.0.0.0/0            0.0.0.0/0            tcp dpt:80 to:192.168.15.2:80\n";
    assert.equal(normalizeStdout(v189, "iptables -L FORWARD -n -v", ctx), normalizeStdout(named, "iptables -L FORWARD -n -v", ctx));
    assert.notEqual(normalizeStdout(v189, "iptables -L -n", ctx), normalizeStdout(named.replace("4   336", "5   420"), "iptables -L -n", ctx));
  });

  test("iptables-save banners", () => {
    const a = "# Generated by iptables-save v1.8.9 (nf_tables) on Sat Nov 21 20:27:13 2026\n*nat\nCOMMIT\n# Completed on Sat Nov 21 20:27:13 2026\n";
    const b = "# Generated by iptables-save v1.8.9 (nf_tables) on Mon Jan  1 00:00:00 2024\n*nat\nCOMMIT\n# Completed on Mon Jan  1 00:00:00 2024\n";
    assert.equal(normalizeStdout(a, "iptables-save -t nat", ctx), normalizeStdout(b, "iptables-save -t nat", ctx));
  });

  test("ip object abbreviations and the program behind ip netns exec", () => {
    assert.equal(parseIp("ip n").object, "neighbour");
    assert.equal(parseIp("ip -n red neigh show dev veth-red").object, "neighbour");
    assert.equal(parseIp("ip net").object, "netns");
    assert.equal(parseIp("ip a s eth0").object, "address");
    assert.equal(parseIp("ip l sh eth0").object, "link");
    assert.equal(parseIp("ip -4 -br addr").object, "address");
    assert.equal(program("ip netns exec blue ping -c 1 8.8.8.8"), "ping");
  });
});

describe("comparison", () => {
  test("ping: timings are ignored; counts, errors, TTLs and From sources are not", () => {
    const p = parsePing(
      "PING 192.168.1.99 (192.168.1.99) 56(84) bytes of data.\nFrom 192.168.1.5 icmp_seq=1 Destination Host Unreachable\n\n--- 192.168.1.99 ping statistics ---\n1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n\n",
    );
    assert.deepEqual(p, {
      header: "PING 192.168.1.99 (192.168.1.99) 56(84) bytes of data.",
      transmitted: 1,
      received: 0,
      errors: 1,
      replies: [],
      from: ["192.168.1.5 Destination Host Unreachable"],
      other: [],
    });
    assert.deepEqual(parsePing("64 bytes from 10.0.0.2: icmp_seq=1 ttl=63 time=0.069 ms\n").replies, ["10.0.0.2 ttl=63"]);
  });

  const scenario: Scenario = { name: "t", module: 1, topology: { machines: [{ name: "a", nics: [{ name: "eth0" }] }] }, script: "" };
  const r = (command: string, stdout: string, exitCode = 0, stderr = ""): CommandResult => ({ host: "a", command, stdout, stderr, exitCode });

  test("equal runs have no differences; each kind of difference is reported", () => {
    const kernel = [
      r("ping -c 1 -W 1 10.0.0.2", "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.069 ms\n\n--- 10.0.0.2 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.069/0.069/0.069/0.000 ms\n"),
      r("ip route", "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1 \n"),
      r("ip route add 10.0.0.0/24 dev eth0", "", 2, "RTNETLINK answers: File exists\n"),
    ];
    const sim = kernel.map((x) => ({ ...x, stdout: x.stdout.replace("0.069 ms", "0.050 ms").replace("time 0ms", "time 1ms") }));
    assert.deepEqual(compareRuns(scenario, sim, kernel), []);
    const bad = [
      { ...kernel[0], stdout: kernel[0].stdout.replace("ttl=64", "ttl=63") },
      { ...kernel[1], stdout: "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1\n" },
      { ...kernel[2], exitCode: 1, stderr: "RTNETLINK answers: File exists\n" },
    ];
    assert.deepEqual(
      compareRuns(scenario, bad, kernel).map((d) => `${d.index} ${d.what}`),
      ["0 ping replies (source, ttl)", "1 stdout (normalized)", "2 exit code"],
    );
    assert.deepEqual(
      compareRuns(scenario, kernel.slice(0, 2), kernel).map((d) => d.what),
      ["script results are out of step"],
    );
  });
});
