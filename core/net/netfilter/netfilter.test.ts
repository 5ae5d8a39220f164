import { test } from "node:test";
import assert from "node:assert/strict";
import { Netfilter } from "./index";
import type { NetfilterEnv } from "./api";
import type { Packet } from "../packet";
import { formatIPv4, parseIPv4 } from "../ip";
import { runIptables } from "../../shell/commands/iptables/index";

const ip = (s: string) => parseIPv4(s)!;

function setup(opts: { random?: () => number; local?: string[] } = {}) {
  let clock = 1_000_000;
  const local = new Set((opts.local ?? ["192.168.1.2"]).map(ip));
  const env: NetfilterEnv = {
    addrType: (a) => (local.has(a) ? "LOCAL" : "UNICAST"),
    masqueradeSource: (iface) => (iface === "eth0" ? ip("192.168.1.2") : undefined),
    now: () => clock,
    random: opts.random ?? (() => 0.5),
  };
  const nf = new Netfilter(env);
  const ipt = (line: string) => {
    const argv = line.match(/"[^"]*"|\S+/g)!.map((x) => x.replace(/^"|"$/g, ""));
    const r = runIptables(argv, nf, { now: new Date(0) });
    assert.equal(r.exitCode, 0, `iptables ${line}: ${r.stderr}`);
    return r.stdout;
  };
  return { nf, ipt, tick: (ms: number) => (clock += ms), now: () => clock };
}

function tcp(src: string, sport: number, dst: string, dport: number, flags: Packet["tcpFlags"] = { syn: true }): Packet {
  return { src: ip(src), dst: ip(dst), proto: "tcp", ttl: 64, length: 60, sport, dport, tcpFlags: flags, mark: 0 };
}
function udp(src: string, sport: number, dst: string, dport: number): Packet {
  return { src: ip(src), dst: ip(dst), proto: "udp", ttl: 64, length: 80, sport, dport, mark: 0 };
}
function ping(src: string, dst: string, id = 7, type = 8): Packet {
  return { src: ip(src), dst: ip(dst), proto: "icmp", ttl: 64, length: 84, icmpType: type, icmpCode: 0, icmpId: id, icmpSeq: 1, mark: 0 };
}
const addr = (p: Packet) => `${formatIPv4(p.src)}:${p.sport ?? p.icmpId} -> ${formatIPv4(p.dst)}:${p.dport ?? p.icmpId}`;

test("empty ruleset accepts; untouched tables count nothing", () => {
  const { nf } = setup();
  const r = nf.hook("PREROUTING", tcp("10.0.0.1", 1234, "192.168.1.2", 80), { inIface: "eth0" });
  assert.equal(r.verdict, "ACCEPT");
  assert.deepEqual(r.hits, []);
  assert.equal(r.ctState, "NEW");
});

test("rule and policy counters move; hits carry the -S text", () => {
  const { nf, ipt } = setup();
  ipt("-A INPUT -p tcp --dport 22 -j ACCEPT");
  ipt("-P INPUT DROP");
  const p = tcp("10.0.0.1", 1234, "192.168.1.2", 22);
  const a = nf.hook("INPUT", p, { inIface: "eth0" });
  assert.equal(a.verdict, "ACCEPT");
  assert.deepEqual(a.hits, [{ table: "filter", chain: "INPUT", ruleNum: 1, rule: "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", target: "ACCEPT" }]);
  const b = nf.hook("INPUT", tcp("10.0.0.1", 1234, "192.168.1.2", 80), { inIface: "eth0" });
  assert.equal(b.verdict, "DROP");
  assert.deepEqual(b.hits, [{ table: "filter", chain: "INPUT", ruleNum: 0, rule: "-P INPUT DROP", target: "DROP" }]);
  assert.match(ipt("-L INPUT -v -n -x"), /policy DROP 1 packets, 60 bytes[\s\S]*\n +1 +60 ACCEPT/);
  ipt("-Z");
  assert.match(ipt("-L INPUT -v -n"), /policy DROP 0 packets, 0 bytes[\s\S]*\n +0 +0 ACCEPT/);
});

