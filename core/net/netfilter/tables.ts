// The four tables and their chains, and every change iptables can make to them. Changes are checked
// the way the kernel checks a ruleset before accepting it: NAT/REJECT targets only where their table and
// hooks allow them (also through user chains reachable from a built-in chain), and no jump loops.
// A failed change leaves the ruleset as it was.

import type { Hook, TableName } from "./api";
import { BUILTIN_CHAINS, TABLE_NAMES, type Chain, type Rule, type Target } from "./rule";
import { ruleSpec } from "./spec";

export interface Table {
  name: TableName;
  /** Built-in chains first (kernel order), then user chains in creation order. */
  chains: Map<string, Chain>;
  /** iptables-nft creates a table on its first write; until then iptables-save leaves it out. */
  touched: boolean;
}

/** Why the kernel (or iptables' cache) refused a change; the shell turns these into the real messages. */
export type NfErrorCode =
  | "nochain" // No chain/target/match by that name.
  | "exists" // Chain already exists. / File exists.
  | "busy" // CHAIN_DEL failed (Device or resource busy)
  | "inval" // RULE_* failed (Invalid argument)
  | "loop" // RULE_* failed (Too many links)
  | "index" // Index of insertion/deletion/replacement too big.
  | "badrule" // Bad rule (does a matching rule exist in that chain?).
  | "notbuiltin"; // Bad built-in chain name.

export interface NfError {
  code: NfErrorCode;
  /** Chain named in the message (the chain the rule went to, or the chain that could not be deleted). */
  chain?: string;
}

/** Hooks where a target may run, and the table it must live in. */
const TARGET_LIMITS: Partial<Record<Target["kind"], { table: TableName; hooks: Hook[] }>> = {
  DNAT: { table: "nat", hooks: ["PREROUTING", "OUTPUT"] },
  SNAT: { table: "nat", hooks: ["POSTROUTING", "INPUT"] },
  MASQUERADE: { table: "nat", hooks: ["POSTROUTING"] },
  REJECT: { table: "filter", hooks: ["INPUT", "FORWARD", "OUTPUT"] },
};

function newChain(name: string, policy?: "ACCEPT" | "DROP"): Chain {
  return { name, policy, rules: [], pkts: 0, bytes: 0 };
}

export function isBuiltin(table: Table, chain: string): boolean {
  return (BUILTIN_CHAINS[table.name] as string[]).includes(chain);
}

/** Checks made for the rule alone, wherever it sits (xt_check_target's table and protocol checks). */
function ruleAllowed(table: TableName, r: Rule): boolean {
  const lim = TARGET_LIMITS[r.target.kind];
  if (lim && lim.table !== table) return false;
  if (r.target.kind === "REJECT" && r.target.with === "tcp-reset" && (r.proto !== 6 || r.inv & 0x40)) return false;
  // xt_tcpudp checks the rule's protocol.
  for (const m of r.matches) if ((m.kind === "tcp" || m.kind === "udp") && (r.proto !== (m.kind === "tcp" ? 6 : 17) || r.inv & 0x40)) return false;
  return true;
}

/** Walks every chain reachable from each built-in chain; reports a jump loop or a target in the wrong hook. */
export function validateTable(t: Table): "inval" | "loop" | undefined {
  for (const hook of BUILTIN_CHAINS[t.name]) {
    const onPath = new Set<string>();
    const done = new Set<string>();
    const walk = (name: string): "inval" | "loop" | undefined => {
      if (onPath.has(name)) return "loop";
      if (done.has(name)) return undefined;
      const chain = t.chains.get(name);
      if (!chain) return undefined;
      onPath.add(name);
      for (const r of chain.rules) {
        const lim = TARGET_LIMITS[r.target.kind];
        if (lim && !lim.hooks.includes(hook)) return "inval";
        if (r.target.kind === "jump") {
          const err = walk(r.target.chain);
          if (err) return err;
        }
      }
      onPath.delete(name);
      done.add(name);
      return undefined;
    };
    const err = walk(hook);
    if (err) return err;
  }
  return undefined;
}

export class Ruleset {
  readonly tables: Record<TableName, Table>;

  constructor() {
    const tables = {} as Record<TableName, Table>;
    for (const name of TABLE_NAMES) {
      const chains = new Map<string, Chain>();
      for (const c of BUILTIN_CHAINS[name]) chains.set(c, newChain(c, "ACCEPT"));
      tables[name] = { name, chains, touched: false };
    }
    this.tables = tables;
  }

  chain(table: TableName, name: string): Chain | undefined {
    return this.tables[table].chains.get(name);
  }

