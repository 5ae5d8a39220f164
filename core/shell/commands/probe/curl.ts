// curl (7.88.1), the HTTP part: URL parsing with curl's error codes, name resolution (/etc/hosts and
// numeric addresses; --resolve), a TCP connect through the packet walk with --connect-timeout/-m, a real
// HTTP/1.1 request, and the response printed as curl does (-i, -I, -o, -w, -v, -f). Messages and exit
// codes are curl's. Written for a terminal: no progress meter (curl only shows it when stdout is not a
// tty) and no bold header names (curl only styles them on a tty; piped output has none).
import { type Tool, type ToolContext, type ToolResult, ToolExit } from "../../tool";
import { STRERROR, type Errno } from "../../../net/errors";
import { formatIPv4 } from "../../../net/ip";
import { tcpConnect } from "../../../net/walk/index";
import { parseResponse } from "./http";
import { inetAton, resolveHost } from "./resolve";
import { allocPid } from "./signals";
import { strtod } from "./num";
import { CURL_HELP } from "./usage";

const TRY = "curl: try 'curl --help' or 'curl --manual' for more information\n";
const VERSION =
  "curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/3.0.19 zlib/1.2.13 brotli/1.0.9 zstd/1.5.4 libidn2/2.3.3 libpsl/0.21.2 (+libidn2/2.3.3) libssh2/1.10.0 nghttp2/1.52.0 librtmp/2.3 OpenLDAP/2.5.13\n" +
  "Release-Date: 2023-02-20, security patched: 7.88.1-10+deb12u14\n" +
  "Protocols: dict file ftp ftps gopher gophers http https imap imaps ldap ldaps mqtt pop3 pop3s rtmp rtsp scp sftp smb smbs smtp smtps telnet tftp\n" +
  "Features: alt-svc AsynchDNS brotli GSS-API HSTS HTTP2 HTTPS-proxy IDN IPv6 Kerberos Largefile libz NTLM NTLM_WB PSL SPNEGO SSL threadsafe TLS-SRP UnixSockets zstd\n";

/** Short options that take a parameter, and their long names. */
const SHORT_ARG: Record<string, string> = { o: "output", m: "max-time", H: "header", X: "request", d: "data", A: "user-agent", u: "user", w: "write-out", e: "referer", x: "proxy", b: "cookie", c: "cookie-jar", T: "upload-file", r: "range", D: "dump-header", F: "form", K: "config", E: "cert", U: "proxy-user", y: "speed-time", Y: "speed-limit", z: "time-cond", C: "continue-at", t: "telnet-option", Q: "quote", P: "ftp-port" };
const SHORT_FLAG: Record<string, string> = { s: "silent", S: "show-error", v: "verbose", i: "include", I: "head", L: "location", k: "insecure", f: "fail", "4": "ipv4", "6": "ipv6", N: "no-buffer", q: "disable", G: "get", O: "remote-name", h: "help", V: "version", l: "list-only", n: "netrc", R: "remote-time", j: "junk-session-cookies", g: "globoff", "0": "http1.0", "1": "tlsv1", "2": "sslv2", "3": "sslv3", B: "use-ascii", a: "append", M: "manual", p: "proxytunnel", Z: "parallel", J: "remote-header-name", "#": "progress-bar" };
const LONG_ARG = new Set([...Object.values(SHORT_ARG), "connect-timeout", "data-raw", "data-binary", "data-urlencode", "interface", "resolve", "noproxy", "retry", "retry-delay", "retry-max-time", "max-redirs", "cacert", "capath", "key", "limit-rate", "local-port", "connect-to", "url", "max-filesize", "expect100-timeout", "keepalive-time"]);
const LONG_FLAG = new Set([...Object.values(SHORT_FLAG), "compressed", "http1.1", "http2", "ipv4", "no-keepalive", "tcp-nodelay", "fail-with-body", "location-trusted", "path-as-is", "raw", "styled-output", "no-styled-output", "no-progress-meter", "stderr", "trace-time", "no-buffer"]);
const NUMERIC = new Set(["max-time", "connect-timeout", "retry", "retry-delay", "retry-max-time", "max-redirs", "keepalive-time", "expect100-timeout"]);

interface CurlOpts {
  silent: boolean;
  showError: boolean;
  verbose: boolean;
  include: boolean;
  head: boolean;
  fail: boolean;
  output?: string;
  remoteName: boolean;
  connectTimeoutMs?: number;
  maxTimeMs?: number;
  headers: string[];
  method?: string;
  data?: string;
  userAgent?: string;
  user?: string;
  writeOut?: string;
  resolve: { host: string; port: number; addr: number }[];
  iface?: string;
  urls: string[];
}


