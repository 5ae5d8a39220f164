// Which machine and network namespace a command runs in. `ip netns exec red sh -c '…'` must make every
// command inside it see `red`, through pipelines and nested shells; AsyncLocalStorage follows the
// async call chain through the shell interpreter, so nothing leaks into the user's environment.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Machine } from "../net/machine";
import type { NetNamespace } from "../net/namespace";

export interface ExecScope {
  machine: Machine;
  ns: NetNamespace;
  /** Fires on Ctrl+C (or cancellation): commands that trap SIGINT (ping) finish cleanly. */
  interrupt: AbortSignal;
}

const storage = new AsyncLocalStorage<ExecScope>();

export function currentScope(): ExecScope | undefined {
  return storage.getStore();
}

export function runInScope<T>(scope: ExecScope, fn: () => T): T {
  return storage.run(scope, fn);
}
