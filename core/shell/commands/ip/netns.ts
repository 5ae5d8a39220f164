// `ip netns`: named namespaces are machine-wide (/run/netns), so `ip netns add` inside
// `ip netns exec x` still creates the machine's namespace. `exec` runs a command line in the
// namespace through the shell (pipelines and `sh -c` included).
import type { NetNamespace } from "../../../net/namespace";
import { shellQuote } from "../../tool";
import { type IpCtx, die, invarg, matches, print } from "./args";
import { USAGE_NETNS } from "./help";

/** /run/netns is a tmpfs: readdir lists the newest entry first. */
function namesInDirOrder(c: IpCtx): [string, NetNamespace][] {
  return [...c.ns.machine.namespaces.entries()].reverse();
}

function validName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !name.includes("/") && name.length < 256;
}

function netnsList(c: IpCtx): void {
  for (const [name, ns] of namesInDirOrder(c)) {
    const id = c.ns.peekNsid(ns);
    print(c, id === undefined ? `${name}\n` : `${name} (id: ${id})\n`);
  }
}

async function netnsExec(c: IpCtx, argv: string[]): Promise<number> {
  if (argv.length === 0) die("No netns name specified", 1);
  const [name, ...cmd] = argv;
  const target = c.ns.machine.netns(name);
  if (!target) die(`Cannot open network namespace "${name}": No such file or directory`);
  if (cmd.length === 0) die("No command specified", 1);
  const r = await c.tool.exec(cmd.map(shellQuote).join(" "), { ns: target });
  let stderr = r.stderr;
  let code = r.exitCode;
  if (code === 127 && new RegExp(`(^|\\n)[^\\n]*${escapeRe(cmd[0])}: command not found\\n?$`).test(stderr)) {
    stderr = stderr.replace(new RegExp(`[^\\n]*${escapeRe(cmd[0])}: command not found\\n?$`), `exec of "${cmd[0]}" failed: No such file or directory\n`);
    code = 1;
  }
  c.out.push(r.stdout);
  c.err.push(stderr);
  return code;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export async function doNetns(c: IpCtx, argv: string[]): Promise<number> {
  if (argv.length === 0) {
    netnsList(c);
    return 0;
  }
  const [cmd, ...rest] = argv;
  const machine = c.ns.machine;
  if (matches(cmd, "list") || matches(cmd, "show") || matches(cmd, "lst")) netnsList(c);
  else if (matches(cmd, "list-id")) {
    const ids = namesInDirOrder(c)
      .map(([name, ns]) => ({ name, id: c.ns.peekNsid(ns) }))
      .filter((x) => x.id !== undefined)
      .sort((a, b) => a.id! - b.id!);
    for (const x of ids) print(c, `nsid ${x.id} (iproute2 netns name: ${x.name})\n`);
  } else if (matches(cmd, "help")) die(USAGE_NETNS);
  else if (matches(cmd, "add")) {
    if (rest.length === 0) die("No netns name specified", 1);
    const name = rest[0];
    if (!validName(name)) die(`Invalid netns name "${name}"`);
    if (machine.netns(name)) die(`Cannot create namespace file "/run/netns/${name}": File exists`, 1);
    machine.addNetns(name);
  } else if (matches(cmd, "attach")) {
    if (rest.length < 2) die(rest.length === 0 ? "No netns name specified" : "No pid specified", 1);
    die(`Cannot open network namespace: No such file or directory`, 1);
  } else if (matches(cmd, "set")) {
    if (rest.length === 0) die("No netns name specified", 1);
    if (rest.length === 1) die("No nsid specified", 1);
    const [name, idText] = rest;
    let id: number | "auto";
    if (idText === "auto") id = "auto";
    else if (/^\d+$/.test(idText) && Number(idText) <= 0x7fffffff) id = Number(idText);
    else return invarg(`Invalid "netnsid" value`, idText);
    const target = machine.netns(name);
    if (!target) die(`Cannot open network namespace "${name}": No such file or directory`, 1);
    if (id === "auto") {
      if (c.ns.peekNsid(target!) !== undefined) die("Error: Peer netns already has a nsid assigned.", 2);
      c.ns.nsidOf(target!);
    } else if (c.ns.peekNsid(target!) !== undefined) die("Error: Peer netns already has a nsid assigned.", 2);
    else if (!c.ns.assignNsid(target!, id)) die("Error: The specified nsid is already used.", 2);
    machine.sim.changed(c.ns);
  } else if (matches(cmd, "delete")) {
    if (rest.length === 0) die("No netns name specified", 1);
    const name = rest[0];
    if (!machine.netns(name)) die(`Cannot remove namespace file "/run/netns/${name}": No such file or directory`, 1);
    machine.deleteNetns(name);
  } else if (matches(cmd, "identify")) {
    if (rest.length > 0) {
      if (!/^\d+$/.test(rest[0])) die(`Invalid pid "${rest[0]}"`, 1);
      if (rest[0] !== "1" && rest[0] !== "self") die("Cannot open network namespace: No such file or directory", 1);
      print(c, "\n");
    } else print(c, `${c.ns.name ?? ""}\n`);
  } else if (matches(cmd, "pids")) {
    if (rest.length === 0) die("No netns name specified", 1);
    if (!machine.netns(rest[0])) die("Cannot open network namespace: No such file or directory", 1);
  } else if (matches(cmd, "exec")) return netnsExec(c, rest);
  else if (matches(cmd, "monitor")) {
    // Would block waiting for events; nothing happens in a finished command line.
  } else die(`Command "${cmd}" is unknown, try "ip netns help".`);
  return 0;
}

