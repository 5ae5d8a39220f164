// `iptables` and `iptables-save` as pure functions of argv and a namespace's Netfilter. They never
// throw: every problem becomes the real tool's message and exit code.

import type { Netfilter } from "../../../net/netfilter/index";
import type { TableName } from "../../../net/netfilter/api";
import type { NfError } from "../../../net/netfilter/tables";
import { batchError, IptError, kernelError, paramError, plainError, VERSION_BANNER, IPTABLES_VERSION } from "./errors";
import { IPTABLES_HELP } from "./help";
import { listRules } from "./list";
import { CMD, isTableName, parseArgs, type ParsedCmd } from "./parse";
import { listRulesS, savedTables, saveTable } from "./save";

export { IPTABLES_VERSION, VERSION_BANNER } from "./errors";

export interface IptResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface IptOptions {
  now: Date;
  command?: string;
}

function guard(run: () => IptResult, prog: string): IptResult {
  try {
    return run();
  } catch (e) {
    if (e instanceof IptError) return { stdout: "", stderr: e.text, exitCode: e.exitCode };
    // A bug of ours: still answer like a tool, never throw into the shell.
    return { stdout: "", stderr: `${prog}: ${e instanceof Error ? e.message : String(e)}\n`, exitCode: 1 };
  }
}

export function runIptables(argv: string[], nf: Netfilter, opts: IptOptions): IptResult {
  return guard(() => execute(argv, nf), opts.command ?? "iptables");
}

function nfError(err: NfError, p: ParsedCmd, op: string): IptError {
  switch (err.code) {
    case "nochain":
      return kernelError("No chain/target/match by that name.");
    case "exists":
      return kernelError(p.command === CMD.RENAME ? "File exists." : "Chain already exists.");
    case "busy":
      return batchError(`CHAIN_DEL failed (Device or resource busy): chain ${err.chain}`);
    case "inval":
      return batchError(`${op} failed (Invalid argument): rule in chain ${err.chain}`);
    case "loop":
      return batchError(`${op} failed (Too many links): rule in chain ${err.chain}`);
    case "index":
      return kernelError(`Index of ${op === "RULE_INSERT" ? "insertion" : op === "RULE_REPLACE" ? "replacement" : "deletion"} too big.`);
    case "badrule":
      return kernelError("Bad rule (does a matching rule exist in that chain?).");
    case "notbuiltin":
      return kernelError("Bad built-in chain name.");
  }
}

export function execute(argv: string[], nf: Netfilter): IptResult {
  const parsed = parseArgs(argv);
  if (parsed.kind === "help") return { stdout: IPTABLES_HELP, stderr: "", exitCode: 0 };
  if (parsed.kind === "version") return { stdout: VERSION_BANNER + "\n", stderr: "", exitCode: 0 };
  const p = parsed;
  if (!isTableName(p.table)) throw plainError(`table '${p.table}' does not exist\nPerhaps iptables or your kernel needs to be upgraded.`, 3);
  const table: TableName = p.table;
  const rs = nf.rules;
  const ruleCmd = CMD.APPEND | CMD.INSERT | CMD.REPLACE | CMD.DELETE | CMD.CHECK;
  if (p.command & ruleCmd && p.jumpChain !== undefined && !rs.chain(table, p.jumpChain)) throw paramError(`Chain '${p.jumpChain}' does not exist`);
  const chain = p.chain;
  const ok = (stdout = ""): IptResult => ({ stdout, stderr: "", exitCode: 0 });
  const check = (err: NfError | undefined, op = "") => {
    if (err) throw nfError(err, p, op);
  };

  if (p.command & (CMD.LIST | CMD.LIST_RULES)) {
    if (chain !== undefined && !rs.chain(table, chain)) throw plainError(`chain \`${chain}' in table \`${table}' is incompatible, use 'nft' tool.`, 1);
    const out =
      p.command & CMD.LIST
        ? listRules(rs, table, chain, p.rulenum, p)
        : listRulesS(rs, table, chain, p.rulenum, p.verbose);
    if (p.command & (CMD.ZERO | CMD.ZERO_NUM)) check(rs.zero(table, chain, p.command & CMD.ZERO_NUM ? p.rulenum : undefined));
    return ok(out);
  }

  switch (p.command) {
    case CMD.APPEND:
      check(rs.append(table, chain!, p.rules), "RULE_APPEND");
      return ok();
    case CMD.INSERT:
      check(rs.insert(table, chain!, p.rulenum ?? 1, p.rules), "RULE_INSERT");
      return ok();
    case CMD.REPLACE:
      check(rs.replace(table, chain!, p.rulenum!, p.rules[0]), "RULE_REPLACE");
      return ok();
    case CMD.DELETE_NUM:
      check(rs.deleteNum(table, chain!, p.rulenum!), "RULE_DELETE");
      return ok();
    case CMD.DELETE:
      for (const r of p.rules) check(rs.deleteRule(table, chain!, r));
      return ok();
    case CMD.CHECK:
      if (!rs.chain(table, chain!)) throw kernelError("No chain/target/match by that name.");
      for (const r of p.rules) if (rs.find(table, chain!, r) < 0) throw kernelError("Bad rule (does a matching rule exist in that chain?).");
      return ok();
    case CMD.FLUSH:
      check(rs.flush(table, chain));
      return ok();
    case CMD.ZERO:
    case CMD.ZERO_NUM:
      check(rs.zero(table, chain, p.command === CMD.ZERO_NUM ? p.rulenum : undefined));
      return ok();
    case CMD.NEW_CHAIN:
      check(rs.newChain(table, chain!));
      return ok();
    case CMD.DELETE_CHAIN:
      check(rs.deleteChain(table, chain));
      return ok();
    case CMD.RENAME:
      check(rs.renameChain(table, chain!, p.newName!));
      return ok();
    case CMD.SET_POLICY: {
      const c = rs.chain(table, chain!);
      if (!c || !c.policy) throw kernelError("Bad built-in chain name.");
      if (p.policy !== "ACCEPT" && p.policy !== "DROP") throw kernelError("Bad policy name. Run `dmesg' for more information.");
      check(rs.setPolicy(table, chain!, p.policy));
      if (p.counters) {
        c.pkts = p.counters.pkts;
        c.bytes = p.counters.bytes;
      }
      return ok();
    }
  }
  throw paramError("no command specified");
}

