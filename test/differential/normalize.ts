// Normalisation of command output before the simulator and the kernel are compared. Only what
// legitimately differs between two correct Linux boxes is normalised away: random MACs, ifindexes,
// IPv6 (the simulator is IPv4-only), netns ids, transient neighbour states, hash-table ordering,
// dates and ephemeral ports. Everything else (spacing, wording, flags) must match.

export interface NormalizeContext {
  /** NIC names of the machine that ran the command (its "physical" cards, veths on the kernel side). */
  machineNics: string[];
  /** MAC addresses written in the scenario itself (kept as they are). */
  knownMacs: Set<string>;
}

const MAC = /\b(?:[0-9a-f]{2}:){5}[0-9a-f]{2}\b/g;
const NEIGH_TRANSIENT = /\b(?:REACHABLE|STALE|DELAY|PROBE)\b/g;

/** The command runs `ip`/`route`/`arp` inside a nested namespace (`ip netns exec NS`, `ip -n NS`). */
export function inNestedNamespace(command: string): boolean {
  return /\bip\s+netns\s+exec\s+\S+/.test(command) || /\bip\s+(?:-\S+\s+)*-n(?:etns)?\s+\S+/.test(command);
}

/** The program actually run (after `ip netns exec NS`), e.g. `ping`, `ip`, `curl`. */
export function program(command: string): string {
  const m = /^\s*ip\s+netns\s+exec\s+\S+\s+(.*)$/.exec(command);
  const rest = m ? m[1] : command;
  return rest.trim().split(/\s+/)[0] ?? "";
}

export function normalizeStderr(stderr: string): string {
  return stderr
    .replace(/\biptables v\d+\.\d+\.\d+/g, "iptables v*")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .join("\n");
}

function macs(text: string, ctx: NormalizeContext): string {
  return text.replace(MAC, (m) =>
    m === "00:00:00:00:00:00" || m === "ff:ff:ff:ff:ff:ff" || ctx.knownMacs.has(m.toLowerCase()) ? m : "<mac>",
  );
}

/** `ip link` / `ip addr` / `bridge link` style output. */
function interfaceListing(text: string, command: string, ctx: NormalizeContext): string {
  const physical = inNestedNamespace(command) ? new Set<string>() : new Set(ctx.machineNics);
  const out: string[] = [];
  let current = "";
  let skipValidLft = false;
  for (const raw of text.split("\n")) {
    let line = raw;
    if (skipValidLft && /^\s+valid_lft /.test(line)) {
      skipValidLft = false;
      continue;
    }
    skipValidLft = false;
    if (/^\s+inet6 /.test(line)) {
      skipValidLft = true;
      continue;
    }
    const header = /^(\d+): ([^:@\s]+)(@[^:\s]+)?:/.exec(line);
    if (header) current = header[2];
    // A machine's NIC is a physical card in the simulator and a veth on the kernel side: drop what only
    // the veth has (peer index, peer namespace, `type veth` membership, its qdisc, LOWERLAYERDOWN for a
    // missing carrier, where a card says DOWN).
    if (physical.has(current)) {
      if (/\btype\s+veth\b/.test(command)) continue;
      line = line.replace(new RegExp(`^(\\d+: ${escape(current)})@[^:\\s]+:`), "$1:");
      line = line.replace(/ link-netnsid \d+| link-netns \S+/g, "");
      if (header) line = line.replace(/ qdisc \S+/, " qdisc <qdisc>").replace(" state LOWERLAYERDOWN ", " state DOWN ");
    }
    line = line.replace(/^\d+: /, "N: ");
    line = line.replace(/@if\d+\b/g, "@ifN");
    line = line.replace(/ link-netnsid \d+| link-netns \S+/g, " link-netns*");
    out.push(line);
  }
  return out.join("\n");
}

/** `ip -br addr|link`: columns are padded to the name's width, so compare tokens. */
function briefListing(text: string, command: string, ctx: NormalizeContext): string {
  const physical = inNestedNamespace(command) ? new Set<string>() : new Set(ctx.machineNics);
  return text
    .split("\n")
    .map((l) => {
      const tokens = l.trim().split(/\s+/).filter((t) => t !== "" && !/^[0-9a-f:]*:[0-9a-f:]*\/\d+$/.test(t));
      if (tokens.length === 0) return "";
      const [name] = tokens;
      const base = name.split("@")[0];
      tokens[0] = physical.has(base) ? base : name.replace(/@if\d+$/, "@ifN");
      if (physical.has(base) && tokens[1] === "LOWERLAYERDOWN") tokens[1] = "DOWN";
      return tokens.join(" ");
    })
    .join("\n");
}

