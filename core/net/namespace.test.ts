import { test } from "node:test";
import assert from "node:assert/strict";
import { Simulation } from "./simulation";
import { parseIPv4 as ip, formatIPv4 } from "./ip";
import { TABLE_LOCAL, TABLE_MAIN } from "./routes";
import { KernelError } from "./errors";

function setup() {
  const sim = new Simulation();
  const m = sim.addMachine("node01");
  return { sim, m, root: m.root };
}

const routesOf = (rs: { dst: number; prefixLen: number; type: string }[]) => rs.map((r) => `${r.type} ${formatIPv4(r.dst)}/${r.prefixLen}`);

test("a fresh namespace has only lo, down, without addresses; up gives it 127.0.0.1/8 and local routes", () => {
  const { root } = setup();
  assert.deepEqual(root.list().map((i) => [i.ifindex, i.name, i.operState]), [[1, "lo", "DOWN"]]);
  assert.equal(root.loopback.addresses.length, 0);
  root.setAdminState(root.loopback, true);
  assert.equal(root.loopback.operState, "UNKNOWN");
  assert.deepEqual(routesOf(root.routes.table(TABLE_LOCAL)), ["local 127.0.0.0/8", "local 127.0.0.1/32", "broadcast 127.255.255.255/32"]);
});

test("veth pair: peer created first (lower ifindex), carrier follows the peer, deleting one end deletes both", () => {
  const { root } = setup();
  const [red, blue] = root.createVethPair("veth-red", "veth-blue");
  assert.equal(blue.ifindex, 2);
  assert.equal(red.ifindex, 3);
  root.setAdminState(red, true);
  assert.equal(red.operState, "LOWERLAYERDOWN");
  root.setAdminState(blue, true);
  assert.equal(red.operState, "UP");
  root.deleteInterface(blue);
  assert.equal(root.byName("veth-red"), undefined);
  assert.equal(root.byName("veth-blue"), undefined);
});

test("an address without prefix is /32 and installs no connected route; /24 does once the device is up", () => {
  const { root } = setup();
  const [a] = root.createVethPair("a0", "b0");
  root.addAddress(a, ip("192.168.15.1")!, 32);
  root.setAdminState(a, true);
  assert.deepEqual(routesOf(root.routes.table(TABLE_MAIN)), []);
  root.addAddress(a, ip("192.168.15.1")!, 24);
  assert.deepEqual(routesOf(root.routes.table(TABLE_MAIN)), ["unicast 192.168.15.0/24"]);
  assert.throws(() => root.addAddress(a, ip("192.168.15.1")!, 24), (e: KernelError) => e.extack === "ipv4: Address already assigned.");
  assert.throws(() => root.deleteAddress(a, ip("192.168.15.77")!, 24), (e: KernelError) => e.extack === "ipv4: Address not found.");
});

test("setting a device down removes every route through it, user routes included", () => {
  const { root } = setup();
  const [a, b] = root.createVethPair("a0", "b0");
  root.setAdminState(b, true);
  root.setAdminState(a, true);
  root.addAddress(a, ip("10.1.1.1")!, 24);
  root.routes.add({ table: TABLE_MAIN, type: "unicast", dst: ip("10.2.0.0")!, prefixLen: 16, gateway: ip("10.1.1.2"), dev: a, proto: "boot", scope: "global", metric: 0, onlink: false });
  assert.equal(root.routes.table(TABLE_MAIN).length, 2);
  root.setAdminState(a, false);
  assert.equal(root.routes.table(TABLE_MAIN).length, 0);
});

