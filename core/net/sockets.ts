// The socket table of a namespace: TCP listeners and connections, bound UDP sockets. The packet walk
// (core/net/walk/) looks sockets up here on local delivery; ss and netstat list them. Bind rules are the
// kernel's: EADDRNOTAVAIL for an address that is not local, EADDRINUSE when the port is taken on an
// overlapping address (0.0.0.0 overlaps everything).
import type { NetNamespace } from "./namespace";
import type { NetInterface } from "./interface";
import type { Endpoint, ListenFn, ListenOptions, ListeningSocket, ServerHandler } from "./probes";
import { KernelError, type Errno } from "./errors";
import { isLocal } from "./walk/fib";

export type TcpState =
  | "LISTEN"
  | "SYN-SENT"
  | "SYN-RECV"
  | "ESTAB"
  | "FIN-WAIT-1"
  | "FIN-WAIT-2"
  | "CLOSE-WAIT"
  | "LAST-ACK"
  | "CLOSING"
  | "TIME-WAIT"
  | "CLOSE";

/** One row of ss / netstat. */
export interface SocketInfo {
  proto: "tcp" | "udp";
  state: TcpState | "UNCONN" | "ESTAB";
  local: Endpoint;
  remote?: Endpoint;
  owner?: { pid: number; program: string };
  /** Bytes queued (always 0 here: data is consumed as it arrives); for LISTEN, Send-Q is the backlog. */
  recvQ: number;
  sendQ: number;
}

export type Owner = { pid: number; program: string };

/** Linux keeps an actively closed socket in TIME-WAIT for 60 s. */
export const TIME_WAIT_MS = 60_000;

export class TcpListener implements ListeningSocket {
  readonly proto = "tcp" as const;
  closed = false;
  constructor(
    private readonly table: SocketTable,
    readonly addr: number,
    readonly port: number,
    readonly owner: Owner,
    readonly handler: ServerHandler,
    readonly backlog: number,
    readonly onAccept?: (remote: Endpoint, local: Endpoint) => void,
  ) {}
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.table.removeListener(this);
  }
}

/** What happened to a client socket during the last walk (set by the walk, read by the prober). */
export type TcpEvent =
  | { kind: "established"; t: number }
  | { kind: "reset"; t: number }
  | { kind: "icmp"; t: number; errno: Errno; from: number }
  | { kind: "data"; t: number; data: string }
  | { kind: "fin"; t: number };

export class TcpSocket {
  state: TcpState;
  /** TIME-WAIT ends at this simulated time. */
  expires?: number;
  /** Client: events seen since the prober last looked. */
  events: TcpEvent[] = [];
  /** Server: data delivered and not yet handed to the handler. */
  inbox: { data: string; t: number }[] = [];
  /** Server side: the listener that accepted it. */
  listener?: TcpListener;
  /** SO_BINDTODEVICE of the client socket (curl --interface IFACE). */
  boundDev?: NetInterface;
  /** IP_TTL of the client socket (traceroute -T). */
  ttl?: number;
  constructor(
    readonly role: "client" | "server",
    readonly local: Endpoint,
    readonly remote: Endpoint,
    state: TcpState,
    readonly owner?: Owner,
  ) {
    this.state = state;
  }
  get key(): string {
    return connKey(this.local.addr, this.local.port, this.remote.addr, this.remote.port);
  }
}

export class UdpSocket implements ListeningSocket {
  readonly proto = "udp" as const;
  closed = false;
  /** Datagrams (client: replies; server: requests) delivered by the walk. */
  inbox: { data: string; from: Endpoint; to: Endpoint; t: number }[] = [];
  /** ICMP errors about datagrams of a connected socket (port unreachable → ECONNREFUSED...). */
  errors: { errno: Errno; from: number; t: number; type: number; code: number; fatal: boolean }[] = [];
  constructor(
    private readonly table: SocketTable,
    readonly addr: number,
    readonly port: number,
    readonly owner?: Owner,
    readonly handler?: ServerHandler,
    /** Connected sockets only accept datagrams from this peer. */
    readonly remote?: Endpoint,
  ) {}
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.table.removeUdp(this);
  }
}

export function connKey(laddr: number, lport: number, raddr: number, rport: number): string {
  return `${laddr}:${lport}>${raddr}:${rport}`;
}

const overlaps = (a: number, b: number) => a === 0 || b === 0 || a === b;

export class SocketTable {
  readonly listeners: TcpListener[] = [];
  readonly conns = new Map<string, TcpSocket>();
  readonly udp: UdpSocket[] = [];

  constructor(readonly ns: NetNamespace) {}

  removeListener(l: TcpListener): void {
    const i = this.listeners.indexOf(l);
    if (i >= 0) this.listeners.splice(i, 1);
    // The owning process is gone: its accepted connections go too.
    for (const [k, c] of this.conns) if (c.listener === l) this.conns.delete(k);
    this.ns.machine.sim.changed(this.ns);
  }

  removeUdp(u: UdpSocket): void {
    const i = this.udp.indexOf(u);
    if (i >= 0) this.udp.splice(i, 1);
    if (u.handler) this.ns.machine.sim.changed(this.ns);
  }

  /** The listener for a SYN to addr:port (a specific address wins over the wildcard). */
  findListener(addr: number, port: number): TcpListener | undefined {
    let wild: TcpListener | undefined;
    for (const l of this.listeners) {
      if (l.port !== port) continue;
      if (l.addr === addr) return l;
      if (l.addr === 0) wild ??= l;
    }
    return wild;
  }

