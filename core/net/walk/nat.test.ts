// The walk with the real netfilter engine: MASQUERADE, DNAT port forwarding, FORWARD policy,
// br_netfilter, REJECT and OUTPUT DROP (Module 4, Lab 4.2), rules written with the iptables command.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runIptables } from "../../shell/commands/iptables/index";
import { echo, listen, tcpConnect, udpSend } from "./index";
import { bridgeLab, forwarding, ip, route, routerLab } from "./testkit";
import type { NetNamespace } from "../namespace";
import type { ServerRequest } from "../probes";

function ipt(ns: NetNamespace, line: string): void {
  const r = runIptables(line.split(" "), ns.netfilter, { now: new Date(ns.machine.sim.clock.now()) });
  assert.equal(r.exitCode, 0, `iptables ${line}: ${r.stderr}`);
}

let seq = 0;
// A new ICMP id per ping run, as each ping process has its own: conntrack keys ICMP flows by id.
const ping = (ns: NetNamespace, dst: string, timeoutMs?: number) => echo(ns, ip(dst), { id: 1000 + ++seq, seq: 1, timeoutMs });
const owner = { pid: 100, program: "python3" };

/** Lab 4.2 start: namespaces with a default route via the bridge, forwarding on in lab-host. */
function lab42() {
  const w = bridgeLab({ bridgeAddr: true, gateways: true });
  forwarding(w.root);
  return w;
}

test("namespace → LAN: lost without a return route, works with MASQUERADE; the LAN sees the host's address", async () => {
  const { root, ns, lanHost } = lab42();
  const lost = await ping(ns.blue, "192.168.1.3", 1000);
  assert.equal(lost.kind, "timeout");
  assert.match(lost.trace.outcome, /no route to 192\.168\.15\.2 on lan-host: reply lost/);
  ipt(root, "-t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE");
  const ok = await ping(ns.blue, "192.168.1.3");
  assert.equal(ok.kind, "reply", ok.trace.outcome);
  if (ok.kind === "reply") assert.equal(ok.ttl, 63);
  assert.ok(ok.trace.hops.some((h) => h.kind === "netfilter" && h.nat?.kind === "MASQUERADE"));

  const seen: ServerRequest[] = [];
  listen(lanHost, { proto: "tcp", addr: 0, port: 8000, owner, handler: (r) => (seen.push(r), "lan says hi") });
  const c = await tcpConnect(ns.blue, ip("192.168.1.3"), 8000);
  assert.equal(c.ok, true, c.trace.outcome);
  if (!c.ok) return;
  const r = await c.conn.request("hello");
  assert.equal(r.ok && r.data, "lan says hi");
  assert.equal(seen[0].remote.addr, ip("192.168.1.2"), "the server sees the masqueraded source");
  assert.equal(c.conn.local.addr, ip("192.168.15.2"), "the client still sees its own address");
  c.conn.close();
  const entries = root.netfilter.conntrackEntries().filter((e) => e.proto === "tcp");
  assert.ok(entries.length >= 1);
  assert.ok(entries.every((e) => e.tcpState !== "ESTABLISHED"), `after close: ${entries.map((e) => e.tcpState).join(",")}`);
});

test("port forwarding: curl to the host's :80 reaches blue, whose server sees 192.168.15.2:80 and the client's real address", async () => {
  const { root, ns, lanHost } = lab42();
  const seen: ServerRequest[] = [];
  listen(ns.blue, { proto: "tcp", addr: ip("192.168.15.2"), port: 80, owner, handler: (r) => (seen.push(r), "blue says hi") });
  const before = await tcpConnect(lanHost, ip("192.168.1.2"), 80);
  assert.equal(!before.ok && before.errno, "ECONNREFUSED");
  ipt(root, "-t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80");
  const c = await tcpConnect(lanHost, ip("192.168.1.2"), 80);
  assert.equal(c.ok, true, c.trace.outcome);
  if (!c.ok) return;
  assert.deepEqual(c.conn.remote, { addr: ip("192.168.1.2"), port: 80 });
  const r = await c.conn.request("GET / HTTP/1.1\r\nHost: 192.168.1.2\r\n\r\n");
  assert.equal(r.ok && r.data, "blue says hi");
  assert.deepEqual(seen[0].local, { addr: ip("192.168.15.2"), port: 80 });
  assert.equal(seen[0].remote.addr, ip("192.168.1.3"));
  assert.equal(seen[0].remote.port, c.conn.local.port);
  assert.ok(c.trace.hops.some((h) => h.kind === "netfilter" && h.nat?.kind === "DNAT"));
  c.conn.close();
});

