// The `ip` command (iproute2 6.1): global options, `-n NS`, and the object table matched by prefix in
// iproute2's own order (so `ip n` is neighbour, `ip net` netns, `ip m` maddress, `ip t` tunnel).
import type { NetNamespace } from "../../../net/namespace";
import type { Tool, ToolContext, ToolResult } from "../../tool";
import { IpExit, type GlobalOpts, type IpCtx, die, invarg, matches } from "./args";
import { USAGE_IP } from "./help";
import { doLink } from "./link";
import { doAddr } from "./addr";
import { doRoute } from "./route";
import { doNeigh } from "./neigh";
import { doNetns } from "./netns";
import { doMaddr, doRule, doTunnel } from "./misc";
import { toJson } from "./json";

type Handler = (c: IpCtx, argv: string[]) => number | Promise<number>;
const quiet: Handler = () => 0;

/** iproute2 6.1's cmds[] table; objects the simulator does not model print nothing. */
const OBJECTS: [string, Handler][] = [
  ["address", doAddr],
  ["addrlabel", quiet],
  ["maddress", doMaddr],
  ["route", doRoute],
  ["rule", doRule],
  ["neighbor", doNeigh],
  ["neighbour", doNeigh],
  ["ntable", quiet],
  ["ntbl", quiet],
  ["link", doLink],
  ["l2tp", quiet],
  ["fou", quiet],
  ["ila", quiet],
  ["macsec", quiet],
  ["tunnel", doTunnel],
  ["tunl", doTunnel],
  ["tuntap", quiet],
  ["tap", quiet],
  ["token", quiet],
  ["tcpmetrics", quiet],
  ["tcp_metrics", quiet],
  ["monitor", quiet],
  ["xfrm", quiet],
  ["mroute", quiet],
  ["mrule", quiet],
  ["netns", doNetns],
  ["netconf", quiet],
  ["vrf", quiet],
  ["sr", quiet],
  ["nexthop", quiet],
  ["mptcp", quiet],
  ["ioam", quiet],
  ["help", () => die(USAGE_IP)],
  ["stats", quiet],
];

const FAMILIES: Record<string, GlobalOpts["family"]> = { inet: "inet", inet6: "inet6", link: "link", mpls: "other", bridge: "other" };

export async function runIp(tool: ToolContext): Promise<ToolResult> {
  const c: IpCtx = {
    tool,
    ns: tool.ns,
    opts: { family: "unspec", stats: 0, details: 0, brief: false, oneline: false, json: false, pretty: false, all: false },
    out: [],
    err: [],
  };
  let code = 0;
  try {
    code = await runIpArgs(c, tool.args);
  } catch (e) {
    if (!(e instanceof IpExit)) throw e;
    c.err.push(e.stderrText);
    code = e.code;
  }
  return { stdout: c.out.join(""), stderr: c.err.join(""), exitCode: code };
}

async function runIpArgs(c: IpCtx, args: string[]): Promise<number> {
  let i = 0;
  const o = c.opts;
  for (; i < args.length; i++) {
    let opt = args[i];
    if (opt === "--") {
      i++;
      break;
    }
    if (!opt.startsWith("-")) break;
    if (opt[1] === "-") opt = opt.slice(1);
    const needArg = () => {
      if (i + 1 >= args.length) die(USAGE_IP);
      return args[++i];
    };
    if (matches(opt, "-loops")) needArg();
    else if (matches(opt, "-family")) {
      const v = needArg();
      if (v === "help") die(USAGE_IP);
      if (!(v in FAMILIES)) invarg("invalid protocol family", v);
      o.family = FAMILIES[v];
    } else if (opt === "-4") o.family = "inet";
    else if (opt === "-6") o.family = "inet6";
    else if (opt === "-0") o.family = "link";
    else if (opt === "-M" || opt === "-B") o.family = "other";
    else if (matches(opt, "-human") || matches(opt, "-human-readable") || matches(opt, "-iec")) {
      // byte counts print the same at our sizes
    } else if (matches(opt, "-stats") || matches(opt, "-statistics")) o.stats++;
    else if (matches(opt, "-details")) o.details++;
    else if (matches(opt, "-resolve") || matches(opt, "-timestamp") || matches(opt, "-tshort") || matches(opt, "-force")) {
      // accepted
    } else if (matches(opt, "-oneline")) o.oneline = true;
    else if (matches(opt, "-Version")) {
      c.out.push("ip utility, iproute2-6.1.0, libbpf 1.1.2\n");
      return 0;
    } else if (matches(opt, "-batch")) {
      const v = needArg();
      die(`Cannot open file "${v}" for reading: No such file or directory`, 1);
    } else if (matches(opt, "-brief")) o.brief = true;
    else if (matches(opt, "-json")) o.json = true;
    else if (matches(opt, "-pretty")) o.pretty = true;
    else if (matches(opt, "-rcvbuf")) {
      const v = needArg();
      if (!/^\d+$/.test(v)) die(`Invalid rcvbuf size '${v}'`);
    } else if (isColor(opt)) {
      // Accepted; the simulated terminal output stays uncoloured.
    } else if (matches(opt, "-help")) die(USAGE_IP);
    else if (matches(opt, "-netns")) {
      const name = args[++i];
      const ns = name === undefined ? undefined : c.ns.machine.netns(name);
      if (!ns) die(`Cannot open network namespace "${name ?? "(null)"}": No such file or directory`);
      c.ns = ns!;
    } else if (matches(opt, "-Numeric")) {
      // accepted
    } else if (matches(opt, "-all")) o.all = true;
    else die(`Option "${opt}" is unknown, try "ip -help".`);
  }
  if (i >= args.length) die(USAGE_IP);
  const obj = args[i];
  const rest = args.slice(i + 1);
  const entry = OBJECTS.find(([name]) => matches(obj, name));
  if (!entry) die(`Object "${obj}" is unknown, try "ip help".`, 1);
  if (o.all && entry![1] === doNetns && rest.length > 0 && matches(rest[0], "exec")) return allNetnsExec(c, rest.slice(1));
  if (o.json && !o.brief) {
    const json = toJson(c, entry![0], rest);
    if (json !== undefined) {
      c.out.push(json);
      return 0;
    }
  }
  return entry![1](c, rest);
}

function isColor(opt: string): boolean {
  const [key, value] = opt.split("=", 2);
  if (!matches(key, "-color")) return false;
  return value === undefined || ["always", "auto", "never"].includes(value);
}

/** `ip -all netns exec CMD`: runs CMD in every named namespace, announcing each. */
async function allNetnsExec(c: IpCtx, cmd: string[]): Promise<number> {
  if (cmd.length === 0) die("No command specified", 1);
  let code = 0;
  const all: [string, NetNamespace][] = [...c.ns.machine.namespaces.entries()].reverse();
  for (const [name] of all) {
    c.out.push(`\nnetns: ${name}\n`);
    const r = await doNetns(c, ["exec", name, ...cmd]);
    if (r !== 0) code = r;
  }
  return code;
}

export const ipTool: Tool = { name: "ip", run: runIp };
