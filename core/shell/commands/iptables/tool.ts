// Registers iptables, iptables-save and iptables-restore with the shell: each runs against the netfilter
// of the namespace the command runs in, with the simulated clock for iptables-save's date line.

import type { Tool, ToolContext } from "../../tool";
import { runIptables, runIptablesRestore, runIptablesSave } from "./index";

const nowOf = (ctx: ToolContext) => new Date(ctx.sim.clock.now());

export const iptablesTools: Tool[] = [
  {
    name: "iptables",
    aliases: ["iptables-nft"],
    run: (ctx) => runIptables(ctx.args, ctx.ns.netfilter, { now: nowOf(ctx) }),
  },
  {
    name: "iptables-save",
    aliases: ["iptables-nft-save"],
    run: (ctx) => runIptablesSave(ctx.args, ctx.ns.netfilter, { now: nowOf(ctx) }),
  },
  {
    name: "iptables-restore",
    aliases: ["iptables-nft-restore"],
    run: (ctx) => runIptablesRestore(ctx.args, ctx.ns.netfilter, { now: nowOf(ctx), stdin: ctx.stdin }),
  },
];