test("user chains: jump, RETURN, goto and the policy of the calling built-in chain", () => {
  const { nf, ipt } = setup();
  ipt("-N CHECK");
  ipt("-N LEAF");
  ipt("-A CHECK -s 10.0.0.1 -j RETURN");
  ipt("-A CHECK -j LEAF");
  ipt("-A LEAF -p udp -j DROP");
  ipt("-A INPUT -j CHECK");
  ipt("-A INPUT -j ACCEPT");
  ipt("-A FORWARD -g CHECK");
  ipt("-A FORWARD -j DROP");
  const ret = nf.hook("INPUT", udp("10.0.0.1", 5, "192.168.1.2", 53), {});
  assert.equal(ret.verdict, "ACCEPT");
  assert.deepEqual(ret.hits.map((h) => `${h.chain}#${h.ruleNum}:${h.target}`), ["INPUT#1:CHECK", "CHECK#1:RETURN", "INPUT#2:ACCEPT"]);
  const drop = nf.hook("INPUT", udp("10.0.0.9", 5, "192.168.1.2", 53), {});
  assert.equal(drop.verdict, "DROP");
  assert.deepEqual(drop.hits.map((h) => `${h.chain}#${h.ruleNum}`), ["INPUT#1", "CHECK#2", "LEAF#1"]);
  // -g: the end of the user chain goes back past the FORWARD rule that did the goto: the policy decides.
  const g = nf.hook("FORWARD", tcp("10.0.0.9", 5, "10.9.9.9", 80), {});
  assert.equal(g.verdict, "ACCEPT");
  assert.deepEqual(g.hits.map((h) => `${h.chain}#${h.ruleNum}`), ["FORWARD#1", "CHECK#2", "FORWARD#0"]);
});

test("REJECT verdicts carry the ICMP code or tcp-reset", () => {
  const { nf, ipt } = setup();
  ipt("-A INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset");
  ipt("-A INPUT -p udp -j REJECT");
  ipt("-A INPUT -p icmp -j REJECT --reject-with icmp-admin-prohibited");
  assert.deepEqual(nf.hook("INPUT", tcp("1.1.1.1", 9, "192.168.1.2", 23), {}).reject, { with: "tcp-reset" });
  assert.deepEqual(nf.hook("INPUT", udp("1.1.1.1", 9, "192.168.1.2", 53), {}).reject, { with: "icmp", code: 3 });
  const r = nf.hook("INPUT", ping("1.1.1.1", "192.168.1.2"), {});
  assert.equal(r.verdict, "REJECT");
  assert.deepEqual(r.reject, { with: "icmp", code: 13 });
});

test("DNAT round trip: first packet traverses nat, later ones and replies use the binding", () => {
  const { nf, ipt } = setup();
  ipt("-t nat -A PREROUTING -p tcp -d 192.168.1.2 --dport 8080 -j DNAT --to-destination 10.244.1.2:80");
  const syn = tcp("10.0.0.5", 40000, "192.168.1.2", 8080);
  const pre = nf.hook("PREROUTING", syn, { inIface: "eth0" });
  assert.equal(addr(pre.packet), "10.0.0.5:40000 -> 10.244.1.2:80");
  assert.deepEqual(pre.nat, { kind: "DNAT", from: { addr: ip("192.168.1.2"), port: 8080 }, to: { addr: ip("10.244.1.2"), port: 80 } });
  assert.equal(pre.ctState, "NEW");
  assert.equal(pre.hits[0].target, "DNAT");
  nf.hook("FORWARD", pre.packet, { inIface: "eth0", outIface: "cni0" });
  const post = nf.hook("POSTROUTING", pre.packet, { outIface: "cni0" });
  assert.equal(post.verdict, "ACCEPT");
  assert.equal(post.hits.length, 1); // nat POSTROUTING policy, first packet only
  assert.equal(nf.conntrackEntries().length, 1);

  // The reply: source rewritten back at POSTROUTING, ctstate ESTABLISHED, nat chains not traversed.
  const reply = tcp("10.244.1.2", 80, "10.0.0.5", 40000, { syn: true, ack: true });
  const rpre = nf.hook("PREROUTING", reply, { inIface: "cni0" });
  assert.equal(rpre.ctState, "ESTABLISHED");
  assert.equal(rpre.nat, undefined);
  assert.deepEqual(rpre.hits, []);
  const rpost = nf.hook("POSTROUTING", rpre.packet, { outIface: "eth0" });
  assert.equal(addr(rpost.packet), "192.168.1.2:8080 -> 10.0.0.5:40000");
  assert.equal(rpost.nat?.kind, "unDNAT");

  // A later packet of the client gets the DNAT again without any rule hit.
  const ack = nf.hook("PREROUTING", tcp("10.0.0.5", 40000, "192.168.1.2", 8080, { ack: true }), { inIface: "eth0" });
  assert.equal(addr(ack.packet), "10.0.0.5:40000 -> 10.244.1.2:80");
  assert.deepEqual(ack.hits, []);
  assert.equal(ack.ctState, "ESTABLISHED");
  assert.match(ipt("-t nat -L PREROUTING -v -n -x"), /\n +1 +60 DNAT/);
  const [e] = nf.conntrackEntries();
  assert.equal(e.tcpState, "ESTABLISHED");
  assert.deepEqual(nf.checkInvariants(), []);
});

