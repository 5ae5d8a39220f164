// Neighbour resolution (ARP) as a real exchange of frames, with the kernel's neighbour states:
// REACHABLE on a reply, STALE for an entry learnt from someone else's request, DELAY when a STALE
// entry is used (re-confirmed by a unicast probe 5 s later), INCOMPLETE → FAILED after 3 probes (3 s).
import type { NetNamespace } from "../namespace";
import type { NetInterface } from "../interface";
import { NeighbourTable, type NeighEntry } from "../neighbour";
import { broadcastOf, formatIPv4, isLoopback, isMulticast } from "../ip";
import { BROADCAST_MAC, devTransmit, type ArpPayload, type Frame } from "./l2";
import { isLocal } from "./fib";
import { REQUEST, REPLY, type Flow, type Run } from "./run";

/** mcast_solicit (3) probes, retrans_time 1 s apart: resolution fails after 3 s. */
export const ARP_FAIL_MS = 3000;
/** delay_first_probe_time: a used STALE entry is re-probed after 5 s. */
const DELAY_PROBE_MS = 5000;
/** ucast_solicit (3) unicast probes, 1 s apart, before a PROBE entry fails. */
const UNICAST_PROBE_MS = 3000;
const ZERO_MAC = "00:00:00:00:00:00";

interface ArpWait {
  ns: NetNamespace;
  dev: NetInterface;
  ip: number;
  mac?: string;
  at?: number;
}

const waits = new WeakMap<Run, ArpWait[]>();

function waitsOf(run: Run): ArpWait[] {
  let w = waits.get(run);
  if (!w) waits.set(run, (w = []));
  return w;
}

/** arp_solicit's sender address: the packet's source when it is ours, else an address on the device. */
function senderAddress(ns: NetNamespace, dev: NetInterface, target: number, srcHint?: number): number {
  if (srcHint !== undefined && srcHint !== 0 && isLocal(ns, srcHint)) return srcHint;
  return ns.selectSource(dev, target) ?? 0;
}

/** Sends one ARP request and reports the reply (MAC and arrival time on this branch), if any. */
function exchange(run: Run, ns: NetNamespace, dev: NetInterface, target: number, sip: number, dstMac: string, quiet: boolean): { mac: string; t: number } | undefined {
  const w: ArpWait = { ns, dev, ip: target };
  const list = waitsOf(run);
  list.push(w);
  const frame: Frame = {
    src: dev.mac,
    dst: dstMac,
    type: "arp",
    arp: { op: "request", sha: dev.mac, spa: sip, tha: ZERO_MAC, tpa: target },
    flow: REQUEST,
    bytes: 42,
    seen: new Set(),
  };
  const t0 = run.t;
  const hopsBefore = run.hops.length;
  if (!quiet)
    run.hop({
      kind: "arp",
      at: ns.label,
      iface: dev.name,
      summary: `who-has ${formatIPv4(target)} tell ${formatIPv4(sip)} on ${dev.name}${dstMac === BROADCAST_MAC ? " (broadcast)" : ` (unicast probe to ${dstMac})`}`,
    });
  devTransmit(run, dev, frame);
  if (quiet) run.hops.length = Math.min(run.hops.length, hopsBefore);
  run.t = t0;
  list.splice(list.indexOf(w), 1);
  return w.mac !== undefined ? { mac: w.mac, t: w.at ?? t0 } : undefined;
}

function touch(run: Run, ns: NetNamespace): void {
  run.touched.add(ns);
}

/**
 * The link-layer address for `nexthop` on `dev`, resolving it if needed. On failure the branch time
 * has moved on to when the kernel gives up (3 s after the first probe) and undefined is returned.
 */
