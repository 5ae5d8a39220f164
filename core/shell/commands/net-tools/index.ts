// net-tools: arp, route and ifconfig, the older views of the same kernel state `ip` shows.
import type { Tool } from "../../tool";
import { arpTool } from "./arp";
import { routeTool } from "./route";
import { ifconfigTool } from "./ifconfig";

export const netToolsTools: Tool[] = [arpTool, routeTool, ifconfigTool];
