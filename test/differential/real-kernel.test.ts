// Tests of the real-kernel runner itself (no simulator involved): machines are isolated from each other
// and from the root namespace, the cables work, and nothing is left behind afterwards.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, test } from "node:test";
import type { TopologySpec } from "../../core/net/topology";
import { PREFIX } from "./kernel-machines";
import { KernelLab, isBackground, kernelAvailable, parseScript, runOnKernel, translateForKernel } from "./real-kernel";

const kernel = kernelAvailable();
if (!kernel.ok) console.log(`real-kernel runner tests cannot run here: ${kernel.why}`);

const topology: TopologySpec = {
  switches: ["sw1"],
  machines: [
    {
      name: "host-a",
      nics: [
        { name: "eth0", link: "switch:sw1", mac: "02:42:ac:11:00:0a" },
        { name: "eth1", link: "host-b:eth1" },
        { name: "eth2" },
      ],
      setup: ["ip addr add 192.168.1.10/24 dev eth0", "ip addr add 10.0.0.1/30 dev eth1"],
      files: { "/etc/sysctl.conf": "net.ipv4.ip_forward = 1\n" },
    },
    {
      name: "host-b",
      nics: [
        { name: "eth0", link: "switch:sw1" },
        { name: "eth1", link: "host-a:eth1" },
      ],
      setup: ["ip addr add 192.168.1.11/24 dev eth0", "ip addr add 10.0.0.2/30 dev eth1"],
    },
  ],
};

/** What this process could have left in the root namespace / on the host. */
function hostSnapshot() {
  const sh = (cmd: string) => execFileSync("bash", ["-c", cmd], { encoding: "utf8" });
  return {
    netns: new Set(sh("ip netns list | cut -d' ' -f1").split("\n").filter(Boolean)),
    links: new Set(sh("ip -o link show | cut -d: -f2 | cut -d@ -f1").split("\n").map((s) => s.trim()).filter(Boolean)),
    mounts: readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.includes(PREFIX)),
    etc: ["/etc/sysctl.conf", "/etc/hosts", "/etc/resolv.conf", "/etc/hostname"].map((f) =>
      existsSync(f) ? createHash("sha256").update(readFileSync(f)).digest("hex") : "absent",
    ),
    networkInterfacesFile: existsSync("/etc/network/interfaces"),
    hostname: sh("hostname").trim(),
    forward: readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8"),
    processes: ourProcesses(),
    tempDirs: readdirSync(tmpdir()).filter((d) => d.startsWith(`${PREFIX}-`)),
  };
}

/** Processes whose command line mentions this run's prefix (holders, background commands). */
function ourProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmd.includes(`${PREFIX}-`) && Number(pid) !== process.pid) found.push(`${pid} ${cmd.replace(/\0/g, " ").slice(0, 80)}`);
    } catch {
      /* gone */
    }
  }
  return found;
}

/** Processes living in any of the given network namespaces (`net:[inode]`). */
function processesIn(namespaces: Set<string>): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (namespaces.has(readlinkSync(`/proc/${pid}/ns/net`))) found.push(pid);
    } catch {
      /* gone or not ours to read */
    }
  }
  return found;
}

const added = <T>(before: Set<T>, after: Set<T>) => [...after].filter((x) => !before.has(x));

