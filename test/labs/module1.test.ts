// Module 1 labs played as a learner would, checked as the syllabus says (state and probes).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { lab, pingOk, routes, addresses, ns, failures, stopAllWorlds } from "./helpers";

after(stopAllWorlds);
import { parseIPv4, formatIPv4 } from "../../core/net/ip";

test("lab 1.1: two switches, one router, one internet gateway", async () => {
  const { world, play } = await lab("lab-1.1");
  // Task 1: address host-a.
  assert.equal(await pingOk(world, "host-a", "192.168.1.11"), false);
  assert.deepEqual(failures(await play("@host-a ip addr add 192.168.1.10/24 dev eth0\n@host-a ip link set eth0 up")), []);
  assert.equal(ns(world, "host-a").byName("eth0")!.operState, "UP");
  assert.deepEqual(addresses(world, "host-a", "eth0"), ["192.168.1.10/24"]);
  assert.equal(await pingOk(world, "host-a", "192.168.1.11"), true);

  // Task 2: host-b has no route to 192.168.2.0/24.
  const [unreach] = await play("@host-b ping -c 1 192.168.2.10");
  assert.deepEqual([unreach.stderr, unreach.exitCode], ["ping: connect: Network is unreachable\n", 2]);
  await play("@host-b ip route add 192.168.2.0/24 via 192.168.1.1");
  assert.ok(routes(world, "host-b").includes("192.168.2.0/24 via 192.168.1.1"));
  // The reply cannot come back yet: host-c has no route to 192.168.1.0/24.
  assert.equal(await pingOk(world, "host-b", "192.168.2.10"), false);

  // Task 3: the return route through rt.
  await play("@host-c ip route add 192.168.1.0/24 via 192.168.2.2");
  assert.equal(await pingOk(world, "host-b", "192.168.2.10"), true);

  // Task 4: defaults via the internet gateway, specific route kept.
  await play("@host-c ip route add default via 192.168.2.1\n@host-d ip route add default via 192.168.2.1\n@host-d ip route add 192.168.1.0/24 via 192.168.2.2");
  const get = await play("@host-c ip route get 8.8.8.8");
  assert.match(get[0].stdout, /^8\.8\.8\.8 via 192\.168\.2\.1 dev eth0 src 192\.168\.2\.10 /);
  assert.equal(await pingOk(world, "host-c", "8.8.8.8"), true);
  // The syllabus expects host-c -> host-a to work here, but host-a has no route back to 192.168.2.0/24
  // until task 5 gives it a default route; a real network drops the reply, and so do we.
  assert.equal(await pingOk(world, "host-c", "192.168.1.10"), false);

  // Task 5: host-a and host-b reach the internet through rt and the gateway's NAT.
  await play("@host-a ip route add default via 192.168.1.1\n@host-b ip route add default via 192.168.1.1");
  assert.ok(routes(world, "host-a").includes("default via 192.168.1.1"));
  assert.equal(await pingOk(world, "host-a", "8.8.8.8"), true);
  assert.equal(await pingOk(world, "host-c", "192.168.1.10"), true);
  const out = await play("@host-a ping -c 2 8.8.8.8");
  assert.match(out[0].stdout, /64 bytes from 8\.8\.8\.8: icmp_seq=1 ttl=62 time=/);
  assert.equal(out[0].exitCode, 0);
});

test("lab 1.1 mistakes: no prefix length, unreachable gateway, 0.0.0.0 without /0", async () => {
  const { world, play } = await lab("lab-1.1");
  await play("@host-a ip addr add 192.168.1.10 dev eth0\n@host-a ip link set eth0 up");
  assert.deepEqual(addresses(world, "host-a", "eth0"), ["192.168.1.10/32"]);
  assert.equal(await pingOk(world, "host-a", "192.168.1.11"), false);
  const [gw] = await play("@host-b ip route add 192.168.2.0/24 via 192.168.3.1");
  assert.deepEqual([gw.stderr, gw.exitCode], ["Error: Nexthop has invalid gateway.\n", 2]);
  await play("@host-b ip route add 0.0.0.0 via 192.168.1.1");
  assert.ok(routes(world, "host-b").includes("0.0.0.0 via 192.168.1.1"));
  assert.ok(!routes(world, "host-b").some((r) => r.startsWith("default")));
});

test("lab 1.2: a Linux box as a router, forwarding made permanent across a reboot", async () => {
  const { world, play } = await lab("lab-1.2");
  await play("@host-a ip route add 192.168.2.0/24 via 192.168.1.6\n@host-c ip route add 192.168.1.0/24 via 192.168.2.6");
  assert.ok(routes(world, "host-a").includes("192.168.2.0/24 via 192.168.1.6"));
  assert.ok(routes(world, "host-c").includes("192.168.1.0/24 via 192.168.2.6"));
  // Task 3: still failing, silently: forwarding is off on host-b.
  const [lost] = await play("@host-a ping -c 2 -W 1 192.168.2.5");
  assert.match(lost.stdout, /2 packets transmitted, 0 received, 100% packet loss/);
  assert.equal(lost.exitCode, 1);
  await play("@host-b echo 1 > /proc/sys/net/ipv4/ip_forward");
  assert.equal(ns(world, "host-b").sysctl.get("net.ipv4.ip_forward"), "1");
  assert.equal(await pingOk(world, "host-a", "192.168.2.5"), true);
  // Task 4: persist, reboot; runtime routes vanish and the lab re-applies them.
  assert.deepEqual(failures(await play(`@host-b echo "net.ipv4.ip_forward = 1" >> /etc/sysctl.conf\n@host-b reboot`)), []);
  assert.equal(ns(world, "host-b").sysctl.get("net.ipv4.ip_forward"), "1");
  // Its NIC addresses come back from /etc/network/interfaces; the ping works again.
  assert.deepEqual(routes(world, "host-b"), ["192.168.1.0/24 dev eth0", "192.168.2.0/24 dev eth1"]);
  assert.equal(await pingOk(world, "host-a", "192.168.2.5"), true);
});

test("lab 1.2 mistakes: a typo in sysctl.conf, and editing the file without sysctl -p", async () => {
  const { world, play } = await lab("lab-1.2");
  const [typo] = await play(`@host-b echo "net.ipv4.ip_foward = 1" >> /etc/sysctl.conf\n@host-b sysctl -p`).then((r) => r.slice(1));
  assert.equal(typo.exitCode, 1);
  assert.match(typo.stderr, /cannot stat \/proc\/sys\/net\/ipv4\/ip_foward/);
  await play(`@host-b sed -i 's/ip_foward/ip_forward/' /etc/sysctl.conf`);
  assert.equal(ns(world, "host-b").sysctl.get("net.ipv4.ip_forward"), "0");
  await play("@host-b sysctl -p");
  assert.equal(ns(world, "host-b").sysctl.get("net.ipv4.ip_forward"), "1");
  assert.equal(formatIPv4(parseIPv4("192.168.2.5")!), "192.168.2.5");
});
