// C number parsing as the tools do it: strtol with the whole string consumed (util-linux style
// strtol_or_err), and strtod's longest valid prefix (for `ping -W 1.5`, `curl -m 0.5`).

export const LONG_MAX = 9223372036854775807n;
export const INT_MAX = 2147483647;

export type StrtolResult = { ok: true; value: number } | { ok: false; reason: "invalid" | "range"; overflow?: boolean };

/** strtol(str, &end, 10) requiring *end == '\0', checked against [min, max]. */
export function strtolStrict(str: string, min: number | bigint, max: number | bigint): StrtolResult {
  const m = /^[\t\n\v\f\r ]*([+-]?)(\d+)$/.exec(str);
  if (!m) return { ok: false, reason: "invalid" };
  let v = BigInt(m[2]);
  if (m[1] === "-") v = -v;
  if (v > LONG_MAX || v < -LONG_MAX - 1n) return { ok: false, reason: "invalid", overflow: true };
  if (v < BigInt(min) || v > BigInt(max)) return { ok: false, reason: "range" };
  return { ok: true, value: Number(v) };
}

/** strtol_or_err's message: `<msg>: '<str>'` or `<msg>: '<str>': out of range: <min> <= value <= <max>`. */
export function strtolOrErrMessage(prog: string, msg: string, str: string, r: Exclude<StrtolResult, { ok: true }>, min: number | bigint, max: number | bigint): string {
  if (r.reason === "range") return `${prog}: ${msg}: '${str}': out of range: ${min} <= value <= ${max}`;
  return `${prog}: ${msg}: '${str}'${r.overflow ? ": Numerical result out of range" : ""}`;
}

export interface StrtodResult {
  value: number;
  /** What strtod left unparsed (empty when the whole string was a number). */
  rest: string;
  /** Nothing at all could be parsed. */
  none: boolean;
}

/** strtod: leading space, sign, decimal (with exponent), hex, inf and nan; the longest prefix wins. */
export function strtod(str: string): StrtodResult {
  const s = str.replace(/^[\t\n\v\f\r ]+/, "");
  const lead = str.length - s.length;
  let m = /^[+-]?(?:inf(?:inity)?|nan)/i.exec(s);
  if (m) {
    const neg = m[0].startsWith("-");
    const v = /nan/i.test(m[0]) ? NaN : neg ? -Infinity : Infinity;
    return { value: v, rest: str.slice(lead + m[0].length), none: false };
  }
  m = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?/.exec(s);
  if (m) {
    const t = m[0].replace(/^([+-]?)0[xX]/, "$1");
    const [mant, exp] = t.split(/[pP]/);
    const neg = mant.startsWith("-");
    const digits = mant.replace(/^[+-]/, "");
    const [ip, fp = ""] = digits.split(".");
    let v = parseInt(ip || "0", 16);
    for (let i = 0; i < fp.length; i++) v += parseInt(fp[i], 16) / 16 ** (i + 1);
    if (exp) v *= 2 ** Number(exp);
    return { value: neg ? -v : v, rest: str.slice(lead + m[0].length), none: false };
  }
  m = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(s);
  if (m) return { value: Number(m[0]), rest: str.slice(lead + m[0].length), none: false };
  return { value: 0, rest: str, none: true };
}