function neighbours(text: string): string {
  const lines = text.split("\n").filter((l) => l !== "" && !/^[0-9a-f]*:[0-9a-f:]*\s/.test(l));
  return lines.map((l) => l.replace(NEIGH_TRANSIENT, "<reachable>")).sort().join("\n");
}

/** net-tools `arp`: header first, then entries in hash order. */
function arpTable(text: string): string {
  const lines = text.split("\n").filter((l) => l !== "");
  const header = lines.filter((l) => l.startsWith("Address"));
  return [...header, ...lines.filter((l) => !l.startsWith("Address")).sort()].join("\n");
}

function netnsList(text: string): string {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.replace(/ \(id: \d+\)$/, ""))
    .sort()
    .join("\n");
}

/** JSON bodies (echo-server): the client's port is ephemeral. */
function jsonBody(text: string): string | undefined {
  const t = text.trim();
  if (!t.startsWith("{")) return undefined;
  try {
    const v = JSON.parse(t) as Record<string, unknown>;
    const client = v.client as { port?: unknown } | undefined;
    if (client && typeof client === "object" && "port" in client) client.port = "<ephemeral>";
    return canonicalJson(v);
  } catch {
    return undefined;
  }
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * iptables 1.8.9 (Debian 12, the kernel side here) prints the protocol as a number with `-n` (`0`, `6`);
 * 1.8.7 and 1.8.10+ print `all`, `tcp` (see reference/c-iptables.md). Compare the names. The column
 * is 5 wide either way.
 */
function iptablesProtocolNames(text: string): string {
  const names: Record<string, string> = { "0": "all", "1": "icmp", "6": "tcp", "17": "udp", "132": "sctp" };
  return text.replace(/(?<=\s)(0|1|6|17|132)( +)(?=(?:--|-f|!f) )/g, (_m, n: string, sp: string) =>
    names[n].padEnd(n.length + sp.length),
  );
}

/** `ip [OPTIONS] OBJECT ...` split into options and the object it names (abbreviations resolved). */
export function parseIp(args: string): { options: string[]; object: string; rest: string[] } {
  const tokens = args.trim().split(/\s+/).slice(1);
  const options: string[] = [];
  let i = 0;
  for (; i < tokens.length && tokens[i].startsWith("-"); i++) {
    options.push(tokens[i]);
    if (/^-(n|netns)$/.test(tokens[i])) i++;
  }
  const word = tokens[i] ?? "";
  // `ip` takes the first object of its table (iproute2 order) that starts with what was typed: `ip n` = neigh.
  const table = ["address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour", "ntable", "link", "netns"];
  const hit = word === "" ? "" : (table.find((o) => o.startsWith(word)) ?? word);
  const object = hit === "neighbor" ? "neighbour" : hit;
  return { options, object, rest: tokens.slice(i + 1) };
}

/** Normalised stdout of one command (mode `normalized`). */
export function normalizeStdout(stdout: string, command: string, ctx: NormalizeContext): string {
  const json = jsonBody(stdout);
  if (json !== undefined) return json;
  const prog = program(command);
  const args = command.replace(/^\s*ip\s+netns\s+exec\s+\S+\s+/, "");
  const text = macs(stdout, ctx);
  if (prog === "iptables-save")
    return text.replace(/^# (Generated by|Completed on) .*$/gm, (_m, what: string) => `# ${what} <banner>`);
  if (prog === "arp") return arpTable(text);
  if (prog === "iptables") return iptablesProtocolNames(text);
  if (prog === "bridge") return interfaceListing(text, command, ctx);
  if (prog !== "ip") return text;
  const { options, object, rest } = parseIp(args);
  if (object === "netns" && (rest.length === 0 || /^(list|ls|l)$/.test(rest[0]))) return netnsList(text);
  if (object === "neighbour") return neighbours(text);
  if (object === "link" || object === "address") {
    if (options.some((o) => /^-br(ief)?$/.test(o))) return briefListing(text, command, ctx);
    return interfaceListing(text, command, ctx);
  }
  return text;
}
