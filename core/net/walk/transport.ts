// TCP and UDP at the receiving end: socket lookup, the TCP handshake and teardown, RST for a port
// nobody listens on, ICMP port unreachable for UDP, and ICMP errors handed to the socket they concern.
import type { NetNamespace } from "../namespace";
import type { NetInterface } from "../interface";
import { ICMP, type Packet, type TcpFlags } from "../packet";
import type { Errno } from "../errors";
import { formatIPv4 } from "../ip";
import { TIME_WAIT_MS, TcpSocket, connKey, sockets, type UdpSocket } from "../sockets";
import { REPLY, REQUEST, describePacket, type Flow, type Run } from "./run";
import { defaultTtl, icmpSend, ipLocalOut, type OutOptions } from "./stack";

/** Data delivered to a server socket during a walk (the prober runs the handler afterwards). */
export interface ServerDelivery {
  ns: NetNamespace;
  data: string;
  t: number;
  tcp?: TcpSocket;
  udp?: UdpSocket;
  from?: { addr: number; port: number };
  to?: { addr: number; port: number };
}

const serverDeliveries = new WeakMap<Run, ServerDelivery[]>();

export function deliveriesOf(run: Run): ServerDelivery[] {
  let d = serverDeliveries.get(run);
  if (!d) serverDeliveries.set(run, (d = []));
  return d;
}

const at = (ns: NetNamespace) => ns.label;

const encoder = new TextEncoder();
export const utf8Length = (s: string) => encoder.encode(s).length;

/** icmp_err_convert: errno and whether the error is fatal (hard) for a socket. */
export function icmpErrno(type: number, code: number): { errno: Errno; fatal: boolean } {
  if (type === ICMP.TIME_EXCEEDED) return { errno: "EHOSTUNREACH", fatal: false };
  switch (code) {
    case 0:
    case 11:
      return { errno: "ENETUNREACH", fatal: false };
    case 6:
    case 9:
      return { errno: "ENETUNREACH", fatal: true };
    case 1:
    case 12:
      return { errno: "EHOSTUNREACH", fatal: false };
    case 2:
    case 3:
      return { errno: "ECONNREFUSED", fatal: true };
    case 4:
      return { errno: "ENOBUFS", fatal: false };
    case 5:
      return { errno: "EOPNOTSUPP", fatal: false };
    default:
      return { errno: "EHOSTUNREACH", fatal: true };
  }
}

// ------------------------------------------------------------------ TCP

/** Sends a segment from a connection's local end. */
export function tcpSend(run: Run, ns: NetNamespace, c: TcpSocket, flags: TcpFlags, flow: Flow, payload?: string): void {
  const pkt: Packet = {
    src: c.local.addr,
    dst: c.remote.addr,
    proto: "tcp",
    sport: c.local.port,
    dport: c.remote.port,
    tcpFlags: flags,
    ttl: c.ttl ?? defaultTtl(ns),
    length: (flags.syn ? 60 : 52) + (payload ? utf8Length(payload) : 0),
    mark: 0,
    payload,
  };
  ipLocalOut(run, ns, pkt, { flow, oif: c.boundDev });
}

function sendRst(run: Run, ns: NetNamespace, p: Packet): void {
  const rst: Packet = {
    src: p.dst,
    dst: p.src,
    proto: "tcp",
    sport: p.dport,
    dport: p.sport,
    tcpFlags: { rst: true, ack: true },
    ttl: defaultTtl(ns),
    length: 40,
    mark: 0,
  };
  run.hop({ kind: "reply", at: at(ns), summary: `nothing listens on ${formatIPv4(p.dst)}:${p.dport} in ${ns.label}: RST`, packet: describePacket(rst) });
  ipLocalOut(run, ns, rst, { flow: REPLY });
}

