// ping (iputils 20221126): ICMP echo through the packet walk, with iputils' option parsing, error texts,
// exit codes and timing rules. Probes go out on ping's own schedule (one per interval, whatever is still
// in flight), each answer is handled when it arrives in simulated time, and the exit conditions are the
// main loop's: -c N answers (replies + errors), the -w deadline, the linger after the last probe (-W, or
// 2×max RTT when something answered), or Ctrl+C, after which the statistics are printed.
import { type Tool, type ToolContext, type ToolResult, ToolExit } from "../../tool";
import { STRERROR, type Errno } from "../../../net/errors";
import { formatIPv4 } from "../../../net/ip";
import type { EchoOutcome } from "../../../net/probes";
import { echo, fibLookup } from "../../../net/walk/index";
import { getopt, getoptMessage } from "./getopt";
import { INT_MAX, strtod, strtolOrErrMessage, strtolStrict, LONG_MAX } from "./num";
import { formatReplyTime, formatStatistics, icmpErrorText } from "./ping-format";
import { EAI_NONAME, inetAton, readHosts, resolveHost, reverseName, type HostsEntry } from "./resolve";
import { anySignal } from "./signals";
import { PING_USAGE } from "./usage";

const OPTSTRING = "h?4bRT:6F:N:aABc:CdDe:fi:I:l:Lm:M:nOp:qQ:rs:S:t:UvVw:W:";
const VERSION = "ping from iputils 20221126\nlibcap: yes, IDN: yes, NLS: no, error.h: yes, getrandom(): yes, __fpending(): yes\n";

interface PingOptions {
  count: number;
  deadline: number;
  intervalMs: number;
  intervalSet: boolean;
  lingerMs: number;
  size: number;
  ttl?: number;
  quiet: boolean;
  numeric: boolean;
  broadcast: boolean;
  timestamps: boolean;
  flood: boolean;
  device?: string;
  source?: number;
  family?: 4 | 6;
}


/** `ping: msg\n`, exit code. */
const die = (msg: string, code: number): never => {
  throw new ToolExit(code, `ping: ${msg}\n`);
};

function parseOptions(argv: string[], prog: string, warnings: string[]): { o: PingOptions; operands: string[] } | ToolResult {
  const g = getopt(argv, OPTSTRING);
  const o: PingOptions = { count: 0, deadline: 0, intervalMs: 1000, intervalSet: false, lingerMs: 10_000, size: 56, quiet: false, numeric: false, broadcast: false, timestamps: false, flood: false };
  if (prog.endsWith("4")) o.family = 4;
  const long = (arg: string, min: number | bigint, max: number | bigint): number => {
    const r = strtolStrict(arg, min, max);
    if (!r.ok) throw new ToolExit(1, strtolOrErrMessage("ping", "invalid argument", arg, r, min, max) + "\n");
    return r.value;
  };
  const dbl = (arg: string, what: string): number => {
    if (arg === "") die(`${what}: `, 2);
    const r = strtod(arg);
    if (r.none || r.rest !== "") warnings.push(`ping: option argument contains garbage: ${r.rest}\n`, "ping: this will become fatal error in the future\n");
    if (!Number.isFinite(r.value)) die(`${what}: Numerical result out of range`, 2);
    return r.value;
  };
  for (const { opt, arg = "" } of g.opts) {
    switch (opt) {
      case "h":
      case "?":
        throw new ToolExit(2, PING_USAGE);
      case "V":
        throw new ToolExit(0, "", VERSION);
      case "4":
        if (o.family === 6) die("only one -4 or -6 option may be specified", 2);
        o.family = 4;
        break;
      case "6":
        if (o.family === 4) die("only one -4 or -6 option may be specified", 2);
        o.family = 6;
        break;
      case "b":
        o.broadcast = true;
        break;
      case "c":
        o.count = long(arg, 1, LONG_MAX);
        break;
      case "D":
        o.timestamps = true;
        break;
      case "f":
        o.flood = true;
        o.numeric = true;
        break;
      case "i": {
        const v = dbl(arg, "bad timing interval");
        if (v > INT_MAX / 1000) die(`bad timing interval: ${arg}`, 2);
        o.intervalMs = Math.max(0, Math.trunc(v * 1000));
        o.intervalSet = true;
        break;
      }
      case "I": {
        if (arg.includes(":")) die(`invalid source address: ${arg}`, 2);
        const a = /^\d+\.\d+\.\d+\.\d+$/.test(arg) ? inetAton(arg) : undefined;
        if (a !== undefined) o.source = a;
        else o.device = arg;
        break;
      }
      case "l":
        long(arg, 1, 65536);
        break;
      case "m":
        long(arg, 0, INT_MAX);
        break;
      case "n":
        o.numeric = true;
        break;
      case "q":
        o.quiet = true;
        break;
      case "s":
        o.size = long(arg, 0, INT_MAX);
        break;
      case "S":
        long(arg, 1, INT_MAX);
        break;
      case "t":
        o.ttl = long(arg, 0, 255);
        break;
      case "w":
        o.deadline = long(arg, 0, INT_MAX);
        break;
      case "W": {
        const v = dbl(arg, "bad linger time");
        if (v < 0 || v > INT_MAX / 1000) die(`bad linger time: ${arg}`, 2);
        o.lingerMs = Math.trunc(v * 1000);
        break;
      }
      default:
        // Accepted and without effect here: -a -A -B -C -d -L -O -r -U -v -R and their arguments.
        break;
    }
  }
  if (g.error) throw new ToolExit(2, `${getoptMessage("ping", g.error)}\n${PING_USAGE}`);
  if (o.flood && !o.intervalSet) o.intervalMs = 0;
  return { o, operands: g.operands };
}

