import { test } from "node:test";
import assert from "node:assert/strict";
import { defineCommand } from "just-bash";
import { World } from "../script/world";
import { ShellSession, INTERRUPT_GRACE_MS } from "./session";

test("the session keeps cwd and exported variables between lines, and shows bash's prompt", async () => {
  const w = await World.fromTopology({ machines: [{ name: "node01" }] });
  const s = new ShellSession(w.shell("node01"));
  assert.equal(s.prompt, "root@node01:~# ");
  await s.run("cd /etc/network");
  assert.equal(s.prompt, "root@node01:/etc/network# ");
  await s.run("export NS=red");
  assert.equal((await s.run("echo $NS; pwd")).stdout, "red\n/etc/network\n");
});

test("Ctrl+C on a command that never ends returns the prompt within 100 ms with status 130", async () => {
  const w = await World.fromTopology({ machines: [{ name: "host" }] });
  const s = new ShellSession(w.shell("host"));
  const t0 = performance.now();
  const p = s.run("while true; do sleep 1; done");
  setTimeout(() => s.interrupt(), 20);
  const r = await p;
  const elapsed = performance.now() - t0 - 20;
  assert.equal(r.exitCode, 130);
  assert.equal(r.stderr, "");
  assert.ok(elapsed < 100, `took ${elapsed} ms (grace ${INTERRUPT_GRACE_MS} ms)`);
  assert.equal(s.busy, false);
  assert.equal((await s.run("echo back")).stdout, "back\n");
});

test("interrupt() with nothing running says so", async () => {
  const w = await World.fromTopology({ machines: [{ name: "host" }] });
  assert.equal(new ShellSession(w.shell("host")).interrupt(), false);
  void defineCommand;
});
