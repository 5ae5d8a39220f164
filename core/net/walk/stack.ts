// The IPv4 layer of one namespace: local output (route, OUTPUT, POSTROUTING, neighbour, device),
// input (PREROUTING, routing decision, INPUT or FORWARD), forwarding with TTL, and the ICMP errors the
// kernel generates on the way (net/host unreachable, time exceeded, port unreachable, REJECT).
import type { NetNamespace } from "../namespace";
import type { NetInterface } from "../interface";
import { ICMP, UNREACH, clonePacket, type Packet } from "../packet";
import type { Hook, HookContext, HookResult } from "../netfilter/api";
import type { Errno } from "../errors";
import { formatIPv4, isLoopback, isMulticast } from "../ip";
import { fibLookup, isLocal, type FibResult } from "./fib";
import { ipFrame, devTransmit } from "./l2";
import { resolveNeighbour } from "./arp";
import { REPLY, describePacket, type Flow, type Run } from "./run";
import { tcpInput, tcpIcmpError, udpInput, udpIcmpError } from "./transport";

export type OutputResult = { ok: true } | { ok: false; errno: Errno };

export function defaultTtl(ns: NetNamespace): number {
  const v = Number(ns.sysctl.get("net.ipv4.ip_default_ttl"));
  return Number.isInteger(v) && v > 0 && v < 256 ? v : 64;
}

/** The source address the kernel picks for a route (route `src`, else inet_select_addr). */
export function sourceFor(ns: NetNamespace, fib: FibResult, dst: number): number {
  if (fib.kind === "local") return fib.route.src ?? dst;
  if (fib.kind === "unicast") return fib.route.src ?? ns.selectSource(fib.dev, dst, fib.gateway) ?? 0;
  return 0;
}

// ------------------------------------------------------------------ netfilter

/** Runs one netfilter hook, writes what it did into the trace and the kernel log. */
export function nfHook(run: Run, ns: NetNamespace, hook: Hook, pkt: Packet, ctx: HookContext, _flow: Flow): HookResult {
  if (!run.expired.has(ns)) {
    run.expired.add(ns);
    try {
      ns.netfilter.expire(run.now());
    } catch {
      // expiry is housekeeping; never let it stop a packet
    }
  }
  let r: HookResult;
  try {
    r = ns.netfilter.hook(hook, pkt, ctx);
  } catch (e) {
    ns.machine.sim.internalErrors.push({ command: `netfilter ${hook} on ${ns.label}`, error: String((e as Error)?.stack ?? e) });
    r = { verdict: "ACCEPT", packet: pkt, hits: [] };
  }
  if (r.log) for (const line of r.log) ns.machine.log(line);
  const decisive = r.hits.some((h) => h.ruleNum > 0 || h.target !== "ACCEPT");
  if (decisive || r.nat || r.verdict !== "ACCEPT") {
    const natText = r.nat
      ? ` ${r.nat.kind} ${formatIPv4(r.nat.from.addr)}${r.nat.from.port !== undefined ? `:${r.nat.from.port}` : ""} → ${formatIPv4(r.nat.to.addr)}${r.nat.to.port !== undefined ? `:${r.nat.to.port}` : ""}`
      : "";
    run.hop({
      kind: "netfilter",
      at: ns.label,
      iface: ctx.inIface ?? ctx.outIface,
      summary: `${hook}${ctx.bridged ? " (bridged)" : ""}: ${r.verdict}${natText}${r.ctState ? ` [ct ${r.ctState}]` : ""}`,
      rules: r.hits,
      nat: r.nat,
      packet: describePacket(r.packet),
    });
  }
  return r;
}

/** "FORWARD policy DROP on node01", "rule `-A INPUT -p tcp -j DROP` (filter) on host-a". */
export function hookDropReason(ns: NetNamespace, hook: Hook, r: HookResult): string {
  const last = r.hits[r.hits.length - 1];
  if (!last) return `${hook} ${r.verdict} on ${ns.label}`;
  if (last.ruleNum === 0) return `${last.chain} policy ${last.target} on ${ns.label}`;
  return `rule \`${last.rule}\` (${last.table} ${last.chain}) on ${ns.label}`;
}

