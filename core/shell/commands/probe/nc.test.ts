// nc (netcat-openbsd 1.219): listen + connect, -z scans, -v notices and errors as captured on Debian 12.
import { test } from "node:test";
import assert from "node:assert/strict";
import { background, lan, routed, shell } from "./testkit";
import { listSockets } from "../../../net/walk/index";

test("nc -l: data sent by a client arrives on the server's stdout; without -k the server exits after it", async () => {
  const w = await lan();
  const stop = await background(w, "b", "nc -lv 1234");
  const a = shell(w, "a");
  const c = await a("nc -v 192.168.1.11 1234", { stdin: "hello\n" });
  assert.deepEqual(c, { out: "", err: "Connection to 192.168.1.11 1234 port [tcp/*] succeeded!\n", code: 0 });
  const s = await stop();
  assert.equal(s.out, "hello\n");
  assert.match(s.err, /^Listening on 0\.0\.0\.0 1234\nConnection received on 192\.168\.1\.10 \d+\n$/);
  assert.equal(s.code, 0, "the client closed: netcat exits by itself");
  // The listener is gone: a second client is refused.
  assert.equal((await a("nc -z 192.168.1.11 1234")).code, 1);
});

test("nc -lk keeps accepting; the server's stdin is its answer; ss-visible owner; Ctrl+C ends it", async () => {
  const w = await lan();
  const stop = await background(w, "b", "nc -lk 2345");
  const listening = listSockets(w.sim.machine("b")!.root).find((x) => x.state === "LISTEN" && x.local.port === 2345);
  assert.equal(listening?.owner?.program, "nc");
  const a = shell(w, "a");
  assert.equal((await a("nc 192.168.1.11 2345", { stdin: "one\n" })).code, 0);
  assert.equal((await a("nc 192.168.1.11 2345", { stdin: "two\n" })).code, 0);
  assert.deepEqual(await a("nc -zv 192.168.1.11 2345"), { out: "", err: "Connection to 192.168.1.11 2345 port [tcp/*] succeeded!\n", code: 0 });
  const s = await stop();
  assert.equal(s.out, "one\ntwo\n");
  assert.equal(s.code, 130);
  // A server that answers with what was piped into it.
  const stop2 = await (async () => {
    const ac = new AbortController();
    const p = w.shell("b").exec("nc -l 3456", { interrupt: ac.signal, stdin: "pong\n" });
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    return async () => (ac.abort(), p);
  })();
  assert.deepEqual(await a("nc 192.168.1.11 3456", { stdin: "ping\n" }), { out: "pong\n", err: "", code: 0 });
  assert.equal((await stop2()).stdout, "ping\n");
});

