// nc (netcat-openbsd 1.219, Debian): connect to TCP/UDP ports (stdin is the request, the answer goes to
// stdout), scan with -z, or listen with -l (received data goes to stdout; -k keeps accepting) until
// Ctrl+C. Messages, their stream and the exit codes are netcat's; -v adds its connection notices.
import { type Tool, type ToolContext, type ToolResult, ToolExit } from "../../tool";
import { KernelError, STRERROR, type Errno } from "../../../net/errors";
import { formatIPv4 } from "../../../net/ip";
import type { Endpoint } from "../../../net/probes";
import { listen, listSockets, tcpConnect, udpSend } from "../../../net/walk/index";
import { getopt, getoptMessage } from "./getopt";
import { inetAton, readHosts, readServices, resolveHost, reverseName, EAI_NONAME } from "./resolve";
import { allocPid, anySignal, untilAborted } from "./signals";
import { NC_HELP_SUMMARY, NC_USAGE, NC_VERSION_LINE } from "./usage";
import { strtod } from "./num";

const OPTSTRING = "46bCDdFhI:i:klM:m:NnO:P:p:q:rSs:T:tUuV:vW:w:X:x:Zz";

interface NcOpts {
  listen: boolean;
  keep: boolean;
  udp: boolean;
  zero: boolean;
  verbose: boolean;
  numeric: boolean;
  timeoutMs?: number;
  sport?: string;
  source?: string;
  ttl?: number;
}

const errx = (msg: string): never => {
  throw new ToolExit(1, `nc: ${msg}\n`);
};
const usage = (): never => {
  throw new ToolExit(1, NC_USAGE);
};

export const ncTool: Tool = {
  name: "nc",
  aliases: ["netcat", "nc.openbsd"],
  run: (ctx) => nc(ctx),
};

function parse(argv: string[]): { o: NcOpts; operands: string[] } {
  const g = getopt(argv, OPTSTRING);
  const o: NcOpts = { listen: false, keep: false, udp: false, zero: false, verbose: false, numeric: false };
  for (const { opt, arg = "" } of g.opts) {
    switch (opt) {
      case "l":
        o.listen = true;
        break;
      case "k":
        o.keep = true;
        break;
      case "u":
        o.udp = true;
        break;
      case "z":
        o.zero = true;
        break;
      case "v":
        o.verbose = true;
        break;
      case "n":
        o.numeric = true;
        break;
      case "p":
        o.sport = arg;
        break;
      case "s":
        o.source = arg;
        break;
      case "h":
        throw new ToolExit(0, NC_VERSION_LINE + NC_USAGE + NC_HELP_SUMMARY);
      case "w": {
        const r = strtod(arg);
        if (!/^\d+$/.test(arg.trim())) errx(`timeout invalid: ${arg}`);
        o.timeoutMs = r.value > 0 ? r.value * 1000 : undefined;
        break;
      }
      case "M": {
        const n = Number(arg);
        if (!/^\d+$/.test(arg) || n > 255) errx(`ttl is ${/^\d+$/.test(arg) ? "too large" : "invalid"}: ${arg}`);
        o.ttl = n;
        break;
      }
      case "U":
        errx("UNIX domain sockets are not available here");
        break;
      case "x":
      case "X":
        errx("proxies are not available here");
        break;
      default:
        break;
    }
  }
  if (g.error) throw new ToolExit(1, `${getoptMessage("nc", g.error)}\n${NC_USAGE}`);
  return { o, operands: g.operands };
}

/** A port (number or service name) or a lo-hi range, with netcat's messages. */
async function parsePorts(ctx: ToolContext, text: string, proto: "tcp" | "udp", numeric: boolean): Promise<number[]> {
  const one = async (p: string): Promise<number> => {
    if (/^\d+$/.test(p)) {
      const n = Number(p);
      if (n < 1) errx(`port number too small: ${p}`);
      if (n > 65535) errx(`port number too large: ${p}`);
      return n;
    }
    if (!numeric) {
      const s = (await readServices(ctx)).find((x) => x.proto === proto && (x.name === p || x.aliases.includes(p)));
      if (s) return s.port;
    }
    return errx(`port number invalid: ${p}`);
  };
  const dash = text.indexOf("-", 1);
  if (dash > 0) {
    let lo = await one(text.slice(0, dash));
    let hi = await one(text.slice(dash + 1));
    if (lo > hi) [lo, hi] = [hi, lo];
    const out: number[] = [];
    for (let p = lo; p <= hi; p++) out.push(p);
    return out;
  }
  return [await one(text)];
}

