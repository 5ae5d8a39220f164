// traceroute 2.1.2: layout and marks as captured on Debian 12 (UDP, -I, -T, -n; !H/!N/!X; errors).
import { test } from "node:test";
import assert from "node:assert/strict";
import { lines, maskTimes, routed, shell } from "./testkit";
import { unreachMark } from "./traceroute";

test("through a router: two hops, names in parentheses, three times each; -n, -I and -T agree", async () => {
  const w = await routed();
  const a = shell(w, "a");
  const r = await a("traceroute 192.168.2.10");
  assert.equal(r.code, 0);
  assert.equal(
    maskTimes(r.out),
    lines("traceroute to 192.168.2.10 (192.168.2.10), 30 hops max, 60 byte packets", " 1  192.168.1.1 (192.168.1.1)  T ms  T ms  T ms", " 2  192.168.2.10 (192.168.2.10)  T ms  T ms  T ms"),
  );
  const n = lines("traceroute to 192.168.2.10 (192.168.2.10), 30 hops max, 60 byte packets", " 1  192.168.1.1  T ms  T ms  T ms", " 2  192.168.2.10  T ms  T ms  T ms");
  assert.equal(maskTimes((await a("traceroute -n 192.168.2.10")).out), n);
  assert.equal(maskTimes((await a("traceroute -I -n 192.168.2.10")).out), n);
  assert.equal(maskTimes((await a("traceroute -T -n 192.168.2.10")).out), n);
  // Same segment: one hop.
  assert.equal(maskTimes((await a("traceroute -q 1 192.168.1.11")).out), lines("traceroute to 192.168.1.11 (192.168.1.11), 30 hops max, 60 byte packets", " 1  192.168.1.11 (192.168.1.11)  T ms"));
  // A name from /etc/hosts for a hop.
  await a("echo '192.168.1.1 rt' >> /etc/hosts");
  assert.match((await a("traceroute -q 1 192.168.2.10")).out, /\n 1  rt \(192\.168\.1\.1\)  \d+\.\d{3} ms\n/);
});

test("unreachables end the trace with their mark; silence is *", async () => {
  const w = await routed();
  const a = shell(w, "a");
  // The router cannot resolve the host: !H after its 3 s of ARP.
  const h = await a("traceroute -n -q 1 -I 192.168.2.99");
  assert.match(h.out, /\n 1  192\.168\.1\.1  \d+\.\d{3} ms\n 2  192\.168\.1\.1  30\d\d\.\d{3} ms !H\n$/);
  // No route on the router: !N from the first hop.
  assert.match((await a("traceroute -n -q 1 10.20.0.1")).out, /\n 1  192\.168\.1\.1  \d+\.\d{3} ms !N\n$/);
  await shell(w, "r")("iptables -A FORWARD -d 192.168.2.10 -j REJECT --reject-with icmp-admin-prohibited");
  assert.match((await a("traceroute -n 192.168.2.10")).out, /\n 2  192\.168\.1\.1  \d+\.\d{3} ms !X  \d+\.\d{3} ms !X  \d+\.\d{3} ms !X\n$/);
  await shell(w, "r")("iptables -F FORWARD");
  await shell(w, "r")("sysctl -w net.ipv4.ip_forward=0");
  const silent = await a("traceroute -n -q 1 -m 3 -w 1 192.168.2.10");
  assert.equal(silent.out, lines("traceroute to 192.168.2.10 (192.168.2.10), 3 hops max, 60 byte packets", " 1  *", " 2  *", " 3  *"));
  assert.equal(unreachMark(13), "!X");
  assert.equal(unreachMark(3), "");
  assert.equal(unreachMark(2), "!P");
});

test("errors: options, names, local routes (header without newline for UDP, none for -I)", async () => {
  const w = await routed();
  const a = shell(w, "a");
  assert.deepEqual(await a("traceroute -x 1.2.3.4"), { out: "", err: "Bad option `-x' (argc 1)\n", code: 2 });
  assert.deepEqual(await a("traceroute -m 0 1.2.3.4"), { out: "", err: "first hop out of range\n", code: 2 });
  assert.deepEqual(await a("traceroute -m 300 1.2.3.4"), { out: "", err: "max hops cannot be more than 255\n", code: 2 });
  assert.deepEqual(await a("traceroute -q 11 1.2.3.4"), { out: "", err: "no more than 10 probes per hop\n", code: 2 });
  assert.deepEqual(await a("traceroute -w abc 1.2.3.4"), { out: "", err: "Cannot handle `-w' option with arg `abc' (argc 2)\n", code: 2 });
  assert.deepEqual(await a("traceroute -m"), { out: "", err: "Option `-m' (argc 1) requires an argument: `-m max_ttl'\n", code: 2 });
  assert.deepEqual(await a("traceroute 1.2.3.4 abc"), { out: "", err: "Cannot handle \"packetlen\" cmdline arg `abc' on position 2 (argc 2)\n", code: 2 });
  assert.deepEqual(await a("traceroute nosuch"), { out: "", err: "nosuch: Name or service not known\nCannot handle \"host\" cmdline arg `nosuch' on position 1 (argc 1)\n", code: 2 });
  await a("ip route add blackhole 10.6.0.0/16");
  assert.deepEqual(await a("traceroute 10.6.0.1"), { out: "traceroute to 10.6.0.1 (10.6.0.1), 30 hops max, 60 byte packets", err: "\nconnect: Invalid argument\n", code: 1 });
  assert.deepEqual(await a("traceroute -I 10.6.0.1"), { out: "", err: "\nconnect: Invalid argument\n", code: 1 });
  assert.deepEqual(await a("traceroute -s 1.2.3.4 192.168.1.11"), { out: "traceroute to 192.168.1.11 (192.168.1.11), 30 hops max, 60 byte packets", err: "\nbind: Cannot assign requested address\n", code: 1 });
  const usage = await a("traceroute");
  assert.equal(usage.code, 0);
  assert.match(usage.err, /^Usage:\n {2}traceroute \[ -46dFITnreAUDV \]/);
  assert.match((await a("traceroute -q 1 192.168.1.11 10")).out, /^traceroute to 192\.168\.1\.11 \(192\.168\.1\.11\), 30 hops max, 28 byte packets\n/);
  assert.deepEqual(w.sim.internalErrors, []);
});