export function tcpInput(run: Run, ns: NetNamespace, iface: NetInterface, p: Packet): void {
  const table = sockets(ns);
  table.expire(run.now());
  const f = p.tcpFlags ?? {};
  const c = table.conns.get(connKey(p.dst, p.dport ?? 0, p.src, p.sport ?? 0));
  if (c) {
    connInput(run, ns, c, p);
    return;
  }
  if (f.syn && !f.ack && !f.rst) {
    const l = table.findListener(p.dst, p.dport ?? 0);
    if (l) {
      const conn = new TcpSocket("server", { addr: p.dst, port: p.dport ?? 0 }, { addr: p.src, port: p.sport ?? 0 }, "SYN-RECV");
      conn.listener = l;
      table.conns.set(conn.key, conn);
      run.hop({ kind: "deliver", at: at(ns), iface: iface.name, summary: `SYN accepted by the listener on ${formatIPv4(l.addr)}:${l.port} (${l.owner.program}): SYN/ACK`, packet: describePacket(p) });
      run.latency("stack");
      tcpSend(run, ns, conn, { syn: true, ack: true }, REPLY);
      return;
    }
  }
  if (!f.rst) sendRst(run, ns, p);
}

function connInput(run: Run, ns: NetNamespace, c: TcpSocket, p: Packet): void {
  const f = p.tcpFlags ?? {};
  const table = sockets(ns);
  const remove = () => table.conns.delete(c.key);
  const summary = (text: string) => run.hop({ kind: "deliver", at: at(ns), summary: text, packet: describePacket(p) });
  if (f.rst) {
    summary(`connection ${formatIPv4(c.local.addr)}:${c.local.port} reset by peer`);
    if (c.role === "client") c.events.push({ kind: "reset", t: run.t });
    remove();
    return;
  }
  switch (c.state) {
    case "SYN-SENT":
      if (f.syn && f.ack) {
        c.state = "ESTAB";
        c.events.push({ kind: "established", t: run.t });
        summary("SYN/ACK received: connection established");
        tcpSend(run, ns, c, { ack: true }, REQUEST);
      }
      return;
    case "SYN-RECV":
      if (f.syn && !f.ack) {
        tcpSend(run, ns, c, { syn: true, ack: true }, REPLY);
        return;
      }
      if (f.ack) {
        c.state = "ESTAB";
        const l = c.listener;
        if (l?.onAccept) {
          const remote = { ...c.remote };
          const local = { ...c.local };
          const cb = l.onAccept;
          run.after.push(() => cb(remote, local));
        }
        summary(`connection accepted from ${formatIPv4(c.remote.addr)}:${c.remote.port}`);
        if (p.payload) serverData(run, ns, c, p.payload);
      }
      return;
    case "ESTAB":
      if (f.syn) {
        // A retransmitted SYN/ACK (our ACK was lost) or SYN: answer with an ACK.
        if (c.role === "client" && f.ack) tcpSend(run, ns, c, { ack: true }, REQUEST);
        return;
      }
      if (p.payload !== undefined && p.payload !== null && (f.psh || p.payload.length > 0)) {
        if (c.role === "server") serverData(run, ns, c, p.payload);
        else {
          summary(`response delivered to the client socket ${formatIPv4(c.local.addr)}:${c.local.port}`);
          c.events.push({ kind: "data", t: run.t, data: p.payload });
          tcpSend(run, ns, c, { ack: true }, REQUEST);
        }
      }
      if (f.fin) {
        if (c.role === "server") {
          // The client closed; the server application closes its end at once.
          summary(`FIN from ${formatIPv4(c.remote.addr)}:${c.remote.port}: server closes too`);
          c.state = "LAST-ACK";
          tcpSend(run, ns, c, { fin: true, ack: true }, REPLY);
        } else {
          c.state = "CLOSE-WAIT";
          c.events.push({ kind: "fin", t: run.t });
          tcpSend(run, ns, c, { ack: true }, REQUEST);
        }
      }
      return;
    case "FIN-WAIT-1":
    case "FIN-WAIT-2":
      if (f.fin) {
        c.state = "TIME-WAIT";
        c.expires = run.now() + TIME_WAIT_MS;
        summary("FIN received: TIME-WAIT");
        tcpSend(run, ns, c, { ack: true }, REQUEST);
      } else if (f.ack) c.state = "FIN-WAIT-2";
      return;
    case "LAST-ACK":
      if (f.ack) {
        summary("last ACK: connection closed");
        remove();
      }
      return;
    case "TIME-WAIT":
      if (f.fin) tcpSend(run, ns, c, { ack: true }, REQUEST);
      return;
    default:
      return;
  }
}

