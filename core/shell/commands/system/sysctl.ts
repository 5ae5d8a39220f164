// sysctl (procps-ng 4.0.2): reads and writes the namespace's kernel parameters, -p loads a file.
import type { NetNamespace } from "../../../net/namespace";
import { SysctlTable } from "../../../net/sysctl";
import type { Tool, ToolContext, ToolResult } from "../../tool";

const USAGE = `
Usage:
 sysctl [options] [variable[=value] ...]

Options:
  -a, --all            display all variables
  -A                   alias of -a
  -X                   alias of -a
      --deprecated     include deprecated parameters to listing
      --dry-run        Print the key and values but do not write
  -b, --binary         print value without new line
  -e, --ignore         ignore unknown variables errors
  -N, --names          print variable names without values
  -n, --values         print only values of the given variable(s)
  -p, --load[=<file>]  read values from file
  -f                   alias of -p
      --system         read values from all system directories
  -r, --pattern <expression>
                       select setting that match expression
  -q, --quiet          do not echo variable set
  -w, --write          enable writing a value to variable
  -o                   does nothing
  -x                   does nothing
  -d                   alias of -h

 -h, --help     display this help and exit
 -V, --version  output version information and exit

For more details see sysctl(8).
`;

interface Opts {
  values: boolean;
  names: boolean;
  quiet: boolean;
  ignore: boolean;
  write: boolean;
  binary: boolean;
}

const keyPath = (k: string) => `/proc/sys/${k.replace(/\./g, "/")}`;
const machineKeys = (ctx: ToolContext): Record<string, () => string> => ({ "kernel.hostname": () => ctx.machine.hostname });

function read(ctx: ToolContext, key: string): string | undefined {
  const k = SysctlTable.canonical(key);
  if (k in machineKeys(ctx)) return machineKeys(ctx)[k]();
  return ctx.ns.sysctl.has(k) ? ctx.ns.sysctl.get(key) : undefined;
}

function show(key: string, value: string, o: Opts): string {
  const k = key.replace(/\//g, ".");
  if (o.binary) return value;
  if (o.values) return value + "\n";
  if (o.names) return k + "\n";
  return `${k} = ${value}\n`;
}

/** Writes one key; returns the error text (without the program prefix) or undefined. */
function write(ctx: ToolContext, key: string, value: string): string | undefined {
  const k = SysctlTable.canonical(key);
  if (k === "kernel.hostname") {
    ctx.machine.hostname = value.trim();
    return undefined;
  }
  if (!ctx.ns.sysctl.has(k)) return `cannot stat ${keyPath(key.replace(/\//g, "."))}: No such file or directory`;
  if (!/^\s*-?\d+(\s+-?\d+)*\s*$/.test(value) || !ctx.ns.sysctl.set(k, value)) return `setting key "${key.replace(/\//g, ".")}": Invalid argument`;
  if (k === "net.ipv4.ip_forward") ctx.sim.changed(ctx.ns);
  return undefined;
}

function assign(ctx: ToolContext, arg: string, o: Opts, out: string[], err: string[]): boolean {
  const eq = arg.indexOf("=");
  const key = arg.slice(0, eq).trim();
  const value = arg.slice(eq + 1).trim();
  const e = write(ctx, key, value);
  if (e) {
    if (!(o.ignore && e.startsWith("cannot stat"))) err.push(`sysctl: ${e}\n`);
    return false;
  }
  if (!o.quiet) out.push(show(key, ctx.ns.sysctl.get(key) ?? value, o));
  return true;
}

/** Applies a sysctl.conf text the way `sysctl -p` does; used at boot (systemd-sysctl) too. */
export function applySysctlText(ns: NetNamespace, text: string, file = "/etc/sysctl.conf"): { out: string[]; err: string[]; ok: boolean } {
  const out: string[] = [];
  const err: string[] = [];
  let ok = true;
  text.split("\n").forEach((raw, i) => {
    let line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) return;
    const ignoreErr = line.startsWith("-");
    if (ignoreErr) line = line.slice(1);
    const eq = line.indexOf("=");
    if (eq < 0) {
      err.push(`sysctl: ${file}(${i + 1}): invalid syntax, continuing...\n`);
      return;
    }
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    const k = SysctlTable.canonical(key);
    if (!ns.sysctl.has(k)) {
      if (!ignoreErr) {
        err.push(`sysctl: cannot stat ${keyPath(key)}: No such file or directory\n`);
        ok = false;
      }
      return;
    }
    if (!/^-?\d+(\s+-?\d+)*$/.test(value) || !ns.sysctl.set(k, value)) {
      err.push(`sysctl: setting key "${key}": Invalid argument\n`);
      ok = false;
      return;
    }
    out.push(`${key} = ${ns.sysctl.get(k)}\n`);
  });
  if (out.length) ns.machine.sim.changed(ns);
  return { out, err, ok };
}