export const pingTool: Tool = {
  name: "ping",
  aliases: ["ping4"],
  run: (ctx) => ping(ctx),
};

async function ping(ctx: ToolContext): Promise<ToolResult> {
  const warnings: string[] = [];
  const parsed = parseOptions(ctx.args, "ping", warnings);
  if (!("o" in parsed)) return parsed;
  const { o, operands } = parsed;
  const warn = () => warnings.join("");
  if (operands.length === 0) throw new ToolExit(1, warn() + "ping: usage error: Destination address required\n");

  const target = operands[operands.length - 1];
  const res = await resolveHost(ctx, target);
  if (o.family === 6) throw new ToolExit(2, warn() + `ping: ${target}: ${res.ok ? "Address family for hostname not supported" : EAI_NONAME}\n`);
  if (!res.ok) throw new ToolExit(2, warn() + `ping: ${target}: ${res.error}\n`);
  for (const gw of operands.slice(0, -1)) {
    const r = await resolveHost(ctx, gw);
    if (!r.ok) throw new ToolExit(2, warn() + `ping: ${gw}: ${r.error}\n`);
  }
  if (operands.length > 1) throw new ToolExit(2, warn() + "ping: record route: Operation not permitted\n");

  const ns = ctx.ns;
  let dst = res.addr;
  if (dst === 0) dst = 0x7f000001; // connect() to 0.0.0.0 means this host
  const hostname = res.numeric ? target : res.canonical;
  const numeric = o.numeric || res.numeric;
  const hosts: HostsEntry[] = numeric ? [] : await readHosts(ctx);
  const who = (addr: number) => {
    const n = numeric ? undefined : reverseName(hosts, addr);
    return n ? `${n} (${formatIPv4(addr)})` : formatIPv4(addr);
  };

  // The probe socket: device, source, route (connect), TTL, as ping4_run checks them before printing.
  const dev = o.device !== undefined ? ns.byName(o.device) : undefined;
  if (o.device !== undefined && !dev) throw new ToolExit(2, warn() + `ping: SO_BINDTODEVICE ${o.device}: No such device\n`);
  if (o.source !== undefined && !ns.localAddresses().some((x) => x.addr.addr === o.source)) throw new ToolExit(2, warn() + "ping: bind: Cannot assign requested address\n");
  const fib = fibLookup(ns, dst, { oif: dev });
  let broadcastDst = false;
  if (fib.kind === "error") {
    const errno: Errno = fib.errno;
    if (errno === "EACCES") {
      if (!o.broadcast) throw new ToolExit(2, warn() + "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n");
      warnings.push("WARNING: pinging broadcast address\n");
    } else throw new ToolExit(2, warn() + `ping: connect: ${STRERROR[errno]}\n`);
  } else if (fib.kind === "broadcast" || dst === 0xffffffff) {
    if (!o.broadcast) throw new ToolExit(2, warn() + "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n");
    warnings.push("WARNING: pinging broadcast address\n");
    broadcastDst = true;
  }
  if (o.ttl === 0) throw new ToolExit(2, warn() + "ping: cannot set unicast time-to-live: Invalid argument\n");

  let source = o.source;
  if (source === undefined && fib.kind !== "error") {
    if (fib.kind === "unicast" && fib.dev.kind === "loopback" && dev) {
      // Bound to lo with no route there: inet_select_addr(lo, RT_SCOPE_LINK) skips 127.0.0.1 (scope
      // host) and takes the first global address of another device.
      source = ns.localAddresses().find((x) => x.addr.scope !== "host" && x.iface.adminUp)?.addr.addr ?? 0;
    } else if (fib.kind === "unicast") source = fib.route.src ?? ns.selectSource(fib.dev, dst, fib.gateway);
    else source = fib.route.src ?? dst;
  }
  if (o.device !== undefined && source !== undefined && !dev!.addresses.some((a) => a.addr === source && a.label === dev!.name))
    warnings.push(`ping: Warning: source address might be selected on device other than: ${o.device}\n`);

  let out = `PING ${hostname} (${formatIPv4(dst)}) `;
  if (o.device !== undefined || o.source !== undefined) out += `from ${formatIPv4(source ?? 0)} ${o.device ?? ""}: `;
  out += `${o.size}(${o.size + 28}) bytes of data.\n`;

  const stats = await pingLoop(ctx, o, dst, broadcastDst, who);
  out += stats.lines;
  const errs = warn() + stats.errLines;
  out += formatStatistics({
    hostname,
    transmitted: stats.transmitted,
    received: stats.received,
    errors: stats.errors,
    elapsedMs: stats.elapsedMs,
    rttsUs: stats.rttsUs,
    timing: o.size >= 16,
    pipe: stats.pipe,
    interval0: o.intervalMs === 0,
    ewma8: stats.ewma8,
  });
  const failed = stats.received === 0 || (o.deadline > 0 && stats.received < o.count);
  return { stdout: out, stderr: errs, exitCode: failed ? 1 : 0 };
}

