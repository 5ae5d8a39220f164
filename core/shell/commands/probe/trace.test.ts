// trace: our own command; one probe, every hop with what decided it, and --json for the app.
import { test } from "node:test";
import assert from "node:assert/strict";
import { routed, shell } from "./testkit";

test("trace ping through a masquerading router: route, ARP, forward, NAT rule and the reply path", async () => {
  const w = await routed();
  await shell(w, "r")("iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE");
  const r = await shell(w, "a")("trace 192.168.2.10");
  assert.equal(r.code, 0);
  const out = r.out;
  assert.match(out, /^trace: ping 192\.168\.2\.10 from a\n/);
  assert.match(out, /\n +\d+ +a eth0 +route +default via 192\.168\.1\.1 dev eth0\n/);
  assert.match(out, /\n +\d+ +r eth1 +forward +r forwards eth0 → eth1 \(ttl now 63\)\n/);
  assert.match(out, /rule 1 \(nat POSTROUTING\): -A POSTROUTING -o eth1 -j MASQUERADE {2}→ MASQUERADE\n/);
  assert.match(out, /MASQUERADE 192\.168\.1\.10 → 192\.168\.2\.1\n/);
  assert.match(out, /\n +\d+ +c eth0 +deliver +echo request delivered to c\n/);
  assert.match(out, /\noutcome: echo reply from 192\.168\.2\.10 \(ttl 63, [\d.]+ ms\)\nresult: echo reply from 192\.168\.2\.10, ttl 63, [\d.]+ ms \([\d.]+ ms\)\n$/);
});

test("trace shows where and why a packet dies; tcp and udp probes; --json is the Trace", async () => {
  const w = await routed();
  const a = shell(w, "a");
  await shell(w, "r")("iptables -P FORWARD DROP");
  const dropped = await a("trace 192.168.2.10");
  assert.equal(dropped.code, 1);
  assert.match(dropped.out, /netfilter +FORWARD: DROP/);
  assert.match(dropped.out, /policy \(filter FORWARD\): -P FORWARD DROP {2}→ DROP\n/);
  assert.match(dropped.out, /\nresult: no answer \(timeout\)/);
  await shell(w, "r")("iptables -P FORWARD ACCEPT");
  const tcp = await a("trace tcp -p 22 192.168.2.10");
  assert.match(tcp.out, /^trace: tcp 192\.168\.2\.10:22 from a\n/);
  assert.match(tcp.out, /nothing listens on 192\.168\.2\.10:22 in c: RST/);
  assert.match(tcp.out, /\nresult: connect: Connection refused/);
  const udp = await a("trace udp 192.168.2.10");
  assert.match(udp.out, /no UDP socket on 192\.168\.2\.10:53 in c: port unreachable/);
  const local = await a("trace 10.9.9.9");
  assert.equal(local.code, 1);
  const json = JSON.parse((await shell(w, "b")("trace --json 192.168.1.10")).out);
  assert.equal(json.ok, true);
  assert.equal(json.probe.from, "b");
  assert.ok(Array.isArray(json.trace.hops) && json.trace.hops.length > 3);
  assert.equal(json.trace.hops[0].kind, "send");
  assert.equal(typeof json.trace.outcome, "string");
});

test("trace --help says it is not a Linux tool; argument errors exit 2", async () => {
  const w = await routed();
  const a = shell(w, "a");
  assert.match((await a("trace --help")).out, /not a standard Linux tool/);
  assert.deepEqual(await a("trace"), { out: "", err: "trace: missing destination\nTry 'trace --help' for more information.\n", code: 2 });
  assert.equal((await a("trace -p 99999 tcp 1.2.3.4")).code, 2);
  assert.deepEqual(await a("trace nosuch"), { out: "", err: "trace: nosuch: Name or service not known\n", code: 2 });
  assert.equal((await a("trace --bogus 1.2.3.4")).code, 2);
});
