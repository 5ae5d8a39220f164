// The public face of the packet walk: what ping, nc, curl and traceroute ask of the network, and what
// they get back. Every call sends real simulated packets through routes, ARP, bridges and netfilter.
// Implemented in core/net/walk/.
import type { NetNamespace } from "./namespace";
import type { Trace } from "./trace";
import type { Errno } from "./errors";

export interface SendOptions {
  /** Source address to bind (ping -I ADDR, curl --interface); must be local or EADDRNOTAVAIL. */
  src?: number;
  /** Bind to a device (ping -I IFACE, SO_BINDTODEVICE). */
  iface?: string;
  ttl?: number;
  /** Ctrl+C: a wait in progress (ARP retries, timeouts) ends early and the call resolves as a timeout. */
  signal?: AbortSignal;
}

export type EchoOutcome =
  | { kind: "reply"; from: number; ttl: number; rttMs: number; bytes: number; trace: Trace }
  /** An ICMP error came back (Destination Host Unreachable, Time to live exceeded…). */
  | { kind: "icmp-error"; from: number; type: number; code: number; trace: Trace }
  /** Nothing came back within the timeout (silent drop, no return route, ip_forward=0). */
  | { kind: "timeout"; trace: Trace }
  /**
   * The local stack refused to send (connect: Network is unreachable, Invalid argument…). `syscall`
   * says which call failed as ping prints it: route errors at `connect`, an OUTPUT DROP at `sendmsg`.
   */
  | { kind: "local-error"; errno: Errno; syscall?: "connect" | "sendmsg" | "bind" | "setsockopt"; trace: Trace };

export interface EchoRequest extends SendOptions {
  id: number;
  seq: number;
  /** ICMP payload size (ping -s), default 56. */
  size?: number;
  /** How long to wait for the answer, simulated ms (ping -W). */
  timeoutMs?: number;
}

export interface Endpoint {
  addr: number;
  port: number;
}

export type ConnectOutcome =
  | { ok: true; conn: TcpClientConnection; trace: Trace }
  | { ok: false; errno: Errno; /** ICMP error source when one caused it. */ from?: number; trace: Trace };

export interface TcpClientConnection {
  local: Endpoint;
  remote: Endpoint;
  /**
   * Sends application data and returns what the server answered (its whole response), or an errno when
   * the data could not get through (reset, timeout). Each call walks data and response packets.
   */
  request(data: string, opts?: { timeoutMs?: number }): Promise<{ ok: true; data: string; trace: Trace } | { ok: false; errno: Errno; trace: Trace }>;
  close(): void;
}

export interface ConnectOptions extends SendOptions {
  sport?: number;
  /** Connect timeout in simulated ms (curl --connect-timeout, nc -w); default as the kernel's SYN retries (~127 s). */
  timeoutMs?: number;
  /** Owning process, shown by ss/netstat for the client socket while it is open. */
  owner?: { pid: number; program: string };
  /**
   * IP_RECVERR (traceroute): every ICMP error about the datagram is reported, not only the fatal ones
   * (port unreachable, prohibited); the outcome then carries the ICMP type and code.
   */
  recvErr?: boolean;
}

export type DatagramOutcome =
  | { ok: true; /** The server's reply datagram, if it answered. */ reply?: { data: string; from: Endpoint }; trace: Trace }
  | { ok: false; errno: Errno; from?: number; /** The ICMP error behind the errno, if one. */ icmp?: { type: number; code: number }; trace: Trace };

/** What a server sees of a connection or datagram (echo-server reports all of it). */
export interface ServerRequest {
  local: Endpoint;
  remote: Endpoint;
  data: string;
}

export type ServerHandler = (req: ServerRequest) => string | undefined | Promise<string | undefined>;

export interface ListenOptions {
  proto: "tcp" | "udp";
  /** 0 = any address (0.0.0.0). */
  addr: number;
  port: number;
  /** Owning process for ss/netstat (pid and program name). */
  owner: { pid: number; program: string };
  /** For TCP, called with the client's data of each request on an accepted connection; the returned text is the response. */
  handler: ServerHandler;
  /** TCP: called when a connection is accepted / closed. */
  onAccept?: (remote: Endpoint, local: Endpoint) => void;
  /** TCP listen() backlog, capped by net.core.somaxconn (ss shows it as Send-Q); default 4096. */
  backlog?: number;
}

export interface ListeningSocket {
  readonly proto: "tcp" | "udp";
  readonly addr: number;
  readonly port: number;
  close(): void;
}

/** Throws KernelError("EADDRINUSE") when the port is taken, KernelError("EADDRNOTAVAIL") for a non-local address. */
export type ListenFn = (ns: NetNamespace, opts: ListenOptions) => ListeningSocket;
