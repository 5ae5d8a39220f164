// Layer 2: frames crossing veth pairs, cables, learning switches and Linux bridges (with br_netfilter).
// A frame remembers every interface and switch it has been received on, so flooding in a looped
// topology ends instead of storming.
import type { NetInterface } from "../interface";
import { Switch } from "../switch";
import { clonePacket, type Packet } from "../packet";
import type { Flow, Run } from "./run";
import { describePacket } from "./run";
import { arpInput, resolveNeighbour } from "./arp";
import { fibLookup } from "./fib";
import { ipReceive, nfHook, hookDropReason } from "./stack";

export const BROADCAST_MAC = "ff:ff:ff:ff:ff:ff";
/** Bridge and switch FDB entries age out after 300 s (bridge ageing_time). */
const FDB_AGEING_MS = 300_000;

export interface ArpPayload {
  op: "request" | "reply";
  sha: string;
  spa: number;
  tha: string;
  tpa: number;
}

export interface Frame {
  src: string;
  dst: string;
  type: "arp" | "ip";
  arp?: ArpPayload;
  pkt?: Packet;
  flow: Flow;
  /** Bytes on the wire as interface counters see them (Ethernet header included). */
  bytes: number;
  /** Interfaces and switches that already received this frame (loop guard). */
  seen: Set<object>;
}

export function ipFrame(src: string, dst: string, pkt: Packet, flow: Flow): Frame {
  return { src, dst, type: "ip", pkt, flow, bytes: pkt.length + 14, seen: new Set() };
}

function where(iface: NetInterface): string {
  return iface.ns.label;
}

function frameText(f: Frame): string {
  if (f.type === "arp" && f.arp) return f.arp.op === "request" ? "ARP request" : "ARP reply";
  return f.pkt ? describePacket(f.pkt) : "frame";
}

function countTx(dev: NetInterface, f: Frame): void {
  dev.stats.txPackets++;
  dev.stats.txBytes += f.bytes;
}

function countRx(dev: NetInterface, f: Frame): void {
  dev.stats.rxPackets++;
  dev.stats.rxBytes += f.bytes;
}

/** The namespace hands a frame to one of its devices (dev_queue_xmit). */
export function devTransmit(run: Run, dev: NetInterface, frame: Frame): void {
  if (!run.step()) return;
  if (!dev.adminUp) {
    if (frame.type === "ip") run.drop(where(dev), `${dev.name} is down on ${where(dev)}`, frame.pkt, dev.name);
    return;
  }
  if (dev.kind === "bridge") {
    countTx(dev, frame);
    bridgeLocalOut(run, dev, frame);
    return;
  }
  if (!dev.carrier) {
    dev.stats.txDropped++;
    if (frame.type === "ip") run.drop(where(dev), `no carrier on ${dev.name} (${where(dev)}): the other end is down or unplugged`, frame.pkt, dev.name);
    return;
  }
  countTx(dev, frame);
  wireOut(run, dev, frame);
}

/** What is at the other end of a device's wire. */
function wireOut(run: Run, dev: NetInterface, frame: Frame): void {
  switch (dev.kind) {
    case "veth": {
      const peer = dev.peer;
      if (!peer) return;
      run.latency("veth");
      run.hop({ kind: "l2", at: where(dev), iface: dev.name, summary: `veth ${dev.name} → ${peer.name}${peer.ns !== dev.ns ? ` (${peer.ns.label})` : ""}: ${frameText(frame)}` });
      receiveFrame(run, peer, frame);
      return;
    }
    case "ether": {
      const cable = dev.cable;
      if (!cable) return;
      const other = cable.otherEnd(dev);
      if (other instanceof Switch) {
        switchInput(run, other, dev, frame);
      } else {
        run.latency("cable");
        run.hop({ kind: "l2", at: where(dev), iface: dev.name, summary: `cable ${where(dev)}/${dev.name} → ${other.ns.label}/${other.name}: ${frameText(frame)}` });
        receiveFrame(run, other, frame);
      }
      return;
    }
    default:
      // dummy discards everything it is given; vxlan encapsulation is not simulated.
      if (frame.type === "ip" && dev.kind === "vxlan") run.drop(where(dev), `vxlan ${dev.name}: encapsulation is not simulated`, frame.pkt, dev.name);
      return;
  }
}

/** A frame arrives on a device. */
export function receiveFrame(run: Run, iface: NetInterface, frame: Frame): void {
  if (frame.seen.has(iface) || !run.step()) return;
  frame.seen.add(iface);
  if (!iface.adminUp) return;
  countRx(iface, frame);
  if (iface.master) {
    bridgeInput(run, iface.master, iface, frame);
    return;
  }
  if (frame.dst !== BROADCAST_MAC && frame.dst !== iface.mac) return; // not for this host
  l3Input(run, iface, frame, false);
}