export const curlTool: Tool = {
  name: "curl",
  run: (ctx) => curl(ctx),
};

function parseArgs(argv: string[]): CurlOpts | ToolResult {
  const o: CurlOpts = { silent: false, showError: false, verbose: false, include: false, head: false, fail: false, remoteName: false, headers: [], resolve: [], urls: [] };
  const bad = (msg: string) => new ToolExit(2, `curl: ${msg}\n${TRY}`);
  const apply = (name: string, shown: string, value?: string): ToolResult | undefined => {
    if (NUMERIC.has(name) && value !== undefined) {
      const r = strtod(value);
      if (r.none || r.rest !== "" || !(r.value >= 0) || !Number.isFinite(r.value)) throw bad(`option ${shown}: expected a proper numerical parameter`);
    }
    switch (name) {
      case "silent":
        o.silent = true;
        break;
      case "show-error":
        o.showError = true;
        break;
      case "verbose":
        o.verbose = true;
        break;
      case "include":
        o.include = true;
        break;
      case "head":
        o.head = true;
        break;
      case "fail":
      case "fail-with-body":
        o.fail = true;
        break;
      case "output":
        o.output = value;
        break;
      case "remote-name":
        o.remoteName = true;
        break;
      case "connect-timeout":
        o.connectTimeoutMs = Math.round(strtod(value!).value * 1000);
        break;
      case "max-time":
        o.maxTimeMs = Math.round(strtod(value!).value * 1000);
        break;
      case "header":
        o.headers.push(value!);
        break;
      case "request":
        o.method = value;
        break;
      case "data":
      case "data-raw":
      case "data-binary":
      case "data-urlencode":
        o.data = o.data === undefined ? value! : `${o.data}&${value}`;
        break;
      case "user-agent":
        o.userAgent = value;
        break;
      case "user":
        o.user = value;
        break;
      case "write-out":
        o.writeOut = value;
        break;
      case "interface":
        o.iface = value;
        break;
      case "url":
        o.urls.push(value!);
        break;
      case "resolve": {
        const m = /^([^:]+):(\d+):(\d+\.\d+\.\d+\.\d+)$/.exec(value!);
        const a = m ? inetAton(m[3]) : undefined;
        if (m && a !== undefined) o.resolve.push({ host: m[1].toLowerCase(), port: Number(m[2]), addr: a });
        break;
      }
      case "help":
        return { stdout: CURL_HELP, stderr: "", exitCode: 0 };
      case "version":
        return { stdout: VERSION, stderr: "", exitCode: 0 };
      default:
        break;
    }
    return undefined;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--") && a.length > 2) {
      let name = a.slice(2);
      const negated = name.startsWith("no-") && LONG_FLAG.has(name.slice(3));
      if (negated) name = name.slice(3);
      if (LONG_ARG.has(name)) {
        if (i + 1 >= argv.length) throw bad(`option ${a}: requires parameter`);
        const r = apply(name, a, argv[++i]);
        if (r) return r;
      } else if (LONG_FLAG.has(name)) {
        if (negated) continue;
        const r = apply(name, a);
        if (r) return r;
      } else throw bad(`option ${a}: is unknown`);
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        if (c in SHORT_ARG) {
          let v = a.slice(j + 1);
          if (v === "") {
            if (i + 1 >= argv.length) throw bad(`option -${c}: requires parameter`);
            v = argv[++i];
          }
          const r = apply(SHORT_ARG[c], `-${c}`, v);
          if (r) return r;
          break;
        }
        if (c in SHORT_FLAG) {
          const r = apply(SHORT_FLAG[c], `-${c}`);
          if (r) return r;
          continue;
        }
        throw bad(`option -${c}: is unknown`);
      }
      continue;
    }
    o.urls.push(a);
  }
  return o;
}

interface Url {
  scheme: "http" | "https";
  user?: string;
  host: string;
  port: number;
  explicitPort: boolean;
  path: string;
}