  /** User chains sorted by name (iptables-nft lists them that way). */
  userChains(table: TableName): Chain[] {
    const t = this.tables[table];
    return [...t.chains.values()].filter((c) => !isBuiltin(t, c.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Built-in chains in kernel order, then user chains sorted by name. */
  listChains(table: TableName): Chain[] {
    const t = this.tables[table];
    return [...BUILTIN_CHAINS[table].map((c) => t.chains.get(c)!), ...this.userChains(table)];
  }

  /** Rules that jump or go to `chain` ("N references" in -L). */
  references(table: TableName, chain: string): number {
    let n = 0;
    for (const c of this.tables[table].chains.values())
      for (const r of c.rules) if (r.target.kind === "jump" && r.target.chain === chain) n++;
    return n;
  }

  /** Inserts rules at 0-based `index` (undefined = append), then validates; reverts on error. */
  private put(table: TableName, chain: string, rules: Rule[], index: number | undefined): NfError | undefined {
    const t = this.tables[table];
    const c = t.chains.get(chain);
    if (!c) return { code: "nochain" };
    if (index !== undefined && index > c.rules.length) return { code: "index" };
    for (const r of rules) if (!ruleAllowed(table, r)) return { code: "inval", chain };
    const at = index ?? c.rules.length;
    c.rules.splice(at, 0, ...rules);
    const err = validateTable(t);
    if (err) {
      c.rules.splice(at, rules.length);
      return { code: err, chain };
    }
    t.touched = true;
    return undefined;
  }

  append(table: TableName, chain: string, rules: Rule[]): NfError | undefined {
    return this.put(table, chain, rules, undefined);
  }

  /** `pos` is 1-based; pos = length+1 appends. */
  insert(table: TableName, chain: string, pos: number, rules: Rule[]): NfError | undefined {
    return this.put(table, chain, rules, pos - 1);
  }

  replace(table: TableName, chain: string, pos: number, rule: Rule): NfError | undefined {
    const t = this.tables[table];
    const c = t.chains.get(chain);
    if (!c || c.rules.length === 0) return { code: "nochain" };
    if (pos > c.rules.length) return { code: "index" };
    if (!ruleAllowed(table, rule)) return { code: "inval", chain };
    const old = c.rules[pos - 1];
    c.rules[pos - 1] = rule;
    const err = validateTable(t);
    if (err) {
      c.rules[pos - 1] = old;
      return { code: err, chain };
    }
    t.touched = true;
    return undefined;
  }

  deleteNum(table: TableName, chain: string, pos: number): NfError | undefined {
    const c = this.chain(table, chain);
    // iptables-nft reports an empty chain as missing before it looks at the index.
    if (!c || c.rules.length === 0) return { code: "nochain" };
    if (pos > c.rules.length) return { code: "index" };
    c.rules.splice(pos - 1, 1);
    return undefined;
  }

  /** Index of the first rule equal to `rule` (same -S text), or -1. */
  find(table: TableName, chain: string, rule: Rule): number {
    const c = this.chain(table, chain);
    if (!c) return -1;
    const want = ruleSpec(rule);
    return c.rules.findIndex((r) => ruleSpec(r) === want);
  }

  deleteRule(table: TableName, chain: string, rule: Rule): NfError | undefined {
    if (!this.chain(table, chain)) return { code: "nochain" };
    const i = this.find(table, chain, rule);
    if (i < 0) return { code: "badrule" };
    this.chain(table, chain)!.rules.splice(i, 1);
    return undefined;
  }

  newChain(table: TableName, name: string): NfError | undefined {
    const t = this.tables[table];
    if (t.chains.has(name)) return { code: "exists" };
    t.chains.set(name, newChain(name));
    t.touched = true;
    return undefined;
  }

  /** -X NAME, or every user chain when `name` is undefined (all or nothing, as one nft transaction). */
  deleteChain(table: TableName, name: string | undefined): NfError | undefined {
    const t = this.tables[table];
    const victims = name === undefined ? this.userChains(table).map((c) => c.name) : [name];
    for (const v of victims) {
      const c = t.chains.get(v);
      if (!c || isBuiltin(t, v)) return { code: "nochain" };
      // nft counts both rules and incoming jumps as users of a chain; either makes it busy.
      if (this.references(table, v) > 0 || c.rules.length > 0) return { code: "busy", chain: v };
    }
    for (const v of victims) t.chains.delete(v);
    return undefined;
  }

  renameChain(table: TableName, from: string, to: string): NfError | undefined {
    const t = this.tables[table];
    const c = t.chains.get(from);
    if (!c || isBuiltin(t, from)) return { code: "nochain" };
    if (t.chains.has(to)) return { code: "exists" };
    const rebuilt = new Map<string, Chain>();
    for (const [k, v] of t.chains) rebuilt.set(k === from ? to : k, v);
    c.name = to;
    t.chains.clear();
    for (const [k, v] of rebuilt) t.chains.set(k, v);
    for (const ch of t.chains.values())
      for (const r of ch.rules) {
        if (r.target.kind === "jump" && r.target.chain === from) r.target = { ...r.target, chain: to };
        r.spec = undefined;
      }
    t.touched = true;
    return undefined;
  }

  setPolicy(table: TableName, chain: string, policy: "ACCEPT" | "DROP"): NfError | undefined {
    const t = this.tables[table];
    if (!isBuiltin(t, chain)) return { code: "notbuiltin" };
    t.chains.get(chain)!.policy = policy;
    t.touched = true;
    return undefined;
  }

  flush(table: TableName, chain: string | undefined): NfError | undefined {
    const t = this.tables[table];
    if (chain === undefined) {
      for (const c of t.chains.values()) c.rules = [];
      return undefined;
    }
    const c = t.chains.get(chain);
    if (!c) return { code: "nochain" };
    c.rules = [];
    return undefined;
  }

  /** -Z [chain [rulenum]]: zero rule counters, and the policy counters when the whole chain is zeroed. */
  zero(table: TableName, chain: string | undefined, rulenum?: number): NfError | undefined {
    const t = this.tables[table];
    const chains = chain === undefined ? [...t.chains.values()] : [t.chains.get(chain)];
    if (chains[0] === undefined) return { code: "nochain" };
    for (const c of chains as Chain[]) {
      if (rulenum !== undefined) {
        const r = c.rules[rulenum - 1];
        if (r) r.pkts = r.bytes = 0;
        continue;
      }
      c.pkts = c.bytes = 0;
      for (const r of c.rules) r.pkts = r.bytes = 0;
    }
    return undefined;
  }
}
