// curl 7.88.1 against the echo-server: bodies, -i/-I/-v/-o/-w, the NAT-visible client address, and
// curl's error texts and exit codes as captured on Debian 12.
import { test } from "node:test";
import assert from "node:assert/strict";
import { background, lan, routed, shell } from "./testkit";
import { buildRequest, parseUrl } from "./curl";
import { describeRequest } from "./echo-server";
import { parseResponse } from "./http";

test("URL parsing: default scheme and ports, dot segments, fragments, userinfo; (3) and (1) errors", () => {
  const u = parseUrl("192.168.1.11:8080/a/../b/./c?x=1#frag");
  assert.deepEqual(u, { scheme: "http", user: undefined, host: "192.168.1.11", port: 8080, explicitPort: true, path: "/b/c?x=1" });
  assert.deepEqual(parseUrl("HTTP://User:pw@Host-B"), { scheme: "http", user: "User:pw", host: "host-b", port: 80, explicitPort: false, path: "/" });
  assert.equal((parseUrl("https://x") as { port: number }).port, 443);
  for (const bad of ["", "http://", "http://h:99999/", "http://h:abc/", "http://a b/"]) assert.deepEqual(parseUrl(bad), { code: 3, msg: "URL using bad/illegal format or missing URL" }, bad);
  assert.deepEqual(parseUrl("foo://bar"), { code: 1, msg: 'Protocol "foo" not supported or disabled in libcurl' });
});

test("the request curl writes: Host with a non-default port, Authorization, User-Agent, Accept, -d, -H", () => {
  const url = parseUrl("http://u:p@192.168.1.11:8080/x") as Exclude<ReturnType<typeof parseUrl>, { code: number }>;
  assert.equal(
    buildRequest({ headers: [], data: "a=1" }, url, "u:p"),
    "POST /x HTTP/1.1\r\nHost: 192.168.1.11:8080\r\nAuthorization: Basic dTpw\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nContent-Length: 3\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\na=1",
  );
  const plain = parseUrl("http://web/") as typeof url;
  assert.equal(buildRequest({ headers: ["Host: example.com", "X-Foo: bar", "Accept:", "X-Empty;"], head: true }, plain), "HEAD / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/7.88.1\r\nX-Foo: bar\r\nX-Empty:\r\n\r\n");
});

test("echo-server JSON: the same fields and header names as the Node twin", () => {
  const body = describeRequest("blue", { local: { addr: 0xc0a80f02, port: 80 }, remote: { addr: 0xc0a80103, port: 40000 }, data: "" }, "GET", "/", [
    ["Host", "192.168.1.2"],
    ["User-Agent", "curl/7.88.1"],
    ["Accept", "*/*"],
  ]);
  assert.equal(body, '{"name":"blue","local":{"address":"192.168.15.2","port":80},"client":{"address":"192.168.1.3","port":40000},"method":"GET","path":"/","host":"192.168.1.2","headers":{"host":"192.168.1.2","user-agent":"curl/7.88.1","accept":"*/*"}}\n');
  const r = parseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  assert.equal(r?.body, "hello");
});