async function nc(ctx: ToolContext): Promise<ToolResult> {
  const { o, operands } = parse(ctx.args);
  if (o.listen && o.zero) errx("cannot use -z and -l");
  if (!o.listen && o.keep) errx("must use -l with -k");
  if (o.listen) return ncListen(ctx, o, operands);
  if (operands.length === 0) usage();
  if (operands.length === 1) {
    if (o.sport !== undefined) usage();
    errx("missing port number");
  }
  return ncConnect(ctx, o, operands[0], operands.slice(1));
}

// ---------------------------------------------------------------- client

async function ncConnect(ctx: ToolContext, o: NcOpts, host: string, portArgs: string[]): Promise<ToolResult> {
  const proto = o.udp ? "udp" : "tcp";
  let dst: number | undefined;
  if (o.numeric) dst = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? inetAton(host) : undefined;
  else {
    const r = await resolveHost(ctx, host);
    dst = r.ok ? r.addr : undefined;
  }
  if (dst === undefined) errx(`getaddrinfo for host "${host}" port ${portArgs[0]}: ${EAI_NONAME}`);
  const ports: number[] = [];
  for (const p of portArgs) ports.push(...(await parsePorts(ctx, p, proto, o.numeric)));
  let src: number | undefined;
  if (o.source !== undefined) {
    src = inetAton(o.source);
    if (src === undefined) errx(`getaddrinfo: ${EAI_NONAME}`);
    if (!ctx.ns.localAddresses().some((x) => x.addr.addr === src)) errx("bind failed: Cannot assign requested address");
  }
  let sport: number | undefined;
  if (o.sport !== undefined) sport = (await parsePorts(ctx, o.sport, proto, true))[0];
  const services = o.numeric ? [] : await readServices(ctx);
  const shown = /^[\d.]+$/.test(host) ? host : `${host} (${formatIPv4(dst!)})`;
  const owner = { pid: allocPid(ctx.machine), program: "nc" };
  let out = "";
  let err = "";
  let anyOk = false;
  for (const port of ports) {
    if (ctx.signal.aborted) return { stdout: out, stderr: err, exitCode: 130 };
    const svc = services.find((s) => s.port === port && s.proto === proto)?.name ?? "*";
    const succeeded = `Connection to ${shown} ${port} port [${proto}/${svc}] succeeded!\n`;
    if (o.udp) {
      const data = o.zero ? "XXX" : ctx.stdin;
      const r = await udpSend(ctx.ns, dst!, port, data, { src, sport, ttl: o.ttl, timeoutMs: o.timeoutMs ?? 1000, signal: ctx.signal, owner });
      if (ctx.signal.aborted) return { stdout: out, stderr: err, exitCode: 130 };
      if (!r.ok) continue; // ICMP port unreachable: netcat gives up silently
      anyOk = true;
      if (o.verbose) err += succeeded;
      if (!o.zero && r.reply) out += r.reply.data;
      continue;
    }
    const r = await tcpConnect(ctx.ns, dst!, port, { src, sport, ttl: o.ttl, timeoutMs: o.timeoutMs, signal: ctx.signal, owner });
    if (ctx.signal.aborted) {
      if (r.ok) r.conn.close();
      return { stdout: out, stderr: err, exitCode: 130 };
    }
    if (!r.ok) {
      if (o.verbose) {
        if (r.errno === "ETIMEDOUT" && o.timeoutMs !== undefined) err += `nc: connect to ${shown} port ${port} (${proto}) timed out: Operation now in progress\n`;
        else err += `nc: connect to ${shown} port ${port} (${proto}) failed: ${STRERROR[r.errno as Errno] ?? r.errno}\n`;
      }
      continue;
    }
    anyOk = true;
    if (o.verbose) err += succeeded;
    if (!o.zero && ctx.stdin !== "") {
      const res = await r.conn.request(ctx.stdin, { timeoutMs: o.timeoutMs });
      if (res.ok) out += res.data;
      else if (ctx.signal.aborted) {
        r.conn.close();
        return { stdout: out, stderr: err, exitCode: 130 };
      }
    }
    r.conn.close();
  }
  return { stdout: out, stderr: err, exitCode: anyOk ? 0 : 1 };
}

