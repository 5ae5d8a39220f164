// Random argv for every probe and net-tools command: whatever the words, a tool must answer with text
// and an exit code (never an exception, never a stack trace) and stop on Ctrl+C.
import { test } from "node:test";
import assert from "node:assert/strict";
import { routed } from "./testkit";
import { shellQuote } from "../../tool";

function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (a: number, b: number) => a + Math.floor(next() * (b - a + 1)), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] };
}

const VALUES = ["", "0", "1", "-1", "2", "0.5", "1e3", "abc", "1x", "65535", "65536", "99999999999999999999", "192.168.1.11", "192.168.2.10", "192.168.1.99", "10.20.0.1", "127.0.0.1", "0.0.0.0", "255.255.255.255", "192.168.1.255", "1.2.3", "300.1.1.1", "nosuch", "localhost", "eth0", "eth9", "lo", "http://192.168.1.11:8080/", "https://192.168.2.10/", "foo://x", "http://", "http://[::1]/", "255.255.0.0", "00:11:22:33:44:55", "zz", "default", "-net", "-host", "gw", "netmask", "dev", "up", "down", "mtu", "reject", "tcp", "udp", "ping", "80", "80-82", "http", "-", "--", "'a b'", "%{http_code}"];

const OPTS: Record<string, string[]> = {
  ping: ["-c", "-W", "-i", "-I", "-w", "-s", "-t", "-q", "-n", "-4", "-6", "-b", "-D", "-f", "-h", "-V", "-x", "-c1", "-W1", "--foo", "-O", "-v"],
  traceroute: ["-I", "-T", "-U", "-n", "-m", "-q", "-w", "-f", "-p", "-s", "-i", "-N", "-x", "--icmp", "--max-hops=3", "--wait", "-V", "--help"],
  nc: ["-l", "-k", "-u", "-z", "-v", "-n", "-w", "-p", "-s", "-e", "-h", "-lk", "-zv", "-x", "-M", "-U"],
  curl: ["-s", "-S", "-v", "-i", "-I", "-o", "-m", "-H", "-X", "-d", "-w", "-f", "-L", "-k", "--connect-timeout", "--resolve", "-sS", "--bogus", "-O", "-u", "--max-time", "-h", "-V"],
  "echo-server": ["--port", "--name", "--addr", "--bind", "--help", "-x", "--port=8081"],
  trace: ["ping", "tcp", "udp", "-p", "-s", "-t", "-d", "--json", "--help", "-x"],
  arp: ["-a", "-n", "-e", "-v", "-i", "-d", "-s", "-H", "-f", "-x", "-an", "--numeric", "-D"],
  route: ["-n", "-e", "-ee", "-C", "-F", "-v", "add", "del", "flush", "-net", "-host", "-x", "-A", "-4", "-6", "--help"],
  ifconfig: ["-a", "-s", "-v", "eth0", "lo", "eth9", "eth0:1", "up", "down", "netmask", "broadcast", "mtu", "promisc", "-promisc", "hw", "ether", "del", "--help", "-x"],
};

test("fuzz: 600 random command lines for ping, traceroute, nc, curl, echo-server, trace, arp, route, ifconfig", async () => {
  const w = await routed();
  const r = prng(20261121);
  const tools = Object.keys(OPTS);
  const shells = ["a", "b", "r", "c"].map((m) => w.shell(m));
  const slow: string[] = [];
  for (let i = 0; i < 600; i++) {
    const tool = tools[i % tools.length];
    const argv: string[] = [];
    const n = r.int(0, 6);
    for (let k = 0; k < n; k++) argv.push(r.next() < 0.5 ? r.pick(OPTS[tool]) : r.pick(VALUES));
    const line = [tool, ...argv.map((x) => (x.startsWith("'") ? x : shellQuote(x)))].join(" ");
    const soft = new AbortController();
    const hard = new AbortController();
    const t1 = setTimeout(() => soft.abort(), 15);
    const t2 = setTimeout(() => {
      slow.push(line);
      hard.abort();
    }, 2000);
    const res = await r.pick(shells).exec(line, { interrupt: soft.signal, signal: hard.signal, stdin: r.next() < 0.2 ? "GET / HTTP/1.1\r\n\r\n" : "" });
    clearTimeout(t1);
    clearTimeout(t2);
    assert.ok(Number.isInteger(res.exitCode) && res.exitCode >= 0 && res.exitCode <= 255, `${line}: exit ${res.exitCode}`);
    assert.doesNotMatch(res.stderr, /internal error|\n\s+at .+\(.+:\d+:\d+\)/, line);
  }
  assert.deepEqual(slow, [], "commands that ignored Ctrl+C");
  assert.deepEqual(w.sim.internalErrors, []);
});