describe("real-kernel runner", () => {
  test("script parsing and command translation", () => {
    const lines = parseScript("# comment\n\n@host-a ip link\n  @host-b nc -lk -p 80 &\n");
    assert.deepEqual(
      lines.map((l) => [l.host, l.command, l.line]),
      [
        ["host-a", "ip link", 3],
        ["host-b", "nc -lk -p 80 &", 4],
      ],
    );
    assert.throws(() => parseScript("ip link"), /expected "@HOST COMMAND"/);
    assert.ok(isBackground("nc -lk -p 80 &"));
    assert.ok(!isBackground("true && false"));
    assert.match(translateForKernel("ip netns exec blue echo-server --port 80 &"), /^ip netns exec blue '.*node.*' '.*echo-server\.mjs' --port 80 &$/);
    assert.equal(translateForKernel("echo echo-server-x"), "echo echo-server-x");
  });

  test("two machines on a switch: isolated, connected, and cleaned up", { timeout: 60_000 }, async (t) => {
    if (!kernel.ok) {
      t.skip(`real kernel unavailable: ${kernel.why}`);
      return;
    }
    const before = hostSnapshot();
    const machineNamespaces: string[] = [];
    const lab = await KernelLab.build(topology);
    try {
      const run = (host: string, cmd: string, timeoutMs?: number) => lab.run(host, cmd, timeoutMs);
      assert.equal((await run("host-a", "hostname")).stdout, "host-a\n");
      assert.equal((await run("host-b", "hostname")).stdout, "host-b\n");

      const linkA = await run("host-a", "ip link show eth0");
      assert.match(linkA.stdout, /02:42:ac:11:00:0a/);
      assert.match(linkA.stdout, /<BROADCAST,MULTICAST,UP,LOWER_UP>/);
      assert.match((await run("host-a", "ip link show eth2")).stdout, /NO-CARRIER/, "a NIC without a cable has no carrier");
      assert.match((await run("host-a", "ip link show lo")).stdout, /LOOPBACK,UP,LOWER_UP/, "lo is up");
      const links = (await run("host-a", "ip -o link show")).stdout;
      assert.deepEqual(
        links.split("\n").filter(Boolean).map((l) => l.split(":")[1].trim().split("@")[0]),
        ["lo", "eth0", "eth1", "eth2"],
        "a machine sees only lo and its own NICs",
      );

      const ping = await run("host-a", "ping -c 1 -W 1 192.168.1.11");
      assert.equal(ping.exitCode, 0, ping.stdout + ping.stderr);
      assert.match(ping.stdout, /1 received/);
      assert.equal((await run("host-a", "ping -c 1 -W 1 10.0.0.2")).exitCode, 0, "direct cable host-a:eth1 <-> host-b:eth1");

      // `ip netns add` on one machine is invisible on the other and in the root namespace.
      assert.equal((await run("host-a", "ip netns add red")).exitCode, 0);
      assert.equal((await run("host-a", "ip netns")).stdout, "red\n");
      assert.equal((await run("host-b", "ip netns")).stdout, "");
      assert.equal((await run("host-a", "ip netns exec red ip -o link show | wc -l")).stdout.trim(), "1");
      assert.ok(!hostSnapshot().netns.has("red") || before.netns.has("red"), "red leaked into the root namespace");
      assert.equal((await run("host-b", "ip netns add red")).exitCode, 0, "host-b has its own /run/netns");

      // /etc is private per machine; sysctls are per network namespace.
      assert.equal((await run("host-a", "cat /etc/sysctl.conf")).stdout, "net.ipv4.ip_forward = 1\n");
      assert.equal((await run("host-a", "sysctl -p")).stdout, "net.ipv4.ip_forward = 1\n");
      assert.equal((await run("host-a", "cat /proc/sys/net/ipv4/ip_forward")).stdout, "1\n");
      assert.equal((await run("host-b", "cat /proc/sys/net/ipv4/ip_forward")).stdout, "0\n");
      await run("host-b", "mkdir -p /etc/network && echo 'auto eth0' > /etc/network/interfaces && echo 'x 1' >> /etc/hosts");
      assert.equal((await run("host-b", "cat /etc/network/interfaces")).stdout, "auto eth0\n");
      assert.doesNotMatch((await run("host-a", "cat /etc/network/interfaces")).stdout, /^auto eth0\n$/);

      // Background server (echo-server translated to our Node server) and a client on the other machine.
      assert.deepEqual(await run("host-b", "echo-server --port 8080 &"), {
        host: "host-b",
        command: "echo-server --port 8080 &",
        stdout: "",
        stderr: "",
        exitCode: 0,
      });
      const curl = await run("host-a", "curl -s http://192.168.1.11:8080/x?y=1");
      assert.equal(curl.exitCode, 0, curl.stderr);
      const body = JSON.parse(curl.stdout);
      assert.equal(body.name, "host-b");
      assert.deepEqual(body.local, { address: "192.168.1.11", port: 8080 });
      assert.equal(body.client.address, "192.168.1.10");
      assert.equal(body.path, "/x?y=1");
      assert.equal(body.method, "GET");
      assert.equal(body.host, "192.168.1.11:8080");
      assert.equal(body.headers["user-agent"].split("/")[0], "curl");
      assert.ok((await run("host-b", "nc -lk -p 81 &")).exitCode === 0);
      assert.equal((await run("host-a", "nc -z -w 1 192.168.1.11 81")).exitCode, 0);

      for (const cmd of ["readlink /proc/self/ns/net", "ip netns exec red readlink /proc/self/ns/net"])
        for (const h of ["host-a", "host-b"]) machineNamespaces.push((await run(h, cmd)).stdout.trim());

      const slow = await run("host-a", "sleep 5", 300);
      assert.notEqual(slow.exitCode, 0);
      assert.match(slow.stderr, /timed out after 300 ms/);
    } finally {
      await lab.close();
    }
    await new Promise((r) => setTimeout(r, 300));
    const after = hostSnapshot();
    assert.deepEqual(added(before.netns, after.netns).filter((n) => /^(red|blue)$|^kd/.test(n)), [], "namespaces left behind");
    assert.deepEqual(added(before.links, after.links).filter((n) => /^(eth\d|p\d+|nc\d+|br0|veth)/.test(n)), [], "interfaces left in the root namespace");
    assert.deepEqual(after.mounts, before.mounts, "mounts leaked into the root mount namespace");
    assert.deepEqual(after.etc, before.etc, "real /etc files were modified");
    assert.equal(after.networkInterfacesFile, before.networkInterfacesFile, "/etc/network/interfaces was created on the host");
    assert.equal(after.hostname, before.hostname);
    assert.equal(after.forward, before.forward);
    assert.deepEqual(after.processes, [], "holder processes survived");
    assert.equal(machineNamespaces.length, 4);
    assert.deepEqual(processesIn(new Set(machineNamespaces)), [], "processes (e.g. background servers) survived in the machines");
    assert.deepEqual(added(new Set(before.tempDirs), new Set(after.tempDirs)), [], "temp dirs left behind");
  });

  test("runOnKernel returns one result per script command", { timeout: 30_000 }, async (t) => {
    if (!kernel.ok) {
      t.skip(`real kernel unavailable: ${kernel.why}`);
      return;
    }
    const results = await runOnKernel(
      { machines: [{ name: "solo" }] },
      "# only lo\n@solo ip -o link show | wc -l\n\n@solo ping -c 1 -W 1 10.1.1.1\n@solo ip foo",
    );
    assert.deepEqual(
      results.map((r) => [r.command, r.stdout, r.stderr, r.exitCode]),
      [
        ["ip -o link show | wc -l", "1\n", "", 0],
        ["ping -c 1 -W 1 10.1.1.1", "", "ping: connect: Network is unreachable\n", 2],
        ["ip foo", "", 'Object "foo" is unknown, try "ip help".\n', 1],
      ],
    );
    assert.deepEqual(ourProcesses(), []);
  });
});
