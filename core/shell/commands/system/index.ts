import type { Tool } from "../../tool";
import { sysctlTool } from "./sysctl";
import { hostnameTool } from "./hostname";
import { dmesgTool } from "./dmesg";
import { rebootTool } from "./reboot";

export const systemTools: Tool[] = [sysctlTool, hostnameTool, dmesgTool, rebootTool];