test("FORWARD policy DROP: blue loses the LAN silently; an ACCEPT rule for v-net-0 restores it", async () => {
  const { root, ns } = lab42();
  ipt(root, "-t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE");
  ipt(root, "-P FORWARD DROP");
  const r = await ping(ns.blue, "192.168.1.3", 1000);
  assert.equal(r.kind, "timeout");
  assert.match(r.trace.outcome, /FORWARD policy DROP on lab-host/);
  ipt(root, "-A FORWARD -i v-net-0 -j ACCEPT");
  ipt(root, "-A FORWARD -o v-net-0 -j ACCEPT");
  assert.equal((await ping(ns.blue, "192.168.1.3")).kind, "reply");
});

test("br_netfilter: bridged traffic meets FORWARD (in and out = the bridge) unless bridge-nf-call-iptables=0", async () => {
  const { root, ns } = bridgeLab();
  ipt(root, "-P FORWARD DROP");
  const blocked = await ping(ns.red, "192.168.15.2", 1000);
  assert.equal(blocked.kind, "timeout");
  const nfHop = blocked.trace.hops.find((h) => h.kind === "netfilter" && /FORWARD \(bridged\)/.test(h.summary));
  assert.ok(nfHop, "the FORWARD hook ran for a bridged frame");
  root.sysctl.set("net.bridge.bridge-nf-call-iptables", "0");
  assert.equal((await ping(ns.red, "192.168.15.2")).kind, "reply");
  root.sysctl.set("net.bridge.bridge-nf-call-iptables", "1");
  ipt(root, "-A FORWARD -i v-net-0 -o v-net-0 -j ACCEPT");
  assert.equal((await ping(ns.red, "192.168.15.2")).kind, "reply");
});

test("REJECT: tcp-reset refuses, icmp-port-unreachable shows as an ICMP error, OUTPUT DROP is EPERM", async () => {
  const { ns } = lab42();
  listen(ns.blue, { proto: "tcp", addr: 0, port: 80, owner, handler: () => "ok" });
  ipt(ns.blue, "-A INPUT -p tcp --dport 80 -j REJECT --reject-with tcp-reset");
  const rst = await tcpConnect(ns.red, ip("192.168.15.2"), 80);
  assert.equal(!rst.ok && rst.errno, "ECONNREFUSED");
  ipt(ns.blue, "-A INPUT -p icmp -j REJECT");
  const e = await ping(ns.red, "192.168.15.2");
  assert.equal(e.kind, "icmp-error");
  if (e.kind === "icmp-error") {
    assert.equal(e.code, 3);
    assert.equal(e.from, ip("192.168.15.2"));
  }
  // Kernel: ping prints `sendmsg: Operation not permitted`; TCP retries and times out; UDP send fails.
  ipt(ns.red, "-A OUTPUT -d 192.168.15.3 -j DROP");
  const p = await ping(ns.red, "192.168.15.3");
  assert.equal(p.kind === "local-error" && p.errno, "EPERM");
  assert.equal(p.kind === "local-error" && p.syscall, "sendmsg");
  const t = await tcpConnect(ns.red, ip("192.168.15.3"), 80, { timeoutMs: 3000 });
  assert.equal(!t.ok && t.errno, "ETIMEDOUT");
  const u = await udpSend(ns.red, ip("192.168.15.3"), 53, "q");
  assert.equal(!u.ok && u.errno, "EPERM");
  // REJECT in OUTPUT: the error comes from our own address.
  ipt(ns.red, "-A OUTPUT -d 192.168.15.4 -j REJECT");
  const own = await ping(ns.red, "192.168.15.4");
  assert.equal(own.kind, "icmp-error");
  if (own.kind === "icmp-error") assert.equal(own.from, ip("192.168.15.1"));
});

test("a router that masquerades reports Destination Host Unreachable from its egress address (reference capture)", async () => {
  const { root, ns } = lab42();
  ipt(root, "-t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE");
  const r = await ping(ns.blue, "192.168.1.99");
  assert.equal(r.kind, "icmp-error", r.trace.outcome);
  if (r.kind === "icmp-error") {
    assert.equal(r.from, ip("192.168.1.2"));
    assert.equal(r.code, 1);
  }
  const net = await ping(ns.blue, "10.20.0.1");
  assert.equal(net.kind, "icmp-error");
  if (net.kind === "icmp-error") {
    assert.equal(net.from, ip("192.168.15.5"));
    assert.equal(net.code, 0);
  }
});

