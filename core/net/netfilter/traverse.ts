// Walks one table's chain for one packet, as ipt_do_table does: rules in order, jumps push a return
// point, -g does not, RETURN or the end of a user chain pops, the end of a built-in chain applies
// its policy. Non-terminating targets (LOG, MARK, no target) record the hit and go on.

import type { Hook, HookContext, RuleHit, TableName } from "./api";
import { formatIPv4 } from "../ip";
import type { Packet } from "../packet";
import { ruleMatches, type MatchEnv } from "./matches";
import { type Chain, type Target } from "./rule";
import { ruleSpec } from "./spec";
import type { Ruleset } from "./tables";

export type Outcome =
  | { verdict: "ACCEPT" | "DROP" }
  | { verdict: "REJECT"; target: Extract<Target, { kind: "REJECT" }> }
  | { verdict: "NAT"; target: Extract<Target, { kind: "SNAT" | "DNAT" | "MASQUERADE" }> };

export interface WalkState {
  /** The current packet; replaced (never mutated) when a target changes it. */
  pkt: Packet;
  hits: RuleHit[];
  log?: string[];
  me: MatchEnv;
}

/** Deeper than any sane ruleset; guards against a loop the validator missed. */
const MAX_JUMPS = 10_000;

export function traverse(rs: Ruleset, table: TableName, hook: Hook, st: WalkState): Outcome {
  const chains = rs.tables[table].chains;
  const builtin = chains.get(hook) as Chain;
  const stack: { chain: Chain; next: number }[] = [];
  let chain = builtin;
  let i = 0;
  let jumps = 0;
  for (;;) {
    if (i >= chain.rules.length) {
      const back = stack.pop();
      if (back) {
        chain = back.chain;
        i = back.next;
        continue;
      }
      return policy(builtin, table, st);
    }
    const r = chain.rules[i++];
    if (!ruleMatches(r, st.pkt, st.me)) continue;
    r.pkts++;
    r.bytes += st.pkt.length;
    const t = r.target;
    st.hits.push({ table, chain: chain.name, ruleNum: i, rule: `-A ${chain.name}${ruleSpec(r)}`, target: t.kind === "jump" ? t.chain : t.kind === "none" ? "" : t.kind });
    switch (t.kind) {
      case "none":
        break;
      case "ACCEPT":
      case "DROP":
        return { verdict: t.kind };
      case "REJECT":
        return { verdict: "REJECT", target: t };
      case "SNAT":
      case "DNAT":
      case "MASQUERADE":
        return { verdict: "NAT", target: t };
      case "RETURN": {
        const back = stack.pop();
        if (!back) return policy(builtin, table, st);
        chain = back.chain;
        i = back.next;
        break;
      }
      case "jump": {
        const next = chains.get(t.chain);
        if (!next || ++jumps > MAX_JUMPS) return { verdict: "DROP" };
        if (!t.goto) stack.push({ chain, next: i });
        chain = next;
        i = 0;
        break;
      }
      case "MARK":
        st.pkt = { ...st.pkt, mark: ((st.pkt.mark & ~t.mask) ^ t.mark) >>> 0 };
        break;
      case "LOG":
        (st.log ??= []).push(logLine(t.prefix, st.pkt, st.me.ctx));
        break;
    }
  }
}

function policy(chain: Chain, table: TableName, st: WalkState): Outcome {
  const verdict = chain.policy ?? "ACCEPT";
  // iptables-nft keeps counters on a base chain's policy only when it drops; an ACCEPT policy reads 0.
  if (verdict === "DROP") {
    chain.pkts++;
    chain.bytes += st.pkt.length;
  }
  st.hits.push({ table, chain: chain.name, ruleNum: 0, rule: `-P ${chain.name} ${verdict}`, target: verdict });
  return { verdict };
}

/** A kernel log line as nf_log_ipv4 writes it (without the MAC= field, which the simulation lacks). */
export function logLine(prefix: string, p: Packet, ctx: HookContext): string {
  let s = `${prefix}IN=${ctx.inIface ?? ""} OUT=${ctx.outIface ?? ""} `;
  if (ctx.bridged) s += `PHYSIN=${ctx.physIn ?? ctx.inIface ?? ""} PHYSOUT=${ctx.physOut ?? ctx.outIface ?? ""} `;
  s += `SRC=${formatIPv4(p.src)} DST=${formatIPv4(p.dst)} LEN=${p.length} TOS=0x00 PREC=0x00 TTL=${p.ttl} ID=0 `;
  if (p.proto === "tcp") {
    const f = p.tcpFlags ?? {};
    const flags = [f.ack && "ACK", f.psh && "PSH", f.rst && "RST", f.syn && "SYN", f.fin && "FIN"].filter(Boolean).join(" ");
    s += `PROTO=TCP SPT=${p.sport ?? 0} DPT=${p.dport ?? 0} WINDOW=64240 RES=0x00 ${flags ? flags + " " : ""}URGP=0 `;
  } else if (p.proto === "udp") {
    s += `PROTO=UDP SPT=${p.sport ?? 0} DPT=${p.dport ?? 0} LEN=${Math.max(8, p.length - 20)} `;
  } else {
    s += `PROTO=ICMP TYPE=${p.icmpType ?? 0} CODE=${p.icmpCode ?? 0} `;
    if (p.icmpId !== undefined) s += `ID=${p.icmpId} SEQ=${p.icmpSeq ?? 0} `;
  }
  return s;
}
