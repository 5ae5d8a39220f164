// The netfilter engine of one network namespace. `hook()` runs what the kernel runs at a hook, in
// priority order: raw, conntrack, mangle, nat (first packet of a connection only; later packets get
// the stored binding), filter. The ruleset itself lives in `rules` (see tables.ts), which the iptables
// command edits.

import type { ConntrackEntry, Hook, HookContext, HookResult, NatChange, NetfilterEnv, TableName } from "./api";
import type { Packet } from "../packet";
import { ConntrackTable, CtEntry, ICMP_ERRORS, ORIGINAL, REPLY, invert, packetTuple, type Dir } from "./conntrack";
import { applyBinding, applyRelated, bindDst, bindSrc, type Manip } from "./nat";
import { CT_DNAT, CT_ESTABLISHED, CT_INVALID, CT_NEW, CT_RELATED, CT_SNAT, REJECT_CODES } from "./rule";
import { Ruleset, validateTable } from "./tables";
import { traverse, type Outcome, type WalkState } from "./traverse";

interface CtAssoc {
  e: CtEntry;
  dir: Dir;
  /** An ICMP error about this connection (ctstate RELATED). */
  related: boolean;
}

type Stop = { verdict: "DROP" } | Extract<Outcome, { verdict: "REJECT" }>;

function stopOf(o: Outcome): Stop | undefined {
  if (o.verdict === "REJECT") return o;
  return o.verdict === "DROP" ? { verdict: "DROP" } : undefined;
}

export class Netfilter {
  /** Tables, chains, rules and counters; edited by the iptables command. */
  readonly rules = new Ruleset();
  private readonly ct = new ConntrackTable();
  /** The conntrack entry a packet was attached to at PREROUTING/OUTPUT (the kernel's skb->_nfct). */
  private readonly attached = new WeakMap<Packet, CtAssoc>();
  private lastExpire = -Infinity;

  constructor(readonly env: NetfilterEnv) {}

  hook(hook: Hook, packet: Packet, ctx: HookContext): HookResult {
    const st: WalkState = { pkt: packet, hits: [], me: { ctx, env: this.env, ctBits: CT_INVALID } };
    let ref = this.attached.get(packet);
    if (ref && !this.ct.entries.has(ref.e)) ref = undefined;
    let nat: NatChange | undefined;
    let stop: Stop | undefined;

    const run = (table: TableName): Stop | undefined => {
      if (!this.rules.tables[table].touched) return undefined;
      st.me.ctBits = ctBits(ref);
      return stopOf(traverse(this.rules, table, hook, st));
    };
    const natHook = (manip: Manip): Stop | undefined => {
      if (!ref) return undefined;
      const { e, dir } = ref;
      if (ref.related) {
        const r = applyRelated(st.pkt, e, dir, manip);
        st.pkt = r.packet;
        nat = r.nat;
        return undefined;
      }
      if (dir === ORIGINAL && !(manip === "DST" ? e.dnatDone : e.snatDone)) {
        // First packet of the connection: the nat chain decides the binding, once.
        let target: Extract<Outcome, { verdict: "NAT" }>["target"] | undefined;
        if (this.rules.tables.nat.touched) {
          st.me.ctBits = ctBits(ref);
          const o = traverse(this.rules, "nat", hook, st);
          const halt = stopOf(o);
          if (halt) return halt;
          if (o.verdict === "NAT") target = o.target;
        }
        if (manip === "DST") bindDst(this.ct, e, target, this.env);
        else if (!bindSrc(this.ct, e, target, ctx.outIface, this.env)) return { verdict: "DROP" };
      }
      const r = applyBinding(st.pkt, e, dir, manip);
      st.pkt = r.packet;
      nat = r.nat;
      return undefined;
    };

    switch (hook) {
      case "PREROUTING":
      case "OUTPUT":
        stop = run("raw");
        if (stop) break;
        ref ??= this.conntrackIn(st.pkt, hook, ctx);
        stop = run("mangle") ?? natHook("DST") ?? (hook === "OUTPUT" ? run("filter") : undefined);
        break;
      case "INPUT":
        ref ??= this.find(st.pkt);
        stop = run("mangle") ?? run("filter") ?? natHook("SRC");
        break;
      case "FORWARD":
        ref ??= this.find(st.pkt);
        stop = run("mangle") ?? run("filter");
        break;
      case "POSTROUTING":
        ref ??= this.find(st.pkt);
        stop = run("mangle") ?? natHook("SRC");
        break;
    }

    if (stop) {
      // A dropped first packet takes its unconfirmed connection with it.
      if (ref && !ref.e.confirmed && !ref.related) this.ct.remove(ref.e);
    } else if (ref && (hook === "INPUT" || hook === "POSTROUTING") && !ref.related) {
      ref.e.dnatDone = ref.e.snatDone = true;
      ref.e.confirmed = true;
    }
    if (ref) this.attached.set(st.pkt, ref);

    const result: HookResult = {
      verdict: stop ? stop.verdict : "ACCEPT",
      packet: st.pkt,
      hits: st.hits,
      ctState: ctStateName(ref),
    };
    if (stop?.verdict === "REJECT") {
      const w = stop.target.with;
      result.reject = w === "tcp-reset" ? { with: "tcp-reset" } : { with: "icmp", code: REJECT_CODES[w] };
    }
    if (nat) result.nat = nat;
    if (st.log) result.log = st.log;
    return result;
  }