test("DNAT in OUTPUT re-routes locally generated traffic", async () => {
  const { a, c } = routerLab({ forward: true, routes: true });
  listen(c, { proto: "tcp", addr: 0, port: 8080, owner, handler: () => "c" });
  ipt(a, "-t nat -A OUTPUT -d 10.96.0.10 -p tcp --dport 80 -j DNAT --to-destination 192.168.2.5:8080");
  route(a, "10.96.0.0/12", { via: "192.168.1.6" });
  const conn = await tcpConnect(a, ip("10.96.0.10"), 80);
  assert.equal(conn.ok, true, conn.trace.outcome);
  if (conn.ok) {
    const r = await conn.conn.request("x");
    assert.equal(r.ok && r.data, "c");
  }
});

test("a ClusterIP-style DNAT to a namespace on the same bridge is bridged, and the reply un-NATed by br_netfilter", async () => {
  const { root, ns } = lab42();
  listen(ns.blue, { proto: "tcp", addr: 0, port: 80, owner, handler: (r) => `blue sees ${r.remote.addr === ip("192.168.15.1") ? "red" : "someone else"}` });
  ipt(root, "-t nat -A PREROUTING -d 10.96.0.10 -p tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80");
  const c = await tcpConnect(ns.red, ip("10.96.0.10"), 80);
  assert.equal(c.ok, true, c.trace.outcome);
  if (!c.ok) return;
  const r = await c.conn.request("GET /");
  assert.equal(r.ok && r.data, "blue sees red");
  assert.ok(!c.trace.hops.some((h) => h.kind === "forward"), "bridged, not routed");
  c.conn.close();
  // Without br_netfilter the reply goes straight back over the bridge with blue's address: red's
  // socket does not know it and answers with a reset, so the connection never opens.
  root.sysctl.set("net.bridge.bridge-nf-call-iptables", "0");
  const broken = await tcpConnect(ns.red, ip("10.96.0.10"), 80, { timeoutMs: 3000 });
  assert.equal(broken.ok, false);
});

test("hairpin: a namespace reaching itself through the DNAT needs hairpin on its port (and MASQUERADE)", async () => {
  const { root, ns } = lab42();
  listen(ns.red, { proto: "tcp", addr: 0, port: 80, owner, handler: (r) => `from ${r.remote.addr === ip("192.168.15.5") ? "bridge" : r.remote.addr}` });
  ipt(root, "-t nat -A PREROUTING -d 10.96.0.10 -p tcp --dport 80 -j DNAT --to-destination 192.168.15.1:80");
  ipt(root, "-t nat -A POSTROUTING -s 192.168.15.1 -d 192.168.15.1 -j MASQUERADE");
  const off = await tcpConnect(ns.red, ip("10.96.0.10"), 80, { timeoutMs: 3000 });
  assert.equal(!off.ok && off.errno, "ETIMEDOUT");
  root.byName("veth-red-br")!.hairpin = true;
  const on = await tcpConnect(ns.red, ip("10.96.0.10"), 80, { timeoutMs: 3000 });
  assert.equal(on.ok, true, on.trace.outcome);
  if (on.ok) {
    const r = await on.conn.request("x");
    assert.equal(r.ok && r.data, "from bridge");
  }
});

test("bridged DNAT needs ip_forward on the bridge's namespace (kernel 6.18)", async () => {
  const { root, ns } = lab42();
  listen(ns.blue, { proto: "tcp", addr: 0, port: 80, owner, handler: () => "ok" });
  ipt(root, "-t nat -A PREROUTING -d 10.96.0.10 -p tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80");
  forwarding(root, false);
  const off = await tcpConnect(ns.red, ip("10.96.0.10"), 80, { timeoutMs: 2000 });
  assert.equal(!off.ok && off.errno, "ETIMEDOUT");
  assert.match(off.trace.outcome, /ip_forward=0 on lab-host/);
  forwarding(root, true);
  assert.equal((await tcpConnect(ns.red, ip("10.96.0.10"), 80)).ok, true);
});
