// The packet walk behind ping, nc, curl, traceroute and dig (the contract is core/net/probes.ts).
// Each probe walks its packets synchronously through routes, netfilter, ARP and layer 2 (stack.ts,
// arp.ts, l2.ts), which yields what came back and when in simulated time; the probe then waits that
// long on the simulation clock, so a virtual clock returns at once and a real one paces like Linux.
import type { NetNamespace } from "../namespace";
import type { Errno } from "../errors";
import type { EchoOutcome, EchoRequest } from "../probes";
import { ICMP, type Packet } from "../packet";
import { formatIPv4 } from "../ip";
import type { Trace } from "../trace";
import { Run, REQUEST, describePacket } from "./run";
import { defaultTtl, ipLocalOut } from "./stack";
import { effectiveDst, guard, isPrepError, prepare, round, sleepUntil } from "./probe-kit";

export { tcpConnect } from "./tcp-probe";
export { udpSend } from "./udp-probe";
export { listen, listSockets, type SocketInfo } from "../sockets";
export { fibLookup, formatRoute } from "./fib";

/** Default wait for an echo reply (ping without -W waits up to 10 s for the last reply). */
const ECHO_TIMEOUT_MS = 10_000;

/** One ICMP echo request and its answer (ping, and traceroute -I with a small TTL). */
export async function echo(ns: NetNamespace, target: number, req: EchoRequest): Promise<EchoOutcome> {
  const run = new Run(ns.machine.sim);
  const dst = effectiveDst(target, req);
  const timeoutMs = req.timeoutMs ?? ECHO_TIMEOUT_MS;
  const trace = (outcome: string): Trace => run.trace(outcome);
  const prep = prepare(run, ns, dst, req, "icmp");
  if (isPrepError(prep)) return { kind: "local-error", errno: prep.errno, syscall: prep.syscall, trace: trace(run.lossReason(prep.errno)) };
  const size = req.size ?? 56;
  const pkt: Packet = {
    src: prep.src,
    dst,
    proto: "icmp",
    icmpType: ICMP.ECHO_REQUEST,
    icmpCode: 0,
    icmpId: req.id,
    icmpSeq: req.seq,
    ttl: req.ttl ?? defaultTtl(ns),
    length: 28 + size,
    mark: 0,
  };
  let sent = { ok: true } as { ok: true } | { ok: false; errno: Errno };
  guard(run, ns, "echo", () => {
    run.hop({ kind: "send", at: ns.label, summary: `ping ${formatIPv4(dst)} from ${formatIPv4(prep.src)} (id ${req.id} seq ${req.seq} ttl ${pkt.ttl})`, packet: describePacket(pkt) });
    sent = ipLocalOut(run, ns, pkt, { flow: REQUEST, fib: prep.fib, oif: prep.oif });
  });
  if (!sent.ok) return { kind: "local-error", errno: sent.errno, syscall: "sendmsg", trace: trace(run.lossReason(sent.errno)) };

  const answer = run.icmp
    .filter((d) => {
      if (d.ns !== ns) return false;
      const p = d.pkt;
      if (p.icmpType === ICMP.ECHO_REPLY) return p.icmpId === req.id && p.icmpSeq === req.seq;
      const i = p.inner;
      return !!i && i.proto === "icmp" && i.icmpType === ICMP.ECHO_REQUEST && i.icmpId === req.id && i.icmpSeq === req.seq;
    })
    .sort((a, b) => a.t - b.t)[0];
  if (answer && answer.t <= timeoutMs) {
    if (!(await sleepUntil(run, answer.t, req.signal))) return { kind: "timeout", trace: trace("interrupted") };
    const p = answer.pkt;
    if (p.icmpType === ICMP.ECHO_REPLY) {
      return { kind: "reply", from: p.src, ttl: p.ttl, rttMs: round(answer.t), bytes: p.length - 20, trace: trace(`echo reply from ${formatIPv4(p.src)} (ttl ${p.ttl}, ${round(answer.t)} ms)`) };
    }
    const what = p.icmpType === ICMP.TIME_EXCEEDED ? "time to live exceeded" : `destination unreachable (code ${p.icmpCode})`;
    return { kind: "icmp-error", from: p.src, type: p.icmpType ?? 3, code: p.icmpCode ?? 0, trace: trace(`ICMP ${what} from ${formatIPv4(p.src)}`) };
  }
  await sleepUntil(run, timeoutMs, req.signal);
  return { kind: "timeout", trace: trace(run.lossReason(answer ? "the answer came after the timeout" : "no answer")) };
}