  /** The socket a datagram to addr:port from src:sport reaches (connected sockets match the peer). */
  findUdp(addr: number, port: number, src: number, sport: number): UdpSocket | undefined {
    let best: UdpSocket | undefined;
    let bestScore = -1;
    for (const u of this.udp) {
      if (u.port !== port || (u.addr !== 0 && u.addr !== addr)) continue;
      if (u.remote && (u.remote.addr !== src || u.remote.port !== sport)) continue;
      const score = (u.addr ? 2 : 0) + (u.remote ? 4 : 0);
      if (score > bestScore) {
        best = u;
        bestScore = score;
      }
    }
    return best;
  }

  /** Drops TIME-WAIT sockets whose time is up. */
  expire(now: number): void {
    for (const [k, c] of this.conns) if (c.state === "TIME-WAIT" && c.expires !== undefined && c.expires <= now) this.conns.delete(k);
  }

  portInUse(proto: "tcp" | "udp", addr: number, port: number): boolean {
    if (proto === "udp") return this.udp.some((u) => u.port === port && overlaps(u.addr, addr));
    if (this.listeners.some((l) => l.port === port && overlaps(l.addr, addr))) return true;
    for (const c of this.conns.values()) if (c.role === "client" && c.state !== "TIME-WAIT" && c.local.port === port && overlaps(c.local.addr, addr)) return true;
    return false;
  }

  /**
   * An ephemeral port from net.ipv4.ip_local_port_range, drawn from the simulation's random source.
   * connect() prefers even ports and bind(0) odd ones, as __inet_hash_connect does since Linux 4.6.
   */
  ephemeralPort(proto: "tcp" | "udp", addr: number, parity: 0 | 1, remote?: Endpoint): number | undefined {
    const [lo, hi] = portRange(this.ns);
    const span = hi - lo + 1;
    if (span <= 0) return undefined;
    const rng = this.ns.machine.sim.rng;
    const offset = rng.int(0, span - 1);
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < span; i++) {
        const port = lo + ((offset + i) % span);
        if (pass === 0 && (port & 1) !== parity) continue;
        if (proto === "tcp" && remote) {
          if (this.conns.has(connKey(addr, port, remote.addr, remote.port))) continue;
          if (this.listeners.some((l) => l.port === port && overlaps(l.addr, addr))) continue;
        } else if (this.portInUse(proto, addr, port)) continue;
        return port;
      }
    }
    return undefined;
  }
}

function portRange(ns: NetNamespace): [number, number] {
  const text = ns.sysctl.get("net.ipv4.ip_local_port_range") ?? "32768\t60999";
  const [a, b] = text.split(/\s+/).map(Number);
  if (!Number.isFinite(a) || !Number.isFinite(b) || a < 1 || b > 65535 || a > b) return [32768, 60999];
  return [a, b];
}

/** The socket table of a namespace (created on first use). */
export function sockets(ns: NetNamespace): SocketTable {
  let t = ns.ext.get("sockets") as SocketTable | undefined;
  if (!t) {
    t = new SocketTable(ns);
    ns.ext.set("sockets", t);
  }
  return t;
}

function checkBindAddress(ns: NetNamespace, addr: number): void {
  if (addr !== 0 && !isLocal(ns, addr)) throw new KernelError("EADDRNOTAVAIL");
}

/** bind() + listen() for TCP, bind() for UDP, with the kernel's errors. */
export const listen: ListenFn = (ns: NetNamespace, opts: ListenOptions): ListeningSocket => {
  if (opts.port < 0 || opts.port > 65535 || !Number.isInteger(opts.port)) throw new KernelError("EINVAL");
  checkBindAddress(ns, opts.addr);
  const table = sockets(ns);
  table.expire(ns.machine.sim.clock.now());
  let port = opts.port;
  if (port === 0) {
    const p = table.ephemeralPort(opts.proto, opts.addr, 1);
    if (p === undefined) throw new KernelError("EADDRINUSE");
    port = p;
  } else if (table.portInUse(opts.proto, opts.addr, port)) throw new KernelError("EADDRINUSE");
  let sock: ListeningSocket;
  if (opts.proto === "tcp") {
    const somaxconn = Number(ns.sysctl.get("net.core.somaxconn") ?? "4096") || 4096;
    const backlog = Math.min(opts.backlog ?? 4096, somaxconn);
    const l = new TcpListener(table, opts.addr, port, opts.owner, opts.handler, backlog, opts.onAccept);
    table.listeners.push(l);
    sock = l;
  } else {
    const u = new UdpSocket(table, opts.addr, port, opts.owner, opts.handler);
    table.udp.push(u);
    sock = u;
  }
  ns.machine.sim.changed(ns);
  return sock;
};

/** Sockets as ss/netstat list them: listeners and bound UDP sockets, then connections, in creation order. */
export function listSockets(ns: NetNamespace): SocketInfo[] {
  const table = ns.ext.get("sockets") as SocketTable | undefined;
  if (!table) return [];
  table.expire(ns.machine.sim.clock.now());
  const out: SocketInfo[] = [];
  for (const l of table.listeners) out.push({ proto: "tcp", state: "LISTEN", local: { addr: l.addr, port: l.port }, owner: l.owner, recvQ: 0, sendQ: l.backlog });
  for (const u of table.udp)
    out.push({ proto: "udp", state: u.remote ? "ESTAB" : "UNCONN", local: { addr: u.addr, port: u.port }, remote: u.remote ? { ...u.remote } : undefined, owner: u.owner, recvQ: 0, sendQ: 0 });
  for (const c of table.conns.values()) {
    const owner = c.state === "TIME-WAIT" ? undefined : (c.owner ?? c.listener?.owner);
    out.push({ proto: "tcp", state: c.state, local: { ...c.local }, remote: { ...c.remote }, owner, recvQ: 0, sendQ: 0 });
  }
  return out;
}
