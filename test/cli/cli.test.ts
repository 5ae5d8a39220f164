import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../bin/kube-netlab.js", import.meta.url));
const cli = (args: string[], input?: string) => spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8", timeout: 30_000 });

test("kube-netlab run --json prints one JSON object per command", () => {
  const r = cli(["run", "--json", "-"], "# comment\n@host hostname\n@host sysctl net.ipv4.ip_foward\n");
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines, [
    { host: "host", command: "hostname", stdout: "host\n", stderr: "", exitCode: 0 },
    { host: "host", command: "sysctl net.ipv4.ip_foward", stdout: "", stderr: "sysctl: cannot stat /proc/sys/net/ipv4/ip_foward: No such file or directory\n", exitCode: 1 },
  ]);
});

test("kube-netlab run with a preset, and its errors", () => {
  const ok = cli(["run", "--preset", "lab-1.2", "-"], "@host-b cat /proc/sys/net/ipv4/ip_forward\n");
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, "host-b$ cat /proc/sys/net/ipv4/ip_forward\n0\n");
  const bad = cli(["run", "--preset", "nope", "-"], "");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown preset "nope" \(known: bare, lab-1\.1/);
  const list = cli(["presets"]);
  assert.match(list.stdout, /^bare +one machine named host/m);
});
