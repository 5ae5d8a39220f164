// connect(), request/response and close() for nc and curl: the handshake with SYN retransmissions,
// data retransmitted until it arrives, the server's handler run between the two walks, FIN both ways.
import type { NetNamespace } from "../namespace";
import type { Errno } from "../errors";
import type { ConnectOptions, ConnectOutcome, TcpClientConnection } from "../probes";
import { formatIPv4 } from "../ip";
import { TcpSocket, sockets } from "../sockets";
import type { Trace } from "../trace";
import { Run, REQUEST, REPLY } from "./run";
import { deliveriesOf, tcpSend, type ServerDelivery } from "./transport";
import { effectiveDst, guard, isPrepError, prepare, round, sleepUntil } from "./probe-kit";

/** Data retransmission gives up after tcp_retries2=15 (~924.6 s). */
const TCP_DATA_TIMEOUT_MS = 924_600;

/** SYN retransmission times (ms after connect) for tcp_syn_retries: 0, 1, 3, 7, 15, 31, 63 s; gives up at 127 s. */
function synSchedule(ns: NetNamespace): { sends: number[]; giveUp: number } {
  const n = Math.min(Math.max(Number(ns.sysctl.get("net.ipv4.tcp_syn_retries") ?? "6") || 6, 1), 127);
  const sends: number[] = [];
  for (let i = 0; i <= n && i < 20; i++) sends.push((2 ** i - 1) * 1000);
  return { sends, giveUp: (2 ** (Math.min(n, 19) + 1) - 1) * 1000 };
}

/** Retransmission times of data: RTO from 200 ms, doubling, capped at 120 s. */
function dataSchedule(timeout: number): number[] {
  const out: number[] = [0];
  let rto = 200;
  let t = 0;
  while (out.length < 32) {
    t += rto;
    if (t >= timeout) break;
    out.push(t);
    rto = Math.min(rto * 2, 120_000);
  }
  return out;
}

/** connect(): the three-way handshake, with SYN retransmissions, as nc/curl see it. */
export async function tcpConnect(ns: NetNamespace, target: number, dport: number, opts: ConnectOptions = {}): Promise<ConnectOutcome> {
  const run = new Run(ns.machine.sim);
  const dst = effectiveDst(target, opts);
  const prep = prepare(run, ns, dst, opts, "tcp");
  if (isPrepError(prep)) return { ok: false, errno: prep.errno, trace: run.trace(run.lossReason(prep.errno)) };
  const table = sockets(ns);
  table.expire(run.now());
  const remote = { addr: dst, port: dport };
  let sport = opts.sport;
  if (sport !== undefined && sport !== 0) {
    if (table.conns.has(`${prep.src}:${sport}>${dst}:${dport}`) || table.listeners.some((l) => l.port === sport && (l.addr === 0 || l.addr === prep.src)))
      return { ok: false, errno: "EADDRINUSE", trace: run.trace(`port ${sport} is in use`) };
  } else sport = table.ephemeralPort("tcp", prep.src, 0, remote);
  if (sport === undefined) return { ok: false, errno: "EADDRNOTAVAIL", trace: run.trace("no free ephemeral port") };
  const conn = new TcpSocket("client", { addr: prep.src, port: sport }, remote, "SYN-SENT", opts.owner);
  conn.boundDev = prep.oif;
  conn.ttl = opts.ttl;
  table.conns.set(conn.key, conn);
  ns.machine.sim.changed(ns);
  const fail = (errno: Errno, outcome: string, from?: number): ConnectOutcome => {
    if (table.conns.get(conn.key) === conn) table.conns.delete(conn.key);
    ns.machine.sim.changed(ns);
    return { ok: false, errno, from, trace: run.trace(outcome) };
  };

  const { sends, giveUp } = synSchedule(ns);
  const timeout = opts.timeoutMs ?? giveUp;
  for (let i = 0; i < sends.length && sends[i] < timeout; i++) {
    if (i > 0) {
      if (!(await sleepUntil(run, sends[i], opts.signal))) return fail("ETIMEDOUT", "interrupted");
      if (table.conns.get(conn.key) !== conn) return fail("ECONNRESET", "the socket went away");
      run.resync();
    }
    conn.events = [];
    guard(run, ns, "connect", () => {
      run.hop({ kind: "send", at: ns.label, summary: `${i === 0 ? "SYN" : `SYN retransmission ${i}`} ${formatIPv4(conn.local.addr)}:${sport} → ${formatIPv4(dst)}:${dport}` });
      tcpSend(run, ns, conn, { syn: true }, REQUEST);
    });
    const ev = conn.events.find((e) => e.kind === "established" || e.kind === "reset" || e.kind === "icmp");
    if (!ev) continue;
    if (ev.t > timeout) break;
    if (!(await sleepUntil(run, ev.t, opts.signal))) return fail("ETIMEDOUT", "interrupted");
    if (ev.kind === "reset") return fail("ECONNREFUSED", `connection refused by ${formatIPv4(dst)}:${dport} (RST)`);
    if (ev.kind === "icmp") return fail(ev.errno, `ICMP error from ${formatIPv4(ev.from)}: ${ev.errno}`, ev.from);
    const client = clientConnection(ns, conn);
    return { ok: true, conn: client, trace: run.trace(`connected ${formatIPv4(conn.local.addr)}:${sport} → ${formatIPv4(dst)}:${dport} in ${round(ev.t)} ms`) };
  }
  await sleepUntil(run, timeout, opts.signal);
  return fail("ETIMEDOUT", run.lossReason("no answer to the SYN"));
}

