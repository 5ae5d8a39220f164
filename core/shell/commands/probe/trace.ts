// trace: kube-netlab's own command (there is no such Linux tool). It sends ONE probe from the current
// namespace through the packet walk and prints every step of its path: where it was, what decided it
// (route, netfilter rules and NAT, ARP, bridges), where and why it died, and the outcome. `--json`
// prints the same Trace object the app draws on the topology.
import type { Tool, ToolContext, ToolResult } from "../../tool";
import { STRERROR, type Errno } from "../../../net/errors";
import { formatIPv4 } from "../../../net/ip";
import type { Hop, Trace } from "../../../net/trace";
import { echo, tcpConnect, udpSend } from "../../../net/walk/index";
import { resolveHost, inetAton } from "./resolve";
import { allocPid } from "./signals";
import { icmpErrorText } from "./ping-format";

const HELP = `Usage: trace [ping|tcp|udp] [-p PORT] [-s SOURCE] [-t TTL] [-d DATA] [--json] DESTINATION

trace is a kube-netlab command, not a standard Linux tool: it sends one probe from this machine (or
namespace, under \`ip netns exec\`) and shows each step of the packet's path through the simulated
network: the route chosen, the netfilter rules it met and what NAT did, ARP, bridges and switches,
where it was dropped and why, and how the answer came back.

  ping        an ICMP echo request (the default)
  tcp         a TCP connection (SYN, SYN/ACK, ACK) to PORT (default 80)
  udp         one datagram to PORT (default 53)
  -p PORT     destination port for tcp and udp
  -s SOURCE   source address (must be local)
  -t TTL      IP time to live of the probe
  -d DATA     payload: sent on the TCP connection or in the datagram
  --json      print the trace as JSON (the data the app draws)
`;

type Proto = "ping" | "tcp" | "udp";

export const traceTool: Tool = {
  name: "trace",
  async run(ctx) {
    return trace(ctx);
  },
};

const usageErr = (msg: string): ToolResult => ({ stdout: "", stderr: `trace: ${msg}\nTry 'trace --help' for more information.\n`, exitCode: 2 });

