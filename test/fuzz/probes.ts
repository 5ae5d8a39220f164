// Direct calls to the packet walk's probe API (core/net/walk: echo, tcpConnect, udpSend), for the fuzz
// test: the same random state the commands build (routes, rules, NAT, moved and deleted devices) met by
// packets, without going through a tool. Loaded dynamically: the walk may not be there yet.
import type { NetNamespace } from "../../core/net/namespace";
import type { Simulation } from "../../core/net/simulation";
import type { World } from "../../core/script/world";
import type { ConnectOptions, ConnectOutcome, DatagramOutcome, EchoOutcome, EchoRequest, ListenFn } from "../../core/net/probes";
import { STRERROR } from "../../core/net/errors";
import { formatIPv4, parseIPv4 } from "../../core/net/ip";
import type { Prng } from "./prng";

export interface WalkApi {
  echo?: (ns: NetNamespace, dst: number, req: EchoRequest) => Promise<EchoOutcome>;
  tcpConnect?: (ns: NetNamespace, dst: number, dport: number, opts?: ConnectOptions) => Promise<ConnectOutcome>;
  udpSend?: (ns: NetNamespace, dst: number, dport: number, data: string, opts?: ConnectOptions) => Promise<DatagramOutcome>;
  listen?: ListenFn;
  /** Why the walk is not usable, when it is not. */
  missing?: string;
}

export async function loadWalk(): Promise<WalkApi> {
  // A variable specifier: the type checker must not require the module to exist.
  const spec = "../../core/net/walk/index.ts";
  try {
    const m = (await import(spec)) as WalkApi;
    const api: WalkApi = { echo: m.echo, tcpConnect: m.tcpConnect, udpSend: m.udpSend, listen: m.listen };
    if (typeof api.echo !== "function") api.missing = "core/net/walk/index.ts exports no echo()";
    return api;
  } catch (e) {
    return { missing: `core/net/walk/index.ts not loadable: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}` };
  }
}

/** The lab's servers: blue answers on tcp/80 (as the preset's echo-server does), red on udp/53. */
export function startServers(world: World, walk: WalkApi): void {
  if (typeof walk.listen !== "function") return;
  const m = world.sim.machine("lab-host");
  const blue = m?.netns("blue");
  const red = m?.netns("red");
  const owner = { pid: 4242, program: "echo-server" };
  if (blue) walk.listen(blue, { proto: "tcp", addr: 0, port: 80, owner, handler: () => "HTTP/1.1 200 OK\r\n\r\nblue says hi\n" });
  if (red) walk.listen(red, { proto: "udp", addr: 0, port: 53, owner, handler: (req) => `answer to ${req.data}` });
}

function allAddresses(sim: Simulation): number[] {
  const out: number[] = [];
  for (const m of sim.machines.values()) for (const ns of m.allNamespaces()) for (const i of ns.interfaces.values()) for (const a of i.addresses) out.push(a.addr);
  return out;
}

export interface Probe {
  /** How the probe reads in a history: `#probe tcp lab-host/red -> 192.168.15.2:80 {ttl 1}`. */
  label: string;
  run(signal: AbortSignal): Promise<unknown>;
  check(outcome: unknown): string[];
}

/** A random probe from a random namespace (lab-host mostly) to a live or random address. */
export function randomProbe(r: Prng, sim: Simulation, walk: WalkApi): Probe | undefined {
  const kinds = (["echo", "tcp", "udp"] as const).filter((k) => typeof (k === "echo" ? walk.echo : k === "tcp" ? walk.tcpConnect : walk.udpSend) === "function");
  if (!kinds.length) return undefined;
  const machines = [...sim.machines.values()];
  const m = r.chance(0.8) ? (sim.machine("lab-host") ?? r.pick(machines)) : r.pick(machines);
  const ns = r.pick(m.allNamespaces());
  const live = allAddresses(sim);
  const dst = r.weighted<() => number>([
    [6, () => (live.length ? r.pick(live) : 0x7f000001)],
    [2, () => parseIPv4(`10.${r.int(0, 3)}.${r.int(0, 3)}.${r.int(0, 255)}`)!],
    [1, () => r.pick([0x08080808, 0xffffffff, 0, 0xe0000001, 0xc0a80fff, 0x7f000001])],
  ])();
  const opts: ConnectOptions & { ttl?: number } = {};
  const notes: string[] = [];
  if (r.chance(0.1)) {
    const ifs = [...ns.interfaces.values()].map((i) => i.name);
    opts.iface = r.chance(0.8) && ifs.length ? r.pick(ifs) : "nosuch0";
    notes.push(`iface ${opts.iface}`);
  }
  if (r.chance(0.08)) {
    opts.src = r.chance(0.6) && live.length ? r.pick(live) : parseIPv4(`10.9.${r.int(0, 255)}.${r.int(1, 254)}`)!;
    notes.push(`src ${formatIPv4(opts.src)}`);
  }
  if (r.chance(0.1)) {
    opts.ttl = r.int(1, 3);
    notes.push(`ttl ${opts.ttl}`);
  }
  const kind = r.weighted(kinds.map((k) => [k === "echo" ? 6 : k === "tcp" ? 3 : 2, k] as const));
  const port = r.pick([80, 80, 53, 22, 8080, r.int(1, 65535)]);
  const label = `#probe ${kind} ${ns.label} -> ${formatIPv4(dst)}${kind === "echo" ? "" : `:${port}`}${notes.length ? ` {${notes.join(", ")}}` : ""}`;
  if (kind === "echo") {
    const seq = r.int(0, 65535);
    return {
      label,
      run: (signal) => walk.echo!(ns, dst, { ...opts, id: 0x4242, seq, timeoutMs: 1000, signal }),
      check: (o) => checkEcho(o as EchoOutcome),
    };
  }
  if (kind === "tcp") {
    return {
      label,
      run: async (signal) => {
        const c = await walk.tcpConnect!(ns, dst, port, { ...opts, timeoutMs: 3000, signal });
        if (!c || !c.ok) return { connect: c };
        const reply = await c.conn.request("GET / HTTP/1.1\r\nHost: fuzz\r\n\r\n", { timeoutMs: 2000 });
        c.conn.close();
        return { connect: c, reply };
      },
      check: (o) => checkTcp(o as { connect: ConnectOutcome; reply?: Awaited<ReturnType<Extract<ConnectOutcome, { ok: true }>["conn"]["request"]>> }),
    };
  }
  return {
    label,
    run: (signal) => walk.udpSend!(ns, dst, port, "fuzz?", { ...opts, timeoutMs: 2000, signal }),
    check: (o) => checkDatagram(o as DatagramOutcome),
  };
}