test("route dump order: destination ascending, longer prefix first, then metric", () => {
  const { root } = setup();
  const [a, b] = root.createVethPair("vx", "vy");
  root.setAdminState(b, true);
  root.setAdminState(a, true);
  root.addAddress(a, ip("10.1.1.1")!, 24);
  const add = (dst: string, len: number, metric = 0) =>
    root.routes.add({ table: TABLE_MAIN, type: "unicast", dst: ip(dst)!, prefixLen: len, gateway: ip("10.1.1.2"), dev: a, proto: "boot", scope: "global", metric, onlink: false });
  add("10.2.0.0", 16);
  add("10.0.0.0", 8);
  add("10.2.0.0", 24);
  add("10.2.0.0", 16, 5);
  add("0.0.0.0", 0, 100);
  add("0.0.0.0", 0);
  assert.deepEqual(
    root.routes.table(TABLE_MAIN).map((r) => `${formatIPv4(r.dst)}/${r.prefixLen} m${r.metric}`),
    ["0.0.0.0/0 m0", "0.0.0.0/0 m100", "10.0.0.0/8 m0", "10.1.1.0/24 m0", "10.2.0.0/24 m0", "10.2.0.0/16 m0", "10.2.0.0/16 m5"],
  );
  assert.equal(formatIPv4(root.routes.lookup(ip("10.2.0.9")!)!.dst), "10.2.0.0");
  assert.equal(root.routes.lookup(ip("10.2.0.9")!)!.prefixLen, 24);
  assert.equal(root.routes.lookup(ip("10.2.9.9")!)!.metric, 0);
});

test("moving a device to another namespace brings it down without addresses; nsids get assigned", () => {
  const { m, root } = setup();
  const red = m.addNetns("red");
  const [vr] = root.createVethPair("veth-red", "veth-red-br");
  root.addAddress(vr, ip("192.168.15.1")!, 24);
  root.setAdminState(vr, true);
  root.moveInterface(vr, red);
  assert.equal(vr.ns, red);
  assert.equal(vr.adminUp, false);
  assert.deepEqual(vr.addresses, []);
  assert.equal(red.byName("veth-red"), vr);
  assert.equal(root.peekNsid(red), 0);
  assert.equal(red.peekNsid(root), 0);
  assert.throws(() => m.addNetns("red"), (e: KernelError) => e.errno === "EEXIST");
});

test("deleting a namespace destroys its veth ends and their peers", () => {
  const { m, root } = setup();
  const red = m.addNetns("red");
  const [vr] = root.createVethPair("veth-red", "veth-red-br");
  root.moveInterface(vr, red);
  m.deleteNetns("red");
  assert.equal(root.byName("veth-red-br"), undefined);
  assert.equal(m.netns("red"), undefined);
});

test("a bridge takes the lowest port MAC and is UP once a port forwards", () => {
  const { root } = setup();
  const br = root.createInterface("bridge", "v-net-0");
  root.setAdminState(br, true);
  assert.equal(br.operState, "UNKNOWN");
  const [p1, x1] = root.createVethPair("p1", "x1");
  const [p2] = root.createVethPair("p2", "x2");
  root.setMaster(p1, br);
  root.setMaster(p2, br);
  assert.equal(br.mac, [p1.mac, p2.mac].sort()[0]);
  assert.equal(br.operState, "DOWN");
  root.setAdminState(x1, true);
  root.setAdminState(p1, true);
  assert.equal(br.operState, "UP");
  root.deleteInterface(p1);
  assert.equal(br.ports!.size, 1);
});

test("source selection prefers an address in the destination's subnet on the output device", () => {
  const { root } = setup();
  const [a, b] = root.createVethPair("a0", "b0");
  root.setAdminState(b, true);
  root.setAdminState(a, true);
  root.addAddress(a, ip("10.1.1.1")!, 24);
  root.addAddress(a, ip("172.16.0.1")!, 16);
  assert.equal(formatIPv4(root.selectSource(a, ip("172.16.5.5")!)!), "172.16.0.1");
  assert.equal(formatIPv4(root.selectSource(a, ip("8.8.8.8")!, ip("10.1.1.254"))!), "10.1.1.1");
  assert.equal(root.addrType(ip("10.1.1.1")!), "LOCAL");
  assert.equal(root.addrType(ip("10.1.1.255")!), "BROADCAST");
  assert.equal(root.addrType(ip("10.1.1.2")!), "UNICAST");
});
