// glibc getopt(3) for short options, as ping, nc, arp, route and ifconfig parse their argv: options
// may be clustered (`-zv`), an option argument may be attached (`-c3`) or the next word, non-options
// are permuted to the end unless the option string starts with `+`, and `--` ends the options.
// Errors carry glibc's wording so each tool can print `<prog>: invalid option -- 'x'` verbatim.

export interface ParsedOpt {
  opt: string;
  arg?: string;
}

export type GetoptError = { kind: "invalid"; opt: string } | { kind: "missing"; opt: string } | { kind: "unrecognized"; word: string };

export interface GetoptResult {
  opts: ParsedOpt[];
  operands: string[];
  /** The first error; parsing stops there (as every tool here exits on it). */
  error?: GetoptError;
}

/** Long options: name → whether it takes an argument, and the short option it stands for. */
export type LongOpts = Record<string, { arg: boolean; short: string }>;

export function getopt(argv: string[], optstring: string, longOpts?: LongOpts): GetoptResult {
  const posix = optstring.startsWith("+");
  const spec = posix ? optstring.slice(1) : optstring;
  const takesArg = (c: string): boolean | undefined => {
    if (c === ":" || c === "+") return undefined;
    const i = spec.indexOf(c);
    if (i < 0) return undefined;
    return spec[i + 1] === ":";
  };
  const opts: ParsedOpt[] = [];
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i];
    if (w === "--") {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (w.startsWith("--") && longOpts) {
      const eq = w.indexOf("=");
      const name = eq < 0 ? w.slice(2) : w.slice(2, eq);
      const matches = Object.keys(longOpts).filter((k) => k === name || k.startsWith(name));
      const exact = matches.find((k) => k === name);
      const key = exact ?? (matches.length === 1 ? matches[0] : undefined);
      if (!key) return { opts, operands, error: { kind: "unrecognized", word: w } };
      const lo = longOpts[key];
      if (lo.arg) {
        if (eq >= 0) opts.push({ opt: lo.short, arg: w.slice(eq + 1) });
        else if (i + 1 < argv.length) opts.push({ opt: lo.short, arg: argv[++i] });
        else return { opts, operands, error: { kind: "missing", opt: key } };
      } else opts.push({ opt: lo.short });
      continue;
    }
    if (!w.startsWith("-") || w === "-") {
      if (posix) {
        operands.push(...argv.slice(i));
        break;
      }
      operands.push(w);
      continue;
    }
    for (let j = 1; j < w.length; j++) {
      const c = w[j];
      const t = takesArg(c);
      if (t === undefined) return { opts, operands, error: { kind: "invalid", opt: c } };
      if (!t) {
        opts.push({ opt: c });
        continue;
      }
      if (j + 1 < w.length) opts.push({ opt: c, arg: w.slice(j + 1) });
      else if (i + 1 < argv.length) opts.push({ opt: c, arg: argv[++i] });
      else return { opts, operands, error: { kind: "missing", opt: c } };
      break;
    }
  }
  return { opts, operands };
}

/** glibc's message for a getopt error, without the trailing newline. */
export function getoptMessage(prog: string, e: GetoptError): string {
  if (e.kind === "invalid") return `${prog}: invalid option -- '${e.opt}'`;
  if (e.kind === "missing") return e.opt.length > 1 ? `${prog}: option '--${e.opt}' requires an argument` : `${prog}: option requires an argument -- '${e.opt}'`;
  return `${prog}: unrecognized option '${e.word}'`;
}
