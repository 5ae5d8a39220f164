import type { Tool } from "../../tool";
import { sysctlTool } from "./sysctl";
import { hostnameTool } from "./hostname";
import { dmesgTool } from "./dmesg";

export const systemTools: Tool[] = [sysctlTool, hostnameTool, dmesgTool];
