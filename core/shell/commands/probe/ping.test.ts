// ping: formatting against iputils 20221126 captures (shared/reference/b-ping-arp-route-netstat.md and
// throwaway namespaces on Debian 12), then end to end through the packet walk.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatG, formatReplyTime, formatStatistics, icmpErrorText } from "./ping-format";
import { background, lan, lines, maskTimes, routed, shell } from "./testkit";

test("reply times: 3 decimals under 1 ms, 2 under 10, 1 under 100, then whole ms (iputils rounding)", () => {
  assert.equal(formatReplyTime(321), "0.321 ms");
  assert.equal(formatReplyTime(43), "0.043 ms");
  assert.equal(formatReplyTime(1013), "1.01 ms");
  assert.equal(formatReplyTime(9994), "9.99 ms");
  assert.equal(formatReplyTime(9995), "10.0 ms");
  assert.equal(formatReplyTime(12345), "12.3 ms");
  assert.equal(formatReplyTime(99949), "99.9 ms");
  assert.equal(formatReplyTime(99950), "100 ms");
  assert.equal(formatReplyTime(3079353), "3079 ms");
});

test("statistics block: the reference capture's numbers give the reference text", () => {
  assert.equal(
    formatStatistics({ hostname: "192.168.15.2", transmitted: 3, received: 3, errors: 0, elapsedMs: 2051, rttsUs: [321, 53, 43], timing: true, pipe: 1 }),
    lines("", "--- 192.168.15.2 ping statistics ---", "3 packets transmitted, 3 received, 0% packet loss, time 2051ms", "rtt min/avg/max/mdev = 0.043/0.139/0.321/0.128 ms"),
  );
  assert.equal(
    formatStatistics({ hostname: "192.168.1.3", transmitted: 3, received: 3, errors: 0, elapsedMs: 2030, rttsUs: [1013, 151, 89], timing: true, pipe: 1 }),
    lines("", "--- 192.168.1.3 ping statistics ---", "3 packets transmitted, 3 received, 0% packet loss, time 2030ms", "rtt min/avg/max/mdev = 0.089/0.417/1.013/0.421 ms"),
  );
  // Errors and pipe, no rtt line.
  assert.equal(
    formatStatistics({ hostname: "192.168.15.9", transmitted: 5, received: 0, errors: 5, elapsedMs: 4081, rttsUs: [], timing: true, pipe: 4 }),
    lines("", "--- 192.168.15.9 ping statistics ---", "5 packets transmitted, 0 received, +5 errors, 100% packet loss, time 4081ms", "pipe 4"),
  );
  // Silent loss: an empty line closes the block.
  assert.equal(
    formatStatistics({ hostname: "192.168.1.3", transmitted: 3, received: 0, errors: 0, elapsedMs: 2033, rttsUs: [], timing: true, pipe: 0 }),
    lines("", "--- 192.168.1.3 ping statistics ---", "3 packets transmitted, 0 received, 100% packet loss, time 2033ms", ""),
  );
  // -i 0: ipg/ewma (captured: "rtt min/avg/max/mdev = 0.004/0.020/0.037/0.016 ms, ipg/ewma 0.089/0.032 ms").
  assert.match(formatStatistics({ hostname: "x", transmitted: 2, received: 2, errors: 0, elapsedMs: 0.089, rttsUs: [37, 4], timing: true, pipe: 1, interval0: true, ewma8: 263 }), /rtt min\/avg\/max\/mdev = 0\.004\/0\.020\/0\.037\/0\.016 ms, ipg\/ewma 0\.089\/0\.032 ms\n/);
  assert.equal(formatG(Math.fround(100 / 3)), "33.3333");
  assert.equal(formatG(Math.fround((1 * 100) / 154)), "0.649351");
});

test("ICMP error texts (pr_icmph), as captured with iptables REJECT --reject-with on a router", () => {
  assert.equal(icmpErrorText(3, 0), "Destination Net Unreachable");
  assert.equal(icmpErrorText(3, 1), "Destination Host Unreachable");
  assert.equal(icmpErrorText(3, 2), "Destination Protocol Unreachable");
  assert.equal(icmpErrorText(3, 3), "Destination Port Unreachable");
  assert.equal(icmpErrorText(3, 9), "Destination Net Prohibited");
  assert.equal(icmpErrorText(3, 10), "Destination Host Prohibited");
  assert.equal(icmpErrorText(3, 13), "Packet filtered");
  assert.equal(icmpErrorText(11, 0), "Time to live exceeded");
});

