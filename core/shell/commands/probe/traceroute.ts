// traceroute (Modern traceroute for Linux 2.1.2): TTL-limited probes — UDP to ports 33434+ by default,
// ICMP echo with -I, TCP SYN with -T, UDP to one port with -U — and the Time Exceeded / Unreachable
// errors routers send back, printed in traceroute's layout (`!H`, `!N`, `!X`… marks). Up to 16 probes
// are in flight at once, as -N's default; the trace stops after the hop that reached the destination
// or answered with an unreachable.
import { type Tool, type ToolContext, type ToolResult, ToolExit } from "../../tool";
import { STRERROR, type Errno } from "../../../net/errors";
import { formatIPv4 } from "../../../net/ip";
import type { Trace } from "../../../net/trace";
import { echo, fibLookup, tcpConnect, udpSend } from "../../../net/walk/index";
import { readHosts, resolveHost, reverseName, type HostsEntry } from "./resolve";
import { allocPid } from "./signals";
import { strtod } from "./num";
import { TRACEROUTE_USAGE } from "./usage";

type Method = "udp" | "icmp" | "tcp" | "udp-port";

interface TrOpts {
  method: Method;
  numeric: boolean;
  maxHops: number;
  firstHop: number;
  queries: number;
  waitMs: number;
  port?: number;
  source?: string;
  device?: string;
  simultaneous: number;
}


export const tracerouteTool: Tool = {
  name: "traceroute",
  aliases: ["traceroute.db"],
  run: (ctx) => traceroute(ctx),
};

/** Options that take a value: short letter → [long name, how the usage names the value]. */
const WITH_ARG: Record<string, [string, string]> = {
  f: ["first", "first_ttl"],
  g: ["gateway", "gate,..."],
  i: ["interface", "device"],
  m: ["max-hops", "max_ttl"],
  N: ["sim-queries", "squeries"],
  p: ["port", "port"],
  t: ["tos", "tos"],
  l: ["flowlabel", "flow_label"],
  w: ["wait", "MAX,HERE,NEAR"],
  q: ["queries", "nqueries"],
  s: ["source", "src_addr"],
  z: ["sendwait", "sendwait"],
  M: ["module", "name"],
  O: ["options", "OPTS,..."],
  P: ["protocol", "prot"],
};
const FLAGS = new Set("46dFITnreAUDV".split(""));
const LONG_FLAGS: Record<string, string> = { icmp: "I", tcp: "T", udp: "U", debug: "d", "dont-fragment": "F", extensions: "e", "as-path-lookups": "A", dccp: "D", version: "V", help: "h", mtu: "", back: "" };