function rejectPacket(run: Run, ns: NetNamespace, pkt: Packet, r: HookResult, inIface?: NetInterface): void {
  const how = r.reject;
  if (how?.with === "tcp-reset") {
    if (pkt.proto !== "tcp" || pkt.tcpFlags?.rst) return;
    const rst: Packet = {
      src: pkt.dst,
      dst: pkt.src,
      proto: "tcp",
      sport: pkt.dport,
      dport: pkt.sport,
      tcpFlags: { rst: true, ack: true },
      ttl: defaultTtl(ns),
      length: 40,
      mark: 0,
    };
    run.hop({ kind: "icmp-error", at: ns.label, summary: `REJECT: TCP reset sent to ${formatIPv4(pkt.src)}`, packet: describePacket(rst) });
    ipLocalOut(run, ns, rst, { flow: REPLY });
    return;
  }
  icmpSend(run, ns, pkt, ICMP.DEST_UNREACH, how?.with === "icmp" ? how.code : UNREACH.PORT, inIface);
}

// ------------------------------------------------------------------ output

export interface OutOptions {
  flow: Flow;
  /** Route already looked up by the caller (which needed it for the source address). */
  fib?: FibResult;
  /** SO_BINDTODEVICE / ping -I IFACE. */
  oif?: NetInterface;
}

