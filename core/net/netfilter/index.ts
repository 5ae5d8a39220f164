// Placeholder until the netfilter engine lands: every hook accepts. Replaced by the real implementation.
import type { Hook, HookContext, HookResult, NetfilterEnv, ConntrackEntry } from "./api";
import type { Packet } from "../packet";

export class Netfilter {
  constructor(readonly env: NetfilterEnv) {}
  hook(_hook: Hook, packet: Packet, _ctx: HookContext): HookResult {
    return { verdict: "ACCEPT", packet, hits: [] };
  }
  conntrackEntries(): ConntrackEntry[] {
    return [];
  }
  /** Drop conntrack entries whose interface/address vanished or that expired. */
  expire(_now: number): void {}
}