function parse(argv: string[]): { o: TrOpts; host: string; hostArgc: number; packetlen?: string; lenArgc: number } {
  const o: TrOpts = { method: "udp", numeric: false, maxHops: 30, firstHop: 1, queries: 3, waitMs: 5000, simultaneous: 16 };
  const positional: { text: string; argc: number }[] = [];
  const set = (c: string, v: string | undefined, argc: number, shown: string) => {
    const num = (min = 0) => {
      if (v === undefined || !/^\s*\d+$/.test(v) || Number(v) < min) throw new ToolExit(2, `Cannot handle \`${shown}' option with arg \`${v}' (argc ${argc})\n`);
      return Number(v);
    };
    switch (c) {
      case "I":
        o.method = "icmp";
        break;
      case "T":
        o.method = "tcp";
        break;
      case "U":
        o.method = "udp-port";
        break;
      case "n":
        o.numeric = true;
        break;
      case "V":
        throw new ToolExit(0, "Modern traceroute for Linux, version 2.1.2\nCopyright (c) 2016  Dmitry Butskoy,   License: GPL v2 or any later\n");
      case "h":
        throw new ToolExit(0, TRACEROUTE_USAGE);
      case "D":
        throw new ToolExit(2, "Cannot handle `-D' option: DCCP probes are not available here\n");
      case "m":
        o.maxHops = num();
        break;
      case "f":
        o.firstHop = num();
        break;
      case "q":
        o.queries = num();
        break;
      case "N":
        o.simultaneous = Math.max(1, num());
        break;
      case "p":
        o.port = num();
        break;
      case "s":
        o.source = v;
        break;
      case "i":
        o.device = v;
        break;
      case "w": {
        const first = (v ?? "").split(/[,/]/)[0];
        const r = strtod(first);
        if (v === undefined || r.none || r.rest !== "" || !(r.value >= 0)) throw new ToolExit(2, `Cannot handle \`${shown}' option with arg \`${v}' (argc ${argc})\n`);
        o.waitMs = r.value * 1000;
        break;
      }
      default:
        break;
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const argc = i + 1;
    if (a.startsWith("--") && a.length > 2) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (name in LONG_FLAGS) {
        set(LONG_FLAGS[name], undefined, argc, a);
        continue;
      }
      const short = Object.entries(WITH_ARG).find(([, [long]]) => long === name)?.[0];
      if (short === undefined) {
        if (name === "sport" || name === "fwmark") continue;
        throw new ToolExit(2, `Bad option \`${a}' (argc ${argc})\n`);
      }
      let v = eq >= 0 ? a.slice(eq + 1) : undefined;
      if (v === undefined) {
        if (i + 1 >= argv.length) throw new ToolExit(2, `Option \`--${name}' (argc ${argc}) requires an argument: \`--${name}=${WITH_ARG[short][1]}'\n`);
        v = argv[++i];
      }
      set(short, v, i + 1, `--${name}`);
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        if (c in WITH_ARG) {
          let v = a.slice(j + 1);
          let at = argc;
          if (v === "") {
            if (i + 1 >= argv.length) throw new ToolExit(2, `Option \`-${c}' (argc ${argc}) requires an argument: \`-${c} ${WITH_ARG[c][1]}'\n`);
            v = argv[++i];
            at = i + 1;
          }
          set(c, v, at, `-${c}`);
          break;
        }
        if (FLAGS.has(c)) {
          set(c, undefined, argc, `-${c}`);
          continue;
        }
        throw new ToolExit(2, `Bad option \`-${c}' (argc ${argc})\n`);
      }
      continue;
    }
    positional.push({ text: a, argc });
  }
  if (positional.length === 0) throw new ToolExit(0, TRACEROUTE_USAGE);
  if (positional.length > 2) throw new ToolExit(2, `Too many arguments\n`);
  return { o, host: positional[0].text, hostArgc: positional[0].argc, packetlen: positional[1]?.text, lenArgc: positional[1]?.argc ?? 0 };
}

interface ProbeResult {
  from?: number;
  rttMs?: number;
  /** `!H`, `!N`, `!X`… or "" */
  mark: string;
  final: boolean;
}

/** traceroute's marks for a destination unreachable code. */
export function unreachMark(code: number): string {
  switch (code) {
    case 0:
    case 6:
    case 8:
    case 11:
      return "!N";
    case 1:
    case 7:
    case 12:
      return "!H";
    case 9:
    case 10:
    case 13:
      return "!X";
    case 3:
      return "";
    case 2:
      return "!P";
    case 4:
      return "!F";
    case 5:
      return "!S";
    case 14:
      return "!V";
    case 15:
      return "!C";
    default:
      return `!<${code}>`;
  }
}

/** An ICMP error's result: Time Exceeded is an ordinary hop, an unreachable ends the trace. */
function fromIcmp(type: number, code: number, from: number, rttMs: number): ProbeResult {
  if (type === 11) return { from, rttMs, mark: code === 0 ? "" : "", final: false };
  if (type === 3) return { from, rttMs, mark: unreachMark(code), final: true };
  return { from, rttMs, mark: "", final: false };
}

/** The ICMP error a TCP probe met, read from its trace (connect() only reports an errno). */
function icmpInTrace(t: Trace, label: string): { type: number; code: number } | undefined {
  for (let i = t.hops.length - 1; i >= 0; i--) {
    const h = t.hops[i];
    if (h.kind !== "deliver" || h.at !== label || !h.packet) continue;
    const m = / icmp (time exceeded|destination unreachable) code (\d+)/.exec(h.packet);
    if (m) return { type: m[1] === "time exceeded" ? 11 : 3, code: Number(m[2]) };
  }
  return undefined;
}