test("success on the same segment: header, ttl 64 replies, statistics, exit 0, 2 s for 3 packets", async () => {
  const w = await lan();
  const a = shell(w, "a");
  const t0 = w.sim.clock.now();
  const r = await a("ping -c 3 192.168.1.11");
  assert.equal(r.code, 0);
  assert.equal(r.err, "");
  assert.equal(
    maskTimes(r.out),
    lines(
      "PING 192.168.1.11 (192.168.1.11) 56(84) bytes of data.",
      "64 bytes from 192.168.1.11: icmp_seq=1 ttl=64 time=T ms",
      "64 bytes from 192.168.1.11: icmp_seq=2 ttl=64 time=T ms",
      "64 bytes from 192.168.1.11: icmp_seq=3 ttl=64 time=T ms",
      "",
      "--- 192.168.1.11 ping statistics ---",
      "3 packets transmitted, 3 received, 0% packet loss, time 2000ms",
      "rtt min/avg/max/mdev = R ms",
    ),
  );
  assert.match(r.out, /time=0\.\d{3} ms/);
  const spent = w.sim.clock.now() - t0;
  assert.ok(spent >= 2000 && spent < 2010, `simulated ${spent} ms`);
  // -q, -i, -s: no reply lines, a 400 ms run, the sizes in the header and replies.
  const q = await a("ping -c 3 -i 0.2 -q 192.168.1.11");
  assert.match(q.out, /^PING 192\.168\.1\.11 \(192\.168\.1\.11\) 56\(84\) bytes of data\.\n\n--- 192\.168\.1\.11 ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss, time 400ms\nrtt /);
  const s = await a("ping -c 1 -s 100 192.168.1.11");
  assert.match(s.out, /^PING 192\.168\.1\.11 \(192\.168\.1\.11\) 100\(128\) bytes of data\.\n108 bytes from 192\.168\.1\.11: icmp_seq=1 ttl=64 time=/);
  // Under 16 bytes there is no timestamp: no time=, no rtt line (captured with -s 8).
  const small = await a("ping -c 1 -s 8 192.168.1.11");
  assert.equal(small.out, lines("PING 192.168.1.11 (192.168.1.11) 8(36) bytes of data.", "16 bytes from 192.168.1.11: icmp_seq=1 ttl=64", "", "--- 192.168.1.11 ping statistics ---", "1 packets transmitted, 1 received, 0% packet loss, time 0ms", ""));
});

test("no route: `ping: connect: Network is unreachable`, no header, exit 2; blackhole, unreachable, prohibit", async () => {
  const w = await lan();
  const a = shell(w, "a");
  assert.deepEqual(await a("ping -c 3 10.1.1.1"), { out: "", err: "ping: connect: Network is unreachable\n", code: 2 });
  await a("ip route add blackhole 10.6.0.0/16");
  await a("ip route add unreachable 10.7.0.0/16");
  await a("ip route add prohibit 10.8.0.0/16");
  assert.deepEqual(await a("ping -c 1 -W 1 10.6.0.1"), { out: "", err: "ping: connect: Invalid argument\n", code: 2 });
  assert.deepEqual(await a("ping -c 1 -W 1 10.7.0.1"), { out: "", err: "ping: connect: No route to host\n", code: 2 });
  assert.deepEqual(await a("ping -c 1 -W 1 10.8.0.1"), { out: "", err: "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n", code: 2 });
  assert.deepEqual(await a("ping -c 1 -W 1 192.168.1.255"), { out: "", err: "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n", code: 2 });
  const b = await a("ping -c 1 -W 1 -b 192.168.1.255");
  assert.equal(b.err, "WARNING: pinging broadcast address\n");
  assert.match(b.out, /1 packets transmitted, 0 received, 100% packet loss/);
  assert.equal(b.code, 1);
});

test("silent loss: 100% packet loss, the trailing empty line, exit 1; -W bounds the wait", async () => {
  const w = await routed();
  const a = shell(w, "a");
  // r forwards but c has no way back... here: forwarding off on r makes it silent.
  await shell(w, "r")("sysctl -w net.ipv4.ip_forward=0");
  const t0 = w.sim.clock.now();
  const r = await a("ping -c 3 -W 1 192.168.2.10");
  assert.equal(r.code, 1);
  assert.equal(r.out, lines("PING 192.168.2.10 (192.168.2.10) 56(84) bytes of data.", "", "--- 192.168.2.10 ping statistics ---", "3 packets transmitted, 0 received, 100% packet loss, time 2000ms", ""));
  // The last probe waits -W after it was sent: 2 s of sends + 1 s.
  assert.equal(w.sim.clock.now() - t0, 3000);
});