test("curl to echo-server: the body; -i/-I headers; -v; -o and -w; the client address the server saw", async () => {
  const w = await lan();
  const stop = await background(w, "b", "echo-server --port 8080 --name bee");
  const a = shell(w, "a");
  const r = await a("curl http://192.168.1.11:8080/hello?x=1");
  assert.equal(r.code, 0);
  assert.equal(r.err, "");
  const body = JSON.parse(r.out);
  assert.equal(body.name, "bee");
  assert.deepEqual(body.local, { address: "192.168.1.11", port: 8080 });
  assert.equal(body.client.address, "192.168.1.10");
  assert.ok(body.client.port >= 32768 && body.client.port <= 60999);
  assert.equal(body.path, "/hello?x=1");
  assert.deepEqual(body.headers, { host: "192.168.1.11:8080", "user-agent": "curl/7.88.1", accept: "*/*" });
  const i = await a("curl -s -i http://192.168.1.11:8080/");
  assert.match(i.out, /^HTTP\/1\.1 200 OK\r\nContent-Type: application\/json\r\nContent-Length: \d+\r\nDate: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n\{"name":"bee"/);
  const head = await a("curl -I http://192.168.1.11:8080/");
  assert.match(head.out, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Keep-Alive: timeout=5\r\n\r\n$/);
  const v = await a("curl -v http://192.168.1.11:8080/p");
  assert.match(v.err, /^\* {3}Trying 192\.168\.1\.11:8080\.\.\.\n\* Connected to 192\.168\.1\.11 \(192\.168\.1\.11\) port 8080 \(#0\)\n> GET \/p HTTP\/1\.1\r\n> Host: 192\.168\.1\.11:8080\r\n> User-Agent: curl\/7\.88\.1\r\n> Accept: \*\/\*\r\n> \r\n< HTTP\/1\.1 200 OK\r\n/);
  assert.match(v.err, /< \r\n\* Connection #0 to host 192\.168\.1\.11 left intact\n$/);
  const o = await a("curl -sS -o /tmp/out.json -w '%{http_code} %{remote_ip}:%{remote_port} %{local_ip}\\n' http://192.168.1.11:8080/o");
  assert.deepEqual(o, { out: "200 192.168.1.11:8080 192.168.1.10\n", err: "", code: 0 });
  assert.equal(JSON.parse((await a("cat /tmp/out.json")).out).path, "/o");
  const hdr = await a("curl -sS -H 'Host: example.com' -H 'X-Foo: bar' http://192.168.1.11:8080/h");
  assert.deepEqual(JSON.parse(hdr.out).headers, { host: "example.com", "user-agent": "curl/7.88.1", accept: "*/*", "x-foo": "bar" });
  const post = JSON.parse((await a("curl -sS -d a=1 http://192.168.1.11:8080/post")).out);
  assert.equal(post.method, "POST");
  // A name from /etc/hosts.
  await a("echo '192.168.1.11 web' >> /etc/hosts");
  assert.equal(JSON.parse((await a("curl -s web:8080")).out).host, "web:8080");
  assert.equal((await stop()).out, "listening on 0.0.0.0:8080\n");
});

test("NAT is visible: MASQUERADE shows the router's address as client, DNAT the internal server address", async () => {
  const w = await routed();
  const r = shell(w, "r");
  const stopC = await background(w, "c", "echo-server --port 8080 --name c");
  await r("iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE");
  const seen = JSON.parse((await shell(w, "a")("curl -s http://192.168.2.10:8080/")).out);
  assert.equal(seen.client.address, "192.168.2.1");
  // Port forward on r: b reaches c's server through r's LAN address.
  await r("iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 192.168.2.10:8080");
  await shell(w, "b")("ip route add 192.168.2.0/24 via 192.168.1.1");
  const viaDnat = JSON.parse((await shell(w, "b")("curl -s http://192.168.1.1/")).out);
  assert.deepEqual(viaDnat.local, { address: "192.168.2.10", port: 8080 });
  assert.equal(viaDnat.host, "192.168.1.1");
  await stopC();
});

test("errors: refused (7), connect timeout (28), max time (28), unresolvable (6), bad URL (3), empty reply (52), TLS (35); -s and -S", async () => {
  const w = await lan();
  const a = shell(w, "a");
  assert.deepEqual(await a("curl http://192.168.1.11:81/"), { out: "", err: "curl: (7) Failed to connect to 192.168.1.11 port 81 after 0 ms: Couldn't connect to server\n", code: 7 });
  assert.deepEqual(await a("curl -s http://192.168.1.11:81/"), { out: "", err: "", code: 7 });
  assert.deepEqual(await a("curl -sS http://192.168.1.11:81/"), { out: "", err: "curl: (7) Failed to connect to 192.168.1.11 port 81 after 0 ms: Couldn't connect to server\n", code: 7 });
  assert.deepEqual(await a("curl -v http://192.168.1.11:81/"), {
    out: "",
    err: "*   Trying 192.168.1.11:81...\n* connect to 192.168.1.11 port 81 failed: Connection refused\n* Failed to connect to 192.168.1.11 port 81 after 0 ms: Couldn't connect to server\n* Closing connection 0\ncurl: (7) Failed to connect to 192.168.1.11 port 81 after 0 ms: Couldn't connect to server\n",
    code: 7,
  });
  // Nobody answers: the ARP for .98 is still in progress when curl gives up.
  assert.deepEqual(await a("curl --connect-timeout 2 http://192.168.1.98/"), { out: "", err: "curl: (28) Failed to connect to 192.168.1.98 port 80 after 2000 ms: Timeout was reached\n", code: 28 });
  assert.deepEqual(await a("curl -m 1.5 http://192.168.1.97/"), { out: "", err: "curl: (28) Connection timed out after 1500 milliseconds\n", code: 28 });
  assert.deepEqual(await a("curl http://nosuch/"), { out: "", err: "curl: (6) Could not resolve host: nosuch\n", code: 6 });
  assert.deepEqual(await a("curl -sS http://192.168.1.11:99999/"), { out: "", err: "curl: (3) URL using bad/illegal format or missing URL\n", code: 3 });
  assert.deepEqual(await a("curl -sS foo://bar"), { out: "", err: 'curl: (1) Protocol "foo" not supported or disabled in libcurl\n', code: 1 });
  assert.deepEqual(await a("curl"), { out: "", err: "curl: try 'curl --help' or 'curl --manual' for more information\n", code: 2 });
  assert.deepEqual(await a("curl -s"), { out: "", err: "curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information\n", code: 2 });
  assert.deepEqual(await a("curl --bogus x"), { out: "", err: "curl: option --bogus: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n", code: 2 });
  assert.deepEqual(await a("curl -m abc http://x"), { out: "", err: "curl: option -m: expected a proper numerical parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n", code: 2 });
  assert.deepEqual(await a("curl -H"), { out: "", err: "curl: option -H: requires parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n", code: 2 });
  // A server that accepts and answers nothing, and one that closes at once.
  const quiet = await background(w, "b", "nc -lk 9000");
  assert.deepEqual(await a("curl -sS -m 2 http://192.168.1.11:9000/"), { out: "", err: "curl: (52) Empty reply from server\n", code: 52 });
  await quiet();
  const tls = await background(w, "b", "echo-server --port 443");
  assert.deepEqual(await a("curl -sS https://192.168.1.11/"), { out: "", err: "curl: (35) OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number\n", code: 35 });
  await tls();
  assert.deepEqual(await a("curl -sS https://192.168.1.11:81/"), { out: "", err: "curl: (7) Failed to connect to 192.168.1.11 port 81 after 0 ms: Couldn't connect to server\n", code: 7 });
  assert.deepEqual(w.sim.internalErrors, []);
});

test("echo-server: port in use, bad arguments, --help says it is not a standard tool", async () => {
  const w = await lan();
  const a = shell(w, "a");
  const stop = await background(w, "a", "echo-server");
  assert.deepEqual(await a("echo-server --port 8080"), { out: "", err: "echo-server: listen EADDRINUSE: address already in use 0.0.0.0:8080\n", code: 1 });
  assert.deepEqual(await a("echo-server --addr 1.2.3.4 --port 81"), { out: "", err: "echo-server: listen EADDRNOTAVAIL: address not available 1.2.3.4:81\n", code: 1 });
  assert.equal((await a("echo-server --port x")).code, 2);
  assert.match((await a("echo-server --help")).out, /not a standard Linux tool/);
  const seen = JSON.parse((await a("curl -s localhost:8080")).out);
  assert.equal(seen.name, "a");
  assert.equal(seen.client.address, "127.0.0.1");
  await stop();
});
