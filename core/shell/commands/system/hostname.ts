// hostname (from the hostname package): prints or sets the machine's name; -I lists its addresses.
import { formatIPv4 } from "../../../net/ip";
import type { Tool, ToolContext, ToolResult } from "../../tool";

async function run(ctx: ToolContext): Promise<ToolResult> {
  const a = ctx.args;
  if (a.length === 0) return { stdout: ctx.machine.hostname + "\n", stderr: "", exitCode: 0 };
  if (a[0] === "-I" || a[0] === "--all-ip-addresses") {
    const addrs = ctx.ns
      .list()
      .filter((i) => i.adminUp && i.kind !== "loopback")
      .flatMap((i) => i.addresses.filter((x) => x.scope === "global").map((x) => formatIPv4(x.addr)));
    return { stdout: addrs.map((x) => x + " ").join("") + "\n", stderr: "", exitCode: 0 };
  }
  if (a[0] === "-i" || a[0] === "--ip-address") {
    let hosts = "";
    try {
      hosts = await ctx.fs.readFile("/etc/hosts");
    } catch {
      hosts = "";
    }
    const hits = hosts
      .split("\n")
      .map((l) => l.replace(/#.*/, "").trim().split(/\s+/))
      .filter((f) => f.length > 1 && f.slice(1).includes(ctx.machine.hostname) && /^\d+\.\d+\.\d+\.\d+$/.test(f[0]))
      .map((f) => f[0]);
    if (!hits.length) return { stdout: "", stderr: "hostname: Name or service not known\n", exitCode: 1 };
    return { stdout: hits.join(" ") + "\n", stderr: "", exitCode: 0 };
  }
  if (a[0] === "-s" || a[0] === "--short") return { stdout: ctx.machine.hostname.split(".")[0] + "\n", stderr: "", exitCode: 0 };
  if (a[0] === "-f" || a[0] === "--fqdn" || a[0] === "--long") return { stdout: ctx.machine.hostname + "\n", stderr: "", exitCode: 0 };
  if (a[0] === "-V" || a[0] === "--version") return { stdout: "", stderr: "hostname 3.23\n", exitCode: 0 };
  if (a[0].startsWith("-")) return { stdout: "", stderr: `hostname: invalid option -- '${a[0].replace(/^-+/, "")[0] ?? ""}'\nUsage: hostname [-b] {hostname|-F file}         set host name (from file)\n`, exitCode: 1 };
  const name = a[0];
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$/.test(name)) return { stdout: "", stderr: "hostname: the specified hostname is invalid\n", exitCode: 1 };
  ctx.machine.hostname = name;
  ctx.sim.changed(ctx.machine.root);
  return { stdout: "", stderr: "", exitCode: 0 };
}

export const hostnameTool: Tool = { name: "hostname", run };
