// dmesg: the kernel ring buffer (iptables LOG lines land here).
import type { Tool } from "../../tool";

export const dmesgTool: Tool = {
  name: "dmesg",
  run(ctx) {
    if (ctx.args.includes("-c") || ctx.args.includes("-C")) {
      const out = ctx.args.includes("-c") ? ctx.machine.kernelLog.join("\n") + (ctx.machine.kernelLog.length ? "\n" : "") : "";
      ctx.machine.kernelLog.length = 0;
      return { stdout: out, stderr: "", exitCode: 0 };
    }
    return { stdout: ctx.machine.kernelLog.map((l) => l + "\n").join(""), stderr: "", exitCode: 0 };
  },
};
