// `ip -j [-p]` for link, address, route and neighbour dumps, written with the same rules as
// iproute2's json_writer (so `-p` indents and spaces exactly like the real tool).
import type { NetInterface } from "../../../net/interface";
import { formatIPv4 } from "../../../net/ip";
import { NeighbourTable } from "../../../net/neighbour";
import { type IpCtx, matches } from "./args";
import { orderedAddresses, showDevices } from "./addr";
import { linkFlags } from "./link-format";
import { jsonRoutes } from "./route";
import { jsonNeighbours } from "./neigh";

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** iproute2 json_writer.c, pretty or compact. */
export function writeJson(value: Json, pretty: boolean): string {
  let out = "";
  let depth = 0;
  let sep = "";
  const eor = () => {
    out += sep;
    sep = ",";
  };
  const eol = () => {
    if (pretty) out += "\n" + " ".repeat(4 * depth);
  };
  const write = (v: Json): void => {
    if (Array.isArray(v)) {
      eor();
      out += "[";
      depth++;
      sep = "";
      if (pretty) out += " ";
      for (const x of v) write(x);
      if (pretty && sep) out += " ";
      sep = "";
      depth--;
      out += "]";
      sep = ",";
    } else if (v !== null && typeof v === "object") {
      eor();
      out += "{";
      depth++;
      sep = "";
      for (const [k, x] of Object.entries(v)) {
        eor();
        eol();
        sep = "";
        out += JSON.stringify(k) + ":" + (pretty ? " " : "");
        write(x);
      }
      depth--;
      if (sep) eol();
      out += "}";
      sep = ",";
    } else {
      eor();
      out += JSON.stringify(v);
    }
  };
  write(value);
  return out + "\n";
}

function linkJson(c: IpCtx, d: NetInterface, mode: "link" | "addr"): { [k: string]: Json } {
  const o: { [k: string]: Json } = { ifindex: d.ifindex };
  if (d.peer) {
    if (d.peer.ns === c.ns) o.link = d.peer.name;
    else o.link_index = d.peer.ifindex;
  }
  o.ifname = d.name;
  o.flags = linkFlags(d, c.ns);
  o.mtu = d.mtu;
  o.qdisc = d.qdisc;
  if (d.master) o.master = d.master.name;
  o.operstate = d.operState;
  if (mode === "link") o.linkmode = "DEFAULT";
  o.group = "default";
  o.txqlen = 1000;
  o.link_type = d.kind === "loopback" ? "loopback" : "ether";
  o.address = d.mac;
  o.broadcast = d.kind === "loopback" ? "00:00:00:00:00:00" : "ff:ff:ff:ff:ff:ff";
  if (d.peer && d.peer.ns !== c.ns) o.link_netnsid = c.ns.nsidOf(d.peer.ns);
  if (d.alias !== undefined) o.ifalias = d.alias;
  if (mode === "addr") {
    o.addr_info = orderedAddresses(d).map((x) => {
      const a: { [k: string]: Json } = { family: "inet", local: formatIPv4(x.a.addr), prefixlen: x.a.prefixLen };
      if (x.a.broadcast !== undefined) a.broadcast = formatIPv4(x.a.broadcast);
      a.scope = x.a.scope;
      if (x.secondary) a.secondary = true;
      a.label = x.a.label;
      a.valid_life_time = 4294967295;
      a.preferred_life_time = 4294967295;
      return a;
    });
  }
  return o;
}

/** The JSON dump for `ip -j OBJECT [show …]`, or undefined when the command is not a dump. */
export function toJson(c: IpCtx, object: string, argv: string[]): string | undefined {
  const [cmd, ...rest] = argv;
  const isShow = cmd === undefined || matches(cmd, "show") || matches(cmd, "list") || matches(cmd, "lst");
  if (!isShow) return undefined;
  const args = cmd === undefined ? [] : rest;
  let value: Json[];
  if (object === "link" || object === "address") {
    const mode = object === "link" ? "link" : "addr";
    const devs = showDevices(c, args, mode);
    if (c.opts.family === "inet6") value = mode === "addr" ? [] : devs.map((d) => linkJson(c, d, "link"));
    else {
      value = devs.map((d) => linkJson(c, d, mode));
      if (mode === "addr" && c.opts.family === "inet") value = value.filter((v) => ((v as { addr_info: Json[] }).addr_info).length > 0);
    }
  } else if (object === "route") value = jsonRoutes(c, args) as Json[];
  else if (object === "neighbor" || object === "neighbour") value = jsonNeighbours(c, args, NeighbourTable) as Json[];
  else return undefined;
  return writeJson(value, c.opts.pretty);
}