async function run(ctx: ToolContext): Promise<ToolResult> {
  const o: Opts = { values: false, names: false, quiet: false, ignore: false, write: false, binary: false };
  let load: string | undefined;
  let all = false;
  let system = false;
  const vars: string[] = [];
  const args = ctx.args;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-p" || a === "--load" || a === "-f") {
      load = args[i + 1] && !args[i + 1].startsWith("-") && !args[i + 1].includes("=") ? args[++i] : "/etc/sysctl.conf";
    } else if (a.startsWith("--load=")) load = a.slice(7);
    else if (a.startsWith("-p") && a.length > 2 && !a.startsWith("--")) load = a.slice(2);
    else if (a === "--system") system = true;
    else if (a === "-h" || a === "--help" || a === "-d") return { stdout: USAGE, stderr: "", exitCode: 0 };
    else if (a === "-V" || a === "--version") return { stdout: "sysctl from procps-ng 4.0.2\n", stderr: "", exitCode: 0 };
    else if (/^-[a-zA-Z]+$/.test(a)) {
      for (const c of a.slice(1)) {
        if (c === "n") o.values = true;
        else if (c === "N") o.names = true;
        else if (c === "q") o.quiet = true;
        else if (c === "e") o.ignore = true;
        else if (c === "w") o.write = true;
        else if (c === "b") o.binary = true;
        else if (c === "a" || c === "A" || c === "X") all = true;
        else if (c === "o" || c === "x") continue;
        else return { stdout: "", stderr: `sysctl: invalid option -- '${c}'\n${USAGE}`, exitCode: 1 };
      }
    } else if (a.startsWith("--")) {
      const map: Record<string, keyof Opts> = { "--values": "values", "--names": "names", "--quiet": "quiet", "--ignore": "ignore", "--write": "write", "--binary": "binary" };
      if (a === "--all") all = true;
      else if (map[a]) o[map[a]] = true;
      else return { stdout: "", stderr: `sysctl: unrecognized option '${a}'\n${USAGE}`, exitCode: 1 };
    } else vars.push(a);
  }
  const out: string[] = [];
  const err: string[] = [];
  let rc = 0;
  if (load !== undefined || system) {
    const files = system ? ["/etc/sysctl.d", "/etc/sysctl.conf"] : [load!];
    for (const f of files) {
      if (system && f === "/etc/sysctl.d") {
        let names: string[] = [];
        try {
          names = (await ctx.fs.readdir(f)).filter((n) => n.endsWith(".conf")).sort();
        } catch {
          names = [];
        }
        for (const n of names) {
          out.push(`* Applying ${f}/${n} ...\n`);
          const r = applySysctlText(ctx.ns, await ctx.fs.readFile(`${f}/${n}`), `${f}/${n}`);
          out.push(...r.out.map((l) => (o.quiet ? "" : l)));
          err.push(...r.err);
        }
        continue;
      }
      const path = f.startsWith("/") ? f : `${ctx.cwd}/${f}`;
      let text: string;
      try {
        text = await ctx.fs.readFile(path);
      } catch {
        err.push(`sysctl: cannot open "${f}": No such file or directory\n`);
        rc = 1;
        continue;
      }
      if (system) out.push(`* Applying ${f} ...\n`);
      const r = applySysctlText(ctx.ns, text, f);
      if (!o.quiet) out.push(...r.out.map((l) => (o.values ? l.slice(l.indexOf(" = ") + 3) : l)));
      err.push(...r.err);
      if (!r.ok || r.err.length) rc = 1;
    }
    return { stdout: out.join(""), stderr: err.join(""), exitCode: rc };
  }
  if (all) {
    const keys = [...ctx.ns.sysctl.keys(), ...Object.keys(machineKeys(ctx))].sort();
    for (const k of keys) out.push(show(k, read(ctx, k) ?? "", o));
    return { stdout: out.join(""), stderr: "", exitCode: 0 };
  }
  if (vars.length === 0) return { stdout: "", stderr: "sysctl: no variables specified\nTry `sysctl --help' for more information.\n", exitCode: 1 };
  for (const v of vars) {
    if (v.includes("=")) {
      if (!assign(ctx, v, o, out, err)) rc = 1;
      continue;
    }
    if (o.write) {
      err.push(`sysctl: "${v}" must be of the form name=value\n`);
      rc = 1;
      continue;
    }
    const value = read(ctx, v);
    if (value !== undefined) {
      out.push(show(v, value, o));
      continue;
    }
    // A prefix lists the subtree, as reading a /proc/sys directory does.
    const prefix = SysctlTable.canonical(v) + ".";
    const sub = ctx.ns.sysctl.keys().filter((k) => k.startsWith(prefix));
    if (sub.length) for (const k of sub) out.push(show(k, ctx.ns.sysctl.get(k) ?? "", o));
    else if (!o.ignore) {
      err.push(`sysctl: cannot stat ${keyPath(v)}: No such file or directory\n`);
      rc = 1;
    }
  }
  return { stdout: out.join(""), stderr: err.join(""), exitCode: rc };
}

export const sysctlTool: Tool = { name: "sysctl", run };
