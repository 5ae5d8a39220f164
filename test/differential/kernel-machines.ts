// Namespaced "machines" and "switches" on the real kernel, for the differential tests.
// Every machine is a long-lived holder process in its own network, mount and UTS namespaces:
//   - /etc is an overlay whose upper layer is a per-machine temp dir, so writes to /etc/sysctl.conf,
//     /etc/hosts, /etc/network/interfaces never reach the real /etc;
//   - /run/netns is a private tmpfs, so `ip netns add red` on one machine is invisible everywhere else;
//   - /sys is remounted so it shows the machine's own interfaces; /root (the shell's working directory)
//     is a private tmpfs.
// Every switch is a holder in its own network namespace with one Linux bridge.
// Nothing is ever created in the root network namespace: veth pairs are created inside a machine with
// the peer placed directly into the switch's (or the other machine's) namespace.
// Holders poll the test process and exit when it dies (even on SIGKILL), which frees their namespaces.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Prefix for everything global this process creates (temp dirs, process markers). */
export const PREFIX = `kd${process.pid}`;

const ENV = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  HOME: "/root",
  LANG: "C",
  LC_ALL: "C",
  TERM: "dumb",
};

export interface Holder {
  name: string;
  kind: "machine" | "switch" | "void";
  pid: number;
  dir: string;
  proc: ChildProcess;
  /** Process groups of commands running inside (written to DIR/pgids for the holder's watchdog). */
  groups: Set<number>;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  timedOut: boolean;
}

// ---- global registry, so that exit handlers can clean up whatever is still alive ----

const liveGroups = new Set<number>(); // process-group ids (holders and background commands)
const liveDirs = new Set<string>();
let handlersInstalled = false;

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    /* already gone */
  }
  liveGroups.delete(pgid);
}

export function emergencyCleanup(): void {
  for (const g of [...liveGroups]) killGroup(g);
  for (const d of [...liveDirs]) {
    try {
      rmSync(d, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
    liveDirs.delete(d);
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", emergencyCleanup);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      emergencyCleanup();
      process.exit(128 + (sig === "SIGINT" ? 2 : sig === "SIGTERM" ? 15 : 1));
    });
  }
}

// ---- holders ----

function watchdog(dir: string): string {
  // If the test process dies without cleaning up (SIGKILL), kill the commands still running in this
  // machine, remove its temp files and exit, which frees the namespaces. A normal close kills us first.
  return `
while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done
for g in $(cat ${dir}/pgids 2>/dev/null); do kill -9 -- -$g 2>/dev/null; done
cd / && rm -rf ${dir} && rmdir ${dirname(dir)} 2>/dev/null
exit 0`;
}

function track(h: Holder, pgid: number, live: boolean): void {
  if (live) h.groups.add(pgid);
  else h.groups.delete(pgid);
  try {
    writeFileSync(join(h.dir, "pgids"), [...h.groups].join("\n") + "\n");
  } catch {
    /* the run dir is already gone */
  }
}

function machineScript(name: string, dir: string): string {
  return `set -e
mkdir -p ${dir}/upper ${dir}/work
mount -t overlay ${PREFIX}-etc -o lowerdir=/etc,upperdir=${dir}/upper,workdir=${dir}/work /etc
[ -d /run/netns ] || mkdir -p /run/netns
mount -t tmpfs -o mode=0755 ${PREFIX}-netns /run/netns
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=0700 ${PREFIX}-root /root
hostname ${shq(name)}
ip link set lo up
echo ready
set +e
${watchdog(dir)}`;
}

function switchScript(dir: string): string {
  // The bridge must not hand bridged frames to iptables of the switch namespace (these sysctls are
  // per network namespace since Linux 5.3; the root namespace's copy is never touched).
  return `set -e
ip link add br0 type bridge
ip link set br0 up
for f in /proc/sys/net/bridge/bridge-nf-call-iptables /proc/sys/net/bridge/bridge-nf-call-ip6tables /proc/sys/net/bridge/bridge-nf-call-arptables; do
  [ -w $f ] && echo 0 > $f || true
done
echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null || true
echo ready
set +e
${watchdog(dir)}`;
}

function voidScript(dir: string): string {
  // Holds the far ends of NICs that have no cable (kept DOWN, so the NIC shows NO-CARRIER).
  return `echo ready\n${watchdog(dir)}`;
}

export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export async function startHolder(
  kind: Holder["kind"],
  name: string,
  runDir: string,
  files?: Record<string, string>,
): Promise<Holder> {
  installHandlers();
  const dir = join(runDir, `${kind}-${name}`);
  mkdirSync(dir, { recursive: true });
  if (files) {
    for (const [path, content] of Object.entries(files)) {
      if (!path.startsWith("/etc/")) throw new Error(`real-kernel runner: only files under /etc are supported (${path})`);
      const target = join(dir, "upper", path.slice("/etc/".length));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
  }
  const flags = kind === "machine" ? ["--net", "--mount", "--uts", "--propagation", "private"] : ["--net"];
  const script = kind === "machine" ? machineScript(name, dir) : kind === "switch" ? switchScript(dir) : voidScript(dir);
  const proc = spawn("unshare", [...flags, "bash", "-c", script], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: ENV,
  });
  const pid = proc.pid;
  if (pid === undefined) throw new Error(`cannot start holder for ${kind} ${name}`);
  liveGroups.add(pid);
  await new Promise<void>((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`holder ${kind} ${name} not ready: ${err}`)), 5000);
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`holder ${kind} ${name} exited (${code}): ${err}`));
    });
  });
  proc.removeAllListeners("exit");
  proc.stdout!.resume();
  proc.stderr!.resume();
  // A holder must not keep the test process alive; the exit handlers and its watchdog end it.
  proc.unref();
  (proc.stdout as unknown as { unref(): void }).unref();
  (proc.stderr as unknown as { unref(): void }).unref();
  return { name, kind, pid, dir, proc, groups: new Set() };
}