// ---------------------------------------------------------------- server

async function ncListen(ctx: ToolContext, o: NcOpts, operands: string[]): Promise<ToolResult> {
  let addrText: string | undefined = o.source;
  let portText: string | undefined;
  if (operands.length === 0) {
    if (o.sport === undefined) errx("missing port number");
    portText = o.sport;
  } else if (operands.length === 1) {
    if (o.sport !== undefined) usage();
    portText = operands[0];
  } else if (operands.length === 2) {
    if (o.sport !== undefined) usage();
    addrText = operands[0];
    portText = operands[1];
  } else usage();
  const proto = o.udp ? "udp" : "tcp";
  const port = (await parsePorts(ctx, portText!, proto, o.numeric))[0];
  let addr = 0;
  if (addrText !== undefined) {
    const r = o.numeric ? { ok: inetAton(addrText) !== undefined, addr: inetAton(addrText) ?? 0 } : await resolveHost(ctx, addrText);
    if (!r.ok || !("addr" in r)) errx(`getaddrinfo for host "${addrText}" port ${port}: ${EAI_NONAME}`);
    addr = (r as { addr: number }).addr;
  }
  const hosts = o.numeric ? [] : await readHosts(ctx);
  const name = (a: number) => (o.numeric ? undefined : reverseName(hosts, a)) ?? formatIPv4(a);
  const ns = ctx.ns;
  let out = "";
  let err = "";
  const done = new AbortController();
  let reply: string | undefined = ctx.stdin !== "" ? ctx.stdin : undefined;
  let accepted: { local: Endpoint; remote: Endpoint } | undefined;
  let sock: ReturnType<typeof listen> | undefined;
  const owner = { pid: allocPid(ctx.machine), program: "nc" };
  try {
    sock = listen(ns, {
      proto,
      addr,
      port,
      owner,
      handler: (req) => {
        if (done.signal.aborted) return undefined;
        if (proto === "tcp" && !o.keep && accepted && (req.remote.addr !== accepted.remote.addr || req.remote.port !== accepted.remote.port)) return undefined;
        if (proto === "udp") {
          // The first datagram "connects" the socket to its sender; others are not read (without -k).
          if (!accepted) {
            accepted = { local: req.local, remote: req.remote };
            if (o.verbose) err += `Connection received on ${name(req.remote.addr)} ${req.remote.port}\n`;
          } else if (!o.keep && (req.remote.addr !== accepted.remote.addr || req.remote.port !== accepted.remote.port)) return undefined;
        }
        out += req.data;
        const r = reply;
        reply = undefined;
        return r;
      },
      onAccept: (remote, local) => {
        if (o.verbose) err += `Connection received on ${name(remote.addr)} ${remote.port}\n`;
        // Without -k netcat serves one connection. (It also closes its listening socket at once; here
        // the socket stays until that connection ends, since closing it would reset the connection,
        // and later clients are ignored.)
        if (!o.keep && !accepted) accepted = { local, remote };
      },
    });
  } catch (e) {
    if (e instanceof KernelError) errx(STRERROR[e.errno]);
    throw e;
  }
  if (o.verbose) err += `${proto === "udp" ? "Bound" : "Listening"} on ${name(addr)} ${port}\n`;
  // Without -k, netcat exits once the accepted connection is closed by the client.
  const unsubscribe = o.keep || proto === "udp" ? undefined : ctx.sim.onDidChange(() => {
    if (!accepted) return;
    const a = accepted;
    const open = listSockets(ns).some(
      (s) => s.proto === "tcp" && s.state !== "LISTEN" && s.state !== "LAST-ACK" && s.local.addr === a.local.addr && s.local.port === a.local.port && s.remote?.addr === a.remote.addr && s.remote?.port === a.remote.port,
    );
    if (!open) done.abort();
  });
  await untilAborted(anySignal(ctx.signal, done.signal));
  unsubscribe?.dispose?.();
  sock.close();
  return { stdout: out, stderr: err, exitCode: done.signal.aborted && !ctx.signal.aborted ? 0 : 130 };
}
