// /proc as a learner reads and writes it: /proc/sys/net/* belongs to the namespace the command runs in
// (so `ip netns exec red cat /proc/sys/net/ipv4/ip_forward` shows red's value), /proc/sys/kernel/* to
// the machine. Mounted over the machine's disk by the host shell.
import type { BufferEncoding, CpOptions, FileContent, FsStat, IFileSystem, MkdirOptions, RmOptions } from "just-bash";

type ReadFileOptions = { encoding?: BufferEncoding | null };
type WriteFileOptions = { encoding?: BufferEncoding };
import type { Machine } from "../net/machine";
import type { NetNamespace } from "../net/namespace";
import { currentScope } from "./context";

type Node = { kind: "dir"; children: () => string[] } | { kind: "file"; read: () => string; write?: (v: string) => boolean };

const enoent = (op: string, p: string) => new Error(`ENOENT: no such file or directory, ${op} '${p}'`);
const eacces = (op: string, p: string) => new Error(`EACCES: permission denied, ${op} '${p}'`);
const einval = (op: string, p: string) => new Error(`EINVAL: invalid argument, ${op} '${p}'`);

export class ProcFs implements IFileSystem {
  constructor(private readonly machine: Machine) {}

  private ns(): NetNamespace {
    const s = currentScope();
    return s && s.machine === this.machine ? s.ns : this.machine.root;
  }

