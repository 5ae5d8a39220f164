// Every tool the simulated shell knows, by family (one folder each).
import type { Tool } from "../tool";
import { ipTools } from "./ip/index";
import { iptablesTools } from "./iptables/tool";
import { netToolsTools } from "./net-tools/index";
import { probeTools } from "./probe/index";
import { systemTools } from "./system/index";

export function allTools(): Tool[] {
  return [...ipTools, ...iptablesTools, ...netToolsTools, ...probeTools, ...systemTools];
}
