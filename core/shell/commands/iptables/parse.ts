// `iptables` command line -> what to do, following iptables' do_parse(): the same getopt table, the
// same order of checks and the same messages. Everything wrong throws an IptError.

import type { TableName } from "../../../net/netfilter/api";
import { parseProto, protoName } from "../../../net/netfilter/names";
import { emptyRule, INV_DST, INV_IN, INV_OUT, INV_PROTO, INV_SRC, type Match, type Rule, type Target } from "../../../net/netfilter/rule";
import { parseHostList, type HostMask } from "./addr";
import { bareParamError, IptError, paramError, tryHelp } from "./errors";
import type { ExtParser, RuleCtx } from "./ext-common";
import { Getopt, type LongOpt } from "./getopt";
import { BASE_LONGS, CMD, CMD_CHARS, genericOptCheck, OPT, SHORTS } from "./options";
import { loadMatch } from "./match-ext";
import { loadTarget, TARGET_NAMES } from "./target-ext";

export interface ParsedCmd {
  kind: "run";
  command: number;
  table: string;
  chain?: string;
  rulenum?: number;
  newName?: string;
  policy?: string;
  rules: Rule[];
  numeric: boolean;
  verbose: boolean;
  exact: boolean;
  lineNumbers: boolean;
  /** -j/-g to a name that is not a target extension: must be an existing chain. */
  jumpChain?: string;
  /** -c PKTS BYTES (also applies to -P). */
  counters?: { pkts: number; bytes: number };
}

export type ParseResult = ParsedCmd | { kind: "help" } | { kind: "version" };

export const isDash = (s: string | undefined) => s === undefined || s.startsWith("-") || s.startsWith("!");

function parseRulenum(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 0xffffffff) throw paramError(`Invalid rule number \`${text}'`);
  return Number(text);
}

/** parse_chain(): the checks on a new chain name. */
function checkChainName(name: string): void {
  if (name.length >= 29) throw paramError(`chain name \`${name}' too long (must be under 29 chars)`);
  if (name[0] === "-" || name[0] === "!") throw paramError(`chain name not allowed to start with \`${name[0]}'`);
  if (TARGET_NAMES.has(name)) throw paramError("chain name may not clash with target name");
  if (/\s/.test(name)) throw paramError(`Invalid chain name \`${name}'`);
}

interface Loaded<T> {
  name: string;
  parser: ExtParser<T>;
}