test("Destination Host Unreachable: from the sender's own address after ARP fails, +N errors and pipe", async () => {
  const w = await lan();
  const a = shell(w, "a");
  // With -W 1 the errors (due after 3 s) never show, as on Linux.
  const early = await a("ping -c 3 -i 0.2 -W 1 192.168.1.99");
  assert.match(early.out, /3 packets transmitted, 0 received, 100% packet loss/);
  const r = await a("ping -c 5 192.168.1.98");
  assert.equal(r.code, 1);
  const body = r.out.split("\n");
  assert.equal(body[0], "PING 192.168.1.98 (192.168.1.98) 56(84) bytes of data.");
  for (let i = 1; i <= 5; i++) assert.equal(body[i], `From 192.168.1.10 icmp_seq=${i} Destination Host Unreachable`);
  assert.match(r.out, /\n5 packets transmitted, 0 received, \+5 errors, 100% packet loss, time \d+ms\npipe \d\n$/);
});

test("errors from a router: Time to live exceeded (-t 1), Destination Net/Host Unreachable, Packet filtered", async () => {
  const w = await routed();
  const a = shell(w, "a");
  const ttl = await a("ping -c 2 -i 0.2 -t 1 192.168.2.10");
  assert.equal(
    ttl.out,
    lines(
      "PING 192.168.2.10 (192.168.2.10) 56(84) bytes of data.",
      "From 192.168.1.1 icmp_seq=1 Time to live exceeded",
      "From 192.168.1.1 icmp_seq=2 Time to live exceeded",
      "",
      "--- 192.168.2.10 ping statistics ---",
      "2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 200ms",
      "",
    ),
  );
  assert.equal(ttl.code, 1);
  const through = await a("ping -c 1 192.168.2.10");
  assert.match(through.out, /64 bytes from 192\.168\.2\.10: icmp_seq=1 ttl=63 time=/);
  const net = await a("ping -c 1 -W 1 10.20.0.1");
  assert.match(net.out, /\nFrom 192\.168\.1\.1 icmp_seq=1 Destination Net Unreachable\n/);
  const host = await a("ping -c 1 192.168.2.99");
  assert.match(host.out, /\nFrom 192\.168\.1\.1 icmp_seq=1 Destination Host Unreachable\n/);
  await shell(w, "r")("iptables -A FORWARD -d 192.168.2.10 -j REJECT --reject-with icmp-admin-prohibited");
  const filtered = await a("ping -c 1 192.168.2.10");
  assert.match(filtered.out, /\nFrom 192\.168\.1\.1 icmp_seq=1 Packet filtered\n\n--- 192\.168\.2\.10 ping statistics ---\n1 packets transmitted, 0 received, \+1 errors, 100% packet loss, time 0ms\n\n$/);
});

test("REJECT in our own OUTPUT chain: From our address plus sendmsg EPERM; DROP is silent", async () => {
  const w = await lan();
  const a = shell(w, "a");
  await a("iptables -A OUTPUT -d 192.168.1.11 -j REJECT");
  const rej = await a("ping -c 2 -i 0.2 -W 1 192.168.1.11");
  assert.match(rej.out, /From 192\.168\.1\.10 icmp_seq=1 Destination Port Unreachable\nFrom 192\.168\.1\.10 icmp_seq=2 Destination Port Unreachable\n/);
  assert.equal(rej.err, "ping: sendmsg: Operation not permitted\nping: sendmsg: Operation not permitted\n");
  await a("iptables -F OUTPUT");
  await a("iptables -A OUTPUT -d 192.168.1.11 -j DROP");
  const drop = await a("ping -c 2 -i 0.2 -W 1 192.168.1.11");
  assert.equal(drop.err, "");
  assert.match(drop.out, /2 packets transmitted, 0 received, 100% packet loss/);
});

test("without -c: runs until Ctrl+C, then prints the statistics and exits 0 (within 100 ms)", async () => {
  const w = await lan();
  const ac = new AbortController();
  const started = Date.now();
  setTimeout(() => ac.abort(), 30);
  const r = await shell(w, "a")("ping 192.168.1.11", { interrupt: ac.signal });
  assert.ok(Date.now() - started < 130, `took ${Date.now() - started} ms`);
  assert.equal(r.code, 0);
  assert.match(r.out, /^PING 192\.168\.1\.11 \(192\.168\.1\.11\) 56\(84\) bytes of data\.\n64 bytes from/);
  const m = /\n\n--- 192\.168\.1\.11 ping statistics ---\n(\d+) packets transmitted, (\d+) received, 0% packet loss, time \d+ms\nrtt min\/avg\/max\/mdev = [\d./]+ ms\n$/.exec(r.out);
  assert.ok(m, r.out.slice(-300));
  assert.equal(m![1], m![2], "the packet on the wire at Ctrl+C still gets its reply");
  // Nothing answers: exit 1.
  const ac2 = new AbortController();
  setTimeout(() => ac2.abort(), 20);
  const silent = await shell(w, "a")("ping 192.168.1.77", { interrupt: ac2.signal });
  assert.equal(silent.code, 1);
  assert.match(silent.out, /\n--- 192\.168\.1\.77 ping statistics ---\n\d+ packets transmitted, 0 received/);
});