async function trace(ctx: ToolContext): Promise<ToolResult> {
  let proto: Proto = "ping";
  let port: number | undefined;
  let src: number | undefined;
  let ttl: number | undefined;
  let data: string | undefined;
  let json = false;
  const rest: string[] = [];
  const args = ctx.args;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string | undefined => (i + 1 < args.length ? args[++i] : undefined);
    if (a === "--help" || a === "-h") return { stdout: HELP, stderr: "", exitCode: 0 };
    if (a === "--json" || a === "-j") json = true;
    else if (a === "-p" || a === "--port") {
      const v = value();
      if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) return usageErr(`invalid port: ${v ?? ""}`);
      port = Number(v);
    } else if (a === "-s" || a === "--source") {
      const v = value();
      const n = v === undefined ? undefined : inetAton(v);
      if (n === undefined) return usageErr(`invalid source address: ${v ?? ""}`);
      src = n;
    } else if (a === "-t" || a === "--ttl") {
      const v = value();
      if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 255) return usageErr(`invalid ttl: ${v ?? ""}`);
      ttl = Number(v);
    } else if (a === "-d" || a === "--data") {
      const v = value();
      if (v === undefined) return usageErr("option -d needs a value");
      data = v;
    } else if (a.startsWith("-") && a.length > 1) return usageErr(`unknown option: ${a}`);
    else rest.push(a);
  }
  if (rest.length && (rest[0] === "ping" || rest[0] === "icmp" || rest[0] === "tcp" || rest[0] === "udp")) {
    const p = rest.shift()!;
    proto = p === "icmp" ? "ping" : (p as Proto);
  }
  if (rest.length === 0) return usageErr("missing destination");
  if (rest.length > 1) return usageErr(`unexpected argument: ${rest[1]}`);
  const target = rest[0];
  const res = await resolveHost(ctx, target);
  if (!res.ok) return { stdout: "", stderr: `trace: ${target}: ${res.error}\n`, exitCode: 2 };
  const dst = res.addr;
  const ns = ctx.ns;
  const owner = { pid: allocPid(ctx.machine), program: "trace" };
  const clock = ctx.sim.clock;
  const t0 = clock.now();
  let what: string;
  let result: string;
  let ok: boolean;
  let tr: Trace;
  const dstText = `${formatIPv4(dst)}${port !== undefined || proto !== "ping" ? `:${port ?? (proto === "tcp" ? 80 : 53)}` : ""}`;
  if (proto === "ping") {
    what = `ping ${dstText}`;
    const r = await echo(ns, dst, { id: owner.pid & 0xffff, seq: 1, ttl, src, timeoutMs: 10_000, signal: ctx.signal });
    tr = r.trace;
    ok = r.kind === "reply";
    if (r.kind === "reply") result = `echo reply from ${formatIPv4(r.from)}, ttl ${r.ttl}, ${r.rttMs.toFixed(3)} ms`;
    else if (r.kind === "icmp-error") result = `${icmpErrorText(r.type, r.code)} from ${formatIPv4(r.from)}`;
    else if (r.kind === "local-error") result = `${r.syscall ?? "connect"}: ${STRERROR[r.errno]}`;
    else result = "no answer (timeout)";
  } else if (proto === "tcp") {
    const p = port ?? 80;
    what = `tcp ${dstText}`;
    const r = await tcpConnect(ns, dst, p, { ttl, src, signal: ctx.signal, owner, timeoutMs: 10_000 });
    tr = r.trace;
    ok = r.ok;
    if (r.ok) {
      result = `connected ${formatIPv4(r.conn.local.addr)}:${r.conn.local.port} → ${formatIPv4(r.conn.remote.addr)}:${r.conn.remote.port}`;
      if (data !== undefined) {
        const q = await r.conn.request(data, { timeoutMs: 10_000 });
        tr = { hops: [...tr.hops, ...q.trace.hops], outcome: q.trace.outcome };
        result += q.ok ? `; the server answered ${q.data.length} characters` : `; the data got no answer: ${STRERROR[q.errno as Errno] ?? q.errno}`;
        ok = q.ok;
      }
      r.conn.close();
    } else result = `connect: ${STRERROR[r.errno as Errno] ?? r.errno}${r.from !== undefined ? ` (ICMP from ${formatIPv4(r.from)})` : ""}`;
  } else {
    const p = port ?? 53;
    what = `udp ${dstText}`;
    const r = await udpSend(ns, dst, p, data ?? "", { ttl, src, signal: ctx.signal, owner, recvErr: true, timeoutMs: 5000 });
    tr = r.trace;
    ok = r.ok && !!r.reply;
    if (r.ok) result = r.reply ? `reply of ${r.reply.data.length} characters from ${formatIPv4(r.reply.from.addr)}:${r.reply.from.port}` : "no reply (the datagram may have arrived; UDP does not say)";
    else result = `${STRERROR[r.errno as Errno] ?? r.errno}${r.icmp ? ` (${icmpErrorText(r.icmp.type, r.icmp.code)} from ${formatIPv4(r.from ?? 0)})` : ""}`;
  }
  const ms = clock.now() - t0;
  if (json) {
    const body = { probe: { proto, from: ns.label, to: formatIPv4(dst), port: proto === "ping" ? undefined : (port ?? (proto === "tcp" ? 80 : 53)), ttl }, ok, result, elapsedMs: Math.round(ms * 1000) / 1000, trace: tr };
    return { stdout: JSON.stringify(body, null, 2) + "\n", stderr: "", exitCode: ok ? 0 : 1 };
  }
  return { stdout: formatTrace(`${what} from ${ns.label}`, tr, result, ms), stderr: "", exitCode: ok ? 0 : 1 };
}

/** The trace for a terminal: one numbered line per hop, details indented under it. */
export function formatTrace(title: string, t: Trace, result: string, ms: number): string {
  const lines = [`trace: ${title}`];
  const atWidth = Math.min(28, Math.max(4, ...t.hops.map((h) => where(h).length)));
  const kindWidth = Math.max(...t.hops.map((h) => h.kind.length), 4);
  const n = String(t.hops.length).length;
  let lastPacket: string | undefined;
  t.hops.forEach((h, i) => {
    lines.push(`${String(i + 1).padStart(n + 1)}  ${where(h).padEnd(atWidth)}  ${h.kind.padEnd(kindWidth)}  ${h.summary}`);
    const pad = " ".repeat(n + 1 + 2 + atWidth + 2 + kindWidth + 2);
    for (const r of h.rules ?? []) lines.push(`${pad}${r.ruleNum === 0 ? "policy" : `rule ${r.ruleNum}`} (${r.table} ${r.chain}): ${r.rule}  → ${r.target}`);
    if (h.nat) lines.push(`${pad}${h.nat.kind} ${ep(h.nat.from)} → ${ep(h.nat.to)}`);
    if (h.packet && h.packet !== lastPacket && (h.kind === "send" || h.kind === "reply" || h.kind === "icmp-error" || h.nat || h.kind === "drop")) lines.push(`${pad}packet ${h.packet}`);
    if (h.packet) lastPacket = h.packet;
  });
  lines.push(`outcome: ${t.outcome}`);
  lines.push(`result: ${result} (${(Math.round(ms * 1000) / 1000).toString()} ms)`);
  return lines.join("\n") + "\n";
}

const where = (h: Hop) => (h.iface ? `${h.at} ${h.iface}` : h.at);
const ep = (e: { addr: number; port?: number }) => `${formatIPv4(e.addr)}${e.port !== undefined ? `:${e.port}` : ""}`;