export function resolveNeighbour(run: Run, ns: NetNamespace, dev: NetInterface, nexthop: number, srcHint: number | undefined, _flow: Flow): string | undefined {
  if (dev.kind === "loopback") return dev.mac;
  if (dev.kind === "dummy") return BROADCAST_MAC;
  if (nexthop === 0xffffffff || dev.addresses.some((a) => a.prefixLen < 31 && broadcastOf(a.addr, a.prefixLen) === nexthop)) return BROADCAST_MAC;
  const now = run.now();
  const e = ns.neigh.get(dev, nexthop);
  if (e) NeighbourTable.settle(e, now);
  const ipText = formatIPv4(nexthop);
  // A reply arrived: the entry becomes REACHABLE at the time it came back.
  const learned = (got: { mac: string; t: number }): string => {
    const t = Math.max(got.t, run.t);
    ns.neigh.set({ ip: nexthop, dev, mac: got.mac, state: "REACHABLE", confirmed: run.start + t });
    touch(run, ns);
    run.t = t;
    run.hop({ kind: "arp", at: ns.label, iface: dev.name, summary: `${ipText} is-at ${got.mac}: entry REACHABLE` });
    return got.mac;
  };
  if (e && e.mac && (e.state === "PERMANENT" || e.state === "NOARP")) {
    run.hop({ kind: "arp", at: ns.label, iface: dev.name, summary: `${ipText} is ${e.mac} (${e.state.toLowerCase()} entry)` });
    return e.mac;
  }
  if (e && e.mac && (e.state === "REACHABLE" || e.state === "DELAY" || e.state === "PROBE")) {
    run.hop({ kind: "arp", at: ns.label, iface: dev.name, summary: `${ipText} is ${e.mac} (cached, ${e.state})` });
    return e.mac;
  }
  if (e && e.mac && e.state === "STALE") {
    // Used at once; the entry goes DELAY and a unicast probe confirms it 5 s later (or fails).
    const sip = senderAddress(ns, dev, nexthop, srcHint);
    const probe = exchange(run, ns, dev, nexthop, sip, e.mac, true);
    e.state = "DELAY";
    e.next = probe
      ? { at: now + DELAY_PROBE_MS, state: "REACHABLE" }
      : { at: now + DELAY_PROBE_MS, state: "PROBE", then: { at: now + DELAY_PROBE_MS + UNICAST_PROBE_MS, state: "FAILED", mac: null } };
    touch(run, ns);
    run.hop({ kind: "arp", at: ns.label, iface: dev.name, summary: `${ipText} is ${e.mac} (STALE entry used, now DELAY; re-confirmed in 5 s)` });
    return e.mac;
  }
  if (e && e.state === "INCOMPLETE" && e.next && e.next.state === "FAILED" && e.next.at > now) {
    // A resolution is already under way: its next probe may now be answered (the far end came up);
    // otherwise the packet waits in the queue and shares the entry's fate.
    const retry = exchange(run, ns, dev, nexthop, senderAddress(ns, dev, nexthop, srcHint), BROADCAST_MAC, false);
    if (retry) return learned(retry);
    run.t = e.next.at - run.start;
    run.hop({ kind: "arp", at: ns.label, iface: dev.name, summary: `ARP for ${ipText} already in progress on ${dev.name}: no reply, entry FAILED` });
    run.drop(ns.label, `no ARP reply for ${ipText} on ${dev.name} (${ns.label})`, undefined, dev.name);
    return undefined;
  }
  const sip = senderAddress(ns, dev, nexthop, srcHint);
  const got = exchange(run, ns, dev, nexthop, sip, BROADCAST_MAC, false);
  if (got) return learned(got);
  // Two more broadcast probes, one second apart, then the entry fails.
  exchange(run, ns, dev, nexthop, sip, BROADCAST_MAC, true);
  exchange(run, ns, dev, nexthop, sip, BROADCAST_MAC, true);
  const entry: NeighEntry = { ip: nexthop, dev, state: "INCOMPLETE", confirmed: now, next: { at: now + ARP_FAIL_MS, state: "FAILED", mac: null } };
  ns.neigh.set(entry);
  touch(run, ns);
  run.t += ARP_FAIL_MS;
  run.hop({ kind: "arp", at: ns.label, iface: dev.name, summary: `no reply for ${ipText} after 3 probes: entry FAILED` });
  run.drop(ns.label, `no ARP reply for ${ipText} on ${dev.name} (${ns.label})`, undefined, dev.name);
  return undefined;
}

/** Updates (never creates) the entry for an ARP sender, as arp_process does for every ARP seen. */
function refresh(run: Run, ns: NetNamespace, dev: NetInterface, ip: number, mac: string, state: "STALE" | "REACHABLE"): void {
  const e = ns.neigh.get(dev, ip);
  if (!e || e.state === "PERMANENT" || e.state === "NOARP") return;
  const now = run.now();
  NeighbourTable.settle(e, now);
  if (state === "REACHABLE") {
    e.mac = mac;
    e.state = "REACHABLE";
    e.confirmed = now;
    e.next = undefined;
  } else if (e.mac !== mac || e.state === "INCOMPLETE" || e.state === "FAILED") {
    e.mac = mac;
    e.state = "STALE";
    e.confirmed = now;
    e.next = undefined;
  } else return;
  touch(run, ns);
}

/** An ARP packet received by the IP stack of `ns` on `dev` (a plain device or a bridge). */
export function arpInput(run: Run, ns: NetNamespace, dev: NetInterface, a: ArpPayload): void {
  if (!run.step()) return;
  if (a.op === "reply") {
    for (const w of waitsOf(run)) {
      if (w.ns === ns && w.dev === dev && w.ip === a.spa && w.mac === undefined) {
        w.mac = a.sha;
        w.at = run.t;
      }
    }
    refresh(run, ns, dev, a.spa, a.sha, "REACHABLE");
    return;
  }
  const forUs = a.spa !== 0 && !isLoopback(a.tpa) && !isMulticast(a.tpa) && isLocal(ns, a.tpa);
  if (!forUs) {
    if (a.spa !== 0) refresh(run, ns, dev, a.spa, a.sha, "STALE");
    return;
  }
  // arp_ignore=0: answer for any local address, whichever interface holds it; learn the asker (STALE).
  const e = ns.neigh.get(dev, a.spa);
  if (e) refresh(run, ns, dev, a.spa, a.sha, "STALE");
  else {
    ns.neigh.set({ ip: a.spa, dev, mac: a.sha, state: "STALE", confirmed: run.now() });
    touch(run, ns);
  }
  run.hop({ kind: "arp", at: ns.label, iface: dev.name, summary: `${ns.label} answers: ${formatIPv4(a.tpa)} is-at ${dev.mac} (learns ${formatIPv4(a.spa)} as STALE)` });
  run.latency("stack");
  const reply: Frame = {
    src: dev.mac,
    dst: a.sha,
    type: "arp",
    arp: { op: "reply", sha: dev.mac, spa: a.tpa, tha: a.sha, tpa: a.spa },
    flow: REPLY,
    bytes: 42,
    seen: new Set(),
  };
  devTransmit(run, dev, reply);
}