/** ip_local_out for a packet this namespace generates (src already set). */
export function ipLocalOut(run: Run, ns: NetNamespace, pkt: Packet, opts: OutOptions): OutputResult {
  if (!run.step()) return { ok: true };
  let fib = opts.fib ?? fibLookup(ns, pkt.dst, { oif: opts.oif });
  if (fib.kind === "error") {
    run.drop(ns.label, `${fib.type === "none" ? `no route to ${formatIPv4(pkt.dst)}` : `route \`${fib.text}\``} on ${ns.label}${opts.flow.reply ? ": reply lost" : ""}`, pkt);
    return { ok: false, errno: fib.errno };
  }
  if (fib.kind === "broadcast") {
    run.drop(ns.label, `${formatIPv4(pkt.dst)} is a broadcast address on ${ns.label}`, pkt);
    return { ok: false, errno: "EACCES" };
  }
  run.hop({ kind: "route", at: ns.label, iface: fib.kind === "unicast" ? fib.dev.name : "lo", summary: fib.text, route: fib.text, packet: describePacket(pkt) });
  const outName = fib.kind === "local" ? "lo" : fib.dev.name;
  const r = nfHook(run, ns, "OUTPUT", pkt, { outIface: outName }, opts.flow);
  if (r.verdict === "REJECT") {
    run.drop(ns.label, hookDropReason(ns, "OUTPUT", r), pkt);
    rejectPacket(run, ns, r.packet, r);
    return { ok: true };
  }
  if (r.verdict === "DROP") {
    run.drop(ns.label, hookDropReason(ns, "OUTPUT", r), pkt);
    return { ok: false, errno: "EPERM" };
  }
  let p = r.packet;
  if (p.dst !== pkt.dst) {
    // DNAT in OUTPUT: the kernel routes the packet again (ip_route_me_harder).
    fib = fibLookup(ns, p.dst, { oif: opts.oif });
    if (fib.kind === "error" || fib.kind === "broadcast") {
      run.drop(ns.label, `no route to ${formatIPv4(p.dst)} after DNAT on ${ns.label}`, p);
      return { ok: false, errno: fib.kind === "error" ? fib.errno : "EACCES" };
    }
    run.hop({ kind: "route", at: ns.label, summary: `re-routed after DNAT: ${fib.text}`, route: fib.text, packet: describePacket(p) });
  }
  if (fib.kind === "local") return loopbackOut(run, ns, p, opts.flow);
  return ipFinishOutput(run, ns, p, fib, opts.flow);
}

/** Locally destined traffic: out and back in through lo (which must be up). */
function loopbackOut(run: Run, ns: NetNamespace, pkt: Packet, flow: Flow): OutputResult {
  const lo = ns.loopback;
  const r = nfHook(run, ns, "POSTROUTING", pkt, { outIface: "lo" }, flow);
  if (r.verdict !== "ACCEPT") {
    run.drop(ns.label, hookDropReason(ns, "POSTROUTING", r), pkt, "lo");
    return { ok: false, errno: "EPERM" };
  }
  const p = r.packet;
  if (!lo.adminUp) {
    lo.stats.txDropped++;
    run.drop(ns.label, `lo is down on ${ns.label}: a packet to a local address (${formatIPv4(p.dst)}) is lost`, p, "lo");
    return { ok: true };
  }
  const bytes = p.length + 14;
  lo.stats.txPackets++;
  lo.stats.txBytes += bytes;
  lo.stats.rxPackets++;
  lo.stats.rxBytes += bytes;
  run.latency("lo");
  run.hop({ kind: "l2", at: ns.label, iface: "lo", summary: `loopback on ${ns.label}`, packet: describePacket(p) });
  ipReceive(run, ns, lo, p, flow, { prerouted: false });
  return { ok: true };
}

/** ip_output after routing: POSTROUTING, neighbour resolution, device. */
function ipFinishOutput(run: Run, ns: NetNamespace, pkt: Packet, fib: Extract<FibResult, { kind: "unicast" }>, flow: Flow): OutputResult {
  const dev = fib.dev;
  const r = nfHook(run, ns, "POSTROUTING", pkt, { outIface: dev.name }, flow);
  if (r.verdict !== "ACCEPT") {
    run.drop(ns.label, hookDropReason(ns, "POSTROUTING", r), pkt, dev.name);
    return { ok: false, errno: "EPERM" };
  }
  const p = r.packet;
  if (dev.kind === "loopback") return loopbackOut(run, ns, p, flow);
  if (!dev.adminUp) {
    run.drop(ns.label, `${dev.name} is down on ${ns.label}`, p, dev.name);
    return { ok: true };
  }
  const mac = resolveNeighbour(run, ns, dev, fib.nexthop, p.src, flow);
  if (!mac) {
    // ipv4_link_failure: Destination Host Unreachable to the sender (ourselves, or whom we forward for).
    icmpSend(run, ns, p, ICMP.DEST_UNREACH, UNREACH.HOST);
    return { ok: true };
  }
  devTransmit(run, dev, ipFrame(dev.mac, mac, p, flow));
  return { ok: true };
}

// ------------------------------------------------------------------ input

export interface InputOptions {
  /** br_netfilter already ran PREROUTING in the bridge's namespace. */
  prerouted?: boolean;
}

function sysctlInt(ns: NetNamespace, key: string): number {
  return Number(ns.sysctl.get(key) ?? "0") || 0;
}

/** ip_rcv: a packet arrives on `iface` of `ns`. */
export function ipReceive(run: Run, ns: NetNamespace, iface: NetInterface, pkt: Packet, flow: Flow, opts: InputOptions): void {
  if (!run.step()) return;
  if (iface.kind !== "loopback") {
    const localnet = sysctlInt(ns, "net.ipv4.conf.all.route_localnet") || sysctlInt(ns, `net.ipv4.conf.${iface.name}.route_localnet`);
    if (pkt.src === 0 || isMulticast(pkt.src) || pkt.src === 0xffffffff || (isLoopback(pkt.src) && !localnet) || isLocal(ns, pkt.src)) {
      run.drop(ns.label, `martian source ${formatIPv4(pkt.src)} on ${iface.name} (${ns.label})`, pkt, iface.name);
      return;
    }
    if (isLoopback(pkt.dst) && !localnet) {
      run.drop(ns.label, `martian destination ${formatIPv4(pkt.dst)} on ${iface.name} (${ns.label})`, pkt, iface.name);
      return;
    }
  }
  let p = pkt;
  if (!opts.prerouted) {
    const r = nfHook(run, ns, "PREROUTING", p, { inIface: iface.name }, flow);
    if (r.verdict !== "ACCEPT") {
      run.drop(ns.label, hookDropReason(ns, "PREROUTING", r), p, iface.name);
      return;
    }
    p = r.packet;
  }
  if (iface.kind !== "loopback" && p.dst !== pkt.dst && isLoopback(p.dst) && !sysctlInt(ns, "net.ipv4.conf.all.route_localnet")) {
    run.drop(ns.label, `DNAT to ${formatIPv4(p.dst)} needs route_localnet=1 on ${ns.label}`, p, iface.name);
    return;
  }
  run.latency("stack");
  const fib = fibLookup(ns, p.dst);
  if (iface.kind !== "loopback" && !rpFilterOk(run, ns, iface, p)) return;
  if (fib.kind === "local") {
    localDeliver(run, ns, iface, p, flow);
    return;
  }
  if (fib.kind === "broadcast" || p.dst === 0xffffffff || isMulticast(p.dst)) {
    run.drop(ns.label, `broadcast/multicast ${formatIPv4(p.dst)} not answered on ${ns.label}`, p, iface.name);
    return;
  }
  if (!ns.ipForward) {
    run.drop(ns.label, `ip_forward=0 on ${ns.label}: packet dropped`, p, iface.name);
    return;
  }
  if (fib.kind === "error") {
    if (fib.type === "blackhole") {
      run.drop(ns.label, `blackhole route \`${fib.text}\` on ${ns.label}`, p, iface.name);
      return;
    }
    const code = fib.type === "unreachable" ? UNREACH.HOST : fib.type === "prohibit" ? UNREACH.ADMIN_PROHIBITED : UNREACH.NET;
    run.drop(ns.label, `${fib.type === "none" ? `no route to ${formatIPv4(p.dst)}` : `route \`${fib.text}\``} on ${ns.label}${flow.reply ? ": reply lost" : ""}`, p, iface.name);
    icmpSend(run, ns, p, ICMP.DEST_UNREACH, code, iface);
    return;
  }
  forward(run, ns, iface, p, fib, flow);
}

/** Reverse-path filter (rp_filter 1 strict, 2 loose), the larger of `all` and the interface value. */
function rpFilterOk(run: Run, ns: NetNamespace, iface: NetInterface, p: Packet): boolean {
  const mode = Math.max(sysctlInt(ns, "net.ipv4.conf.all.rp_filter"), sysctlInt(ns, `net.ipv4.conf.${iface.name}.rp_filter`));
  if (mode === 0) return true;
  const back = fibLookup(ns, p.src);
  if (back.kind !== "unicast" && back.kind !== "local") {
    run.drop(ns.label, `rp_filter=${mode} on ${ns.label}: no route back to ${formatIPv4(p.src)}`, p, iface.name);
    return false;
  }
  if (mode === 1 && back.kind === "unicast" && back.dev !== iface) {
    run.drop(ns.label, `rp_filter=1 on ${ns.label}: ${formatIPv4(p.src)} arrived on ${iface.name} but routes back via ${back.dev.name}`, p, iface.name);
    return false;
  }
  return true;
}

function forward(run: Run, ns: NetNamespace, iface: NetInterface, p: Packet, fib: Extract<FibResult, { kind: "unicast" }>, flow: Flow): void {
  if (p.ttl <= 1) {
    run.drop(ns.label, `TTL exceeded on ${ns.label}`, p, iface.name);
    icmpSend(run, ns, p, ICMP.TIME_EXCEEDED, 0, iface);
    return;
  }
  p.ttl -= 1;
  run.hop({ kind: "route", at: ns.label, iface: fib.dev.name, summary: fib.text, route: fib.text, packet: describePacket(p) });
  const r = nfHook(run, ns, "FORWARD", p, { inIface: iface.name, outIface: fib.dev.name }, flow);
  if (r.verdict !== "ACCEPT") {
    run.drop(ns.label, hookDropReason(ns, "FORWARD", r), p, iface.name);
    if (r.verdict === "REJECT") rejectPacket(run, ns, r.packet, r, iface);
    return;
  }
  run.hop({ kind: "forward", at: ns.label, iface: fib.dev.name, summary: `${ns.label} forwards ${iface.name} → ${fib.dev.name} (ttl now ${r.packet.ttl})`, packet: describePacket(r.packet) });
  ipFinishOutput(run, ns, r.packet, fib, flow);
}

// ------------------------------------------------------------------ local delivery

const ICMP_ERROR_TYPES = new Set([3, 4, 5, 11, 12]);

function localDeliver(run: Run, ns: NetNamespace, iface: NetInterface, pkt: Packet, flow: Flow): void {
  const r = nfHook(run, ns, "INPUT", pkt, { inIface: iface.name }, flow);
  if (r.verdict !== "ACCEPT") {
    run.drop(ns.label, hookDropReason(ns, "INPUT", r), pkt, iface.name);
    if (r.verdict === "REJECT") rejectPacket(run, ns, r.packet, r, iface);
    return;
  }
  const p = r.packet;
  if (p.proto === "icmp") {
    if (p.icmpType === ICMP.ECHO_REQUEST) {
      if (ns.sysctl.get("net.ipv4.icmp_echo_ignore_all") === "1") {
        run.drop(ns.label, `icmp_echo_ignore_all=1 on ${ns.label}: echo request ignored`, p, iface.name);
        return;
      }
      run.hop({ kind: "deliver", at: ns.label, iface: iface.name, summary: `echo request delivered to ${ns.label}`, packet: describePacket(p) });
      const reply: Packet = {
        src: p.dst,
        dst: p.src,
        proto: "icmp",
        icmpType: ICMP.ECHO_REPLY,
        icmpCode: 0,
        icmpId: p.icmpId,
        icmpSeq: p.icmpSeq,
        ttl: defaultTtl(ns),
        length: p.length,
        mark: 0,
        payload: p.payload,
      };
      run.latency("stack");
      run.hop({ kind: "reply", at: ns.label, summary: `${ns.label} answers with an echo reply`, packet: describePacket(reply) });
      ipLocalOut(run, ns, reply, { flow: REPLY });
      return;
    }
    if (p.icmpType === ICMP.ECHO_REPLY) {
      run.hop({ kind: "deliver", at: ns.label, iface: iface.name, summary: `echo reply delivered to ${ns.label}`, packet: describePacket(p) });
      run.icmp.push({ ns, pkt: p, t: run.t });
      return;
    }
    if (ICMP_ERROR_TYPES.has(p.icmpType ?? -1) && p.inner) {
      run.hop({ kind: "deliver", at: ns.label, iface: iface.name, summary: `ICMP error from ${formatIPv4(p.src)} delivered to ${ns.label}`, packet: describePacket(p) });
      const inner = p.inner;
      if (inner.proto === "icmp") run.icmp.push({ ns, pkt: p, t: run.t });
      else if (inner.proto === "tcp") tcpIcmpError(run, ns, p);
      else udpIcmpError(run, ns, p);
      return;
    }
    return;
  }
  if (p.proto === "tcp") tcpInput(run, ns, iface, p);
  else udpInput(run, ns, iface, p);
}

// ------------------------------------------------------------------ ICMP errors

/**
 * icmp_send: an error about `orig` back to its source. The source address is the packet's own
 * destination when that was us, otherwise whatever the route back selects (so a router usually
 * answers from its ingress-side address). Never about an ICMP error, nor to a non-unicast source.
 */
export function icmpSend(run: Run, ns: NetNamespace, orig: Packet, type: number, code: number, _inIface?: NetInterface): void {
  if (orig.proto === "icmp" && ICMP_ERROR_TYPES.has(orig.icmpType ?? -1)) return;
  if (orig.src === 0 || isMulticast(orig.src) || orig.src === 0xffffffff) return;
  const back = fibLookup(ns, orig.src);
  if (back.kind === "error" || back.kind === "broadcast") {
    run.drop(ns.label, `no route back to ${formatIPv4(orig.src)} on ${ns.label}: ICMP error not sent`, orig);
    return;
  }
  const src = isLocal(ns, orig.dst) ? orig.dst : sourceFor(ns, back, orig.src);
  const inner = clonePacket(orig);
  inner.inner = undefined;
  inner.payload = undefined;
  const err: Packet = {
    src,
    dst: orig.src,
    proto: "icmp",
    icmpType: type,
    icmpCode: code,
    ttl: defaultTtl(ns),
    length: Math.min(576, 28 + orig.length),
    inner,
    mark: 0,
  };
  const name = type === ICMP.TIME_EXCEEDED ? "time exceeded" : `destination unreachable (code ${code})`;
  run.hop({ kind: "icmp-error", at: ns.label, summary: `${ns.label} sends ICMP ${name} from ${formatIPv4(src)} to ${formatIPv4(orig.src)}`, packet: describePacket(err) });
  ipLocalOut(run, ns, err, { flow: REPLY, fib: back });
}