/** curl's URL parser for the parts used here; a string is a (3) or (1) error. */
export function parseUrl(text: string): Url | { code: number; msg: string } {
  const bad = { code: 3, msg: "URL using bad/illegal format or missing URL" };
  if (text === "" || /[\s\x00-\x1f\x7f]/.test(text)) return bad;
  let rest = text;
  let scheme = "http";
  const sm = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(rest);
  if (sm) {
    scheme = sm[1].toLowerCase();
    rest = rest.slice(sm[0].length);
  } else if (/^[A-Za-z][A-Za-z0-9+.-]*:\/(?!\/)/.test(rest)) return bad;
  if (scheme !== "http" && scheme !== "https") {
    if (["ftp", "ftps", "file", "dict", "gopher", "gophers", "imap", "imaps", "ldap", "ldaps", "mqtt", "pop3", "pop3s", "rtmp", "rtsp", "scp", "sftp", "smb", "smbs", "smtp", "smtps", "telnet", "tftp"].includes(scheme))
      return { code: 1, msg: `Protocol "${scheme}" not supported or disabled in libcurl` };
    return { code: 1, msg: `Protocol "${sm![1]}" not supported or disabled in libcurl` };
  }
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  let tail = end < 0 ? "" : rest.slice(end);
  const at = authority.lastIndexOf("@");
  const user = at >= 0 ? authority.slice(0, at) : undefined;
  const hostport = at >= 0 ? authority.slice(at + 1) : authority;
  const pm = /^([^:]*)(?::(.*))?$/.exec(hostport)!;
  const host = pm[1].toLowerCase();
  if (host === "" || !/^[a-z0-9._-]+$/.test(host)) return bad;
  let port = scheme === "https" ? 443 : 80;
  let explicitPort = false;
  if (pm[2] !== undefined && pm[2] !== "") {
    if (!/^\d+$/.test(pm[2]) || Number(pm[2]) > 65535) return bad;
    port = Number(pm[2]);
    explicitPort = true;
  }
  const hash = tail.indexOf("#");
  if (hash >= 0) tail = tail.slice(0, hash);
  let path = tail.startsWith("/") ? tail : `/${tail}`;
  const q = path.indexOf("?");
  const pathOnly = q >= 0 ? path.slice(0, q) : path;
  path = removeDotSegments(pathOnly) + (q >= 0 ? path.slice(q) : "");
  return { scheme: scheme as Url["scheme"], user, host, port, explicitPort, path };
}

/** RFC 3986 remove_dot_segments, as curl applies to the path. */
function removeDotSegments(p: string): string {
  const out: string[] = [];
  const segs = p.split("/");
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (s === ".") {
      if (i === segs.length - 1) out.push("");
      continue;
    }
    if (s === "..") {
      if (out.length > 1) out.pop();
      if (i === segs.length - 1) out.push("");
      continue;
    }
    out.push(s);
  }
  const r = out.join("/");
  return r.startsWith("/") ? r : `/${r}`;
}

function base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += chars[(n >> 18) & 63] + chars[(n >> 12) & 63] + (i + 1 < bytes.length ? chars[(n >> 6) & 63] : "=") + (i + 2 < bytes.length ? chars[n & 63] : "=");
  }
  return out;
}

/** The request as curl writes it: Host, Authorization, User-Agent, Accept, body headers, then -H ones. */
export function buildRequest(o: Pick<CurlOpts, "headers"> & Partial<Pick<CurlOpts, "userAgent" | "data" | "head" | "method">>, url: Url, user?: string): string {
  const custom = o.headers
    .map((h) => {
      const semi = /^([^:;\s]+);\s*$/.exec(h);
      if (semi) return { name: semi[1], value: "", remove: false, line: `${semi[1]}:` };
      const c = h.indexOf(":");
      if (c <= 0) return undefined;
      const name = h.slice(0, c).trim();
      const value = h.slice(c + 1).trim();
      return { name, value, remove: value === "", line: `${name}: ${value}` };
    })
    .filter((x): x is NonNullable<typeof x> => !!x);
  const has = (n: string) => custom.some((c) => c.name.toLowerCase() === n.toLowerCase());
  const method = o.method ?? (o.head ? "HEAD" : o.data !== undefined ? "POST" : "GET");
  const lines = [`${method} ${url.path} HTTP/1.1`];
  const hostCustom = custom.find((c) => c.name.toLowerCase() === "host");
  if (!hostCustom) lines.push(`Host: ${url.host}${url.explicitPort && url.port !== (url.scheme === "https" ? 443 : 80) ? `:${url.port}` : ""}`);
  else if (!hostCustom.remove) lines.push(hostCustom.line);
  if (user !== undefined && !has("authorization")) lines.push(`Authorization: Basic ${base64(user.includes(":") ? user : `${user}:`)}`);
  if (!has("user-agent")) lines.push(`User-Agent: ${o.userAgent ?? "curl/7.88.1"}`);
  if (!has("accept")) lines.push("Accept: */*");
  if (o.data !== undefined) {
    if (!has("content-length")) lines.push(`Content-Length: ${new TextEncoder().encode(o.data).length}`);
    if (!has("content-type")) lines.push("Content-Type: application/x-www-form-urlencoded");
  }
  for (const c of custom) {
    if (c.name.toLowerCase() === "host" || c.remove) continue;
    lines.push(c.line);
  }
  return lines.join("\r\n") + "\r\n\r\n" + (o.data ?? "");
}