function clientConnection(ns: NetNamespace, conn: TcpSocket): TcpClientConnection {
  return {
    local: { ...conn.local },
    remote: { ...conn.remote },
    request: (data, o) => tcpRequest(ns, conn, data, o?.timeoutMs),
    close: () => tcpClose(ns, conn),
  };
}

type RequestResult = { ok: true; data: string; trace: Trace } | { ok: false; errno: Errno; trace: Trace };

async function tcpRequest(ns: NetNamespace, conn: TcpSocket, data: string, timeoutMs?: number): Promise<RequestResult> {
  const run = new Run(ns.machine.sim);
  const table = sockets(ns);
  if (table.conns.get(conn.key) !== conn || conn.state !== "ESTAB")
    return { ok: false, errno: "ECONNRESET", trace: run.trace(`the connection is ${table.conns.get(conn.key) === conn ? conn.state : "closed"}`) };
  const timeout = timeoutMs ?? TCP_DATA_TIMEOUT_MS;
  const schedule = dataSchedule(timeout);

  // Client → server, retransmitted until it arrives.
  let delivery: ServerDelivery | undefined;
  for (let i = 0; i < schedule.length; i++) {
    if (i > 0) {
      if (!(await sleepUntil(run, schedule[i]))) break;
      run.resync();
    }
    if (table.conns.get(conn.key) !== conn) return { ok: false, errno: "ECONNRESET", trace: run.trace("the connection was closed") };
    conn.events = [];
    const seen = deliveriesOf(run).length;
    guard(run, ns, "request", () => {
      run.hop({ kind: "send", at: ns.label, summary: `${i === 0 ? "request" : `retransmission ${i}`}: ${formatIPv4(conn.local.addr)}:${conn.local.port} → ${formatIPv4(conn.remote.addr)}:${conn.remote.port}` });
      tcpSend(run, ns, conn, { psh: true, ack: true }, REQUEST, data);
    });
    const reset = conn.events.find((e) => e.kind === "reset");
    if (reset) {
      await sleepUntil(run, reset.t);
      return { ok: false, errno: "ECONNRESET", trace: run.trace("connection reset by peer") };
    }
    delivery = deliveriesOf(run).slice(seen).find((d) => d.tcp);
    if (delivery) break;
  }
  if (!delivery || !delivery.tcp) {
    await sleepUntil(run, timeout);
    return { ok: false, errno: "ETIMEDOUT", trace: run.trace(run.lossReason("the data never reached the server")) };
  }

  // The server application answers.
  const server = delivery.tcp;
  const serverNs = delivery.ns;
  server.inbox = [];
  let response: string | undefined;
  const handler = server.listener?.handler;
  try {
    response = handler ? await handler({ local: { ...server.local }, remote: { ...server.remote }, data: delivery.data }) : undefined;
  } catch {
    response = undefined;
  }
  const body = response ?? "";

  // Server → client, retransmitted until it arrives.
  run.t = Math.max(delivery.t, run.sim.clock.now() - run.start);
  const base = run.t;
  for (let i = 0; i < schedule.length && base + schedule[i] < timeout; i++) {
    if (i > 0) {
      if (!(await sleepUntil(run, base + schedule[i]))) break;
      run.resync();
    }
    if (sockets(serverNs).conns.get(server.key) !== server) break;
    conn.events = [];
    guard(run, serverNs, "response", () => {
      run.hop({ kind: "reply", at: serverNs.label, summary: `${i === 0 ? "response" : `response retransmission ${i}`}: ${formatIPv4(server.local.addr)}:${server.local.port} → ${formatIPv4(server.remote.addr)}:${server.remote.port}` });
      tcpSend(run, serverNs, server, { psh: true, ack: true }, REPLY, body);
    });
    const ev = conn.events.find((e) => e.kind === "data" || e.kind === "reset");
    if (!ev) continue;
    if (ev.t > timeout) break;
    await sleepUntil(run, ev.t);
    if (ev.kind === "reset") return { ok: false, errno: "ECONNRESET", trace: run.trace("connection reset by peer") };
    return { ok: true, data: ev.kind === "data" ? ev.data : "", trace: run.trace(`response of ${body.length} characters in ${round(ev.t)} ms`) };
  }
  await sleepUntil(run, timeout);
  return { ok: false, errno: "ETIMEDOUT", trace: run.trace(run.lossReason("the response never reached the client")) };
}

/** close(): FIN from the client, FIN from the server, last ACK; the client keeps TIME-WAIT for 60 s. */
function tcpClose(ns: NetNamespace, conn: TcpSocket): void {
  const table = sockets(ns);
  if (table.conns.get(conn.key) !== conn) return;
  if (conn.state === "ESTAB" || conn.state === "CLOSE-WAIT") {
    const run = new Run(ns.machine.sim);
    conn.state = conn.state === "ESTAB" ? "FIN-WAIT-1" : "LAST-ACK";
    guard(run, ns, "close", () => {
      run.hop({ kind: "send", at: ns.label, summary: `FIN ${formatIPv4(conn.local.addr)}:${conn.local.port} → ${formatIPv4(conn.remote.addr)}:${conn.remote.port}` });
      tcpSend(run, ns, conn, { fin: true, ack: true }, REQUEST);
    });
  }
  // Without an answer the orphaned socket would retry a while; it is simply released here.
  if (conn.state !== "TIME-WAIT" && table.conns.get(conn.key) === conn) table.conns.delete(conn.key);
  ns.machine.sim.changed(ns);
}
