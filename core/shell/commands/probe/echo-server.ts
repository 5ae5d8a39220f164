// echo-server: the course's tiny web server (not a standard tool). It answers every HTTP request with
// JSON describing what it saw — its own address and port, the client's, method, path, Host and the
// headers — as the packet walk delivered them, i.e. after any NAT. That is how learners see DNAT and
// MASQUERADE at work. The real-kernel twin is test/differential/echo-server.mjs (same JSON, `listening
// on ADDR:PORT` on start). It runs until Ctrl+C; mostly started in the background with `&`.
import type { Tool, ToolContext, ToolResult } from "../../tool";
import { KernelError } from "../../../net/errors";
import { formatIPv4 } from "../../../net/ip";
import type { ServerRequest } from "../../../net/probes";
import { listen } from "../../../net/walk/index";
import { byteLength, header, httpDate, parseRequest } from "./http";
import { inetAton } from "./resolve";
import { allocPid, untilAborted } from "./signals";

const USAGE = `Usage: echo-server [--port PORT] [--name NAME] [--addr ADDRESS]
An HTTP server of the kube-netlab simulator (not a standard Linux tool): it answers every request
with JSON describing what it received (its address and port, the client's, method, path, headers).
  --port PORT     TCP port to listen on (default 8080)
  --name NAME     name to report (default: the host name)
  --addr ADDRESS  address to bind (default 0.0.0.0; --bind is the same)
`;

/** Node's messages for listen() errors, as the twin prints them (`echo-server: listen EADDRINUSE: …`). */
const NODE_ERR: Record<string, string> = {
  EADDRINUSE: "address already in use",
  EADDRNOTAVAIL: "address not available",
  EACCES: "permission denied",
  EINVAL: "invalid argument",
};

export const echoServerTool: Tool = {
  name: "echo-server",
  async run(ctx) {
    return echoServer(ctx);
  },
};

function parseArgs(args: string[]): { port: number; name?: string; addr: string } | string {
  let port = 8080;
  let name: string | undefined;
  let addr = "0.0.0.0";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf("=");
    const key = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith("--") && eq > 0 ? a.slice(eq + 1) : undefined;
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= args.length) throw new Error(`echo-server: option ${key} needs a value\n`);
      return args[++i];
    };
    switch (key) {
      case "--port":
      case "-p": {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) > 65535) throw new Error(`echo-server: invalid port: ${v}\n`);
        port = Number(v);
        break;
      }
      case "--name":
      case "-n":
        name = value();
        break;
      case "--addr":
      case "--bind":
        addr = value();
        break;
      case "--help":
      case "-h":
        return "help";
      default:
        throw new Error(`echo-server: unknown argument: ${a}\n`);
    }
  }
  return { port, name, addr };
}

/** The JSON body the server answers with, for one parsed request. */
export function describeRequest(name: string, req: ServerRequest, method: string, path: string, headers: [string, string][]): string {
  const h: Record<string, string> = {};
  for (const [k, v] of headers) {
    const key = k.toLowerCase();
    h[key] = key in h ? `${h[key]}, ${v}` : v;
  }
  const body = {
    name,
    local: { address: formatIPv4(req.local.addr), port: req.local.port },
    client: { address: formatIPv4(req.remote.addr), port: req.remote.port },
    method,
    path,
    host: header(headers, "host") ?? "",
    headers: h,
  };
  return JSON.stringify(body) + "\n";
}

async function echoServer(ctx: ToolContext): Promise<ToolResult> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(ctx.args);
  } catch (e) {
    return { stdout: "", stderr: (e as Error).message + USAGE, exitCode: 2 };
  }
  if (typeof parsed === "string") return { stdout: USAGE, stderr: "", exitCode: 0 };
  const { port } = parsed;
  const addr = inetAton(parsed.addr);
  if (addr === undefined) return { stdout: "", stderr: `echo-server: getaddrinfo ENOTFOUND ${parsed.addr}\n`, exitCode: 1 };
  const name = parsed.name ?? ctx.machine.hostname;
  const clock = ctx.sim.clock;
  const handler = (req: ServerRequest): string => {
    const r = parseRequest(req.data);
    if (!r) return "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
    const body = describeRequest(name, req, r.method, r.target, r.headers);
    const close = /close/i.test(header(r.headers, "connection") ?? "") || r.version === "HTTP/1.0";
    const head =
      "HTTP/1.1 200 OK\r\n" +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${byteLength(body)}\r\n` +
      `Date: ${httpDate(clock.now())}\r\n` +
      (close ? "Connection: close\r\n" : "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n") +
      "\r\n";
    return r.method === "HEAD" ? head : head + body;
  };
  let sock;
  try {
    sock = listen(ctx.ns, { proto: "tcp", addr, port, owner: { pid: allocPid(ctx.machine), program: "echo-server" }, handler });
  } catch (e) {
    if (e instanceof KernelError) return { stdout: "", stderr: `echo-server: listen ${e.errno}: ${NODE_ERR[e.errno] ?? e.message} ${parsed.addr}:${port}\n`, exitCode: 1 };
    throw e;
  }
  await untilAborted(ctx.signal);
  sock.close();
  return { stdout: `listening on ${parsed.addr}:${port}\n`, stderr: "", exitCode: 130 };
}