test("-w deadline: sends until the deadline; with -c too, exit 1 when fewer replies than asked", async () => {
  const w = await routed();
  const a = shell(w, "a");
  const r = await a("ping -w 1 -i 0.3 192.168.1.11");
  assert.equal(r.code, 0);
  assert.match(r.out, /\n4 packets transmitted, 4 received, 0% packet loss, time 900ms\n/);
  await shell(w, "r")("sysctl -w net.ipv4.ip_forward=0");
  const lost = await a("ping -c 2 -W 0.5 -w 3 192.168.2.10");
  assert.match(lost.out, /\n3 packets transmitted, 0 received, 100% packet loss, time 2000ms\n/);
  assert.equal(lost.code, 1);
  // An error ends a -w run at once.
  await shell(w, "r")("sysctl -w net.ipv4.ip_forward=1");
  const ttl = await a("ping -w 2 -t 1 192.168.2.10");
  assert.match(ttl.out, /From 192\.168\.1\.1 icmp_seq=1 Time to live exceeded\n\n--- 192\.168\.2\.10 ping statistics ---\n1 packets transmitted, 0 received, \+1 errors, 100% packet loss, time 0ms\n/);
});

test("-I: device or source in the header; unknown device, non-local source", async () => {
  const w = await lan();
  const a = shell(w, "a");
  const dev = await a("ping -c 1 -I eth0 192.168.1.11");
  assert.match(dev.out, /^PING 192\.168\.1\.11 \(192\.168\.1\.11\) from 192\.168\.1\.10 eth0: 56\(84\) bytes of data\.\n/);
  const src = await a("ping -c 1 -I 192.168.1.10 192.168.1.11");
  assert.match(src.out, /^PING 192\.168\.1\.11 \(192\.168\.1\.11\) from 192\.168\.1\.10 : 56\(84\) bytes of data\.\n/);
  assert.deepEqual(await a("ping -c 1 -W 1 -I eth9 192.168.1.11"), { out: "", err: "ping: SO_BINDTODEVICE eth9: No such device\n", code: 2 });
  assert.deepEqual(await a("ping -c 1 -I 1.2.3.4 192.168.1.11"), { out: "", err: "ping: bind: Cannot assign requested address\n", code: 2 });
  const lo = await a("ping -c 1 -W 1 -I lo 192.168.1.11");
  assert.match(lo.out, /^PING 192\.168\.1\.11 \(192\.168\.1\.11\) from 192\.168\.1\.10 lo: /);
  assert.equal(lo.err, "ping: Warning: source address might be selected on device other than: lo\n");
});

test("names: /etc/hosts with the canonical name in header, replies and statistics; unknown names; numeric forms", async () => {
  const w = await routed();
  const a = shell(w, "a");
  await a("echo '192.168.1.11 host-b hb' >> /etc/hosts");
  await a("echo '192.168.1.1 rt' >> /etc/hosts");
  await a("echo '192.168.2.10 host-c' >> /etc/hosts");
  const r = await a("ping -c 1 hb");
  assert.equal(maskTimes(r.out), lines("PING host-b (192.168.1.11) 56(84) bytes of data.", "64 bytes from host-b (192.168.1.11): icmp_seq=1 ttl=64 time=T ms", "", "--- host-b ping statistics ---", "1 packets transmitted, 1 received, 0% packet loss, time 0ms", "rtt min/avg/max/mdev = R ms"));
  const n = await a("ping -c 1 -n HOST-B");
  assert.match(n.out, /\n64 bytes from 192\.168\.1\.11: icmp_seq=1/);
  const ttl = await a("ping -c 1 -t 1 host-c");
  assert.match(ttl.out, /\nFrom rt \(192\.168\.1\.1\) icmp_seq=1 Time to live exceeded\n/);
  assert.deepEqual(await a("ping -c 1 nosuch"), { out: "", err: "ping: nosuch: Name or service not known\n", code: 2 });
  const short = await a("ping -c 1 -W 1 192.168.1");
  assert.match(short.out, /^PING 192\.168\.1 \(192\.168\.0\.1\) /);
});