function l3Input(run: Run, iface: NetInterface, frame: Frame, prerouted: boolean, pkt?: Packet): void {
  if (frame.type === "arp") {
    if (frame.arp) arpInput(run, iface.ns, iface, frame.arp);
    return;
  }
  if (!frame.pkt) return;
  ipReceive(run, iface.ns, iface, pkt ?? clonePacket(frame.pkt), frame.flow, { prerouted });
}

// ------------------------------------------------------------------ switch

function fdbFresh(updated: number, now: number): boolean {
  return now - updated <= FDB_AGEING_MS;
}

function switchInput(run: Run, sw: Switch, ingress: NetInterface, frame: Frame): void {
  if (frame.seen.has(sw) || !run.step()) return;
  frame.seen.add(sw);
  run.latency("switch");
  const now = run.now();
  sw.fdb.set(frame.src, { port: ingress, updated: now });
  const known = frame.dst === BROADCAST_MAC ? undefined : sw.fdb.get(frame.dst);
  if (known && sw.ports.has(known.port) && fdbFresh(known.updated, now)) {
    if (known.port === ingress) return;
    run.hop({ kind: "l2", at: `switch ${sw.name}`, summary: `switch ${sw.name}: ${ingress.ns.label}/${ingress.name} → ${known.port.ns.label}/${known.port.name} (learned): ${frameText(frame)}` });
    receiveFrame(run, known.port, frame);
    return;
  }
  const out = [...sw.ports].filter((p) => p !== ingress);
  run.hop({
    kind: "l2",
    at: `switch ${sw.name}`,
    summary: `switch ${sw.name}: ${frame.dst === BROADCAST_MAC ? "broadcast" : "unknown destination"} from ${ingress.ns.label}/${ingress.name}, flooded to ${out.length} port(s): ${frameText(frame)}`,
  });
  const t0 = run.t;
  for (const port of out) {
    receiveFrame(run, port, frame);
    run.t = t0;
  }
}

// ------------------------------------------------------------------ bridge

function fdbLookup(br: NetInterface, mac: string, now: number): { port: NetInterface; local: boolean } | undefined {
  const e = br.fdb?.get(mac);
  if (!e) return undefined;
  if (!e.local && !fdbFresh(e.updated, now)) return undefined;
  if (!br.ports?.has(e.port)) return undefined;
  return e;
}

/** A frame that entered bridge `br` through `port` (br_handle_frame). */
function bridgeInput(run: Run, br: NetInterface, port: NetInterface, frame: Frame): void {
  if (!br.adminUp || !run.step()) return;
  const ns = br.ns;
  const now = run.now();
  const existing = br.fdb!.get(frame.src);
  if (!existing?.local) br.fdb!.set(frame.src, { port, updated: now, local: false });
  run.latency("bridge");

  let f = frame;
  let pkt: Packet | undefined;
  const brnf = frame.type === "ip" && !!frame.pkt && ns.bridgeNfCallIptables;
  if (brnf) {
    // br_netfilter: iptables PREROUTING runs once, in the bridge's namespace, with in = the bridge.
    pkt = clonePacket(frame.pkt!);
    const before = pkt.dst;
    const r = nfHook(run, ns, "PREROUTING", pkt, { inIface: br.name, bridged: true, physIn: port.name }, frame.flow);
    if (r.verdict !== "ACCEPT") {
      run.drop(ns.label, hookDropReason(ns, "PREROUTING", r), pkt, br.name);
      return;
    }
    pkt = r.packet;
    if (pkt.dst !== before) {
      // DNAT took place: routed unless the new destination is reachable through this same bridge.
      // Either way the input route needs forwarding (kernel 6.x: with ip_forward=0 the packet meets
      // an error route and is dropped, bridged or not).
      const fib = fibLookup(ns, pkt.dst);
      if (fib.kind === "unicast" && fib.dev === br) {
        if (!ns.ipForward) {
          run.drop(ns.label, `ip_forward=0 on ${ns.label}: DNATed bridged packet dropped`, pkt, br.name);
          return;
        }
        const mac = resolveNeighbour(run, ns, br, fib.nexthop, pkt.src, frame.flow);
        if (!mac) return;
        f = { ...frame, dst: mac, pkt };
      } else {
        run.hop({ kind: "l2", at: ns.label, iface: br.name, summary: `bridge ${br.name}: DNAT to a routed destination, passed up to ${ns.label}` });
        ipReceive(run, ns, br, pkt, frame.flow, { prerouted: true });
        return;
      }
    }
  }

  const toBridgeMac = f.dst === br.mac || fdbLookup(br, f.dst, now)?.local === true;
  if (f.dst === BROADCAST_MAC) {
    bridgeFlood(run, br, port, f, pkt, brnf);
    up(run, br, f, pkt, brnf);
    return;
  }
  if (toBridgeMac) {
    run.hop({ kind: "l2", at: ns.label, iface: br.name, summary: `bridge ${br.name}: frame for the bridge itself, up to ${ns.label}'s IP stack: ${frameText(f)}` });
    up(run, br, f, pkt, brnf);
    return;
  }
  const e = fdbLookup(br, f.dst, now);
  if (e) {
    bridgeForward(run, br, port, e.port, f, pkt, brnf, "fdb");
    return;
  }
  bridgeFlood(run, br, port, f, pkt, brnf);
}