async function traceroute(ctx: ToolContext): Promise<ToolResult> {
  const { o, host, hostArgc, packetlen, lenArgc } = parse(ctx.args);
  const res = await resolveHost(ctx, host);
  if (!res.ok) throw new ToolExit(2, `${host}: ${res.error}\nCannot handle "host" cmdline arg \`${host}' on position 1 (argc ${hostArgc})\n`);
  let len = 60;
  if (packetlen !== undefined) {
    if (!/^\d+$/.test(packetlen)) throw new ToolExit(2, `Cannot handle "packetlen" cmdline arg \`${packetlen}' on position 2 (argc ${lenArgc})\n`);
    len = Number(packetlen);
    if (len > 65000) throw new ToolExit(2, `too big packetlen ${len} specified\n`);
    len = Math.max(len, o.method === "tcp" ? 40 : 28);
  }
  if (o.firstHop < 1 || o.firstHop > o.maxHops) throw new ToolExit(2, "first hop out of range\n");
  if (o.maxHops > 255) throw new ToolExit(2, "max hops cannot be more than 255\n");
  if (o.queries < 1 || o.queries > 10) throw new ToolExit(2, "no more than 10 probes per hop\n");

  const ns = ctx.ns;
  const dst = res.addr === 0 ? 0x7f000001 : res.addr;
  const header = `traceroute to ${host} (${formatIPv4(dst)}), ${o.maxHops} hops max, ${len} byte packets`;
  const dev = o.device !== undefined ? ns.byName(o.device) : undefined;
  let src: number | undefined;
  if (o.source !== undefined) {
    const s = await resolveHost(ctx, o.source);
    if (!s.ok) throw new ToolExit(2, `${o.source}: ${s.error}\nCannot handle \`-s' option with arg \`${o.source}' (argc 1)\n`);
    src = s.addr;
  }
  // The first socket: route lookup (connect), then bind and SO_BINDTODEVICE. ICMP and TCP connect
  // before printing the header, UDP after.
  const fib = fibLookup(ns, dst, { oif: dev });
  const routeErr: Errno | undefined = fib.kind === "error" ? fib.errno : fib.kind === "broadcast" ? "EACCES" : undefined;
  if (routeErr && o.method !== "udp" && o.method !== "udp-port") throw new ToolExit(1, `\nconnect: ${STRERROR[routeErr]}\n`);
  if (o.device !== undefined && !dev) throw new ToolExit(1, "\nsetsockopt SO_BINDTODEVICE: No such device\n", header);
  if (src !== undefined && !ns.localAddresses().some((x) => x.addr.addr === src)) throw new ToolExit(1, "\nbind: Cannot assign requested address\n", header);
  if (routeErr) throw new ToolExit(1, `\nconnect: ${STRERROR[routeErr]}\n`, header);

  const hosts: HostsEntry[] = o.numeric ? [] : await readHosts(ctx);
  const pid = allocPid(ctx.machine);
  const total = (o.maxHops - o.firstHop + 1) * o.queries;
  const results: (ProbeResult | undefined)[] = new Array(total).fill(undefined);
  const clock = ctx.sim.clock;
  /** One controller per probe in flight, all aborted on Ctrl+C or when the trace is complete. */
  const inflight = new Set<AbortController>();
  const stopAll = () => {
    for (const c of inflight) c.abort();
  };
  ctx.signal.addEventListener("abort", stopAll, { once: true });
  let finalTtl = Infinity;

  const probe = async (idx: number, ac: AbortController): Promise<ProbeResult> => {
    const ttl = o.firstHop + Math.floor(idx / o.queries);
    const t0 = clock.now();
    const rtt = () => clock.now() - t0;
    const common = { ttl, src, iface: o.device, timeoutMs: o.waitMs, signal: ac.signal };
    if (o.method === "icmp") {
      const r = await echo(ns, dst, { ...common, id: pid & 0xffff, seq: (o.port ?? 1) + idx, size: len - 28 });
      if (r.kind === "reply") return { from: r.from, rttMs: rtt(), mark: "", final: true };
      if (r.kind === "icmp-error") return fromIcmp(r.type, r.code, r.from, rtt());
      return { mark: "", final: false };
    }
    if (o.method === "tcp") {
      const r = await tcpConnect(ns, dst, o.port ?? 80, { ...common, owner: { pid, program: "traceroute" } });
      if (r.ok) {
        r.conn.close();
        return { from: dst, rttMs: rtt(), mark: "", final: true };
      }
      if (r.errno === "ECONNREFUSED" && r.from === undefined) return { from: dst, rttMs: rtt(), mark: "", final: true };
      if (r.from !== undefined) {
        const icmp = icmpInTrace(r.trace, ns.label) ?? { type: 11, code: 0 };
        return fromIcmp(icmp.type, icmp.code, r.from, rtt());
      }
      return { mark: "", final: false };
    }
    const port = o.method === "udp-port" ? (o.port ?? 53) : (o.port ?? 33434) + idx;
    const r = await udpSend(ns, dst, port, "@".repeat(Math.max(0, len - 28)), { ...common, recvErr: true, owner: { pid, program: "traceroute" } });
    if (!r.ok && r.from !== undefined && r.icmp) return fromIcmp(r.icmp.type, r.icmp.code, r.from, rtt());
    if (r.ok && r.reply) return { from: r.reply.from.addr, rttMs: rtt(), mark: "", final: true };
    return { mark: "", final: false };
  };

  // A window of probes in flight, lowest TTL first; none beyond a hop that already ended the trace.
  let next = 0;
  const running = new Set<Promise<void>>();
  const launch = (idx: number) => {
    const ac = new AbortController();
    if (ctx.signal.aborted) ac.abort();
    inflight.add(ac);
    const p: Promise<void> = probe(idx, ac)
      .then((r) => {
        results[idx] = r;
        const ttl = o.firstHop + Math.floor(idx / o.queries);
        if (r.final && ttl < finalTtl) finalTtl = ttl;
      })
      .catch(() => {
        results[idx] = { mark: "", final: false };
      })
      .finally(() => {
        running.delete(p);
        inflight.delete(ac);
      });
    running.add(p);
  };
  while (!ctx.signal.aborted) {
    while (next < total && running.size < o.simultaneous && o.firstHop + Math.floor(next / o.queries) <= finalTtl) launch(next++);
    if (running.size === 0) break;
    await Promise.race(running);
    // Everything up to the final hop is known: the rest is not needed.
    const lastIdx = Number.isFinite(finalTtl) ? (finalTtl - o.firstHop + 1) * o.queries : total;
    if (results.slice(0, lastIdx).every((r) => r !== undefined)) break;
  }
  stopAll();
  await Promise.all(running);
  ctx.signal.removeEventListener("abort", stopAll);

  let out = header;
  const lastTtl = Math.min(o.maxHops, finalTtl);
  for (let ttl = o.firstHop; ttl <= lastTtl; ttl++) {
    const base = (ttl - o.firstHop) * o.queries;
    if (results.slice(base, base + o.queries).every((r) => r === undefined)) break;
    out += `\n${String(ttl).padStart(2)} `;
    for (let q = 0; q < o.queries; q++) {
      const r = results[base + q];
      if (!r || r.from === undefined) {
        out += " *";
        continue;
      }
      let prev: ProbeResult | undefined;
      for (let k = q - 1; k >= 0; k--) {
        const x = results[base + k];
        if (x && x.from !== undefined) {
          prev = x;
          break;
        }
      }
      if (!prev || prev.from !== r.from) out += o.numeric ? ` ${formatIPv4(r.from)}` : ` ${reverseName(hosts, r.from) ?? formatIPv4(r.from)} (${formatIPv4(r.from)})`;
      if (r.rttMs !== undefined) out += `  ${r.rttMs.toFixed(3)} ms`;
      if (r.mark) out += ` ${r.mark}`;
    }
  }
  out += "\n";
  return { stdout: out, stderr: "", exitCode: ctx.signal.aborted ? 130 : 0 };
}