const SAVE_USAGE = "Look at manual page `iptables-save.8' for more information.\n";

/** `iptables-save [-c] [-t table]`. */
export function runIptablesSave(argv: string[], nf: Netfilter, opts: IptOptions): IptResult {
  const prog = opts.command ?? "iptables-save";
  return guard(() => {
    let counters = false;
    let table: string | undefined;
    const bad = (msg: string): IptResult => ({ stdout: "", stderr: `${prog}: ${msg}\n${SAVE_USAGE}`, exitCode: 1 });
    const longs: [string, boolean, string][] = [
      ["counters", false, "c"],
      ["dump", false, "d"],
      ["table", true, "t"],
      ["modprobe", true, "M"],
      ["file", true, "f"],
      ["version", false, "V"],
      ["ipv4", false, "4"],
      ["ipv6", false, "6"],
    ];
    const withArg = new Set(["t", "M", "f"]);
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      let items: { c: string; arg?: string }[] = [];
      if (a.startsWith("--") && a.length > 2) {
        const eq = a.indexOf("=");
        const name = a.slice(2, eq < 0 ? undefined : eq);
        const hits = longs.filter(([n]) => n === name || n.startsWith(name));
        const hit = hits.find(([n]) => n === name) ?? (hits.length === 1 ? hits[0] : undefined);
        if (!hit) return bad(hits.length > 1 ? `option '${a}' is ambiguous` : `unrecognized option '${a}'`);
        let arg = eq < 0 ? undefined : a.slice(eq + 1);
        if (hit[1] && arg === undefined) {
          if (i + 1 >= argv.length) return bad(`option '--${hit[0]}' requires an argument`);
          arg = argv[++i];
        }
        items = [{ c: hit[2], arg }];
      } else if (a.startsWith("-") && a.length > 1) {
        for (let j = 1; j < a.length; j++) {
          const c = a[j];
          if (!"bcdt:M:f:46V".replace(/:/g, "").includes(c)) return bad(`invalid option -- '${c}'`);
          if (withArg.has(c)) {
            let arg = a.slice(j + 1);
            if (arg === "") {
              if (i + 1 >= argv.length) return bad(`option requires an argument -- '${c}'`);
              arg = argv[++i];
            }
            items.push({ c, arg });
            break;
          }
          items.push({ c });
        }
      } else continue;
      for (const o of items) {
        if (o.c === "c") counters = true;
        else if (o.c === "t") table = o.arg;
        else if (o.c === "V") return { stdout: `iptables-save ${IPTABLES_VERSION} (nf_tables)\n`, stderr: "", exitCode: 0 };
        else if (o.c === "6") return { stdout: "", stderr: "This is the IPv4 version of iptables-save.\n", exitCode: 1 };
      }
    }
    if (table !== undefined) {
      if (!isTableName(table)) return { stdout: "", stderr: `Table \`${table}' does not exist\n`, exitCode: 1 };
      return { stdout: saveTable(nf.rules, table, counters, opts.now), stderr: "", exitCode: 0 };
    }
    const out = savedTables(nf.rules)
      .map((t) => saveTable(nf.rules, t, counters, opts.now))
      .join("");
    return { stdout: out, stderr: "", exitCode: 0 };
  }, prog);
}

export { runIptablesRestore } from "./restore";