const isU32 = (n: unknown) => typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
const SUSPICIOUS = /\bundefined\b|\bNaN\b|\[object Object\]/;
/** Prefix of a problem that is only one if the word never came from the fuzz itself (a netns named NaN). */
export const SUSPICIOUS_TAG = "suspicious:";

function checkTrace(t: unknown, errs: string[]): void {
  const trace = t as { hops?: unknown; outcome?: unknown } | undefined;
  if (!trace || !Array.isArray(trace.hops) || typeof trace.outcome !== "string") {
    errs.push(`trace is not {hops[], outcome}: ${JSON.stringify(trace)?.slice(0, 200)}`);
    return;
  }
  const suspicious = (text: string) => SUSPICIOUS.exec(text)?.[0];
  let w = suspicious(trace.outcome);
  if (w) errs.push(`${SUSPICIOUS_TAG}${w}: trace outcome reads "${trace.outcome}"`);
  for (const h of trace.hops as { kind?: unknown; at?: unknown; summary?: unknown; packet?: unknown }[]) {
    if (typeof h.kind !== "string" || typeof h.at !== "string" || typeof h.summary !== "string") errs.push(`malformed hop ${JSON.stringify(h).slice(0, 200)}`);
    else if ((w = suspicious(`${h.summary} ${typeof h.packet === "string" ? h.packet : ""}`))) errs.push(`${SUSPICIOUS_TAG}${w}: hop at ${h.at} reads "${h.summary}"${h.packet ? ` (${String(h.packet)})` : ""}`);
  }
}

function checkErrno(e: unknown, errs: string[]): void {
  if (typeof e !== "string" || !(e in STRERROR)) errs.push(`errno ${JSON.stringify(e)} is not a known errno`);
}

function checkEcho(o: EchoOutcome): string[] {
  const errs: string[] = [];
  if (!o || typeof o !== "object") return [`echo() resolved to ${String(o)}`];
  switch (o.kind) {
    case "reply":
      if (!isU32(o.from) || !Number.isFinite(o.rttMs) || o.rttMs < 0 || !Number.isInteger(o.ttl) || o.ttl < 0 || o.ttl > 255) errs.push(`reply with from=${o.from} rtt=${o.rttMs} ttl=${o.ttl}`);
      break;
    case "icmp-error":
      if (!isU32(o.from) || !Number.isInteger(o.type) || !Number.isInteger(o.code)) errs.push(`icmp-error with from=${o.from} type=${o.type} code=${o.code}`);
      break;
    case "local-error":
      checkErrno(o.errno, errs);
      break;
    case "timeout":
      break;
    default:
      errs.push(`echo() outcome kind ${JSON.stringify((o as { kind?: unknown }).kind)}`);
  }
  checkTrace(o.trace, errs);
  return errs;
}

function checkTcp(o: { connect: ConnectOutcome; reply?: { ok: boolean; data?: unknown; errno?: unknown; trace: unknown } }): string[] {
  const errs: string[] = [];
  const c = o?.connect;
  if (!c || typeof c.ok !== "boolean") return [`tcpConnect() resolved to ${JSON.stringify(c)?.slice(0, 200)}`];
  checkTrace(c.trace, errs);
  if (!c.ok) checkErrno(c.errno, errs);
  else {
    const { local, remote } = c.conn;
    if (!isU32(local?.addr) || !isU32(remote?.addr) || !(local.port > 0 && local.port < 65536)) errs.push(`connection endpoints ${JSON.stringify({ local, remote })}`);
    if (o.reply) {
      checkTrace(o.reply.trace, errs);
      if (o.reply.ok && typeof o.reply.data !== "string") errs.push(`request() data is ${typeof o.reply.data}`);
      if (!o.reply.ok) checkErrno(o.reply.errno, errs);
    }
  }
  return errs;
}

function checkDatagram(o: DatagramOutcome): string[] {
  const errs: string[] = [];
  if (!o || typeof o.ok !== "boolean") return [`udpSend() resolved to ${JSON.stringify(o)?.slice(0, 200)}`];
  checkTrace(o.trace, errs);
  if (!o.ok) checkErrno(o.errno, errs);
  else if (o.reply && (typeof o.reply.data !== "string" || !isU32(o.reply.from?.addr))) errs.push(`reply ${JSON.stringify(o.reply).slice(0, 200)}`);
  return errs;
}
