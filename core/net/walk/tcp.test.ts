// TCP and UDP through the walk: handshake, refusal, timeouts, bind rules, ss rows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Simulation } from "../simulation";
import { KernelError } from "../errors";
import type { VirtualClock } from "../clock";
import { echo, listSockets, listen, tcpConnect, udpSend } from "./index";
import { addr, ip, netns, route, routerLab, vethPair } from "./testkit";
import type { NetNamespace } from "../namespace";
import type { ServerRequest } from "../probes";

const owner = { pid: 4242, program: "python3" };

function redBlue() {
  const sim = new Simulation({ seed: 21 });
  const m = sim.addMachine("lab-host");
  const red = netns(m, "red");
  const blue = netns(m, "blue");
  vethPair(red, "veth-red", blue, "veth-blue", "192.168.15.1/24", "192.168.15.2/24");
  return { sim, m, red, blue };
}

function web(ns: NetNamespace, addrText = "0.0.0.0", port = 80, seen: ServerRequest[] = []) {
  return listen(ns, {
    proto: "tcp",
    addr: ip(addrText),
    port,
    owner,
    handler: (req) => {
      seen.push(req);
      return `hello from ${ns.label}`;
    },
  });
}

test("connect to a listener, request/response, close: ss shows LISTEN, ESTAB and TIME-WAIT", async () => {
  const { sim, red, blue } = redBlue();
  const seen: ServerRequest[] = [];
  const accepted: string[] = [];
  listen(blue, { proto: "tcp", addr: 0, port: 80, owner, handler: (r) => (seen.push(r), "blue says hi"), onAccept: (remote) => accepted.push(`${remote.addr}:${remote.port}`) });
  const c = await tcpConnect(red, ip("192.168.15.2"), 80, { owner: { pid: 77, program: "curl" } });
  assert.equal(c.ok, true, c.trace.outcome);
  if (!c.ok) return;
  assert.equal(c.conn.local.addr, ip("192.168.15.1"));
  assert.ok(c.conn.local.port >= 32768 && c.conn.local.port <= 60999);
  assert.equal(c.conn.local.port % 2, 0, "connect() prefers even ephemeral ports");
  assert.deepEqual(accepted, [`${ip("192.168.15.1")}:${c.conn.local.port}`]);

  const redRows = listSockets(red);
  assert.deepEqual(
    redRows.map((s) => [s.proto, s.state, s.remote?.port, s.owner?.program]),
    [["tcp", "ESTAB", 80, "curl"]],
  );
  const blueRows = listSockets(blue);
  assert.deepEqual(
    blueRows.map((s) => [s.state, s.local.port]),
    [
      ["LISTEN", 80],
      ["ESTAB", 80],
    ],
  );
  assert.equal(blueRows[0].sendQ, 4096);

  const res = await c.conn.request("GET / HTTP/1.1\r\n\r\n");
  assert.deepEqual(res.ok && res.data, "blue says hi");
  assert.equal(seen.length, 1);
  assert.equal(seen[0].local.addr, ip("192.168.15.2"));
  assert.equal(seen[0].remote.addr, ip("192.168.15.1"));
  assert.equal(seen[0].remote.port, c.conn.local.port);
  assert.equal(seen[0].data, "GET / HTTP/1.1\r\n\r\n");

  c.conn.close();
  assert.deepEqual(
    listSockets(red).map((s) => s.state),
    ["TIME-WAIT"],
  );
  assert.deepEqual(
    listSockets(blue).map((s) => s.state),
    ["LISTEN"],
  );
  (sim.clock as VirtualClock).advance(61_000);
  assert.deepEqual(listSockets(red), []);
  const after = await c.conn.request("again");
  assert.equal(!after.ok && after.errno, "ECONNRESET");
});

test("nothing listening: RST, Connection refused at once", async () => {
  const { sim, red } = redBlue();
  const t0 = sim.clock.now();
  const c = await tcpConnect(red, ip("192.168.15.2"), 8080);
  assert.equal(!c.ok && c.errno, "ECONNREFUSED");
  assert.ok(sim.clock.now() - t0 < 5);
  assert.deepEqual(listSockets(red), []);
  assert.ok(c.trace.hops.some((h) => /nothing listens on 192\.168\.15\.2:8080/.test(h.summary)));
});

test("a listener on a specific address: the other local address refuses", async () => {
  const { red, blue } = redBlue();
  addr(blue, "veth-blue", "192.168.15.20/24");
  web(blue, "192.168.15.20");
  assert.equal((await tcpConnect(red, ip("192.168.15.20"), 80)).ok, true);
  const other = await tcpConnect(red, ip("192.168.15.2"), 80);
  assert.equal(!other.ok && other.errno, "ECONNREFUSED");
});