async function curl(ctx: ToolContext): Promise<ToolResult> {
  if (ctx.args.length === 0) throw new ToolExit(2, TRY);
  const parsed = parseArgs(ctx.args);
  if (!("urls" in parsed)) return parsed;
  const o = parsed;
  if (o.urls.length === 0) throw new ToolExit(2, `curl: no URL specified!\n${TRY}`);
  let stdout = "";
  let stderr = "";
  let exit = 0;
  let connNo = 0;
  for (const u of o.urls) {
    const r = await fetchOne(ctx, o, u, connNo++);
    stdout += r.stdout;
    stderr += r.stderr;
    if (r.code !== 0) exit = r.code;
    if (r.code === 130) return { stdout, stderr, exitCode: 130 };
  }
  return { stdout, stderr, exitCode: exit };
}

interface FetchResult {
  stdout: string;
  stderr: string;
  code: number;
}

async function fetchOne(ctx: ToolContext, o: CurlOpts, text: string, connNo: number): Promise<FetchResult> {
  let out = "";
  let verbose = "";
  const w = { http_code: "000", remote_ip: "", remote_port: "0", local_ip: "", local_port: "0", size_download: "0", url_effective: text, content_type: "", num_connects: "0", time_total: "0.000000", exitcode: "0", errormsg: "" };
  const finish = (code: number, msg?: string): FetchResult => {
    let err = verbose;
    if (msg !== undefined) {
      if (o.verbose) err += `* Closing connection ${connNo}\n`;
      if (!o.silent || o.showError) err += `curl: (${code}) ${msg}\n`;
      w.exitcode = String(code);
      w.errormsg = msg;
    }
    if (o.writeOut !== undefined) out += writeOut(o.writeOut, w);
    return { stdout: out, stderr: err, code };
  };
  const url = parseUrl(text);
  if ("code" in url) return finish(url.code, url.msg);
  w.url_effective = `${url.scheme}://${url.host}${url.explicitPort ? `:${url.port}` : ""}${url.path}`;

  // Name resolution: --resolve, a number, /etc/hosts.
  const pinned = o.resolve.find((r) => r.host === url.host && r.port === url.port);
  let addr: number | undefined = pinned?.addr;
  if (addr === undefined) {
    const r = await resolveHost(ctx, url.host);
    addr = r.ok ? r.addr : undefined;
  }
  if (addr === undefined) {
    if (o.verbose) verbose += `* Could not resolve host: ${url.host}\n`;
    return finish(6, `Could not resolve host: ${url.host}`);
  }
  const ip = formatIPv4(addr);
  w.remote_ip = ip;
  w.remote_port = String(url.port);
  if (o.verbose) verbose += `*   Trying ${ip}:${url.port}...\n`;

  const clock = ctx.sim.clock;
  const t0 = clock.now();
  const elapsed = () => Math.floor(clock.now() - t0);
  const connectLimit = Math.min(o.connectTimeoutMs ?? Infinity, o.maxTimeMs ?? Infinity, 300_000);
  const byMaxTime = o.maxTimeMs !== undefined && o.maxTimeMs <= (o.connectTimeoutMs ?? Infinity);
  const c = await tcpConnect(ctx.ns, addr, url.port, { timeoutMs: connectLimit === Infinity ? undefined : connectLimit, iface: o.iface, signal: ctx.signal, owner: { pid: allocPid(ctx.machine), program: "curl" } });
  if (ctx.signal.aborted) {
    if (c.ok) c.conn.close();
    return { stdout: out, stderr: verbose, code: 130 };
  }
  if (!c.ok) {
    const ms = elapsed();
    if (c.errno === "ETIMEDOUT" && connectLimit !== Infinity && ms >= connectLimit) {
      if (byMaxTime) {
        const msg = `Connection timed out after ${ms} milliseconds`;
        if (o.verbose) verbose += `* ${msg}\n`;
        return finish(28, msg);
      }
      const msg = `Failed to connect to ${url.host} port ${url.port} after ${ms} ms: Timeout was reached`;
      if (o.verbose) verbose += `* ipv4 connect timeout after ${connectLimit}ms, move on!\n* ${msg}\n`;
      return finish(28, msg);
    }
    const msg = `Failed to connect to ${url.host} port ${url.port} after ${ms} ms: Couldn't connect to server`;
    if (o.verbose) verbose += `* connect to ${ip} port ${url.port} failed: ${STRERROR[c.errno as Errno] ?? c.errno}\n* ${msg}\n`;
    return finish(7, msg);
  }
  const conn = c.conn;
  w.local_ip = formatIPv4(conn.local.addr);
  w.local_port = String(conn.local.port);
  w.num_connects = "1";
  if (o.verbose) verbose += `* Connected to ${url.host} (${ip}) port ${url.port} (#${connNo})\n`;
  if (url.scheme === "https") {
    // Nothing in the simulation speaks TLS: the answer to the ClientHello is not a handshake.
    conn.close();
    return finish(35, "OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number");
  }
  const request = buildRequest(o, url, url.user !== undefined ? decodeURIComponent(url.user) : o.user);
  if (o.verbose) verbose += request.slice(0, request.indexOf("\r\n\r\n") + 2).split(/(?<=\r\n)/).map((l) => `> ${l}`).join("") + "> \r\n";
  const remaining = o.maxTimeMs !== undefined ? Math.max(0, o.maxTimeMs - elapsed()) : undefined;
  const res = await conn.request(request, { timeoutMs: remaining });
  conn.close();
  if (ctx.signal.aborted) return { stdout: out, stderr: verbose, code: 130 };
  if (!res.ok) {
    if (res.errno === "ETIMEDOUT" && o.maxTimeMs !== undefined) return finish(28, `Operation timed out after ${elapsed()} milliseconds with 0 bytes received`);
    if (res.errno === "ECONNRESET") return finish(56, "Recv failure: Connection reset by peer");
    return finish(56, `Recv failure: ${STRERROR[res.errno as Errno] ?? res.errno}`);
  }
  if (res.data === "") return finish(52, "Empty reply from server");
  const method = o.method ?? (o.head ? "HEAD" : o.data !== undefined ? "POST" : "GET");
  const resp = parseResponse(res.data, method === "HEAD");
  if (!resp) {
    // HTTP/0.9 is refused since 7.66: curl reports the missing header.
    return finish(1, "Received HTTP/0.9 when not allowed");
  }
  w.http_code = String(resp.status);
  w.size_download = String(new TextEncoder().encode(resp.body).length);
  w.content_type = resp.headers.find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "";
  w.time_total = (elapsed() / 1000).toFixed(6);
  if (o.verbose) verbose += resp.headerLines.map((l) => `< ${l}`).join("") + "< \r\n";
  if (o.fail && resp.status >= 400) {
    if (o.verbose) verbose += `* The requested URL returned error: ${resp.status}\n`;
    return finish(22, `The requested URL returned error: ${resp.status}`);
  }
  let payload = "";
  if (o.include || o.head) payload += resp.headerLines.join("") + "\r\n";
  if (!o.head) payload += resp.body;
  if (o.verbose) verbose += `* Connection #${connNo} to host ${url.host} left intact\n`;
  let target = o.output;
  if (o.remoteName && target === undefined) target = url.path.split("?")[0].split("/").pop() ?? "";
  if (target !== undefined && target !== "-") {
    if (target === "") return finish(23, "Remote file name has no length!");
    try {
      await ctx.fs.writeFile(ctx.fs.resolvePath(ctx.cwd, target), payload);
    } catch {
      verbose += `Warning: Failed to open the file ${target}: No such file or directory\n`;
      return finish(23, "Failure writing output to destination");
    }
  } else out += payload;
  return finish(0);
}

/** -w: %{variable} and \n \t \r escapes. */
function writeOut(fmt: string, vars: Record<string, string>): string {
  return fmt
    .replace(/%\{([a-z_]+)\}/g, (m, k: string) => (k === "response_code" ? vars.http_code : (vars[k] ?? m)))
    .replace(/%%/g, "%")
    .replace(/\\n/g, "\n")
    .replace(/\\t/g, "\t")
    .replace(/\\r/g, "\r");
}