  private node(path: string): Node | undefined {
    const parts = path.split("/").filter(Boolean);
    if (parts.length === 0) return { kind: "dir", children: () => ["sys", "net", "version", "uptime", "loadavg"] };
    const [top, ...rest] = parts;
    if (top === "version" && rest.length === 0)
      return { kind: "file", read: () => "Linux version 6.8.0-49-generic (buildd@lcy02-amd64-103) (x86_64-linux-gnu-gcc-12 (Ubuntu 12.3.0-1ubuntu1~22.04) 12.3.0, GNU ld (GNU Binutils for Ubuntu) 2.38) #49~22.04.1-Ubuntu SMP PREEMPT_DYNAMIC Wed Nov  6 17:42:15 UTC 2\n" };
    if (top === "uptime" && rest.length === 0) return { kind: "file", read: () => "3600.00 7100.00\n" };
    if (top === "loadavg" && rest.length === 0) return { kind: "file", read: () => "0.08 0.03 0.01 1/180 4242\n" };
    if (top === "net") return this.netNode(rest);
    if (top !== "sys") return undefined;
    if (rest.length === 0) return { kind: "dir", children: () => ["kernel", "net"] };
    if (rest[0] === "kernel") {
      if (rest.length === 1) return { kind: "dir", children: () => ["hostname"] };
      if (rest.length === 2 && rest[1] === "hostname")
        return {
          kind: "file",
          read: () => this.machine.hostname + "\n",
          write: (v) => {
            const name = v.trim();
            if (!name) return false;
            this.machine.hostname = name;
            return true;
          },
        };
      return undefined;
    }
    // net.*: the namespace's sysctl table; directories are the key prefixes.
    const key = rest.join(".");
    const table = this.ns().sysctl;
    if (table.has(key) && table.get(key) !== undefined) {
      return {
        kind: "file",
        read: () => (table.get(key) ?? "") + "\n",
        write: (v) => (/^\s*-?\d+(\s+-?\d+)*\s*$/.test(v) ? table.set(key, v) : false),
      };
    }
    const prefix = key + ".";
    const kids = table.keys().filter((k) => k.startsWith(prefix));
    if (kids.length === 0) return undefined;
    return { kind: "dir", children: () => [...new Set(table.keys().filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length).split(".")[0]))] };
  }

  /** /proc/net/* files that scripts commonly read. */
  private netNode(rest: string[]): Node | undefined {
    if (rest.length === 0) return { kind: "dir", children: () => ["dev", "route"] };
    if (rest.length !== 1) return undefined;
    if (rest[0] === "dev")
      return {
        kind: "file",
        read: () => {
          const head =
            "Inter-|   Receive                                                |  Transmit\n" +
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";
          return head + this.ns().list().map((i) => `${i.name.padStart(6)}: ${[i.stats.rxBytes, i.stats.rxPackets, i.stats.rxErrors, i.stats.rxDropped, 0, 0, 0, 0].map((n) => String(n).padStart(7)).join(" ")} ${[i.stats.txBytes, i.stats.txPackets, i.stats.txErrors, i.stats.txDropped, 0, 0, 0, 0].map((n) => String(n).padStart(7)).join(" ")}\n`).join("");
        },
      };
    return undefined;
  }

  async readFile(path: string, _o?: ReadFileOptions | BufferEncoding): Promise<string> {
    const n = this.node(path);
    if (!n) throw enoent("open", path);
    if (n.kind === "dir") throw new Error(`EISDIR: illegal operation on a directory, read '${path}'`);
    return n.read();
  }
  async readFileBuffer(path: string): Promise<Uint8Array> {
    return new TextEncoder().encode(await this.readFile(path));
  }
  async writeFile(path: string, content: FileContent, _o?: WriteFileOptions | BufferEncoding): Promise<void> {
    const n = this.node(path);
    if (!n) throw enoent("open", path);
    if (n.kind === "dir" || !n.write) throw eacces("open", path);
    const text = typeof content === "string" ? content : new TextDecoder().decode(content);
    // The shell truncates before writing; an empty write to a /proc file changes nothing.
    if (text === "") return;
    if (!n.write(text)) throw einval("write", path);
  }
  async appendFile(path: string, content: FileContent, o?: WriteFileOptions | BufferEncoding): Promise<void> {
    return this.writeFile(path, content, o);
  }
  async exists(path: string): Promise<boolean> {
    return this.node(path) !== undefined;
  }
  async stat(path: string): Promise<FsStat> {
    const n = this.node(path);
    if (!n) throw enoent("stat", path);
    const dir = n.kind === "dir";
    return { isFile: !dir, isDirectory: dir, isSymbolicLink: false, mode: dir ? 0o555 : n.write ? 0o644 : 0o444, size: 0, mtime: new Date(this.machine.sim.clock.now()) };
  }
  lstat(path: string): Promise<FsStat> {
    return this.stat(path);
  }
  async readdir(path: string): Promise<string[]> {
    const n = this.node(path);
    if (!n) throw enoent("scandir", path);
    if (n.kind !== "dir") throw new Error(`ENOTDIR: not a directory, scandir '${path}'`);
    return n.children().sort();
  }
  async mkdir(path: string, _o?: MkdirOptions): Promise<void> {
    throw eacces("mkdir", path);
  }
  async rm(path: string, _o?: RmOptions): Promise<void> {
    throw eacces("rm", path);
  }
  async cp(src: string, _d: string, _o?: CpOptions): Promise<void> {
    throw eacces("cp", src);
  }
  async mv(src: string, _d: string): Promise<void> {
    throw eacces("rename", src);
  }
  resolvePath(base: string, path: string): string {
    if (path.startsWith("/")) return path;
    return `${base.replace(/\/$/, "")}/${path}`;
  }
  getAllPaths(): string[] {
    return [];
  }
  async chmod(path: string): Promise<void> {
    throw eacces("chmod", path);
  }
  async symlink(_t: string, p: string): Promise<void> {
    throw eacces("symlink", p);
  }
  async link(_e: string, p: string): Promise<void> {
    throw eacces("link", p);
  }
  async readlink(path: string): Promise<string> {
    throw einval("readlink", path);
  }
  async realpath(path: string): Promise<string> {
    if (!this.node(path)) throw enoent("realpath", path);
    return path;
  }
  async utimes(): Promise<void> {}
}

/** /run/netns: one empty file per named namespace, in creation order (what `ls /var/run/netns` shows). */
export class NetnsDirFs extends ProcFs {
  constructor(private readonly m: Machine) {
    super(m);
  }
  override async readdir(path: string): Promise<string[]> {
    if (path !== "/" && path !== "") throw enoent("scandir", path);
    return [...this.m.namespaces.keys()];
  }
  override async exists(path: string): Promise<boolean> {
    const name = path.replace(/^\/+/, "");
    return name === "" || this.m.namespaces.has(name);
  }
  override async stat(path: string): Promise<FsStat> {
    const name = path.replace(/^\/+/, "");
    if (name !== "" && !this.m.namespaces.has(name)) throw enoent("stat", path);
    const dir = name === "";
    return { isFile: !dir, isDirectory: dir, isSymbolicLink: false, mode: dir ? 0o755 : 0o444, size: 0, mtime: new Date(this.m.sim.clock.now()) };
  }
  override async readFile(path: string): Promise<string> {
    const name = path.replace(/^\/+/, "");
    if (!this.m.namespaces.has(name)) throw enoent("open", path);
    throw einval("read", path);
  }
  override async writeFile(path: string): Promise<void> {
    throw eacces("open", path);
  }
}