  /** nf_conntrack_in: find the packet's connection or start a new one (unconfirmed). */
  private conntrackIn(p: Packet, hook: Hook, ctx: HookContext): CtAssoc | undefined {
    const now = this.env.now();
    if (p.proto === "icmp" && ICMP_ERRORS.has(p.icmpType ?? -1)) return this.related(p);
    // Packets looping back through lo were already translated on the way out.
    let ref = this.ct.lookup(p.proto, packetTuple(p), hook === "PREROUTING" && ctx.inIface === "lo");
    if (ref && (!ref.e.confirmed || ref.e.expires <= now)) {
      // An unconfirmed leftover means its first packet died on the way; an expired one is gone.
      this.ct.remove(ref.e);
      ref = undefined;
    }
    if (!ref) {
      if (!ConntrackTable.canCreate(p)) return undefined;
      ref = { e: this.ct.create(p, now), dir: ORIGINAL };
    }
    this.ct.touch(ref.e, ref.dir, p, now);
    return { e: ref.e, dir: ref.dir, related: false };
  }

  /** An ICMP error belongs to the connection of the header it quotes (seen from the other side). */
  private related(p: Packet): CtAssoc | undefined {
    if (!p.inner) return undefined;
    const quoted = packetTuple(p.inner);
    // The quoted header seen from the other side is one of the connection's tuples...
    const inv = this.ct.lookup(p.inner.proto, invert(quoted), false);
    if (inv) return inv.e.confirmed ? { e: inv.e, dir: inv.dir, related: true } : undefined;
    // ...or, quoted as it was after our own NAT, it matches the packet's direction: the error goes the other way.
    const direct = this.ct.lookup(p.inner.proto, quoted, true);
    if (!direct || !direct.e.confirmed) return undefined;
    return { e: direct.e, dir: direct.dir === ORIGINAL ? REPLY : ORIGINAL, related: true };
  }

  /** For hooks after the conntrack hook when the walk handed us a different packet object. */
  private find(p: Packet): CtAssoc | undefined {
    if (p.proto === "icmp" && ICMP_ERRORS.has(p.icmpType ?? -1)) return this.related(p);
    const ref = this.ct.lookup(p.proto, packetTuple(p), true);
    return ref ? { e: ref.e, dir: ref.dir, related: false } : undefined;
  }

  conntrackEntries(): ConntrackEntry[] {
    return this.ct.snapshot();
  }

  /** Drops conntrack entries whose timeout has passed (simulated clock, ms). */
  expire(now: number): void {
    this.lastExpire = now;
    this.ct.expire(now);
  }

  /** `conntrack -F`. */
  flushConntrack(): void {
    this.ct.clear();
  }

  /** Consistency of the whole engine; empty when all is well. */
  checkInvariants(): string[] {
    const errs = this.ct.checkInvariants(this.lastExpire);
    for (const t of Object.values(this.rules.tables)) {
      const v = validateTable(t);
      if (v) errs.push(`table ${t.name}: ${v === "loop" ? "jump loop" : "target in a hook it cannot run in"}`);
      for (const c of t.chains.values())
        for (const r of c.rules) {
          if (r.target.kind === "jump" && !t.chains.has(r.target.chain)) errs.push(`table ${t.name}: ${c.name} jumps to missing chain ${r.target.chain}`);
          if (r.pkts < 0 || r.bytes < 0) errs.push(`table ${t.name}: ${c.name} has negative counters`);
        }
    }
    return errs;
  }
}

function ctBits(ref: CtAssoc | undefined): number {
  if (!ref) return CT_INVALID;
  const e = ref.e;
  let bits = ref.related ? CT_RELATED : ref.dir === REPLY || e.seenReply ? CT_ESTABLISHED : CT_NEW;
  if (e.hasSnat) bits |= CT_SNAT;
  if (e.hasDnat) bits |= CT_DNAT;
  return bits;
}

function ctStateName(ref: CtAssoc | undefined): HookResult["ctState"] {
  if (!ref) return "INVALID";
  if (ref.related) return "RELATED";
  return ref.dir === REPLY || ref.e.seenReply ? "ESTABLISHED" : "NEW";
}

export type { NfError, NfErrorCode, Table } from "./tables";
export { Ruleset } from "./tables";