interface LoopResult {
  lines: string;
  errLines: string;
  transmitted: number;
  received: number;
  errors: number;
  elapsedMs: number;
  rttsUs: number[];
  pipe: number;
  ewma8: number;
}

/** The main loop: sends on schedule, handles answers as they arrive, stops as iputils does. */
async function pingLoop(ctx: ToolContext, o: PingOptions, dst: number, broadcastDst: boolean, who: (a: number) => string): Promise<LoopResult> {
  const clock = ctx.sim.clock;
  const ns = ctx.ns;
  const start = clock.now();
  const id = Math.floor(ctx.sim.rng.next() * 0xffff);
  const r: LoopResult = { lines: "", errLines: "", transmitted: 0, received: 0, errors: 0, elapsedMs: 0, rttsUs: [], pipe: 0, ewma8: 0 };
  const received = new Set<number>();
  let tmaxUs = 0;
  let exiting = false;
  let lastSend = start;
  const wake = new AbortController();
  /** One controller per probe in flight (so no signal collects a listener per probe). */
  const inflight = new Set<AbortController>();
  /** Interval 0: fires when the probe last sent is answered. */
  let answered = new AbortController();
  const stamp = () => {
    if (!o.timestamps) return "";
    const t = clock.now();
    return `[${Math.floor(t / 1000)}.${String(Math.floor((t % 1000) * 1000)).padStart(6, "0")}] `;
  };
  const stop = () => {
    if (!exiting) {
      exiting = true;
      wake.abort();
    }
  };
  const checkExit = () => {
    if (o.count && r.received + r.errors >= o.count) stop();
    if (o.deadline && r.errors) stop();
  };
  const acknowledge = (seq: number) => {
    const pipe = r.transmitted - seq + 1;
    if (pipe > r.pipe) r.pipe = pipe;
  };
  const handle = (seq: number, res: EchoOutcome) => {
    if (res.kind === "timeout" && res.trace.outcome === "interrupted") return;
    switch (res.kind) {
      case "reply": {
        const us = Math.max(0, Math.round(res.rttMs * 1000));
        acknowledge(seq);
        const dup = received.has(seq);
        if (!dup) {
          received.add(seq);
          r.received++;
          r.rttsUs.push(us);
          if (us > tmaxUs) tmaxUs = us;
          r.ewma8 = r.ewma8 ? r.ewma8 + us - Math.trunc(r.ewma8 / 8) : us * 8;
        }
        if (!o.quiet && !o.flood) {
          let line = `${stamp()}${res.bytes} bytes from ${who(res.from)}: icmp_seq=${seq} ttl=${res.ttl}`;
          if (o.size >= 16) line += ` time=${formatReplyTime(us)}`;
          if (dup) line += " (DUP!)";
          r.lines += line + "\n";
        }
        break;
      }
      case "icmp-error": {
        acknowledge(seq);
        r.errors++;
        if (!o.quiet && !o.flood) r.lines += `${stamp()}From ${who(res.from)} icmp_seq=${seq} ${icmpErrorText(res.type, res.code)}\n`;
        // REJECT in our own OUTPUT chain: the error is queued and sendmsg() failed with EPERM.
        if (!o.quiet && isLocalReject(res, ns.label)) r.errLines += "ping: sendmsg: Operation not permitted\n";
        break;
      }
      case "local-error":
        // An OUTPUT DROP loses the probe silently; other send errors are reported per packet.
        if (res.errno !== "EPERM" && !o.quiet) r.errLines += `ping: sendmsg: ${STRERROR[res.errno]}\n`;
        break;
      case "timeout":
        break;
    }
    checkExit();
  };

  // Answers that arrive together (the queue of an ARP entry that just failed) are handled in
  // sequence order, as the kernel reports them; "together" is within half a simulated millisecond.
  let batch: { seq: number; res: EchoOutcome }[] = [];
  let flushTimer: AbortController | undefined;
  const flush = () => {
    flushTimer = undefined;
    const b = batch.sort((x, y) => x.seq - y.seq);
    batch = [];
    for (const e of b) handle(e.seq, e.res);
  };
  const arrive = (seq: number, res: EchoOutcome) => {
    if (exiting) return;
    if (seq === r.transmitted) answered.abort();
    batch.push({ seq, res });
    if (!flushTimer) {
      const t = (flushTimer = new AbortController());
      void clock.sleep(0.5, t.signal).then((ok) => {
        if (ok && flushTimer === t) flush();
      });
    }
  };
  const sig = anySignal(ctx.signal, wake.signal);
  sig.addEventListener("abort", () => answered.abort(), { once: true });
  const deadlineAt = o.deadline ? start + o.deadline * 1000 : Infinity;
  const waitUntil = async (t: number): Promise<void> => {
    const until = Math.min(t, deadlineAt);
    const ms = until - clock.now();
    if (sig.aborted) return;
    if (ms > 0) await clock.sleep(ms, sig);
    else await clock.sleep(0, sig);
    if (clock.now() >= deadlineAt) stop();
  };
  const pending: Promise<void>[] = [];
  let lingerUntil = Infinity;

  try {
    for (;;) {
      if (exiting || ctx.signal.aborted) break;
      if (o.count && r.transmitted >= o.count && !o.deadline) {
        // All sent: schedule_exit's wait, then out.
        if (lingerUntil === Infinity) {
          const wait = r.received ? Math.max((2 * tmaxUs) / 1000, o.intervalMs) : o.lingerMs;
          lingerUntil = lastSend + wait;
        }
        if (clock.now() >= lingerUntil) break;
        await waitUntil(lingerUntil);
        continue;
      }
      if (o.deadline && clock.now() >= deadlineAt) break;
      const seq = ++r.transmitted;
      lastSend = clock.now();
      const wireSeq = seq & 0xffff;
      if (o.size + 28 > 65535) {
        // The kernel refuses the datagram; ping reads the local error back from the error queue.
        r.errors++;
        acknowledge(seq);
        if (!o.quiet) r.errLines += `ping: local error: message too long, mtu=${mtuFor(ctx, dst)}\n`;
        checkExit();
      } else if (broadcastDst) {
        // icmp_echo_ignore_broadcasts=1 everywhere: nobody answers a broadcast ping.
      } else {
        const ac = new AbortController();
        inflight.add(ac);
        const p = echo(ns, dst, { id, seq: wireSeq, size: o.size, ttl: o.ttl, iface: o.device, src: o.source, timeoutMs: 3_600_000, signal: ac.signal })
          .then((res) => arrive(seq, res))
          .catch(() => undefined)
          .finally(() => inflight.delete(ac));
        pending.push(p);
      }
      if (o.count && r.transmitted >= o.count && !o.deadline) continue;
      if (o.intervalMs > 0) await waitUntil(start + r.transmitted * o.intervalMs);
      else {
        // Interval 0 (-i 0, -f): the next probe as soon as this one is answered, or after 10 ms.
        answered = new AbortController();
        const until = Math.min(lastSend + 10, deadlineAt);
        if (!sig.aborted && until > clock.now()) await clock.sleep(until - clock.now(), answered.signal);
        if (clock.now() >= deadlineAt) stop();
      }
    }
    // Ctrl+C lands between probes, almost never while one is on the wire: let an answer that is
    // due in the next moment arrive before the statistics.
    if (ctx.signal.aborted && !exiting) await clock.sleep(2);
  } finally {
    if (flushTimer) {
      flushTimer.abort();
      flush();
    }
    exiting = true;
    for (const ac of inflight) ac.abort();
    await Promise.all(pending);
  }
  r.elapsedMs = lastSend - start;
  return r;
}

function mtuFor(ctx: ToolContext, dst: number): number {
  const f = fibLookup(ctx.ns, dst);
  if (f.kind === "unicast") return f.dev.mtu;
  return ctx.ns.loopback.mtu;
}

/** An ICMP error we generated ourselves because our OUTPUT chain rejected the probe. */
function isLocalReject(res: Extract<EchoOutcome, { kind: "icmp-error" }>, label: string): boolean {
  return res.trace.hops.some((h) => h.kind === "netfilter" && h.at === label && /^OUTPUT\b.*: REJECT/.test(h.summary));
}