test("usage errors: texts and exit codes of iputils", async () => {
  const w = await lan();
  const a = shell(w, "a");
  assert.deepEqual(await a("ping"), { out: "", err: "ping: usage error: Destination address required\n", code: 1 });
  assert.deepEqual(await a("ping -c 1"), { out: "", err: "ping: usage error: Destination address required\n", code: 1 });
  assert.deepEqual(await a("ping -c 0 192.168.1.11"), { out: "", err: "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n", code: 1 });
  assert.deepEqual(await a("ping -c abc 192.168.1.11"), { out: "", err: "ping: invalid argument: 'abc'\n", code: 1 });
  assert.deepEqual(await a("ping -t 256 192.168.1.11"), { out: "", err: "ping: invalid argument: '256': out of range: 0 <= value <= 255\n", code: 1 });
  assert.deepEqual(await a("ping -s -1 192.168.1.11"), { out: "", err: "ping: invalid argument: '-1': out of range: 0 <= value <= 2147483647\n", code: 1 });
  assert.deepEqual(await a("ping -W -1 -c 1 192.168.1.11"), { out: "", err: "ping: bad linger time: -1\n", code: 2 });
  assert.deepEqual(await a("ping -c1 -i 100000000 192.168.1.11"), { out: "", err: "ping: bad timing interval: 100000000\n", code: 2 });
  assert.deepEqual(await a("ping -t 0 -c 1 192.168.1.11"), { out: "", err: "ping: cannot set unicast time-to-live: Invalid argument\n", code: 2 });
  assert.deepEqual(await a("ping -4 -6 1.2.3.4"), { out: "", err: "ping: only one -4 or -6 option may be specified\n", code: 2 });
  assert.deepEqual(await a("ping -6 -c1 192.168.1.11"), { out: "", err: "ping: 192.168.1.11: Address family for hostname not supported\n", code: 2 });
  assert.deepEqual(await a("ping -c 1 192.168.1.11 192.168.1.10"), { out: "", err: "ping: record route: Operation not permitted\n", code: 2 });
  const bad = await a("ping -x 192.168.1.11");
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^ping: invalid option -- 'x'\n\nUsage\n  ping \[options\] <destination>\n/);
  assert.match(bad.err, /For more details see ping\(8\)\.\n$/);
  const missing = await a("ping -c");
  assert.match(missing.err, /^ping: option requires an argument -- 'c'\n\nUsage\n/);
  const garbage = await a("ping -c 1 -W 1x 192.168.1.11");
  assert.equal(garbage.err, "ping: option argument contains garbage: x\nping: this will become fatal error in the future\n");
  assert.equal(garbage.code, 0);
  assert.equal((await a("ping -V")).out, "ping from iputils 20221126\nlibcap: yes, IDN: yes, NLS: no, error.h: yes, getrandom(): yes, __fpending(): yes\n");
});

test("local and special destinations: own address, 127.0.0.1, 0.0.0.0, -s beyond 65507", async () => {
  const w = await lan();
  const a = shell(w, "a");
  assert.match((await a("ping -c 1 192.168.1.10")).out, /64 bytes from 192\.168\.1\.10: icmp_seq=1 ttl=64 time=/);
  assert.match((await a("ping -c 1 127.0.0.1")).out, /64 bytes from 127\.0\.0\.1: icmp_seq=1 ttl=64 time=/);
  assert.match((await a("ping -c 1 0.0.0.0")).out, /^PING 0\.0\.0\.0 \(127\.0\.0\.1\) 56\(84\) bytes of data\.\n64 bytes from 127\.0\.0\.1:/);
  const big = await a("ping -c 1 -s 65508 192.168.1.11");
  assert.match(big.out, /1 packets transmitted, 0 received, \+1 errors, 100% packet loss/);
  assert.equal(big.err, "ping: local error: message too long, mtu=1500\n");
});

test("a background ping does not stop other shells, and the machine can be pinged while a server runs", async () => {
  const w = await lan();
  const stop = await background(w, "b", "ping 192.168.1.10");
  const r = await shell(w, "a")("ping -c 2 192.168.1.11");
  assert.equal(r.code, 0);
  const bg = await stop();
  assert.equal(bg.code, 0);
  assert.match(bg.out, /--- 192\.168\.1\.10 ping statistics ---/);
  assert.deepEqual(w.sim.internalErrors, []);
});