export function parseArgs(argv: string[]): ParseResult {
  const g = new Getopt(argv, SHORTS);
  let command = 0;
  let chain: string | undefined;
  let rulenum: number | undefined;
  let newName: string | undefined;
  let policy: string | undefined;
  let table = "filter";
  let options = 0;
  let invert = false;
  let verbose = false;
  let jumpto: string | undefined;
  let goto = false;
  let target: Loaded<Target> | undefined;
  let counters: { pkts: number; bytes: number } | undefined;
  let srcText: string | undefined;
  let dstText: string | undefined;
  const rule = emptyRule();
  const ctx: RuleCtx = { proto: 0, protoInv: false };
  let protoText: string | undefined;
  const matches: Loaded<Match>[] = [];

  const addCommand = (newCmd: number, others: number) => {
    if (invert) throw paramError("unexpected '!' flag");
    const clash = command & ~others;
    if (clash) throw paramError(`Cannot use -${CMD_CHARS[Math.log2(newCmd)]} with -${CMD_CHARS[Math.log2(clash & -clash)]}`);
    command |= newCmd;
  };
  const setOption = (bit: number, ch: string, invBit = 0) => {
    if (options & bit) throw paramError(`multiple -${ch} flags not allowed`);
    options |= bit;
    if (invert) {
      if (!invBit) throw paramError(`cannot have ! before -${ch}`);
      rule.inv |= invBit;
    }
  };
  const optionalChain = (arg: string | undefined): string | undefined => {
    if (arg !== undefined) return arg;
    return isDash(g.peek()) ? undefined : g.take();
  };
  const optionalRulenum = (): number | undefined => (isDash(g.peek()) ? undefined : parseRulenum(g.take()));
  const allLongs = (): LongOpt[] => {
    const out = [...BASE_LONGS];
    for (const m of matches) out.push(...m.parser.longs);
    if (target) out.push(...target.parser.longs);
    return out;
  };

  for (;;) {
    const tok = g.next(allLongs());
    if (tok.t === "end") {
      if (tok.rest.length) throw paramError("unknown arguments found on commandline");
      break;
    }
    if (tok.t === "nonopt") {
      if (tok.arg === "!") {
        if (invert) throw paramError("multiple consecutive ! not allowed");
        invert = true;
        continue;
      }
      throw bareParamError(`Bad argument \`${tok.arg}'`);
    }
    if (tok.t === "missing") throw paramError(`option "${tok.text}" requires an argument`);
    if (tok.t === "unknown") {
      // An option of the protocol's match (--dport with -p tcp) loads that match and is read again.
      const pname = protoText !== undefined ? protoName(ctx.proto) : undefined;
      if (tok.text.startsWith("--") && pname && !ctx.protoInv && !matches.some((m) => m.name === pname)) {
        const parser = loadMatch(pname);
        if (parser) {
          matches.push({ name: pname, parser });
          g.i--;
          continue;
        }
      }
      throw paramError(`unknown option "${tok.text}"`);
    }
    const arg = tok.arg;
    switch (tok.id) {
      case "A":
        addCommand(CMD.APPEND, 0);
        chain = arg;
        break;
      case "C":
        addCommand(CMD.CHECK, 0);
        chain = arg;
        break;
      case "D":
        addCommand(CMD.DELETE, 0);
        chain = arg;
        if (!isDash(g.peek())) {
          rulenum = parseRulenum(g.take());
          command = (command & ~CMD.DELETE) | CMD.DELETE_NUM;
        }
        break;
      case "R":
        addCommand(CMD.REPLACE, 0);
        chain = arg;
        if (isDash(g.peek())) throw paramError("-R requires a rule number");
        rulenum = parseRulenum(g.take());
        break;
      case "I":
        addCommand(CMD.INSERT, 0);
        chain = arg;
        rulenum = optionalRulenum() ?? 1;
        break;
      case "L":
      case "S":
        addCommand(tok.id === "L" ? CMD.LIST : CMD.LIST_RULES, CMD.ZERO | CMD.ZERO_NUM);
        chain = optionalChain(arg) ?? chain;
        if (chain !== undefined) rulenum = optionalRulenum();
        break;
      case "F":
        addCommand(CMD.FLUSH, 0);
        chain = optionalChain(arg) ?? chain;
        break;
      case "Z":
        addCommand(CMD.ZERO, CMD.LIST | CMD.LIST_RULES);
        chain = optionalChain(arg) ?? chain;
        if (!isDash(g.peek())) {
          rulenum = parseRulenum(g.take());
          command = (command & ~CMD.ZERO) | CMD.ZERO_NUM;
        }
        break;
      case "N":
        addCommand(CMD.NEW_CHAIN, 0);
        checkChainName(arg!);
        chain = arg;
        break;
      case "X":
        addCommand(CMD.DELETE_CHAIN, 0);
        chain = optionalChain(arg) ?? chain;
        break;
      case "E":
        addCommand(CMD.RENAME, 0);
        chain = arg;
        if (isDash(g.peek())) throw paramError("-E requires old-chain-name and new-chain-name");
        newName = g.take();
        checkChainName(newName);
        break;
      case "P":
        addCommand(CMD.SET_POLICY, 0);
        chain = arg;
        if (isDash(g.peek())) throw paramError("-P requires a chain and a policy");
        policy = g.take();
        break;
      case "h":
        return { kind: "help" };
      case "V":
        return { kind: "version" };
      case "p": {
        setOption(OPT.p, "p", INV_PROTO);
        const proto = parseProto(arg!);
        if (proto === undefined) throw paramError(`unknown protocol "${arg!.toLowerCase()}" specified`);
        if (proto === 0 && rule.inv & INV_PROTO) throw paramError("rule would never match protocol");
        rule.proto = ctx.proto = proto;
        ctx.protoInv = (rule.inv & INV_PROTO) !== 0;
        protoText = arg;
        break;
      }
      case "s":
        setOption(OPT.s, "s", INV_SRC);
        srcText = arg;
        break;
      case "d":
        setOption(OPT.d, "d", INV_DST);
        dstText = arg;
        break;
      case "i":
      case "o": {
        setOption(tok.id === "i" ? OPT.i : OPT.o, tok.id, tok.id === "i" ? INV_IN : INV_OUT);
        if (arg!.length >= 16) throw paramError(`interface name \`${arg}' must be shorter than IFNAMSIZ (15)`);
        if (tok.id === "i") rule.inIface = arg!;
        else rule.outIface = arg!;
        break;
      }
      case "j":
      case "g": {
        setOption(OPT.j, "j");
        const name = arg!;
        if (name.length < 1) throw paramError("Invalid target name (too short)");
        if (name.length >= 29) throw paramError(`Invalid target name \`${name}' (28 chars max)`);
        jumpto = name;
        goto = tok.id === "g";
        const parser = goto ? undefined : loadTarget(name);
        if (parser) target = { name, parser };
        break;
      }
      case "m": {
        if (invert) throw paramError("unexpected ! flag before --match");
        const parser = loadMatch(arg!);
        if (!parser) throw paramError(`Couldn't load match \`${arg}':No such file or directory\n`);
        matches.push({ name: arg!, parser });
        break;
      }
      case "n":
        setOption(OPT.n, "n");
        break;
      case "v":
        if (!verbose) setOption(OPT.v, "v");
        verbose = true;
        break;
      case "x":
        setOption(OPT.x, "x");
        break;
      case "0":
        setOption(OPT.line, "0");
        break;
      case "c": {
        setOption(OPT.c, "c");
        const comma = arg!.indexOf(",", 1);
        const pk = comma < 0 ? arg! : arg!.slice(0, comma);
        let by = comma < 0 ? undefined : arg!.slice(comma + 1);
        if (by === undefined && !isDash(g.peek())) by = g.take();
        if (by === undefined) throw paramError("-c requires packet and byte counter");
        if (!/^\d+$/.test(pk)) throw paramError("-c packet counter not numeric");
        if (!/^\d+$/.test(by)) throw paramError("-c byte counter not numeric");
        counters = { pkts: Number(pk), bytes: Number(by) };
        break;
      }
      case "f":
        setOption(OPT.f, "f");
        break;
      case "t":
        if (invert) throw paramError("unexpected ! flag before --table");
        table = arg!;
        break;
      case "w":
      case "W":
        if (invert) throw paramError(`unexpected ! flag before --${tok.id === "w" ? "wait" : "wait-interval"}`);
        if (arg === undefined && /^\d+$/.test(g.peek() ?? "")) g.take();
        break;
      case "M":
      case "4":
        break;
      case "6":
        throw new IptError(tryHelp("iptables"), 2);
      default: {
        const colon = tok.id.indexOf(":");
        const ext = tok.id.slice(0, colon);
        const owner = target?.name === ext ? target : [...matches].reverse().find((m) => m.name === ext);
        owner?.parser.parse(tok.id, arg, invert, g, ctx);
        invert = false;
        continue;
      }
    }
    invert = false;
  }

  if (table === "nat" && (policy === "DROP" || jumpto === "DROP"))
    throw paramError('\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n');
  const ruleMatches = matches.map((m) => m.parser.final(ctx));
  let ruleTarget: Target = { kind: "none" };
  if (target) ruleTarget = target.parser.final(ctx);
  else if (jumpto !== undefined) {
    if (!goto && (jumpto === "ACCEPT" || jumpto === "DROP" || jumpto === "RETURN")) ruleTarget = { kind: jumpto };
    else ruleTarget = { kind: "jump", chain: jumpto, goto };
  }
  if (!command) throw paramError("no command specified");
  if (invert) throw paramError("nothing appropriate following !");

  const ruleCmd = CMD.REPLACE | CMD.INSERT | CMD.DELETE | CMD.APPEND | CMD.CHECK;
  let srcs: HostMask[] = [];
  let dsts: HostMask[] = [];
  if (command & ruleCmd) {
    srcs = parseHostList(srcText ?? "0.0.0.0/0");
    dsts = parseHostList(dstText ?? "0.0.0.0/0");
    if ((srcs.length > 1 || dsts.length > 1) && rule.inv & (INV_SRC | INV_DST))
      throw paramError("! not allowed with multiple source or destination IP addresses");
    if (command === CMD.REPLACE && (srcs.length !== 1 || dsts.length !== 1)) throw paramError("Replacement rule does not specify a unique address");
  }
  genericOptCheck(command, options);
  if (chain !== undefined && chain.length >= 29) throw paramError(`chain name \`${chain}' too long (must be under 29 chars)`);
  if (command & ruleCmd && chain !== undefined) {
    if ((chain === "PREROUTING" || chain === "INPUT") && options & OPT.o) throw paramError(`Can't use -o with ${chain}\n`);
    if ((chain === "POSTROUTING" || chain === "OUTPUT") && options & OPT.i) throw paramError(`Can't use -i with ${chain}\n`);
  }

  const rules: Rule[] = [];
  for (const s of srcs)
    for (const d of dsts) {
      const r: Rule = { ...rule, src: s.addr, smsk: s.mask, dst: d.addr, dmsk: d.mask, matches: structuredClone(ruleMatches), target: ruleTarget };
      if (counters) {
        r.pkts = counters.pkts;
        r.bytes = counters.bytes;
      }
      rules.push(r);
    }

  return {
    kind: "run",
    command,
    table,
    chain,
    rulenum,
    newName,
    policy,
    rules,
    numeric: (options & OPT.n) !== 0,
    verbose,
    exact: (options & OPT.x) !== 0,
    lineNumbers: (options & OPT.line) !== 0,
    jumpChain: ruleTarget.kind === "jump" ? ruleTarget.chain : undefined,
    counters,
  };
}

export function isTableName(t: string): t is TableName {
  return t === "filter" || t === "nat" || t === "mangle" || t === "raw";
}

export { CMD } from "./options";