test("MASQUERADE uses env.masqueradeSource; replies are un-SNATed at PREROUTING", () => {
  const { nf, ipt } = setup();
  ipt("-t nat -A POSTROUTING -s 10.244.0.0/16 -o eth0 -j MASQUERADE");
  const out = nf.hook("PREROUTING", udp("10.244.1.2", 5353, "8.8.8.8", 53), { inIface: "cni0" });
  const post = nf.hook("POSTROUTING", out.packet, { outIface: "eth0" });
  assert.equal(addr(post.packet), "192.168.1.2:5353 -> 8.8.8.8:53");
  assert.equal(post.nat?.kind, "MASQUERADE");
  const back = nf.hook("PREROUTING", udp("8.8.8.8", 53, "192.168.1.2", 5353), { inIface: "eth0" });
  assert.equal(addr(back.packet), "8.8.8.8:53 -> 10.244.1.2:5353");
  assert.equal(back.nat?.kind, "unSNAT");
  assert.equal(back.ctState, "ESTABLISHED");
  // A second client using the same source port gets another port (the reply tuple must stay unique).
  const other = nf.hook("PREROUTING", udp("10.244.2.7", 5353, "8.8.8.8", 53), { inIface: "cni0" });
  const post2 = nf.hook("POSTROUTING", other.packet, { outIface: "eth0" });
  assert.equal(post2.packet.src, ip("192.168.1.2"));
  assert.notEqual(post2.packet.sport, 5353);
  // No address on the interface: the kernel drops.
  const none = nf.hook("PREROUTING", udp("10.244.1.3", 1, "8.8.8.8", 53), { inIface: "cni0" });
  assert.equal(nf.hook("POSTROUTING", none.packet, { outIface: "eth9" }).verdict, "ACCEPT"); // -o eth0 does not match
  assert.deepEqual(nf.checkInvariants(), []);
});

test("a NEW connection that nat left alone gets an identity binding", () => {
  const { nf, ipt } = setup();
  ipt("-t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.1.1.1");
  const first = nf.hook("PREROUTING", tcp("10.0.0.5", 1000, "192.168.1.2", 22), { inIface: "eth0" });
  assert.equal(first.nat, undefined);
  nf.hook("INPUT", first.packet, { inIface: "eth0" });
  ipt("-t nat -I PREROUTING -j DNAT --to-destination 10.9.9.9");
  const later = nf.hook("PREROUTING", tcp("10.0.0.5", 1000, "192.168.1.2", 22, { ack: true }), { inIface: "eth0" });
  assert.equal(later.nat, undefined);
  assert.deepEqual(later.hits, []);
});

