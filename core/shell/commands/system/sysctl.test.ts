import { test } from "node:test";
import assert from "node:assert/strict";
import { World } from "../../../script/world";

async function host() {
  const w = await World.fromTopology({ machines: [{ name: "host" }] });
  const sh = w.shell("host");
  return { w, sh, run: (l: string) => sh.exec(l) };
}

test("ip_forward reads and writes through sysctl and /proc, per namespace (reference b §4)", async () => {
  const { run, w } = await host();
  assert.equal((await run("cat /proc/sys/net/ipv4/ip_forward")).stdout, "0\n");
  assert.equal((await run("sysctl net.ipv4.ip_forward")).stdout, "net.ipv4.ip_forward = 0\n");
  assert.equal((await run("sysctl -w net.ipv4.ip_forward=1")).stdout, "net.ipv4.ip_forward = 1\n");
  assert.equal((await run("cat /proc/sys/net/ipv4/ip_forward")).stdout, "1\n");
  const r = await run("echo 0 > /proc/sys/net/ipv4/ip_forward");
  assert.deepEqual([r.stdout, r.stderr, r.exitCode], ["", "", 0]);
  assert.equal(w.sim.machine("host")!.root.ipForward, false);
  assert.equal((await run("sysctl -n net.ipv4.ip_forward")).stdout, "0\n");
});

test("sysctl errors and exit codes as procps-ng 4.0.2", async () => {
  const { run } = await host();
  const typo = await run("sysctl net.ipv4.ip_foward");
  assert.deepEqual([typo.stdout, typo.stderr, typo.exitCode], ["", "sysctl: cannot stat /proc/sys/net/ipv4/ip_foward: No such file or directory\n", 1]);
  const bad = await run("sysctl -w net.ipv4.ip_forward=abc");
  assert.deepEqual([bad.stderr, bad.exitCode], ['sysctl: setting key "net.ipv4.ip_forward": Invalid argument\n', 1]);
  const none = await run("sysctl -w");
  assert.deepEqual([none.stderr, none.exitCode], ["sysctl: no variables specified\nTry `sysctl --help' for more information.\n", 1]);
  const missing = await run("sysctl -p /nonexist");
  assert.deepEqual([missing.stderr, missing.exitCode], ['sysctl: cannot open "/nonexist": No such file or directory\n', 1]);
});

test("sysctl -p applies /etc/sysctl.conf; a typo is reported and the rest still applies", async () => {
  const { run, w } = await host();
  await run(`printf 'net.ipv4.ip_forward = 1\\n# c\\nnet.ipv4.ip_foward=1\\nbad line\\n' >> /etc/sysctl.conf`);
  const r = await run("sysctl -p");
  assert.equal(r.stdout, "net.ipv4.ip_forward = 1\n");
  assert.match(r.stderr, /^sysctl: cannot stat \/proc\/sys\/net\/ipv4\/ip_foward: No such file or directory\nsysctl: \/etc\/sysctl.conf\(\d+\): invalid syntax, continuing...\n$/);
  assert.equal(r.exitCode, 1);
  assert.equal(w.sim.machine("host")!.root.ipForward, true);
});

test("namespaces have their own sysctls, seen through ip netns exec", async () => {
  const { run, w } = await host();
  const m = w.sim.machine("host")!;
  m.addNetns("red");
  await run("sysctl -w net.ipv4.ip_forward=1");
  // `ip netns exec` comes with the ip tool; the scope mechanism is what it relies on.
  const red = m.netns("red")!;
  const r = await w.shell("host").exec("cat /proc/sys/net/ipv4/ip_forward; sysctl net.ipv4.ip_forward", { ns: red });
  assert.equal(r.stdout, "0\nnet.ipv4.ip_forward = 0\n");
  assert.equal((await run("ls /var/run/netns")).stdout, "red\n");
  assert.equal((await run("ls /run/netns")).stdout, "red\n");
});

test("hostname prints and sets the machine name", async () => {
  const { run, w } = await host();
  assert.equal((await run("hostname")).stdout, "host\n");
  await run("hostname node01");
  assert.equal(w.sim.machine("host")!.hostname, "node01");
  assert.equal((await run("cat /proc/sys/kernel/hostname")).stdout, "node01\n");
});
