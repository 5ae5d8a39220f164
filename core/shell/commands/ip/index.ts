// The iproute2 family: `ip`, `bridge`, and bridge-utils' `brctl`.
import type { Tool } from "../../tool";
import { ipTool } from "./ip";
import { bridgeTool, brctlTool } from "./bridge";

export const ipTools: Tool[] = [ipTool, bridgeTool, brctlTool];