test("bind rules: EADDRINUSE on overlap (0.0.0.0 overlaps everything), EADDRNOTAVAIL for a foreign address", () => {
  const { blue } = redBlue();
  const s = web(blue, "0.0.0.0", 80);
  assert.throws(() => web(blue, "192.168.15.2", 80), (e: unknown) => e instanceof KernelError && e.errno === "EADDRINUSE");
  assert.throws(() => web(blue, "0.0.0.0", 80), (e: unknown) => e instanceof KernelError && e.errno === "EADDRINUSE");
  assert.throws(() => web(blue, "10.1.2.3", 81), (e: unknown) => e instanceof KernelError && e.errno === "EADDRNOTAVAIL");
  // UDP is a separate port space; a specific address next to another specific address is fine.
  listen(blue, { proto: "udp", addr: 0, port: 80, owner, handler: () => undefined });
  web(blue, "127.0.0.1", 8080);
  assert.doesNotThrow(() => web(blue, "192.168.15.2", 8080));
  s.close();
  assert.doesNotThrow(() => web(blue, "192.168.15.2", 80));
});

test("a silently dropped SYN times out after the kernel's SYN retries (127 s), retransmitting", async () => {
  const { sim, a, c: server } = routerLab({ routes: true }); // ip_forward=0 on the router
  web(server);
  const t0 = sim.clock.now();
  const c = await tcpConnect(a, ip("192.168.2.5"), 80);
  assert.equal(!c.ok && c.errno, "ETIMEDOUT");
  assert.equal(sim.clock.now() - t0, 127_000);
  const syns = c.trace.hops.filter((h) => h.kind === "send").length;
  assert.equal(syns, 7);
  assert.match(c.trace.outcome, /ip_forward=0 on host-b/);
  assert.deepEqual(listSockets(a), []);
  // nc -w 2: gives up after 2 s.
  const t1 = sim.clock.now();
  const short = await tcpConnect(a, ip("192.168.2.5"), 80, { timeoutMs: 2000 });
  assert.equal(!short.ok && short.errno, "ETIMEDOUT");
  assert.equal(sim.clock.now() - t1, 2000);
});

test("ICMP errors abort a connect: host unreachable, net unreachable", async () => {
  const { a } = routerLab({ forward: true, routes: true });
  const host = await tcpConnect(a, ip("192.168.2.99"), 80);
  assert.equal(!host.ok && host.errno, "EHOSTUNREACH");
  assert.equal(!host.ok && host.from, ip("192.168.1.6"));
  route(a, "10.0.0.0/8", { via: "192.168.1.6" });
  const net = await tcpConnect(a, ip("10.1.1.1"), 80);
  assert.equal(!net.ok && net.errno, "ENETUNREACH");
  const local = await tcpConnect(a, ip("172.16.0.1"), 80);
  assert.equal(!local.ok && local.errno, "ENETUNREACH");
});

test("across a router: the server sees the client's real address; refused and listening", async () => {
  const { a, c } = routerLab({ forward: true, routes: true });
  const seen: ServerRequest[] = [];
  web(c, "0.0.0.0", 80, seen);
  const conn = await tcpConnect(a, ip("192.168.2.5"), 80);
  assert.equal(conn.ok, true);
  if (!conn.ok) return;
  const r = await conn.conn.request("ping");
  assert.equal(r.ok && r.data, "hello from host-c");
  assert.equal(seen[0].remote.addr, ip("192.168.1.5"));
  conn.conn.close();
  const refused = await tcpConnect(a, ip("192.168.2.5"), 81);
  assert.equal(!refused.ok && refused.errno, "ECONNREFUSED");
});

test("many connections stay listed until closed", async () => {
  const { red, blue } = redBlue();
  web(blue);
  const conns = [];
  for (let i = 0; i < 30; i++) {
    const c = await tcpConnect(red, ip("192.168.15.2"), 80);
    assert.ok(c.ok);
    if (c.ok) conns.push(c.conn);
  }
  assert.equal(listSockets(red).filter((s) => s.state === "ESTAB").length, 30);
  assert.equal(new Set(conns.map((c) => c.local.port)).size, 30);
  assert.equal(listSockets(blue).filter((s) => s.state === "ESTAB").length, 30);
  for (const c of conns) c.close();
  assert.equal(listSockets(blue).filter((s) => s.state === "ESTAB").length, 0);
});

test("ephemeral ports follow net.ipv4.ip_local_port_range", async () => {
  const { red, blue } = redBlue();
  web(blue);
  red.sysctl.set("net.ipv4.ip_local_port_range", "40000 40010");
  const c = await tcpConnect(red, ip("192.168.15.2"), 80);
  assert.ok(c.ok && c.conn.local.port >= 40000 && c.conn.local.port <= 40010);
});

