import { test } from "node:test";
import assert from "node:assert/strict";
import { parseScript, runScript } from "./run";

test("scripts: @HOST lines, comments, blank lines, continuations and background jobs", () => {
  const { lines, errors } = parseScript("# c\n\n@a ip link\n@b nc -lk -p 80 &\n@a echo x && echo y\n@a echo \\\n  joined\nnot a line\n");
  assert.deepEqual(errors, ["line 8: expected \"@HOST COMMAND\", got: not a line"]);
  assert.deepEqual(
    lines.map((l) => [l.host, l.command, l.background]),
    [
      ["a", "ip link", false],
      ["b", "nc -lk -p 80", true],
      ["a", "echo x && echo y", false],
      ["a", "echo    joined", false],
    ],
  );
});

test("runScript runs each line at its host's prompt and reports unknown hosts", async () => {
  const results = await runScript({
    topology: { machines: [{ name: "a" }, { name: "b" }] },
    script: "@a hostname\n@b cd /tmp\n@b pwd\n@c true\n@a sleep 100 &\n@a echo after\n",
  });
  assert.deepEqual(
    results.map((r) => [r.host, r.stdout, r.exitCode]),
    [
      ["a", "a\n", 0],
      ["b", "", 0],
      ["b", "/tmp\n", 0],
      ["c", "", 127],
      ["a", "", 0],
      ["a", "after\n", 0],
    ],
  );
  assert.match(results[3].stderr, /no machine named "c" \(machines: a, b\)/);
});
