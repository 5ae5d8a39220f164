// One datagram on a connected UDP socket and the server's answer (dig, nc -u, traceroute's probes).
import type { NetNamespace } from "../namespace";
import type { Errno } from "../errors";
import type { ConnectOptions, DatagramOutcome } from "../probes";
import { formatIPv4 } from "../ip";
import { UdpSocket, sockets } from "../sockets";
import { Run, REQUEST, REPLY } from "./run";
import { fibLookup } from "./fib";
import { sourceFor } from "./stack";
import { deliveriesOf, udpSendFrom } from "./transport";
import { effectiveDst, guard, isPrepError, prepare, round, sleepUntil } from "./probe-kit";

/** Default wait for a UDP reply (dig's 5 s). */
const UDP_TIMEOUT_MS = 5_000;

/** One datagram on a connected UDP socket and the server's answer, if any (dig, nc -u). */
export async function udpSend(ns: NetNamespace, target: number, dport: number, data: string, opts: ConnectOptions = {}): Promise<DatagramOutcome> {
  const run = new Run(ns.machine.sim);
  const dst = effectiveDst(target, opts);
  const prep = prepare(run, ns, dst, opts, "udp");
  if (isPrepError(prep)) return { ok: false, errno: prep.errno, trace: run.trace(run.lossReason(prep.errno)) };
  const table = sockets(ns);
  let sport = opts.sport;
  if (sport !== undefined && sport !== 0) {
    if (table.portInUse("udp", prep.src, sport)) return { ok: false, errno: "EADDRINUSE", trace: run.trace(`port ${sport} is in use`) };
  } else sport = table.ephemeralPort("udp", prep.src, ns.machine.sim.rng.next() < 0.5 ? 0 : 1);
  if (sport === undefined) return { ok: false, errno: "EADDRINUSE", trace: run.trace("no free ephemeral port") };
  const sock = new UdpSocket(table, prep.src, sport, opts.owner, undefined, { addr: dst, port: dport });
  table.udp.push(sock);
  const timeout = opts.timeoutMs ?? UDP_TIMEOUT_MS;
  try {
    let sent = { ok: true } as { ok: true } | { ok: false; errno: Errno };
    guard(run, ns, "udp", () => {
      sent = udpSendFrom(run, ns, prep.src, sport!, dst, dport, data, REQUEST, { fib: prep.fib, oif: prep.oif, ttl: opts.ttl });
    });
    if (!sent.ok) return { ok: false, errno: sent.errno, trace: run.trace(run.lossReason(sent.errno)) };

    // Servers that received it answer (in the order the datagrams arrived).
    for (const d of deliveriesOf(run).slice()) {
      const server = d.udp;
      if (!server?.handler || !d.from || !d.to) continue;
      let response: string | undefined;
      try {
        response = await server.handler({ local: { ...d.to }, remote: { ...d.from }, data: d.data });
      } catch {
        response = undefined;
      }
      server.inbox = server.inbox.filter((m) => m.t !== d.t || m.data !== d.data);
      if (response === undefined || server.closed) continue;
      run.t = Math.max(d.t, run.sim.clock.now() - run.start);
      const from = d.from;
      const sNs = d.ns;
      guard(run, sNs, "udp reply", () => {
        // An unconnected socket's reply takes the source address the route back selects.
        const back = fibLookup(sNs, from.addr);
        const src = server.addr || (back.kind === "error" || back.kind === "broadcast" ? 0 : sourceFor(sNs, back, from.addr));
        udpSendFrom(run, sNs, src, server.port, from.addr, from.port, response!, REPLY);
      });
    }
    const reply = sock.inbox[0];
    const err = sock.errors.find((e) => e.fatal || opts.recvErr);
    const first = reply && (!err || reply.t <= err.t) ? reply : undefined;
    if (first && first.t <= timeout) {
      await sleepUntil(run, first.t, opts.signal);
      return { ok: true, reply: { data: first.data, from: { ...first.from } }, trace: run.trace(`reply from ${formatIPv4(first.from.addr)}:${first.from.port} in ${round(first.t)} ms`) };
    }
    if (err && err.t <= timeout) {
      await sleepUntil(run, err.t, opts.signal);
      return { ok: false, errno: err.errno, from: err.from, icmp: { type: err.type, code: err.code }, trace: run.trace(`ICMP error from ${formatIPv4(err.from)}: ${err.errno}`) };
    }
    await sleepUntil(run, timeout, opts.signal);
    return { ok: true, trace: run.trace(run.lossReason("no reply")) };
  } finally {
    sock.close();
  }
}