export function stopHolder(h: Holder): void {
  killGroup(h.pid);
}

const MARKER = ".kube-netlab-differential";

export function newRunDir(): string {
  installHandlers();
  removeStaleRunDirs();
  const d = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
  writeFileSync(join(d, MARKER), `${process.pid}\n`);
  liveDirs.add(d);
  return d;
}

/** Run dirs of earlier test processes that died before cleaning up (only ours: marker file, dead pid). */
function removeStaleRunDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    const m = /^kd(\d+)-/.exec(name);
    const dir = join(tmpdir(), name);
    if (!m || Number(m[1]) === process.pid || !existsSync(join(dir, MARKER))) continue;
    try {
      process.kill(Number(m[1]), 0);
      continue; // still running
    } catch {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

export function removeRunDir(d: string): void {
  // Overlay upper/work dirs are released once the machine's mount namespace is gone (holder dead).
  for (let i = 0; i < 20; i++) {
    try {
      rmSync(d, { recursive: true, force: true });
      break;
    } catch {
      spawnSync("sleep", ["0.05"]);
    }
  }
  liveDirs.delete(d);
}

function nsenterArgs(h: Holder): string[] {
  return h.kind === "machine" ? ["-t", String(h.pid), "-n", "-m", "-u", "--wd=/root"] : ["-t", String(h.pid), "-n"];
}

/** Run a command line with `bash -c` inside a holder's namespaces. */
export function exec(h: Holder, command: string, timeoutMs = 10_000): Promise<ExecResult> {
  return new Promise((resolve) => {
    const proc = spawn("nsenter", [...nsenterArgs(h), "--", "bash", "-c", command], {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: ENV,
    });
    const pgid = proc.pid!;
    liveGroups.add(pgid);
    track(h, pgid, true);
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    proc.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(pgid);
    }, timeoutMs);
    proc.on("close", (code, signal) => {
      clearTimeout(timer);
      // Leftovers of the command (a daemon it forked) die with its group.
      killGroup(pgid);
      track(h, pgid, false);
      resolve({
        stdout,
        stderr: timedOut ? stderr + `[real-kernel runner: timed out after ${timeoutMs} ms]\n` : stderr,
        exitCode: code ?? (signal ? 128 + 9 : 1),
        timedOut,
      });
    });
  });
}

/** Start a command in the background inside a machine; it runs until stopBackground / the run ends. */
export function execBackground(h: Holder, command: string): { pgid: number; log: string } {
  const log = join(h.dir, `bg-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.log`);
  const out = openSync(log, "a");
  const proc = spawn("nsenter", [...nsenterArgs(h), "--", "bash", "-c", command], {
    detached: true,
    stdio: ["ignore", out, out],
    env: ENV,
  });
  closeSync(out); // the child has its own copy
  const pgid = proc.pid!;
  liveGroups.add(pgid);
  track(h, pgid, true);
  proc.unref();
  return { pgid, log };
}

export function stopGroup(h: Holder, pgid: number): void {
  killGroup(pgid);
  track(h, pgid, false);
}

/** Synchronous probe used by kernelAvailable(). */
export function probeKernel(): { ok: boolean; why?: string } {
  if (typeof process.getuid === "function" && process.getuid() !== 0) return { ok: false, why: "not running as root" };
  for (const tool of ["ip", "unshare", "nsenter", "iptables", "bash"]) {
    const r = spawnSync("bash", ["-c", `command -v ${tool}`], { env: ENV });
    if (r.status !== 0) return { ok: false, why: `${tool} not found in PATH` };
  }
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}-probe-`));
  try {
    const r = spawnSync(
      "unshare",
      ["--net", "--mount", "--uts", "--propagation", "private", "bash", "-c", machineProbe(dir)],
      { env: ENV, timeout: 10_000, encoding: "utf8" },
    );
    if (r.status !== 0) return { ok: false, why: `cannot build a probe namespace: ${(r.stderr || r.error?.message || "").trim()}` };
    if (!r.stdout.includes("probe-ok")) return { ok: false, why: `probe namespace misbehaved: ${r.stdout}${r.stderr}` };
    return { ok: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function machineProbe(dir: string): string {
  return `set -e
mkdir -p ${dir}/upper ${dir}/work
mount -t overlay ${PREFIX}-etc -o lowerdir=/etc,upperdir=${dir}/upper,workdir=${dir}/work /etc
mount -t tmpfs ${PREFIX}-netns /run/netns
ip link set lo up
ip netns add probe
ip netns exec probe ip link set lo up
ip link add v0 type veth peer name v1
ip link set v1 netns probe
iptables -S >/dev/null
echo probe-ok`;
}
