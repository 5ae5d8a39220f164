// A small getopt_long as glibc runs it for iptables ("-:" optstring: non-options come back in order,
// a missing argument is reported, not guessed). Long options may be abbreviated to a unique prefix;
// the long option table grows as -m/-j load extensions, so it is passed to each next() call.

export interface LongOpt {
  name: string;
  /** 0 none, 1 required, 2 optional (only as --name=value). */
  hasArg: 0 | 1 | 2;
  id: string;
}

export type Tok =
  | { t: "opt"; id: string; arg?: string; text: string }
  | { t: "nonopt"; arg: string }
  | { t: "missing"; text: string }
  | { t: "unknown"; text: string; ambiguous?: string[] }
  | { t: "end"; rest: string[] };

export class Getopt {
  /** Index of the next argv element to look at (glibc's optind). */
  i = 0;
  /** Position inside a cluster of short options ("-nvL"). */
  private pos = 0;

  constructor(
    readonly argv: string[],
    private readonly shorts: Record<string, { id: string; hasArg: 0 | 1 | 2 }>,
  ) {}

  /** The next argv element, for options that take extra words (-I chain [num], -c pkts bytes). */
  peek(): string | undefined {
    return this.pos === 0 ? this.argv[this.i] : undefined;
  }

  take(): string {
    return this.argv[this.i++];
  }

  next(longs: LongOpt[]): Tok {
    const argv = this.argv;
    if (this.pos > 0) return this.short(argv[this.i]);
    if (this.i >= argv.length) return { t: "end", rest: [] };
    const a = argv[this.i];
    if (a === "--") {
      this.i++;
      return { t: "end", rest: argv.slice(this.i) };
    }
    if (a.length < 2 || a[0] !== "-") {
      this.i++;
      return { t: "nonopt", arg: a };
    }
    if (a[1] === "-") return this.long(a, longs);
    this.pos = 1;
    return this.short(a);
  }

  private short(a: string): Tok {
    const c = a[this.pos++];
    const atEnd = this.pos >= a.length;
    const spec = Object.prototype.hasOwnProperty.call(this.shorts, c) ? this.shorts[c] : undefined;
    if (!spec) {
      if (atEnd) this.done();
      return { t: "unknown", text: a };
    }
    if (spec.hasArg === 0) {
      if (atEnd) this.done();
      return { t: "opt", id: spec.id, text: "-" + c };
    }
    if (!atEnd) {
      const arg = a.slice(this.pos);
      this.done();
      return { t: "opt", id: spec.id, arg, text: "-" + c };
    }
    this.done();
    if (spec.hasArg === 2) return { t: "opt", id: spec.id, text: "-" + c };
    if (this.i >= this.argv.length) return { t: "missing", text: a };
    return { t: "opt", id: spec.id, arg: this.argv[this.i++], text: "-" + c };
  }

  private done(): void {
    this.pos = 0;
    this.i++;
  }

  private long(a: string, longs: LongOpt[]): Tok {
    this.i++;
    const eq = a.indexOf("=");
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    let opt = longs.find((o) => o.name === name);
    if (!opt) {
      const cands = name === "" ? [] : longs.filter((o) => o.name.startsWith(name));
      const distinct = new Set(cands.map((o) => `${o.id}/${o.hasArg}`));
      if (cands.length === 0) return { t: "unknown", text: a };
      if (distinct.size > 1) return { t: "unknown", text: a, ambiguous: cands.map((o) => o.name) };
      opt = cands[0];
    }
    const text = "--" + opt.name;
    if (eq >= 0) {
      if (opt.hasArg === 0) return { t: "unknown", text: a };
      return { t: "opt", id: opt.id, arg: a.slice(eq + 1), text };
    }
    if (opt.hasArg === 1) {
      if (this.i >= this.argv.length) return { t: "missing", text: a };
      return { t: "opt", id: opt.id, arg: this.argv[this.i++], text };
    }
    return { t: "opt", id: opt.id, text };
  }
}
