import type { Tool } from "../../tool";

export const iptablesTools: Tool[] = [];