test("UDP: a reply from the server, port unreachable as ECONNREFUSED, silence as no reply", async () => {
  const { sim, red, blue } = redBlue();
  const got: ServerRequest[] = [];
  listen(blue, { proto: "udp", addr: 0, port: 53, owner: { pid: 9, program: "coredns" }, handler: (r) => (got.push(r), `answer to ${r.data}`) });
  const r = await udpSend(red, ip("192.168.15.2"), 53, "web?");
  assert.equal(r.ok && r.reply?.data, "answer to web?");
  assert.equal(r.ok && r.reply?.from.addr, ip("192.168.15.2"));
  assert.equal(got[0].remote.addr, ip("192.168.15.1"));
  assert.equal(got[0].local.port, 53);
  assert.deepEqual(
    listSockets(blue).map((s) => [s.proto, s.state, s.local.port, s.owner?.program]),
    [["udp", "UNCONN", 53, "coredns"]],
  );
  const refused = await udpSend(red, ip("192.168.15.2"), 54, "x");
  assert.equal(!refused.ok && refused.errno, "ECONNREFUSED");
  assert.equal(!refused.ok && refused.from, ip("192.168.15.2"));
  listen(blue, { proto: "udp", addr: 0, port: 55, owner, handler: () => undefined });
  const t0 = sim.clock.now();
  const silent = await udpSend(red, ip("192.168.15.2"), 55, "x", { timeoutMs: 2000 });
  assert.equal(silent.ok && silent.reply, undefined);
  assert.equal(sim.clock.now() - t0, 2000);
  assert.deepEqual(listSockets(red), [], "the client socket is closed after the call");
});

test("UDP to an unreachable host: host unreachable is not fatal for UDP, the call times out", async () => {
  const { red } = redBlue();
  const r = await udpSend(red, ip("192.168.15.77"), 53, "x", { timeoutMs: 5000 });
  assert.equal(r.ok, true);
  assert.equal(r.ok && r.reply, undefined);
});

test("TCP to a local address goes through lo", async () => {
  const { red } = redBlue();
  web(red, "127.0.0.1", 8080);
  const c = await tcpConnect(red, ip("127.0.0.1"), 8080);
  assert.equal(c.ok, true);
  if (c.ok) {
    assert.equal(c.conn.local.addr, ip("127.0.0.1"));
    const r = await c.conn.request("x");
    assert.equal(r.ok && r.data, "hello from lab-host/red");
  }
  const refused = await tcpConnect(red, ip("192.168.15.1"), 8080);
  assert.equal(!refused.ok && refused.errno, "ECONNREFUSED");
  const e = await echo(red, ip("127.0.0.1"), { id: 1, seq: 1 });
  assert.equal(e.kind, "reply");
});

test("traceroute over UDP: with IP_RECVERR each TTL reports time exceeded, then port unreachable", async () => {
  const { a } = routerLab({ forward: true, routes: true });
  const hop1 = await udpSend(a, ip("192.168.2.5"), 33434, "", { ttl: 1, recvErr: true, timeoutMs: 3000 });
  assert.equal(hop1.ok, false);
  if (!hop1.ok) {
    assert.deepEqual(hop1.icmp, { type: 11, code: 0 });
    assert.equal(hop1.from, ip("192.168.1.6"));
  }
  const hop2 = await udpSend(a, ip("192.168.2.5"), 33435, "", { ttl: 2, recvErr: true, timeoutMs: 3000 });
  assert.equal(!hop2.ok && hop2.errno, "ECONNREFUSED");
  if (!hop2.ok) assert.deepEqual(hop2.icmp, { type: 3, code: 3 });
  // Without IP_RECVERR a time exceeded is not an error for the socket: it just never gets an answer.
  const plain = await udpSend(a, ip("192.168.2.5"), 33434, "", { ttl: 1, timeoutMs: 1000 });
  assert.equal(plain.ok && plain.reply, undefined);
});

test("connect to an on-link address nobody has: No route to host after 3 s, a timeout when lo is down", async () => {
  const { sim, red } = redBlue();
  const t0 = sim.clock.now();
  const r = await tcpConnect(red, ip("192.168.15.77"), 80);
  assert.equal(!r.ok && r.errno, "EHOSTUNREACH");
  assert.equal(!r.ok && r.from, ip("192.168.15.1"));
  assert.ok(sim.clock.now() - t0 >= 3000 && sim.clock.now() - t0 < 3010);
  // The locally generated ICMP error travels through lo: with lo down the socket never hears of it.
  red.setAdminState(red.loopback, false);
  const silent = await tcpConnect(red, ip("192.168.15.77"), 80, { timeoutMs: 8000 });
  assert.equal(!silent.ok && silent.errno, "ETIMEDOUT");
});
