// The small objects: `ip rule` (the three default rules; the simulator has no policy routing),
// `ip maddr` (IPv4 and link-layer groups a device joins when up) and `ip tunnel` (none exist).
import { Argv, type IpCtx, die, matches, needDev, print } from "./args";
import { USAGE_MADDR, USAGE_RULE, USAGE_TUNNEL } from "./help";

export function doRule(c: IpCtx, argv: string[]): number {
  const cmd = argv[0];
  if (cmd === undefined || matches(cmd, "list") || matches(cmd, "show") || matches(cmd, "lst")) {
    if (c.opts.family === "inet6") {
      print(c, "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n");
      return 0;
    }
    print(c, "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n");
    return 0;
  }
  if (matches(cmd, "help")) die(USAGE_RULE);
  if (matches(cmd, "add") || matches(cmd, "delete") || matches(cmd, "flush") || matches(cmd, "save") || matches(cmd, "restore")) {
    // Policy routing is not part of the simulated kernel.
    die("RTNETLINK answers: Operation not supported", 2);
  }
  return die(`Command "${cmd}" is unknown, try "ip rule help".`);
}

export function doMaddr(c: IpCtx, argv: string[]): number {
  const a = new Argv(argv);
  let dev: string | undefined;
  if (a.more && (matches(a.cur, "add") || matches(a.cur, "delete"))) die("RTNETLINK answers: Operation not supported", 2);
  if (a.more && matches(a.cur, "help")) die(USAGE_MADDR);
  if (a.more && (matches(a.cur, "show") || matches(a.cur, "list") || matches(a.cur, "lst"))) a.i++;
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === "dev") dev = a.next();
    else if (matches(w, "help")) die(USAGE_MADDR);
    else {
      if (dev !== undefined) die(`Error: either "dev" is duplicate, or "${w}" is a garbage.`);
      dev = w;
    }
  }
  const devs = dev !== undefined ? [needDev(c.ns, dev)] : c.ns.list();
  if (c.opts.family === "inet6") return 0;
  for (const d of devs) {
    const lines = [`${d.ifindex}:\t${d.name}`];
    const bridgeUp = d.kind === "bridge" && d.adminUp;
    if (d.kind !== "loopback" && d.kind !== "dummy") {
      lines.push("\tlink  33:33:00:00:00:01");
      if (bridgeUp) lines.push("\tlink  01:00:5e:00:00:6a", "\tlink  33:33:00:00:00:6a");
      if (d.adminUp) lines.push("\tlink  01:00:5e:00:00:01");
    }
    if (d.adminUp) lines.push("\tinet  224.0.0.1");
    if (bridgeUp) lines.push("\tinet  224.0.0.106");
    print(c, lines.join("\n") + "\n");
  }
  return 0;
}

export function doTunnel(_c: IpCtx, argv: string[]): number {
  const cmd = argv[0];
  if (cmd === undefined || matches(cmd, "show") || matches(cmd, "list") || matches(cmd, "lst")) return 0;
  if (matches(cmd, "help")) die(USAGE_TUNNEL);
  if (matches(cmd, "add") || matches(cmd, "change") || matches(cmd, "delete") || matches(cmd, "prl") || matches(cmd, "6rd")) die("add tunnel \"tunl0\" failed: Operation not supported", 1);
  return die(`Command "${cmd}" is unknown, try "ip tunnel help".`);
}
