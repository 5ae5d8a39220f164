// `iptables-restore [--noflush] [--counters]`: reads iptables-save text from stdin and applies it as one
// transaction (nothing changes when any line fails), with iptables-restore's error framing.

import type { Netfilter } from "../../../net/netfilter/index";
import type { Chain } from "../../../net/netfilter/rule";
import { isBuiltin, type Table } from "../../../net/netfilter/tables";
import { IptError, IPTABLES_VERSION } from "./errors";
import { execute, type IptResult } from "./index";
import { isTableName } from "./parse";

const PROG = "iptables-restore";
const TRY = `Try \`${PROG} -h' or '${PROG} --help' for more information.\n`;

/** Splits a rule line like the shell would: "double quotes", 'single quotes', backslash escapes. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === "\\" && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (c === " " || c === "\t") {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

function snapshot(t: Table): Map<string, Chain> {
  return new Map([...t.chains].map(([k, c]) => [k, { ...c, rules: [...c.rules] }]));
}

export function runIptablesRestore(argv: string[], nf: Netfilter, opts: { now: Date; stdin?: string }): IptResult {
  let noflush = false;
  let counters = false;
  for (const a of argv) {
    if (a === "-n" || a === "--noflush") noflush = true;
    else if (a === "-c" || a === "--counters") counters = true;
    else if (/^-[nvcw]+$/.test(a)) {
      if (a.includes("n")) noflush = true;
      if (a.includes("c")) counters = true;
    }
  }
  const rs = nf.rules;
  const saved = Object.values(rs.tables).map((t) => ({ t, chains: snapshot(t), touched: t.touched }));
  const rollback = () => {
    for (const s of saved) {
      s.t.chains = s.chains;
      s.t.touched = s.touched;
    }
  };
  const fail = (stderr: string, exitCode: number): IptResult => {
    rollback();
    return { stdout: "", stderr, exitCode };
  };
  const lines = (opts.stdin ?? "").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  let table: Table | undefined;
  try {
    for (let n = 1; n <= lines.length; n++) {
      const line = lines[n - 1].trim();
      if (line === "" || line.startsWith("#")) continue;
      if (line.startsWith("*")) {
        const name = line.slice(1);
        if (table || !isTableName(name))
          return fail(`${PROG} ${IPTABLES_VERSION} (nf_tables): ${PROG}: line ${n} table name '${name}' invalid\nError occurred at line: ${n}\n${TRY}`, 2);
        table = rs.tables[name];
        table.touched = true;
        if (!noflush) {
          for (const c of [...table.chains.values()]) {
            c.rules = [];
            if (!isBuiltin(table, c.name)) table.chains.delete(c.name);
          }
        }
        continue;
      }
      if (!table) return fail(`${PROG}: line ${n} failed\n`, 1);
      if (line === "COMMIT") {
        table = undefined;
        continue;
      }
      if (line.startsWith(":")) {
        const m = /^:(\S+)\s+(\S+)(?:\s+\[(\d+):(\d+)\])?$/.exec(line);
        if (!m) return fail(`${PROG}: line ${n} failed\n`, 1);
        const [, name, policy, pk, by] = m;
        const c = table.chains.get(name);
        if (isBuiltin(table, name)) {
          if (policy !== "ACCEPT" && policy !== "DROP") return fail(`${PROG}: line ${n} failed\n`, 1);
          c!.policy = policy;
          if (counters && pk !== undefined) {
            c!.pkts = Number(pk);
            c!.bytes = Number(by);
          }
        } else if (c) c.rules = [];
        else table.chains.set(name, { name, rules: [], pkts: 0, bytes: 0 });
        continue;
      }
      let words = tokenize(line);
      let cnt: string[] = [];
      const bracket = /^\[(\d+):(\d+)\]$/.exec(words[0] ?? "");
      if (bracket) {
        words = words.slice(1);
        if (counters) cnt = ["-c", bracket[1], bracket[2]];
      }
      try {
        const r = execute(["-t", table.name, ...words, ...cnt], nf);
        if (r.exitCode !== 0) return fail(r.stderr, r.exitCode);
      } catch (e) {
        if (!(e instanceof IptError)) throw e;
        if (e.kind === "param" || e.kind === "bare")
          return fail(`${PROG} ${IPTABLES_VERSION} (nf_tables): ${e.msg}\nError occurred at line: ${n}\n${TRY}`, 2);
        if (e.kind === "batch") return fail(`${PROG} ${IPTABLES_VERSION} (nf_tables): \nline ${n}: ${e.msg}\n`, 4);
        return fail(`${PROG}: line ${n} failed\n`, 1);
      }
    }
    if (table) return fail(`${PROG}: COMMIT expected at line ${lines.length + 1}\n`, 1);
    return { stdout: "", stderr: "", exitCode: 0 };
  } catch (e) {
    return fail(`${PROG}: ${e instanceof Error ? e.message : String(e)}\n`, 1);
  }
}