test("ctstate: NEW, ESTABLISHED, RELATED ICMP errors, INVALID", () => {
  const { nf, ipt } = setup();
  ipt("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
  ipt("-A INPUT -m conntrack --ctstate INVALID -j DROP");
  ipt("-A INPUT -m state --state NEW -j LOG --log-prefix \"new: \"");
  // Outgoing connection from this host.
  const o = nf.hook("OUTPUT", udp("192.168.1.2", 4000, "10.0.0.9", 53), { outIface: "eth0" });
  assert.equal(o.ctState, "NEW");
  nf.hook("POSTROUTING", o.packet, { outIface: "eth0" });
  const reply = nf.hook("PREROUTING", udp("10.0.0.9", 53, "192.168.1.2", 4000), { inIface: "eth0" });
  const inp = nf.hook("INPUT", reply.packet, { inIface: "eth0" });
  assert.equal(inp.ctState, "ESTABLISHED");
  assert.equal(inp.hits[0].ruleNum, 1);
  // An ICMP port unreachable quoting our packet is RELATED.
  const err: Packet = { ...ping("10.0.0.9", "192.168.1.2", 0, 3), icmpCode: 3, icmpId: undefined, inner: udp("192.168.1.2", 4000, "10.0.0.9", 53) };
  const e1 = nf.hook("PREROUTING", err, { inIface: "eth0" });
  assert.equal(e1.ctState, "RELATED");
  assert.equal(nf.hook("INPUT", e1.packet, { inIface: "eth0" }).verdict, "ACCEPT");
  // An echo reply nobody asked for is INVALID.
  const stray = nf.hook("PREROUTING", ping("10.0.0.9", "192.168.1.2", 99, 0), { inIface: "eth0" });
  assert.equal(stray.ctState, "INVALID");
  assert.equal(nf.hook("INPUT", stray.packet, { inIface: "eth0" }).verdict, "DROP");
  // A new connection in is logged (non-terminating) and accepted by the policy.
  const n = nf.hook("PREROUTING", tcp("10.0.0.9", 5555, "192.168.1.2", 22), { inIface: "eth0" });
  const ni = nf.hook("INPUT", n.packet, { inIface: "eth0" });
  assert.equal(ni.verdict, "ACCEPT");
  assert.deepEqual(ni.log, ["new: IN=eth0 OUT= SRC=10.0.0.9 DST=192.168.1.2 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=TCP SPT=5555 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 "]);
});

test("RELATED ICMP error of a DNATed flow is translated inside and out", () => {
  const { nf, ipt } = setup();
  ipt("-t nat -A PREROUTING -p udp -d 10.96.0.10 --dport 53 -j DNAT --to-destination 10.244.0.2:53");
  const q = nf.hook("PREROUTING", udp("10.244.1.5", 3333, "10.96.0.10", 53), { inIface: "cni0" });
  nf.hook("POSTROUTING", q.packet, { outIface: "cni0" });
  // The pod at 10.244.0.2 answers "port unreachable" about the packet it received.
  const err: Packet = { ...ping("10.244.0.2", "10.244.1.5", 0, 3), icmpCode: 3, icmpId: undefined, inner: q.packet };
  const pre = nf.hook("PREROUTING", err, { inIface: "cni0" });
  assert.equal(pre.ctState, "RELATED");
  const post = nf.hook("POSTROUTING", pre.packet, { outIface: "cni0" });
  assert.equal(formatIPv4(post.packet.src), "10.96.0.10");
  assert.equal(addr(post.packet.inner!), "10.244.1.5:3333 -> 10.96.0.10:53");
  assert.equal(post.nat?.kind, "unDNAT");
});

test("statistic random uses env.random; nth counts packets", () => {
  const seq = [0.9, 0.1, 0.6, 0.2];
  let i = 0;
  const { nf, ipt } = setup({ random: () => seq[i++ % seq.length] });
  ipt("-N SVC");
  ipt("-A SVC -m statistic --mode random --probability 0.5 -j MARK --set-mark 1");
  ipt("-A SVC -m mark --mark 1 -j ACCEPT");
  ipt("-A SVC -j DROP");
  ipt("-A INPUT -j SVC");
  const verdicts = [0, 1, 2, 3].map((n) => nf.hook("INPUT", udp("1.1.1.1", 1000 + n, "192.168.1.2", 53), {}).verdict);
  assert.deepEqual(verdicts, ["DROP", "ACCEPT", "DROP", "ACCEPT"]);
  ipt("-A FORWARD -m statistic --mode nth --every 3 --packet 0 -j DROP");
  const nth = [0, 1, 2, 3, 4, 5].map((n) => nf.hook("FORWARD", udp("1.1.1.1", 2000 + n, "2.2.2.2", 53), {}).verdict);
  assert.deepEqual(nth, ["ACCEPT", "ACCEPT", "DROP", "ACCEPT", "ACCEPT", "DROP"]);
});

test("kube-proxy style service: KUBE-MARK-MASQ, random endpoint, masquerade on the way out", () => {
  const { nf, ipt } = setup({ random: () => 0.7 });
  for (const c of ["KUBE-SERVICES", "KUBE-SVC-X", "KUBE-SEP-A", "KUBE-SEP-B", "KUBE-MARK-MASQ", "KUBE-POSTROUTING"]) ipt(`-t nat -N ${c}`);
  ipt("-t nat -A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
  ipt("-t nat -A POSTROUTING -j KUBE-POSTROUTING");
  ipt("-t nat -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000");
  ipt("-t nat -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN");
  ipt("-t nat -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000");
  ipt("-t nat -A KUBE-POSTROUTING -j MASQUERADE --random-fully");
  ipt("-t nat -A KUBE-SERVICES -d 10.96.45.12 -p tcp --dport 80 -j KUBE-SVC-X");
  ipt("-t nat -A KUBE-SVC-X ! -s 10.244.0.0/16 -d 10.96.45.12 -p tcp --dport 80 -j KUBE-MARK-MASQ");
  ipt("-t nat -A KUBE-SVC-X -m statistic --mode random --probability 0.5 -j KUBE-SEP-A");
  ipt("-t nat -A KUBE-SVC-X -j KUBE-SEP-B");
  ipt("-t nat -A KUBE-SEP-A -p tcp -j DNAT --to-destination 10.244.1.2:8080");
  ipt("-t nat -A KUBE-SEP-B -p tcp -j DNAT --to-destination 10.244.2.2:8080");
  const pre = nf.hook("PREROUTING", tcp("192.168.1.50", 5000, "10.96.45.12", 80), { inIface: "eth0" });
  assert.equal(addr(pre.packet), "192.168.1.50:5000 -> 10.244.2.2:8080"); // 0.7 >= 0.5: second endpoint
  assert.equal(pre.packet.mark, 0x4000);
  const post = nf.hook("POSTROUTING", pre.packet, { outIface: "eth0" });
  assert.equal(post.nat?.kind, "MASQUERADE");
  assert.equal(formatIPv4(post.packet.src), "192.168.1.2");
  assert.equal(post.packet.mark, 0);
  assert.match(ipt("-t nat -L KUBE-SVC-X -n -v"), /\n +1 +60 KUBE-MARK-MASQ  tcp  -- /);
});

test("conntrack timeouts follow the clock; flush empties the table", () => {
  const { nf, tick, now } = setup();
  const q = nf.hook("OUTPUT", ping("192.168.1.2", "10.0.0.9"), { outIface: "eth0" });
  nf.hook("POSTROUTING", q.packet, { outIface: "eth0" });
  const u = nf.hook("OUTPUT", udp("192.168.1.2", 1, "10.0.0.9", 53), { outIface: "eth0" });
  nf.hook("POSTROUTING", u.packet, { outIface: "eth0" });
  const t = nf.hook("OUTPUT", tcp("192.168.1.2", 2, "10.0.0.9", 80), { outIface: "eth0" });
  nf.hook("POSTROUTING", t.packet, { outIface: "eth0" });
  assert.equal(nf.conntrackEntries().length, 3);
  tick(30_001);
  nf.expire(now());
  assert.deepEqual(nf.conntrackEntries().map((e) => e.proto), ["tcp"]); // SYN_SENT lives 120 s
  tick(90_000);
  nf.expire(now());
  assert.equal(nf.conntrackEntries().length, 0);
  const again = nf.hook("OUTPUT", udp("192.168.1.2", 1, "10.0.0.9", 53), { outIface: "eth0" });
  nf.hook("POSTROUTING", again.packet, { outIface: "eth0" });
  nf.flushConntrack();
  assert.equal(nf.conntrackEntries().length, 0);
  assert.deepEqual(nf.checkInvariants(), []);
});

test("a dropped first packet leaves no conntrack entry", () => {
  const { nf, ipt } = setup();
  ipt("-A FORWARD -j DROP");
  const p = nf.hook("PREROUTING", tcp("1.1.1.1", 1, "2.2.2.2", 2), { inIface: "eth0" });
  assert.equal(nf.hook("FORWARD", p.packet, {}).verdict, "DROP");
  assert.equal(nf.conntrackEntries().length, 0);
  assert.deepEqual(nf.checkInvariants(), []);
});

test("interface wildcards, negations and addrtype", () => {
  const { nf, ipt } = setup();
  ipt("-A FORWARD -i veth+ ! -o eth0 -j DROP");
  ipt("-A INPUT -m addrtype --dst-type LOCAL -p udp -j DROP");
  assert.equal(nf.hook("FORWARD", udp("1.1.1.1", 1, "2.2.2.2", 2), { inIface: "veth12", outIface: "cni0" }).verdict, "DROP");
  assert.equal(nf.hook("FORWARD", udp("1.1.1.1", 1, "2.2.2.2", 2), { inIface: "veth12", outIface: "eth0" }).verdict, "ACCEPT");
  assert.equal(nf.hook("FORWARD", udp("1.1.1.1", 1, "2.2.2.2", 2), { inIface: "eth1", outIface: "cni0" }).verdict, "ACCEPT");
  assert.equal(nf.hook("INPUT", udp("1.1.1.1", 1, "192.168.1.2", 2), {}).verdict, "DROP");
  assert.equal(nf.hook("INPUT", udp("1.1.1.1", 1, "10.0.0.1", 2), {}).verdict, "ACCEPT");
});

test("hook cost stays in microseconds", () => {
  const { nf, ipt } = setup();
  for (let i = 0; i < 50; i++) ipt(`-A FORWARD -p tcp -d 10.0.${i}.0/24 --dport ${1000 + i} -j ACCEPT`);
  const t0 = performance.now();
  const n = 20_000;
  for (let i = 0; i < n; i++) nf.hook("FORWARD", tcp("1.1.1.1", 1000 + (i % 60000), "10.9.9.9", 80), { inIface: "eth0" });
  const us = ((performance.now() - t0) * 1000) / n;
  assert.ok(us < 50, `${us.toFixed(1)} µs per hook`);
});
