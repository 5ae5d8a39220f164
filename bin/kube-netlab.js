#!/usr/bin/env node
// Entry point of the headless CLI: loads the TypeScript engine through tsx and hands over.
//
// The engine runs with a 32 MB young generation (V8's default is 16 MB): each shell command allocates
// a burst of short-lived objects, and the larger nursery keeps a command's p99 under 1 ms instead of
// ~2.4 ms (see bench/README.md). V8 reads this flag only at startup, so we relaunch once with it.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const FLAG = "--max-semi-space-size=32";
if (!process.execArgv.includes(FLAG)) {
  const child = spawn(process.execPath, [...process.execArgv, FLAG, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  // Ctrl+C reaches the child directly (same process group); the parent just waits for it.
  process.on("SIGINT", () => {});
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + 2 : 1)));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  const { main } = await import("../core/cli/main.ts");
  // Exit explicitly: background jobs of a preset (servers) would otherwise keep the process alive.
  process.exit(await main(process.argv.slice(2)));
}