test("-z scans: services from /etc/services, ranges, refused and timed out with -v, silent without", async () => {
  const w = await routed();
  const stop = await background(w, "b", "echo-server --port 80");
  const a = shell(w, "a");
  assert.deepEqual(await a("nc -zv 192.168.1.11 80"), { out: "", err: "Connection to 192.168.1.11 80 port [tcp/http] succeeded!\n", code: 0 });
  assert.deepEqual(await a("nc -zv 192.168.1.11 http"), { out: "", err: "Connection to 192.168.1.11 80 port [tcp/http] succeeded!\n", code: 0 });
  assert.deepEqual(await a("nc -zv 192.168.1.11 79-81"), {
    out: "",
    err: "nc: connect to 192.168.1.11 port 79 (tcp) failed: Connection refused\nConnection to 192.168.1.11 80 port [tcp/http] succeeded!\nnc: connect to 192.168.1.11 port 81 (tcp) failed: Connection refused\n",
    code: 0,
  });
  assert.deepEqual(await a("nc -z 192.168.1.11 81"), { out: "", err: "", code: 1 });
  assert.deepEqual(await a("nc -zv -w 1 192.168.1.99 80"), { out: "", err: "nc: connect to 192.168.1.99 port 80 (tcp) timed out: Operation now in progress\n", code: 1 });
  await a("ip route add blackhole 10.6.0.0/16");
  await a("ip route add unreachable 10.7.0.0/16");
  await a("ip route add prohibit 10.8.0.0/16");
  assert.equal((await a("nc -zv 10.6.0.1 80")).err, "nc: connect to 10.6.0.1 port 80 (tcp) failed: Invalid argument\n");
  assert.equal((await a("nc -zv 10.7.0.1 80")).err, "nc: connect to 10.7.0.1 port 80 (tcp) failed: No route to host\n");
  assert.equal((await a("nc -zv 10.8.0.1 80")).err, "nc: connect to 10.8.0.1 port 80 (tcp) failed: Permission denied\n");
  await a("echo '192.168.1.11 host-b hb' >> /etc/hosts");
  assert.equal((await a("nc -zv hb 80")).err, "Connection to hb (192.168.1.11) 80 port [tcp/http] succeeded!\n");
  assert.equal((await a("nc -zv hb 81")).err, "nc: connect to hb (192.168.1.11) port 81 (tcp) failed: Connection refused\n");
  assert.deepEqual(await a("nc -zvn hb 80"), { out: "", err: 'nc: getaddrinfo for host "hb" port 80: Name or service not known\n', code: 1 });
  // An HTTP request through nc gets the echo-server's answer.
  const http = await a("nc 192.168.1.11 80", { stdin: "GET /x HTTP/1.1\r\nHost: b\r\n\r\n" });
  assert.match(http.out, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(http.out, /"path":"\/x"/);
  await stop();
});

test("usage and argument errors, -e is not an option of this netcat", async () => {
  const w = await lan();
  const a = shell(w, "a");
  const usage = "usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n\t  [destination] [port]\n";
  assert.deepEqual(await a("nc"), { out: "", err: usage, code: 1 });
  assert.deepEqual(await a("nc -l -e /bin/sh 1234"), { out: "", err: "nc: invalid option -- 'e'\n" + usage, code: 1 });
  assert.deepEqual(await a("nc -x"), { out: "", err: "nc: option requires an argument -- 'x'\n" + usage, code: 1 });
  assert.deepEqual(await a("nc -l"), { out: "", err: "nc: missing port number\n", code: 1 });
  assert.deepEqual(await a("nc -zv 192.168.1.11"), { out: "", err: "nc: missing port number\n", code: 1 });
  assert.deepEqual(await a("nc -zv 192.168.1.11 foo"), { out: "", err: "nc: port number invalid: foo\n", code: 1 });
  assert.deepEqual(await a("nc -zv 192.168.1.11 70000"), { out: "", err: "nc: port number too large: 70000\n", code: 1 });
  assert.deepEqual(await a("nc -zv 192.168.1.11 0"), { out: "", err: "nc: port number too small: 0\n", code: 1 });
  assert.deepEqual(await a("nc -lz 80"), { out: "", err: "nc: cannot use -z and -l\n", code: 1 });
  assert.deepEqual(await a("nc -k 192.168.1.11 80"), { out: "", err: "nc: must use -l with -k\n", code: 1 });
  assert.deepEqual(await a("nc -l -p 80 90"), { out: "", err: usage, code: 1 });
  assert.deepEqual(await a("nc -w abc 192.168.1.11 80"), { out: "", err: "nc: timeout invalid: abc\n", code: 1 });
  assert.deepEqual(await a("nc -l 1.2.3.4 1234"), { out: "", err: "nc: Cannot assign requested address\n", code: 1 });
  assert.deepEqual(await a("nc -s 1.2.3.4 -zv 192.168.1.11 80"), { out: "", err: "nc: bind failed: Cannot assign requested address\n", code: 1 });
  const stop = await background(w, "a", "echo-server --port 8080");
  assert.deepEqual(await a("nc -l 8080"), { out: "", err: "nc: Address already in use\n", code: 1 });
  await stop();
  assert.match((await a("nc -h")).err, /^OpenBSD netcat \(Debian patchlevel 1\.219-1\)\nusage: nc /);
});
