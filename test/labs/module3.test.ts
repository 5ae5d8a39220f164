// Module 3 lab played as a learner would, checked as the syllabus says.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { lab, pingOk, addresses, ns, failures, stopAllWorlds } from "./helpers";

after(stopAllWorlds);
import { formatIPv4 } from "../../core/net/ip";

test("lab 3.1: two rooms and a cable", async () => {
  const { world, play } = await lab("lab-3.1");
  const m = world.sim.machine("lab-host")!;
  // The host already knows its LAN neighbours.
  assert.deepEqual(m.root.neigh.list().map((e) => [formatIPv4(e.ip), e.mac]).sort(), [["192.168.1.3", "52:54:00:12:35:03"], ["192.168.1.4", "52:54:00:12:35:04"]]);

  assert.deepEqual(failures(await play("@lab-host ip netns add red\n@lab-host ip netns add blue")), []);
  assert.deepEqual([...m.namespaces.keys()], ["red", "blue"]);
  // Question 2: red has one interface, lo, and no eth0.
  const [redLinks] = await play("@lab-host ip netns exec red ip link");
  assert.equal(redLinks.stdout.split("\n").filter((l) => /^\d+: /.test(l)).length, 1);
  assert.match(redLinks.stdout, /^1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n/);
  assert.equal(ns(world, "lab-host/red").byName("eth0"), undefined);

  await play("@lab-host ip link add veth-red type veth peer name veth-blue\n@lab-host ip link set veth-red netns red\n@lab-host ip link set veth-blue netns blue");
  const vr = ns(world, "lab-host/red").byName("veth-red")!;
  const vb = ns(world, "lab-host/blue").byName("veth-blue")!;
  assert.equal(vr.peer, vb);

  // The classic mistake: bringing the moved device up on the host.
  const [wrong] = await play("@lab-host ip link set veth-red up");
  assert.deepEqual([wrong.stderr, wrong.exitCode], ['Cannot find device "veth-red"\n', 1]);

  await play("@lab-host ip -n red addr add 192.168.15.1/24 dev veth-red\n@lab-host ip -n blue addr add 192.168.15.2/24 dev veth-blue\n@lab-host ip -n red link set veth-red up");
  assert.equal(vr.operState, "LOWERLAYERDOWN");
  await play("@lab-host ip netns exec blue ip link set veth-blue up");
  assert.deepEqual(addresses(world, "lab-host/red", "veth-red"), ["192.168.15.1/24"]);
  assert.equal(vr.operState, "UP");
  assert.equal(vb.operState, "UP");

  const [ping] = await play("@lab-host ip netns exec red ping -c 1 192.168.15.2");
  assert.equal(ping.exitCode, 0);
  assert.match(ping.stdout, /64 bytes from 192\.168\.15\.2: icmp_seq=1 ttl=64 time=/);
  assert.equal(await pingOk(world, "lab-host/red", "192.168.15.2"), true);
  const entry = ns(world, "lab-host/red").neigh.list().find((e) => formatIPv4(e.ip) === "192.168.15.2");
  assert.equal(entry?.mac, vb.mac);
  // Question 6: the host's ARP table does not list 192.168.15.2.
  const [arp] = await play("@lab-host arp -n");
  assert.doesNotMatch(arp.stdout, /192\.168\.15\.2/);
  assert.match(arp.stdout, /192\.168\.1\.3 +ether +52:54:00:12:35:03 +C +eth0/);
});

test("lab 3.1 mistake: an address without prefix length leaves the peer unreachable", async () => {
  const { play } = await lab("lab-3.1");
  const r = await play(
    [
      "@lab-host ip netns add red",
      "@lab-host ip netns add blue",
      "@lab-host ip link add veth-red type veth peer name veth-blue",
      "@lab-host ip link set veth-red netns red",
      "@lab-host ip link set veth-blue netns blue",
      "@lab-host ip -n red addr add 192.168.15.1 dev veth-red",
      "@lab-host ip -n blue addr add 192.168.15.2/24 dev veth-blue",
      "@lab-host ip -n red link set veth-red up",
      "@lab-host ip -n blue link set veth-blue up",
      "@lab-host ip netns exec red ping -c 1 192.168.15.2",
    ].join("\n"),
  );
  const last = r[r.length - 1];
  assert.deepEqual([last.stderr, last.exitCode], ["ping: connect: Network is unreachable\n", 2]);
});
