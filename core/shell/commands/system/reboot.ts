// reboot: the machine restarts; what was not written to a file is lost (routes, addresses, runtime
// sysctls, namespaces). The shell session survives, as a console that reconnects.
import type { Tool } from "../../tool";
import type { HostShell } from "../../host-shell";
import { reboot } from "../../boot";

export const rebootTool: Tool = {
  name: "reboot",
  async run(ctx) {
    const shell = ctx.machine.ext.get("shell") as HostShell | undefined;
    if (!shell) return { stdout: "", stderr: "reboot: cannot reboot this machine\n", exitCode: 1 };
    if (ctx.ns !== ctx.machine.root) return { stdout: "", stderr: "Failed to connect to bus: No such file or directory\n", exitCode: 1 };
    await reboot(ctx.machine, shell);
    return { stdout: "", stderr: "", exitCode: 0 };
  },
};
