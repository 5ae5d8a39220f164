// HTTP/1.1 text as it crosses the simulated network: parsing requests (echo-server) and responses
// (curl), and the date format servers put in `Date:`.

export interface HttpRequest {
  method: string;
  target: string;
  version: string;
  /** Header fields in order, names as sent. */
  headers: [string, string][];
  body: string;
}

export interface HttpResponse {
  version: string;
  status: number;
  reason: string;
  /** The status line and header block exactly as received (CRLFs kept), without the blank line. */
  headerLines: string[];
  headers: [string, string][];
  body: string;
}

/** Splits a head (start line + fields) from the body at the first blank line. */
function splitHead(text: string): { head: string[]; rest: string; raw: string; eol: string } | undefined {
  const i = text.indexOf("\r\n\r\n");
  const j = text.indexOf("\n\n");
  let end: number;
  let sep: number;
  if (i >= 0 && (j < 0 || i <= j)) {
    end = i;
    sep = 4;
  } else if (j >= 0) {
    end = j;
    sep = 2;
  } else return undefined;
  return { head: text.slice(0, end).split(/\r?\n/), rest: text.slice(end + sep), raw: text.slice(0, end), eol: sep === 4 ? "\r\n" : "\n" };
}

function fields(lines: string[]): [string, string][] | undefined {
  const out: [string, string][] = [];
  for (const l of lines) {
    const c = l.indexOf(":");
    if (c <= 0 || /\s/.test(l.slice(0, c))) return undefined;
    out.push([l.slice(0, c), l.slice(c + 1).trim()]);
  }
  return out;
}

export function header(h: [string, string][], name: string): string | undefined {
  const n = name.toLowerCase();
  return h.find(([k]) => k.toLowerCase() === n)?.[1];
}

/** One request from the start of `text`, or undefined when it is not HTTP/1.x. */
export function parseRequest(text: string): HttpRequest | undefined {
  const parts = splitHead(text);
  if (!parts) return undefined;
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) (HTTP\/1\.[01])$/.exec(parts.head[0] ?? "");
  if (!m) return undefined;
  const headers = fields(parts.head.slice(1));
  if (!headers) return undefined;
  const len = Number(header(headers, "content-length") ?? "0");
  return { method: m[1], target: m[2], version: m[3], headers, body: parts.rest.slice(0, Number.isFinite(len) ? len : 0) };
}

/** A response; the body is de-chunked or cut at Content-Length. Undefined when it is not HTTP. */
export function parseResponse(text: string, head = false): HttpResponse | undefined {
  const parts = splitHead(text);
  if (!parts) return undefined;
  const m = /^(HTTP\/\d(?:\.\d)?) (\d{3})(?: (.*))?$/.exec(parts.head[0] ?? "");
  if (!m) return undefined;
  const headers = fields(parts.head.slice(1)) ?? [];
  const headerLines = (parts.raw + parts.eol).split(/(?<=\n)/).filter((l) => l !== "");
  let body = "";
  if (!head) {
    const te = header(headers, "transfer-encoding");
    const cl = header(headers, "content-length");
    if (te && /chunked/i.test(te)) body = dechunk(parts.rest);
    else if (cl !== undefined && /^\d+$/.test(cl)) body = utf8Slice(parts.rest, Number(cl));
    else body = parts.rest;
  }
  return { version: m[1], status: Number(m[2]), reason: m[3] ?? "", headerLines, headers, body };
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The first `n` bytes of a string, as UTF-8. */
function utf8Slice(s: string, n: number): string {
  const b = enc.encode(s);
  return b.length <= n ? s : dec.decode(b.slice(0, n));
}

export const byteLength = (s: string) => enc.encode(s).length;

function dechunk(s: string): string {
  let out = "";
  let rest = s;
  for (;;) {
    const nl = rest.indexOf("\r\n");
    if (nl < 0) break;
    const size = parseInt(rest.slice(0, nl).split(";")[0], 16);
    if (!Number.isFinite(size) || size === 0) break;
    const data = rest.slice(nl + 2);
    const bytes = enc.encode(data);
    out += dec.decode(bytes.slice(0, size));
    rest = dec.decode(bytes.slice(size)).replace(/^\r\n/, "");
  }
  return out;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Sat, 21 Nov 2026 22:05:24 GMT` (IMF-fixdate) for a simulated time in ms. */
export function httpDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} GMT`;
}