function serverData(run: Run, ns: NetNamespace, c: TcpSocket, data: string): void {
  run.hop({ kind: "deliver", at: at(ns), summary: `${utf8Length(data)} bytes delivered to ${c.listener?.owner.program ?? "the server"} on ${formatIPv4(c.local.addr)}:${c.local.port} from ${formatIPv4(c.remote.addr)}:${c.remote.port}` });
  c.inbox.push({ data, t: run.t });
  deliveriesOf(run).push({ ns, data, t: run.t, tcp: c });
}

/** An ICMP error about a TCP segment we sent: fatal for a connection still in SYN-SENT. */
export function tcpIcmpError(run: Run, ns: NetNamespace, err: Packet): void {
  const inner = err.inner!;
  const c = sockets(ns).conns.get(connKey(inner.src, inner.sport ?? 0, inner.dst, inner.dport ?? 0));
  if (!c || c.role !== "client") return;
  if (c.state === "SYN-SENT") {
    const { errno } = icmpErrno(err.icmpType ?? 3, err.icmpCode ?? 0);
    c.events.push({ kind: "icmp", t: run.t, errno, from: err.src });
  }
}

// ------------------------------------------------------------------ UDP

export function udpInput(run: Run, ns: NetNamespace, iface: NetInterface, p: Packet): void {
  const table = sockets(ns);
  const u = table.findUdp(p.dst, p.dport ?? 0, p.src, p.sport ?? 0);
  if (!u) {
    run.hop({ kind: "deliver", at: at(ns), iface: iface.name, summary: `no UDP socket on ${formatIPv4(p.dst)}:${p.dport} in ${ns.label}: port unreachable`, packet: describePacket(p) });
    icmpSend(run, ns, p, ICMP.DEST_UNREACH, 3, iface);
    return;
  }
  const from = { addr: p.src, port: p.sport ?? 0 };
  const to = { addr: p.dst, port: p.dport ?? 0 };
  const data = p.payload ?? "";
  run.hop({ kind: "deliver", at: at(ns), iface: iface.name, summary: `datagram delivered to ${u.owner?.program ?? "a socket"} on ${formatIPv4(u.addr)}:${u.port}`, packet: describePacket(p) });
  u.inbox.push({ data, from, to, t: run.t });
  if (u.handler) deliveriesOf(run).push({ ns, data, t: run.t, udp: u, from, to });
}

/** ICMP errors about a connected UDP socket's datagrams; without IP_RECVERR only fatal ones count (udp_err). */
export function udpIcmpError(run: Run, ns: NetNamespace, err: Packet): void {
  const inner = err.inner!;
  const table = sockets(ns);
  const u = table.udp.find((s) => s.remote && s.port === inner.sport && s.remote.addr === inner.dst && s.remote.port === inner.dport);
  if (!u) return;
  const { errno, fatal } = icmpErrno(err.icmpType ?? 3, err.icmpCode ?? 0);
  u.errors.push({ errno, from: err.src, t: run.t, type: err.icmpType ?? 3, code: err.icmpCode ?? 0, fatal });
}

/** Sends a datagram from `src:sport` (a server's reply or a client's request). */
export function udpSendFrom(
  run: Run,
  ns: NetNamespace,
  src: number,
  sport: number,
  dst: number,
  dport: number,
  data: string,
  flow: Flow,
  out: Omit<OutOptions, "flow"> & { ttl?: number } = {},
): ReturnType<typeof ipLocalOut> {
  const pkt: Packet = {
    src,
    dst,
    proto: "udp",
    sport,
    dport,
    ttl: out.ttl ?? defaultTtl(ns),
    length: 28 + utf8Length(data),
    mark: 0,
    payload: data,
  };
  run.hop({ kind: "send", at: at(ns), summary: `${flow.reply ? "reply" : "datagram"} from ${formatIPv4(src)}:${sport} to ${formatIPv4(dst)}:${dport}`, packet: describePacket(pkt) });
  return ipLocalOut(run, ns, pkt, { fib: out.fib, oif: out.oif, flow });
}