function up(run: Run, br: NetInterface, f: Frame, pkt: Packet | undefined, prerouted: boolean): void {
  const t0 = run.t;
  l3Input(run, br, f, prerouted, pkt);
  run.t = t0;
}

function canEgress(port: NetInterface, ingress: NetInterface | undefined): boolean {
  if (!port.running) return false;
  if (port === ingress && !port.hairpin) return false;
  return true;
}

function bridgeFlood(run: Run, br: NetInterface, ingress: NetInterface | undefined, f: Frame, pkt: Packet | undefined, brnf: boolean): void {
  const out = [...br.ports!].filter((p) => canEgress(p, ingress) && p !== ingress);
  if (ingress?.hairpin && ingress.running) out.push(ingress);
  run.hop({
    kind: "l2",
    at: br.ns.label,
    iface: br.name,
    summary: `bridge ${br.name}: ${f.dst === BROADCAST_MAC ? "broadcast" : "unknown destination"}${ingress ? ` from ${ingress.name}` : ""}, flooded to ${out.length ? out.map((p) => p.name).join(", ") : "no port"}: ${frameText(f)}`,
  });
  const t0 = run.t;
  for (const p of out) {
    bridgeEgress(run, br, ingress, p, f, pkt, brnf);
    run.t = t0;
  }
}

function bridgeForward(
  run: Run,
  br: NetInterface,
  ingress: NetInterface | undefined,
  out: NetInterface,
  f: Frame,
  pkt: Packet | undefined,
  brnf: boolean,
  how: string,
): void {
  if (!canEgress(out, ingress)) {
    if (out === ingress) return; // the destination is behind the port it came from: nothing to do
    if (f.type === "ip") run.drop(br.ns.label, `bridge ${br.name}: port ${out.name} is not forwarding (down or no carrier)`, f.pkt, br.name);
    return;
  }
  run.hop({ kind: "l2", at: br.ns.label, iface: br.name, summary: `bridge ${br.name}: ${ingress ? ingress.name : "local"} → ${out.name} (${how}): ${frameText(f)}` });
  bridgeEgress(run, br, ingress, out, f, pkt, brnf);
}

function bridgeEgress(run: Run, br: NetInterface, ingress: NetInterface | undefined, out: NetInterface, f: Frame, pkt: Packet | undefined, brnf: boolean): void {
  let frame = f;
  if (brnf && pkt && ingress) {
    const ns = br.ns;
    const ctx = { inIface: br.name, outIface: br.name, bridged: true, physIn: ingress.name, physOut: out.name };
    const fw = nfHook(run, ns, "FORWARD", pkt, ctx, f.flow);
    if (fw.verdict !== "ACCEPT") {
      run.drop(ns.label, hookDropReason(ns, "FORWARD", fw), fw.packet, br.name);
      return;
    }
    const post = nfHook(run, ns, "POSTROUTING", fw.packet, { outIface: br.name, bridged: true, physOut: out.name }, f.flow);
    if (post.verdict !== "ACCEPT") {
      run.drop(ns.label, hookDropReason(ns, "POSTROUTING", post), post.packet, br.name);
      return;
    }
    frame = { ...f, pkt: post.packet };
  }
  countTx(out, frame);
  wireOut(run, out, frame);
}

/** The bridge's own IP stack sends out of the bridge device (br_dev_xmit). */
function bridgeLocalOut(run: Run, br: NetInterface, frame: Frame): void {
  if (frame.dst === BROADCAST_MAC) {
    bridgeFlood(run, br, undefined, frame, undefined, false);
    return;
  }
  const e = fdbLookup(br, frame.dst, run.now());
  if (e && !e.local) {
    bridgeForward(run, br, undefined, e.port, frame, undefined, false, "fdb");
    return;
  }
  if (e?.local) return;
  bridgeFlood(run, br, undefined, frame, undefined, false);
}
